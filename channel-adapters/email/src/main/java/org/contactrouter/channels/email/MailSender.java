package org.contactrouter.channels.email;

import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeUtility;
import java.io.IOException;
import java.io.UnsupportedEncodingException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;
import org.contactrouter.events.Channel;
import org.contactrouter.events.DeliveryReport;
import org.contactrouter.events.OutboundKind;
import org.contactrouter.events.OutboundMessage;
import org.eclipse.angus.mail.smtp.SMTPAddressFailedException;
import org.eclipse.angus.mail.smtp.SMTPSendFailedException;

/**
 * Mails what the router tells an email customer, in the customer's own thread: To the thread's customer (their
 * Reply-To when they gave one), From {@code displayName <address>}, Subject {@code Re: <the thread's subject>},
 * {@code In-Reply-To} the customer's last mail and {@code References} the thread, so every mail program shows it as
 * an answer. Its Message-ID is derived from {@link OutboundMessage#id()}, so a redelivered outbound message is mailed
 * with the same Message-ID (and shown once), and it is added to the thread before sending, so the customer's answer
 * to it continues the conversation.
 *
 * <ul>
 *   <li>{@code ACKNOWLEDGEMENT}, {@code AFTER_HOURS}: mailed with {@code Auto-Submitted: auto-replied} (RFC 3834),
 *       unless the thread is never-auto-answer (a machine wrote: out-of-office, bounce, list, our own mail).</li>
 *   <li>{@code REPLY}: mailed, signed with the agent's name. {@code HANDOVER}: mailed.</li>
 *   <li>{@code AGENT_JOINED}, {@code CLOSED}: not mailed. A mail customer does not wait on a line, so "Mia is now
 *       looking after you" adds a mail without news, and the agent's reply says so anyway; and "this conversation is
 *       closed" would invite a reply that simply opens the next contact. Both are recorded as {@code skipped}.</li>
 * </ul>
 *
 * <p>Every mail carries the header {@value AutoSubmitted#LOOP_HEADER}{@code : <address>}, by which the
 * {@link Mailbox} knows its own mail if it comes back. Each call records a {@link DeliveryReport}: {@code sent},
 * {@code skipped}, {@code undelivered} (the SMTP server refused the recipient or the mail for good; not retried) or
 * {@code failed} (with the SMTP error).
 */
public final class MailSender {

    private static final Pattern REPLY_PREFIX =
            Pattern.compile("^\\s*(re|aw|sv|antw)\\s*(\\[\\d+]|\\(\\d+\\))?\\s*:\\s*", Pattern.CASE_INSENSITIVE);
    /** References kept: the thread's first mail and the latest ones (RFC 5322 allows trimming the middle). */
    private static final int MAX_REFERENCES = 20;

    private final EmailSettings settings;
    private final DeliveryReport.Recorder reports;
    private final Clock clock;
    private final Session session;
    private final MailThreads threads;

    public MailSender(EmailSettings settings, DeliveryReport.Recorder reports, Clock clock) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.reports = Objects.requireNonNull(reports, "reports");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.session = MailSessions.smtp(settings);
        this.threads = new MailThreads(settings.dataDir());
    }

    /**
     * Mails the message, or records why not. Safe to call again with the same message: the mail then has the same
     * Message-ID.
     *
     * @throws SendException when the mail could not be sent now (SMTP server unreachable, timed out, refused the
     *                       login, or the thread store could not be read or written); call again later
     */
    public void send(OutboundMessage message) throws SendException {
        Objects.requireNonNull(message, "message");
        if (message.channel() != Channel.EMAIL) {
            report(message, null, "failed", "the email adapter only sends email, not " + message.channel().wireName());
            return;
        }
        if (message.kind() == OutboundKind.AGENT_JOINED || message.kind() == OutboundKind.CLOSED) {
            report(message, null, "skipped", message.kind() + " is not mailed");
            return;
        }
        if (message.text() == null || message.text().isBlank()) {
            report(message, null, "failed", message.kind() + " without text: nothing to mail");
            return;
        }
        MailThread thread;
        try {
            thread = threads.find(message.conversation()).orElse(null);
        } catch (IOException e) {
            throw new SendException("mail thread " + message.conversation() + " could not be read under "
                    + settings.dataDir() + ": " + InboundMail.describe(e), e);
        }
        if (thread == null) {
            report(message, null, "failed", "no mail thread '" + message.conversation() + "' under "
                    + settings.dataDir() + "/mail/threads: the customer's address is not known");
            return;
        }
        boolean automatic = message.kind() == OutboundKind.ACKNOWLEDGEMENT || message.kind() == OutboundKind.AFTER_HOURS;
        if (automatic && thread.neverAutoAnswer()) {
            report(message, null, "skipped", message.kind() + " not mailed: a machine wrote in this thread"
                    + " (auto-reply, bounce, list or our own mail), so it is never answered automatically");
            return;
        }
        String messageId = MessageIds.outbound(message.id(), settings.mailDomain());
        try {
            thread = threads.addSentMail(thread, messageId);
        } catch (IOException e) {
            throw new SendException("mail thread " + message.conversation() + " could not be written under "
                    + settings.dataDir() + ": " + InboundMail.describe(e), e);
        }
        try {
            MimeMessage mail = compose(message, thread, messageId, automatic);
            try (Transport transport = session.getTransport(MailSessions.smtpProtocol(settings))) {
                transport.connect(settings.smtpHost(), settings.smtpPort(), settings.smtpUser(),
                        settings.smtpPassword());
                transport.sendMessage(mail, mail.getAllRecipients());
            }
        } catch (MessagingException e) {
            String detail = "SMTP " + settings.smtpHost() + ':' + settings.smtpPort() + ": " + smtpError(e);
            if (isPermanent(e)) {
                report(message, messageId, "undelivered", detail);
                return;
            }
            report(message, messageId, "failed", detail);
            throw new SendException(detail, e);
        }
        report(message, messageId, "sent", null);
    }

    private MimeMessage compose(OutboundMessage message, MailThread thread, String messageId, boolean automatic)
            throws MessagingException {
        MimeMessage mail = new MimeMessage(session) {
            @Override
            protected void updateMessageID() throws MessagingException {
                setHeader("Message-ID", '<' + messageId + '>');
            }
        };
        try {
            mail.setFrom(new InternetAddress(settings.address(), settings.displayName(), "UTF-8"));
            String name = thread.replyTo().equals(thread.customerAddress()) ? thread.customerName() : null;
            mail.setRecipient(Message.RecipientType.TO, new InternetAddress(thread.replyTo(), name, "UTF-8"));
        } catch (UnsupportedEncodingException e) {
            throw new IllegalStateException("UTF-8 is missing from this Java runtime", e);
        }
        mail.setSubject(replySubject(thread.subject()), "UTF-8");
        mail.setSentDate(Date.from(clock.instant()));
        if (thread.lastCustomerMessageId() != null) {
            mail.setHeader("In-Reply-To", '<' + thread.lastCustomerMessageId() + '>');
        }
        List<String> references = new ArrayList<>(thread.messageIds());
        references.remove(messageId);
        if (references.size() > MAX_REFERENCES) {
            List<String> trimmed = new ArrayList<>();
            trimmed.add(references.get(0));
            trimmed.addAll(references.subList(references.size() - (MAX_REFERENCES - 1), references.size()));
            references = trimmed;
        }
        if (!references.isEmpty()) {
            StringBuilder refs = new StringBuilder();
            for (String r : references) {
                refs.append(refs.length() == 0 ? "" : " ").append('<').append(r).append('>');
            }
            mail.setHeader("References", MimeUtility.fold("References: ".length(), refs.toString()));
        }
        mail.setHeader(AutoSubmitted.LOOP_HEADER, settings.address());
        if (automatic) {
            mail.setHeader("Auto-Submitted", "auto-replied");
            mail.setHeader("X-Auto-Response-Suppress", "All");
        }
        mail.setText(body(message), "UTF-8");
        mail.saveChanges();
        return mail;
    }

    private String body(OutboundMessage message) {
        String text = message.text().strip();
        if (message.kind() == OutboundKind.REPLY) {
            String name = message.agentName() == null || message.agentName().isBlank() ? null : message.agentName().strip();
            return text + "\n\n-- \n" + (name == null ? "" : name + '\n') + settings.displayName() + '\n';
        }
        return text + '\n';
    }

    /** {@code Re: } and the subject without any reply prefixes of its own, so there is never a "Re: Re:". */
    static String replySubject(String subject) {
        String s = subject == null ? "" : subject.strip();
        String before;
        do {
            before = s;
            s = REPLY_PREFIX.matcher(s).replaceFirst("");
        } while (!s.equals(before));
        return "Re: " + (s.isEmpty() ? "your message" : s);
    }

    /** The SMTP server refused the recipient or the mail with a 5xx code: sending again gives the same answer. */
    private static boolean isPermanent(MessagingException e) {
        for (Exception t = e; t != null; t = t instanceof MessagingException m ? m.getNextException() : null) {
            if (t instanceof SMTPAddressFailedException a && a.getReturnCode() >= 500
                    || t instanceof SMTPSendFailedException f && f.getReturnCode() >= 500) {
                return true;
            }
        }
        return false;
    }

    private static String smtpError(MessagingException e) {
        StringBuilder sb = new StringBuilder(InboundMail.describe(e).strip());
        Exception next = e.getNextException();
        while (next != null && sb.length() < 500) {
            sb.append(" <- ").append(InboundMail.describe(next).strip());
            next = next instanceof MessagingException m ? m.getNextException() : null;
        }
        return sb.toString().replace("\r", "").replace("\n", " ");
    }

    private void report(OutboundMessage message, String messageId, String status, String detail) {
        reports.record(new DeliveryReport(Channel.EMAIL, message.conversation(), message.id(), messageId, status,
                detail, clock.instant()));
    }

    /** The mail could not be sent now; sending it again later may work. */
    public static final class SendException extends Exception {
        public SendException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
