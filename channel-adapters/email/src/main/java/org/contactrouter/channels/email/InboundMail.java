package org.contactrouter.channels.email;

import jakarta.mail.BodyPart;
import jakarta.mail.MessagingException;
import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.Session;
import jakarta.mail.internet.ContentType;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeUtility;
import jakarta.mail.util.SharedFileInputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import org.contactrouter.events.Identity;

/**
 * A customer's mail as the router needs it: who wrote, what about, the plain text, the thread it answers, whether a
 * machine sent it, and its attachments (stored on disk, referenced by hash). A mail that is over a limit or cannot be
 * read becomes a notice ({@link #rejected}) that names sender, subject and the reason, so a person still sees it.
 *
 * @param messageId  its Message-ID without brackets; made from the mail's hash when it has none
 * @param parents    the Message-IDs it answers, nearest first (In-Reply-To, then References from the end)
 * @param autoReason why it must not be answered automatically (see {@link AutoSubmitted}), or null
 * @param rejected   why it was not taken in (its text then says so), or null
 * @param rejectedReason {@code too-large}, {@code too-deep} or {@code unreadable}, with {@code rejected}
 */
record InboundMail(String messageId, String fromAddress, String fromName, String replyTo, String subject, String text,
                   List<String> parents, String autoReason, List<Attachment> attachments, String rejected,
                   String rejectedReason, Path rawMessage) {

    /** Longer text is cut here; the whole text is then an attachment {@code message.txt}. */
    static final int MAX_TEXT_CHARS = 100_000;
    static final int MAX_SUBJECT_CHARS = 998;

    /** An attachment as the contact event names it. */
    record Attachment(String name, String type, long size, String sha256) {
    }

    /** What a mail's headers say, before its body is looked at. */
    private record Head(String messageId, String fromAddress, String fromName, String replyTo, String subject,
                        List<String> parents, String autoReason) {
    }

    /** Reads a whole mail, at most {@code settings.maxMessageBytes()} long. */
    static InboundMail read(Session session, byte[] raw, EmailSettings settings, Attachments attachments,
                            RejectedMail rejectedStore) throws IOException {
        String rawSha = MessageIds.sha256(raw);
        MimeMessage mail;
        Head head;
        try {
            mail = new MimeMessage(session, new ByteArrayInputStream(raw));
            head = head(mail, rawSha, settings);
        } catch (MessagingException | RuntimeException e) {
            return unreadable(raw, rawSha, settings, rejectedStore, e);
        }
        int depth;
        try {
            depth = depth(mail, 1, settings.maxMimeDepth());
        } catch (MessagingException | IOException | RuntimeException e) {
            return rejectedBody(head, raw, rawSha, rejectedStore, "unreadable",
                    "its MIME structure could not be read (" + describe(e) + ")");
        }
        if (depth > settings.maxMimeDepth()) {
            return rejectedBody(head, raw, rawSha, rejectedStore, "too-deep",
                    "its MIME parts are nested more than " + settings.maxMimeDepth()
                            + " levels deep, the limit (email.maxMimeDepth)");
        }
        Body body = new Body(attachments);
        try {
            body.walk(mail);
        } catch (MessagingException | RuntimeException e) {
            return rejectedBody(head, raw, rawSha, rejectedStore, "unreadable",
                    "its content could not be read (" + describe(e) + ")");
        }
        String text = body.text();
        if (text.length() > MAX_TEXT_CHARS) {
            Attachments.Stored whole = attachments.store(
                    new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)));
            body.attachments.add(new Attachment("message.txt", "text/plain", whole.size(), whole.sha256()));
            text = text.substring(0, MAX_TEXT_CHARS) + "\n\n[The text is longer than " + MAX_TEXT_CHARS
                    + " characters; the whole text is attached as message.txt.]";
        }
        return new InboundMail(head.messageId, head.fromAddress, head.fromName, head.replyTo, head.subject,
                text.isBlank() ? null : text, head.parents, head.autoReason, List.copyOf(body.attachments), null,
                null, null);
    }

    /** A mail over {@code maxMessageBytes}, already stored whole as {@code rawFile}; only its headers are read. */
    static InboundMail tooLarge(Session session, Path rawFile, String rawSha, long size, EmailSettings settings)
            throws IOException {
        String reason = "it is " + size + " bytes, larger than the limit of " + settings.maxMessageBytes()
                + " bytes (email.maxMessageBytes)";
        try (SharedFileInputStream in = new SharedFileInputStream(rawFile.toFile())) {
            Head head = head(new MimeMessage(session, in), rawSha, settings);
            return rejected(head, rawFile, "too-large", reason);
        } catch (MessagingException | RuntimeException e) {
            Head head = new Head(MessageIds.synthetic(rawSha, settings.mailDomain()), null, null, null, null,
                    List.of(), null);
            return rejected(head, rawFile, "too-large", reason + "; its headers could not be read either ("
                    + describe(e) + ")");
        }
    }

    private static InboundMail unreadable(byte[] raw, String rawSha, EmailSettings settings, RejectedMail store,
                                          Exception e) throws IOException {
        Path file = store.store(new ByteArrayInputStream(raw)).path();
        Head head = new Head(MessageIds.synthetic(rawSha, settings.mailDomain()), null, null, null, null, List.of(),
                null);
        return rejected(head, file, "unreadable", "it could not be read as a mail (" + describe(e) + ")");
    }

    private static InboundMail rejectedBody(Head head, byte[] raw, String rawSha, RejectedMail store, String code,
                                            String reason) throws IOException {
        Path file = store.store(new ByteArrayInputStream(raw)).path();
        return rejected(head, file, code, reason);
    }

    private static InboundMail rejected(Head head, Path rawFile, String code, String reason) {
        String from = head.fromAddress == null ? "an unknown sender"
                : head.fromName == null ? head.fromAddress : head.fromName + " <" + head.fromAddress + ">";
        String text = "This email was not taken in: " + reason + ".\nFrom: " + from + "\nSubject: "
                + (head.subject == null ? "(none)" : head.subject)
                + "\nThe whole message is kept on the server as " + rawFile + ".";
        return new InboundMail(head.messageId, head.fromAddress, head.fromName, head.replyTo, head.subject, text,
                head.parents, head.autoReason, List.of(), reason, code, rawFile);
    }

    private static Head head(MimeMessage mail, String rawSha, EmailSettings settings) throws MessagingException {
        String messageId = MessageIds.normalize(mail.getHeader("Message-ID", null));
        if (messageId == null) {
            messageId = MessageIds.synthetic(rawSha, settings.mailDomain());
        }
        InternetAddress from = firstAddress(mail, "From");
        if (from == null) {
            from = firstAddress(mail, "Sender");
        }
        if (from == null) {
            from = firstAddress(mail, "Return-Path");
        }
        InternetAddress replyTo = firstAddress(mail, "Reply-To");
        String fromAddress = from == null ? null : Identity.email(from.getAddress()).value();
        String fromName = from == null ? null : blankToNull(from.getPersonal());
        String subject;
        try {
            subject = mail.getSubject();
        } catch (MessagingException e) {
            subject = mail.getHeader("Subject", null);
        }
        subject = blankToNull(subject == null ? null : subject.strip());
        if (subject != null && subject.length() > MAX_SUBJECT_CHARS) {
            subject = subject.substring(0, MAX_SUBJECT_CHARS);
        }
        List<String> parents = new ArrayList<>(MessageIds.parseList(mail.getHeader("In-Reply-To", " ")));
        List<String> references = MessageIds.parseList(mail.getHeader("References", " "));
        Collections.reverse(references);
        for (String r : references) {
            if (!parents.contains(r)) {
                parents.add(r);
            }
        }
        return new Head(messageId, fromAddress, fromName,
                replyTo == null ? fromAddress : Identity.email(replyTo.getAddress()).value(), subject,
                List.copyOf(parents), AutoSubmitted.reason(mail, fromAddress, settings.address()));
    }

    /** The first address of a header that is a usable email address, read leniently; null when there is none. */
    private static InternetAddress firstAddress(MimeMessage mail, String header) throws MessagingException {
        String value = mail.getHeader(header, ",");
        if (value == null || value.isBlank()) {
            return null;
        }
        InternetAddress[] parsed;
        try {
            parsed = InternetAddress.parseHeader(value, false);
        } catch (MessagingException e) {
            return null;
        }
        for (InternetAddress a : parsed) {
            if (a.getAddress() == null) {
                continue;
            }
            try {
                Identity.email(a.getAddress());
                return a;
            } catch (IllegalArgumentException e) {
                // not an address; try the next
            }
        }
        return null;
    }

    /**
     * How deep the MIME parts nest: 1 for a single part, 2 for a multipart of single parts, and so on; a forwarded
     * mail counts with its own depth. Stops looking once past {@code limit}, so a hostile mail costs little.
     */
    static int depth(Part part, int level, int limit) throws MessagingException, IOException {
        if (level > limit) {
            return level;
        }
        if (part.isMimeType("multipart/*")) {
            Object content = part.getContent();
            int max = level;
            if (content instanceof Multipart mp) {
                for (int i = 0; i < mp.getCount() && max <= limit; i++) {
                    max = Math.max(max, depth(mp.getBodyPart(i), level + 1, limit));
                }
            }
            return max;
        }
        if (part.isMimeType("message/rfc822")) {
            Object content = part.getContent();
            if (content instanceof Part nested) {
                return depth(nested, level + 1, limit);
            }
        }
        return level;
    }

    /** Collects the text of a mail and stores its attachments. */
    private static final class Body {
        private final Attachments store;
        private final List<Attachment> attachments = new ArrayList<>();
        private StringBuilder plain;
        private StringBuilder html;

        Body(Attachments store) {
            this.store = store;
        }

        String text() {
            if (plain != null) {
                return plain.toString().replace("\r\n", "\n").strip();
            }
            if (html != null) {
                return HtmlText.toText(html.toString());
            }
            return "";
        }

        void walk(Part part) throws MessagingException, IOException {
            if (part.isMimeType("multipart/*") && part.getContent() instanceof Multipart mp) {
                if (part.isMimeType("multipart/alternative")) {
                    walkAlternative(mp);
                } else {
                    for (int i = 0; i < mp.getCount(); i++) {
                        walk(mp.getBodyPart(i));
                    }
                }
                return;
            }
            boolean attachment = Part.ATTACHMENT.equalsIgnoreCase(disposition(part)) || fileName(part) != null;
            if (!attachment && part.isMimeType("text/plain")) {
                plain = append(plain, decode(part));
            } else if (!attachment && part.isMimeType("text/html")) {
                html = append(html, decode(part));
            } else {
                store(part);
            }
        }

        /** The plain-text alternative when there is one, else the richest (the last, RFC 2046). */
        private void walkAlternative(Multipart mp) throws MessagingException, IOException {
            BodyPart chosen = null;
            for (int i = 0; i < mp.getCount(); i++) {
                BodyPart p = mp.getBodyPart(i);
                if (p.isMimeType("text/plain")) {
                    chosen = p;
                    break;
                }
            }
            if (chosen == null && mp.getCount() > 0) {
                chosen = mp.getBodyPart(mp.getCount() - 1);
            }
            if (chosen != null) {
                walk(chosen);
            }
        }

        private void store(Part part) throws MessagingException, IOException {
            String name = fileName(part);
            String type = baseType(part);
            if (name == null) {
                if (part.isMimeType("message/rfc822")) {
                    name = "forwarded-message.eml";
                } else {
                    name = "part-" + (attachments.size() + 1);
                }
            }
            Attachments.Stored stored;
            try (InputStream in = part.getInputStream()) {
                stored = store.store(in);
            }
            attachments.add(new Attachment(name, type, stored.size(), stored.sha256()));
        }

        private static StringBuilder append(StringBuilder sb, String text) {
            if (sb == null) {
                return new StringBuilder(text);
            }
            return sb.append("\n\n").append(text);
        }
    }

    private static String disposition(Part part) {
        try {
            return part.getDisposition();
        } catch (MessagingException e) {
            return null;
        }
    }

    /** The file name, RFC 2231 and RFC 2047 encodings decoded; null when the part has none. */
    private static String fileName(Part part) {
        try {
            String name = part.getFileName();
            if (name == null || name.isBlank()) {
                return null;
            }
            if (name.contains("=?")) {
                name = MimeUtility.decodeText(name);
            }
            name = name.replaceAll("[\\p{Cntrl}]", "").strip();
            return name.isEmpty() ? null : name;
        } catch (MessagingException | IOException e) {
            return null;
        }
    }

    private static String baseType(Part part) throws MessagingException {
        try {
            return new ContentType(part.getContentType()).getBaseType().toLowerCase(Locale.ROOT);
        } catch (MessagingException | RuntimeException e) {
            return "application/octet-stream";
        }
    }

    /**
     * A text part's characters, in the charset it declares (MIME names mapped to Java's); without a charset, or with
     * one Java does not know, as UTF-8 when the bytes are valid UTF-8 and as Windows-1252 otherwise.
     */
    static String decode(Part part) throws MessagingException, IOException {
        byte[] bytes;
        try (InputStream in = part.getInputStream()) {
            bytes = in.readAllBytes();
        }
        Charset charset = null;
        try {
            String declared = new ContentType(part.getContentType()).getParameter("charset");
            if (declared != null) {
                String java = MimeUtility.javaCharset(declared.strip());
                if (Charset.isSupported(java)) {
                    charset = Charset.forName(java);
                }
            }
        } catch (MessagingException | RuntimeException e) {
            // no usable charset: guessed below
        }
        if (charset != null) {
            return new String(bytes, charset);
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return new String(bytes, Charset.forName("windows-1252"));
        }
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    static String describe(Throwable e) {
        String m = e.getMessage();
        return e.getClass().getSimpleName() + (m == null || m.isBlank() ? "" : ": " + m);
    }
}
