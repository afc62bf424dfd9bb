package org.contactrouter.channels.webchat;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import org.junit.jupiter.api.Test;

class OriginsTest {

    @Test
    void originsAreNormalizedToSchemeHostAndNonDefaultPort() {
        assertThat(Origins.normalize("HTTPS://Shop.Example.com:443")).isEqualTo("https://shop.example.com");
        assertThat(Origins.normalize("https://shop.example.com/")).isEqualTo("https://shop.example.com");
        assertThat(Origins.normalize("http://localhost:8000")).isEqualTo("http://localhost:8000");
        assertThat(Origins.normalize("http://[::1]:8080")).isEqualTo("http://[::1]:8080");
        assertThat(Origins.normalize("shop.example.com")).isNull();
        assertThat(Origins.normalize("https://shop.example.com/chat")).isNull();
        assertThat(Origins.normalize("ftp://shop.example.com")).isNull();
        assertThat(Origins.normalize("https://user@shop.example.com")).isNull();
        assertThat(Origins.normalize("null")).isNull();
    }

    @Test
    void theServersOwnOriginIsTheHostTheBrowserConnectedTo() {
        Set<String> none = Set.of();
        assertThat(Origins.refusal("http://127.0.0.1:8080", "127.0.0.1:8080", none)).isNull();
        assertThat(Origins.refusal("https://chat.example.com", "chat.example.com", none)).isNull();
        assertThat(Origins.refusal("https://chat.example.com", "Chat.Example.com:443", none)).isNull();
        assertThat(Origins.refusal("http://[::1]:8080", "[::1]:8080", none)).isNull();
        assertThat(Origins.refusal("http://127.0.0.1:8081", "127.0.0.1:8080", none)).isNotNull();
        assertThat(Origins.refusal("https://chat.example.com", "chat.example.com:8443", none)).isNotNull();
        assertThat(Origins.refusal("http://evil.example", null, none)).isNotNull();
        assertThat(Origins.refusal("http://evil.example", "chat.example.com", Set.of("https://shop.example.com")))
                .contains("http://evil.example");
        assertThat(Origins.refusal("https://shop.example.com", "chat.example.com", Set.of("https://shop.example.com")))
                .isNull();
        assertThat(Origins.refusal(null, "chat.example.com", Set.of("https://shop.example.com"))).contains("no Origin");
    }
}
