package org.contactrouter.channels.twilio;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * One webhook request from Twilio, as the server's HTTP layer received it.
 *
 * @param path      the request path as received locally, e.g. {@code /twilio/voice}; appended to
 *                  {@link TwilioSettings#publicBaseUrl()} to rebuild the URL Twilio signed
 * @param query     the raw query string, still percent-encoded, without {@code ?}; null or empty when there is none
 * @param form      the decoded {@code application/x-www-form-urlencoded} body: every parameter with all its values
 * @param signature the {@code X-Twilio-Signature} header; null when absent
 */
public record WebhookRequest(String path, String query, Map<String, List<String>> form, String signature) {

    public WebhookRequest {
        path = path == null || path.isEmpty() ? "/" : path;
        form = form == null ? Map.of() : Map.copyOf(form);
    }

    /** The first value of a form parameter, null when absent, empty or only white space. */
    String param(String name) {
        List<String> values = form.get(name);
        if (values == null || values.isEmpty() || values.get(0) == null || values.get(0).isBlank()) {
            return null;
        }
        return values.get(0);
    }

    /**
     * The first value of a query parameter, decoded; null when absent, empty or only white space. A pair that is not
     * valid percent-encoding ({@code %zz}) is skipped as if it were absent.
     */
    String queryParam(String name) {
        if (query == null || query.isEmpty()) {
            return null;
        }
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            try {
                String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                if (key.equals(name)) {
                    String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                    return value.isBlank() ? null : value;
                }
            } catch (IllegalArgumentException notPercentEncoded) {
                // skipped
            }
        }
        return null;
    }
}
