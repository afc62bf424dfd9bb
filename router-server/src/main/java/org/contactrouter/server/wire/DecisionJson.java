package org.contactrouter.server.wire;

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
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Function;
import org.contactrouter.events.Channel;
import org.contactrouter.events.Customer;
import org.contactrouter.events.Identity;
import org.contactrouter.routing.DecisionType;
import org.contactrouter.routing.Explanation;
import org.contactrouter.routing.RefusalReason;
import org.contactrouter.routing.RoutingDecision;
import org.contactrouter.routing.SelectionStrategy;

/**
 * The JSON form of a {@link RoutingDecision}: the value of a {@code routing.decisions} record and the decision column
 * of the ledger. One object with the record's components under their own names, in the record's order:
 *
 * <pre>{@code
 * {"id":"c-1x/1","sequence":7,"contactId":"c-1x","decidedAt":"2026-11-23T09:00:00Z","configVersion":"7",
 *  "type":"queued","customerKey":"chat:v1","customer":{"identities":["chat:v1"]},"channel":"chat",
 *  "queueId":"support","priority":0,"estimatedWait":"PT5M","text":"Hello","causeEventId":"e-3",
 *  "explanation":{"queue":"support","reason":"no rule matched","availableAgents":0,"candidates":[]}}
 * }</pre>
 *
 * <p>The conventions of the contact events ({@code ContactEventJson}): identities by key ({@code "tel:+4917012345678"}),
 * instants in RFC 3339, null values left out. Enums by lower-case wire name with hyphens: channels {@code "sms"},
 * types {@code "after-hours"}, reasons {@code "offer-not-open"}, strategies {@code "longest-idle"}. Durations in
 * ISO 8601 ({@code "PT5M"}).
 *
 * <p>Reading is strict about what a decision needs ({@code id}, {@code sequence}, {@code decidedAt},
 * {@code configVersion}, {@code type}) and about the form of every value, and ignores fields it does not know, so a
 * producer can add one before the readers know it. Duplicate keys and content after the object are rejected.
 *
 * <p>Thread-safe; all methods are static.
 */
public final class DecisionJson {

    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private static final JsonNodeFactory NODES = MAPPER.getNodeFactory();

    private DecisionJson() {
    }

    /** A decision that cannot be read: not JSON, or a field missing or of the wrong form. The message names the field. */
    public static final class InvalidDecisionException extends IllegalArgumentException {

        InvalidDecisionException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** The decision as one line of JSON. */
    public static String write(RoutingDecision decision) {
        try {
            return MAPPER.writeValueAsString(tree(decision));
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The decision as UTF-8 JSON, e.g. a Kafka record value. */
    public static byte[] writeBytes(RoutingDecision decision) {
        try {
            return MAPPER.writeValueAsBytes(tree(decision));
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** An explanation alone, as it appears in a decision's {@code explanation} field. */
    public static String write(Explanation explanation) {
        Objects.requireNonNull(explanation, "explanation");
        try {
            return MAPPER.writeValueAsString(tree(explanation));
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Reads one decision.
     *
     * @throws InvalidDecisionException when the input is not JSON or not a valid decision
     */
    public static RoutingDecision read(String json) {
        Objects.requireNonNull(json, "json");
        try {
            return decision(MAPPER.readTree(json));
        } catch (JsonProcessingException e) {
            throw malformed(e);
        }
    }

    /** Reads one decision from UTF-8 JSON; see {@link #read(String)}. */
    public static RoutingDecision read(byte[] json) {
        Objects.requireNonNull(json, "json");
        try {
            return decision(MAPPER.readTree(json));
        } catch (JsonProcessingException e) {
            throw malformed(e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The lower-case, hyphenated name of an enum constant: {@code AFTER_HOURS} is {@code "after-hours"}. */
    public static String wireName(Enum<?> value) {
        return value.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    // ------------------------------------------------------------------ writing

    /** A decision as a JSON tree, as {@link #write} writes it: for answers that embed decisions. */
    public static ObjectNode tree(RoutingDecision d) {
        Objects.requireNonNull(d, "decision");
        ObjectNode json = NODES.objectNode();
        put(json, "id", d.id());
        json.put("sequence", d.sequence());
        put(json, "contactId", d.contactId());
        put(json, "decidedAt", d.decidedAt());
        put(json, "configVersion", d.configVersion());
        put(json, "type", d.type());
        put(json, "customerKey", d.customerKey());
        if (d.customer() != null) {
            ObjectNode customer = json.putObject("customer");
            put(customer, "name", d.customer().name());
            ArrayNode identities = customer.putArray("identities");
            d.customer().identities().forEach(i -> identities.add(i.key()));
            put(customer, "claimedEmail", d.customer().claimedEmail());
        }
        put(json, "subject", d.subject());
        put(json, "channel", d.channel());
        put(json, "conversation", d.conversation());
        put(json, "endpoint", d.endpoint());
        put(json, "queueId", d.queueId());
        put(json, "ruleId", d.ruleId());
        put(json, "agentId", d.agentId());
        put(json, "previousAgentId", d.previousAgentId());
        put(json, "agentName", d.agentName());
        put(json, "offerId", d.offerId());
        put(json, "dueAt", d.dueAt());
        if (d.priority() != null) {
            json.put("priority", d.priority().intValue());
        }
        if (d.estimatedWait() != null) {
            json.put("estimatedWait", d.estimatedWait().toString());
        }
        put(json, "text", d.text());
        put(json, "reason", d.reason());
        put(json, "causeEventId", d.causeEventId());
        if (d.explanation() != null) {
            json.set("explanation", tree(d.explanation()));
        }
        return json;
    }

    private static ObjectNode tree(Explanation e) {
        ObjectNode explanation = NODES.objectNode();
        put(explanation, "rule", e.rule());
        put(explanation, "queue", e.queue());
        put(explanation, "strategy", e.strategy());
        put(explanation, "reason", e.reason());
        explanation.put("availableAgents", e.availableAgents());
        ArrayNode candidates = explanation.putArray("candidates");
        for (Explanation.Candidate c : e.candidates()) {
            ObjectNode candidate = candidates.addObject();
            put(candidate, "agentId", c.agentId());
            candidate.put("standing", c.standing());
            put(candidate, "verdict", c.verdict());
        }
        return explanation;
    }

    private static void put(ObjectNode json, String name, Object value) {
        if (value instanceof String s) {
            json.put(name, s);
        } else if (value instanceof Instant t) {
            json.put(name, t.toString());
        } else if (value instanceof Channel c) {
            json.put(name, c.wireName());
        } else if (value instanceof Enum<?> e) {
            json.put(name, wireName(e));
        } else if (value != null) {
            throw new IllegalStateException("no JSON form for " + value.getClass().getName());
        }
    }

    // ------------------------------------------------------------------ reading

    private static RoutingDecision decision(JsonNode root) {
        JsonNode id = root.get("id");
        String which = id != null && id.isTextual() ? " '" + id.textValue() + "'" : "";
        try {
            return fields(root);
        } catch (Problem p) {
            throw new InvalidDecisionException("invalid routing decision" + which + ": " + p.getMessage(), p.getCause());
        }
    }

    private static RoutingDecision fields(JsonNode root) {
        if (!root.isObject()) {
            throw new Problem(root.isMissingNode() ? "no JSON in the input (expected a JSON object)"
                    : "top level: " + show(root) + " (expected a JSON object)");
        }
        return new RoutingDecision(
                required(root, "id", DecisionJson::text),
                required(root, "sequence", DecisionJson::longValue),
                optional(root, "contactId", DecisionJson::text),
                required(root, "decidedAt", DecisionJson::instant),
                required(root, "configVersion", DecisionJson::text),
                required(root, "type", (n, p) -> constant(n, p, DecisionType.values())),
                optional(root, "customerKey", DecisionJson::text),
                optional(root, "customer", DecisionJson::customer),
                optional(root, "subject", DecisionJson::text),
                optional(root, "channel", (n, p) -> parse(n, p, Channel::fromWire)),
                optional(root, "conversation", DecisionJson::text),
                optional(root, "endpoint", DecisionJson::text),
                optional(root, "queueId", DecisionJson::text),
                optional(root, "ruleId", DecisionJson::text),
                optional(root, "agentId", DecisionJson::text),
                optional(root, "previousAgentId", DecisionJson::text),
                optional(root, "agentName", DecisionJson::text),
                optional(root, "offerId", DecisionJson::text),
                optional(root, "dueAt", DecisionJson::instant),
                optional(root, "priority", DecisionJson::intValue),
                optional(root, "estimatedWait", DecisionJson::duration),
                optional(root, "text", DecisionJson::text),
                optional(root, "reason", (n, p) -> constant(n, p, RefusalReason.values())),
                optional(root, "causeEventId", DecisionJson::text),
                optional(root, "explanation", DecisionJson::explanation));
    }

    private static Customer customer(JsonNode node, String path) {
        object(node, path);
        JsonNode identities = node.get("identities");
        if (isAbsent(identities) || !identities.isArray() || identities.isEmpty()) {
            throw new Problem(path + ".identities: " + (isAbsent(identities) ? "missing" : show(identities))
                    + " (expected an array of at least one identity key such as 'tel:+4917012345678')");
        }
        List<Identity> list = new ArrayList<>(identities.size());
        for (int i = 0; i < identities.size(); i++) {
            list.add(parse(identities.get(i), path + ".identities[" + i + "]", Identity::parse));
        }
        return new Customer(optional(node, "name", DecisionJson::text, path), list,
                optional(node, "claimedEmail", DecisionJson::text, path));
    }

    private static Explanation explanation(JsonNode node, String path) {
        object(node, path);
        JsonNode candidates = node.get("candidates");
        List<Explanation.Candidate> list = new ArrayList<>();
        if (!isAbsent(candidates)) {
            if (!candidates.isArray()) {
                throw problem(path + ".candidates", candidates, "a JSON array");
            }
            for (int i = 0; i < candidates.size(); i++) {
                JsonNode c = candidates.get(i);
                String at = path + ".candidates[" + i + "]";
                object(c, at);
                list.add(new Explanation.Candidate(required(c, "agentId", DecisionJson::text, at),
                        required(c, "standing", DecisionJson::longValue, at),
                        optional(c, "verdict", DecisionJson::text, at)));
            }
        }
        Integer available = optional(node, "availableAgents", DecisionJson::intValue, path);
        return new Explanation(optional(node, "rule", DecisionJson::text, path),
                optional(node, "queue", DecisionJson::text, path),
                optional(node, "strategy", (n, p) -> parse(n, p, SelectionStrategy::fromWire), path),
                optional(node, "reason", DecisionJson::text, path),
                available == null ? 0 : available, list);
    }

    private interface Reader<T> {
        T read(JsonNode node, String path);
    }

    private static <T> T required(JsonNode object, String name, Reader<T> reader) {
        return required(object, name, reader, null);
    }

    private static <T> T required(JsonNode object, String name, Reader<T> reader, String parent) {
        String path = parent == null ? name : parent + '.' + name;
        JsonNode node = object.get(name);
        if (isAbsent(node)) {
            throw new Problem(path + ": missing (required)");
        }
        return reader.read(node, path);
    }

    private static <T> T optional(JsonNode object, String name, Reader<T> reader) {
        return optional(object, name, reader, null);
    }

    private static <T> T optional(JsonNode object, String name, Reader<T> reader, String parent) {
        JsonNode node = object.get(name);
        return isAbsent(node) ? null : reader.read(node, parent == null ? name : parent + '.' + name);
    }

    private static void object(JsonNode node, String path) {
        if (!node.isObject()) {
            throw problem(path, node, "a JSON object");
        }
    }

    private static String text(JsonNode node, String path) {
        if (!node.isTextual()) {
            throw problem(path, node, "a string");
        }
        return node.textValue();
    }

    private static long longValue(JsonNode node, String path) {
        if (!node.isIntegralNumber() || !node.canConvertToLong()) {
            throw problem(path, node, "a whole number");
        }
        return node.longValue();
    }

    private static int intValue(JsonNode node, String path) {
        if (!node.isIntegralNumber() || !node.canConvertToInt()) {
            throw problem(path, node, "a whole number in 32 bits");
        }
        return node.intValue();
    }

    private static Instant instant(JsonNode node, String path) {
        try {
            return DateTimeFormatter.ISO_OFFSET_DATE_TIME.parse(text(node, path), Instant::from);
        } catch (DateTimeParseException e) {
            throw problem(path, node, "an RFC 3339 timestamp such as 2026-11-23T09:00:00Z");
        }
    }

    private static Duration duration(JsonNode node, String path) {
        try {
            return Duration.parse(text(node, path));
        } catch (DateTimeParseException e) {
            throw problem(path, node, "an ISO 8601 duration such as PT5M");
        }
    }

    private static <E extends Enum<E>> E constant(JsonNode node, String path, E[] values) {
        String name = text(node, path);
        for (E value : values) {
            if (wireName(value).equals(name)) {
                return value;
            }
        }
        throw problem(path, node, "one of: " + String.join(", ", Arrays.stream(values).map(DecisionJson::wireName).toList()));
    }

    /** A string the model parses; its message, which names what it expected, gets the path in front. */
    private static <T> T parse(JsonNode node, String path, Function<String, T> parser) {
        String text = text(node, path);
        try {
            return parser.apply(text);
        } catch (IllegalArgumentException e) {
            throw new Problem(path + ": " + e.getMessage(), e);
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

    private static InvalidDecisionException malformed(JsonProcessingException e) {
        JsonLocation at = e.getLocation();
        String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
        String what = e instanceof MismatchedInputException ? "more content after the decision's closing brace"
                : e.getOriginalMessage();
        return new InvalidDecisionException("invalid routing decision: malformed JSON" + where + ": " + what, e);
    }

    /** A reason to reject the decision, before the decision's id is put in front of it. */
    private static final class Problem extends RuntimeException {

        Problem(String message) {
            super(message, null, false, false);
        }

        Problem(String message, Throwable cause) {
            super(message, cause, false, false);
        }
    }
}
