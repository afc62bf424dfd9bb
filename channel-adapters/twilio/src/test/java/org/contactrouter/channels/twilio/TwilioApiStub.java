package org.contactrouter.channels.twilio;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Twilio's REST API on loopback: records every request the SDK makes and answers like Twilio, with the JSON shapes of
 * the real API (Message and Call resources, and Twilio's error body). A test can replace the answer.
 */
public final class TwilioApiStub implements AutoCloseable {

    /** One request as it arrived. */
    public record Recorded(String method, String path, String authorization, String contentType,
                    Map<String, List<String>> form) {

        public String param(String name) {
            List<String> values = form.get(name);
            return values == null ? null : values.get(0);
        }
    }

    /** An answer: status and JSON body; {@code delayMillis} before answering, to make the client time out. */
    record Answer(int status, String json, long delayMillis) {
    }

    private static final Pattern MESSAGES = Pattern.compile("/2010-04-01/Accounts/(AC\\w+)/Messages\\.json");
    private static final Pattern CALL = Pattern.compile("/2010-04-01/Accounts/(AC\\w+)/Calls/(CA\\w+)\\.json");

    private final HttpServer server;
    private final ExecutorService threads = Executors.newCachedThreadPool();
    private final List<Recorded> requests = new CopyOnWriteArrayList<>();
    private final AtomicInteger sids = new AtomicInteger();
    private volatile Function<Recorded, Answer> answers = this::likeTwilio;
    private volatile String callStatus = "in-progress";

    public TwilioApiStub() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            try (exchange) {
                String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
                Recorded r = new Recorded(exchange.getRequestMethod(), exchange.getRequestURI().getRawPath(),
                        exchange.getRequestHeaders().getFirst("Authorization"),
                        exchange.getRequestHeaders().getFirst("Content-Type"), decode(body));
                requests.add(r);
                Answer a = answers.apply(r);
                if (a.delayMillis() > 0) {
                    try {
                        Thread.sleep(a.delayMillis());
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                byte[] bytes = a.json().getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
                exchange.sendResponseHeaders(a.status(), bytes.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(bytes);
                }
            } catch (IOException e) {
                // the client gave up (timeout test)
            }
        });
        server.setExecutor(threads);
        server.start();
    }

    public URI baseUrl() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    public List<Recorded> requests() {
        return List.copyOf(requests);
    }

    /** Replaces how the stub answers; {@link #likeTwilio} is the default. */
    void answer(Function<Recorded, Answer> answers) {
        this.answers = answers;
    }

    /** The status a fetched call has (Twilio's {@code status} of a Call resource). */
    void callStatus(String status) {
        this.callStatus = status;
    }

    /** What Twilio answers: 201 with the new Message, 200 with the updated or fetched Call, else 404. */
    Answer likeTwilio(Recorded r) {
        Matcher m = MESSAGES.matcher(r.path());
        if (r.method().equals("POST") && m.matches()) {
            String sid = String.format("SM%032x", sids.incrementAndGet());
            return new Answer(201, """
                    {"account_sid": "%s", "api_version": "2010-04-01", "body": %s, "date_created": "Mon, 23 Nov 2026 15:00:00 +0000",
                     "date_sent": null, "date_updated": "Mon, 23 Nov 2026 15:00:00 +0000", "direction": "outbound-api",
                     "error_code": null, "error_message": null, "from": %s, "messaging_service_sid": null, "num_media": "0",
                     "num_segments": "1", "price": null, "price_unit": "USD", "sid": "%s", "status": "queued",
                     "subresource_uris": {"media": "/2010-04-01/Accounts/%1$s/Messages/%4$s/Media.json"},
                     "to": %s, "uri": "/2010-04-01/Accounts/%1$s/Messages/%4$s.json"}
                    """.formatted(m.group(1), json(r.param("Body")), json(r.param("From")), sid, json(r.param("To"))), 0);
        }
        Matcher c = CALL.matcher(r.path());
        if (c.matches()) {
            return new Answer(200, """
                    {"account_sid": "%s", "sid": "%s", "status": "%s", "direction": "inbound", "from": "+4917012345678",
                     "to": "+4930901820", "api_version": "2010-04-01", "parent_call_sid": null,
                     "uri": "/2010-04-01/Accounts/%1$s/Calls/%2$s.json"}
                    """.formatted(c.group(1), c.group(2), callStatus), 0);
        }
        return error(404, 20404, "The requested resource " + r.path() + " was not found");
    }

    /** Twilio's error body. */
    static Answer error(int status, int code, String message) {
        return new Answer(status, """
                {"code": %d, "message": %s, "more_info": "https://www.twilio.com/docs/errors/%d", "status": %d}
                """.formatted(code, json(message), code, status), 0);
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }

    private static String json(String s) {
        if (s == null) {
            return "null";
        }
        StringBuilder b = new StringBuilder("\"");
        for (char ch : s.toCharArray()) {
            switch (ch) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                default -> {
                    if (ch < 0x20) {
                        b.append(String.format("\\u%04x", (int) ch));
                    } else {
                        b.append(ch);
                    }
                }
            }
        }
        return b.append('"').toString();
    }

    private static Map<String, List<String>> decode(String body) {
        Map<String, List<String>> form = new LinkedHashMap<>();
        for (String pair : body.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            form.computeIfAbsent(URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8),
                    k -> new ArrayList<>()).add(eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return form;
    }
}
