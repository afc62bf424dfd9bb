package org.contactrouter.events;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The JSON form of a {@link ContactEvent}: a CloudEvents 1.0 event in structured mode, one JSON object with the
 * attributes {@code specversion}, {@code id}, {@code source}, {@code type}, {@code time}, {@code subject},
 * {@code domain} (our extension), {@code datacontenttype} and the payload in {@code data}.
 *
 * <p>{@code data} holds the data record's components under their own names: channels and presences by wire name
 * ({@code "sms"}, {@code "wrap-up"}), identities by key ({@code "tel:+4917012345678"}), instants in RFC 3339, null
 * values and empty attribute maps left out. {@code contact-event.schema.json}, next to this class, describes the
 * same shape.
 *
 * <p>Reading is strict about what the model needs and tolerant of what it does not know. A missing or malformed
 * value is an {@link InvalidEventException} naming the field by its JSON path; attributes and data fields this
 * version does not know are ignored, so a producer can add one before every consumer knows it.
 *
 * <p>Thread-safe; all methods are static.
 */
public final class ContactEventJson {

    /** Short type to data record: the one list of event types. A new type is one line here and one in the schema. */
    private static final Map<String, Class<? extends EventData>> TYPES = registry(
            Map.entry(ContactOpened.TYPE, ContactOpened.class),
            Map.entry(CustomerMessage.TYPE, CustomerMessage.class),
            Map.entry(CustomerLeft.TYPE, CustomerLeft.class),
            Map.entry(PresenceChanged.TYPE, PresenceChanged.class),
            Map.entry(OfferAccepted.TYPE, OfferAccepted.class),
            Map.entry(OfferRejected.TYPE, OfferRejected.class),
            Map.entry(AgentReplied.TYPE, AgentReplied.class),
            Map.entry(NoteAdded.TYPE, NoteAdded.class),
            Map.entry(TransferRequested.TYPE, TransferRequested.class),
            Map.entry(ContactWrappedUp.TYPE, ContactWrappedUp.class));

    private static final String DATA_CONTENT_TYPE = "application/json";

    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private static final JsonNodeFactory NODES = MAPPER.getNodeFactory();

    /** Jackson's placeholder for the input inside a nested location, "[Source: REDACTED (...); line: 1, ...]". */
    private static final Pattern SOURCE_IN_LOCATION = Pattern.compile("\\[Source: [^;]*; ");

    /** A record's components and canonical constructor, looked up once per class. */
    private static final ClassValue<Shape> SHAPES = new ClassValue<>() {
        @Override
        protected Shape computeValue(Class<?> type) {
            RecordComponent[] components = type.getRecordComponents();
            Class<?>[] parameters = Arrays.stream(components).map(RecordComponent::getType).toArray(Class<?>[]::new);
            try {
                return new Shape(components, type.getDeclaredConstructor(parameters));
            } catch (NoSuchMethodException e) {
                throw new IllegalStateException("no canonical constructor in " + type.getName(), e);
            }
        }
    };

    private ContactEventJson() {
    }

    /** The event as one line of JSON. */
    public static String write(ContactEvent event) {
        try {
            return MAPPER.writeValueAsString(tree(event));
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The event as UTF-8 JSON, e.g. a Kafka record value. */
    public static byte[] writeBytes(ContactEvent event) {
        try {
            return MAPPER.writeValueAsBytes(tree(event));
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Reads one event.
     *
     * @throws InvalidEventException when the input is not JSON or not a valid contact event; the message says which
     *                               field is wrong and what was expected
     */
    public static ContactEvent read(String json) {
        Objects.requireNonNull(json, "json");
        JsonNode root;
        try {
            root = MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw malformed(e);
        }
        return event(root);
    }

    /** Reads one event from JSON in UTF-8 (or UTF-16/32 with a byte order mark); see {@link #read(String)}. */
    public static ContactEvent read(byte[] json) {
        Objects.requireNonNull(json, "json");
        JsonNode root;
        try {
            root = MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw malformed(e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return event(root);
    }

    /** The event as a JSON tree, to embed in a larger document (the router's journal) without a second parse. */
    public static ObjectNode toJson(ContactEvent event) {
        return tree(event);
    }

    /** Reads one event from a JSON tree; see {@link #read(String)}. */
    public static ContactEvent read(JsonNode json) {
        Objects.requireNonNull(json, "json");
        return event(json);
    }

    /** The registry, short type to data record, in a stable order. */
    static Map<String, Class<? extends EventData>> types() {
        return TYPES;
    }

    private static ObjectNode tree(ContactEvent event) {
        Objects.requireNonNull(event, "event");
        EventData data = event.data();
        if (TYPES.get(data.type()) != data.getClass()) {
            throw new IllegalStateException(data.getClass().getSimpleName() + " (type '" + data.type()
                    + "') is missing from the type registry in ContactEventJson");
        }
        ObjectNode json = NODES.objectNode();
        json.put("specversion", ContactEvent.SPEC_VERSION);
        json.put("id", event.id());
        json.put("source", event.source());
        json.put("type", event.type());
        json.put("time", event.time().toString());
        if (event.subject() != null) {
            json.put("subject", event.subject());
        }
        json.put("domain", event.domain());
        json.put("datacontenttype", DATA_CONTENT_TYPE);
        json.set("data", value(data));
        return json;
    }

    private static JsonNode value(Object value) {
        if (value instanceof String s) {
            return NODES.textNode(s);
        }
        if (value instanceof Instant t) {
            return NODES.textNode(t.toString());
        }
        if (value instanceof Channel c) {
            return NODES.textNode(c.wireName());
        }
        if (value instanceof Presence p) {
            return NODES.textNode(p.wireName());
        }
        if (value instanceof Identity i) {
            return NODES.textNode(i.key());
        }
        if (value instanceof List<?> list) {
            ArrayNode array = NODES.arrayNode(list.size());
            list.forEach(item -> array.add(value(item)));
            return array;
        }
        if (value instanceof Map<?, ?> map) {
            ObjectNode object = NODES.objectNode();
            new TreeMap<>(map).forEach((k, v) -> object.set((String) k, value(v)));
            return object;
        }
        if (value instanceof Record r) {
            ObjectNode object = NODES.objectNode();
            for (RecordComponent c : SHAPES.get(r.getClass()).components()) {
                Object v = accessor(c, r);
                if (v != null && !(v instanceof Map<?, ?> m && m.isEmpty())) {
                    object.set(c.getName(), value(v));
                }
            }
            return object;
        }
        throw new IllegalStateException("no JSON form for " + value.getClass().getName());
    }

    private static Object accessor(RecordComponent component, Record record) {
        try {
            return component.getAccessor().invoke(record);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot read " + component, e);
        }
    }

    private static ContactEvent event(JsonNode root) {
        JsonNode id = root.get("id");
        try {
            return envelope(root);
        } catch (Problem p) {
            String which = id != null && id.isTextual() ? " " + show(id) : "";
            throw new InvalidEventException("invalid contact event" + which + ": " + p.getMessage(), p.getCause());
        }
    }

    private static ContactEvent envelope(JsonNode root) {
        if (!root.isObject()) {
            throw new Problem(root.isMissingNode() ? "no JSON in the input (expected a CloudEvents JSON object)"
                    : "top level: " + show(root) + " (expected a CloudEvents JSON object)");
        }
        String specVersion = attribute(root, "specversion");
        if (!specVersion.equals(ContactEvent.SPEC_VERSION)) {
            throw problem("specversion", root.get("specversion"), "'" + ContactEvent.SPEC_VERSION + "'");
        }
        String id = attribute(root, "id");
        String source = attribute(root, "source");
        String type = attribute(root, "type");
        Class<? extends EventData> dataType = type.startsWith(ContactEvent.TYPE_PREFIX)
                ? TYPES.get(type.substring(ContactEvent.TYPE_PREFIX.length())) : null;
        if (dataType == null) {
            throw new Problem("type: " + show(root.get("type")) + " (expected one of: "
                    + String.join(", ", TYPES.keySet().stream().map(t -> ContactEvent.TYPE_PREFIX + t).toList()) + ")");
        }
        JsonNode timeNode = root.get("time");
        if (isAbsent(timeNode)) {
            throw new Problem("time: missing (expected an RFC 3339 timestamp such as 2024-05-14T09:30:00Z)");
        }
        Instant time = instant(timeNode, "time");
        String subject = optionalAttribute(root, "subject");
        String domain = optionalAttribute(root, "domain");
        String contentType = optionalAttribute(root, "datacontenttype");
        if (contentType != null && !isJson(contentType)) {
            throw problem("datacontenttype", root.get("datacontenttype"), "'" + DATA_CONTENT_TYPE + "'");
        }
        JsonNode data = root.get("data");
        if (isAbsent(data)) {
            throw new Problem(root.has("data_base64")
                    ? "data_base64: not supported (expected the payload as a JSON object in data)"
                    : "data: missing (expected a JSON object with the fields of " + type + ")");
        }
        EventData payload = (EventData) record(data, dataType, "data");
        try {
            return new ContactEvent(id, source, time, subject, domain, payload);
        } catch (IllegalArgumentException e) {
            throw new Problem(e.getMessage(), e);
        }
    }

    private static String attribute(JsonNode root, String name) {
        JsonNode node = root.get(name);
        if (isAbsent(node)) {
            throw new Problem(name + ": missing (a required CloudEvents attribute)");
        }
        String value = text(node, name);
        if (value.isBlank()) {
            throw problem(name, node, "a non-empty string");
        }
        return value;
    }

    private static String optionalAttribute(JsonNode root, String name) {
        JsonNode node = root.get(name);
        return isAbsent(node) ? null : text(node, name);
    }

    private static boolean isJson(String mediaType) {
        String type = mediaType.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
        return type.equals(DATA_CONTENT_TYPE) || (type.startsWith("application/") && type.endsWith("+json"));
    }

    private static Object record(JsonNode node, Class<?> type, String path) {
        if (!node.isObject()) {
            throw problem(path, node, "a JSON object");
        }
        Shape shape = SHAPES.get(type);
        RecordComponent[] components = shape.components();
        Object[] args = new Object[components.length];
        for (int i = 0; i < components.length; i++) {
            RecordComponent c = components[i];
            JsonNode field = node.get(c.getName());
            args[i] = isAbsent(field) ? null : read(field, c.getGenericType(), path + '.' + c.getName());
        }
        try {
            return shape.constructor().newInstance(args);
        } catch (InvocationTargetException e) {
            throw new Problem(rejected(path, components, args, e.getCause()), e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot create " + type.getName(), e);
        }
    }

    /**
     * Puts the record's path in front of its constructor's message: {@code conversation: null (expected ...)} from
     * the record at {@code data} becomes {@code data.conversation: missing (expected ...)}.
     */
    private static String rejected(String path, RecordComponent[] components, Object[] args, Throwable cause) {
        String message = cause.getMessage();
        if (message == null) {
            return path + ": " + cause;
        }
        boolean npe = cause instanceof NullPointerException;
        int colon = npe ? message.length() : message.indexOf(": ");
        if (colon > 0) {
            String field = message.substring(message.lastIndexOf('.', colon - 1) + 1, colon);
            for (int i = 0; i < components.length; i++) {
                if (components[i].getName().equals(field)) {
                    String rest = npe ? "null (required)" : message.substring(colon + 2);
                    if (args[i] == null && rest.startsWith("null")) {
                        rest = "missing" + rest.substring(4);
                    }
                    return path + '.' + field + ": " + rest;
                }
            }
        }
        return path + ": " + message;
    }

    private static Object read(JsonNode node, Type type, String path) {
        Class<?> raw = (Class<?>) (type instanceof ParameterizedType p ? p.getRawType() : type);
        if (raw == String.class) {
            return text(node, path);
        }
        if (raw == Instant.class) {
            return instant(node, path);
        }
        if (raw == Channel.class) {
            return parse(node, path, Channel::fromWire);
        }
        if (raw == Presence.class) {
            return parse(node, path, Presence::fromWire);
        }
        if (raw == Identity.class) {
            return parse(node, path, Identity::parse);
        }
        if (raw == List.class) {
            if (!node.isArray()) {
                throw problem(path, node, "a JSON array");
            }
            Type element = ((ParameterizedType) type).getActualTypeArguments()[0];
            List<Object> list = new ArrayList<>(node.size());
            for (int i = 0; i < node.size(); i++) {
                list.add(read(node.get(i), element, path + '[' + i + ']'));
            }
            return list;
        }
        if (raw == Map.class) {
            if (!node.isObject()) {
                throw problem(path, node, "a JSON object");
            }
            Type valueType = ((ParameterizedType) type).getActualTypeArguments()[1];
            Map<String, Object> map = new LinkedHashMap<>();
            node.properties().forEach(e -> map.put(e.getKey(), read(e.getValue(), valueType, path + '.' + e.getKey())));
            return map;
        }
        if (raw.isRecord()) {
            return record(node, raw, path);
        }
        throw new IllegalStateException("no JSON form for " + type.getTypeName() + " at " + path);
    }

    private static String text(JsonNode node, String path) {
        if (!node.isTextual()) {
            throw problem(path, node, "a string");
        }
        return node.textValue();
    }

    private static Instant instant(JsonNode node, String path) {
        try {
            return DateTimeFormatter.ISO_OFFSET_DATE_TIME.parse(text(node, path), Instant::from);
        } catch (DateTimeParseException e) {
            throw problem(path, node, "an RFC 3339 timestamp such as 2024-05-14T09:30:00Z");
        }
    }

    /** A string the model parses; its message, which names what it expected, gets the path in front. */
    private static Object parse(JsonNode node, String path, Function<String, ?> parser) {
        String text = text(node, path);
        try {
            return parser.apply(text);
        } catch (IllegalArgumentException e) {
            String last = path.substring(path.lastIndexOf('.') + 1);
            String message = e.getMessage();
            throw new Problem(message.startsWith(last + ": ") ? path + message.substring(last.length())
                    : path + ": " + message, e);
        }
    }

    private static boolean isAbsent(JsonNode node) {
        return node == null || node.isNull();
    }

    private static Problem problem(String path, JsonNode value, String expected) {
        return new Problem(path + ": " + show(value) + " (expected " + expected + ")");
    }

    /** A value as a message shows it: strings in single quotes, the rest as JSON, long ones cut. */
    private static String show(JsonNode value) {
        String s = value.isTextual() ? "'" + value.textValue() + "'" : value.toString();
        return s.length() <= 80 ? s : s.substring(0, 77) + "...";
    }

    private static InvalidEventException malformed(JsonProcessingException e) {
        JsonLocation at = e.getLocation();
        String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
        String what = e instanceof MismatchedInputException ? "more content after the event's closing brace"
                : SOURCE_IN_LOCATION.matcher(e.getOriginalMessage()).replaceAll("[");
        return new InvalidEventException("invalid contact event: malformed JSON" + where + ": " + what, e);
    }

    @SafeVarargs
    private static Map<String, Class<? extends EventData>> registry(Map.Entry<String, Class<? extends EventData>>... types) {
        Map<String, Class<? extends EventData>> registry = new LinkedHashMap<>();
        for (Map.Entry<String, Class<? extends EventData>> t : types) {
            if (registry.put(t.getKey(), t.getValue()) != null) {
                throw new IllegalStateException("type '" + t.getKey() + "' registered twice");
            }
        }
        return Collections.unmodifiableMap(registry);
    }

    private record Shape(RecordComponent[] components, Constructor<?> constructor) {
    }

    /** A reason to reject the event, before the event's id is put in front of it. */
    private static final class Problem extends RuntimeException {

        Problem(String message) {
            super(message, null, false, false);
        }

        Problem(String message, Throwable cause) {
            super(message, cause, false, false);
        }
    }
}
