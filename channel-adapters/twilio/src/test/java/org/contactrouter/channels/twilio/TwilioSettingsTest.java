package org.contactrouter.channels.twilio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TwilioSettingsTest {

    private static TwilioSettings settings(String token, URI publicBase, Duration answerWait, Map<String, String> domains) {
        return new TwilioSettings(Harness.ACCOUNT_SID, token, publicBase, null, null, false, answerWait, domains, null);
    }

    @Test
    void theCalledNumberPicksTheDomainHoweverItIsWritten() {
        TwilioSettings s = settings("token", URI.create("https://contact.example.com"), null,
                Map.of("+49 30 901820", "support", "whatsapp:+4930901899", "shop", "+4930901899", "sales"));

        assertThat(s.domainFor("+4930901820")).isEqualTo("support");
        assertThat(s.domainFor("whatsapp:+4930901820")).as("a WhatsApp sender falls back to its plain number").isEqualTo("support");
        assertThat(s.domainFor("whatsapp:+4930901899")).isEqualTo("shop");
        assertThat(s.domainFor("+4930901899")).isEqualTo("sales");
        assertThat(s.domainFor("+4930000000")).isEqualTo("default");
        assertThat(s.domainFor(null)).isEqualTo("default");
        assertThat(s.answerWait()).isEqualTo(Duration.ofSeconds(4));
    }

    @Test
    void thePublicBaseUrlIsUsedWithoutItsTrailingSlash() {
        assertThat(settings("token", URI.create("https://contact.example.com/router/"), null, null).publicBaseUrl())
                .isEqualTo(URI.create("https://contact.example.com/router"));
    }

    @Test
    void mistakesAreNamedWithWhatToDo() {
        URI base = URI.create("https://contact.example.com");
        assertThatThrownBy(() -> settings(null, base, null, null))
                .hasMessageContaining("twilio.authToken").hasMessageContaining("TWILIO_AUTH_TOKEN");
        assertThatThrownBy(() -> settings("token", URI.create("/twilio"), null, null))
                .hasMessageContaining("twilio.publicBaseUrl").hasMessageContaining("absolute");
        assertThatThrownBy(() -> settings("token", base, Duration.ofSeconds(15), null))
                .hasMessageContaining("twilio.answerWait").hasMessageContaining("15 s");
        assertThatThrownBy(() -> settings("token", base, null, Map.of("030 901820", "support")))
                .hasMessageContaining("twilio.domainByNumber").hasMessageContaining("030 901820");
    }

    @Test
    void theAuthTokenIsNeverShown() {
        assertThat(settings("s3cr3t-token-value", URI.create("https://contact.example.com"), null, null).toString())
                .doesNotContain("s3cr3t-token-value").contains(Harness.ACCOUNT_SID);
    }

    @Test
    void theWaitIsSaidInWords() {
        assertThat(CallScripts.inWords(Duration.ofSeconds(20))).isEqualTo("less than a minute");
        assertThat(CallScripts.inWords(Duration.ofSeconds(80))).isEqualTo("about 1 minute");
        assertThat(CallScripts.inWords(Duration.ofMinutes(12))).isEqualTo("about 12 minutes");
        assertThat(CallScripts.inWords(Duration.ofMinutes(130))).isEqualTo("about 2 hours");
    }
}
