package org.contactrouter.channels.email;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading a mail's bytes, without a server. */
class InboundMailTest {

    @TempDir
    Path dataDir;

    private InboundMail read(String raw) throws Exception {
        EmailSettings settings = EmailSettings.defaults("support@acme.test", "h", "u", "p", dataDir);
        return InboundMail.read(MailSessions.parsing(), raw.getBytes(StandardCharsets.UTF_8), settings,
                new Attachments(dataDir), new RejectedMail(dataDir));
    }

    @Test
    void thePlainAlternativeIsPreferredAndParentsAreNearestFirst() throws Exception {
        InboundMail mail = read("""
                From: "Lee, Ann" <Ann.Lee@Example.test>\r
                Reply-To: orders@example.test\r
                Subject: Re: Order\r
                Message-ID: <c@example.test>\r
                In-Reply-To: <b@example.test>\r
                References: <a@example.test>\r
                 <b@example.test>\r
                Content-Type: multipart/alternative; boundary=alt\r
                \r
                --alt\r
                Content-Type: text/plain; charset=UTF-8\r
                \r
                Plain words.\r
                --alt\r
                Content-Type: text/html; charset=UTF-8\r
                \r
                <p>HTML words.</p>\r
                --alt--\r
                """);
        assertThat(mail.text()).isEqualTo("Plain words.");
        assertThat(mail.fromAddress()).isEqualTo("ann.lee@example.test");
        assertThat(mail.fromName()).isEqualTo("Lee, Ann");
        assertThat(mail.replyTo()).isEqualTo("orders@example.test");
        assertThat(mail.parents()).isEqualTo(List.of("b@example.test", "a@example.test"));
        assertThat(mail.autoReason()).isNull();
        assertThat(mail.attachments()).isEmpty();
    }

    @Test
    void aVeryLongTextIsCutAndAttachedWhole() throws Exception {
        String text = "word ".repeat(InboundMail.MAX_TEXT_CHARS / 5 + 100).strip();
        InboundMail mail = read("From: a@example.test\r\nMessage-ID: <long@example.test>\r\n\r\n" + text + "\r\n");
        assertThat(mail.text()).hasSizeLessThan(InboundMail.MAX_TEXT_CHARS + 200).endsWith("attached as message.txt.]");
        assertThat(mail.attachments()).singleElement().satisfies(a -> {
            assertThat(a.name()).isEqualTo("message.txt");
            assertThat(a.size()).isEqualTo(text.length());
        });
    }

    @Test
    void depthCountsNestedMultipartsAndForwardedMails() throws Exception {
        String raw = """
                From: a@example.test\r
                Content-Type: multipart/mixed; boundary=o\r
                \r
                --o\r
                Content-Type: message/rfc822\r
                \r
                From: b@example.test\r
                Content-Type: multipart/mixed; boundary=i\r
                \r
                --i\r
                Content-Type: text/plain\r
                \r
                inner\r
                --i--\r
                --o--\r
                """;
        var message = new jakarta.mail.internet.MimeMessage(MailSessions.parsing(),
                new java.io.ByteArrayInputStream(raw.getBytes(StandardCharsets.UTF_8)));
        assertThat(InboundMail.depth(message, 1, 20)).isEqualTo(4);
        assertThat(InboundMail.depth(message, 1, 2)).isEqualTo(3); // stops once past the limit
    }

    @Test
    void aMailThatIsNotAMailIsANoticeWithTheRawBytesKept() throws Exception {
        InboundMail mail = read("From: a@example.test\r\nContent-Type: multipart/mixed\r\n\r\nno boundary at all\r\n");
        assertThat(mail.rejectedReason()).isEqualTo("unreadable");
        assertThat(mail.text()).startsWith("This email was not taken in: its MIME structure could not be read");
        assertThat(mail.rawMessage()).exists();
    }
}
