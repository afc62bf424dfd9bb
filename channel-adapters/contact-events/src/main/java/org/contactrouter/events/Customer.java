package org.contactrouter.events;

import java.util.List;
import java.util.Objects;

/**
 * Who contacted us, as far as the channel knows: a display name when one is known, and every identity the contact
 * carries. The router ties identities that appear together (a chat visitor and the email address the host site
 * vouched for) to one customer key, so an adapter adds only identities it has checked. What the customer only says
 * about themselves (an email address typed into the chat) is a claim: shown to the agent as unverified, never an
 * identity, so it neither links the contact to that address's customer nor reveals their history or tier.
 *
 * @param name         display name, or null when the channel does not know it
 * @param identities   at least one identity; the first is the one the contact came from
 * @param claimedEmail an email address the customer gave that no channel checked, lower case, or null
 */
public record Customer(String name, List<Identity> identities, String claimedEmail) {

    public Customer {
        Objects.requireNonNull(identities, "identities");
        if (identities.isEmpty()) {
            throw new IllegalArgumentException("customer.identities: [] (expected at least one phone, email or chat identity)");
        }
        identities = List.copyOf(identities);
        if (claimedEmail != null) {
            claimedEmail = Identity.email(claimedEmail).value();
        }
    }

    /** A customer with no claims beyond their identities. */
    public Customer(String name, List<Identity> identities) {
        this(name, identities, null);
    }

    public static Customer of(String name, Identity... identities) {
        return new Customer(name, List.of(identities));
    }

    /** The identity the contact came from. */
    public Identity primary() {
        return identities.get(0);
    }
}
