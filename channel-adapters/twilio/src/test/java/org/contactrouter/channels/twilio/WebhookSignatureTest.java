package org.contactrouter.channels.twilio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.contactrouter.channels.twilio.Harness.ACCOUNT_SID;
import static org.contactrouter.channels.twilio.Harness.AUTH_TOKEN;
import static org.contactrouter.channels.twilio.Harness.CUSTOMER;
import static org.contactrouter.channels.twilio.Harness.OUR_NUMBER;
import static org.contactrouter.channels.twilio.Harness.PUBLIC_BASE;
import static org.contactrouter.channels.twilio.Harness.form;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.contactrouter.events.ContactEvent;
import org.contactrouter.events.EventIds;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Twilio's request signature, checked against Twilio's documented algorithm (the test signs without the SDK). A
 * wrong check loses messages, so the cases that broke other help desks are here: a proxy in front, a query string,
 * Messaging Service parameters.
 */
class WebhookSignatureTest {

    private Harness h;

    @BeforeEach
    void start() throws IOException {
        h = new Harness();
    }

    @AfterEach
    void stop() {
        h.close();
    }

    private static Map<String, List<String>> sms(String messageSid, String body) {
        return form("ToCountry", "DE", "SmsMessageSid", messageSid, "NumMedia", "0", "SmsSid", messageSid,
                "SmsStatus", "received", "Body", body, "To", OUR_NUMBER, "NumSegments", "1", "MessageSid", messageSid,
                "AccountSid", ACCOUNT_SID, "From", CUSTOMER, "ApiVersion", "2010-04-01");
    }

    @Test
    void aRequestSignedForThePublicUrlIsAcceptedAtTheLocalOne() {
        // The proxy case: Twilio signed https://contact.example.com/router/twilio/sms; we listen on 127.0.0.1.
        assertThat(h.webhooks.localBase().toString()).doesNotStartWith(PUBLIC_BASE);

        HttpResponse<String> response = h.twilioPosts("/twilio/sms", sms("SM11111111111111111111111111111111", "Hello"));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(h.publisher.only().id()).isEqualTo(EventIds.twilioMessage("SM11111111111111111111111111111111"));
    }

    @Test
    void aRequestWithoutSignatureIsRefusedAndNothingIsPublished() {
        HttpResponse<String> response = h.webhooks.post("/twilio/sms", sms("SM2", "Hello"), null);

        assertThat(response.statusCode()).isEqualTo(403);
        assertThat(response.body()).contains("no X-Twilio-Signature");
        assertThat(h.publisher.events()).isEmpty();
    }

    @Test
    void aWrongSignatureIsRefusedOnEveryWebhook() {
        Map<String, List<String>> form = sms("SM3", "Hello");
        String signedWithAnotherToken = TwilioSignatures.sign("another-accounts-token-0000000000", PUBLIC_BASE + "/twilio/sms", form);

        for (String path : List.of("/twilio/sms", "/twilio/sms/status", "/twilio/voice", "/twilio/voice/status",
                "/twilio/voice/recording")) {
            HttpResponse<String> response = h.webhooks.post(path, form, signedWithAnotherToken);
            assertThat(response.statusCode()).as(path).isEqualTo(403);
            assertThat(response.body()).as(path).contains("does not match").contains(PUBLIC_BASE + path);
        }
        assertThat(h.publisher.events()).isEmpty();
        assertThat(h.reports).isEmpty();
    }

    @Test
    void aBodyChangedAfterSigningIsRefused() {
        Map<String, List<String>> signed = sms("SM4", "Hello");
        String signature = TwilioSignatures.sign(AUTH_TOKEN, PUBLIC_BASE + "/twilio/sms", signed);

        HttpResponse<String> response = h.webhooks.post("/twilio/sms", sms("SM4", "Hello, send me money"), signature);

        assertThat(response.statusCode()).isEqualTo(403);
        assertThat(h.publisher.events()).isEmpty();
    }

    @Test
    void aRequestSignedForAnotherUrlIsRefused() {
        Map<String, List<String>> form = sms("SM5", "Hello");
        // Signed for the local address (what a server that ignores the proxy would check) and for another host.
        for (String url : List.of(h.webhooks.localBase() + "/twilio/sms", "https://evil.example.com/router/twilio/sms",
                PUBLIC_BASE + "/twilio/voice")) {
            HttpResponse<String> response = h.webhooks.post("/twilio/sms", form, TwilioSignatures.sign(AUTH_TOKEN, url, form));
            assertThat(response.statusCode()).as(url).isEqualTo(403);
        }
        assertThat(h.publisher.events()).isEmpty();
    }

    @Test
    void theQueryStringIsPartOfTheSignedUrl() {
        Map<String, List<String>> status = form("MessageSid", "SM6", "MessageStatus", "delivered", "From", OUR_NUMBER,
                "To", CUSTOMER, "AccountSid", ACCOUNT_SID, "ApiVersion", "2010-04-01");

        HttpResponse<String> signedWithQuery = h.twilioPosts("/twilio/sms/status", "outbound=d-42%3Aack", status);
        HttpResponse<String> signedWithoutQuery = h.webhooks.post("/twilio/sms/status?outbound=d-42%3Aack", status,
                TwilioSignatures.sign(AUTH_TOKEN, PUBLIC_BASE + "/twilio/sms/status", status));

        assertThat(signedWithQuery.statusCode()).isEqualTo(200);
        assertThat(signedWithoutQuery.statusCode()).isEqualTo(403);
        assertThat(h.reports).singleElement().satisfies(r -> assertThat(r.outboundId()).isEqualTo("d-42:ack"));
    }

    @Test
    void messagingServiceRequestsAreAccepted() {
        Map<String, List<String>> form = sms("SM77777777777777777777777777777777", "Hi from a service number");
        form.put("MessagingServiceSid", List.of("MG0123456789abcdef0123456789abcdef"));
        form.put("NumSegments", List.of("1"));
        form.put("ReferralNumMedia", List.of("0"));
        form.put("OptOutType", List.of("START"));

        HttpResponse<String> response = h.twilioPosts("/twilio/sms", form);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(h.publisher.only().id()).isEqualTo("twilio:SM77777777777777777777777777777777");
    }

    @Test
    void aReplayedMessageGetsTheSameEventIdAndIsAcknowledgedAgain() {
        Map<String, List<String>> form = sms("SM88888888888888888888888888888888", "Is my order on its way?");

        HttpResponse<String> first = h.twilioPosts("/twilio/sms", form);
        HttpResponse<String> replay = h.twilioPosts("/twilio/sms", form);

        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(replay.statusCode()).isEqualTo(200);
        assertThat(h.publisher.events()).extracting(ContactEvent::id).containsExactly(
                "twilio:SM88888888888888888888888888888888", "twilio:SM88888888888888888888888888888888");
        assertThat(h.publisher.events().get(1)).isEqualTo(h.publisher.events().get(0));
    }

    @Test
    void aRepeatedParameterIsSignedValueByValue() {
        Map<String, List<String>> form = sms("SM9", "two values");
        form.put("Tag", List.of("b", "a"));

        HttpResponse<String> response = h.twilioPosts("/twilio/sms", form);

        assertThat(response.statusCode()).isEqualTo(200);
    }

    @Test
    void theExplicitDefaultPortIsAcceptedAsTwilioMaySignWithIt() {
        Map<String, List<String>> form = sms("SM10", "port");
        String withPort = "https://contact.example.com:443/router/twilio/sms";

        HttpResponse<String> response = h.webhooks.post("/twilio/sms", form, TwilioSignatures.sign(AUTH_TOKEN, withPort, form));

        assertThat(response.statusCode()).isEqualTo(200);
    }
}
