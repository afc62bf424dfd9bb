package org.contactrouter.routing;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.contactrouter.events.AgentReplied;
import org.contactrouter.events.Channel;
import org.contactrouter.events.ContactEvent;
import org.contactrouter.events.ContactOpened;
import org.contactrouter.events.ContactWrappedUp;
import org.contactrouter.events.Customer;
import org.contactrouter.events.CustomerLeft;
import org.contactrouter.events.CustomerMessage;
import org.contactrouter.events.EventData;
import org.contactrouter.events.Identity;
import org.contactrouter.events.NoteAdded;
import org.contactrouter.events.OfferAccepted;
import org.contactrouter.events.OfferRejected;
import org.contactrouter.events.Presence;
import org.contactrouter.events.PresenceChanged;
import org.contactrouter.events.TransferRequested;

/**
 * Drives a {@link RoutingEngine} the way a contact centre would, on a hand-moved clock, and keeps every decision.
 * Monday 2026-11-23 10:00 Berlin time is the start.
 */
public final class Desk {

    public static final Instant START = Instant.parse("2026-11-23T09:00:00Z");

    public RoutingEngine engine;
    public final List<RoutingDecision> log = new ArrayList<>();
    private Instant now;
    private long eventSequence;

    public Desk(RoutingConfig config) {
        this(config, START);
    }

    public Desk(RoutingConfig config, Instant start) {
        this.now = start;
        this.engine = new RoutingEngine(config, start);
    }

    /**
     * Replaces the engine by one restored from its snapshot, as a router taking over a partition would, and checks
     * that the restored engine's snapshot is byte for byte the one it was restored from.
     */
    public void restoreFromSnapshot() {
        byte[] snapshot = engine.snapshot();
        engine = RoutingEngine.restore(engine.domain, engine.config(), snapshot);
        engine.checkInvariants();
        byte[] again = engine.snapshot();
        if (!java.util.Arrays.equals(snapshot, again)) {
            throw new AssertionError("the restored engine's snapshot differs from the one it was restored from");
        }
    }

    public Instant now() {
        return now;
    }

    public List<RoutingDecision> advance(Duration d) {
        now = now.plus(d);
        return record(engine.advanceTo(now));
    }

    public List<RoutingDecision> send(EventData data) {
        return send("e-" + (++eventSequence), data);
    }

    public List<RoutingDecision> send(String eventId, EventData data) {
        return record(engine.decide(ContactEvent.of(eventId, "/test", now, data), now));
    }

    public List<RoutingDecision> applyConfig(RoutingConfig config) {
        return record(engine.applyConfig(config, now));
    }

    public List<RoutingDecision> available(String... agentIds) {
        List<RoutingDecision> all = new ArrayList<>();
        for (String id : agentIds) {
            all.addAll(send(new PresenceChanged(id, Presence.AVAILABLE)));
        }
        return all;
    }

    public List<RoutingDecision> presence(String agentId, Presence p) {
        return send(new PresenceChanged(agentId, p));
    }

    /** A chat message from a visitor; the conversation is the visitor id. */
    public List<RoutingDecision> chat(String visitor, String text) {
        return send(new CustomerMessage(Channel.CHAT, visitor, Customer.of(null, Identity.chatVisitor(visitor)),
                "widget", null, null, text, Map.of()));
    }

    public List<RoutingDecision> inbound(Channel channel, String conversation, Identity from, String language,
                                         String subject, String text, Map<String, String> attributes) {
        return send(new CustomerMessage(channel, conversation, Customer.of(null, from), "endpoint", language, subject,
                text, attributes));
    }

    /** An inbound call from a phone number; the conversation is the call id. */
    public List<RoutingDecision> call(String callSid, String phone) {
        return send(new ContactOpened(Channel.VOICE, callSid, Customer.of(null, Identity.phone(phone)), "+4930111",
                null, null, null, Map.of()));
    }

    public List<RoutingDecision> sms(String phone, String text) {
        return send(new CustomerMessage(Channel.SMS, phone + ">+4930111", Customer.of(null, Identity.phone(phone)),
                "+4930111", null, null, text, Map.of()));
    }

    public List<RoutingDecision> left(Channel channel, String conversation) {
        return send(new CustomerLeft(channel, conversation, "test"));
    }

    /** Accepts the offer currently open for this agent on this contact. */
    public List<RoutingDecision> accept(String agentId, String contactId) {
        return send(new OfferAccepted(agentId, openOffer(agentId, contactId)));
    }

    public List<RoutingDecision> reject(String agentId, String contactId) {
        return send(new OfferRejected(agentId, openOffer(agentId, contactId), "busy"));
    }

    public List<RoutingDecision> reply(String agentId, String contactId, String text) {
        return send(new AgentReplied(agentId, contactId, text));
    }

    public List<RoutingDecision> note(String agentId, String contactId, String text) {
        return send(new NoteAdded(agentId, contactId, text));
    }

    public List<RoutingDecision> transferToAgent(String agentId, String contactId, String to, String note) {
        return send(new TransferRequested(agentId, contactId, to, null, note));
    }

    public List<RoutingDecision> transferToQueue(String agentId, String contactId, String queue, String note) {
        return send(new TransferRequested(agentId, contactId, null, queue, note));
    }

    public List<RoutingDecision> wrapUp(String agentId, String contactId, String disposition) {
        return send(new ContactWrappedUp(agentId, contactId, disposition, null, null));
    }

    public List<RoutingDecision> wrapUp(String agentId, String contactId, String disposition, Instant followUpAt,
                                        String note) {
        return send(new ContactWrappedUp(agentId, contactId, disposition, followUpAt, note));
    }

    /** The id of the open offer of this contact to this agent. */
    public String openOffer(String agentId, String contactId) {
        ContactView c = engine.contact(contactId).orElseThrow(() -> new AssertionError("no open contact " + contactId));
        if (!agentId.equals(c.offeredToAgentId())) {
            throw new AssertionError(contactId + " is offered to " + c.offeredToAgentId() + ", not " + agentId);
        }
        return c.offerId();
    }

    /** The contact id of the last decision of the given type. */
    public String lastContact(DecisionType type) {
        return last(type).contactId();
    }

    public RoutingDecision last(DecisionType type) {
        for (int i = log.size() - 1; i >= 0; i--) {
            if (log.get(i).type() == type) {
                return log.get(i);
            }
        }
        throw new AssertionError("no " + type + " decision in " + log);
    }

    private List<RoutingDecision> record(List<RoutingDecision> decisions) {
        log.addAll(decisions);
        engine.checkInvariants();
        return decisions;
    }
}
