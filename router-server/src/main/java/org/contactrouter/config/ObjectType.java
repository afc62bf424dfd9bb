package org.contactrouter.config;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;

/**
 * A map of declared fields, bound to a value of the routing model ({@code Queue}, {@code RoutingSettings}) by a
 * function. Reading reports every unknown, duplicate, missing and bad field; the binding runs only when all fields
 * are good, and an IllegalArgumentException it throws is reported at the object.
 *
 * @param <R> the bound value
 */
final class ObjectType<R> implements Type<R> {

    private final String title;
    private final String description;
    private final List<Field<?>> fields;
    private final Function<Values, R> bind;

    ObjectType(String title, String description, Function<Values, R> bind, Field<?>... fields) {
        this.title = title;
        this.description = description;
        this.bind = bind;
        this.fields = List.of(fields);
    }

    /** The field values of one object, for the binding function. */
    static final class Values {
        private final Map<String, Object> byName = new HashMap<>();

        @SuppressWarnings("unchecked")
        <T> T get(Field<T> field) {
            return (T) byName.get(field.name());
        }
    }

    String title() {
        return title;
    }

    /** The paragraph under the object's heading in the reference. */
    String description() {
        return description;
    }

    List<Field<?>> fields() {
        return fields;
    }

    boolean declares(String name) {
        return fields.stream().anyMatch(f -> f.name().equals(name));
    }

    /** The reference's anchor for this object's section, as Markdown renderers make it from the title. */
    String anchor() {
        return title.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9 -]", "").replace(' ', '-');
    }

    /** The value of an empty map: every field at its default. */
    R defaults() {
        Values values = new Values();
        for (Field<?> f : fields) {
            if (f.required()) {
                throw new IllegalStateException(title + "." + f.name() + " is required: " + title + " has no default");
            }
            values.byName.put(f.name(), f.defaultValue());
        }
        return bind.apply(values);
    }

    @Override
    public R read(Node node, Cursor at) {
        if (!(node instanceof MappingNode mapping)) {
            at.error(node, Types.describe(node) + " (" + expected() + ")");
            return null;
        }
        boolean ok = true;
        Map<String, NodeTuple> given = new LinkedHashMap<>();
        for (NodeTuple entry : mapping.getValue()) {
            Node key = entry.getKeyNode();
            if (!(key instanceof ScalarNode scalar)) {
                at.error(key, Types.describe(key) + " (expected: a field name)");
                ok = false;
                continue;
            }
            String name = scalar.getValue();
            NodeTuple first = given.putIfAbsent(name, entry);
            if (first != null) {
                at.error(key, "field '" + name + "' is given twice (first on line "
                        + (first.getKeyNode().getStartMark().getLine() + 1) + ")");
                ok = false;
            } else if (!declares(name)) {
                List<String> names = fields.stream().map(Field::name).toList();
                at.error(key, "unknown field '" + name + "'" + Spelling.suggestion(name, names)
                        + " (expected one of: " + String.join(", ", names) + ")");
                ok = false;
            }
        }
        Values values = new Values();
        for (Field<?> f : fields) {
            NodeTuple entry = given.get(f.name());
            if (entry == null || Types.isNull(entry.getValueNode())) {
                if (f.required()) {
                    at.error(entry == null ? node : entry.getKeyNode(),
                            "missing required field '" + f.name() + "' (" + f.type().expected() + ")");
                    ok = false;
                }
                values.byName.put(f.name(), f.defaultValue());
                continue;
            }
            Object value = f.type().read(entry.getValueNode(), at.field(f.name()));
            if (value == null) {
                ok = false;
            }
            values.byName.put(f.name(), value);
        }
        if (!ok) {
            return null;
        }
        try {
            return bind.apply(values);
        } catch (IllegalArgumentException e) {
            at.error(node, e.getMessage());
            return null;
        }
    }

    @Override
    public String expected() {
        return "expected: a map of " + title + " fields";
    }

    @Override
    public String doc() {
        return title;
    }

    /** Objects are only ever defaulted to {@link #defaults()}: an empty map. */
    @Override
    public String show(R value) {
        return "{}";
    }

    @Override
    public ObjectType<?> object() {
        return this;
    }
}
