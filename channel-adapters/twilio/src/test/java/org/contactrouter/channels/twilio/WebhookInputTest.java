package org.contactrouter.channels.twilio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.contactrouter.channels.twilio.Harness.ACCOUNT_SID;
import static org.contactrouter.channels.twilio.Harness.AUTH_TOKEN;
import static org.contactrouter.channels.twilio.Harness.CUSTOMER;
import static org.contactrouter.channels.twilio.Harness.OUR_NUMBER;
import static org.contactrouter.channels.twilio.Harness.PUBLIC_BASE;
import static org.contactrouter.channels.twilio.Harness.form;
import static org.contactrouter.channels.twilio.Harness.inboundCall;
import static org.contactrouter.channels.twilio.Harness.twiml;
import static org.contactrouter.channels.twilio.Harness.verbNames;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.contactrouter.events.ContactOpened;
import org.contactrouter.events.CustomerMessage;
import org.contactrouter.events.EventIds;
import org.contactrouter.events.Identity;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What a correctly signed webhook may carry that Twilio would not normally send: huge counts, withheld callers, odd
 * ids, odd values in every parameter. Each gets bounded work and TwiML or a 400 that says what is wrong, never a 5xx.
 */
class WebhookInputTest {

    private static final String CALL = "CA5f0c2b6d1e9a4c3b8d7e6f5a4b3c2d1e";
    private static final String RECORDING = "RE0123456789abcdef0123456789abcdef";
    /** Values no parameter may turn into a 5xx; null stands for the parameter left out. */
    private static final List<String> ODD_VALUES = Arrays.asList(null, "", "   ", "anonymous", "+266696687", "-1",
            "2147483647", "%zz", "<Say>hello</Say>", "☎ ünïcödé ✓ 𝄞", "\u0000", "x".repeat(300));

    private Harness h;

    @BeforeEach
    void start() throws IOException {
        // The voice webhook answers at once instead of waiting for the router, so the many calls below are quick.
        h = new Harness(Duration.ZERO, true);
    }

    @AfterEach
    void stop() {
        h.close();
    }

    @Test
    void smsWithHugeNumMediaIsBoundedNotLooped() {
        Map<String, List<String>> sms = form("MessageSid", "SM0123456789abcdef0123456789abcdef", "From", CUSTOMER,
                "To", OUR_NUMBER, "Body", "photos", "NumMedia", "2147483647");
        for (int i = 0; i < 12; i++) {
            sms.put("MediaUrl" + i, List.of("https://api.twilio.com/media/ME" + i));
        }

        HttpResponse<String> response = h.twilioPosts("/twilio/sms", sms);

        assertThat(response.statusCode()).isEqualTo(200);
        CustomerMessage message = (CustomerMessage) h.publisher.only().data();
        assertThat(message.text().lines().filter(l -> l.startsWith("Attachment: "))).hasSize(10);
        assertThat(message.attributes()).containsKeys("mediaUrl0", "mediaUrl9").doesNotContainKeys("mediaUrl10", "mediaUrl11");
    }

    @Test
    void smsWithNegativeOrNonNumericNumMediaStillListsTheMediaPresent() {
        List<String> counts = List.of("-1", "-2147483648", "lots", "99999999999999999999");
        for (int i = 0; i < counts.size(); i++) {
            HttpResponse<String> response = h.twilioPosts("/twilio/sms", form("MessageSid", "SM" + i, "From", CUSTOMER,
                    "To", OUR_NUMBER, "NumMedia", counts.get(i), "MediaUrl0", "https://api.twilio.com/media/ME0"));
            assertThat(response.statusCode()).as(counts.get(i)).isEqualTo(200);
        }

        assertThat(h.publisher.events()).hasSize(counts.size()).allSatisfy(e ->
                assertThat(((CustomerMessage) e.data()).text()).isEqualTo("Attachment: https://api.twilio.com/media/ME0"));
    }

    @Test
    void withheldCallersStillBecomeContactsIdentifiedByTheirCall() {
        List<String> withheld = Arrays.asList("anonymous", "Anonymous", "+266696687", "+86282452253", "+7378742833",
                "+2562533", "", null);
        for (int i = 0; i < withheld.size(); i++) {
            String callSid = String.format("CA%032d", i);
            Map<String, List<String>> call = inboundCall(callSid, CUSTOMER);
            if (withheld.get(i) == null) {
                call.remove("From");
                call.remove("Caller");
            } else {
                call.put("From", List.of(withheld.get(i)));
                call.put("Caller", List.of(withheld.get(i)));
            }

            HttpResponse<String> response = h.twilioPosts("/twilio/voice", call);

            assertThat(response.statusCode()).as("From %s", withheld.get(i)).isEqualTo(200);
            assertThat(verbNames(twiml(response.body()))).as("From %s", withheld.get(i)).containsExactly("Say", "Enqueue");
            ContactOpened opened = (ContactOpened) h.publisher.events().get(i).data();
            assertThat(opened.customer().identities()).as("From %s", withheld.get(i))
                    .containsExactly(Identity.chatVisitor("withheld-caller:" + callSid));
            assertThat(opened.attributes()).containsEntry("callerId", "withheld");
        }
    }

    @Test
    void oddCallSidsAreRefusedWith400NamingTheParameterOnEveryCallWebhook() {
        List<String> odd = Arrays.asList(null, "", "   ", "CA" + "0".repeat(298), "CA☎0123456789abcdef0123456789abcd",
                "CA01234567-89abcdef", "CA0123456789abcdef0123456789abcdef\n");
        for (String callSid : odd) {
            Map<String, List<String>> call = inboundCall(callSid == null ? "x" : callSid, "anonymous");
            Map<String, List<String>> status = form("CallSid", callSid == null ? "x" : callSid, "CallStatus", "completed",
                    "To", OUR_NUMBER);
            Map<String, List<String>> recording = form("CallSid", callSid == null ? "x" : callSid,
                    "RecordingSid", RECORDING, "RecordingUrl", "https://api.twilio.com/rec", "RecordingStatus", "completed");
            if (callSid == null) {
                call.remove("CallSid");
                status.remove("CallSid");
                recording.remove("CallSid");
            }
            for (Map.Entry<String, Map<String, List<String>>> webhook : Map.of("/twilio/voice", call,
                    "/twilio/voice/status", status, "/twilio/voice/recording", recording).entrySet()) {
                HttpResponse<String> response = h.twilioPosts(webhook.getKey(), webhook.getValue());
                assertThat(response.statusCode()).as("%s CallSid %s", webhook.getKey(), callSid).isEqualTo(400);
                assertThat(response.body()).as("%s CallSid %s", webhook.getKey(), callSid).contains("CallSid");
            }
        }
        assertThat(h.publisher.events()).isEmpty();
    }

    @Test
    void aCallSidWithAnotherPrefixIsStillACall() {
        String callSid = "XY0123456789abcdef0123456789abcdef";

        HttpResponse<String> response = h.twilioPosts("/twilio/voice", inboundCall(callSid, "anonymous"));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(h.publisher.only().id()).isEqualTo(EventIds.twilioCall(callSid));
    }

    @Test
    void aCallbackQueryThatIsNotPercentEncodedIsIgnoredNotA500() {
        String query = "caller=%zz&called=%2B4930901820";
        Map<String, List<String>> form = form("CallSid", CALL, "RecordingSid", RECORDING,
                "RecordingUrl", "https://api.twilio.com/rec", "RecordingStatus", "completed");
        String path = "/twilio/voice/recording";
        WebhookRequest request = new WebhookRequest(path, query, form,
                TwilioSignatures.sign(AUTH_TOKEN, PUBLIC_BASE + path + "?" + query, form));

        WebhookAnswer answer = h.channel.voiceRecording(request);

        assertThat(answer.status()).isEqualTo(200);
        CustomerMessage voicemail = (CustomerMessage) h.publisher.only().data();
        assertThat(voicemail.customer().identities()).containsExactly(Identity.chatVisitor("withheld-caller:" + CALL));
        assertThat(voicemail.endpoint()).isEqualTo(OUR_NUMBER);
    }

    @Test
    void noOddValueInAnyParameterOfAnyWebhookGivesA5xx() {
        Map<String, Map<String, List<String>>> webhooks = new LinkedHashMap<>();
        Map<String, List<String>> call = inboundCall(CALL, CUSTOMER);
        call.put("CallerName", List.of("Ann Lee"));
        webhooks.put("/twilio/voice", call);
        webhooks.put("/twilio/voice/status", form("CallSid", CALL, "CallStatus", "completed", "From", CUSTOMER,
                "To", OUR_NUMBER, "CallDuration", "95"));
        webhooks.put("/twilio/voice/recording?caller=%2B4917012345678&called=%2B4930901820", form("CallSid", CALL,
                "RecordingSid", RECORDING, "RecordingUrl", "https://api.twilio.com/rec", "RecordingStatus", "completed",
                "RecordingDuration", "17", "From", CUSTOMER, "To", OUR_NUMBER));
        webhooks.put("/twilio/sms", form("MessageSid", "SM0123456789abcdef0123456789abcdef", "AccountSid", ACCOUNT_SID,
                "From", CUSTOMER, "To", OUR_NUMBER, "Body", "hello", "NumMedia", "1",
                "MediaUrl0", "https://api.twilio.com/media/ME0", "MediaContentType0", "image/jpeg",
                "Latitude", "52.52", "Longitude", "13.405", "ProfileName", "Ann"));
        webhooks.put("/twilio/sms/status?outbound=d-1", form("MessageSid", "SM0123456789abcdef0123456789abcdef",
                "MessageStatus", "undelivered", "ErrorCode", "30003", "ErrorMessage", "Unreachable",
                "From", OUR_NUMBER, "To", CUSTOMER));

        List<String> answered = new ArrayList<>();
        webhooks.forEach((pathAndQuery, valid) -> {
            int q = pathAndQuery.indexOf('?');
            String path = q < 0 ? pathAndQuery : pathAndQuery.substring(0, q);
            String query = q < 0 ? null : pathAndQuery.substring(q + 1);
            for (String param : valid.keySet()) {
                for (String value : ODD_VALUES) {
                    Map<String, List<String>> form = new LinkedHashMap<>(valid);
                    if (value == null) {
                        form.remove(param);
                    } else {
                        form.put(param, List.of(value));
                    }
                    WebhookAnswer answer = signedAndAnswered(path, query, form);
                    String what = path + " " + param + "=" + (value == null ? "(left out)" : "'" + value + "'");
                    assertThat(answer.status()).as(what + ": " + answer.body()).isIn(200, 400);
                    if (answer.status() == 400) {
                        assertThat(answer.body()).as(what).isNotBlank();
                    }
                    answered.add(what);
                }
            }
        });
        assertThat(answered).hasSizeGreaterThan(400);
    }

    /**
     * A request signed as Twilio signs it, given to the webhook as the server gives it (without the HTTP round trip,
     * so hundreds of cases stay quick); a webhook that throws is answered 500, as the server would.
     */
    private WebhookAnswer signedAndAnswered(String path, String query, Map<String, List<String>> form) {
        String url = PUBLIC_BASE + path + (query == null ? "" : "?" + query);
        WebhookRequest request = new WebhookRequest(path, query, form, TwilioSignatures.sign(AUTH_TOKEN, url, form));
        Map<String, Function<WebhookRequest, WebhookAnswer>> webhooks = Map.of("/twilio/voice", h.channel::voice,
                "/twilio/voice/status", h.channel::voiceStatus, "/twilio/voice/recording", h.channel::voiceRecording,
                "/twilio/sms", h.channel::sms, "/twilio/sms/status", h.channel::messageStatus);
        try {
            return webhooks.get(path).apply(request);
        } catch (RuntimeException e) {
            return WebhookAnswer.text(500, "internal error: " + e);
        }
    }
}
