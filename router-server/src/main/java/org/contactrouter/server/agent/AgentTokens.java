package org.contactrouter.server.agent;

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
 * Sign-in tokens of the agent desktop: {@code <agent id and expiry, base64url>.<HMAC-SHA256 of them>}. Stateless, so
 * any instance with the same secret accepts them; they expire and cannot be forged without the secret.
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

    public Issued issue(String agentId) {
        Instant expires = clock.instant().plus(ttl);
        String payload = B64.encodeToString((agentId + "\n" + expires.getEpochSecond()).getBytes(StandardCharsets.UTF_8));
        return new Issued(payload + "." + B64.encodeToString(mac(payload)), expires);
    }

    /** The agent a token was issued to, when it is genuine and not expired. */
    public Optional<String> agentOf(String token) {
        if (token == null) {
            return Optional.empty();
        }
        int dot = token.indexOf('.');
        if (dot < 1) {
            return Optional.empty();
        }
        String payload = token.substring(0, dot);
        byte[] given;
        try {
            given = Base64.getUrlDecoder().decode(token.substring(dot + 1));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        if (!MessageDigest.isEqual(mac(payload), given)) {
            return Optional.empty();
        }
        String[] parts = new String(Base64.getUrlDecoder().decode(payload), StandardCharsets.UTF_8).split("\n", 2);
        if (parts.length != 2 || Long.parseLong(parts[1]) <= clock.instant().getEpochSecond()) {
            return Optional.empty();
        }
        return Optional.of(parts[0]);
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
