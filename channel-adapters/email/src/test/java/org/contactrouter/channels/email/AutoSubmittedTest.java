package org.contactrouter.channels.email;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AutoSubmittedTest {

    private static final String US = "support@acme.test";

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', nullValues = "NONE", textBlock = """
            Auto-Submitted: auto-replied                      | Auto-Submitted: auto-replied
            Auto-Submitted: auto-generated; owner=x@y.test    | Auto-Submitted: auto-generated; owner=x@y.test
            Auto-Submitted: No                                | NONE
            Auto-Submitted: no (a person wrote this)          | NONE
            Precedence: bulk                                  | Precedence: bulk
            Precedence: JUNK                                  | Precedence: JUNK
            Precedence: list                                  | Precedence: list
            Precedence: first-class                           | NONE
            List-Id: <news.example.test>                      | List-Id: <news.example.test>
            List-Unsubscribe: <mailto:leave@example.test>     | List-Unsubscribe: <mailto:leave@example.test>
            Return-Path: <>                                   | Return-Path: <>
            Return-Path: <ann@example.test>                   | NONE
            X-Auto-Response-Suppress: All                     | X-Auto-Response-Suppress: All
            X-Auto-Response-Suppress: None                    | NONE
            X-Autoreply: yes                                  | X-Autoreply: yes
            X-Loop: support@acme.test                         | X-Loop: support@acme.test (our own mail came back)
            X-Loop: other@elsewhere.test                      | NONE
            X-Mailer: Thunderbird                             | NONE
            """)
    void tellsMailAMachineSentFromMailAPersonWrote(String header, String reason) throws MessagingException {
        assertThat(AutoSubmitted.reason(mail(header, "ann@example.test"), "ann@example.test", US)).isEqualTo(reason);
    }

    @ParameterizedTest
    @CsvSource({
            "MAILER-DAEMON@mx.example.test, From: mailer-daemon@mx.example.test",
            "postmaster@example.test, From: postmaster@example.test",
            "support@acme.test, From: support@acme.test (our own address)"})
    void tellsBouncesAndOurOwnMailBySender(String from, String reason) throws MessagingException {
        String normalized = from.toLowerCase(java.util.Locale.ROOT);
        assertThat(AutoSubmitted.reason(mail("X-Mailer: x", from), normalized, US)).isEqualTo(reason);
    }

    @ParameterizedTest
    @CsvSource({"multipart/report; report-type=delivery-status; boundary=b, true", "multipart/mixed; boundary=b, false"})
    void tellsDeliveryReportsByTheirType(String type, boolean automatic) throws MessagingException {
        MimeMessage m = parse("From: x@example.test\r\nContent-Type: " + type + "\r\n\r\n--b\r\n\r\nhi\r\n--b--\r\n");
        assertThat(AutoSubmitted.reason(m, "x@example.test", US) != null).isEqualTo(automatic);
    }

    private static MimeMessage mail(String header, String from) throws MessagingException {
        return parse("From: " + from + "\r\n" + header + "\r\nSubject: s\r\n\r\nbody\r\n");
    }

    private static MimeMessage parse(String raw) throws MessagingException {
        return new MimeMessage(MailSessions.parsing(), new ByteArrayInputStream(raw.getBytes(StandardCharsets.UTF_8)));
    }
}
