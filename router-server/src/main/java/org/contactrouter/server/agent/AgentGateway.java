package org.contactrouter.server.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;
import org.contactrouter.events.AgentEvent;
import org.contactrouter.events.AgentReplied;
import org.contactrouter.events.ContactEvent;
import org.contactrouter.events.ContactPublisher;
import org.contactrouter.events.ContactWrappedUp;
import org.contactrouter.events.NoteAdded;
import org.contactrouter.events.OfferAccepted;
import org.contactrouter.events.OfferRejected;
import org.contactrouter.events.Presence;
import org.contactrouter.events.PresenceChanged;
import org.contactrouter.events.TransferRequested;
import org.contactrouter.routing.DecisionType;
import org.contactrouter.routing.RefusalReason;
import org.contactrouter.routing.RoutingDecision;
import org.contactrouter.server.http.HttpRequest;
import org.contactrouter.server.http.HttpResponse;
import org.contactrouter.server.http.Route;
import org.contactrouter.server.wire.DecisionJson;

/**
 * What an agent does, over HTTP: sign in, then presence, accept or reject an offer, reply, note, transfer, wrap up.
 * Every action becomes an agent event on {@code agent.actions} (stored before the answer), and the answer waits a
 * moment for the router's decision about it, so a person or script learns at once whether it worked: 200 with the
 * decisions, 409 with the reason when the router refused it (an offer that expired, a contact that is not theirs, the
 * transfer limit), 202 when the router has not decided within {@code outcomeWait} (it will; the desktop's feed shows
 * it). The agent's live feed is the WebSocket {@link AgentSocket}.
 */
public final class AgentGateway {

    private static final String SOURCE = "/api/agent";

    private final Supplier<Map<String, String>> passwords;
    private final Function<String, Object> state;
    private final AgentTokens tokens;
    private final ContactPublisher actions;
    private final Clock clock;
    private final Duration outcomeWait;
    private final Map<String, Outcome> waiting = new ConcurrentHashMap<>();
    private final AgentSocket socket;

    /** The decisions the router made about one action, as they arrive. */
    private static final class Outcome {
        final List<RoutingDecision> decisions = Collections.synchronizedList(new ArrayList<>());
        final CountDownLatch first = new CountDownLatch(1);
    }

    /**
     * @param passwords   the agents' password hashes by id, as agents.yaml has them now
     * @param state       what the router knows of an agent now (presence, load, their offers and contacts), by id
     * @param outcomeWait how long an action's answer waits for the router's decision
     */
    public AgentGateway(Supplier<Map<String, String>> passwords, Function<String, Object> state,
                        AgentTokens tokens, ContactPublisher actions, Clock clock, Duration outcomeWait) {
        this.passwords = passwords;
        this.state = state;
        this.tokens = tokens;
        this.actions = actions;
        this.clock = clock;
        this.outcomeWait = outcomeWait;
        this.socket = new AgentSocket(tokens);
    }

    public List<Route> routes() {
        return List.of(
                Route.post("/api/agent/login", this::login),
                Route.get("/api/agent/me", r -> {
                    Optional<String> agent = tokens.agentOf(bearer(r));
                    return agent.isEmpty() ? unauthorized() : HttpResponse.ok(state.apply(agent.get()));
                }),
                Route.post("/api/agent/presence", r -> act(r, (agent, body) ->
                        new PresenceChanged(agent, presence(text(body, "presence", true))))),
                Route.post("/api/agent/offers/{offerId}/accept", r -> act(r, (agent, body) ->
                        new OfferAccepted(agent, r.param("offerId")))),
                Route.post("/api/agent/offers/{offerId}/reject", r -> act(r, (agent, body) ->
                        new OfferRejected(agent, r.param("offerId"), text(body, "reason", false)))),
                Route.post("/api/agent/contacts/{contactId}/reply", r -> act(r, (agent, body) ->
                        new AgentReplied(agent, r.param("contactId"), text(body, "text", true)))),
                Route.post("/api/agent/contacts/{contactId}/notes", r -> act(r, (agent, body) ->
                        new NoteAdded(agent, r.param("contactId"), text(body, "text", true)))),
                Route.post("/api/agent/contacts/{contactId}/transfer", r -> act(r, (agent, body) -> {
                    String toAgent = text(body, "toAgent", false);
                    String toQueue = text(body, "toQueue", false);
                    if ((toAgent == null) == (toQueue == null)) {
                        throw new HttpRequest.BadRequest("transfer: give exactly one of toAgent and toQueue");
                    }
                    return new TransferRequested(agent, r.param("contactId"), toAgent, toQueue,
                            text(body, "note", true));
                })),
                Route.post("/api/agent/contacts/{contactId}/wrap-up", r -> act(r, (agent, body) -> {
                    Instant followUpAt = instant(body, "followUpAt");
                    String note = text(body, "followUpNote", false);
                    return new ContactWrappedUp(agent, r.param("contactId"), text(body, "disposition", true),
                            followUpAt, note);
                })));
    }

    /** The WebSocket of the agents' live feed, for the HTTP server's pipeline. */
    public AgentSocket socket() {
        return socket;
    }

    /** Every committed decision, from the decisions observer: answers waiting actions and feeds the agents' sockets. */
    public void observe(RoutingDecision d) {
        if (d.causeEventId() != null) {
            Outcome o = waiting.get(d.causeEventId());
            if (o != null) {
                o.decisions.add(d);
                o.first.countDown();
            }
        }
        socket.publish(d);
    }

    private HttpResponse login(HttpRequest r) {
        JsonNode body = body(r);
        String agentId = text(body, "agentId", true);
        String password = text(body, "password", true);
        String hash = passwords.get().get(agentId);
        if (hash == null || !Passwords.matches(password.toCharArray(), hash)) {
            return HttpResponse.error(HttpResponseStatus.UNAUTHORIZED,
                    "unknown agent or wrong password (an agent signs in with the id and password from agents.yaml)");
        }
        AgentTokens.Issued issued = tokens.issue(agentId);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("agentId", agentId);
        out.put("token", issued.token());
        out.put("expiresAt", issued.expiresAt().toString());
        return HttpResponse.ok(out);
    }

    @FunctionalInterface
    private interface Action {
        AgentEvent of(String agentId, JsonNode body);
    }

    private HttpResponse act(HttpRequest r, Action action) throws InterruptedException, IOException {
        Optional<String> agent = tokens.agentOf(bearer(r));
        if (agent.isEmpty()) {
            return unauthorized();
        }
        AgentEvent data;
        try {
            data = action.of(agent.get(), body(r));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new HttpRequest.BadRequest(e.getMessage());
        }
        String key = r.header("Idempotency-Key");
        String eventId = "agent:" + agent.get() + ":" + (key != null && !key.isBlank() ? key : UUID.randomUUID());
        ContactEvent event = ContactEvent.of(eventId, SOURCE, clock.instant(), data);
        Outcome outcome = new Outcome();
        waiting.put(eventId, outcome);
        try {
            try {
                actions.publish(event);
            } catch (ContactPublisher.PublishException e) {
                return HttpResponse.error(HttpResponseStatus.SERVICE_UNAVAILABLE,
                        "not stored: Kafka did not confirm in time; send it again (with the same Idempotency-Key)");
            }
            if (!outcome.first.await(outcomeWait.toMillis(), TimeUnit.MILLISECONDS)) {
                Map<String, Object> out = new LinkedHashMap<>();
                out.put("eventId", eventId);
                out.put("status", "stored");
                out.put("message", "the router has not decided yet; the outcome will be on the agent feed");
                return HttpResponse.json(HttpResponseStatus.ACCEPTED, out);
            }
            Thread.sleep(50); // the other decisions of the same transaction arrive right behind the first
            return answer(eventId, List.copyOf(outcome.decisions));
        } finally {
            waiting.remove(eventId);
        }
    }

    private static HttpResponse answer(String eventId, List<RoutingDecision> decisions) throws IOException {
        ObjectNode out = HttpResponse.JSON.createObjectNode();
        out.put("eventId", eventId);
        ArrayNode list = out.putArray("decisions");
        for (RoutingDecision d : decisions) {
            list.add(HttpResponse.JSON.readTree(DecisionJson.write(d)));
        }
        RoutingDecision refused = decisions.stream().filter(d -> d.type() == DecisionType.REFUSED).findFirst()
                .orElse(null);
        if (refused == null || refused.reason() == RefusalReason.DUPLICATE_EVENT) {
            out.put("status", refused == null ? "applied" : "already applied");
            return HttpResponse.json(HttpResponseStatus.OK, out);
        }
        out.put("error", refused.text() != null ? refused.text() : refused.reason().name());
        out.put("reason", refused.reason().name().toLowerCase(Locale.ROOT).replace('_', '-'));
        out.put("status", "refused");
        return HttpResponse.json(HttpResponseStatus.CONFLICT, out);
    }

    private static HttpResponse unauthorized() {
        return HttpResponse.error(HttpResponseStatus.UNAUTHORIZED, "missing, expired or invalid token (sign in with "
                + "POST /api/agent/login, then send 'Authorization: Bearer <token>')");
    }

    private static String bearer(HttpRequest r) {
        String auth = r.header("Authorization");
        return auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7) ? auth.substring(7).strip() : null;
    }

    private static JsonNode body(HttpRequest r) {
        if (r.body().length == 0) {
            return HttpResponse.JSON.createObjectNode();
        }
        try {
            JsonNode node = HttpResponse.JSON.readTree(r.body());
            if (node == null || !node.isObject()) {
                throw new HttpRequest.BadRequest("body: expected a JSON object");
            }
            return node;
        } catch (IOException e) {
            throw new HttpRequest.BadRequest("body is not valid JSON: " + e.getMessage());
        }
    }

    private static String text(JsonNode body, String field, boolean required) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull() || (v.isTextual() && v.asText().isBlank())) {
            if (required) {
                throw new HttpRequest.BadRequest(field + ": missing (required)");
            }
            return null;
        }
        if (!v.isTextual()) {
            throw new HttpRequest.BadRequest(field + ": " + v + " (expected a string)");
        }
        return v.asText();
    }

    private static Instant instant(JsonNode body, String field) {
        String value = text(body, field, false);
        try {
            return value == null ? null : Instant.parse(value);
        } catch (DateTimeParseException e) {
            throw new HttpRequest.BadRequest(field + ": '" + value + "' (expected an RFC 3339 time such as "
                    + "2026-11-24T09:00:00Z)");
        }
    }

    /** What an agent may set; busy and wrap-up are the router's to set. */
    private static Presence presence(String value) {
        for (Presence p : List.of(Presence.AVAILABLE, Presence.AWAY, Presence.OFFLINE)) {
            if (p.wireName().equalsIgnoreCase(value)) {
                return p;
            }
        }
        throw new HttpRequest.BadRequest("presence: '" + value + "' (expected one of: available, away, offline)");
    }
}
