package org.contactrouter.channels.email;

import com.icegreen.greenmail.configuration.GreenMailConfiguration;
import com.icegreen.greenmail.store.FolderException;
import com.icegreen.greenmail.store.StoredMessage;
import com.icegreen.greenmail.user.GreenMailUser;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import jakarta.mail.Flags;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;

/**
 * A real mail server on loopback for the tests (GreenMail: SMTP and IMAP with IDLE), with the support mailbox and one
 * customer. Ports are chosen free once and kept, so the server can be stopped and started again on the same ports.
 */
final class MailTestServer implements AutoCloseable {

    static final String SUPPORT = "support@acme.test";
    static final String CUSTOMER = "ann.lee@example.test";

    final int smtpPort = freePort();
    final int imapPort = freePort();
    private GreenMail greenMail;

    MailTestServer start() {
        ServerSetup smtp = new ServerSetup(smtpPort, "127.0.0.1", ServerSetup.PROTOCOL_SMTP);
        ServerSetup imap = new ServerSetup(imapPort, "127.0.0.1", ServerSetup.PROTOCOL_IMAP);
        greenMail = new GreenMail(new ServerSetup[] {smtp, imap});
        greenMail.withConfiguration(GreenMailConfiguration.aConfig()
                .withUser(SUPPORT, "support", "secret")
                .withUser(CUSTOMER, "ann", "secret"));
        greenMail.start();
        return this;
    }

    void stop() {
        greenMail.stop();
    }

    @Override
    public void close() {
        greenMail.stop();
    }

    /** Settings for the support mailbox on this server: plain IMAP/SMTP on loopback, short timeouts. */
    EmailSettings settings(Path dataDir) {
        return EmailSettings.defaults(SUPPORT, "127.0.0.1", "support", "secret", dataDir).toBuilder()
                .displayName("Acme Support")
                .imap("127.0.0.1", imapPort, false)
                .smtp("127.0.0.1", smtpPort, false, false)
                .smtpLogin(null, null)
                .timeouts(Duration.ofSeconds(2), Duration.ofSeconds(5))
                .pollInterval(Duration.ofSeconds(1))
                .build();
    }

    /** Puts a mail straight into the support mailbox, headers as they are (no Return-Path added). */
    void deliver(MimeMessage mail) {
        user(SUPPORT).deliver(mail);
    }

    /** Puts a mail given as its raw RFC 5322 text (CRLF or LF) into the support mailbox. */
    void deliverRaw(String raw) {
        deliverRaw(raw.getBytes(StandardCharsets.ISO_8859_1));
    }

    void deliverRaw(byte[] raw) {
        try {
            deliver(new MimeMessage(session(), new ByteArrayInputStream(raw)));
        } catch (MessagingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Sends a mail through the server's SMTP, as a customer's mail server would. */
    void sendSmtp(MimeMessage mail) throws MessagingException {
        Transport.send(mail);
    }

    Session session() {
        Properties p = new Properties();
        p.setProperty("mail.smtp.host", "127.0.0.1");
        p.setProperty("mail.smtp.port", Integer.toString(smtpPort));
        return Session.getInstance(p);
    }

    /** The mails in someone's inbox, oldest first. */
    List<StoredMessage> inbox(String email) {
        try {
            return greenMail.getManagers().getImapHostManager().getInbox(user(email)).getMessages();
        } catch (FolderException e) {
            throw new IllegalStateException(e);
        }
    }

    List<MimeMessage> mailsTo(String email) {
        return inbox(email).stream().map(StoredMessage::getMimeMessage).toList();
    }

    long unseenSupportMails() {
        return inbox(SUPPORT).stream().filter(m -> !m.isSet(Flags.Flag.SEEN)).count();
    }

    private GreenMailUser user(String email) {
        GreenMailUser user = greenMail.getUserManager().getUserByEmail(email);
        if (user == null) {
            throw new IllegalStateException("no user " + email);
        }
        return user;
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
