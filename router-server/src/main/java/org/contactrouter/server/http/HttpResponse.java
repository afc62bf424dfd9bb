package org.contactrouter.server.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * What a route answers: a status, a content type, a body and any further headers.
 *
 * @param status      HTTP status
 * @param contentType media type of the body
 * @param body        the bytes
 * @param headers     further response headers by name (Cache-Control, ETag, ...); usually none
 */
public record HttpResponse(HttpResponseStatus status, String contentType, byte[] body, Map<String, String> headers) {

    public HttpResponse {
        headers = Map.copyOf(headers);
    }

    public HttpResponse(HttpResponseStatus status, String contentType, byte[] body) {
        this(status, contentType, body, Map.of());
    }

    /** This answer with one more header (replacing one of the same name). */
    public HttpResponse withHeader(String name, String value) {
        Map<String, String> more = new java.util.LinkedHashMap<>(headers);
        more.put(name, value);
        return new HttpResponse(status, contentType, body, more);
    }

    /** JSON as the API writes it: RFC 3339 times, ISO-8601 durations, enums by their lower-case wire names. */
    public static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
            .registerModule(new com.fasterxml.jackson.databind.module.SimpleModule()
                    .addSerializer(Enum.class, new com.fasterxml.jackson.databind.ser.std.StdSerializer<Enum>(Enum.class) {
                        @Override
                        public void serialize(Enum value, com.fasterxml.jackson.core.JsonGenerator gen,
                                              com.fasterxml.jackson.databind.SerializerProvider provider)
                                throws java.io.IOException {
                            gen.writeString(value.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'));
                        }
                    }))
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(SerializationFeature.WRITE_DURATIONS_AS_TIMESTAMPS);

    public static HttpResponse json(HttpResponseStatus status, Object value) {
        try {
            return new HttpResponse(status, "application/json", JSON.writeValueAsBytes(value));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("cannot write response as JSON", e);
        }
    }

    public static HttpResponse ok(Object value) {
        return json(HttpResponseStatus.OK, value);
    }

    public static HttpResponse text(HttpResponseStatus status, String contentType, String body) {
        return new HttpResponse(status, contentType, body.getBytes(StandardCharsets.UTF_8));
    }

    /** A JSON error body a person can act on: {@code {"status":404,"error":"..."}}. */
    public static HttpResponse error(HttpResponseStatus status, String message) {
        return json(status, Map.of("status", status.code(), "error", message));
    }
}
