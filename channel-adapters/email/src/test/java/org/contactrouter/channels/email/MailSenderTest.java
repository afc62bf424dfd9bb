package org.contactrouter.channels.email;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.contactrouter.events.Channel;
import org.contactrouter.events.CustomerMessage;
import org.contactrouter.events.DeliveryReport;
import org.contactrouter.events.OutboundKind;
import org.contactrouter.events.OutboundMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Answers mailed into the customer's thread, and the customer's answer threading back, on a real SMTP/IMAP server. */
class MailSenderTest {

    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-23T10:00:00Z"), ZoneOffset.UTC);

    @TempDir
    Path dataDir;

    private final MailTestServer server = new MailTestServer().start();
    private final RecordingPublisher publisher = new RecordingPublisher();
    private final List<DeliveryReport> reports = new CopyOnWriteArrayList<>();
    private Mailbox mailbox;
    private Thread reader;
    private MailSender sender;

    @BeforeEach
    void start() {
        EmailSettings settings = server.settings(dataDir);
        mailbox = new Mailbox(settings, publisher, Clock.systemUTC());
        reader = new Thread(mailbox, "sender-test-reader");
        reader.setDaemon(true);
        reader.start();
        sender = new MailSender(settings, reports::add, CLOCK);
    }

    @AfterEach
    void stop() throws InterruptedException {
        mailbox.close();
        reader.join(5000);
        server.close();
    }

    @Test
    void anAgentsReplyArrivesThreadedAndTheCustomersAnswerContinuesTheConversation() throws Exception {
        CustomerMessage first = receive("<m1.4711@example.test>", "Invoice 2024-0815", m -> { });
        String conversation = first.conversation();

        sender.send(outbound("decision-42", OutboundKind.REPLY, conversation, "Mia Wong",
                "We refunded the second charge."));

        MimeMessage reply = onlyMailTo(MailTestServer.CUSTOMER);
        String replyId = "<" + MessageIds.outbound("decision-42", "acme.test") + ">";
        assertThat(reply.getHeader("Message-ID", null)).isEqualTo(replyId);
        assertThat(reply.getFrom()).containsExactly(new InternetAddress("support@acme.test", "Acme Support"));
        assertThat(((InternetAddress) reply.getFrom()[0]).getPersonal()).isEqualTo("Acme Support");
        assertThat(reply.getRecipients(Message.RecipientType.TO))
                .containsExactly(new InternetAddress(MailTestServer.CUSTOMER));
        assertThat(reply.getSubject()).isEqualTo("Re: Invoice 2024-0815");
        assertThat(reply.getHeader("In-Reply-To", null)).isEqualTo("<m1.4711@example.test>");
        assertThat(reply.getHeader("References", null)).isEqualTo("<m1.4711@example.test>");
        assertThat(reply.getHeader("X-Loop", null)).isEqualTo("support@acme.test");
        assertThat(reply.getHeader("Auto-Submitted")).isNull();
        assertThat(((String) reply.getContent()).replace("\r\n", "\n").stripTrailing())
                .isEqualTo("We refunded the second charge.\n\n-- \nMia Wong\nAcme Support");
        assertThat(reports).containsExactly(new DeliveryReport(Channel.EMAIL, conversation, "decision-42",
                replyId.substring(1, replyId.length() - 1), "sent", null, CLOCK.instant()));

        CustomerMessage answer = receive("<m2.4712@example.test>", "Re: Invoice 2024-0815", m -> {
            m.setHeader("In-Reply-To", replyId);
            m.setHeader("References", "<m1.4711@example.test> " + replyId);
        });
        assertThat(answer.conversation()).isEqualTo(conversation);

        // the next answer goes to the customer's latest mail and names the whole thread
        sender.send(outbound("decision-43", OutboundKind.REPLY, conversation, "Mia Wong", "Glad to help."));
        await().atMost(WAIT).until(() -> server.mailsTo(MailTestServer.CUSTOMER).size() == 2);
        MimeMessage second = server.mailsTo(MailTestServer.CUSTOMER).get(1);
        assertThat(second.getSubject()).isEqualTo("Re: Invoice 2024-0815");
        assertThat(second.getHeader("In-Reply-To", null)).isEqualTo("<m2.4712@example.test>");
        assertThat(second.getHeader("References", " ").replaceAll("\\s+", " "))
                .isEqualTo("<m1.4711@example.test> " + replyId + " <m2.4712@example.test>");
    }

    @Test
    void aMailThatOnlyNamesTheThreadInReferencesContinuesItToo() throws Exception {
        CustomerMessage first = receive("<r1@example.test>", "Delivery", m -> { });
        CustomerMessage second = receive("<r2@example.test>", "Delivery, again", m ->
                m.setHeader("References", "<unknown@elsewhere.test> <r1@example.test>"));
        CustomerMessage unrelated = receive("<r3@example.test>", "Delivery", m -> { });

        assertThat(second.conversation()).isEqualTo(first.conversation());
        assertThat(unrelated.conversation()).isEqualTo("r3@example.test").isNotEqualTo(first.conversation());
    }

    @Test
    void aRedeliveredOutboundMessageIsMailedWithTheSameMessageId() throws Exception {
        CustomerMessage first = receive("<dup-1@example.test>", "Re: Re: Parcel", m -> { });
        OutboundMessage handover = outbound("decision-7", OutboundKind.HANDOVER, first.conversation(), "Sam Park",
                "Sam Park takes over your conversation from here and has all its history.");

        sender.send(handover);
        sender.send(handover);

        await().atMost(WAIT).until(() -> server.mailsTo(MailTestServer.CUSTOMER).size() == 2);
        List<MimeMessage> mails = server.mailsTo(MailTestServer.CUSTOMER);
        String expected = "<" + MessageIds.outbound("decision-7", "acme.test") + ">";
        assertThat(mails.get(0).getHeader("Message-ID", null)).isEqualTo(expected);
        assertThat(mails.get(1).getHeader("Message-ID", null)).isEqualTo(expected);
        assertThat(mails.get(0).getSubject()).isEqualTo("Re: Parcel");
        assertThat(new MailThreads(dataDir).find(first.conversation()).orElseThrow().messageIds())
                .containsExactly("dup-1@example.test", expected.substring(1, expected.length() - 1));
        assertThat(reports).extracting(DeliveryReport::status).containsExactly("sent", "sent");
    }

    @Test
    void anAcknowledgementIsMailedAsAnAutomaticReplyToAPersonsMail() throws Exception {
        CustomerMessage first = receive("<ack-1@example.test>", "Question", m -> m.setHeader("Auto-Submitted", "no"));
        assertThat(first.attributes()).doesNotContainKey("autoSubmitted");

        sender.send(outbound("decision-1", OutboundKind.ACKNOWLEDGEMENT, first.conversation(), null,
                "Thank you for contacting us. An agent will answer in about 12 minutes."));

        MimeMessage ack = onlyMailTo(MailTestServer.CUSTOMER);
        assertThat(ack.getHeader("Auto-Submitted", null)).isEqualTo("auto-replied");
        assertThat(ack.getHeader("X-Loop", null)).isEqualTo("support@acme.test");
        assertThat(ack.getSubject()).isEqualTo("Re: Question");
        assertThat(((String) ack.getContent()).strip())
                .isEqualTo("Thank you for contacting us. An agent will answer in about 12 minutes.");
        assertThat(reports).extracting(DeliveryReport::status).containsExactly("sent");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"auto-reply", "bounce", "list", "precedence-bulk", "from-ourselves", "our-loop-header"})
    void noAcknowledgementIsMailedToMailAMachineSentOrOurOwnMailComingBack(String kind) throws Exception {
        CustomerMessage mail = receive("<auto-" + kind + "@example.test>", "Automatic: " + kind, m -> {
            switch (kind) {
                case "auto-reply" -> m.setHeader("Auto-Submitted", "auto-replied");
                case "bounce" -> m.setHeader("Return-Path", "<>");
                case "list" -> m.setHeader("List-Id", "Customers <customers.lists.example.test>");
                case "precedence-bulk" -> m.setHeader("Precedence", "bulk");
                case "from-ourselves" -> m.setFrom(new InternetAddress("Support@Acme.test"));
                case "our-loop-header" -> m.setHeader("X-Loop", "support@acme.test");
                default -> throw new IllegalArgumentException(kind);
            }
        });
        assertThat(mail.attributes()).containsEntry("autoSubmitted", "true").containsKey("autoSubmittedReason");

        sender.send(outbound("ack-" + kind, OutboundKind.ACKNOWLEDGEMENT, mail.conversation(), null, "Thank you."));
        sender.send(outbound("closed-" + kind, OutboundKind.AFTER_HOURS, mail.conversation(), null, "We are closed."));

        assertThat(reports).extracting(DeliveryReport::status).containsExactly("skipped", "skipped");
        assertThat(reports.get(0).detail()).contains("never answered automatically");
        assertThat(server.mailsTo(MailTestServer.CUSTOMER)).isEmpty();
        assertThat(server.mailsTo(MailTestServer.SUPPORT)).hasSize(1);

        // an agent can still answer in person
        if (!kind.equals("from-ourselves")) {
            sender.send(outbound("reply-" + kind, OutboundKind.REPLY, mail.conversation(), "Mia Wong", "Noted."));
            assertThat(onlyMailTo(MailTestServer.CUSTOMER).getHeader("Auto-Submitted")).isNull();
        }
    }

    @Test
    void anAutoReplyInAThreadKeepsTheCustomerAndStopsFurtherAcknowledgements() throws Exception {
        CustomerMessage first = receive("<t1@example.test>", "Order", m -> { });
        CustomerMessage bounce = receive("<t2@example.test>", "Undelivered Mail", m -> {
            m.setFrom(new InternetAddress("MAILER-DAEMON@example.test"));
            m.setHeader("In-Reply-To", "<t1@example.test>");
        });
        assertThat(bounce.conversation()).isEqualTo(first.conversation());
        assertThat(bounce.attributes()).containsEntry("autoSubmitted", "true");

        sender.send(outbound("ack-t", OutboundKind.ACKNOWLEDGEMENT, first.conversation(), null, "Thank you."));
        sender.send(outbound("reply-t", OutboundKind.REPLY, first.conversation(), "Mia Wong", "Your order ships."));

        assertThat(reports).extracting(DeliveryReport::status).containsExactly("skipped", "sent");
        MimeMessage reply = onlyMailTo(MailTestServer.CUSTOMER);
        assertThat(reply.getHeader("In-Reply-To", null)).isEqualTo("<t1@example.test>");
    }

    @Test
    void agentJoinedAndClosedAreNotMailed() throws Exception {
        CustomerMessage first = receive("<j1@example.test>", "Hi", m -> { });

        sender.send(outbound("joined", OutboundKind.AGENT_JOINED, first.conversation(), "Mia Wong",
                "Mia Wong is now looking after you."));
        sender.send(outbound("closed", OutboundKind.CLOSED, first.conversation(), "Mia Wong",
                "This conversation is closed. Thank you for contacting us."));

        assertThat(reports).extracting(DeliveryReport::status).containsExactly("skipped", "skipped");
        assertThat(server.mailsTo(MailTestServer.CUSTOMER)).isEmpty();
    }

    @Test
    void anUnknownThreadIsReportedAndNotRetried() throws Exception {
        sender.send(outbound("lost", OutboundKind.REPLY, "never-seen@example.test", "Mia Wong", "Hello?"));

        assertThat(reports).singleElement().satisfies(r -> {
            assertThat(r.status()).isEqualTo("failed");
            assertThat(r.detail()).contains("no mail thread 'never-seen@example.test'");
        });
    }

    @Test
    void anUnreachableSmtpServerFailsTheSendSoItIsRetriedAndReportsWhy() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        EmailSettings settings = server.settings(dataDir).toBuilder()
                .smtp("127.0.0.1", closedPort, false, false).build();
        new MailThreads(dataDir).addCustomerMail("x1@example.test", "x1@example.test", MailTestServer.CUSTOMER,
                "Ann Lee", MailTestServer.CUSTOMER, "Order", false);
        MailSender broken = new MailSender(settings, reports::add, CLOCK);

        assertThatThrownBy(() -> broken.send(outbound("d-9", OutboundKind.REPLY, "x1@example.test", "Mia", "Hi")))
                .isInstanceOf(MailSender.SendException.class)
                .hasMessageStartingWith("SMTP 127.0.0.1:" + closedPort + ": ");
        assertThat(reports).singleElement().satisfies(r -> {
            assertThat(r.status()).isEqualTo("failed");
            assertThat(r.outboundId()).isEqualTo("d-9");
            assertThat(r.detail()).contains("127.0.0.1:" + closedPort);
        });
    }

    @Test
    void theReplySubjectNeverStartsWithReRe() {
        assertThat(MailSender.replySubject("Invoice")).isEqualTo("Re: Invoice");
        assertThat(MailSender.replySubject("Re: Invoice")).isEqualTo("Re: Invoice");
        assertThat(MailSender.replySubject("RE: re:Aw: Invoice")).isEqualTo("Re: Invoice");
        assertThat(MailSender.replySubject("Re[2]: Invoice")).isEqualTo("Re: Invoice");
        assertThat(MailSender.replySubject("Regarding: Invoice")).isEqualTo("Re: Regarding: Invoice");
        assertThat(MailSender.replySubject(null)).isEqualTo("Re: your message");
    }

    /** Delivers a customer's mail to the support mailbox and waits for its contact event. */
    private CustomerMessage receive(String messageId, String subject, MailCustomizer customizer) throws Exception {
        MimeMessage mail = new MailboxTest.FixedIdMessage(server, messageId);
        mail.setFrom(new InternetAddress(MailTestServer.CUSTOMER, "Ann Lee"));
        mail.setRecipient(Message.RecipientType.TO, new InternetAddress(MailTestServer.SUPPORT));
        mail.setSubject(subject);
        mail.setText("Text of " + subject);
        customizer.accept(mail);
        mail.saveChanges();
        int before = publisher.published.size();
        server.deliver(mail);
        await().atMost(WAIT).until(() -> publisher.published.size() == before + 1);
        return publisher.last();
    }

    private MimeMessage onlyMailTo(String address) {
        await().atMost(WAIT).until(() -> server.mailsTo(address).size() == 1);
        return server.mailsTo(address).get(0);
    }

    private static OutboundMessage outbound(String id, OutboundKind kind, String conversation, String agentName,
                                            String text) {
        return new OutboundMessage(id, "default", "contact-1", Channel.EMAIL, conversation, "support@acme.test", kind,
                CLOCK.instant(), agentName == null ? null : "agent-1", agentName, null, text, null, null);
    }

    @FunctionalInterface
    private interface MailCustomizer {
        void accept(MimeMessage mail) throws MessagingException;
    }
}
