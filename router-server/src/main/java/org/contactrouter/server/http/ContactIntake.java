package org.contactrouter.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.contactrouter.events.Channel;
import org.contactrouter.events.ContactEvent;
import org.contactrouter.events.Customer;
import org.contactrouter.events.CustomerMessage;
import org.contactrouter.events.Identity;

/**
 * {@code POST /api/contacts}: a contact from another system (a web form, a CRM, a script), routed like any other.
 * Idempotent on the caller's {@code id}: the same id twice is one contact. Answered 202 only once Kafka has the
 * event; when Kafka cannot take it, 503, so the caller retries and nothing is silently lost.
 *
 * <pre>{"id": "crm-4711", "channel": "email", "customer": {"name": "Kim Lee", "email": "kim@example.com",
 *  "phone": "+4917012345678"}, "subject": "Cancel my contract", "text": "...", "language": "de",
 *  "attributes": {"tier": "gold"}, "domain": "default"}</pre>
 */
public final class ContactIntake {

    static final String SOURCE = "/api/contacts";
    /** The endpoint of contacts made here: no channel adapter holds a thread to answer them on. */
    public static final String ENDPOINT = "api";
    private static final Pattern LANGUAGE_TAG = Pattern.compile("[a-zA-Z]{2,3}(-[a-zA-Z0-9]{1,8}){0,4}");
    private static final int MAX_ATTRIBUTES = 50;

    private final Function<ContactEvent, CompletableFuture<Void>> store;
    private final Supplier<Set<String>> domains;
    private final Clock clock;

    /**
     * @param store   stores an event on Kafka: completes when Kafka confirmed it, fails when it did not in time
     * @param domains the routing domains the config names; a contact for any other is refused
     */
    public ContactIntake(Function<ContactEvent, CompletableFuture<Void>> store, Supplier<Set<String>> domains,
                         Clock clock) {
        this.store = store;
        this.domains = domains;
        this.clock = clock;
    }

    /** Answers when Kafka has the contact (202) or did not take it in time (503); no thread waits meanwhile. */
    public CompletionStage<HttpResponse> post(HttpRequest request) {
        ContactEvent event = parse(request.json());
        return store.apply(event).handle((stored, failure) -> {
            if (failure != null) {
                return HttpResponse.error(HttpResponseStatus.SERVICE_UNAVAILABLE, "Kafka did not confirm the contact "
                        + "in time; retry with the same id (a retry never duplicates it)");
            }
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("eventId", event.id());
            body.put("conversation", ((CustomerMessage) event.data()).conversation());
            body.put("status", "accepted");
            return HttpResponse.json(HttpResponseStatus.ACCEPTED, body);
        });
    }

    ContactEvent parse(JsonNode root) {
        String id = text(root, "id", true);
        if (id.length() > 200) {
            throw new HttpRequest.BadRequest("id: " + id.length() + " characters (expected at most 200)");
        }
        Channel channel;
        try {
            channel = Channel.fromWire(text(root, "channel", true));
        } catch (IllegalArgumentException e) {
            throw new HttpRequest.BadRequest(e.getMessage());
        }
        JsonNode c = root.get("customer");
        if (c == null || !c.isObject()) {
            throw new HttpRequest.BadRequest("customer: missing (expected an object with name and at least one of "
                    + "phone, email, chatVisitor)");
        }
        List<Identity> identities = new ArrayList<>();
        try {
            if (c.hasNonNull("phone")) {
                identities.add(Identity.phone(c.get("phone").asText()));
            }
            if (c.hasNonNull("email")) {
                identities.add(Identity.email(c.get("email").asText()));
            }
            if (c.hasNonNull("chatVisitor")) {
                identities.add(Identity.chatVisitor(c.get("chatVisitor").asText()));
            }
        } catch (IllegalArgumentException e) {
            throw new HttpRequest.BadRequest("customer." + e.getMessage());
        }
        if (identities.isEmpty()) {
            throw new HttpRequest.BadRequest("customer: no identity (expected at least one of phone, email, chatVisitor)");
        }
        if (channel == Channel.EMAIL) {
            identities.sort((a, b) -> a.kind() == Identity.Kind.EMAIL ? -1 : b.kind() == Identity.Kind.EMAIL ? 1 : 0);
        }
        Map<String, String> attributes = new LinkedHashMap<>();
        JsonNode attrs = root.get("attributes");
        if (attrs != null && !attrs.isNull()) {
            if (!attrs.isObject()) {
                throw new HttpRequest.BadRequest("attributes: expected an object of strings");
            }
            if (attrs.size() > MAX_ATTRIBUTES) {
                throw new HttpRequest.BadRequest("attributes: " + attrs.size() + " (expected at most " + MAX_ATTRIBUTES
                        + ")");
            }
            attrs.fields().forEachRemaining(f -> {
                if (!f.getValue().isTextual()) {
                    throw new HttpRequest.BadRequest("attributes." + f.getKey() + ": " + f.getValue()
                            + " (expected a string)");
                }
                attributes.put(f.getKey(), f.getValue().asText());
            });
        }
        String domain = text(root, "domain", false);
        Set<String> known = domains.get();
        if (domain != null && !known.contains(domain)) {
            // Each domain is a routing engine of its own: only those the config names may be made.
            throw new HttpRequest.BadRequest("domain: '" + domain + "' is not a routing domain of this server "
                    + "(expected one of: " + String.join(", ", new TreeSet<>(known)) + ", or leave it out)");
        }
        String language = text(root, "language", false);
        if (language != null && (language.length() > 35 || !LANGUAGE_TAG.matcher(language).matches())) {
            throw new HttpRequest.BadRequest("language: '" + language + "' (expected a language tag such as de or "
                    + "en-GB)");
        }
        CustomerMessage message = new CustomerMessage(channel, "api:" + id, new Customer(text(c, "name", false), identities),
                ENDPOINT, language == null ? null : language.toLowerCase(Locale.ROOT), text(root, "subject", false), text(root, "text", false), attributes);
        return new ContactEvent("api:" + id, SOURCE, clock.instant(), channel.wireName() + ":api:" + id, domain, message);
    }

    private static String text(JsonNode node, String field, boolean required) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            if (required) {
                throw new HttpRequest.BadRequest(field + ": missing (required)");
            }
            return null;
        }
        if (!v.isTextual()) {
            throw new HttpRequest.BadRequest(field + ": " + v + " (expected a string)");
        }
        if (required && v.asText().isBlank()) {
            throw new HttpRequest.BadRequest(field + ": '' (expected a non-empty string)");
        }
        return v.asText();
    }
}
