package org.contactrouter.channels.email;

import jakarta.mail.Session;
import java.util.Properties;

/**
 * The Jakarta Mail sessions of a mailbox, with every timeout set: Jakarta Mail waits forever for a connection, an
 * answer or a write unless told otherwise, and one silent server would then stop the mailbox for good.
 */
final class MailSessions {

    private MailSessions() {
    }

    static String imapProtocol(EmailSettings s) {
        return s.imapTls() ? "imaps" : "imap";
    }

    static String smtpProtocol(EmailSettings s) {
        return s.smtpTls() ? "smtps" : "smtp";
    }

    /** For reading the folder: message bodies are fetched with BODY.PEEK, so only we set \Seen, after publishing. */
    static Session imap(EmailSettings s) {
        Properties p = common();
        String k = "mail." + imapProtocol(s) + '.';
        p.setProperty(k + "host", s.imapHost());
        p.setProperty(k + "port", Integer.toString(s.imapPort()));
        p.setProperty(k + "connectiontimeout", Long.toString(s.connectTimeout().toMillis()));
        p.setProperty(k + "timeout", Long.toString(s.ioTimeout().toMillis()));
        p.setProperty(k + "writetimeout", Long.toString(s.ioTimeout().toMillis()));
        p.setProperty(k + "peek", "true");
        p.setProperty(k + "ssl.checkserveridentity", "true");
        if (!s.imapTls()) {
            p.setProperty(k + "starttls.enable", "true");
        }
        return Session.getInstance(p);
    }

    /** For sending answers. */
    static Session smtp(EmailSettings s) {
        Properties p = common();
        String k = "mail." + smtpProtocol(s) + '.';
        p.setProperty(k + "host", s.smtpHost());
        p.setProperty(k + "port", Integer.toString(s.smtpPort()));
        p.setProperty(k + "connectiontimeout", Long.toString(s.connectTimeout().toMillis()));
        p.setProperty(k + "timeout", Long.toString(s.ioTimeout().toMillis()));
        p.setProperty(k + "writetimeout", Long.toString(s.ioTimeout().toMillis()));
        p.setProperty(k + "from", s.address());
        p.setProperty(k + "auth", Boolean.toString(s.smtpUser() != null));
        p.setProperty(k + "ssl.checkserveridentity", "true");
        if (s.smtpStartTls()) {
            p.setProperty(k + "starttls.enable", "true");
            p.setProperty(k + "starttls.required", "true");
        }
        p.setProperty(k + "localhost", s.mailDomain());
        return Session.getInstance(p);
    }

    /** For reading mails already fetched, from bytes: headers in raw UTF-8 (RFC 6532) are accepted. */
    static Session parsing() {
        return Session.getInstance(common());
    }

    private static Properties common() {
        Properties p = new Properties();
        p.setProperty("mail.mime.allowutf8", "true");
        p.setProperty("mail.mime.address.strict", "false");
        return p;
    }
}
