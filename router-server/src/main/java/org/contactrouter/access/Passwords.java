package org.contactrouter.access;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * Agents' passwords, stored in agents.yaml only as PBKDF2-HMAC-SHA256 hashes (the JDK's implementation, with a random
 * 16-byte salt and 210,000 iterations, OWASP's figure for this function):
 * {@code pbkdf2-sha256$210000$<salt, base64>$<hash, base64>}. {@code router hash-password} makes one.
 */
public final class Passwords {

    /** What a stored hash looks like; the config loader checks the field against it. */
    public static final Pattern FORMAT =
            Pattern.compile("pbkdf2-sha256\\$(\\d{4,7})\\$([A-Za-z0-9+/=]{16,64})\\$([A-Za-z0-9+/=]{32,88})");
    static final int ITERATIONS = 210_000;
    private static final SecureRandom RANDOM = new SecureRandom();

    private Passwords() {
    }

    public static String hash(char[] password) {
        byte[] salt = new byte[16];
        RANDOM.nextBytes(salt);
        return "pbkdf2-sha256$" + ITERATIONS + "$" + Base64.getEncoder().encodeToString(salt) + "$"
                + Base64.getEncoder().encodeToString(derive(password, salt, ITERATIONS));
    }

    /** Whether {@code password} is the one {@code stored} was made from; compares in constant time. */
    public static boolean matches(char[] password, String stored) {
        Matcher m = stored == null ? null : FORMAT.matcher(stored);
        if (m == null || !m.matches()) {
            return false;
        }
        byte[] salt = Base64.getDecoder().decode(m.group(2));
        byte[] expected = Base64.getDecoder().decode(m.group(3));
        return MessageDigest.isEqual(expected, derive(password, salt, Integer.parseInt(m.group(1))));
    }

    private static byte[] derive(char[] password, byte[] salt, int iterations) {
        PBEKeySpec spec = new PBEKeySpec(password, salt, iterations, 256);
        try {
            return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("PBKDF2WithHmacSHA256 is part of every Java 17 runtime", e);
        } finally {
            spec.clearPassword();
        }
    }
}
