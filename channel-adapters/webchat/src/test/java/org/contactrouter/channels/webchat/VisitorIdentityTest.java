package org.contactrouter.channels.webchat;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.contactrouter.events.CustomerMessage;
import org.contactrouter.events.Identity;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * An email address typed into the chat is a claim; only the host site's signed visitor token makes it the customer's
 * identity, so typing a gold customer's address gets no one their history or their tier.
 */
class VisitorIdentityTest {

    private static final String GOLD = "gold.customer@example.com";
    private static final byte[] SECRET = "0123456789abcdef0123456789abcdef-host-site".getBytes(StandardCharsets.UTF_8);
    private static final long IN_AN_HOUR = ChatFixture.START.getEpochSecond() + 3600;

    private ChatFixture f;

    @AfterEach
    void stop() {
        if (f != null) {
            f.close();
        }
    }

    private static ChatSettings withSecret(byte[] secret) {
        return new ChatSettings(List.of(ChatFixture.SHOP), "widget-shop", "shop", 0, 0, null, null, 0, 0, 0,
                Base64.getEncoder().encodeToString(secret));
    }

    /** A token as the docs tell a host site to make one: base64url(payload) "." base64url(HMAC-SHA256(payload)). */
    static String token(byte[] secret, String payloadJson) {
        byte[] payload = payloadJson.getBytes(StandardCharsets.UTF_8);
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
            return b64.encodeToString(payload) + "." + b64.encodeToString(mac.doFinal(payload));
        } catch (GeneralSecurityException e) {
            throw new AssertionError(e);
        }
    }

    /** Says hello as Gil, with the email address and token given (none when null), and waits for the welcome. */
    private static void hello(ChatClient tab, String email, String token) {
        ObjectNode hello = ChatClient.frame("hello").put("name", "Gil");
        if (email != null) {
            hello.put("email", email);
        }
        if (token != null) {
            hello.put("visitorToken", token);
        }
        tab.send(hello);
        tab.expect("welcome");
    }

    /** Writes one message and returns it as published. */
    private CustomerMessage writeAndPublish(ChatClient tab) {
        tab.message(1, "What is my order status?");
        tab.expect("ack");
        return (CustomerMessage) f.publisher.events().get(f.publisher.events().size() - 1).data();
    }

    @Test
    void typingAGoldCustomersAddressDoesNotLinkTheChatToThem() throws Exception {
        f = new ChatFixture(withSecret(SECRET));
        try (ChatClient tab = f.tab()) {
            hello(tab, "  Gold.Customer@Example.com ", null);
            CustomerMessage m = writeAndPublish(tab);

            assertThat(m.customer().identities()).containsExactly(Identity.chatVisitor(m.conversation()));
            assertThat(m.customer().identities()).extracting(Identity::kind).doesNotContain(Identity.Kind.EMAIL);
            assertThat(m.customer().claimedEmail()).isEqualTo(GOLD);
            assertThat(m.attributes()).doesNotContainKey("emailVerified");
            assertThat(m.customer().name()).isEqualTo("Gil");
        }
    }

    @Test
    void aValidVisitorTokenLinksTheVerifiedEmail() throws Exception {
        f = new ChatFixture(withSecret(SECRET));
        String token = token(SECRET, "{\"email\":\"" + GOLD + "\",\"name\":\"Gold Customer\",\"exp\":" + IN_AN_HOUR + "}");
        try (ChatClient tab = f.tab()) {
            hello(tab, "someone.else@example.com", token);
            CustomerMessage m = writeAndPublish(tab);

            assertThat(m.customer().identities())
                    .containsExactly(Identity.chatVisitor(m.conversation()), Identity.email(GOLD));
            assertThat(m.attributes()).containsEntry("emailVerified", "true");
            assertThat(m.customer().claimedEmail()).isNull();
            assertThat(m.customer().name()).isEqualTo("Gold Customer");
            assertThat(tab.poll(200)).as("no error after a valid token").isNull();
        }
    }

    @Test
    void aTokenMadeWithOpensslAsTheDocsShowIsAccepted() throws Exception {
        // docs/channels.md's shell example, run with this secret for this payload (exp 2026-11-23T17:00:00Z).
        f = new ChatFixture(new ChatSettings(List.of(ChatFixture.SHOP), "widget-shop", "shop", 0, 0, null, null, 0, 0, 0,
                "q83vEjRWeJCrze8SNFZ4kKvN7xI0VniQq83vEjRWeJA="));
        String fromOpenssl = "eyJlbWFpbCI6ImFubi5sZWVAZXhhbXBsZS5jb20iLCJuYW1lIjoiQW5uIExlZSIsImV4cCI6MTc5NTQ1MzIwMH0"
                + ".NZ4rji23mnSRYyrMWxetGKD31Mc8bGHtAp3tE0WzRY8";
        try (ChatClient tab = f.tab()) {
            hello(tab, null, fromOpenssl);
            CustomerMessage m = writeAndPublish(tab);

            assertThat(m.customer().identities()).contains(Identity.email("ann.lee@example.com"));
            assertThat(m.customer().name()).isEqualTo("Ann Lee");
        }
    }

    @Test
    void aForgedOrChangedVisitorTokenDoesNotLinkAndSaysWhy() throws Exception {
        f = new ChatFixture(withSecret(SECRET));
        String payload = "{\"email\":\"" + GOLD + "\",\"exp\":" + IN_AN_HOUR + "}";
        String signedByAnother = token("another site's secret, 32 bytes or more".getBytes(StandardCharsets.UTF_8), payload);
        String genuine = token("{\"email\":\"ann@example.com\",\"exp\":" + IN_AN_HOUR + "}");
        String payloadSwapped = Base64.getUrlEncoder().withoutPadding().encodeToString(payload.getBytes(StandardCharsets.UTF_8))
                + genuine.substring(genuine.indexOf('.'));
        for (String forged : List.of(signedByAnother, payloadSwapped)) {
            try (ChatClient tab = f.tab()) {
                hello(tab, GOLD, forged);
                JsonNode refused = tab.expect("error");
                assertThat(refused.get("code").asText()).isEqualTo("invalid-token");
                assertThat(refused.get("message").asText()).contains("signature does not match")
                        .contains("not confirmed");
                CustomerMessage m = writeAndPublish(tab);

                assertThat(m.customer().identities()).containsExactly(Identity.chatVisitor(m.conversation()));
                assertThat(m.customer().claimedEmail()).isEqualTo(GOLD);
            assertThat(m.attributes()).doesNotContainKey("emailVerified");
            }
        }
    }

    @Test
    void anExpiredVisitorTokenDoesNotLink() throws Exception {
        f = new ChatFixture(withSecret(SECRET));
        String expired = token(SECRET, "{\"email\":\"" + GOLD + "\",\"exp\":" + ChatFixture.START.getEpochSecond() + "}");
        try (ChatClient tab = f.tab()) {
            hello(tab, null, expired);
            JsonNode refused = tab.expect("error");
            assertThat(refused.get("code").asText()).isEqualTo("invalid-token");
            assertThat(refused.get("message").asText()).contains("expired at 2026-11-23T09:00:00Z");
            CustomerMessage m = writeAndPublish(tab);

            assertThat(m.customer().identities()).containsExactly(Identity.chatVisitor(m.conversation()));
            assertThat(m.attributes()).isEmpty();
        }
    }

    @Test
    void malformedTokensAndTokensWithoutASecretAreRefusedNotTrusted() throws Exception {
        String valid = token(SECRET, "{\"email\":\"" + GOLD + "\",\"exp\":" + IN_AN_HOUR + "}");
        f = new ChatFixture();
        try (ChatClient tab = f.tab()) {
            hello(tab, null, valid);
            assertThat(tab.expect("error").get("message").asText()).contains("does not check sign-in tokens");
            assertThat(writeAndPublish(tab).customer().identities()).hasSize(1);
        }
        f.close();
        f = new ChatFixture(withSecret(SECRET));
        for (String malformed : List.of("abc", "a.b.c", "!!!.???", "." + valid, valid + ".",
                token(SECRET, "[1,2]"), token(SECRET, "{\"email\":\"" + GOLD + "\"}"),
                token(SECRET, "{\"email\":\"not an address\",\"exp\":" + IN_AN_HOUR + "}"),
                token(SECRET, "{\"email\":\"" + GOLD + "\",\"exp\":\"tomorrow\"}"))) {
            try (ChatClient tab = f.tab()) {
                hello(tab, null, malformed);
                assertThat(tab.expect("error").get("code").asText()).as(malformed).isEqualTo("invalid-token");
            }
        }
        assertThat(f.publisher.events()).isEmpty();
    }

    private static String token(String payloadJson) {
        return token(SECRET, payloadJson);
    }
}
