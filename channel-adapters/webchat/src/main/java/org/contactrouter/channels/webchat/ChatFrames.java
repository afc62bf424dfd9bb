package org.contactrouter.channels.webchat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.List;
import org.contactrouter.events.OutboundMessage;

/**
 * The JSON frames the server sends to the widget (docs/channels.md, "The WebSocket protocol", lists each with an
 * example). A transcript entry is the frame that was sent live, so the widget draws both the same way.
 */
final class ChatFrames {

    static final ObjectMapper JSON = new ObjectMapper();

    private ChatFrames() {
    }

    static ObjectNode welcome(ChatSession s, boolean resumed, List<JsonNode> transcript, int maxMessageBytes) {
        ObjectNode f = frame("welcome");
        f.put("session", s.id);
        f.put("resumed", resumed);
        f.put("nextSeq", s.nextSeq());
        f.put("agentName", s.agentName());
        f.put("name", s.name());
        f.put("maxMessageBytes", maxMessageBytes);
        ArrayNode entries = f.putArray("transcript");
        transcript.forEach(entries::add);
        return f;
    }

    static ObjectNode ack(long seq) {
        return frame("ack").put("seq", seq);
    }

    /** What the customer wrote, as the transcript keeps it and as their other tabs see it. */
    static ObjectNode customerMessage(long seq, String text, Instant time) {
        ObjectNode f = frame("message");
        f.put("from", "customer");
        f.put("seq", seq);
        f.put("text", text);
        f.put("time", time.toString());
        return f;
    }

    /** The frame for what the router wants said; every kind has the ready text and the outbound id. */
    static ObjectNode outbound(OutboundMessage m) {
        ObjectNode f = switch (m.kind()) {
            case REPLY -> frame("message").put("from", "agent").put("agentName", m.agentName());
            case AGENT_JOINED -> frame("agent-joined").put("agentName", m.agentName());
            case HANDOVER -> frame("handover").put("agentName", m.agentName());
            case ACKNOWLEDGEMENT -> {
                ObjectNode w = frame("wait");
                if (m.estimatedWait() == null) {
                    w.putNull("estimatedWait");
                } else {
                    w.put("estimatedWait", m.estimatedWait().toSeconds());
                }
                yield w;
            }
            case AFTER_HOURS -> frame("after-hours").put("dueAt", m.dueAt() == null ? null : m.dueAt().toString());
            case CLOSED -> frame("closed");
        };
        f.put("text", m.text());
        f.put("id", m.id());
        f.put("time", m.time().toString());
        return f;
    }

    static ObjectNode ended() {
        return frame("ended");
    }

    /**
     * @param code what went wrong, for the widget: {@code not-sent}, {@code rate-limited}, {@code seq-conflict},
     *             {@code bad-frame}, {@code no-session}, {@code invalid-hello}, {@code invalid-token},
     *             {@code too-many-chats}
     */
    static ObjectNode error(String code, String message) {
        return frame("error").put("code", code).put("message", message);
    }

    static String write(JsonNode frame) {
        try {
            return JSON.writeValueAsString(frame);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a chat frame could not be written as JSON", e);
        }
    }

    private static ObjectNode frame(String type) {
        ObjectNode f = JSON.createObjectNode();
        f.put("type", type);
        return f;
    }
}
