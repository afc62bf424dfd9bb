package org.contactrouter.channels.twilio;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;

/**
 * The webhooks on real loopback HTTP, wired as the server wires them: path to method, the form body decoded, the
 * raw query and the {@code X-Twilio-Signature} header passed on, the answer written as it is, and 500 when the
 * webhook throws.
 */
final class WebhookServer implements AutoCloseable {

    private final HttpServer server;
    private final ExecutorService threads = Executors.newCachedThreadPool();
    private final HttpClient client = HttpClient.newHttpClient();

    WebhookServer(TwilioChannel channel) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        route("/twilio/voice", channel::voice);
        route("/twilio/voice/status", channel::voiceStatus);
        route("/twilio/voice/recording", channel::voiceRecording);
        route("/twilio/sms", channel::sms);
        route("/twilio/sms/status", channel::messageStatus);
        server.setExecutor(threads);
        server.start();
    }

    /** The local base URL, which differs from the public one Twilio signs for, as behind a proxy. */
    URI localBase() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** POSTs a form to {@code pathAndQuery} on the local server with the given signature header (none when null). */
    HttpResponse<String> post(String pathAndQuery, Map<String, List<String>> form, String signature) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(localBase() + pathAndQuery))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(encode(form)));
        if (signature != null) {
            request.header("X-Twilio-Signature", signature);
        }
        try {
            return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new AssertionError("POST " + pathAndQuery + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }

    private void route(String path, Function<WebhookRequest, WebhookAnswer> webhook) {
        server.createContext(path, exchange -> {
            try (exchange) {
                if (!exchange.getRequestURI().getRawPath().equals(path)) {
                    exchange.sendResponseHeaders(404, -1);
                    return;
                }
                WebhookAnswer answer;
                try {
                    answer = webhook.apply(new WebhookRequest(exchange.getRequestURI().getRawPath(),
                            exchange.getRequestURI().getRawQuery(), decode(exchange),
                            exchange.getRequestHeaders().getFirst("X-Twilio-Signature")));
                } catch (RuntimeException e) {
                    // What the server answers when a webhook throws, so a test sees the 500 a caller would.
                    answer = WebhookAnswer.text(500, "internal error: " + e);
                }
                byte[] body = answer.body().getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", answer.contentType());
                exchange.sendResponseHeaders(answer.status(), body.length == 0 ? -1 : body.length);
                if (body.length > 0) {
                    try (OutputStream out = exchange.getResponseBody()) {
                        out.write(body);
                    }
                }
            }
        });
    }

    private static Map<String, List<String>> decode(HttpExchange exchange) throws IOException {
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        Map<String, List<String>> form = new LinkedHashMap<>();
        for (String pair : body.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            form.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
        }
        return form;
    }

    static String encode(Map<String, List<String>> form) {
        StringBuilder s = new StringBuilder();
        form.forEach((name, values) -> values.forEach(value -> {
            if (!s.isEmpty()) {
                s.append('&');
            }
            s.append(URLEncoder.encode(name, StandardCharsets.UTF_8)).append('=')
                    .append(URLEncoder.encode(value, StandardCharsets.UTF_8));
        }));
        return s.toString();
    }
}
