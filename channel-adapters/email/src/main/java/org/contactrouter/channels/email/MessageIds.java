package org.contactrouter.channels.email;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Message-IDs as the thread store keeps them: without angle brackets, and the ones this adapter makes. */
final class MessageIds {

    private static final Pattern BRACKETED = Pattern.compile("<([^<>\\s]+)>");

    private MessageIds() {
    }

    /** {@code <a@b>} or {@code a@b} as {@code a@b}; null when there is none. */
    static String normalize(String raw) {
        if (raw == null) {
            return null;
        }
        List<String> ids = parseList(raw);
        return ids.isEmpty() ? null : ids.get(0);
    }

    /**
     * The ids named in an In-Reply-To or References header, in order. Clients that leave out the brackets are
     * common enough that a header without any bracketed id is read as ids separated by white space.
     */
    static List<String> parseList(String header) {
        List<String> ids = new ArrayList<>();
        if (header == null || header.isBlank()) {
            return ids;
        }
        Matcher m = BRACKETED.matcher(header);
        while (m.find()) {
            ids.add(m.group(1));
        }
        if (ids.isEmpty()) {
            for (String token : header.strip().split("[\\s,]+")) {
                if (token.contains("@")) {
                    ids.add(token);
                }
            }
        }
        return ids;
    }

    /**
     * The Message-ID of the mail sent for an outbound message: derived from its id only, so that a redelivered
     * outbound message is sent with the same Message-ID and a customer's mail client shows it once.
     */
    static String outbound(String outboundId, String mailDomain) {
        return "cr." + sha256(outboundId.getBytes(StandardCharsets.UTF_8)).substring(0, 40) + '@' + mailDomain;
    }

    /** A stand-in for a missing Message-ID, from the mail's own bytes, so that a re-read gives the same one. */
    static String synthetic(String rawSha256, String mailDomain) {
        return "no-message-id." + rawSha256.substring(0, 40) + '@' + mailDomain;
    }

    static String sha256(byte[] bytes) {
        return HexFormat.of().formatHex(digest().digest(bytes));
    }

    static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this Java runtime", e);
        }
    }
}
