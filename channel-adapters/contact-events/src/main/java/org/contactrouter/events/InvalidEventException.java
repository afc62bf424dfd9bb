package org.contactrouter.events;

/**
 * A contact event that cannot be read: not JSON, not a CloudEvent of ours, or a field with a value the model does not
 * accept. The message names the field by its JSON path ({@code data.customer.identities[0]}), the value, and what was
 * expected, so it can go back to whoever sent the event as it is.
 */
public final class InvalidEventException extends RuntimeException {

    InvalidEventException(String message) {
        super(message);
    }

    InvalidEventException(String message, Throwable cause) {
        super(message, cause);
    }
}
