package org.contactrouter.access;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;
import java.util.function.Function;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Sign-in tokens of the agent desktop: {@code <agent id, issue time, expiry, password fingerprint; base64url>.<HMAC-SHA256
 * of them>}. Any instance with the same secret can check them; they expire and cannot be forged without the secret.
 * Whether a genuine token still holds (the agent still in agents.yaml with the same password, not signed out since)
 * is decided by {@link Authenticator}.
 *
 * <p>The secret comes from {@code ROUTER_AGENT_TOKEN_SECRET} (base64, at least 32 bytes; give all instances the same
 * one), or else from {@code agent-token.key} in the data directory, made on first start (readable by the owner only).
 */
public final class AgentTokens {

    public static final String SECRET_VARIABLE = "ROUTER_AGENT_TOKEN_SECRET";
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

    private final SecretKeySpec key;
    private final Duration ttl;
    private final Clock clock;

    /** A token and when it stops being accepted. */
    public record Issued(String token, Instant expiresAt) {
    }

    /**
     * What a genuine, unexpired token says.
     *
     * @param agentId     who it was issued to
     * @param issuedAt    when (milliseconds), so a sign-out can revoke every token issued before it
     * @param expiresAt   when it stops being accepted
     * @param fingerprint of the password hash it was issued against: a changed password revokes it
     */
    public record Claims(String agentId, long issuedAt, Instant expiresAt, String fingerprint) {
        /** An id of the token, for logs and the agent feed's sockets. */
        public String tokenId() {
            return agentId + "@" + issuedAt;
        }
    }

    public AgentTokens(byte[] secret, Duration ttl, Clock clock) {
        if (secret.length < 32) {
            throw new IllegalArgumentException("the agent token secret has " + secret.length
                    + " bytes (expected at least 32)");
        }
        this.key = new SecretKeySpec(secret, "HmacSHA256");
        this.ttl = ttl;
        this.clock = clock;
    }

    /** The secret from the environment, or the data directory's key file, made when missing. */
    public static byte[] secret(Function<String, String> env, Path dataDir) throws IOException {
        String configured = env.apply(SECRET_VARIABLE);
        if (configured != null && !configured.isBlank()) {
            try {
                return Base64.getDecoder().decode(configured.strip());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(SECRET_VARIABLE + ": not base64 (make one with: openssl rand -base64 32)");
            }
        }
        Path file = dataDir.resolve("agent-token.key");
        if (!Files.exists(file)) {
            byte[] fresh = new byte[32];
            new SecureRandom().nextBytes(fresh);
            try {
                Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                Files.writeString(file, Base64.getEncoder().encodeToString(fresh), StandardCharsets.US_ASCII);
            } catch (FileAlreadyExistsException e) {
                // another start made it first: use theirs
            }
        }
        return Base64.getDecoder().decode(Files.readString(file, StandardCharsets.US_ASCII).strip());
    }

    /** A token for {@code agentId}, tied to the password hash they signed in with, issued no earlier than given. */
    public Issued issue(String agentId, String passwordHash, long notBeforeMillis) {
        long issued = Math.max(clock.millis(), notBeforeMillis);
        Instant expires = Instant.ofEpochMilli(issued).plus(ttl);
        String payload = B64.encodeToString(String.join("\n", agentId, Long.toString(issued),
                Long.toString(expires.getEpochSecond()), fingerprint(passwordHash)).getBytes(StandardCharsets.UTF_8));
        return new Issued(payload + "." + B64.encodeToString(mac(payload)), expires);
    }

    /** What a token says, when it is genuine and not expired; whether it still holds is {@link Authenticator}'s call. */
    public Optional<Claims> verify(String token) {
        if (token == null || token.length() > 1024) {
            return Optional.empty();
        }
        int dot = token.indexOf('.');
        if (dot < 1) {
            return Optional.empty();
        }
        String payload = token.substring(0, dot);
        try {
            byte[] given = Base64.getUrlDecoder().decode(token.substring(dot + 1));
            if (!MessageDigest.isEqual(mac(payload), given)) {
                return Optional.empty();
            }
            String[] parts = new String(Base64.getUrlDecoder().decode(payload), StandardCharsets.UTF_8).split("\n");
            if (parts.length != 4) {
                return Optional.empty();
            }
            Instant expires = Instant.ofEpochSecond(Long.parseLong(parts[2]));
            if (!expires.isAfter(clock.instant())) {
                return Optional.empty();
            }
            return Optional.of(new Claims(parts[0], Long.parseLong(parts[1]), expires, parts[3]));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** A short digest of a password hash: tokens carry it, so changing the password revokes them. */
    public static String fingerprint(String passwordHash) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(passwordHash.getBytes(StandardCharsets.UTF_8));
            return B64.encodeToString(java.util.Arrays.copyOf(digest, 9));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    private byte[] mac(String payload) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return mac.doFinal(payload.getBytes(StandardCharsets.US_ASCII));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every Java 17 runtime", e);
        }
    }
}
