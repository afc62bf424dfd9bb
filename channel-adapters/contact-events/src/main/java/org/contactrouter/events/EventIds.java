package org.contactrouter.events;

import java.util.Locale;

/**
 * Event ids derived from the provider's own ids, so that a provider's redelivery produces the same id. One place
 * decides the format of each, so adapters and tests cannot drift apart.
 */
public final class EventIds {

    private EventIds() {
    }

    /** An inbound call, from its Twilio CallSid. */
    public static String twilioCall(String callSid) {
        return "twilio:" + Events.requireText(callSid, "CallSid");
    }

    /** A call status callback: Twilio sends several per call, one per status. */
    public static String twilioCallStatus(String callSid, String callStatus) {
        return twilioCall(callSid) + ':' + Events.requireText(callStatus, "CallStatus").toLowerCase(Locale.ROOT);
    }

    /** An inbound SMS or WhatsApp message, from its Twilio MessageSid. */
    public static String twilioMessage(String messageSid) {
        return "twilio:" + Events.requireText(messageSid, "MessageSid");
    }

    /** An inbound email, from its Message-ID header (angle brackets dropped). */
    public static String mail(String messageId) {
        String id = Events.requireText(messageId, "Message-ID").strip();
        if (id.startsWith("<") && id.endsWith(">")) {
            id = Events.requireText(id.substring(1, id.length() - 1), "Message-ID");
        }
        return "mail:" + id;
    }

    /** A chat frame: the session and the client's sequence number within it. */
    public static String chat(String sessionId, long sequence) {
        return "chat:" + Events.requireText(sessionId, "sessionId") + ':' + sequence;
    }
}
