package org.contactrouter.events;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Realistic events, at least one per type; together a type's samples set every field of its record. The examples in
 * {@code docs/events.md} are these events as {@link ContactEventJson} writes them.
 */
final class SampleEvents {

    static final String CALL_SID = "CA5f0c2b6d1e9a4c3b8d7e6f5a4b3c2d1e";
    static final String MESSAGE_SID = "SM1b2c3d4e5f60718293a4b5c6d7e8f901";

    private SampleEvents() {
    }

    static List<ContactEvent> all() {
        return List.of(
                ContactEvent.of(EventIds.twilioCall(CALL_SID), "/twilio/voice", at("2024-05-14T09:30:00Z"),
                        new ContactOpened(Channel.VOICE, CALL_SID, Customer.of(null, Identity.phone("+49 170 12345678")),
                                "+4930901820", "de", null, null, Map.of())),
                ContactEvent.of("form-7d3e1c", "/web/callback-form", at("2024-05-14T09:41:12.250Z"),
                        new ContactOpened(Channel.VOICE, "form-7d3e1c",
                                Customer.of("Jonas Weber", Identity.phone("0049 151 2345 6789"), Identity.email("Jonas.Weber@example.com")),
                                "callback-form", "de", "Callback: invoice 2024-0815",
                                "Please call me back about the second charge on my invoice.", Map.of("tier", "gold"))),
                ContactEvent.of(EventIds.twilioMessage(MESSAGE_SID), "/twilio/whatsapp", at("2024-05-14T09:32:05Z"),
                        new CustomerMessage(Channel.WHATSAPP, "+4917012345678", Customer.of("Anna", Identity.phone("whatsapp:+4917012345678")),
                                "+4930901820", null, null, "Hi, my router has been offline since this morning.", Map.of())),
                ContactEvent.of(EventIds.mail("<CAF3x9q+2kd@mail.example.com>"), "/email/support", at("2024-05-14T10:02:47Z"),
                        new CustomerMessage(Channel.EMAIL, "CAF3x9q+2kd@mail.example.com",
                                Customer.of("Ann Lee", Identity.email("Ann.Lee@Example.com")),
                                "support@acme.example", "en", "Invoice 2024-0815 charged twice",
                                "Hello,\nmy card was charged twice for invoice 2024-0815. Please refund one.\nAnn",
                                Map.of("tier", "gold", "preferredAgent", "mia"))),
                ContactEvent.of(EventIds.chat("s-4c1d9e", 3), "/webchat", at("2024-05-14T10:05:09Z"),
                        new CustomerMessage(Channel.CHAT, "s-4c1d9e",
                                new Customer(null, List.of(Identity.chatVisitor("v-81f2")), "ann.lee@example.com"),
                                "widget-shop", "en", null, "Is my refund on its way?", Map.of())),
                ContactEvent.of(EventIds.twilioCallStatus(CALL_SID, "completed"), "/twilio/voice", at("2024-05-14T09:36:40Z"),
                        new CustomerLeft(Channel.VOICE, CALL_SID, "completed")),
                ContactEvent.of("0b6f3e52-6c1a-4f7e-9d0a-2f8c5b7e1a94", "/agent-desktop", at("2024-05-14T08:58:00Z"),
                        new PresenceChanged("mia", Presence.AVAILABLE)),
                ContactEvent.of("5d2a8c17-93e4-4b6f-a1c0-7e9b3f2d6a85", "/agent-desktop", at("2024-05-14T09:30:04Z"),
                        new OfferAccepted("mia", "offer-9f3a2c")),
                ContactEvent.of("c3e9a1f0-2b7d-4c58-8e16-4a0f9d3b7c62", "/agent-desktop", at("2024-05-14T09:30:03Z"),
                        new OfferRejected("jonas", "offer-9f3a2b", "on a personal call")),
                ContactEvent.of("8a4f2d6e-1c3b-4e9a-b7d5-0f6e2a9c8b13", "/agent-desktop", at("2024-05-14T09:33:30Z"),
                        new AgentReplied("mia", "c-1f9e7a", "Sorry to hear that. I have reset your line; please restart the router.")),
                ContactEvent.of("e7b1c9d4-5a2f-4d80-9c3e-6b8a1f0d2e57", "/agent-desktop", at("2024-05-14T09:34:10Z"),
                        new NoteAdded("mia", "c-1f9e7a", "Line reset at 09:34; customer restarting router.")),
                ContactEvent.of("2f9d6b3a-8e1c-4a7f-b2d0-9c5e4a1f3b68", "/agent-desktop", at("2024-05-14T10:06:00Z"),
                        new TransferRequested("mia", "c-7a2b9d", null, "billing", "Double charge on invoice 2024-0815; card refund needed.")),
                ContactEvent.of("9c4e1a7b-3d6f-4b2e-8a0c-5f1d9e3b7a26", "/agent-desktop", at("2024-05-14T10:08:30Z"),
                        new TransferRequested("lena", "c-7a2b9d", "jonas", null, "Jonas handled her last refund.")),
                ContactEvent.of("4a7c2e9f-1b5d-4f3a-9e8c-2d6b0a4f7e19", "/agent-desktop", at("2024-05-14T09:37:15Z"),
                        new ContactWrappedUp("mia", "c-1f9e7a", "resolved", at("2024-05-15T09:00:00Z"),
                                "Check the line is still up.")));
    }

    /** The first sample of each type, in registry order. */
    static List<ContactEvent> onePerType() {
        return ContactEventJson.types().keySet().stream()
                .map(type -> all().stream().filter(e -> e.data().type().equals(type)).findFirst().orElseThrow())
                .toList();
    }

    private static Instant at(String time) {
        return Instant.parse(time);
    }
}
