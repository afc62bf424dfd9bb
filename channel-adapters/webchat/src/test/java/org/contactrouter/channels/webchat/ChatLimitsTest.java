package org.contactrouter.channels.webchat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What keeps one visitor from hurting the others, and what the widget hears when something goes wrong. */
class ChatLimitsTest {

    private ChatFixture f;

    @AfterEach
    void stop() {
        if (f != null) {
            f.close();
        }
    }

    @Test
    void aFrameOverMaxMessageBytesClosesTheSocketWith1009() throws Exception {
        f = new ChatFixture();
        try (ChatClient tab = f.tab()) {
            tab.hello(null);
            tab.message(1, "x".repeat(4100));
            assertThat(tab.closeStatus()).startsWith("1009 ").contains("4096");
        }
        assertThat(f.publisher.events()).isEmpty();
    }

    @Test
    void aMessageOverMaxMessageBytesInSeveralFragmentsClosesTheSocketWith1009() throws Exception {
        f = new ChatFixture();
        try (ChatClient tab = f.tab()) {
            tab.hello(null);
            WebSocket raw = tab.socket();
            raw.sendText("{\"type\":\"message\",\"seq\":1,\"text\":\"" + "y".repeat(3000), false).join();
            raw.sendText("y".repeat(3000) + "\"}", true).join();
            assertThat(tab.closeStatus()).isEqualTo("1009 message over 4096 bytes");
        }
        assertThat(f.publisher.events()).isEmpty();
    }

    @Test
    void aMessageJustUnderTheLimitInFragmentsIsPublished() throws Exception {
        f = new ChatFixture();
        try (ChatClient tab = f.tab()) {
            tab.hello(null);
            WebSocket raw = tab.socket();
            raw.sendText("{\"type\":\"message\",\"seq\":1,\"text\":\"" + "z".repeat(2000), false).join();
            raw.sendText("z".repeat(2000) + "\"}", true).join();
            assertThat(tab.expect("ack").get("seq").asLong()).isEqualTo(1);
        }
        assertThat(f.publisher.events()).hasSize(1);
    }

    @Test
    void messagesOverTheRateAreRefusedAndNotPublishedUntilTheWindowMoves() throws Exception {
        f = new ChatFixture(new ChatSettings(List.of(ChatFixture.SHOP), "widget-shop", null, 0, 3, null, null, 0, 0, 0,
                null));
        try (ChatClient tab = f.tab()) {
            tab.hello(null);
            for (int i = 1; i <= 4; i++) {
                tab.message(i, "message " + i);
            }
            int acks = 0;
            JsonNode refused = null;
            for (int i = 0; i < 4; i++) {
                JsonNode frame = tab.next();
                if (frame.get("type").asText().equals("ack")) {
                    acks++;
                } else {
                    refused = frame;
                }
            }
            assertThat(acks).isEqualTo(3);
            assertThat(refused).isNotNull();
            assertThat(refused.get("type").asText()).isEqualTo("error");
            assertThat(refused.get("code").asText()).isEqualTo("rate-limited");
            assertThat(refused.get("seq").asLong()).isEqualTo(4);
            assertThat(refused.get("message").asText()).contains("3 in ten seconds");
            assertThat(f.publisher.events()).hasSize(3);

            f.clock.advance(Duration.ofMillis(9_999));
            tab.message(4, "message 4");
            assertThat(tab.expect("error").get("code").asText()).isEqualTo("rate-limited");
            f.clock.advance(Duration.ofMillis(1));
            tab.message(4, "message 4");
            assertThat(tab.expect("ack").get("seq").asLong()).isEqualTo(4);
            assertThat(f.publisher.events()).hasSize(4);
        }
    }

    @Test
    void aFailingPublisherGivesAnErrorFrameAndNoAckAndTheResendSucceeds() throws Exception {
        f = new ChatFixture();
        try (ChatClient tab = f.tab()) {
            String s = tab.hello(null).get("session").asText();
            f.publisher.failing(true);
            tab.message(1, "Can I change my order?");
            JsonNode error = tab.expect("error");
            assertThat(error.get("code").asText()).isEqualTo("not-sent");
            assertThat(error.get("seq").asLong()).isEqualTo(1);
            assertThat(error.get("message").asText()).contains("not sent").contains("try again");
            assertThat(f.publisher.events()).isEmpty();

            f.publisher.failing(false);
            tab.message(1, "Can I change my order?");
            assertThat(tab.expect("ack").get("seq").asLong()).isEqualTo(1);
            assertThat(f.publisher.events()).hasSize(1);
            try (ChatClient other = f.tab()) {
                assertThat(other.hello(s).get("transcript")).hasSize(1);
            }
        }
    }

    @Test
    void aTabThatAnswersPingsStaysOpenPastTheIdleTimeout() throws Exception {
        f = new ChatFixture(new ChatSettings(List.of(ChatFixture.SHOP), "widget-shop", null, 0, 0,
                Duration.ofMillis(600), null, 0, 0, 0, null));
        try (ChatClient tab = f.tab()) {
            tab.hello(null);
            await().during(Duration.ofMillis(1_500)).atMost(Duration.ofSeconds(2)).until(() -> !tab.closed.isDone());
            tab.message(1, "still here");
            assertThat(tab.expect("ack").get("seq").asLong()).isEqualTo(1);
        }
    }

    @Test
    void aPeerThatSendsNothingIsPingedThenClosedAfterTheIdleTimeout() throws Exception {
        f = new ChatFixture(new ChatSettings(List.of(ChatFixture.SHOP), "widget-shop", null, 0, 0,
                Duration.ofMillis(600), null, 0, 0, 0, null));
        try (RawHttp raw = new RawHttp(f.port())) {
            RawHttp.Response res = raw.exchange(ChatHttpTest.upgradeRequest(f.port(), ChatFixture.SHOP));
            assertThat(res.status()).isEqualTo(101);
            long start = System.nanoTime();
            Object[] ping = raw.readFrame();
            assertThat(ping[0]).isEqualTo(0x9);
            Object[] close = raw.readFrame();
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertThat(close[0]).isEqualTo(0x8);
            byte[] payload = (byte[]) close[1];
            assertThat(((payload[0] & 0xff) << 8) | (payload[1] & 0xff)).isEqualTo(1001);
            assertThat(new String(payload, 2, payload.length - 2, StandardCharsets.UTF_8)).startsWith("idle");
            assertThat(millis).isGreaterThanOrEqualTo(500);
            assertThat(raw.closedByServer()).isTrue();
        }
    }

    @Test
    void malformedFramesGetAnErrorFrameAndTheSocketStaysUsable() throws Exception {
        f = new ChatFixture();
        try (ChatClient tab = f.tab()) {
            tab.send("not json");
            assertThat(tab.expect("error").get("code").asText()).isEqualTo("bad-frame");
            tab.send("[1,2]");
            assertThat(tab.expect("error").get("message").asText()).contains("\"type\"");
            tab.message(1, "before hello");
            assertThat(tab.expect("error").get("code").asText()).isEqualTo("no-session");
            tab.send(ChatClient.frame("shout"));
            assertThat(tab.expect("error").get("message").asText()).contains("shout");
            tab.send(ChatClient.frame("hello").put("email", "ann at example"));
            JsonNode invalid = tab.expect("error");
            assertThat(invalid.get("code").asText()).isEqualTo("invalid-hello");
            assertThat(invalid.get("message").asText()).contains("ann at example");
            tab.send(ChatClient.frame("hello").put("name", "N".repeat(101)));
            assertThat(tab.expect("error").get("message").asText()).contains("100 characters");

            tab.hello(null);
            tab.send(ChatClient.frame("message").put("seq", "one").put("text", "x"));
            assertThat(tab.expect("error").get("message").asText()).contains("seq");
            tab.send(ChatClient.frame("message").put("seq", 0).put("text", "x"));
            assertThat(tab.expect("error").get("code").asText()).isEqualTo("bad-frame");
            tab.send(ChatClient.frame("message").put("seq", 1).put("text", "   "));
            assertThat(tab.expect("error").get("seq").asLong()).isEqualTo(1);
            tab.send(ChatClient.frame("hello"));
            assertThat(tab.expect("error").get("code").asText()).isEqualTo("invalid-hello");
            assertThat(f.publisher.events()).isEmpty();

            tab.message(1, "now properly");
            assertThat(tab.expect("ack").get("seq").asLong()).isEqualTo(1);
        }
    }

    private static ChatSettings perAddress(int sockets, int sessionsPerMinute) {
        return new ChatSettings(List.of(ChatFixture.SHOP), "widget-shop", "shop", 0, 0, null, null, 0, sockets,
                sessionsPerMinute, null);
    }

    /** A WebSocket handshake from the shop's page, from {@code clientAddress} as the server resolved it (or none). */
    private RawHttp.Response handshake(String clientAddress) throws Exception {
        String request = ChatHttpTest.upgradeRequest(f.port(), ChatFixture.SHOP);
        if (clientAddress != null) {
            request = request.replace("\r\n\r\n", "\r\n" + ChatTestServer.CLIENT_ADDRESS_HEADER + ": " + clientAddress
                    + "\r\n\r\n");
        }
        try (RawHttp raw = new RawHttp(f.port())) {
            return raw.exchange(request);
        }
    }

    /** A tab that said hello and wrote one message, which is now a contact. */
    private static void chatOnce(ChatClient tab) {
        tab.hello(null);
        tab.message(1, "Where is my order?");
        tab.expect("ack");
    }

    @Test
    void aFloodOfSocketsFromOneAddressIsRefused429BeyondTheLimitAndOpensNoContact() throws Exception {
        f = new ChatFixture(perAddress(3, 100));
        try (ChatClient a = f.tab(); ChatClient b = f.tab(); ChatClient c = f.tab()) {
            chatOnce(a);
            chatOnce(b);
            chatOnce(c);

            RawHttp.Response refused = handshake(null);

            assertThat(refused.status()).isEqualTo(429);
            assertThat(refused.header("retry-after")).isEqualTo("60");
            assertThat(refused.header("content-type")).startsWith("application/json");
            JsonNode body = ChatClient.JSON.readTree(refused.body());
            assertThat(body.get("status").asInt()).isEqualTo(429);
            assertThat(body.get("error").asText()).contains("already 3 chats open")
                    .contains("Close the chat in other tabs");
            assertThat(f.publisher.events()).hasSize(3);

            b.close();
            await().atMost(Duration.ofSeconds(5)).until(() -> handshake(null).status() == 101);
        }
        assertThat(f.publisher.events()).hasSize(3);
    }

    @Test
    void newSessionsBeyondTheRatePerAddressAreRefused429UntilTheWindowMoves() throws Exception {
        f = new ChatFixture(perAddress(0, 2));
        try (ChatClient a = f.tab(); ChatClient b = f.tab()) {
            chatOnce(a);
            chatOnce(b);
        }

        RawHttp.Response refused = handshake(null);

        assertThat(refused.status()).isEqualTo(429);
        assertThat(refused.header("retry-after")).as("one new chat every 30 s at 2 a minute").isEqualTo("30");
        assertThat(ChatClient.JSON.readTree(refused.body()).get("error").asText())
                .contains("2 new chats were started from your network address within a minute")
                .contains("try again in 30 seconds");
        assertThat(f.publisher.events()).hasSize(2);

        f.clock.advance(Duration.ofMinutes(1));
        try (ChatClient later = f.tab()) {
            assertThat(later.hello(null).get("resumed").asBoolean()).isFalse();
            later.message(1, "Me again");
            later.expect("ack");
        }
        assertThat(f.publisher.events()).hasSize(3);
    }

    @Test
    void socketsOpenedTogetherCannotStartMoreSessionsThanTheRateAllows() throws Exception {
        f = new ChatFixture(perAddress(0, 1));
        try (ChatClient first = f.tab(); ChatClient second = f.tab()) {
            String session = first.hello(null).get("session").asText();
            second.send(ChatClient.frame("hello"));

            JsonNode refused = second.expect("error");
            assertThat(refused.get("code").asText()).isEqualTo("too-many-chats");
            assertThat(refused.get("retryAfter").asLong()).isEqualTo(60);
            assertThat(second.closeStatus()).isEqualTo("1013 too many new chats");
            assertThat(f.chat.openSessions()).isEqualTo(1);

            // resuming a chat starts no new session: it is never refused for the rate
            first.message(1, "still here");
            first.expect("ack");
            assertThat(f.publisher.events()).extracting(e -> e.subject()).containsExactly("chat:" + session);
        }
    }

    @Test
    void limitsCountTheClientAddressTheServerResolvedNotTheProxys() throws Exception {
        f = new ChatFixture(perAddress(1, 0));
        try (ChatClient ann = ChatClient.connectFrom(f.port(), ChatFixture.SHOP, "203.0.113.7");
             ChatClient bob = ChatClient.connectFrom(f.port(), ChatFixture.SHOP, "198.51.100.2")) {
            chatOnce(ann);
            chatOnce(bob);

            assertThat(handshake("203.0.113.7").status()).isEqualTo(429);
            assertThat(handshake("2001:db8:0:1::7").status()).isEqualTo(101);
            assertThat(handshake(null).status()).as("the proxy's own address has no chat open").isEqualTo(101);
        }
        assertThat(f.publisher.events()).hasSize(2);
    }

    @Test
    void closeClosesEverySocketWith1001() throws Exception {
        f = new ChatFixture();
        try (ChatClient a = f.tab(); ChatClient b = f.tab()) {
            a.hello(null);
            f.chat.close();
            assertThat(a.closeStatus()).isEqualTo("1001 server shutting down");
            assertThat(b.closeStatus()).isEqualTo("1001 server shutting down");
        }
    }
}
