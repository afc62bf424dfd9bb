package org.contactrouter.channels.email;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import jakarta.mail.Message;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The reader survives its mail server going away and coming back on the same address. */
class MailboxReconnectTest {

    @TempDir
    Path dataDir;

    @Test
    void theReaderReconnectsAfterTheServerIsStoppedAndStartedAgain() throws Exception {
        MailTestServer server = new MailTestServer().start();
        RecordingPublisher publisher = new RecordingPublisher();
        // a long poll interval: only IDLE and the reconnect can bring the mail in within the test's waits
        Mailbox mailbox = new Mailbox(server.settings(dataDir).toBuilder().pollInterval(Duration.ofMinutes(10)).build(),
                publisher, Clock.systemUTC());
        Thread reader = new Thread(mailbox, "reconnect-test-reader");
        reader.setDaemon(true);
        reader.start();
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> mailbox.state().status() == MailboxState.Status.IDLE);
            Instant idleSince = mailbox.state().since();

            server.stop();
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> mailbox.state().status() == MailboxState.Status.RECONNECTING);
            MailboxState down = mailbox.state();
            assertThat(down.ready()).isFalse();
            assertThat(down.lastError()).startsWith("IMAP 127.0.0.1:" + server.imapPort + ": ")
                    .contains("connecting again in");
            assertThat(down.since()).isAfterOrEqualTo(idleSince);

            server.start();
            await().atMost(Duration.ofSeconds(15)).until(() -> mailbox.state().status() == MailboxState.Status.IDLE);
            assertThat(mailbox.state().lastError()).isNull();

            MimeMessage mail = new MailboxTest.FixedIdMessage(server, "<after-restart@example.test>");
            mail.setFrom(new InternetAddress(MailTestServer.CUSTOMER));
            mail.setRecipient(Message.RecipientType.TO, new InternetAddress(MailTestServer.SUPPORT));
            mail.setSubject("Back again?");
            mail.setText("Hello after the restart.");
            mail.saveChanges();
            server.deliver(mail);

            await().atMost(Duration.ofSeconds(10)).until(() -> publisher.published.size() == 1);
            assertThat(publisher.published.get(0).id()).isEqualTo("mail:after-restart@example.test");
        } finally {
            mailbox.close();
            reader.join(5000);
            server.close();
        }
        assertThat(mailbox.state().status()).isEqualTo(MailboxState.Status.STOPPED);
    }
}
