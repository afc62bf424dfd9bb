package org.contactrouter.events;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.cfg.EnumFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;

/**
 * The JSON form of an {@link OutboundMessage} and a {@link DeliveryReport}, with the conventions of the contact events: lower-case enum names
 * ({@code "sms"}, {@code "after_hours"}), RFC 3339 instants, ISO 8601 durations, null values left out. Unknown fields
 * are ignored, so the router can add one before the adapters know it.
 */
public final class OutboundMessageJson {

    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .addModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(SerializationFeature.WRITE_DURATIONS_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(EnumFeature.WRITE_ENUMS_TO_LOWERCASE)
            .enable(MapperFeature.ACCEPT_CASE_INSENSITIVE_ENUMS)
            .serializationInclusion(JsonInclude.Include.NON_NULL)
            .build();

    private OutboundMessageJson() {
    }

    public static byte[] writeBytes(OutboundMessage message) {
        try {
            return MAPPER.writeValueAsBytes(message);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("an outbound message cannot fail to serialize", e);
        }
    }

    public static String write(OutboundMessage message) {
        try {
            return MAPPER.writeValueAsString(message);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("an outbound message cannot fail to serialize", e);
        }
    }

    public static byte[] writeBytes(DeliveryReport report) {
        try {
            return MAPPER.writeValueAsBytes(report);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a delivery report cannot fail to serialize", e);
        }
    }

    public static DeliveryReport readReport(byte[] json) {
        try {
            return MAPPER.readValue(json, DeliveryReport.class);
        } catch (IOException | IllegalArgumentException | NullPointerException e) {
            throw new InvalidEventException("not a delivery report: " + e.getMessage());
        }
    }

    /** Reads one message; anything that is not a valid message is an {@link InvalidEventException} saying why. */
    public static OutboundMessage read(byte[] json) {
        try {
            return MAPPER.readValue(json, OutboundMessage.class);
        } catch (IOException | IllegalArgumentException | NullPointerException e) {
            throw new InvalidEventException("not an outbound message: " + e.getMessage());
        }
    }
}
