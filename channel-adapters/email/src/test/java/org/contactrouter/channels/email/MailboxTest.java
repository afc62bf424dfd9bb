package org.contactrouter.channels.email;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.activation.DataHandler;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import jakarta.mail.util.ByteArrayDataSource;
import java.io.IOException;
import java.io.UnsupportedEncodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.contactrouter.events.Channel;
import org.contactrouter.events.ContactEvent;
import org.contactrouter.events.ContactPublisher;
import org.contactrouter.events.CustomerMessage;
import org.contactrouter.events.Identity;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The mailbox reader against a real IMAP server on loopback (GreenMail, with IDLE). */
class MailboxTest {

    private static final Duration WAIT = Duration.ofSeconds(15);

    @TempDir
    Path dataDir;

    private final MailTestServer server = new MailTestServer().start();
    private final List<Mailbox> mailboxes = new ArrayList<>();
    private final List<Thread> readers = new ArrayList<>();

    @AfterEach
    void stop() throws InterruptedException {
        for (Mailbox m : mailboxes) {
            m.close();
        }
        for (Thread t : readers) {
            t.join(5000);
        }
        server.close();
    }

    private Mailbox start(EmailSettings settings, ContactPublisher publisher) {
        Mailbox mailbox = new Mailbox(settings, publisher, Clock.systemUTC());
        Thread reader = new Thread(mailbox, "mailbox-test-reader");
        reader.setDaemon(true);
        mailboxes.add(mailbox);
        readers.add(reader);
        reader.start();
        return mailbox;
    }

    private MimeMessage customerMail(String messageId, String subject, String text) throws MessagingException {
        MimeMessage mail = new FixedIdMessage(server, messageId);
        try {
            mail.setFrom(new InternetAddress(MailTestServer.CUSTOMER, "Ann Lee", "UTF-8"));
        } catch (UnsupportedEncodingException e) {
            throw new IllegalStateException(e);
        }
        mail.setRecipient(Message.RecipientType.TO, new InternetAddress(MailTestServer.SUPPORT));
        mail.setSubject(subject, "UTF-8");
        mail.setText(text, "UTF-8");
        mail.saveChanges();
        return mail;
    }

    @Test
    void aMailBecomesACustomerMessageAndIsMarkedSeenOnlyAfterPublishing() throws Exception {
        RecordingPublisher publisher = new RecordingPublisher();
        Mailbox mailbox = start(server.settings(dataDir), publisher);

        server.sendSmtp(customerMail("<m1.4711@example.test>", "Invoice 2024-0815 charged twice",
                "Hello,\nmy card was charged twice.\nAnn"));

        await().atMost(WAIT).until(() -> publisher.published.size() == 1);
        ContactEvent event = publisher.published.get(0);
        assertThat(event.id()).isEqualTo("mail:m1.4711@example.test");
        assertThat(event.source()).isEqualTo("/email/support@acme.test");
        assertThat(event.subject()).isEqualTo("email:m1.4711@example.test");
        assertThat(event.domain()).isEqualTo("default");
        assertThat(event.type()).isEqualTo("org.contactrouter.customer.message");
        CustomerMessage data = (CustomerMessage) event.data();
        assertThat(data.channel()).isEqualTo(Channel.EMAIL);
        assertThat(data.conversation()).isEqualTo("m1.4711@example.test");
        assertThat(data.customer().name()).isEqualTo("Ann Lee");
        assertThat(data.customer().identities()).containsExactly(Identity.email("ann.lee@example.test"));
        assertThat(data.endpoint()).isEqualTo("support@acme.test");
        assertThat(data.subject()).isEqualTo("Invoice 2024-0815 charged twice");
        assertThat(data.text()).isEqualTo("Hello,\nmy card was charged twice.\nAnn");
        assertThat(data.attributes()).doesNotContainKeys("autoSubmitted", "attachments", "rejected");
        await().atMost(WAIT).until(() -> server.unseenSupportMails() == 0);
        assertThat(mailbox.state().received()).isEqualTo(1);
        assertThat(mailbox.state().published()).isEqualTo(1);
        assertThat(mailbox.state().rejected()).isZero();
    }

    @Test
    void newMailIsNoticedThroughIdleWithoutWaitingForThePollInterval() throws Exception {
        RecordingPublisher publisher = new RecordingPublisher();
        Mailbox mailbox = start(server.settings(dataDir).toBuilder().pollInterval(Duration.ofMinutes(10)).build(),
                publisher);
        await().atMost(WAIT).until(() -> mailbox.state().status() == MailboxState.Status.IDLE);
        assertThat(mailbox.state().ready()).isTrue();

        server.deliver(customerMail("<idle-1@example.test>", "Hello", "Are you there?"));

        await().atMost(Duration.ofSeconds(5)).until(() -> publisher.published.size() == 1);
        assertThat(publisher.published.get(0).id()).isEqualTo("mail:idle-1@example.test");
        await().atMost(WAIT).until(() -> mailbox.state().status() == MailboxState.Status.IDLE);
    }

    @Test
    void withoutIdleTheReaderPollsEveryPollInterval() throws Exception {
        RecordingPublisher publisher = new RecordingPublisher();
        Mailbox mailbox = new Mailbox(server.settings(dataDir), publisher, Clock.systemUTC(), false);
        Thread reader = new Thread(mailbox, "mailbox-test-poller");
        reader.setDaemon(true);
        mailboxes.add(mailbox);
        readers.add(reader);
        reader.start();
        await().atMost(WAIT).until(() -> mailbox.state().status() == MailboxState.Status.POLLING);
        assertThat(mailbox.state().ready()).isTrue();

        server.deliver(customerMail("<poll-1@example.test>", "Polled", "Found by polling."));

        await().atMost(WAIT).until(() -> publisher.published.size() == 1);
        assertThat(publisher.message(0).text()).isEqualTo("Found by polling.");
        assertThat(mailbox.state().status()).isEqualTo(MailboxState.Status.POLLING);
    }

    @Test
    void anHtmlOnlyMailIsReadAsPlainText() {
        RecordingPublisher publisher = new RecordingPublisher();
        start(server.settings(dataDir), publisher);

        server.deliverRaw("""
                From: Ann Lee <ann.lee@example.test>\r
                To: support@acme.test\r
                Subject: Broken router\r
                Message-ID: <html-1@example.test>\r
                MIME-Version: 1.0\r
                Content-Type: text/html; charset=UTF-8\r
                \r
                <html><head><style>p {color: red}</style><title>ignored</title></head><body>\r
                <p>Hello&nbsp;Acme,</p><p>my router &amp; modem are <b>offline</b>.<br>Since 9:00.</p>\r
                <script>alert('x')</script><ul><li>Model X1</li><li>Serial 42</li></ul></body></html>\r
                """);

        await().atMost(WAIT).until(() -> publisher.published.size() == 1);
        assertThat(publisher.message(0).text()).isEqualTo(
                "Hello Acme,\n\nmy router & modem are offline.\nSince 9:00.\n\n- Model X1\n- Serial 42");
    }

    @Test
    void aLatin1BodyAndEncodedHeadersAreDecoded() {
        RecordingPublisher publisher = new RecordingPublisher();
        start(server.settings(dataDir), publisher);

        byte[] raw = ("From: =?UTF-8?B?SsO8cmdlbiBNw7xsbGVy?= <juergen@example.test>\r\n"
                + "To: support@acme.test\r\n"
                + "Subject: =?ISO-8859-1?Q?R=FCckerstattung_f=FCr_Bestellung?= 17\r\n"
                + "Message-ID: <latin1-1@example.test>\r\n"
                + "MIME-Version: 1.0\r\n"
                + "Content-Type: text/plain; charset=ISO-8859-1\r\n"
                + "Content-Transfer-Encoding: 8bit\r\n"
                + "\r\n"
                + "Grüße aus Köln, Straße 5, ¼ Stunde.\r\n").getBytes(StandardCharsets.ISO_8859_1);
        server.deliverRaw(raw);

        await().atMost(WAIT).until(() -> publisher.published.size() == 1);
        CustomerMessage data = publisher.message(0);
        assertThat(data.subject()).isEqualTo("Rückerstattung für Bestellung 17");
        assertThat(data.customer().name()).isEqualTo("Jürgen Müller");
        assertThat(data.customer().primary()).isEqualTo(Identity.email("juergen@example.test"));
        assertThat(data.text()).isEqualTo("Grüße aus Köln, Straße 5, ¼ Stunde.");
    }

    @Test
    void attachmentsAreStoredOnDiskByHashAndOnlyReferencedInTheEvent() throws Exception {
        RecordingPublisher publisher = new RecordingPublisher();
        start(server.settings(dataDir), publisher);
        byte[] pdf = new byte[40_000];
        new Random(7).nextBytes(pdf);
        byte[] photo = new byte[3_000];
        new Random(8).nextBytes(photo);

        server.deliver(withAttachments("<att-1@example.test>", new Attachment("rechnung-ä.pdf", "application/pdf", pdf),
                new Attachment("photo.jpg", "image/jpeg", photo)));
        server.deliver(withAttachments("<att-2@example.test>", new Attachment("again.pdf", "application/pdf", pdf)));

        await().atMost(WAIT).until(() -> publisher.published.size() == 2);
        JsonNode first = new ObjectMapper().readTree(publisher.message(0).attributes().get("attachments"));
        assertThat(first).hasSize(2);
        assertThat(first.get(0).get("name").asText()).isEqualTo("rechnung-ä.pdf");
        assertThat(first.get(0).get("type").asText()).isEqualTo("application/pdf");
        assertThat(first.get(0).get("size").asLong()).isEqualTo(pdf.length);
        assertThat(first.get(0).get("sha256").asText()).isEqualTo(MessageIds.sha256(pdf));
        assertThat(first.get(1).get("sha256").asText()).isEqualTo(MessageIds.sha256(photo));
        assertThat(publisher.message(0).text()).isEqualTo("See the attached files.");

        Path attachments = dataDir.resolve("attachments");
        assertThat(Files.readAllBytes(attachments.resolve(MessageIds.sha256(pdf)))).isEqualTo(pdf);
        assertThat(Files.readAllBytes(attachments.resolve(MessageIds.sha256(photo)))).isEqualTo(photo);
        try (Stream<Path> files = Files.list(attachments)) {
            assertThat(files.toList()).hasSize(2); // the PDF sent twice is stored once
        }
        JsonNode second = new ObjectMapper().readTree(publisher.message(1).attributes().get("attachments"));
        assertThat(second.get(0).get("sha256").asText()).isEqualTo(MessageIds.sha256(pdf));
        String firstBytesBase64 = Base64.getEncoder().encodeToString(Arrays.copyOf(pdf, 30));
        for (String json : publisher.json) {
            assertThat(json).doesNotContain(firstBytesBase64.substring(0, 24));
            assertThat(json.length()).isLessThan(2_000);
        }
    }

    @Test
    void aMailOverTheSizeLimitIsPublishedAsANoticeAndKeptWholeAndTheNextMailStillComesIn() throws Exception {
        RecordingPublisher publisher = new RecordingPublisher();
        Mailbox mailbox = start(server.settings(dataDir).toBuilder().limits(8192, 20).build(), publisher);

        server.deliver(customerMail("<big-1@example.test>", "Scans of all my invoices", "x".repeat(20_000)));
        server.deliver(customerMail("<small-1@example.test>", "Short one", "Just a line."));

        await().atMost(WAIT).until(() -> publisher.published.size() == 2);
        CustomerMessage notice = publisher.message(0);
        assertThat(publisher.published.get(0).id()).isEqualTo("mail:big-1@example.test");
        assertThat(notice.text())
                .startsWith("This email was not taken in: it is ")
                .contains("larger than the limit of 8192 bytes (email.maxMessageBytes)")
                .contains("From: Ann Lee <ann.lee@example.test>")
                .contains("Subject: Scans of all my invoices");
        assertThat(notice.subject()).isEqualTo("Scans of all my invoices");
        assertThat(notice.customer().primary()).isEqualTo(Identity.email(MailTestServer.CUSTOMER));
        assertThat(notice.attributes()).containsEntry("rejected", "too-large");
        Path raw = Path.of(notice.attributes().get("rawMessage"));
        assertThat(raw).startsWith(dataDir.toAbsolutePath().resolve("mail/rejected"));
        assertThat(Files.size(raw)).isGreaterThan(20_000);
        assertThat(Files.readString(raw, StandardCharsets.ISO_8859_1)).contains("Subject: Scans of all my invoices");
        assertThat(publisher.message(1).text()).isEqualTo("Just a line.");
        await().atMost(WAIT).until(() -> server.unseenSupportMails() == 0);
        assertThat(mailbox.state().rejected()).isEqualTo(1);
        assertThat(mailbox.state().published()).isEqualTo(2);
    }

    @Test
    void aMailNestedTooDeepIsPublishedAsANoticeAndTheNextMailStillComesIn() throws Exception {
        RecordingPublisher publisher = new RecordingPublisher();
        start(server.settings(dataDir).toBuilder().limits(EmailSettings.DEFAULT_MAX_MESSAGE_BYTES, 5).build(),
                publisher);

        MimeMessage deep = new FixedIdMessage(server, "<deep-1@example.test>");
        deep.setFrom(new InternetAddress(MailTestServer.CUSTOMER));
        deep.setSubject("Nested");
        MimeMultipart inner = new MimeMultipart();
        MimeBodyPart leaf = new MimeBodyPart();
        leaf.setText("deep inside");
        inner.addBodyPart(leaf);
        for (int i = 0; i < 8; i++) {
            MimeBodyPart wrapper = new MimeBodyPart();
            wrapper.setContent(inner);
            MimeMultipart outer = new MimeMultipart();
            outer.addBodyPart(wrapper);
            inner = outer;
        }
        deep.setContent(inner);
        deep.saveChanges();
        server.deliver(deep);
        server.deliver(customerMail("<after-deep@example.test>", "Next", "Still here."));

        await().atMost(WAIT).until(() -> publisher.published.size() == 2);
        CustomerMessage notice = publisher.message(0);
        assertThat(notice.attributes()).containsEntry("rejected", "too-deep");
        assertThat(notice.text()).contains("nested more than 5 levels deep").contains("Subject: Nested");
        assertThat(notice.text()).doesNotContain("deep inside");
        assertThat(Path.of(notice.attributes().get("rawMessage"))).exists();
        assertThat(publisher.message(1).text()).isEqualTo("Still here.");
    }

    @Test
    void aMailThatCouldNotBePublishedStaysUnseenAndIsPublishedLaterWithTheSameId() throws Exception {
        RecordingPublisher publisher = new RecordingPublisher(2);
        Mailbox mailbox = start(server.settings(dataDir), publisher);

        server.deliver(customerMail("<retry-1@example.test>", "Retry", "Please keep me."));

        await().atMost(WAIT).until(() -> mailbox.state().lastError() != null);
        assertThat(publisher.attempted).isNotEmpty();
        assertThat(publisher.published).isEmpty();
        assertThat(server.unseenSupportMails()).isEqualTo(1);
        assertThat(mailbox.state().lastError()).contains("could not be published").contains("stays unread");

        await().atMost(WAIT).until(() -> publisher.published.size() == 1);
        assertThat(publisher.attempted).hasSize(3).containsOnly("mail:retry-1@example.test");
        await().atMost(WAIT).until(() -> server.unseenSupportMails() == 0);
        await().atMost(WAIT).until(() -> mailbox.state().lastError() == null);
    }

    @Test
    void aNewMailboxAfterACrashTakesInWhatTheFirstCouldNotPublishWithTheSameIds() throws Exception {
        RecordingPublisher failing = new RecordingPublisher(Integer.MAX_VALUE);
        Mailbox first = start(server.settings(dataDir), failing);
        server.deliver(customerMail("<crash-1@example.test>", "First", "One."));
        MimeMessage noId = customerMail("<placeholder@example.test>", "No id", "My mail program sends no Message-ID.");
        noId.removeHeader("Message-ID");
        server.deliver(noId);
        await().atMost(WAIT).until(() -> new HashSet<>(failing.attempted).size() == 2);
        first.close();
        assertThat(server.unseenSupportMails()).isEqualTo(2);

        RecordingPublisher working = new RecordingPublisher();
        start(server.settings(dataDir), working);

        await().atMost(WAIT).until(() -> working.published.size() == 2);
        assertThat(working.published).extracting(ContactEvent::id)
                .containsExactlyInAnyOrderElementsOf(new HashSet<>(failing.attempted));
        assertThat(working.published).extracting(ContactEvent::id)
                .contains("mail:crash-1@example.test")
                .anyMatch(id -> id.matches("mail:no-message-id\\.[0-9a-f]{40}@acme\\.test"));
        await().atMost(WAIT).until(() -> server.unseenSupportMails() == 0);
    }

    @Test
    void closeStopsTheReaderPromptlyEvenInIdle() throws Exception {
        Mailbox mailbox = start(server.settings(dataDir).toBuilder().pollInterval(Duration.ofMinutes(10)).build(),
                new RecordingPublisher());
        await().atMost(WAIT).until(() -> mailbox.state().status() == MailboxState.Status.IDLE);

        long startNanos = System.nanoTime();
        mailbox.close();
        Duration took = Duration.ofNanos(System.nanoTime() - startNanos);

        assertThat(took).isLessThan(Duration.ofSeconds(3));
        readers.get(0).join(1000);
        assertThat(readers.get(0).isAlive()).isFalse();
        assertThat(mailbox.state().status()).isEqualTo(MailboxState.Status.STOPPED);
    }

    private record Attachment(String name, String type, byte[] content) {
    }

    private MimeMessage withAttachments(String messageId, Attachment... attachments) throws MessagingException,
            IOException {
        MimeMessage mail = new FixedIdMessage(server, messageId);
        mail.setFrom(new InternetAddress(MailTestServer.CUSTOMER, "Ann Lee", "UTF-8"));
        mail.setRecipient(Message.RecipientType.TO, new InternetAddress(MailTestServer.SUPPORT));
        mail.setSubject("Files");
        MimeMultipart mixed = new MimeMultipart();
        MimeBodyPart text = new MimeBodyPart();
        text.setText("See the attached files.", "UTF-8");
        mixed.addBodyPart(text);
        for (Attachment a : attachments) {
            MimeBodyPart part = new MimeBodyPart();
            part.setDataHandler(new DataHandler(new ByteArrayDataSource(a.content(), a.type())));
            part.setFileName(a.name());
            part.setDisposition(MimeBodyPart.ATTACHMENT);
            mixed.addBodyPart(part);
        }
        mail.setContent(mixed);
        mail.saveChanges();
        return mail;
    }

    /** A mail with the Message-ID the test gives it (Jakarta Mail would make its own on saving). */
    static final class FixedIdMessage extends MimeMessage {
        private final String messageId;

        FixedIdMessage(MailTestServer server, String messageId) {
            super(server.session());
            this.messageId = messageId;
        }

        @Override
        protected void updateMessageID() throws MessagingException {
            setHeader("Message-ID", messageId);
        }
    }
}
