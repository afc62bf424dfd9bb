package org.contactrouter.server.http;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;

/**
 * A request as a route sees it.
 *
 * @param method      GET, POST, ...
 * @param path        the decoded path, without the query
 * @param pathParams  values of the route's {name} segments
 * @param query       query parameters
 * @param rawQuery    the query string as sent (without '?'), or null when there is none; signatures cover it
 * @param headers     request headers by lower-case name (the first value of each)
 * @param body        the request body, possibly empty
 */
public record HttpRequest(String method, String path, Map<String, String> pathParams, Map<String, List<String>> query,
                          String rawQuery, Map<String, String> headers, byte[] body) {

    public String header(String name) {
        return headers.get(name.toLowerCase(java.util.Locale.ROOT));
    }

    /** The body as an HTML form ({@code application/x-www-form-urlencoded}): every value of every field, in order. */
    public Map<String, List<String>> form() {
        return new io.netty.handler.codec.http.QueryStringDecoder(bodyText(), StandardCharsets.UTF_8, false)
                .parameters();
    }

    public String param(String name) {
        return pathParams.get(name);
    }

    public String queryParam(String name) {
        List<String> values = query.get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    /** A time query parameter, or the default when absent; a malformed one is a 400 naming the parameter. */
    public Instant instantParam(String name, Instant defaultValue) {
        String value = queryParam(name);
        if (value == null) {
            return defaultValue;
        }
        try {
            return Instant.parse(value);
        } catch (DateTimeParseException e) {
            throw new BadRequest(name + ": '" + value + "' (expected an RFC 3339 time such as 2026-11-23T09:00:00Z)");
        }
    }

    public String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
    }

    /** Thrown by a route for a request it cannot serve: answered with 400 and the message. */
    public static final class BadRequest extends RuntimeException {
        public BadRequest(String message) {
            super(message);
        }
    }
}
