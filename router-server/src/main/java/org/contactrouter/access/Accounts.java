package org.contactrouter.access;

import java.util.Map;
import java.util.Set;

/**
 * Who can sign in and with what, as the config has it now: the agents (password hash, supervisor or not) from
 * agents.yaml and the integrations' API keys (hashes and scopes) from integrations.yaml. Never plain secrets.
 *
 * @param agents       by agent id
 * @param integrations by key id
 */
public record Accounts(Map<String, AgentAccount> agents, Map<String, IntegrationKey> integrations) {

    public static final Accounts NONE = new Accounts(Map.of(), Map.of());

    public Accounts {
        agents = Map.copyOf(agents);
        integrations = Map.copyOf(integrations);
    }

    /**
     * @param passwordHash the PBKDF2 hash, or null when the agent cannot sign in
     * @param supervisor   whether they see the floor, every history, exports, the audit and /ops
     */
    public record AgentAccount(String passwordHash, boolean supervisor) {
    }

    /**
     * @param id      the key's id, the part of the key after {@code crk_} and before the secret
     * @param keyHash {@code sha256:<hex>} of the whole key
     * @param scopes  what the key may do
     */
    public record IntegrationKey(String id, String keyHash, Set<Scope> scopes) {
        public IntegrationKey {
            scopes = Set.copyOf(scopes);
        }
    }
}
