package org.contactrouter.channels.twilio;

/**
 * Twilio did not take an outbound message. {@link #retryable()} says whether sending it again later can help: a
 * timeout, a 5xx or a rate limit can; an invalid number, a customer who replied STOP, or a WhatsApp session that
 * has expired cannot, and retrying those only repeats the error.
 */
public final class TwilioSendException extends RuntimeException {

    private final boolean retryable;
    private final Integer twilioCode;

    public TwilioSendException(String message, boolean retryable, Integer twilioCode, Throwable cause) {
        super(message, cause);
        this.retryable = retryable;
        this.twilioCode = twilioCode;
    }

    /** Whether the same message may succeed when sent again later. */
    public boolean retryable() {
        return retryable;
    }

    /** Twilio's error code (e.g. 21211 invalid 'To' number), see https://www.twilio.com/docs/api/errors; null if none. */
    public Integer twilioCode() {
        return twilioCode;
    }
}
