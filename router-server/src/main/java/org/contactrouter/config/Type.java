package org.contactrouter.config;

import org.yaml.snakeyaml.nodes.Node;

/**
 * The type of a setting: how a YAML node becomes a value, what a valid value looks like, and how the reference
 * docs name it. Declared once in {@link ConfigSchema}; the loader and {@link ConfigDocs} both use it.
 *
 * @param <T> the bound value
 */
interface Type<T> {

    /** The value of {@code node}; null after reporting at {@code at} why the node is not one. */
    T read(Node node, Cursor at);

    /** What a valid value is, as messages end: {@code expected: 0..20}, {@code expected one of: voice, sms}. */
    String expected();

    /** The type column of the reference: {@code int 0..20}, {@code list of channel}, {@code list of queue}. */
    String doc();

    /** A value as it is written in YAML, for the reference's default column. */
    String show(T value);

    /**
     * The object type documented in a section of its own (itself, or a list's item type), or null. {@link #doc()}
     * ends with its title.
     */
    default ObjectType<?> object() {
        return null;
    }
}
