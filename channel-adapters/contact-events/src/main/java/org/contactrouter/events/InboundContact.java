package org.contactrouter.events;

import java.util.Map;

/**
 * Something a customer sent or started: a call, an SMS, an email, a chat message, a web form.
 * {@link #conversation()} is the channel's thread key (CallSid, SMS pair, email thread root, chat session); the router
 * threads a message into the open contact with the same channel and conversation, or opens a new contact.
 */
public sealed interface InboundContact extends EventData permits ContactOpened, CustomerMessage {

    Channel channel();

    /** The channel's thread key, unique within the channel. */
    String conversation();

    Customer customer();

    /** Where the customer reached us: the called number, the mailbox, the chat widget id. Null when not known. */
    String endpoint();

    /** BCP 47 language tag when the channel knows it ("de", "en-GB"), else null. */
    String language();

    /** Email subject or chat topic; null when the channel has none. */
    String subject();

    /** The message text (plain text; HTML already converted). Null for a call. */
    String text();

    /** Further attributes rules can match on; well-known keys: {@code tier}, {@code preferredAgent}. */
    Map<String, String> attributes();
}
