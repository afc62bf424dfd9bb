package org.contactrouter.events;

/** Argument checks shared by the event records. */
final class Events {

    private Events() {
    }

    static String requireText(String value, String field) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(field + ": " + (value == null ? "null" : "'" + value + "'")
                    + " (expected a non-empty string)");
        }
        return value;
    }
}
