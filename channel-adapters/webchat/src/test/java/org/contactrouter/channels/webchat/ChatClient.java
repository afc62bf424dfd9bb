package org.contactrouter.channels.webchat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A chat tab as a test sees it: the JDK's WebSocket client, every frame received in order, and how it closed. */
final class ChatClient implements AutoCloseable {

    static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final LinkedBlockingQueue<JsonNode> frames = new LinkedBlockingQueue<>();
    /** "code reason" once the server closed the socket. */
    final CompletableFuture<String> closed = new CompletableFuture<>();
    private final WebSocket socket;

    private ChatClient(int port, String origin, String acceptLanguage, String clientAddress) {
        WebSocket.Builder b = HTTP.newWebSocketBuilder();
        if (origin != null) {
            b.header("Origin", origin);
        }
        if (acceptLanguage != null) {
            b.header("Accept-Language", acceptLanguage);
        }
        if (clientAddress != null) {
            b.header(ChatTestServer.CLIENT_ADDRESS_HEADER, clientAddress);
        }
        socket = b.buildAsync(URI.create("ws://127.0.0.1:" + port + "/chat/ws"), new Listener()).join();
    }

    static ChatClient connect(int port, String origin) {
        return new ChatClient(port, origin, null, null);
    }

    static ChatClient connect(int port, String origin, String acceptLanguage) {
        return new ChatClient(port, origin, acceptLanguage, null);
    }

    /** A tab whose connection the server takes to come from {@code clientAddress} (see {@link ChatTestServer}). */
    static ChatClient connectFrom(int port, String origin, String clientAddress) {
        return new ChatClient(port, origin, null, clientAddress);
    }

    /** The JDK socket itself, to send what {@link #send} does not (fragments). */
    WebSocket socket() {
        return socket;
    }

    void send(String json) {
        socket.sendText(json, true).join();
    }

    void send(ObjectNode frame) {
        send(frame.toString());
    }

    static ObjectNode frame(String type) {
        return JSON.createObjectNode().put("type", type);
    }

    /** Sends hello (session may be null) and returns the welcome. */
    JsonNode hello(String session) {
        ObjectNode hello = frame("hello");
        if (session != null) {
            hello.put("session", session);
        }
        send(hello);
        return expect("welcome");
    }

    void message(long seq, String text) {
        send(frame("message").put("seq", seq).put("text", text));
    }

    /** The next frame, failing when none comes within five seconds. */
    JsonNode next() {
        JsonNode f = poll(5_000);
        if (f == null) {
            throw new AssertionError("no frame within 5 s");
        }
        return f;
    }

    /** The next frame, which must be of {@code type}. */
    JsonNode expect(String type) {
        JsonNode f = next();
        if (!type.equals(f.path("type").asText())) {
            throw new AssertionError("expected a " + type + " frame, got " + f);
        }
        return f;
    }

    /** The next frame within {@code millis}, or null. */
    JsonNode poll(long millis) {
        try {
            return frames.poll(millis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** "code reason" of the server's close, waiting up to five seconds. */
    String closeStatus() {
        return closed.orTimeout(5, TimeUnit.SECONDS).join();
    }

    @Override
    public void close() {
        if (!socket.isOutputClosed()) {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye");
        }
        socket.abort();
    }

    private final class Listener implements WebSocket.Listener {
        private final StringBuilder text = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
                try {
                    frames.add(JSON.readTree(text.toString()));
                } catch (Exception e) {
                    frames.add(JSON.createObjectNode().put("type", "not-json").put("raw", text.toString()));
                }
                text.setLength(0);
            }
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
            closed.complete(statusCode + " " + reason);
            return null;
        }

        @Override
        public void onError(WebSocket ws, Throwable error) {
            closed.complete("error " + error);
        }
    }
}
