package org.contactrouter.server.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.contactrouter.access.Caller;

/**
 * A request as a route sees it.
 *
 * @param method        GET, POST, ...
 * @param path          the decoded path, without the query
 * @param pathParams    values of the route's {name} segments
 * @param query         query parameters
 * @param rawQuery      the query string as sent (without '?'), or null when there is none; signatures cover it
 * @param headers       request headers by lower-case name (the first value of each)
 * @param body          the request body, possibly empty
 * @param caller        who sent it, as its credentials prove
 * @param clientAddress the client's address (behind a trusted proxy: the one the proxy names)
 */
public record HttpRequest(String method, String path, Map<String, String> pathParams, Map<String, List<String>> query,
                          String rawQuery, Map<String, String> headers, byte[] body, Caller caller,
                          String clientAddress) {

    /**
     * How request bodies are read: bounded nesting and number length, so a hostile body costs a 400, not a stack
     * overflow or a thousand-digit number.
     */
    private static final ObjectMapper BODY_JSON = new ObjectMapper(JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(32).maxNumberLength(40)
                    .maxStringLength(HttpServer.MAX_BODY_BYTES).build())
            .build());

    public String header(String name) {
        return headers.get(name.toLowerCase(Locale.ROOT));
    }

    /**
     * The body as an HTML form ({@code application/x-www-form-urlencoded}): every value of every field, in order, at
     * most 1024 fields; a body that is not valid form encoding ({@code %zz}) is a 400 saying so.
     */
    public Map<String, List<String>> form() {
        try {
            return new QueryStringDecoder(bodyText(), StandardCharsets.UTF_8, false, 1024).parameters();
        } catch (IllegalArgumentException e) {
            throw new BadRequest("the body is not valid application/x-www-form-urlencoded: " + e.getMessage());
        }
    }

    /**
     * The body as a JSON object; an empty body is an empty object. Anything else (not JSON, not an object, nested
     * deeper than 32, a number of more than 40 digits) is a 400 naming the problem.
     */
    public JsonNode json() {
        if (body.length == 0) {
            return BODY_JSON.createObjectNode();
        }
        JsonNode node;
        try {
            node = BODY_JSON.readTree(body);
        } catch (JsonProcessingException e) {
            throw new BadRequest("body is not valid JSON: " + e.getOriginalMessage()
                    + (e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr() + ", column "
                    + e.getLocation().getColumnNr()));
        } catch (IOException e) {
            throw new BadRequest("body cannot be read: " + e.getMessage());
        }
        if (node == null || !node.isObject()) {
            throw new BadRequest("body: expected a JSON object");
        }
        return node;
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

    /** Thrown by a route for a caller who may call it, but not about this resource: answered with 403. */
    public static final class Forbidden extends RuntimeException {
        public Forbidden(String message) {
            super(message);
        }
    }
}
