package org.contactrouter.access;

import java.util.Arrays;
import java.util.stream.Collectors;

/** What an integration's API key may do; each key in integrations.yaml names its scopes. */
public enum Scope {
    /** Create contacts: {@code POST /api/contacts}. */
    CONTACTS_CREATE("contacts:create"),
    /** Read who handled what: a contact, a customer's history, an agent's contacts. */
    HISTORY_READ("history:read"),
    /** Reports: queue statistics, the CSV export, recent decisions, the floor, the audit, the config version. */
    REPORTS_READ("reports:read"),
    /** Scrape {@code /metrics}, for Prometheus. */
    METRICS_READ("metrics:read");

    private final String wireName;

    Scope(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    public static Scope fromWire(String name) {
        for (Scope s : values()) {
            if (s.wireName.equals(name)) {
                return s;
            }
        }
        throw new IllegalArgumentException("'" + name + "' (expected one of: " + Arrays.stream(values())
                .map(Scope::wireName).collect(Collectors.joining(", ")) + ")");
    }
}
