package org.contactrouter.access;

import java.util.Set;

/** Who sent a request, as its credentials prove: nobody in particular, a signed-in agent, or an integration's key. */
public sealed interface Caller {

    Caller ANONYMOUS = new Anonymous();

    /** No credentials (or none that hold). */
    record Anonymous() implements Caller {
    }

    /**
     * A signed-in agent.
     *
     * @param id         the agent's id in agents.yaml
     * @param supervisor whether agents.yaml marks them {@code role: supervisor}
     * @param tokenId    the id of the sign-in token they used, so signing out can revoke exactly it
     */
    record Agent(String id, boolean supervisor, String tokenId) implements Caller {
    }

    /**
     * Another system holding an API key from integrations.yaml.
     *
     * @param id     the key's id
     * @param scopes what the key may do
     */
    record Integration(String id, Set<Scope> scopes) implements Caller {
        public Integration {
            scopes = Set.copyOf(scopes);
        }
    }

    default boolean isSupervisor() {
        return this instanceof Agent a && a.supervisor();
    }

    default boolean has(Scope scope) {
        return this instanceof Integration i && i.scopes().contains(scope);
    }

    /** The agent's id, or null for anyone else. */
    default String agentId() {
        return this instanceof Agent a ? a.id() : null;
    }
}
