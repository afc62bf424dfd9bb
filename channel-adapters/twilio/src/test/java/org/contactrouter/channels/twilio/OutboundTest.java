package org.contactrouter.channels.twilio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.contactrouter.channels.twilio.Harness.ACCOUNT_SID;
import static org.contactrouter.channels.twilio.Harness.AUTH_TOKEN;
import static org.contactrouter.channels.twilio.Harness.CUSTOMER;
import static org.contactrouter.channels.twilio.Harness.NOW;
import static org.contactrouter.channels.twilio.Harness.OUR_NUMBER;
import static org.contactrouter.channels.twilio.Harness.PUBLIC_BASE;
import static org.contactrouter.channels.twilio.Harness.twiml;
import static org.contactrouter.channels.twilio.Harness.verbNames;
import static org.contactrouter.channels.twilio.Harness.verbs;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import org.contactrouter.channels.twilio.TwilioApiStub.Answer;
import org.contactrouter.channels.twilio.TwilioApiStub.Recorded;
import org.contactrouter.events.Channel;
import org.contactrouter.events.OutboundKind;
import org.contactrouter.events.OutboundMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;

/** What {@code send} asks of Twilio's REST API, as the SDK sends it, and how it fails. */
class OutboundTest {

    private static final String CALL = "CA5f0c2b6d1e9a4c3b8d7e6f5a4b3c2d1e";
    private static final String MESSAGES_PATH = "/2010-04-01/Accounts/" + ACCOUNT_SID + "/Messages.json";
    private static final String CALL_PATH = "/2010-04-01/Accounts/" + ACCOUNT_SID + "/Calls/" + CALL + ".json";

    private Harness h;

    @AfterEach
    void stop() {
        if (h != null) {
            h.close();
        }
    }

    private static OutboundMessage message(String id, Channel channel, String conversation, OutboundKind kind,
                                           String agentId, String agentName, String text) {
        return new OutboundMessage(id, "support", "c-1", channel, conversation, OUR_NUMBER, kind, NOW, agentId,
                agentName, null, text, null, null);
    }

    private static OutboundMessage sms(String id, OutboundKind kind, String text) {
        return message(id, Channel.SMS, CUSTOMER + "/" + OUR_NUMBER, kind, "anna", "Anna", text);
    }

    @Test
    void anAcknowledgementIsSentAsAnSmsFromOurNumberWithAStatusCallback() throws IOException {
        h = new Harness();

        h.channel.send(sms("d-1:ack", OutboundKind.ACKNOWLEDGEMENT,
                "Thank you for contacting us. An agent will answer in about 3 minutes."));

        Recorded request = single(h.api.requests());
        assertThat(request.method()).isEqualTo("POST");
        assertThat(request.path()).isEqualTo(MESSAGES_PATH);
        assertThat(request.contentType()).startsWith("application/x-www-form-urlencoded");
        assertThat(request.authorization()).isEqualTo("Basic " + Base64.getEncoder()
                .encodeToString((ACCOUNT_SID + ":" + AUTH_TOKEN).getBytes(StandardCharsets.US_ASCII)));
        assertThat(request.param("To")).isEqualTo(CUSTOMER);
        assertThat(request.param("From")).isEqualTo(OUR_NUMBER);
        assertThat(request.param("Body")).isEqualTo("Thank you for contacting us. An agent will answer in about 3 minutes.");
        assertThat(request.param("StatusCallback")).isEqualTo(PUBLIC_BASE + "/twilio/sms/status?outbound=d-1%3Aack");
    }

    @Test
    void aReplyIsSignedWithTheAgentsNameAndGoesOutOnWhatsApp() throws IOException {
        h = new Harness();

        h.channel.send(message("d-2", Channel.WHATSAPP, CUSTOMER + "/+4930901899", OutboundKind.REPLY, "anna", "Anna",
                "I have reset your line; please restart the router."));

        Recorded request = single(h.api.requests());
        assertThat(request.param("To")).isEqualTo("whatsapp:" + CUSTOMER);
        assertThat(request.param("From")).isEqualTo("whatsapp:+4930901899");
        assertThat(request.param("Body")).isEqualTo("I have reset your line; please restart the router.\n— Anna");
    }

    @Test
    void agentJoinedHandoverAndAfterHoursAreSentAndClosedIsNot() throws IOException {
        h = new Harness();

        h.channel.send(sms("d-3", OutboundKind.AFTER_HOURS, "We are closed right now."));
        h.channel.send(sms("d-4", OutboundKind.AGENT_JOINED, "Anna is now looking after you."));
        h.channel.send(sms("d-5", OutboundKind.HANDOVER, "Jonas takes over your conversation from here."));
        h.channel.send(sms("d-6", OutboundKind.CLOSED, "This conversation is closed. Thank you for contacting us."));

        assertThat(h.api.requests()).extracting(r -> r.param("Body")).containsExactly("We are closed right now.",
                "Anna is now looking after you.", "Jonas takes over your conversation from here.");
    }

    @Test
    void aRedeliveredMessageIsNotSentTwice() throws IOException {
        h = new Harness();
        OutboundMessage reply = sms("d-7", OutboundKind.REPLY, "Done.");

        h.channel.send(reply);
        h.channel.send(reply);

        assertThat(h.api.requests()).hasSize(1);
    }

    @Test
    void aTextLongerThanTwilioAcceptsGoesOutInSeveralMessages() throws IOException {
        h = new Harness();
        String text = "word ".repeat(500).strip(); // 2,499 characters

        h.channel.send(sms("d-8", OutboundKind.REPLY, text));

        List<String> bodies = h.api.requests().stream().map(r -> r.param("Body")).toList();
        assertThat(bodies).hasSize(2).allSatisfy(b -> assertThat(b.length()).isLessThanOrEqualTo(1600));
        assertThat(String.join("", bodies)).isEqualTo(text + "\n— Anna");
    }

    @Test
    void aPartlySentLongTextResumesWhereItFailed() throws IOException {
        h = new Harness();
        String text = "word ".repeat(500).strip();
        int[] calls = {0};
        h.api.answer(r -> ++calls[0] == 1 ? h.api.likeTwilio(r) : TwilioApiStub.error(503, 20503, "Service Unavailable"));

        assertThatThrownBy(() -> h.channel.send(sms("d-9", OutboundKind.REPLY, text))).isInstanceOf(TwilioSendException.class);
        h.api.answer(h.api::likeTwilio);
        h.channel.send(sms("d-9", OutboundKind.REPLY, text));

        List<String> delivered = h.api.requests().stream()
                .filter(r -> r.param("Body") != null).map(r -> r.param("Body")).distinct().toList();
        assertThat(delivered).hasSize(2);
        assertThat(h.api.requests().stream().filter(r -> r.param("Body").equals(delivered.get(0)))).hasSize(1);
    }

    @Test
    void anAgentJoiningACallBridgesItToTheAgentsBrowserClient() throws IOException {
        h = new Harness();

        h.channel.send(message("d-10", Channel.VOICE, CALL, OutboundKind.AGENT_JOINED, "anna", "Anna",
                "Anna is now looking after you."));

        Recorded request = single(h.api.requests());
        assertThat(request.method()).isEqualTo("POST");
        assertThat(request.path()).isEqualTo(CALL_PATH);
        assertThat(request.authorization()).startsWith("Basic ");
        Element twiml = twiml(request.param("Twiml"));
        assertThat(verbNames(twiml)).containsExactly("Say", "Dial");
        assertThat(verbs(twiml).get(0).getTextContent()).isEqualTo("Connecting you to Anna.");
        Element client = (Element) verbs(twiml).get(1).getElementsByTagName("Client").item(0);
        assertThat(client.getTextContent()).isEqualTo("anna");
    }

    @Test
    void anAgentWithAPhoneNumberHasTheCallBridgedToThatNumber() throws IOException {
        h = new Harness();

        h.channel.send(new OutboundMessage("d-14", "support", "c-1", Channel.VOICE, CALL, OUR_NUMBER,
                OutboundKind.AGENT_JOINED, NOW, "anna", "Anna", "+4917011112222", "Anna is now looking after you.",
                null, null));

        Element dial = verbs(twiml(single(h.api.requests()).param("Twiml"))).get(1);
        assertThat(dial.getElementsByTagName("Client").getLength()).isZero();
        assertThat(dial.getElementsByTagName("Number").item(0).getTextContent()).isEqualTo("+4917011112222");
    }

    @Test
    void aHandoverBridgesTheCallToTheNewAgentAndOtherKindsSayNothingOnACall() throws IOException {
        h = new Harness();

        h.channel.send(message("d-11", Channel.VOICE, CALL, OutboundKind.ACKNOWLEDGEMENT, null, null, "Thank you."));
        h.channel.send(message("d-12", Channel.VOICE, CALL, OutboundKind.REPLY, "anna", "Anna", "typed text"));
        h.channel.send(message("d-13", Channel.VOICE, CALL, OutboundKind.HANDOVER, "jonas", "Jonas", "Jonas takes over."));
        h.channel.send(message("d-13", Channel.VOICE, CALL, OutboundKind.HANDOVER, "jonas", "Jonas", "Jonas takes over."));

        Recorded request = single(h.api.requests());
        Element twiml = twiml(request.param("Twiml"));
        assertThat(verbs(twiml).get(0).getTextContent()).isEqualTo("Connecting you to Jonas.");
        assertThat(verbs(twiml).get(1).getElementsByTagName("Client").item(0).getTextContent()).isEqualTo("jonas");
    }

    @Test
    void whenTheCallerHungUpBeforeTheBridgeNothingIsRetried() throws IOException {
        h = new Harness();
        h.api.answer(r -> r.method().equals("POST")
                ? TwilioApiStub.error(400, 21220, "Call is not in-progress. Cannot redirect.")
                : h.api.likeTwilio(r));
        h.api.callStatus("completed");

        h.channel.send(message("d-14", Channel.VOICE, CALL, OutboundKind.AGENT_JOINED, "anna", "Anna", "x"));

        assertThat(h.api.requests()).extracting(Recorded::method).containsExactly("POST", "GET");
    }

    @Test
    void aCallNotYetInProgressIsRetriedLater() throws IOException {
        h = new Harness();
        h.api.answer(r -> r.method().equals("POST")
                ? TwilioApiStub.error(400, 21220, "Call is not in-progress. Cannot redirect.")
                : h.api.likeTwilio(r));
        h.api.callStatus("ringing");

        assertThatThrownBy(() -> h.channel.send(message("d-15", Channel.VOICE, CALL, OutboundKind.AGENT_JOINED, "anna",
                "Anna", "x")))
                .isInstanceOfSatisfying(TwilioSendException.class, e -> {
                    assertThat(e.retryable()).isTrue();
                    assertThat(e.getMessage()).contains(CALL).contains("21220").contains("ringing");
                });
        assertThat(h.api.requests()).extracting(Recorded::method).containsExactly("POST", "GET");
    }

    @Test
    void aServerErrorMakesSendThrowARetryableError() throws IOException {
        h = new Harness();
        h.api.answer(r -> TwilioApiStub.error(500, 20500, "Internal Server Error"));

        assertThatThrownBy(() -> h.channel.send(sms("d-16", OutboundKind.REPLY, "hello")))
                .isInstanceOfSatisfying(TwilioSendException.class, e -> {
                    assertThat(e.retryable()).isTrue();
                    assertThat(e.twilioCode()).isEqualTo(20500);
                    assertThat(e.getMessage()).contains("d-16").contains(CUSTOMER).contains("HTTP 500");
                });
        // Sent again later, it goes out: a failed message is not remembered as sent.
        h.api.answer(h.api::likeTwilio);
        h.channel.send(sms("d-16", OutboundKind.REPLY, "hello"));
        assertThat(h.api.requests().get(h.api.requests().size() - 1).param("Body")).isEqualTo("hello\n— Anna");
    }

    @Test
    void aTimeoutMakesSendThrowARetryableError() throws IOException {
        h = new Harness(Duration.ofSeconds(2), true, Duration.ofMillis(300));
        h.api.answer(r -> new Answer(201, "{}", 2_000));

        assertThatThrownBy(() -> h.channel.send(sms("d-17", OutboundKind.REPLY, "hello")))
                .isInstanceOfSatisfying(TwilioSendException.class, e -> assertThat(e.retryable()).isTrue());
    }

    @Test
    void anInvalidNumberIsNotRetryable() throws IOException {
        h = new Harness();
        h.api.answer(r -> TwilioApiStub.error(400, 21211, "Invalid 'To' Phone Number: +4917012345678"));

        assertThatThrownBy(() -> h.channel.send(sms("d-18", OutboundKind.REPLY, "hello")))
                .isInstanceOfSatisfying(TwilioSendException.class, e -> {
                    assertThat(e.retryable()).isFalse();
                    assertThat(e.twilioCode()).isEqualTo(21211);
                    assertThat(e.getMessage()).contains("Invalid 'To' Phone Number").contains("will not help");
                });
    }

    @Test
    void otherChannelsAndForeignConversationsAreRefused() throws IOException {
        h = new Harness();

        assertThatThrownBy(() -> h.channel.send(message("d-19", Channel.EMAIL, "root@mail", OutboundKind.REPLY, "anna",
                "Anna", "hi"))).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("email");
        assertThatThrownBy(() -> h.channel.send(message("d-20", Channel.SMS, "CA123", OutboundKind.REPLY, "anna",
                "Anna", "hi"))).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("CA123");
        assertThat(h.api.requests()).isEmpty();
    }

    private static Recorded single(List<Recorded> requests) {
        assertThat(requests).hasSize(1);
        return requests.get(0);
    }
}
