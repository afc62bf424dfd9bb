package org.contactrouter.channels.twilio;

/**
 * What the server's HTTP layer answers Twilio: a status, a content type and a body, written as they are.
 *
 * @param status      the HTTP status: 200 with TwiML, 403 for a bad signature, 400 for a request that is not what the
 *                    URL expects, 503 when the contact could not be stored (Twilio retries or plays its error message)
 * @param contentType the {@code Content-Type} header
 * @param body        the body, UTF-8
 */
public record WebhookAnswer(int status, String contentType, String body) {

    static final String TWIML = "text/xml; charset=utf-8";
    static final String TEXT = "text/plain; charset=utf-8";

    static WebhookAnswer twiml(String xml) {
        return new WebhookAnswer(200, TWIML, xml);
    }

    static WebhookAnswer text(int status, String text) {
        return new WebhookAnswer(status, TEXT, text);
    }

    /** Whether Twilio will take this answer as success. */
    public boolean ok() {
        return status >= 200 && status < 300;
    }
}
