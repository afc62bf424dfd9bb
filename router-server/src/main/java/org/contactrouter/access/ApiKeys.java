package org.contactrouter.access;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Integrations' API keys: {@code crk_<key id>_<32 random bytes, base64url>}. The config keeps only
 * {@code sha256:<hex>} of the whole key. A fast hash is enough here (unlike passwords): the secret part has 256 random
 * bits, so there is nothing to guess, and a request is checked without the cost of a password hash.
 */
public final class ApiKeys {

    public static final Pattern HASH_FORMAT = Pattern.compile("sha256:[0-9a-f]{64}");
    private static final Pattern KEY = Pattern.compile("crk_([A-Za-z0-9][A-Za-z0-9-]{0,63})_[A-Za-z0-9_-]{43}");
    private static final SecureRandom RANDOM = new SecureRandom();

    private ApiKeys() {
    }

    /** A new key for the integration {@code id} (letters, digits and '-'). */
    public static String generate(String id) {
        byte[] secret = new byte[32];
        RANDOM.nextBytes(secret);
        String key = "crk_" + id + "_" + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
        if (idOf(key) == null) {
            throw new IllegalArgumentException("key id '" + id + "' (expected letters, digits and '-', at most 64)");
        }
        return key;
    }

    /** The key id a well-formed key names, or null when {@code key} is not an API key. */
    public static String idOf(String key) {
        Matcher m = key == null ? null : KEY.matcher(key);
        return m != null && m.matches() ? m.group(1) : null;
    }

    public static String hash(String key) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.US_ASCII));
            return "sha256:" + HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    /** Whether {@code key} is the one {@code stored} was made from; compares in constant time. */
    public static boolean matches(String key, String stored) {
        return MessageDigest.isEqual(hash(key).getBytes(StandardCharsets.US_ASCII),
                stored.getBytes(StandardCharsets.US_ASCII));
    }
}
