package org.contactrouter.channels.email;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class EmailSettingsTest {

    private final EmailSettings defaults =
            EmailSettings.defaults("Support@Acme.example", "mail.acme.example", "support@acme.example", "app-pass-1",
                    Path.of("data"));

    @Test
    void defaultsAreThoseOfAHostedMailbox() {
        assertThat(defaults.address()).isEqualTo("support@acme.example");
        assertThat(defaults.displayName()).isEqualTo("support@acme.example");
        assertThat(defaults.imapPort()).isEqualTo(993);
        assertThat(defaults.imapTls()).isTrue();
        assertThat(defaults.folder()).isEqualTo("INBOX");
        assertThat(defaults.smtpPort()).isEqualTo(587);
        assertThat(defaults.smtpStartTls()).isTrue();
        assertThat(defaults.smtpTls()).isFalse();
        assertThat(defaults.smtpUser()).isEqualTo("support@acme.example");
        assertThat(defaults.pollInterval()).isEqualTo(Duration.ofSeconds(60));
        assertThat(defaults.maxMessageBytes()).isEqualTo(25L * 1024 * 1024);
        assertThat(defaults.maxMimeDepth()).isEqualTo(20);
        assertThat(defaults.mailDomain()).isEqualTo("acme.example");
    }

    @Test
    void toStringNeverShowsThePasswords() {
        assertThat(defaults.toString()).doesNotContain("app-pass-1").contains("imapPassword=***");
    }

    @Test
    void aWrongSettingIsNamedWithItsValueAndWhatIsExpected() {
        assertThatThrownBy(() -> defaults.toBuilder().imap("mail.acme.example", 0, true).build())
                .hasMessage("email.imapPort: 0 (expected a port from 1 to 65535)");
        assertThatThrownBy(() -> defaults.toBuilder().smtp("mail.acme.example", 465, true, true).build())
                .hasMessageStartingWith("email.smtpTls and email.smtpStartTls: both true");
        assertThatThrownBy(() -> defaults.toBuilder().pollInterval(Duration.ZERO).build())
                .hasMessage("email.pollInterval: PT0S (expected a positive duration)");
        assertThatThrownBy(() -> defaults.toBuilder().imapLogin("support", null).build())
                .hasMessage("email.imapPassword: missing (expected a value)");
        assertThatThrownBy(() -> defaults.toBuilder().limits(10, 20).build())
                .hasMessageStartingWith("email.maxMessageBytes: 10 (expected at least 1024 bytes");
        assertThatThrownBy(() -> EmailSettings.defaults("support", "h", "u", "p", Path.of("d")))
                .hasMessageStartingWith("email.address: 'support' (expected the mailbox address customers write to");
    }
}
