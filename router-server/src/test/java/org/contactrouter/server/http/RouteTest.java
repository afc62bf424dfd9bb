package org.contactrouter.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** A route cannot exist without a policy: nothing is open by accident. */
class RouteTest {

    @Test
    void aRouteWithoutAPolicyCannotBeDeclared() {
        assertThatThrownBy(() -> Route.get("/api/secret", null, r -> HttpResponse.ok(Map.of())))
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("GET /api/secret has no policy: every route states who may call it");
    }

    @Test
    void pathTemplatesMatchWholeSegmentsOnly() {
        Route route = Route.get("/api/contacts/{id}", Policy.AGENT, r -> HttpResponse.ok(Map.of()));
        assertThat(route.match("/api/contacts/c-1")).containsEntry("id", "c-1");
        assertThat(route.match("/api/contacts/")).isNull();
        assertThat(route.match("/api/contacts/c-1/more")).isNull();
    }
}
