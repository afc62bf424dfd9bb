package org.contactrouter.channels.twilio;

import com.twilio.http.HttpMethod;
import com.twilio.twiml.MessagingResponse;
import com.twilio.twiml.TwiMLException;
import com.twilio.twiml.VoiceResponse;
import com.twilio.twiml.voice.Client;
import com.twilio.twiml.voice.Dial;
import com.twilio.twiml.voice.Enqueue;
import com.twilio.twiml.voice.Hangup;
import com.twilio.twiml.voice.Record;
import com.twilio.twiml.voice.Say;
import java.time.Duration;

/** What a caller hears, as TwiML: built with the Twilio SDK, so it is well-formed and escaped. */
final class CallScripts {

    static final String GREETING = "Thank you for calling.";
    static final String PLEASE_HOLD = "Please hold, an agent will be with you as soon as possible.";
    static final String LEAVE_A_MESSAGE = "Please leave a message after the tone, and press the hash key when you are done.";
    static final String GOODBYE = "Thank you for your message. Goodbye.";
    /** Longest voicemail, in seconds. */
    static final int VOICEMAIL_SECONDS = 180;

    private CallScripts() {
    }

    /** The caller waits in the domain's queue: the acknowledgement (with the expected wait), then hold music. */
    static String waitInQueue(String words, String queue, String holdMusicUrl) {
        Enqueue.Builder enqueue = new Enqueue.Builder(queue);
        if (holdMusicUrl != null) {
            enqueue.waitUrl(holdMusicUrl).waitUrlMethod(HttpMethod.GET);
        }
        return xml(new VoiceResponse.Builder()
                .say(new Say.Builder(words).build())
                .enqueue(enqueue.build())
                .build());
    }

    /**
     * Outside business hours: the after-hours notice, then a voicemail when enabled. The recording's action and
     * status callback both go to {@code recordingUrl} (the action must be set: without it Twilio would call the voice
     * webhook again and the caller would hear the notice once more); both carry the RecordingSid, so the router sees
     * one voicemail.
     */
    static String afterHours(String words, String recordingUrl, String recordingCallbackUrl) {
        VoiceResponse.Builder response = new VoiceResponse.Builder().say(new Say.Builder(words).build());
        if (recordingUrl != null) {
            response.say(new Say.Builder(LEAVE_A_MESSAGE).build())
                    .record(new Record.Builder()
                            .action(recordingUrl)
                            .method(HttpMethod.POST)
                            .maxLength(VOICEMAIL_SECONDS)
                            .finishOnKey("#")
                            .playBeep(true)
                            .recordingStatusCallback(recordingCallbackUrl)
                            .recordingStatusCallbackMethod(HttpMethod.POST)
                            .build());
        }
        return xml(response.hangup(new Hangup.Builder().build()).build());
    }

    /** After a voicemail: thanks, and the call ends. */
    static String goodbye() {
        return xml(new VoiceResponse.Builder()
                .say(new Say.Builder(GOODBYE).build())
                .hangup(new Hangup.Builder().build())
                .build());
    }

    /**
     * The call is bridged to the agent: to their phone when agents.yaml gives one, else to their browser client,
     * whose identity is the agent id.
     */
    static String connectToAgent(String agentName, String agentId, String agentPhone) {
        Dial.Builder dial = new Dial.Builder();
        if (agentPhone != null && !agentPhone.isBlank()) {
            dial.number(new com.twilio.twiml.voice.Number.Builder(agentPhone).build());
        } else {
            dial.client(new Client.Builder(agentId).build());
        }
        return xml(new VoiceResponse.Builder()
                .say(new Say.Builder("Connecting you to " + agentName + ".").build())
                .dial(dial.build())
                .build());
    }

    /** No reply to an SMS or WhatsApp message in the webhook: the router's answer is sent through the REST API. */
    static String emptyMessagingResponse() {
        try {
            return new MessagingResponse.Builder().build().toXml();
        } catch (TwiMLException e) {
            throw new IllegalStateException("building TwiML: " + e.getMessage(), e);
        }
    }

    /** "less than a minute", "about 1 minute", "about 12 minutes", "about 2 hours". */
    static String inWords(Duration wait) {
        long minutes = (wait.getSeconds() + 30) / 60;
        if (minutes < 1) {
            return "less than a minute";
        }
        if (minutes < 90) {
            return "about " + minutes + (minutes == 1 ? " minute" : " minutes");
        }
        return "about " + (minutes + 30) / 60 + " hours";
    }

    private static String xml(VoiceResponse response) {
        try {
            return response.toXml();
        } catch (TwiMLException e) {
            throw new IllegalStateException("building TwiML: " + e.getMessage(), e);
        }
    }
}
