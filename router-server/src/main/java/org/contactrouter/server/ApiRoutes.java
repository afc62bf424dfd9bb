package org.contactrouter.server;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.io.StringWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.contactrouter.ledger.ContactHistory;
import org.contactrouter.ledger.Ledger;
import org.contactrouter.routing.RoutingDecision;
import org.contactrouter.server.http.HttpRequest;
import org.contactrouter.server.http.HttpResponse;
import org.contactrouter.server.http.Route;
import org.contactrouter.server.wire.DecisionJson;

/** The ledger's queries over HTTP: who each contact went to, per contact, customer, agent and queue. */
final class ApiRoutes {

    private static final Duration DEFAULT_WINDOW = Duration.ofDays(1);

    private final Ledger ledger;
    private final java.time.Clock clock;

    ApiRoutes(Ledger ledger, java.time.Clock clock) {
        this.ledger = ledger;
        this.clock = clock;
    }

    List<Route> routes() {
        return List.of(
                Route.get("/api/contacts/{id}", this::contact),
                Route.get("/api/customers/{key}/contacts", r -> HttpResponse.ok(ledger.customerContacts(r.param("key")))),
                Route.get("/api/agents/{id}/contacts", r -> HttpResponse.ok(ledger.agentContacts(r.param("id"),
                        r.instantParam("since", clock.instant().minus(DEFAULT_WINDOW))))),
                Route.get("/api/queues/stats", r -> HttpResponse.ok(ledger.queueStats(
                        r.instantParam("since", clock.instant().minus(DEFAULT_WINDOW))))),
                Route.get("/api/export/contacts.csv", this::csv));
    }

    private HttpResponse contact(HttpRequest r) throws Exception {
        ContactHistory history = ledger.contact(r.param("id")).orElse(null);
        if (history == null) {
            return HttpResponse.error(HttpResponseStatus.NOT_FOUND, "no contact '" + r.param("id") + "' in the ledger");
        }
        ObjectNode node = HttpResponse.JSON.valueToTree(history.contact());
        ArrayNode decisions = node.putArray("decisions");
        for (RoutingDecision d : history.decisions()) {
            decisions.add(HttpResponse.JSON.readTree(DecisionJson.write(d)));
        }
        return HttpResponse.ok(node);
    }

    private HttpResponse csv(HttpRequest r) {
        Instant to = r.instantParam("to", clock.instant());
        Instant from = r.instantParam("from", to.minus(DEFAULT_WINDOW));
        StringWriter out = new StringWriter();
        ledger.exportCsv(from, to, out);
        return HttpResponse.text(HttpResponseStatus.OK, "text/csv; charset=utf-8", out.toString());
    }
}
