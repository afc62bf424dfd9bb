package org.contactrouter.channels.email;

import jakarta.mail.MessagingException;
import jakarta.mail.Part;
import java.util.Locale;

/**
 * Tells mail a machine sent (out-of-office replies, bounces, mailing lists, newsletters) and our own mail coming
 * back, so that the mailbox never answers it automatically: two auto-responders answering each other fill both
 * mailboxes within minutes. Such mail is still a contact (a person may have to act on a bounce), only flagged.
 *
 * <p>Signs, after RFC 3834 and what common mail systems send: {@code Auto-Submitted} other than {@code no};
 * {@code Precedence: bulk, junk, list} or {@code auto_reply}; {@code List-Id} or {@code List-Unsubscribe};
 * an empty {@code Return-Path} ({@code <>}, delivery reports); a {@code multipart/report} body; Microsoft's
 * {@code X-Auto-Response-Suppress} and the {@code X-Autoreply}, {@code X-Autorespond} headers; From a
 * {@code mailer-daemon} or {@code postmaster}; From our own address; our own {@value #LOOP_HEADER} header.
 */
final class AutoSubmitted {

    /** The header every mail we send carries, with our address as its value. */
    static final String LOOP_HEADER = "X-Loop";

    private AutoSubmitted() {
    }

    /**
     * Why the mail must not be answered automatically, as {@code header: value}, or null for a mail a person wrote.
     *
     * @param from        the sender's address, lower case, or null
     * @param ourAddress  the mailbox address
     */
    static String reason(Part mail, String from, String ourAddress) throws MessagingException {
        String autoSubmitted = first(mail, "Auto-Submitted");
        if (autoSubmitted != null && !token(autoSubmitted).equals("no")) {
            return "Auto-Submitted: " + autoSubmitted.strip();
        }
        String precedence = first(mail, "Precedence");
        if (precedence != null && switch (token(precedence)) {
            case "bulk", "junk", "list", "auto_reply" -> true;
            default -> false;
        }) {
            return "Precedence: " + precedence.strip();
        }
        for (String h : new String[] {"List-Id", "List-Unsubscribe", "X-Autoreply", "X-Autorespond", "X-Auto-Reply"}) {
            String v = first(mail, h);
            if (v != null) {
                return h + ": " + v.strip();
            }
        }
        String suppress = first(mail, "X-Auto-Response-Suppress");
        if (suppress != null && !token(suppress).equals("none") && !suppress.isBlank()) {
            return "X-Auto-Response-Suppress: " + suppress.strip();
        }
        String returnPath = first(mail, "Return-Path");
        if (returnPath != null && returnPath.replaceAll("[\\s<>]", "").isEmpty()) {
            return "Return-Path: <>";
        }
        if (mail.isMimeType("multipart/report")) {
            return "Content-Type: multipart/report";
        }
        if (from != null) {
            String local = from.substring(0, Math.max(0, from.indexOf('@')));
            if (local.equals("mailer-daemon") || local.equals("postmaster")) {
                return "From: " + from;
            }
            if (from.equalsIgnoreCase(ourAddress)) {
                return "From: " + from + " (our own address)";
            }
        }
        String[] loops = mail.getHeader(LOOP_HEADER);
        if (loops != null) {
            for (String loop : loops) {
                if (loop.strip().equalsIgnoreCase(ourAddress)) {
                    return LOOP_HEADER + ": " + loop.strip() + " (our own mail came back)";
                }
            }
        }
        return null;
    }

    private static String first(Part mail, String name) throws MessagingException {
        String[] values = mail.getHeader(name);
        return values == null || values.length == 0 ? null : values[0];
    }

    /** The header's first word, lower case: {@code auto-replied; owner-email=...} gives {@code auto-replied}. */
    private static String token(String value) {
        String v = value.strip().toLowerCase(Locale.ROOT);
        int end = 0;
        while (end < v.length() && v.charAt(end) != ';' && v.charAt(end) != ' ' && v.charAt(end) != '(') {
            end++;
        }
        return v.substring(0, end);
    }
}
