package org.contactrouter.server.http;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * One route: a method, a path template with {name} segments, who may call it, what body it takes, where its work
 * runs, and what answers it. The policy is part of the declaration, so no route exists without one.
 *
 * @param method   HTTP method
 * @param template path template such as {@code /api/contacts/{id}}
 * @param policy   who may call it
 * @param body     the body it takes; a POST with another content type is answered 415 before the route runs
 * @param work     which pool runs it: a slow dependency slows only the routes that need it
 * @param handler  the answer, possibly still to come (a route that waits for Kafka answers when Kafka does, and holds
 *                 no thread meanwhile)
 */
public record Route(String method, String template, Policy policy, Body body, Work work, AsyncHandler handler) {

    public Route {
        Objects.requireNonNull(policy, () -> method + " " + template + " has no policy: every route states who may "
                + "call it (Policy in org.contactrouter.server.http)");
        Objects.requireNonNull(body, "body");
        Objects.requireNonNull(work, "work");
        Objects.requireNonNull(handler, "handler");
    }

    /** An answer at once. */
    @FunctionalInterface
    public interface Handler {
        HttpResponse handle(HttpRequest request) throws Exception;
    }

    /** An answer when something it waits for completes; it must not block. */
    @FunctionalInterface
    public interface AsyncHandler {
        CompletionStage<HttpResponse> handle(HttpRequest request) throws Exception;
    }

    /** The body a route takes. */
    public enum Body {
        NONE(null),
        /** {@code application/json}: a cross-site HTML form cannot send it, so no form post reaches a JSON route. */
        JSON("application/json"),
        /** {@code application/x-www-form-urlencoded}: Twilio's webhooks, which prove themselves by signature. */
        FORM("application/x-www-form-urlencoded");

        final String mediaType;

        Body(String mediaType) {
            this.mediaType = mediaType;
        }
    }

    /** Where a route's work runs. */
    public enum Work {
        /** Quick work and waits on Kafka. */
        GENERAL,
        /** Reads of the ledger database, which may hang with it. */
        LEDGER,
        /** Password hashing, deliberately slow. */
        SIGN_IN
    }

    public static Route get(String template, Policy policy, Handler handler) {
        return new Route("GET", template, policy, Body.NONE, Work.GENERAL, now(handler));
    }

    public static Route post(String template, Policy policy, Body body, Handler handler) {
        return new Route("POST", template, policy, body, Work.GENERAL, now(handler));
    }

    /** A GET whose answer comes when what it waits for completes (a Kafka request). */
    public static Route getLater(String template, Policy policy, AsyncHandler handler) {
        return new Route("GET", template, policy, Body.NONE, Work.GENERAL, handler);
    }

    /** A POST whose answer comes when what it waits for completes (Kafka's confirmation, the router's decisions). */
    public static Route postLater(String template, Policy policy, Body body, AsyncHandler handler) {
        return new Route("POST", template, policy, body, Work.GENERAL, handler);
    }

    private static AsyncHandler now(Handler handler) {
        Objects.requireNonNull(handler, "handler");
        return request -> CompletableFuture.completedFuture(handler.handle(request));
    }

    /** This route, run on another pool. */
    public Route on(Work pool) {
        return new Route(method, template, policy, body, pool, handler);
    }

    /** The path parameters when {@code path} fits the template, else null. */
    Map<String, String> match(String path) {
        List<String> want = segments(template);
        List<String> have = segments(path);
        if (want.size() != have.size()) {
            return null;
        }
        Map<String, String> params = new HashMap<>();
        for (int i = 0; i < want.size(); i++) {
            String w = want.get(i);
            if (w.startsWith("{") && w.endsWith("}")) {
                if (have.get(i).isEmpty()) {
                    return null;
                }
                params.put(w.substring(1, w.length() - 1), have.get(i));
            } else if (!w.equals(have.get(i))) {
                return null;
            }
        }
        return params;
    }

    private static List<String> segments(String path) {
        List<String> out = new ArrayList<>();
        for (String s : path.split("/", -1)) {
            if (!s.isEmpty()) {
                out.add(s);
            }
        }
        return out;
    }
}
