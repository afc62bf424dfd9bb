package org.contactrouter.channels.webchat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.net.http.WebSocketHandshakeException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The chat's HTTP side: its three paths, the Origin check of the handshake, and everything else passed on. */
class ChatHttpTest {

    private ChatFixture f;

    @BeforeEach
    void start() throws Exception {
        f = new ChatFixture();
    }

    @AfterEach
    void stop() {
        f.close();
    }

    static String upgradeRequest(int port, String origin) {
        return "GET /chat/ws HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
                + (origin == null ? "" : "Origin: " + origin + "\r\n") + "\r\n";
    }

    private static String get(String path) {
        return "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    }

    @Test
    void theDemoPageEmbedsTheWidgetWithOneScriptTag() throws Exception {
        try (RawHttp http = new RawHttp(f.port())) {
            RawHttp.Response page = http.exchange(get("/chat"));
            assertThat(page.status()).isEqualTo(200);
            assertThat(page.header("content-type")).isEqualTo("text/html; charset=utf-8");
            assertThat(page.body()).containsOnlyOnce("<script").contains("<script src=\"/chat/widget.js\" async></script>");
        }
    }

    @Test
    void theWidgetScriptIsServedAndTheConnectionStaysUsableForOtherRoutes() throws Exception {
        byte[] expected;
        try (InputStream in = WebChat.class.getResourceAsStream("widget.js")) {
            expected = in.readAllBytes();
        }
        try (RawHttp http = new RawHttp(f.port())) {
            RawHttp.Response script = http.exchange(get("/chat/widget.js?v=3"));
            assertThat(script.status()).isEqualTo(200);
            assertThat(script.header("content-type")).isEqualTo("text/javascript; charset=utf-8");
            assertThat(script.body()).isEqualTo(new String(expected, StandardCharsets.UTF_8));

            RawHttp.Response next = http.exchange("GET /api/agents HTTP/1.1\r\nHost: x\r\nX-Probe: p2\r\n\r\n");
            assertThat(next.status()).isEqualTo(404);
            assertThat(next.body()).startsWith("routes saw GET /api/agents probe=p2");
        }
    }

    @Test
    void otherRequestsReachTheRoutesUnchanged() throws Exception {
        String body = "{\"id\":\"web-1\",\"channel\":\"email\"}";
        try (RawHttp http = new RawHttp(f.port())) {
            RawHttp.Response api = http.exchange("POST /api/contacts?x=1 HTTP/1.1\r\nHost: x\r\nX-Probe: p1\r\n"
                    + "Content-Type: application/json\r\nContent-Length: " + body.length() + "\r\n\r\n" + body);
            assertThat(api.status()).isEqualTo(404);
            assertThat(api.body()).isEqualTo("routes saw POST /api/contacts?x=1 probe=p1 body=" + body + " refCnt=1 bytes="
                    + body.length());
            for (String path : List.of("/chat/other", "/chatroom", "/chat/ws/x", "/", "/chat/widget.jsx")) {
                RawHttp.Response r = http.exchange(get(path));
                assertThat(r.status()).as(path).isEqualTo(404);
                assertThat(r.body()).as(path).startsWith("routes saw GET " + path + " ");
            }
        }
    }

    @Test
    void otherMethodsOnTheChatsPathsAre405AndAPlainGetOnTheSocketIs400() throws Exception {
        try (RawHttp http = new RawHttp(f.port())) {
            RawHttp.Response post = http.exchange("POST /chat HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n");
            assertThat(post.status()).isEqualTo(405);
            assertThat(post.header("allow")).isEqualTo("GET");
            assertThat(post.body()).isEqualTo("POST is not allowed on /chat; use GET.");

            RawHttp.Response plain = http.exchange(get("/chat/ws"));
            assertThat(plain.status()).isEqualTo(400);
            assertThat(plain.body()).contains("Upgrade: websocket");
        }
    }

    @Test
    void aHandshakeFromAnOriginNotAllowedIs403WithoutUpgrade() throws Exception {
        try (RawHttp http = new RawHttp(f.port())) {
            RawHttp.Response res = http.exchange(upgradeRequest(f.port(), "https://evil.example"));
            assertThat(res.status()).isEqualTo(403);
            assertThat(res.header("upgrade")).isNull();
            assertThat(res.header("sec-websocket-accept")).isNull();
            assertThat(res.body()).isEqualTo("The chat is not enabled for pages on https://evil.example. "
                    + "The server's operator can add this origin to the chat's allowed origins.");
            assertThat(http.closedByServer()).isTrue();
        }
        for (String origin : List.of("http://shop.example.com", "https://shop.example.com:8443", "null",
                "https://shop.example.com.evil.example", "http://localhost:" + f.port())) {
            assertThatThrownBy(() -> ChatClient.connect(f.port(), origin))
                    .as(origin)
                    .isInstanceOf(CompletionException.class)
                    .cause().isInstanceOf(WebSocketHandshakeException.class)
                    .satisfies(e -> assertThat(((WebSocketHandshakeException) e).getResponse().statusCode()).isEqualTo(403));
        }
        assertThat(f.chat.openSessions()).isZero();
    }

    @Test
    void aHandshakeWithoutOriginIsRefusedBecauseEveryBrowserSendsOne() throws Exception {
        try (RawHttp http = new RawHttp(f.port())) {
            RawHttp.Response res = http.exchange(upgradeRequest(f.port(), null));
            assertThat(res.status()).isEqualTo(403);
            assertThat(res.body()).isEqualTo(
                    "The chat accepts connections from web pages only: the WebSocket handshake has no Origin header.");
        }
        assertThatThrownBy(() -> ChatClient.connect(f.port(), null))
                .cause().isInstanceOf(WebSocketHandshakeException.class);
    }

    @Test
    void allowedOriginsAndTheServersOwnPagesMayConnect() throws Exception {
        try (ChatClient allowed = ChatClient.connect(f.port(), "https://SHOP.example.com:443");
             ChatClient sameOrigin = ChatClient.connect(f.port(), "http://127.0.0.1:" + f.port())) {
            assertThat(allowed.hello(null).get("type").asText()).isEqualTo("welcome");
            assertThat(sameOrigin.hello(null).get("type").asText()).isEqualTo("welcome");
        }
        try (RawHttp http = new RawHttp(f.port())) {
            RawHttp.Response res = http.exchange(upgradeRequest(f.port(), ChatFixture.SHOP));
            assertThat(res.status()).isEqualTo(101);
            assertThat(res.header("sec-websocket-accept")).isEqualTo("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
        }
    }
}
