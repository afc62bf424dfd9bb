package org.contactrouter.config;

/**
 * One file of a config directory and the object its top level is.
 *
 * @param name     the file's name, {@code routing.yaml}
 * @param required whether a directory without it is an error; a missing optional file reads as an empty one
 * @param schema   its top-level fields; its description is the file's paragraph in the reference
 * @param <T>      what the file binds to
 */
record ConfigFile<T>(String name, boolean required, ObjectType<T> schema) {
}
