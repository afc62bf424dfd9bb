package org.contactrouter.config;

/**
 * One field of an object in the config files, declared once: name, type (with its check), default and doc.
 *
 * @param name         as written in YAML
 * @param type         what values it takes
 * @param required     whether leaving it out is an error
 * @param defaultValue the value when left out; may be null, see {@code defaultDoc}
 * @param defaultDoc   the reference's default column: the default as YAML, or what leaving the field out means
 * @param doc          one line for the reference
 * @param <T>          the bound value
 */
record Field<T>(String name, Type<T> type, boolean required, T defaultValue, String defaultDoc, String doc) {

    static <T> Field<T> required(String name, Type<T> type, String doc) {
        return new Field<>(name, type, true, null, "required", doc);
    }

    static <T> Field<T> optional(String name, Type<T> type, T defaultValue, String doc) {
        return new Field<>(name, type, false, defaultValue,
                defaultValue == null ? "none" : "`" + type.show(defaultValue) + "`", doc);
    }

    /** This field, documented as meaning {@code description} when left out. */
    Field<T> whenAbsent(String description) {
        return new Field<>(name, type, required, defaultValue, description, doc);
    }
}
