package org.contactrouter.channels.email;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import org.contactrouter.events.Identity;

/**
 * One support mailbox: where customers write to ({@link #address}), how to read it (IMAP) and how to answer from it
 * (SMTP), and the limits that protect the router from what arrives. Every check names the setting, the value and what
 * is expected, so a wrong setting is found at start-up and not at the first mail. {@link #toString()} never shows
 * the passwords.
 *
 * <p>{@link #defaults} gives the usual settings of a hosted mailbox (IMAP over TLS on 993, SMTP submission with
 * STARTTLS on 587, the same login for both); {@link #toBuilder()} changes single settings.
 *
 * @param address         the mailbox address customers write to; the contact's {@code endpoint} and the From of
 *                        every answer
 * @param displayName     the name customers see on answers ("Acme Support"); the address when null
 * @param imapHost        IMAP server
 * @param imapPort        IMAP port: 993 with {@code imapTls}, else 143
 * @param imapTls         IMAP over TLS from the first byte (imaps)
 * @param imapUser        IMAP login, often the address itself
 * @param imapPassword    IMAP password or app password
 * @param folder          the folder read, {@code INBOX} by default; every mail in it not yet \Seen becomes a contact
 * @param smtpHost        SMTP submission server
 * @param smtpPort        SMTP port: 465 with {@code smtpTls}, 587 with {@code smtpStartTls}
 * @param smtpTls         SMTP over TLS from the first byte (smtps, "implicit TLS")
 * @param smtpStartTls    SMTP upgraded with STARTTLS, which is then required
 * @param smtpUser        SMTP login; null for a relay that needs none
 * @param smtpPassword    SMTP password or app password
 * @param pollInterval    how often the folder is checked besides IMAP IDLE, and how often a mail that could not be
 *                        published is tried again; default 60 s
 * @param connectTimeout  how long to wait for a connection; default 10 s
 * @param ioTimeout       how long to wait for the server's answer to a command; default 60 s
 * @param maxMessageBytes a larger mail is not taken in; a notice is published instead; default 25 MiB
 * @param maxMimeDepth    a mail with deeper MIME nesting is not taken in; default 20 levels
 * @param domain          the routing domain of the mailbox's contacts; {@code default} when null
 * @param dataDir         where threads ({@code mail/threads}), attachments ({@code attachments}) and refused mails
 *                        ({@code mail/rejected}) are kept
 */
public record EmailSettings(String address, String displayName, String imapHost, int imapPort, boolean imapTls,
                            String imapUser, String imapPassword, String folder, String smtpHost, int smtpPort,
                            boolean smtpTls, boolean smtpStartTls, String smtpUser, String smtpPassword,
                            Duration pollInterval, Duration connectTimeout, Duration ioTimeout, long maxMessageBytes,
                            int maxMimeDepth, String domain, Path dataDir) {

    public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofSeconds(60);
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration DEFAULT_IO_TIMEOUT = Duration.ofSeconds(60);
    public static final long DEFAULT_MAX_MESSAGE_BYTES = 25L * 1024 * 1024;
    public static final int DEFAULT_MAX_MIME_DEPTH = 20;

    public EmailSettings {
        requireText(address, "address");
        try {
            address = Identity.email(address).value();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("email.address: '" + address
                    + "' (expected the mailbox address customers write to, such as support@example.com)", e);
        }
        displayName = displayName == null || displayName.isBlank() ? address : displayName.strip();
        requireText(imapHost, "imapHost");
        requirePort(imapPort, "imapPort");
        requireText(imapUser, "imapUser");
        requireText(imapPassword, "imapPassword");
        folder = folder == null || folder.isBlank() ? "INBOX" : folder;
        requireText(smtpHost, "smtpHost");
        requirePort(smtpPort, "smtpPort");
        if (smtpTls && smtpStartTls) {
            throw new IllegalArgumentException("email.smtpTls and email.smtpStartTls: both true (expected one of them:"
                    + " smtpTls for implicit TLS, usually port 465, or smtpStartTls, usually port 587)");
        }
        if (smtpUser != null && smtpUser.isBlank()) {
            smtpUser = null;
        }
        if (smtpUser != null) {
            requireText(smtpPassword, "smtpPassword");
        }
        requirePositive(pollInterval, "pollInterval");
        requirePositive(connectTimeout, "connectTimeout");
        requirePositive(ioTimeout, "ioTimeout");
        if (maxMessageBytes < 1024) {
            throw new IllegalArgumentException("email.maxMessageBytes: " + maxMessageBytes
                    + " (expected at least 1024 bytes; the default is " + DEFAULT_MAX_MESSAGE_BYTES + ")");
        }
        if (maxMimeDepth < 1 || maxMimeDepth > 100) {
            throw new IllegalArgumentException("email.maxMimeDepth: " + maxMimeDepth
                    + " (expected 1 to 100 levels; the default is " + DEFAULT_MAX_MIME_DEPTH + ")");
        }
        if (domain != null && domain.isBlank()) {
            throw new IllegalArgumentException("email.domain: '" + domain + "' (expected a routing domain, or none for 'default')");
        }
        Objects.requireNonNull(dataDir, "email.dataDir");
    }

    /**
     * The usual settings of a hosted mailbox: IMAP over TLS on port 993 and SMTP submission with STARTTLS on port 587
     * on the same host, one login and password for both, folder INBOX, and the default poll interval, timeouts and
     * limits.
     */
    public static EmailSettings defaults(String address, String host, String user, String password, Path dataDir) {
        return new EmailSettings(address, null, host, 993, true, user, password, "INBOX", host, 587, false, true,
                user, password, DEFAULT_POLL_INTERVAL, DEFAULT_CONNECT_TIMEOUT, DEFAULT_IO_TIMEOUT,
                DEFAULT_MAX_MESSAGE_BYTES, DEFAULT_MAX_MIME_DEPTH, null, dataDir);
    }

    /** A builder holding these settings, to change some of them. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** The part after the {@code @}, used in the Message-IDs of answers. */
    String mailDomain() {
        return address.substring(address.lastIndexOf('@') + 1);
    }

    /** The passwords are shown as {@code ***}. */
    @Override
    public String toString() {
        return "EmailSettings[address=" + address + ", displayName=" + displayName + ", imap=" + imapHost + ':'
                + imapPort + (imapTls ? " (TLS)" : "") + ", imapUser=" + imapUser + ", imapPassword=***, folder="
                + folder + ", smtp=" + smtpHost + ':' + smtpPort + (smtpTls ? " (TLS)" : smtpStartTls ? " (STARTTLS)" : "")
                + ", smtpUser=" + smtpUser + ", smtpPassword=" + (smtpPassword == null ? "none" : "***")
                + ", pollInterval=" + pollInterval + ", connectTimeout=" + connectTimeout + ", ioTimeout=" + ioTimeout
                + ", maxMessageBytes=" + maxMessageBytes + ", maxMimeDepth=" + maxMimeDepth + ", domain=" + domain
                + ", dataDir=" + dataDir + ']';
    }

    private static void requireText(String value, String field) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("email." + field + ": " + (value == null ? "missing" : "'" + value + "'")
                    + " (expected a value)");
        }
    }

    private static void requirePort(int port, String field) {
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("email." + field + ": " + port + " (expected a port from 1 to 65535)");
        }
    }

    private static void requirePositive(Duration d, String field) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException("email." + field + ": " + d + " (expected a positive duration)");
        }
    }

    /** Changes single settings; {@link #build()} checks them all again. */
    public static final class Builder {
        private String address;
        private String displayName;
        private String imapHost;
        private int imapPort;
        private boolean imapTls;
        private String imapUser;
        private String imapPassword;
        private String folder;
        private String smtpHost;
        private int smtpPort;
        private boolean smtpTls;
        private boolean smtpStartTls;
        private String smtpUser;
        private String smtpPassword;
        private Duration pollInterval;
        private Duration connectTimeout;
        private Duration ioTimeout;
        private long maxMessageBytes;
        private int maxMimeDepth;
        private String domain;
        private Path dataDir;

        private Builder(EmailSettings s) {
            address = s.address;
            displayName = s.displayName;
            imapHost = s.imapHost;
            imapPort = s.imapPort;
            imapTls = s.imapTls;
            imapUser = s.imapUser;
            imapPassword = s.imapPassword;
            folder = s.folder;
            smtpHost = s.smtpHost;
            smtpPort = s.smtpPort;
            smtpTls = s.smtpTls;
            smtpStartTls = s.smtpStartTls;
            smtpUser = s.smtpUser;
            smtpPassword = s.smtpPassword;
            pollInterval = s.pollInterval;
            connectTimeout = s.connectTimeout;
            ioTimeout = s.ioTimeout;
            maxMessageBytes = s.maxMessageBytes;
            maxMimeDepth = s.maxMimeDepth;
            domain = s.domain;
            dataDir = s.dataDir;
        }

        public Builder displayName(String displayName) {
            this.displayName = displayName;
            return this;
        }

        /** IMAP server, port and whether TLS is used from the first byte. */
        public Builder imap(String host, int port, boolean tls) {
            this.imapHost = host;
            this.imapPort = port;
            this.imapTls = tls;
            return this;
        }

        public Builder imapLogin(String user, String password) {
            this.imapUser = user;
            this.imapPassword = password;
            return this;
        }

        public Builder folder(String folder) {
            this.folder = folder;
            return this;
        }

        /** SMTP server, port, implicit TLS, STARTTLS (at most one of the two). */
        public Builder smtp(String host, int port, boolean tls, boolean startTls) {
            this.smtpHost = host;
            this.smtpPort = port;
            this.smtpTls = tls;
            this.smtpStartTls = startTls;
            return this;
        }

        /** SMTP login; a null user for a relay that needs no login. */
        public Builder smtpLogin(String user, String password) {
            this.smtpUser = user;
            this.smtpPassword = password;
            return this;
        }

        public Builder pollInterval(Duration pollInterval) {
            this.pollInterval = pollInterval;
            return this;
        }

        public Builder timeouts(Duration connectTimeout, Duration ioTimeout) {
            this.connectTimeout = connectTimeout;
            this.ioTimeout = ioTimeout;
            return this;
        }

        public Builder limits(long maxMessageBytes, int maxMimeDepth) {
            this.maxMessageBytes = maxMessageBytes;
            this.maxMimeDepth = maxMimeDepth;
            return this;
        }

        public Builder domain(String domain) {
            this.domain = domain;
            return this;
        }

        public Builder dataDir(Path dataDir) {
            this.dataDir = dataDir;
            return this;
        }

        public EmailSettings build() {
            return new EmailSettings(address, displayName, imapHost, imapPort, imapTls, imapUser, imapPassword, folder,
                    smtpHost, smtpPort, smtpTls, smtpStartTls, smtpUser, smtpPassword, pollInterval, connectTimeout,
                    ioTimeout, maxMessageBytes, maxMimeDepth, domain, dataDir);
        }
    }
}
