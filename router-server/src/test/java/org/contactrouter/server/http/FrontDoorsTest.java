package org.contactrouter.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import org.contactrouter.access.Caller;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The HTTP front door, attacked over real sockets on loopback: each test is named for the attack it stops. The limits
 * are set small here so an attack shows in a few requests; the server's real limits are in docs/security.md.
 */
class FrontDoorsTest {

    private static final String KEY = "the-key";

    private final List<AutoCloseable> open = new ArrayList<>();
    private final CountDownLatch hang = new CountDownLatch(1);
    private final java.util.concurrent.CompletableFuture<HttpResponse> later =
            new java.util.concurrent.CompletableFuture<>();

    @AfterEach
    void close() throws Exception {
        hang.countDown();
        later.complete(HttpResponse.ok(Map.of()));
        for (AutoCloseable c : open) {
            c.close();
        }
    }

    private HttpServer start(int connectionsPerAddress, RateLimits api, Duration idle, Duration request)
            throws Exception {
        List<Route> routes = List.of(
                Route.get("/health/live", Policy.PUBLIC_DOOR, r -> HttpResponse.ok(Map.of("status", "live"))),
                Route.post("/api/things", Policy.AGENT, Route.Body.JSON, r -> HttpResponse.ok(r.json())),
                Route.get("/api/things", Policy.AGENT, r -> HttpResponse.ok(Map.of("q", String.valueOf(
                        r.queryParam("q"))))),
                Route.postLater("/api/later", Policy.AGENT, Route.Body.JSON, r -> later), // Kafka's confirmation
                Route.get("/api/slow-ledger", Policy.AGENT, r -> {
                    hang.await(); // a frozen database
                    return HttpResponse.ok(Map.of());
                }).on(Route.Work.LEDGER));
        HttpServer.Gate gate = new HttpServer.Gate(Set.of("localhost", "127.0.0.1"), ClientAddresses.DIRECT,
                token -> KEY.equals(token) ? new Caller.Agent("ann", false, "t") : Caller.ANONYMOUS,
                connectionsPerAddress, 1000, api, idle, request);
        HttpServer server = HttpServer.start(List.of(new HttpServer.Listener("internal", "127.0.0.1", 0, null, false),
                        new HttpServer.Listener("public", "127.0.0.1", 0, null, true)), gate, routes, List.of());
        open.add(0, server);
        return server;
    }

    private HttpServer start() throws Exception {
        return start(100, new RateLimits(1000, 1000, 100, Clock.systemUTC()), Duration.ofSeconds(30),
                Duration.ofSeconds(30));
    }

    @Test
    void jsonNestedDeeperThanAllowedIsA400NotA500() throws Exception {
        HttpServer server = start();
        String deep = "[".repeat(5000) + "]".repeat(5000);
        String answer = exchange(server.port(), post("/api/things", "application/json", "{\"a\":" + deep + "}"));
        assertThat(answer).startsWith("HTTP/1.1 400").contains("\"error\":\"body is not valid JSON")
                .contains("nesting depth");
    }

    @Test
    void aNumberWithAThousandDigitsIsA400NotA500() throws Exception {
        HttpServer server = start();
        String answer = exchange(server.port(), post("/api/things", "application/json",
                "{\"a\":" + "9".repeat(1000) + "}"));
        assertThat(answer).startsWith("HTTP/1.1 400").contains("\"status\":400").contains("Number value length");
    }

    @Test
    void aMalformedPercentEscapeInPathOrQueryIsA400NotAClosedConnection() throws Exception {
        HttpServer server = start();
        for (String target : List.of("/api/th%zzings", "/api/things?q=%e", "/api/things?q=%")) {
            String answer = exchange(server.port(), "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Authorization: Bearer " + KEY + "\r\nConnection: close\r\n\r\n");
            assertThat(answer).as(target).startsWith("HTTP/1.1 400").contains("malformed URL");
        }
    }

    @Test
    void expectContinueWithAnOversizedBodyGetsTheUsualJson413() throws Exception {
        HttpServer server = start();
        String answer = exchange(server.port(), "POST /api/things HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                + "Content-Type: application/json\r\nContent-Length: 10000000\r\nExpect: 100-continue\r\n\r\n");
        assertThat(answer).startsWith("HTTP/1.1 413").contains("application/json")
                .contains("\"error\":\"request body over");
    }

    @Test
    void aFormPostedToAJsonRouteIsA415() throws Exception {
        HttpServer server = start();
        String answer = exchange(server.port(), post("/api/things", "application/x-www-form-urlencoded", "a=1"));
        assertThat(answer).startsWith("HTTP/1.1 415").contains("takes Content-Type: application/json");
        assertThat(exchange(server.port(), post("/api/things", "text/plain", "{}"))).startsWith("HTTP/1.1 415");
        assertThat(exchange(server.port(), post("/api/things", "application/json; charset=utf-8", "{\"a\":1}")))
                .startsWith("HTTP/1.1 200");
    }

    @Test
    void aForeignHostNameIsRefusedSoDnsRebindingReadsNothing() throws Exception {
        HttpServer server = start();
        String answer = exchange(server.port(), "GET /api/things HTTP/1.1\r\nHost: attacker.example:8080\r\n"
                + "Authorization: Bearer " + KEY + "\r\nConnection: close\r\n\r\n");
        assertThat(answer).startsWith("HTTP/1.1 421").contains("does not answer to the name 'attacker.example'");
        assertThat(exchange(server.port(), "GET /health/live HTTP/1.0\r\n\r\n")).as("no Host at all")
                .startsWith("HTTP/1.1 400");
    }

    @Test
    void withoutCredentialsTheApiAnswers401AndThePublicPortServesOnlyPublicDoors() throws Exception {
        HttpServer server = start();
        assertThat(exchange(server.port(), get("/api/things", null))).startsWith("HTTP/1.1 401")
                .contains("WWW-Authenticate: Bearer");
        assertThat(exchange(server.port(1), get("/api/things", KEY))).as("the API is not on the public port")
                .startsWith("HTTP/1.1 404");
        assertThat(exchange(server.port(1), get("/health/live", null))).startsWith("HTTP/1.1 200");
    }

    @Test
    void aHalfSentRequestIsClosedAfterTheTimeoutsAndAnswered408OnceItsHeadersAreIn() throws Exception {
        HttpServer server = start(100, new RateLimits(1000, 1000, 100, Clock.systemUTC()), Duration.ofMillis(500),
                Duration.ofMillis(500));
        try (Socket headers = new Socket("127.0.0.1", server.port());
             Socket body = new Socket("127.0.0.1", server.port())) {
            headers.setSoTimeout(10_000);
            body.setSoTimeout(10_000);
            headers.getOutputStream().write("GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ".getBytes(
                    StandardCharsets.US_ASCII));
            body.getOutputStream().write(("POST /api/things HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
                    + KEY + "\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{").getBytes(
                    StandardCharsets.US_ASCII));
            assertThat(headers.getInputStream().read()).as("closed without an answer").isEqualTo(-1);
            assertThat(new String(body.getInputStream().readAllBytes(), StandardCharsets.US_ASCII))
                    .startsWith("HTTP/1.1 408").contains("did not arrive whole");
        }
    }

    @Test
    void tooManyConnectionsFromOneAddressAreAnswered429() throws Exception {
        HttpServer server = start(3, new RateLimits(1000, 1000, 100, Clock.systemUTC()), Duration.ofSeconds(30),
                Duration.ofSeconds(30));
        List<Socket> held = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                // Each held connection is answered once (kept alive), so the server has surely counted it.
                Socket s = new Socket("127.0.0.1", server.port());
                held.add(s);
                s.setSoTimeout(10_000);
                s.getOutputStream().write("GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(
                        StandardCharsets.US_ASCII));
                StringBuilder answer = new StringBuilder();
                while (!answer.toString().endsWith("\"live\"}")) {
                    answer.append((char) s.getInputStream().read());
                }
            }
            try (Socket fourth = new Socket("127.0.0.1", server.port())) {
                fourth.setSoTimeout(10_000);
                assertThat(new String(fourth.getInputStream().readAllBytes(), StandardCharsets.US_ASCII))
                        .startsWith("HTTP/1.1 429").contains("Retry-After").contains("too many open connections");
            }
        } finally {
            for (Socket s : held) {
                s.close();
            }
        }
        await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> exchange(server.port(),
                get("/health/live", null)).startsWith("HTTP/1.1 200"));
    }

    @Test
    void aFloodOfApiRequestsFromOneAddressIsAnswered429WithRetryAfter() throws Exception {
        HttpServer server = start(100, new RateLimits(0.5, 3, 100, Clock.systemUTC()), Duration.ofSeconds(30),
                Duration.ofSeconds(30));
        List<String> answers = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            answers.add(exchange(server.port(), get("/api/things", KEY)));
        }
        assertThat(answers.subList(0, 3)).allMatch(a -> a.startsWith("HTTP/1.1 200"));
        assertThat(answers.get(4)).startsWith("HTTP/1.1 429").contains("Retry-After: 2")
                .contains("too many API requests from 127.0.0.1");
        assertThat(exchange(server.port(), get("/health/live", null))).as("health is not an API request")
                .startsWith("HTTP/1.1 200");
    }

    @Test
    void aHungDatabaseDoesNotBlockHealthOrOtherRoutes() throws Exception {
        HttpServer server = start();
        // More than the ledger pool has threads.
        List<Socket> stuck = sendWithoutReading(server.port(), get("/api/slow-ledger", KEY), 10);
        try {
            assertThat(exchange(server.port(), get("/health/live", null))).startsWith("HTTP/1.1 200");
            assertThat(exchange(server.port(), get("/api/things", KEY))).startsWith("HTTP/1.1 200");
        } finally {
            hang.countDown();
            for (Socket s : stuck) {
                s.close();
            }
        }
    }

    @Test
    void anAnswerStillToComeHoldsNoThread() throws Exception {
        HttpServer server = start();
        // More than the general pool has threads.
        List<Socket> waiting = sendWithoutReading(server.port(), post("/api/later", "application/json", "{}"), 20);
        try {
            assertThat(exchange(server.port(), get("/api/things", KEY))).as("a route of the same pool")
                    .startsWith("HTTP/1.1 200");
            later.complete(HttpResponse.ok(Map.of("stored", true)));
            for (Socket s : waiting) {
                assertThat(new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8))
                        .startsWith("HTTP/1.1 200").contains("\"stored\":true");
            }
        } finally {
            for (Socket s : waiting) {
                s.close();
            }
        }
    }

    @Test
    void httpsServesFromPemFilesAndPicksUpARenewedCertificate() throws Exception {
        Path dir = java.nio.file.Files.createTempDirectory("tls");
        io.netty.handler.ssl.util.SelfSignedCertificate first = new io.netty.handler.ssl.util.SelfSignedCertificate(
                "first.example");
        io.netty.handler.ssl.util.SelfSignedCertificate second = new io.netty.handler.ssl.util.SelfSignedCertificate(
                "second.example");
        Path cert = dir.resolve("cert.pem");
        Path key = dir.resolve("key.pem");
        java.nio.file.Files.copy(first.certificate().toPath(), cert);
        java.nio.file.Files.copy(first.privateKey().toPath(), key);
        TlsFiles tls = new TlsFiles(cert, key, Clock.systemUTC(), Duration.ZERO);
        HttpServer.Gate gate = new HttpServer.Gate(Set.of(), ClientAddresses.DIRECT, token -> Caller.ANONYMOUS, 100,
                1000, new RateLimits(1000, 1000, 100, Clock.systemUTC()), Duration.ofSeconds(30),
                Duration.ofSeconds(30));
        HttpServer server = HttpServer.start(List.of(new HttpServer.Listener("internal", "127.0.0.1", 0, tls, false)),
                gate, List.of(Route.get("/health/live", Policy.PUBLIC_DOOR,
                        r -> HttpResponse.ok(Map.of("status", "live")))), List.of());
        open.add(0, server);
        assertThat(peerName(server.port())).contains("first.example");

        java.nio.file.Files.copy(second.certificate().toPath(), cert, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        java.nio.file.Files.copy(second.privateKey().toPath(), key, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        java.nio.file.Files.setLastModifiedTime(cert, java.nio.file.attribute.FileTime.fromMillis(
                System.currentTimeMillis() + 5_000));
        await().atMost(Duration.ofSeconds(10)).until(() -> peerName(server.port()).contains("second.example"));
    }

    // ------------------------------------------------------------------ helpers

    /** The subject of the certificate the server shows, after a GET /health/live over TLS answered 200. */
    private static String peerName(int port) throws Exception {
        javax.net.ssl.SSLContext jdk = javax.net.ssl.SSLContext.getInstance("TLS");
        jdk.init(null, InsecureTrustManagerFactory.INSTANCE.getTrustManagers(), null);
        try (javax.net.ssl.SSLSocket s = (javax.net.ssl.SSLSocket) jdk.getSocketFactory().createSocket("127.0.0.1",
                port)) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(get("/health/live", null).getBytes(StandardCharsets.US_ASCII));
            assertThat(new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII))
                    .startsWith("HTTP/1.1 200");
            return ((java.security.cert.X509Certificate) s.getSession().getPeerCertificates()[0])
                    .getSubjectX500Principal().getName();
        }
    }

    private static String get(String path, String token) {
        return "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + (token == null ? ""
                : "Authorization: Bearer " + token + "\r\n") + "Connection: close\r\n\r\n";
    }

    private static String post(String path, String type, String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        return "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + KEY + "\r\nContent-Type: "
                + type + "\r\nContent-Length: " + bytes.length + "\r\nConnection: close\r\n\r\n" + body;
    }

    /** Sends {@code request} on {@code count} connections of their own and leaves the answers unread. */
    private static List<Socket> sendWithoutReading(int port, String request, int count) throws IOException {
        List<Socket> sockets = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Socket s = new Socket("127.0.0.1", port);
            s.setSoTimeout(10_000);
            s.getOutputStream().write(request.getBytes(StandardCharsets.UTF_8));
            sockets.add(s);
        }
        return sockets;
    }

    /** Sends the bytes, reads the answer until the server closes (or 10 s pass). */
    private static String exchange(int port, String request) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(request.getBytes(StandardCharsets.UTF_8));
            out.flush();
            InputStream in = s.getInputStream();
            ByteArrayOutputStream answer = new ByteArrayOutputStream();
            byte[] buffer = new byte[8192];
            try {
                for (int n; (n = in.read(buffer)) >= 0; ) {
                    answer.write(buffer, 0, n);
                }
            } catch (SocketTimeoutException | java.net.SocketException e) {
                // what came before the timeout or reset is the answer
            }
            return answer.toString(StandardCharsets.UTF_8);
        }
    }
}
