package org.contactrouter.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The channels section of router.yaml: bound to the adapters' settings, or problems with file, line and field. */
class ChannelConfigTest {

    @TempDir
    Path dir;

    private final Map<String, String> env = Map.of("TWILIO_AUTH_TOKEN", "token", "ROUTER_IMAP_PASSWORD", "imap-secret",
            "ROUTER_SMTP_PASSWORD", "smtp-secret");

    private ChannelConfig load(String yaml) throws Exception {
        Path file = dir.resolve("router.yaml");
        Files.writeString(file, yaml);
        return ChannelConfig.load(file, env::get, dir.resolve("data"));
    }

    @Test
    void withoutTheSectionOnlyTheWebChatRuns() throws Exception {
        ChannelConfig c = load("http: { port: 8080 }\n");
        assertThat(c.problems()).isEmpty();
        assertThat(c.twilio()).isNull();
        assertThat(c.email()).isNull();
        assertThat(c.chat().widgetId()).isEqualTo("website");
        assertThat(ChannelConfig.load(dir.resolve("missing.yaml"), env::get, dir).chat()).isNotNull();
    }

    @Test
    void enabledChannelsBindWithTheirSecretsFromTheEnvironment() throws Exception {
        ChannelConfig c = load("""
                channels:
                  twilio:
                    enabled: true
                    accountSid: AC0123456789abcdef0123456789abcdef
                    publicBaseUrl: https://support.example.com
                    numbers: { "+49 30 901820": sales, "whatsapp:+4930901821": default }
                  email:
                    enabled: true
                    address: support@example.com
                    imap: { host: imap.example.com, user: support }
                    smtp: { host: smtp.example.com, user: support }
                    timeout: 15s
                  chat:
                    enabled: false
                """);
        assertThat(c.problems()).isEmpty();
        assertThat(c.twilio().authToken()).isEqualTo("token");
        assertThat(c.twilio().domainByNumber()).containsEntry("+4930901820", "sales")
                .containsEntry("whatsapp:+4930901821", "default");
        assertThat(c.email().imapPassword()).isEqualTo("imap-secret");
        assertThat(c.email().smtpPassword()).isEqualTo("smtp-secret");
        assertThat(c.email().imapPort()).isEqualTo(993);
        assertThat(c.email().ioTimeout()).isEqualTo(Duration.ofSeconds(15));
        assertThat(c.email().dataDir()).isEqualTo(dir.resolve("data"));
        assertThat(c.chat()).isNull();
    }

    @Test
    void mistakesAreNamedWithLineAndField() throws Exception {
        ChannelConfig c = load("""
                channels:
                  chat:
                    allowedOrign: [https://www.example.com]
                  twilio:
                    enabled: true
                    accountSid: AC0123456789abcdef0123456789abcdef
                    numbers: { "030 901820": default }
                """);
        assertThat(c.hasErrors()).isTrue();
        assertThat(c.problems()).extracting(Problem::toString).anySatisfy(p -> assertThat(p)
                .startsWith("router.yaml:3:5: channels.chat: unknown field 'allowedOrign'")
                .contains("did you mean 'allowedOrigins'"));
        assertThat(c.problems()).extracting(Problem::toString).anySatisfy(p -> assertThat(p)
                .startsWith("router.yaml:7:16: channels.twilio.numbers: '030 901820' (expected: a phone number in E.164 form"));
    }

    @Test
    void theChatsLimitsPerClientAddressAndItsVisitorSecretBind() throws Exception {
        ChannelConfig defaults = load("http: { port: 8080 }\n");
        assertThat(defaults.chat().socketsPerAddress()).isEqualTo(20);
        assertThat(defaults.chat().sessionsPerAddressPerMinute()).isEqualTo(10);
        assertThat(defaults.chat().visitorSecret()).as("no secret: typed email addresses are claims only").isNull();

        String secret = Base64.getEncoder().encodeToString(new byte[32]);
        Path file = dir.resolve("router.yaml");
        Files.writeString(file, """
                channels:
                  chat:
                    socketsPerAddress: 5
                    sessionsPerAddressPerMinute: 3
                """);
        ChannelConfig c = ChannelConfig.load(file, Map.of("ROUTER_CHAT_VISITOR_SECRET", secret)::get, dir);
        assertThat(c.problems()).isEmpty();
        assertThat(c.chat().socketsPerAddress()).isEqualTo(5);
        assertThat(c.chat().sessionsPerAddressPerMinute()).isEqualTo(3);
        assertThat(c.chat().visitorSecret()).isEqualTo(secret);
    }

    @Test
    void aVisitorSecretTooShortIsAProblemNamingTheVariable() throws Exception {
        Path file = dir.resolve("router.yaml");
        Files.writeString(file, "http: { port: 8080 }\n");
        ChannelConfig c = ChannelConfig.load(file, Map.of("ROUTER_CHAT_VISITOR_SECRET", "c2hvcnQ=")::get, dir);
        assertThat(c.hasErrors()).isTrue();
        assertThat(c.problems()).extracting(Problem::toString).anySatisfy(p -> assertThat(p)
                .contains("ROUTER_CHAT_VISITOR_SECRET").contains("5 bytes").contains("openssl rand -base64 32")
                .doesNotContain("c2hvcnQ="));
        assertThat(c.chat()).isNull();
    }

    @Test
    void anEnabledChannelWithoutItsSecretOrAddressSaysWhatIsMissing() throws Exception {
        Path file = dir.resolve("router.yaml");
        Files.writeString(file, """
                channels:
                  twilio:
                    enabled: true
                    accountSid: AC0123456789abcdef0123456789abcdef
                    publicBaseUrl: https://support.example.com
                  email:
                    enabled: true
                    imap: { host: imap.example.com, user: support }
                    smtp: { host: smtp.example.com }
                """);
        ChannelConfig c = ChannelConfig.load(file, v -> null, dir);
        assertThat(c.problems()).extracting(Problem::message)
                .anySatisfy(m -> assertThat(m).contains("TWILIO_AUTH_TOKEN is not set"))
                .anySatisfy(m -> assertThat(m).contains("missing 'address'"));
    }
}
