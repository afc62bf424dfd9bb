package org.contactrouter.channels.twilio;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signs a webhook the way Twilio documents it (https://www.twilio.com/docs/usage/webhooks/webhooks-security), written
 * from the description and not from the SDK, so the tests check the adapter against the specification: take the
 * full URL Twilio called (with its query), append each POST parameter's name and value sorted by name, and
 * base64-encode the HMAC-SHA1 of that string keyed with the account's auth token.
 */
public final class TwilioSignatures {

    private TwilioSignatures() {
    }

    public static String sign(String authToken, String url, Map<String, List<String>> form) {
        StringBuilder data = new StringBuilder(url);
        List<String> names = new ArrayList<>(form.keySet());
        names.sort(null);
        for (String name : names) {
            List<String> values = new ArrayList<>(form.get(name));
            values.sort(null);
            for (String value : values) {
                data.append(name).append(value);
            }
        }
        try {
            Mac mac = Mac.getInstance("HmacSHA1");
            mac.init(new SecretKeySpec(authToken.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
            return Base64.getEncoder().encodeToString(mac.doFinal(data.toString().getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new AssertionError(e);
        }
    }
}
