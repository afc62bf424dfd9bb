package org.contactrouter.channels.twilio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.contactrouter.channels.twilio.Harness.ACCOUNT_SID;
import static org.contactrouter.channels.twilio.Harness.CUSTOMER;
import static org.contactrouter.channels.twilio.Harness.NOW;
import static org.contactrouter.channels.twilio.Harness.OUR_NUMBER;
import static org.contactrouter.channels.twilio.Harness.PUBLIC_BASE;
import static org.contactrouter.channels.twilio.Harness.form;
import static org.contactrouter.channels.twilio.Harness.inboundCall;
import static org.contactrouter.channels.twilio.Harness.twiml;
import static org.contactrouter.channels.twilio.Harness.verbNames;
import static org.contactrouter.channels.twilio.Harness.verbs;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.contactrouter.events.Channel;
import org.contactrouter.events.ContactEvent;
import org.contactrouter.events.ContactOpened;
import org.contactrouter.events.CustomerLeft;
import org.contactrouter.events.CustomerMessage;
import org.contactrouter.events.EventIds;
import org.contactrouter.events.Identity;
import org.contactrouter.events.OutboundKind;
import org.contactrouter.events.OutboundMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;

/** Inbound calls: the contact event, what the caller hears, the status callbacks and the voicemail. */
class VoiceWebhookTest {

    private static final String CALL = "CA5f0c2b6d1e9a4c3b8d7e6f5a4b3c2d1e";

    private Harness h;

    @AfterEach
    void stop() {
        if (h != null) {
            h.close();
        }
    }

    private static OutboundMessage answer(String callSid, OutboundKind kind, String text, Duration wait, Instant due) {
        return new OutboundMessage("d-" + kind + "-" + callSid, "support", "c-1", Channel.VOICE, callSid, OUR_NUMBER,
                kind, NOW, null, null, null, text, wait, due);
    }

    @Test
    void theCallIsPublishedAsAContactOpenedInTheDomainOfTheCalledNumber() throws IOException {
        h = new Harness(Duration.ofMillis(200), true);

        HttpResponse<String> response = h.twilioPosts("/twilio/voice", inboundCall(CALL, CUSTOMER));

        assertThat(response.statusCode()).isEqualTo(200);
        ContactEvent event = h.publisher.only();
        assertThat(event.id()).isEqualTo(EventIds.twilioCall(CALL));
        assertThat(event.source()).isEqualTo("/twilio/voice");
        assertThat(event.domain()).isEqualTo("support");
        assertThat(event.subject()).isEqualTo("voice:" + CALL);
        assertThat(event.time()).isEqualTo(NOW);
        ContactOpened call = (ContactOpened) event.data();
        assertThat(call.channel()).isEqualTo(Channel.VOICE);
        assertThat(call.conversation()).isEqualTo(CALL);
        assertThat(call.customer().identities()).containsExactly(Identity.phone(CUSTOMER));
        assertThat(call.endpoint()).isEqualTo(OUR_NUMBER);
        assertThat(call.text()).isNull();
    }

    @Test
    void theAcknowledgementObservedWhileTheWebhookWaitsIsSpokenAndTheCallerQueued() throws Exception {
        h = new Harness(Duration.ofSeconds(5), true);
        OutboundMessage ack = answer(CALL, OutboundKind.ACKNOWLEDGEMENT,
                "Thank you for contacting us. An agent will answer in about 3 minutes.", Duration.ofMinutes(3), null);
        // The router's answer arrives on another thread, a little after the event was stored.
        h.publisher.onPublish(e -> CompletableFuture.runAsync(() -> h.channel.observe(ack),
                CompletableFuture.delayedExecutor(150, TimeUnit.MILLISECONDS)));

        long start = System.nanoTime();
        HttpResponse<String> response = h.twilioPosts("/twilio/voice", inboundCall(CALL, CUSTOMER));
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/xml"));
        assertThat(took).as("answered when the acknowledgement came, not after answerWait").isLessThan(Duration.ofSeconds(4));
        Element twiml = twiml(response.body());
        assertThat(verbNames(twiml)).containsExactly("Say", "Enqueue");
        assertThat(verbs(twiml).get(0).getTextContent()).isEqualTo(ack.text());
        Element enqueue = verbs(twiml).get(1);
        assertThat(enqueue.getTextContent()).isEqualTo("support");
        assertThat(enqueue.getAttribute("waitUrl")).isEqualTo("https://hold.example.com/music.xml");
    }

    @Test
    void anAnswerThatComesBeforePublishReturnsIsNotMissed() throws Exception {
        h = new Harness(Duration.ofSeconds(5), true);
        OutboundMessage ack = answer(CALL, OutboundKind.ACKNOWLEDGEMENT,
                "Thank you for contacting us. An agent will answer in less than a minute.", Duration.ZERO, null);
        h.publisher.onPublish(e -> h.channel.observe(ack));

        HttpResponse<String> response = h.twilioPosts("/twilio/voice", inboundCall(CALL, CUSTOMER));

        assertThat(verbs(twiml(response.body())).get(0).getTextContent()).isEqualTo(ack.text());
    }

    @Test
    void anAcknowledgementWithoutTextSaysTheWaitInWords() throws Exception {
        h = new Harness(Duration.ofSeconds(5), true);
        h.publisher.onPublish(e -> h.channel.observe(
                answer(CALL, OutboundKind.ACKNOWLEDGEMENT, null, Duration.ofMinutes(12), null)));

        HttpResponse<String> response = h.twilioPosts("/twilio/voice", inboundCall(CALL, CUSTOMER));

        assertThat(verbs(twiml(response.body())).get(0).getTextContent())
                .isEqualTo("Thank you for calling. An agent will answer in about 12 minutes.");
    }

    @Test
    void withoutAnAnswerInTimeTheCallerIsGreetedAndQueuedAndTheContactIsKept() throws Exception {
        h = new Harness(Duration.ofMillis(300), true);
        // An answer for another call must not complete this one.
        h.publisher.onPublish(e -> h.channel.observe(answer("CAother", OutboundKind.AFTER_HOURS, "closed", null, null)));

        HttpResponse<String> response = h.twilioPosts("/twilio/voice", inboundCall(CALL, CUSTOMER));

        assertThat(response.statusCode()).isEqualTo(200);
        Element twiml = twiml(response.body());
        assertThat(verbNames(twiml)).containsExactly("Say", "Enqueue");
        assertThat(verbs(twiml).get(0).getTextContent())
                .isEqualTo("Thank you for calling. Please hold, an agent will be with you as soon as possible.");
        assertThat(h.publisher.only().id()).isEqualTo(EventIds.twilioCall(CALL));
    }

    @Test
    void afterHoursTheCallerHearsWhenWeCallBackAndMayLeaveAVoicemail() throws Exception {
        h = new Harness(Duration.ofSeconds(5), true);
        OutboundMessage closed = answer(CALL, OutboundKind.AFTER_HOURS, "Thank you for contacting us. We are closed"
                + " right now; we will get back to you on Tuesday 24 November at 08:00 (Europe/Berlin).", null,
                Instant.parse("2026-11-24T07:00:00Z"));
        h.publisher.onPublish(e -> h.channel.observe(closed));

        HttpResponse<String> response = h.twilioPosts("/twilio/voice", inboundCall(CALL, CUSTOMER));

        Element twiml = twiml(response.body());
        assertThat(verbNames(twiml)).containsExactly("Say", "Say", "Record", "Hangup");
        assertThat(verbs(twiml).get(0).getTextContent()).isEqualTo(closed.text());
        Element record = verbs(twiml).get(2);
        String callback = PUBLIC_BASE + "/twilio/voice/recording?caller=%2B4917012345678&called=%2B4930901820";
        assertThat(record.getAttribute("recordingStatusCallback")).isEqualTo(callback);
        assertThat(record.getAttribute("action")).as("without action Twilio would call /twilio/voice again").isEqualTo(callback);
        assertThat(URI.create(callback).getPath()).isEqualTo(URI.create(PUBLIC_BASE).getPath() + "/twilio/voice/recording");
    }

    @Test
    void afterHoursWithoutVoicemailTheCallEndsAfterTheNotice() throws Exception {
        h = new Harness(Duration.ofSeconds(5), false);
        h.publisher.onPublish(e -> h.channel.observe(answer(CALL, OutboundKind.AFTER_HOURS, "We are closed.", null, null)));

        Element twiml = twiml(h.twilioPosts("/twilio/voice", inboundCall(CALL, CUSTOMER)).body());

        assertThat(verbNames(twiml)).containsExactly("Say", "Hangup");
    }

    @Test
    void whenTheContactCannotBeStoredTheAnswerIs503AndNeverTwiml() throws Exception {
        h = new Harness(Duration.ofSeconds(5), true);
        h.publisher.failing(true);

        HttpResponse<String> response = h.twilioPosts("/twilio/voice", inboundCall(CALL, CUSTOMER));

        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(response.body()).contains(CALL).contains("could not be stored").doesNotContain("<Response");
    }

    @Test
    void aRedeliveredCallHasTheSameEventIdAndHearsTheRouterAnswerAgain() throws Exception {
        h = new Harness(Duration.ofSeconds(5), true);
        OutboundMessage ack = answer(CALL, OutboundKind.ACKNOWLEDGEMENT, "An agent will answer in about 2 minutes.",
                Duration.ofMinutes(2), null);
        h.publisher.onPublish(e -> {
            if (h.publisher.events().size() == 1) {
                h.channel.observe(ack); // the router answers the first delivery only: the second is a duplicate
            }
        });

        HttpResponse<String> first = h.twilioPosts("/twilio/voice", inboundCall(CALL, CUSTOMER));
        long start = System.nanoTime();
        HttpResponse<String> again = h.twilioPosts("/twilio/voice", inboundCall(CALL, CUSTOMER));

        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(4));
        assertThat(again.body()).isEqualTo(first.body());
        assertThat(verbs(twiml(again.body())).get(0).getTextContent()).isEqualTo(ack.text());
        assertThat(h.publisher.events()).extracting(ContactEvent::id)
                .containsExactly(EventIds.twilioCall(CALL), EventIds.twilioCall(CALL));
    }

    @Test
    void aWithheldNumberBecomesACustomerOfThisCallOnly() throws Exception {
        h = new Harness(Duration.ofMillis(100), true);

        h.twilioPosts("/twilio/voice", inboundCall("CA1", "+266696687"));
        h.twilioPosts("/twilio/voice", inboundCall("CA2", "anonymous"));

        List<ContactOpened> calls = h.publisher.events().stream().map(e -> (ContactOpened) e.data()).toList();
        assertThat(calls).allSatisfy(c -> {
            assertThat(c.customer().primary().kind()).isNotEqualTo(Identity.Kind.PHONE);
            assertThat(c.attributes()).containsEntry("callerId", "withheld");
        });
        assertThat(calls.get(0).customer().primary()).isNotEqualTo(calls.get(1).customer().primary());
    }

    @Test
    void callStatusesThatEndTheCallPublishCustomerLeftOnceEach() throws Exception {
        h = new Harness(Duration.ofMillis(100), true);

        for (String status : List.of("ringing", "in-progress", "completed", "completed")) {
            HttpResponse<String> response = h.twilioPosts("/twilio/voice/status", form("AccountSid", ACCOUNT_SID,
                    "CallSid", CALL, "CallStatus", status, "From", CUSTOMER, "To", OUR_NUMBER, "Direction", "inbound",
                    "CallDuration", "95", "Timestamp", "Mon, 23 Nov 2026 15:01:35 +0000"));
            assertThat(response.statusCode()).as(status).isEqualTo(200);
        }
        h.twilioPosts("/twilio/voice/status", form("CallSid", "CA9", "CallStatus", "no-answer", "To", OUR_NUMBER));

        assertThat(h.publisher.events()).extracting(ContactEvent::id).containsExactly(
                EventIds.twilioCallStatus(CALL, "completed"), EventIds.twilioCallStatus(CALL, "completed"),
                EventIds.twilioCallStatus("CA9", "no-answer"));
        ContactEvent left = h.publisher.events().get(0);
        assertThat(left.domain()).isEqualTo("support");
        assertThat(left.data()).isEqualTo(new CustomerLeft(Channel.VOICE, CALL, "completed"));
        assertThat(h.publisher.events().get(2).data()).isEqualTo(new CustomerLeft(Channel.VOICE, "CA9", "no-answer"));
    }

    @Test
    void aVoicemailIsACustomerMessageOnTheCallWithTheRecordingUrl() throws Exception {
        h = new Harness(Duration.ofMillis(100), true);
        String recording = "https://api.twilio.com/2010-04-01/Accounts/" + ACCOUNT_SID + "/Recordings/RE0123456789abcdef0123456789abcdef";

        // The status callback: no From or To, they come from the callback URL's query.
        HttpResponse<String> status = h.twilioPosts("/twilio/voice/recording",
                "caller=%2B4917012345678&called=%2B4930901820",
                form("AccountSid", ACCOUNT_SID, "CallSid", CALL, "RecordingSid", "RE0123456789abcdef0123456789abcdef",
                        "RecordingUrl", recording, "RecordingStatus", "completed", "RecordingDuration", "17",
                        "RecordingChannels", "1", "RecordingSource", "RecordVerb"));
        // The action request of <Record>, with the call's parameters.
        HttpResponse<String> action = h.twilioPosts("/twilio/voice/recording",
                "caller=%2B4917012345678&called=%2B4930901820",
                form("AccountSid", ACCOUNT_SID, "CallSid", CALL, "From", CUSTOMER, "To", OUR_NUMBER,
                        "CallStatus", "in-progress", "RecordingSid", "RE0123456789abcdef0123456789abcdef",
                        "RecordingUrl", recording, "RecordingDuration", "17", "Digits", "#"));

        assertThat(status.statusCode()).isEqualTo(200);
        assertThat(verbNames(twiml(action.body()))).containsExactly("Say", "Hangup");
        assertThat(h.publisher.events()).hasSize(2).allSatisfy(e -> {
            assertThat(e.id()).isEqualTo("twilio:RE0123456789abcdef0123456789abcdef");
            assertThat(e.domain()).isEqualTo("support");
            CustomerMessage voicemail = (CustomerMessage) e.data();
            assertThat(voicemail.channel()).isEqualTo(Channel.VOICE);
            assertThat(voicemail.conversation()).isEqualTo(CALL);
            assertThat(voicemail.customer().identities()).containsExactly(Identity.phone(CUSTOMER));
            assertThat(voicemail.text()).isEqualTo("Voicemail (17 s): " + recording);
            assertThat(voicemail.attributes()).containsEntry("recordingUrl", recording);
        });
        assertThat(h.publisher.events().get(0)).isEqualTo(h.publisher.events().get(1));
    }

    @Test
    void aFailedRecordingPublishesNothing() throws Exception {
        h = new Harness(Duration.ofMillis(100), true);

        HttpResponse<String> response = h.twilioPosts("/twilio/voice/recording", form("CallSid", CALL,
                "RecordingSid", "RE1", "RecordingUrl", "https://api.twilio.com/x", "RecordingStatus", "failed"));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(h.publisher.events()).isEmpty();
    }

    @Test
    void aVoiceRequestWithoutCallSidIsRefusedWithTheReason() throws Exception {
        h = new Harness(Duration.ofMillis(100), true);

        HttpResponse<String> response = h.twilioPosts("/twilio/voice", form("From", CUSTOMER, "To", OUR_NUMBER));

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).contains("CallSid");
        assertThat(h.publisher.events()).isEmpty();
    }
}
