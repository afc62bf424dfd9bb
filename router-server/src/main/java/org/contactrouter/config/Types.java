package org.contactrouter.config;

import java.time.DateTimeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/** The value types settings are declared with. */
final class Types {

    private static final Pattern DURATION = Pattern.compile("(\\d{1,9})(ms|s|m|h|d)");
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,63}");
    private static final Pattern LANGUAGE = Pattern.compile("[a-z]{2,3}");

    private Types() {
    }

    /**
     * A single value written as text. {@code parse} returns null, or throws IllegalArgumentException or
     * DateTimeException, for text that is not a value.
     */
    static <T> Type<T> scalar(String doc, String expected, Function<String, T> parse, Function<T, String> show) {
        return new Scalar<>(doc, expected, parse, show, List.of());
    }

    static Type<Integer> integer(int min, int max) {
        return scalar("int " + min + ".." + max, "expected: " + min + ".." + max, text -> {
            int n = Integer.parseInt(text);
            return n >= min && n <= max ? n : null;
        }, String::valueOf);
    }

    static Type<Boolean> bool() {
        return scalar("bool", "expected: true or false",
                text -> text.equals("true") ? Boolean.TRUE : text.equals("false") ? Boolean.FALSE : null,
                String::valueOf);
    }

    static Type<Duration> duration(Duration min, Duration max) {
        String range = showDuration(min) + ".." + showDuration(max);
        return scalar("duration " + range, "expected: a duration " + range + ", written like 500ms, 30s, 5m, 4h or 30d",
                text -> {
                    Duration d = parseDuration(text);
                    return d != null && d.compareTo(min) >= 0 && d.compareTo(max) <= 0 ? d : null;
                }, Types::showDuration);
    }

    /** A name from a closed set, such as a channel; a near miss is answered with "did you mean". */
    static <T> Type<T> oneOf(String doc, List<T> values, Function<T, String> name) {
        Map<String, T> byName = new LinkedHashMap<>();
        values.forEach(v -> byName.put(name.apply(v), v));
        return new Scalar<>(doc, "expected one of: " + String.join(", ", byName.keySet()), byName::get, name,
                byName.keySet());
    }

    /** The id of a queue, rule, agent, skill, business hours or tier; {@code doc} says which. */
    static Type<String> id(String doc) {
        return scalar(doc, "expected: an id of letters, digits, '-' and '_', such as billing",
                text -> ID.matcher(text).matches() ? text : null, Function.identity());
    }

    static Type<String> text() {
        return scalar("string", "expected: a non-empty string", text -> text.isBlank() ? null : text,
                Function.identity());
    }

    static Type<String> language() {
        return scalar("language", "expected: a lower-case language code such as en or de",
                text -> LANGUAGE.matcher(text).matches() ? text : null, Function.identity());
    }

    /** A list; a single item may be written without brackets. */
    static <T> Type<List<T>> listOf(Type<T> item) {
        return new Many<>(item, false, ArrayList::new);
    }

    /** A list in which no value may appear twice. */
    static <T> Type<Set<T>> setOf(Type<T> item) {
        return new Many<>(item, true, LinkedHashSet::new);
    }

    static <K, V> Type<Map<K, V>> mapOf(Type<K> key, Type<V> value) {
        return new MapType<>(key, value);
    }

    /** {@code 30s} as a Duration; null when the text is not a whole number and one of the units. */
    static Duration parseDuration(String text) {
        Matcher m = DURATION.matcher(text);
        if (!m.matches()) {
            return null;
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
        };
    }

    /** A Duration the way it is written in the files, in the largest unit that divides it: {@code 30d}, {@code 90s}. */
    static String showDuration(Duration d) {
        long ms = d.toMillis();
        if (ms == 0) {
            return "0s";
        }
        long[] units = {86_400_000, 3_600_000, 60_000, 1_000};
        String[] names = {"d", "h", "m", "s"};
        for (int i = 0; i < units.length; i++) {
            if (ms % units[i] == 0) {
                return ms / units[i] + names[i];
            }
        }
        return ms + "ms";
    }

    static boolean isNull(Node node) {
        return node instanceof ScalarNode && node.getTag().equals(Tag.NULL);
    }

    /** A node as a message shows it: {@code 21}, {@code 'longest-idel'}, {@code a map}. */
    static String describe(Node node) {
        if (isNull(node)) {
            return "no value";
        }
        if (node instanceof ScalarNode s) {
            String text = s.getValue();
            return text.matches("-?\\d+") ? text : "'" + text + "'";
        }
        return node instanceof MappingNode ? "a map" : "a list";
    }

    private static final class Scalar<T> implements Type<T> {
        private final String doc;
        private final String expected;
        private final Function<String, T> parse;
        private final Function<T, String> show;
        private final Collection<String> names;

        Scalar(String doc, String expected, Function<String, T> parse, Function<T, String> show,
               Collection<String> names) {
            this.doc = doc;
            this.expected = expected;
            this.parse = parse;
            this.show = show;
            this.names = names;
        }

        @Override
        public T read(Node node, Cursor at) {
            if (!(node instanceof ScalarNode scalar) || isNull(node)) {
                at.error(node, describe(node) + " (" + expected + ")");
                return null;
            }
            String text = scalar.getValue();
            T value;
            try {
                value = parse.apply(text);
            } catch (IllegalArgumentException | DateTimeException e) {
                value = null;
            }
            if (value == null) {
                at.error(node, describe(node) + Spelling.suggestion(text, names) + " (" + expected + ")");
            }
            return value;
        }

        @Override
        public String expected() {
            return expected;
        }

        @Override
        public String doc() {
            return doc;
        }

        @Override
        public String show(T value) {
            return show.apply(value);
        }
    }

    private static final class Many<T, C extends Collection<T>> implements Type<C> {
        private final Type<T> item;
        private final boolean unique;
        private final Supplier<C> empty;

        Many(Type<T> item, boolean unique, Supplier<C> empty) {
            this.item = item;
            this.unique = unique;
            this.empty = empty;
        }

        @Override
        public C read(Node node, Cursor at) {
            List<Node> items;
            if (node instanceof SequenceNode s) {
                items = s.getValue();
            } else if (node instanceof ScalarNode && !isNull(node)) {
                items = List.of(node);
            } else {
                at.error(node, describe(node) + " (" + expected() + ")");
                return null;
            }
            C values = empty.get();
            boolean ok = true;
            for (int i = 0; i < items.size(); i++) {
                Node n = items.get(i);
                T value = item.read(n, at.index(i));
                if (value == null) {
                    ok = false;
                } else if (unique && values.contains(value)) {
                    at.index(i).error(n, describe(n) + " is listed twice (expected: each value once)");
                    ok = false;
                } else {
                    values.add(value);
                }
            }
            return ok ? values : null;
        }

        @Override
        public String expected() {
            return "expected: a list of " + item.doc();
        }

        @Override
        public String doc() {
            return "list of " + item.doc();
        }

        @Override
        public String show(C value) {
            return value.stream().map(item::show).collect(Collectors.joining(", ", "[", "]"));
        }

        @Override
        public ObjectType<?> object() {
            return item.object();
        }
    }

    private static final class MapType<K, V> implements Type<Map<K, V>> {
        private final Type<K> key;
        private final Type<V> value;

        MapType(Type<K> key, Type<V> value) {
            this.key = key;
            this.value = value;
        }

        @Override
        public Map<K, V> read(Node node, Cursor at) {
            if (!(node instanceof MappingNode mapping)) {
                at.error(node, describe(node) + " (" + expected() + ")");
                return null;
            }
            Map<K, V> values = new LinkedHashMap<>();
            boolean ok = true;
            for (NodeTuple entry : mapping.getValue()) {
                K k = key.read(entry.getKeyNode(), at);
                if (k == null) {
                    ok = false;
                    continue;
                }
                Cursor valueAt = at.field(((ScalarNode) entry.getKeyNode()).getValue());
                if (values.containsKey(k)) {
                    valueAt.error(entry.getKeyNode(),
                            describe(entry.getKeyNode()) + " is given twice (expected: each key once)");
                    ok = false;
                    continue;
                }
                V v = value.read(entry.getValueNode(), valueAt);
                if (v == null) {
                    ok = false;
                } else {
                    values.put(k, v);
                }
            }
            return ok ? values : null;
        }

        @Override
        public String expected() {
            return "expected: a map of " + key.doc() + " to " + value.doc();
        }

        @Override
        public String doc() {
            return "map of " + key.doc() + " to " + value.doc();
        }

        @Override
        public String show(Map<K, V> map) {
            if (map.isEmpty()) {
                return "{}";
            }
            return map.entrySet().stream().map(e -> key.show(e.getKey()) + ": " + value.show(e.getValue()))
                    .collect(Collectors.joining(", ", "{ ", " }"));
        }
    }
}
