package org.contactrouter.routing;

import java.util.List;
import java.util.Objects;
import org.contactrouter.events.Identity;

/**
 * A customer the business knows by configuration: all their identities belong to one customer, and rules can match
 * on their tier.
 *
 * @param name           display name
 * @param tier           tier rules match on ("gold"), or null
 * @param preferredAgent agent id offered first, or null
 * @param identities     phone numbers, email addresses, chat visitor ids of this customer
 */
public record CustomerProfile(String name, String tier, String preferredAgent, List<Identity> identities) {

    public CustomerProfile {
        identities = List.copyOf(Objects.requireNonNull(identities, "identities"));
        if (identities.isEmpty()) {
            throw new IllegalArgumentException("identities: [] (expected at least one phone, email or chat identity)");
        }
    }
}
