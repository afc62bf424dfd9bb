package org.contactrouter.events;

import java.time.Instant;
import java.util.Objects;

/**
 * The one envelope every channel produces and the router consumes. Attribute names follow CloudEvents 1.0
 * ({@code id}, {@code source}, {@code type}, {@code time}, {@code subject}); {@code domain} is an extension attribute
 * naming the routing domain (the team and queues the event belongs to), which is also the Kafka record key.
 *
 * @param id      unique per source; derived from the provider's own id where there is one (see {@link EventIds}) so a
 *                redelivered webhook or mail carries the same id and is recognised as a duplicate
 * @param source  who produced it, a URI reference such as {@code /twilio/sms} or {@code /agent-desktop}
 * @param time    when it happened, as the producer saw it
 * @param subject what it is about: the conversation for customer events, the contact id for agent events; may be null
 * @param domain  the routing domain, {@value #DEFAULT_DOMAIN} when null; never blank, as it is the Kafka record key
 * @param data    the payload; its kind gives the CloudEvents type
 */
public record ContactEvent(String id, String source, Instant time, String subject, String domain, EventData data) {

    public static final String SPEC_VERSION = "1.0";
    public static final String TYPE_PREFIX = "org.contactrouter.";
    public static final String DEFAULT_DOMAIN = "default";

    public ContactEvent {
        Events.requireText(id, "id");
        Events.requireText(source, "source");
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(data, "data");
        domain = domain == null ? DEFAULT_DOMAIN : Events.requireText(domain, "domain");
    }

    /** The CloudEvents type, e.g. {@code org.contactrouter.customer.message}. */
    public String type() {
        return TYPE_PREFIX + data.type();
    }

    /** An event in the default domain whose subject is derived from its data. */
    public static ContactEvent of(String id, String source, Instant time, EventData data) {
        return new ContactEvent(id, source, time, subjectOf(data), DEFAULT_DOMAIN, data);
    }

    private static String subjectOf(EventData data) {
        if (data instanceof InboundContact c) {
            return c.channel().wireName() + ':' + c.conversation();
        }
        if (data instanceof CustomerLeft l) {
            return l.channel().wireName() + ':' + l.conversation();
        }
        if (data instanceof AgentReplied r) {
            return r.contactId();
        }
        if (data instanceof NoteAdded n) {
            return n.contactId();
        }
        if (data instanceof TransferRequested t) {
            return t.contactId();
        }
        if (data instanceof ContactWrappedUp w) {
            return w.contactId();
        }
        return null;
    }
}
