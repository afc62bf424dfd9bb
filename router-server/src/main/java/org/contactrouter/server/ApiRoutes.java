package org.contactrouter.server;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.io.StringWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;
import org.contactrouter.access.Caller;
import org.contactrouter.access.Scope;
import org.contactrouter.ledger.ContactHistory;
import org.contactrouter.ledger.ContactSummary;
import org.contactrouter.ledger.Ledger;
import org.contactrouter.routing.RoutingDecision;
import org.contactrouter.server.http.HttpRequest;
import org.contactrouter.server.http.HttpResponse;
import org.contactrouter.server.http.Policy;
import org.contactrouter.server.http.Route;
import org.contactrouter.server.runtime.RoutingLoop;
import org.contactrouter.server.wire.DecisionJson;

/**
 * The ledger's queries over HTTP: who each contact went to, per contact, customer, agent and queue. Supervisors and
 * keys with {@code history:read} read everything; an agent reads their own contacts (offered to them or handled by
 * them, now or before) and the whole history of those contacts' customers, which the desktop shows beside an offer.
 */
final class ApiRoutes {

    private static final Duration DEFAULT_WINDOW = Duration.ofDays(1);

    private final Ledger ledger;
    private final Supplier<RoutingLoop.Floor> floor;
    private final Clock clock;

    ApiRoutes(Ledger ledger, Supplier<RoutingLoop.Floor> floor, Clock clock) {
        this.ledger = ledger;
        this.floor = floor;
        this.clock = clock;
    }

    List<Route> routes() {
        Policy history = Policy.agentOr(Scope.HISTORY_READ);
        Policy reports = Policy.supervisorOr(Scope.REPORTS_READ);
        return List.of(
                Route.get("/api/contacts/{id}", history, this::contact).on(Route.Work.LEDGER),
                Route.get("/api/customers/{key}/contacts", history, this::customer).on(Route.Work.LEDGER),
                Route.get("/api/agents/{id}/contacts", history, r -> {
                    if (!mayReadAll(r.caller()) && !r.param("id").equals(r.caller().agentId())) {
                        throw new HttpRequest.Forbidden("agents read their own contacts only");
                    }
                    return HttpResponse.ok(ledger.agentContacts(r.param("id"),
                            r.instantParam("since", clock.instant().minus(DEFAULT_WINDOW))));
                }).on(Route.Work.LEDGER),
                Route.get("/api/queues/stats", reports, r -> HttpResponse.ok(ledger.queueStats(
                        r.instantParam("since", clock.instant().minus(DEFAULT_WINDOW))))).on(Route.Work.LEDGER),
                Route.get("/api/export/contacts.csv", reports, this::csv).on(Route.Work.LEDGER));
    }

    private static boolean mayReadAll(Caller caller) {
        return caller.isSupervisor() || caller.has(Scope.HISTORY_READ);
    }

    private HttpResponse contact(HttpRequest r) throws Exception {
        ContactHistory history = ledger.contact(r.param("id")).orElse(null);
        String agent = r.caller().agentId();
        if (!mayReadAll(r.caller()) && (history == null || !(handledBy(history, agent)
                || mayReadCustomer(agent, history.contact().customerKey())))) {
            // The same answer whether the contact exists or not: an agent learns nothing of others' contacts.
            throw new HttpRequest.Forbidden("not one of your contacts, nor of your contacts' customers");
        }
        if (history == null) {
            return HttpResponse.error(HttpResponseStatus.NOT_FOUND, "no contact '" + r.param("id") + "' in the ledger");
        }
        ObjectNode node = HttpResponse.JSON.valueToTree(history.contact());
        ArrayNode decisions = node.putArray("decisions");
        for (RoutingDecision d : history.decisions()) {
            decisions.add(DecisionJson.tree(d));
        }
        return HttpResponse.ok(node);
    }

    private HttpResponse customer(HttpRequest r) {
        List<ContactSummary> contacts = ledger.customerContacts(r.param("key"));
        String agent = r.caller().agentId();
        if (!mayReadAll(r.caller()) && !(contacts.stream().anyMatch(c -> handledBy(c, agent))
                || contacts.stream().anyMatch(c -> onFloorFor(agent, c.customerKey()))
                || onFloorFor(agent, r.param("key")))) {
            throw new HttpRequest.Forbidden("not a customer of one of your contacts");
        }
        return HttpResponse.ok(contacts);
    }

    private static boolean handledBy(ContactHistory history, String agent) {
        return handledBy(history.contact(), agent)
                || history.decisions().stream().anyMatch(d -> agent.equals(d.agentId()));
    }

    private static boolean handledBy(ContactSummary c, String agent) {
        return agent.equals(c.ownerAgentId()) || c.agents().contains(agent);
    }

    /** Whether {@code agent} may read {@code customerKey}'s history: one of their contacts, past or present, is theirs. */
    private boolean mayReadCustomer(String agent, String customerKey) {
        return onFloorFor(agent, customerKey)
                || ledger.customerContacts(customerKey).stream().anyMatch(c -> handledBy(c, agent));
    }

    /** Whether the floor has a contact of {@code customerKey} offered to or owned by {@code agent} right now. */
    private boolean onFloorFor(String agent, String customerKey) {
        for (Map<String, Object> c : floor.get().contacts()) {
            if (Objects.equals(customerKey, c.get("customerKey"))
                    && (agent.equals(c.get("owner")) || agent.equals(c.get("offeredTo")))) {
                return true;
            }
        }
        return false;
    }

    private HttpResponse csv(HttpRequest r) {
        Instant to = r.instantParam("to", clock.instant());
        Instant from = r.instantParam("from", to.minus(DEFAULT_WINDOW));
        StringWriter out = new StringWriter();
        ledger.exportCsv(from, to, out);
        return HttpResponse.text(HttpResponseStatus.OK, "text/csv; charset=utf-8", out.toString());
    }
}
