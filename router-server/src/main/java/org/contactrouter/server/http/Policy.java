package org.contactrouter.server.http;

import java.util.function.Predicate;
import org.contactrouter.access.Caller;
import org.contactrouter.access.Scope;

/**
 * Who may call a route, declared where the route is declared. {@link Door#PUBLIC} routes are the ones that may face
 * the internet (Twilio's signed webhooks, the chat, health); they are the only ones a separate public listener serves.
 * Everything else needs a credential, except the few internal routes every browser needs before signing in (the
 * sign-in itself and the pages' static files, which hold no data).
 *
 * @param name    how docs/security.md names the policy
 * @param door    which listener serves the route
 * @param allows  whether a caller may call the route at all; a route may still refuse (403) a caller who may call it
 *                but not about this resource (an agent asking for another agent's contact)
 */
public record Policy(String name, Door door, Predicate<Caller> allows) {

    /** Where a route is served. */
    public enum Door {
        /** May face the internet: on the public listener when there is one, and on the internal one. */
        PUBLIC,
        /** The API, the desktop and /ops, /metrics: the internal listener only. */
        INTERNAL
    }

    /** Internet-facing and open to anyone: the route proves the caller itself (Twilio's signature) or needs nothing. */
    public static final Policy PUBLIC_DOOR = new Policy("public", Door.PUBLIC, c -> true);

    /** Internal, open to anyone: the sign-in and the pages' static files. */
    public static final Policy ANYONE = new Policy("anyone", Door.INTERNAL, c -> true);

    /** Any signed-in agent, supervisors too. */
    public static final Policy AGENT = new Policy("agent", Door.INTERNAL, c -> c instanceof Caller.Agent);

    /** Supervisors only. */
    public static final Policy SUPERVISOR = new Policy("supervisor", Door.INTERNAL, Caller::isSupervisor);

    /** A supervisor, or an integration whose key has {@code scope}. */
    public static Policy supervisorOr(Scope scope) {
        return new Policy("supervisor or key with " + scope.wireName(), Door.INTERNAL,
                c -> c.isSupervisor() || c.has(scope));
    }

    /** Any agent (the route then checks the resource is theirs), a supervisor, or a key with {@code scope}. */
    public static Policy agentOr(Scope scope) {
        return new Policy("own for agents; supervisor or key with " + scope.wireName(), Door.INTERNAL,
                c -> c instanceof Caller.Agent || c.has(scope));
    }
}
