package org.contactrouter.channels.webchat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.contactrouter.events.Identity;

/**
 * Checks the visitor tokens a host site gives its logged-in visitors, so that their email address is known and not
 * only claimed. A token is {@code base64url(payload) + "." + base64url(HMAC-SHA256(secret, payload))}, where the
 * payload is the JSON {@code {"email": ..., "name": ..., "exp": <epoch seconds>}} ({@code name} optional) and the
 * secret is shared between the host site's backend and the router ({@link ChatSettings#visitorSecret()}).
 */
final class VisitorTokens {

    private static final String HMAC = "HmacSHA256";

    /** Who a valid token vouches for; {@code name} null when the token has none. */
    record Visitor(String email, String name) {
    }

    /** A token that vouches for no one; the message says why, for the visitor and the host site's developers. */
    static final class InvalidToken extends Exception {
        InvalidToken(String message) {
            super(message);
        }
    }

    private final SecretKeySpec key;

    /** @param secret the shared secret; null when this chat checks no tokens */
    VisitorTokens(byte[] secret) {
        this.key = secret == null ? null : new SecretKeySpec(secret, HMAC);
    }

    /** The visitor {@code token} vouches for at {@code now}. */
    Visitor verify(String token, Instant now) throws InvalidToken {
        if (key == null) {
            throw new InvalidToken("this chat does not check sign-in tokens: the router has no visitor secret"
                    + " (ROUTER_CHAT_VISITOR_SECRET)");
        }
        int dot = token.indexOf('.');
        if (dot <= 0 || dot != token.lastIndexOf('.') || dot == token.length() - 1) {
            throw new InvalidToken("the sign-in token is not two base64url parts joined by a dot");
        }
        byte[] payload;
        byte[] signature;
        try {
            payload = Base64.getUrlDecoder().decode(token.substring(0, dot));
            signature = Base64.getUrlDecoder().decode(token.substring(dot + 1));
        } catch (IllegalArgumentException e) {
            throw new InvalidToken("the sign-in token is not base64url");
        }
        if (!MessageDigest.isEqual(hmac(payload), signature)) {
            throw new InvalidToken("the sign-in token's signature does not match: it was not made with this chat's"
                    + " visitor secret, or was changed");
        }
        JsonNode claims;
        try {
            claims = ChatFrames.JSON.readTree(payload);
        } catch (IOException e) {
            throw new InvalidToken("the sign-in token's payload is not JSON");
        }
        if (claims == null || !claims.isObject() || !claims.path("email").isTextual()
                || !claims.path("exp").isIntegralNumber() || !claims.path("exp").canConvertToLong()
                || !(claims.path("name").isMissingNode() || claims.path("name").isNull() || claims.path("name").isTextual())) {
            throw new InvalidToken("the sign-in token's payload must be {\"email\": text, \"name\": text (optional),"
                    + " \"exp\": seconds since 1970}");
        }
        long expires = claims.get("exp").asLong();
        if (now.getEpochSecond() >= expires) {
            throw new InvalidToken("the sign-in token expired at " + Instant.ofEpochSecond(expires));
        }
        String email;
        try {
            email = Identity.email(claims.get("email").asText()).value();
        } catch (IllegalArgumentException e) {
            throw new InvalidToken("the sign-in token's email is not an email address");
        }
        return new Visitor(email, claims.path("name").isTextual() ? claims.get("name").asText() : null);
    }

    private byte[] hmac(byte[] payload) {
        try {
            Mac mac = Mac.getInstance(HMAC);
            mac.init(key);
            return mac.doFinal(payload);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 is missing from this Java runtime", e);
        }
    }
}
