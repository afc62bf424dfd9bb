package org.contactrouter.events;

import java.util.List;
import java.util.Objects;

/**
 * Who contacted us, as far as the channel knows: a display name when one is known, and every identity the contact
 * carries. The router ties identities that appear together (a chat visitor and the email address the host site
 * vouched for) to one customer key, so an adapter adds only identities it has checked.
 *
 * @param name       display name, or null when the channel does not know it
 * @param identities at least one identity; the first is the one the contact came from
 */
public record Customer(String name, List<Identity> identities) {

    public Customer {
        Objects.requireNonNull(identities, "identities");
        if (identities.isEmpty()) {
            throw new IllegalArgumentException("customer.identities: [] (expected at least one phone, email or chat identity)");
        }
        identities = List.copyOf(identities);
    }

    public static Customer of(String name, Identity... identities) {
        return new Customer(name, List.of(identities));
    }

    /** The identity the contact came from. */
    public Identity primary() {
        return identities.get(0);
    }
}
