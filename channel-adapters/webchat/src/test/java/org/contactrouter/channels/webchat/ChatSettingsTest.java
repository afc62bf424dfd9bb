package org.contactrouter.channels.webchat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChatSettingsTest {

    @Test
    void zeroAndNullMeanTheDefaults() {
        ChatSettings s = ChatSettings.defaults(List.of("https://Shop.example.com/"), " widget-shop ", null);
        assertThat(s.allowedOrigins()).containsExactly("https://shop.example.com");
        assertThat(s.widgetId()).isEqualTo("widget-shop");
        assertThat(s.domain()).isNull();
        assertThat(s.maxMessageBytes()).isEqualTo(4096);
        assertThat(s.messagesPerTenSeconds()).isEqualTo(10);
        assertThat(s.idleTimeout()).isEqualTo(Duration.ofMinutes(5));
        assertThat(s.abandonAfter()).isEqualTo(Duration.ofMinutes(10));
        assertThat(s.transcriptLimit()).isEqualTo(200);
        assertThat(s.socketsPerAddress()).isEqualTo(20);
        assertThat(s.sessionsPerAddressPerMinute()).isEqualTo(10);
        assertThat(s.visitorSecret()).isNull();

        ChatSettings custom = new ChatSettings(null, "w", "shop", 1024, 5, Duration.ofSeconds(30), Duration.ofMinutes(2),
                20, 0, 0, null);
        assertThat(custom.allowedOrigins()).isEmpty();
        assertThat(List.of(custom.maxMessageBytes(), custom.messagesPerTenSeconds(), custom.transcriptLimit()))
                .containsExactly(1024, 5, 20);
    }

    @Test
    void mistakesNameTheSettingAndWhatIsExpected() {
        assertThatThrownBy(() -> ChatSettings.defaults(List.of("https://a.example", "shop.example.com"), "w", null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("webchat.allowedOrigins[1]: 'shop.example.com' (expected an origin: scheme, host and optional"
                        + " port, such as https://shop.example.com, without a path)");
        assertThatThrownBy(() -> ChatSettings.defaults(Arrays.asList((String) null), "w", null))
                .hasMessageStartingWith("webchat.allowedOrigins[0]: 'null'");
        assertThatThrownBy(() -> ChatSettings.defaults(List.of(), " ", null))
                .hasMessageStartingWith("webchat.widgetId: ''");
        assertThatThrownBy(() -> ChatSettings.defaults(List.of(), "w", " "))
                .hasMessageStartingWith("webchat.domain:");
        assertThatThrownBy(() -> new ChatSettings(List.of(), "w", null, 100, 0, null, null, 0, 0, 0, null))
                .hasMessage("webchat.maxMessageBytes: 100 (expected 512 to 262144)");
        assertThatThrownBy(() -> new ChatSettings(List.of(), "w", null, 0, -1, null, null, 0, 0, 0, null))
                .hasMessage("webchat.messagesPerTenSeconds: -1 (expected a positive number, or 0 for 10)");
        assertThatThrownBy(() -> new ChatSettings(List.of(), "w", null, 0, 0, Duration.ofSeconds(-5), null, 0, 0, 0,
                null))
                .hasMessageStartingWith("webchat.idleTimeout: PT-5S (expected a positive duration");
        assertThatThrownBy(() -> new ChatSettings(List.of(), "w", null, 0, 0, null, Duration.ZERO, 0, 0, 0, null))
                .hasMessageStartingWith("webchat.abandonAfter: PT0S");
        assertThatThrownBy(() -> new ChatSettings(List.of(), "w", null, 0, 0, null, null, 0, -1, 0, null))
                .hasMessage("webchat.socketsPerAddress: -1 (expected a positive number, or 0 for 20)");
        assertThatThrownBy(() -> new ChatSettings(List.of(), "w", null, 0, 0, null, null, 0, 0, -1, null))
                .hasMessage("webchat.sessionsPerAddressPerMinute: -1 (expected a positive number, or 0 for 10)");
    }

    @Test
    void theVisitorSecretIsBase64OfAtLeast32BytesAndNeverShown() {
        String secret = Base64.getEncoder().encodeToString(new byte[32]);
        ChatSettings s = new ChatSettings(List.of(), "w", null, 0, 0, null, null, 0, 0, 0, secret);
        assertThat(s.visitorKey()).hasSize(32);
        assertThat(s.toString()).contains("visitorSecret=(hidden)").doesNotContain(secret);

        assertThatThrownBy(() -> new ChatSettings(List.of(), "w", null, 0, 0, null, null, 0, 0, 0,
                Base64.getEncoder().encodeToString(new byte[31])))
                .hasMessage("webchat.visitorSecret (environment variable ROUTER_CHAT_VISITOR_SECRET): 31 bytes"
                        + " (expected base64 of at least 32 random bytes, such as the output of: openssl rand -base64 32)");
        assertThatThrownBy(() -> new ChatSettings(List.of(), "w", null, 0, 0, null, null, 0, 0, 0, "not base64!"))
                .hasMessageEndingWith(": not base64 (expected base64 of at least 32 random bytes, such as the output of:"
                        + " openssl rand -base64 32)");
    }
}
