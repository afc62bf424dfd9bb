package org.contactrouter.server.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Supplier;
import org.contactrouter.access.Accounts;
import org.contactrouter.access.AgentTokens;
import org.contactrouter.access.Authenticator;
import org.contactrouter.access.Passwords;
import org.contactrouter.access.SignInGuard;
import org.contactrouter.events.AgentEvent;
import org.contactrouter.events.AgentReplied;
import org.contactrouter.events.ContactEvent;
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
import org.contactrouter.server.http.ContactIntake;
import org.contactrouter.server.http.HttpRequest;
import org.contactrouter.server.http.HttpResponse;
import org.contactrouter.server.http.Policy;
import org.contactrouter.server.http.Route;
import org.contactrouter.server.runtime.CommittedDecision;
import org.contactrouter.server.wire.DecisionJson;

/**
 * What an agent does, over HTTP: sign in, then presence, accept or reject an offer, reply, note, transfer, wrap up,
 * sign out. Every action becomes an agent event on {@code agent.actions} (stored before the answer), and the answer
 * waits a moment for the router's decision about it, so a person or script learns at once whether it worked: 200 with
 * the decisions, 409 with the reason when the router refused it (an offer that expired, a contact that is not theirs,
 * the transfer limit), 202 when the router has not decided within {@code outcomeWait} (it will; the desktop's feed
 * shows it). An action sent again with the same {@code Idempotency-Key} gets the first one's answer. The agent's live
 * feed is the WebSocket {@link AgentSocket}.
 *
 * <p>Sign-in is guarded ({@link SignInGuard}: lock-outs per agent id and per client address, 429 with Retry-After),
 * takes as long for an unknown id as for a known one, and refuses the example config's shared demo password when the
 * server is reachable beyond loopback. Sign-out revokes every token the agent holds, on every instance.
 */
public final class AgentGateway {

    private static final String SOURCE = "/api/agent";
    /** The example config's shared password: fine on loopback, refused anywhere else. */
    public static final String DEMO_PASSWORD = "nordwind-demo";
    /** Compared against when the id is unknown, so an unknown id costs the same time as a wrong password. */
    private static final String UNKNOWN_AGENT_HASH = Passwords.hash("no agent has this password".toCharArray());
    private static final int REMEMBERED_OUTCOMES = 10_000;

    private final Supplier<Accounts> accounts;
    private final Authenticator authenticator;
    private final AgentTokens tokens;
    private final SignInGuard guard;
    private final boolean refuseDemoPassword;
    private final Function<String, Object> state;
    private final Supplier<Object> team;
    private final Function<String, String> endpointOf;
    private final Function<ContactEvent, CompletableFuture<Void>> actions;
    private final BiFunction<String, Long, CompletableFuture<Void>> signOuts;
    private final Clock clock;
    private final Duration outcomeWait;
    private final Map<String, Outcome> waiting = new ConcurrentHashMap<>();
    private final Map<String, List<RoutingDecision>> outcomes = new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, List<RoutingDecision>> eldest) {
            return size() > REMEMBERED_OUTCOMES;
        }
    };
    private final AgentSocket socket;

    /** The decisions the router made about one action, as they arrive; complete (true) once all of them are in. */
    private static final class Outcome {
        final List<RoutingDecision> decisions = new ArrayList<>();
        final CompletableFuture<Boolean> complete = new CompletableFuture<>();

        synchronized void add(CommittedDecision c) {
            decisions.add(c.decision());
            if (decisions.size() >= c.ofItsInput()) {
                complete.complete(true);
            }
        }

        synchronized List<RoutingDecision> decisions() {
            return List.copyOf(decisions);
        }
    }

    /**
     * @param accounts           who may sign in, as the config has it now
     * @param refuseDemoPassword true when the server listens beyond loopback
     * @param state              what the router knows of an agent now (presence, load, their offers and contacts)
     * @param team               the agents' names and presence and the queues, for the desktop's transfer choices
     * @param endpointOf         where an open contact reached us, by contact id (null when not open)
     * @param actions            stores an agent event on Kafka: completes when Kafka confirmed it
     * @param signOuts           tells every instance that an agent signed out at a time (ms): completes when shared
     * @param outcomeWait        how long an action's answer waits for the router's decision
     */
    public AgentGateway(Supplier<Accounts> accounts, Authenticator authenticator, AgentTokens tokens, SignInGuard guard,
                        boolean refuseDemoPassword, Function<String, Object> state, Supplier<Object> team,
                        Function<String, String> endpointOf, Function<ContactEvent, CompletableFuture<Void>> actions,
                        BiFunction<String, Long, CompletableFuture<Void>> signOuts, Clock clock,
                        Duration outcomeWait) {
        this.accounts = accounts;
        this.authenticator = authenticator;
        this.tokens = tokens;
        this.guard = guard;
        this.refuseDemoPassword = refuseDemoPassword;
        this.state = state;
        this.team = team;
        this.endpointOf = endpointOf;
        this.actions = actions;
        this.signOuts = signOuts;
        this.clock = clock;
        this.outcomeWait = outcomeWait;
        this.socket = new AgentSocket(authenticator);
    }

    public List<Route> routes() {
        return List.of(
                Route.post("/api/agent/login", Policy.ANYONE, Route.Body.JSON, this::login).on(Route.Work.SIGN_IN),
                Route.postLater("/api/agent/logout", Policy.AGENT, Route.Body.JSON, this::logout),
                Route.get("/api/agent/me", Policy.AGENT, r -> HttpResponse.ok(state.apply(r.caller().agentId()))),
                Route.get("/api/agent/team", Policy.AGENT, r -> HttpResponse.ok(team.get())),
                action("/api/agent/presence", (r, agent, body) ->
                        new PresenceChanged(agent, presence(text(body, "presence", true)))),
                action("/api/agent/offers/{offerId}/accept", (r, agent, body) ->
                        new OfferAccepted(agent, r.param("offerId"))),
                action("/api/agent/offers/{offerId}/reject", (r, agent, body) ->
                        new OfferRejected(agent, r.param("offerId"), text(body, "reason", false))),
                Route.postLater("/api/agent/contacts/{contactId}/reply", Policy.AGENT, Route.Body.JSON, r -> {
                    String contact = r.param("contactId");
                    if (ContactIntake.ENDPOINT.equals(endpointOf.apply(contact))) {
                        Map<String, Object> out = new LinkedHashMap<>();
                        out.put("status", "refused");
                        out.put("reason", "undeliverable");
                        out.put("error", "this contact was made through the HTTP API, so no channel holds a thread to "
                                + "the customer: a reply cannot be delivered. Reach them directly (their details are "
                                + "on the contact) and add a note.");
                        return CompletableFuture.completedFuture(HttpResponse.json(HttpResponseStatus.CONFLICT, out));
                    }
                    return act(r, (req, agent, body) -> new AgentReplied(agent, contact, text(body, "text", true)));
                }),
                action("/api/agent/contacts/{contactId}/notes", (r, agent, body) ->
                        new NoteAdded(agent, r.param("contactId"), text(body, "text", true))),
                action("/api/agent/contacts/{contactId}/transfer", (r, agent, body) -> {
                    String toAgent = text(body, "toAgent", false);
                    String toQueue = text(body, "toQueue", false);
                    if ((toAgent == null) == (toQueue == null)) {
                        throw new HttpRequest.BadRequest("transfer: give exactly one of toAgent and toQueue");
                    }
                    return new TransferRequested(agent, r.param("contactId"), toAgent, toQueue,
                            text(body, "note", true));
                }),
                action("/api/agent/contacts/{contactId}/wrap-up", (r, agent, body) -> {
                    Instant followUpAt = instant(body, "followUpAt");
                    String note = text(body, "followUpNote", false);
                    return new ContactWrappedUp(agent, r.param("contactId"), text(body, "disposition", true),
                            followUpAt, note);
                }));
    }

    /** The WebSocket of the agents' live feed, for the HTTP server's pipeline. */
    public AgentSocket socket() {
        return socket;
    }

    /** Every committed decision, from the decisions observer: answers waiting actions and feeds the agents' sockets. */
    public void observe(CommittedDecision committed) {
        RoutingDecision d = committed.decision();
        String cause = d.causeEventId();
        if (cause != null && cause.startsWith("agent:")) {
            Outcome o = waiting.get(cause);
            if (o != null) {
                o.add(committed);
            }
            if (!(d.type() == DecisionType.REFUSED && d.reason() == RefusalReason.DUPLICATE_EVENT)) {
                synchronized (outcomes) {
                    outcomes.computeIfAbsent(cause, k -> new ArrayList<>()).add(d);
                }
            }
        }
        socket.publish(d);
    }

    /** An agent signed out at {@code atMillis}, here or on another instance: their tokens and feeds end. */
    public void signedOut(String agentId, long atMillis) {
        authenticator.signedOut(agentId, atMillis);
        socket.recheck();
    }

    /** The accounts changed (agents.yaml reloaded): feeds of agents removed or with a new password end. */
    public void accountsChanged() {
        socket.recheck();
    }

    private HttpResponse login(HttpRequest r) {
        JsonNode body = r.json();
        String agentId = text(body, "agentId", true);
        String password = text(body, "password", true);
        if (agentId.length() > 64 || password.length() > 1024) {
            throw new HttpRequest.BadRequest("agentId or password too long (at most 64 and 1024 characters)");
        }
        long wait = guard.retryAfter(agentId, r.clientAddress());
        if (wait > 0) {
            return HttpResponse.error(HttpResponseStatus.TOO_MANY_REQUESTS, "too many failed sign-ins for this agent "
                    + "or from this address; try again in " + wait + " s").withHeader("Retry-After", Long.toString(wait));
        }
        Accounts.AgentAccount account = accounts.get().agents().get(agentId);
        String hash = account == null || account.passwordHash() == null ? null : account.passwordHash();
        boolean matches = Passwords.matches(password.toCharArray(), hash != null ? hash : UNKNOWN_AGENT_HASH)
                && hash != null;
        if (!matches) {
            guard.failed(agentId, r.clientAddress());
            return HttpResponse.error(HttpResponseStatus.UNAUTHORIZED,
                    "unknown agent or wrong password (an agent signs in with the id and password from agents.yaml)");
        }
        if (refuseDemoPassword && password.equals(DEMO_PASSWORD)) {
            return HttpResponse.error(HttpResponseStatus.FORBIDDEN, "the example's demo password is refused on a "
                    + "server reachable beyond loopback: give " + agentId + " a password of their own (router "
                    + "hash-password, then agents.yaml)");
        }
        guard.succeeded(agentId);
        AgentTokens.Issued issued = tokens.issue(agentId, hash, authenticator.notBefore(agentId));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("agentId", agentId);
        out.put("supervisor", account.supervisor());
        out.put("token", issued.token());
        out.put("expiresAt", issued.expiresAt().toString());
        return HttpResponse.ok(out);
    }

    private CompletionStage<HttpResponse> logout(HttpRequest r) {
        String agent = r.caller().agentId();
        long at = clock.millis();
        signedOut(agent, at); // here at once; the other instances through Kafka
        return signOuts.apply(agent, at).handle((shared, failure) -> failure == null
                ? HttpResponse.ok(Map.of("agentId", agent, "status", "signed out"))
                : HttpResponse.error(HttpResponseStatus.SERVICE_UNAVAILABLE, "signed out on this instance only: "
                + "Kafka did not take the sign-out in time, so other instances may still accept the token; sign out "
                + "again"));
    }

    @FunctionalInterface
    private interface Action {
        AgentEvent of(HttpRequest request, String agentId, JsonNode body);
    }

    private Route action(String template, Action action) {
        return Route.postLater(template, Policy.AGENT, Route.Body.JSON, r -> act(r, action));
    }

    /**
     * Stores the action and answers once the router's decisions about it are all in (or after {@code outcomeWait}
     * with 202): no thread waits meanwhile.
     */
    private CompletionStage<HttpResponse> act(HttpRequest r, Action action) {
        String agent = r.caller().agentId();
        AgentEvent data;
        try {
            data = action.of(r, agent, r.json());
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new HttpRequest.BadRequest(e.getMessage());
        }
        String key = r.header("Idempotency-Key");
        if (key != null && (key.length() > 100 || key.isBlank())) {
            throw new HttpRequest.BadRequest("Idempotency-Key: expected 1 to 100 characters");
        }
        String eventId = "agent:" + agent + ":" + (key != null ? key : UUID.randomUUID());
        ContactEvent event = ContactEvent.of(eventId, SOURCE, clock.instant(), data);
        Outcome outcome = new Outcome();
        waiting.put(eventId, outcome);
        return actions.apply(event)
                .thenCompose(stored -> outcome.complete.completeOnTimeout(false, outcomeWait.toMillis(),
                        TimeUnit.MILLISECONDS))
                .handle((decided, failure) -> {
                    if (failure != null) {
                        return HttpResponse.error(HttpResponseStatus.SERVICE_UNAVAILABLE, "not stored: Kafka did not "
                                + "confirm in time; send it again (with the same Idempotency-Key)");
                    }
                    return decided ? answer(eventId, outcome.decisions()) : stored(eventId);
                })
                .whenComplete((answer, failure) -> waiting.remove(eventId));
    }

    private static HttpResponse stored(String eventId) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("eventId", eventId);
        out.put("status", "stored");
        out.put("message", "the router has not decided yet; the outcome will be on the agent feed");
        return HttpResponse.json(HttpResponseStatus.ACCEPTED, out);
    }

    /** The answer from the decisions about an action; for a retried one that the router knew, its first outcome. */
    private HttpResponse answer(String eventId, List<RoutingDecision> decisions) {
        if (decisions.stream().anyMatch(d -> d.type() == DecisionType.REFUSED
                && d.reason() == RefusalReason.DUPLICATE_EVENT)) {
            List<RoutingDecision> first;
            synchronized (outcomes) {
                first = outcomes.get(eventId) == null ? null : List.copyOf(outcomes.get(eventId));
            }
            if (first != null && !first.isEmpty()) {
                return answer(eventId, first, true);
            }
        }
        return answer(eventId, decisions, false);
    }

    /** The answer to an action from the router's decisions about it ({@code again}: about its first sending). */
    private static HttpResponse answer(String eventId, List<RoutingDecision> decisions, boolean again) {
        ObjectNode out = HttpResponse.JSON.createObjectNode();
        out.put("eventId", eventId);
        ArrayNode list = out.putArray("decisions");
        for (RoutingDecision d : decisions) {
            list.add(DecisionJson.tree(d));
        }
        RoutingDecision refused = decisions.stream().filter(d -> d.type() == DecisionType.REFUSED).findFirst()
                .orElse(null);
        if (refused == null || refused.reason() == RefusalReason.DUPLICATE_EVENT) {
            out.put("status", refused == null ? (again ? "already applied" : "applied") : "already applied");
            return HttpResponse.json(HttpResponseStatus.OK, out);
        }
        out.put("error", refused.text() != null ? refused.text() : refused.reason().name());
        out.put("reason", refused.reason().name().toLowerCase(Locale.ROOT).replace('_', '-'));
        out.put("status", again ? "refused before" : "refused");
        return HttpResponse.json(HttpResponseStatus.CONFLICT, out);
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
