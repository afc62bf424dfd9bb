package org.contactrouter.access;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Turns the credential of a request ({@code Authorization: Bearer ...}, or the agent feed's {@code token=}) into the
 * {@link Caller} it proves, against the accounts as the config has them now: an agent removed from agents.yaml, or
 * whose password changed, or who signed out after the token was issued, is nobody from that moment on; an integration
 * key is checked against its hash in integrations.yaml. Cheap enough for the event loop: an HMAC or a SHA-256.
 */
public final class Authenticator {

    private final Supplier<Accounts> accounts;
    private final AgentTokens tokens;
    private final Map<String, Long> signedOutAt = new ConcurrentHashMap<>();

    public Authenticator(Supplier<Accounts> accounts, AgentTokens tokens) {
        this.accounts = accounts;
        this.tokens = tokens;
    }

    public Caller authenticate(String credential) {
        if (credential == null || credential.isEmpty()) {
            return Caller.ANONYMOUS;
        }
        Accounts now = accounts.get();
        String keyId = ApiKeys.idOf(credential);
        if (keyId != null) {
            Accounts.IntegrationKey key = now.integrations().get(keyId);
            return key != null && ApiKeys.matches(credential, key.keyHash())
                    ? new Caller.Integration(key.id(), key.scopes()) : Caller.ANONYMOUS;
        }
        AgentTokens.Claims claims = tokens.verify(credential).orElse(null);
        if (claims == null) {
            return Caller.ANONYMOUS;
        }
        Accounts.AgentAccount account = now.agents().get(claims.agentId());
        if (account == null || account.passwordHash() == null
                || !AgentTokens.fingerprint(account.passwordHash()).equals(claims.fingerprint())
                || claims.issuedAt() <= signedOutAt.getOrDefault(claims.agentId(), Long.MIN_VALUE)) {
            return Caller.ANONYMOUS;
        }
        return new Caller.Agent(claims.agentId(), account.supervisor(), claims.tokenId());
    }

    /** Revokes every token {@code agentId} was issued up to {@code atMillis} (this sign-out's or another instance's). */
    public void signedOut(String agentId, long atMillis) {
        signedOutAt.merge(agentId, atMillis, Math::max);
    }

    /** The earliest issue time a new token of {@code agentId} may have: after their last sign-out. */
    public long notBefore(String agentId) {
        Long at = signedOutAt.get(agentId);
        return at == null ? Long.MIN_VALUE : at + 1;
    }
}
