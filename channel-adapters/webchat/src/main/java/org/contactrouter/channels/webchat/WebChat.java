package org.contactrouter.channels.webchat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.contactrouter.events.ContactEvent;
import org.contactrouter.events.ContactPublisher;
import org.contactrouter.events.ContactPublisher.PublishException;
import org.contactrouter.events.CustomerLeft;
import org.contactrouter.events.CustomerMessage;
import org.contactrouter.events.EventIds;
import org.contactrouter.events.OutboundKind;
import org.contactrouter.events.OutboundMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The web chat: the widget a business puts on its site, and the WebSocket it talks to. It lives on the server's one
 * HTTP port as a handler in each connection's pipeline ({@link #newHandler()}), after the HTTP aggregator and before
 * the server's own routes: it answers {@code GET /chat} (a page showing the widget), {@code GET /chat/widget.js} and
 * the WebSocket handshake on {@code GET /chat/ws}, and passes every other request on untouched.
 *
 * <p>Each visitor has a session: a server-issued random id the widget keeps in the browser's localStorage, which is
 * the conversation the router knows the chat by. What the visitor writes becomes a {@link CustomerMessage} published
 * on a separate thread (never on the event loop) and acknowledged to the widget only once the publisher confirmed it;
 * what the router says back arrives through {@link #observe}. A session outlives its sockets: a reload or a reconnect
 * resumes it with its transcript, and several tabs share it. Once no tab has had it open for
 * {@link ChatSettings#abandonAfter()}, or the visitor ends it, the customer has left.
 *
 * <p>Sessions are held in this server's memory: behind a load balancer, a visitor's reconnects must reach the same
 * server (sticky sessions), and a restart starts every visitor on a new session.
 *
 * <p>One client address ({@link ClientAddress}) may hold only so many sockets and start only so many sessions a
 * minute ({@link ClientLimits}). An email address a visitor types is a claim, carried as the attribute
 * {@code claimedEmail}; it becomes the customer's identity only when the host site vouches for it with a signed
 * visitor token ({@link VisitorTokens}).
 */
public final class WebChat implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(WebChat.class);

    /** The {@code source} of every event the chat publishes. */
    public static final String SOURCE = "/webchat";
    static final String PAGE_PATH = "/chat";
    static final String SCRIPT_PATH = "/chat/widget.js";
    static final String SOCKET_PATH = "/chat/ws";
    /** {@code s-} and 128 random bits, base64url. */
    private static final Pattern SESSION_ID = Pattern.compile("s-[A-Za-z0-9_-]{22}");
    private static final int MAX_NAME_LENGTH = 100;
    private static final int PUBLISHING_THREADS = 4;

    private final ChatSettings settings;
    private final ContactPublisher publisher;
    private final Clock clock;
    private final Set<String> allowedOrigins;
    private final ConcurrentMap<String, ChatSession> sessions = new ConcurrentHashMap<>();
    private final ChannelGroup sockets = new DefaultChannelGroup("webchat", GlobalEventExecutor.INSTANCE);
    private final ClientLimits limits;
    private final VisitorTokens visitorTokens;
    private final SecureRandom random = new SecureRandom();
    private final ExecutorService publishing;
    private final ScheduledExecutorService timer;
    private final byte[] page;
    private final byte[] script;
    private volatile boolean closed;

    /**
     * Starts the chat's publishing threads and the timer that notices abandoned chats.
     *
     * @param clock the time of events and of the limits (rate, abandonment)
     */
    public WebChat(ChatSettings settings, ContactPublisher publisher, Clock clock) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.publisher = Objects.requireNonNull(publisher, "publisher");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.allowedOrigins = Set.copyOf(settings.allowedOrigins());
        this.limits = new ClientLimits(settings.socketsPerAddress(), settings.sessionsPerAddressPerMinute(),
                ClientLimits.MAX_ADDRESSES, clock);
        this.visitorTokens = new VisitorTokens(settings.visitorKey());
        this.page = resource("chat.html");
        this.script = resource("widget.js");
        this.publishing = Executors.newFixedThreadPool(PUBLISHING_THREADS, threads("webchat-publish"));
        this.timer = Executors.newSingleThreadScheduledExecutor(threads("webchat-timer"));
        long sweepMillis = Math.min(Math.max(settings.abandonAfter().toMillis() / 10, 100), 30_000);
        timer.scheduleWithFixedDelay(this::sweepSafely, sweepMillis, sweepMillis, TimeUnit.MILLISECONDS);
    }

    /**
     * A handler for one HTTP connection, to be added after the HTTP aggregator and before the routes, on the
     * connection's event loop (it never blocks). It takes the chat's requests and passes everything else on.
     */
    public ChannelHandler newHandler() {
        return new ChatHttpHandler(this);
    }

    /**
     * Shows a message from the router to the visitor: chat messages go to their session's transcript and to every
     * open tab of it; other channels, sessions this server does not have, and redeliveries (same id) are ignored. Safe
     * to call from any thread and does not block: writes go through each socket's event loop.
     */
    public void observe(OutboundMessage message) {
        if (message == null || message.channel() != org.contactrouter.events.Channel.CHAT) {
            return;
        }
        ChatSession s = sessions.get(message.conversation());
        if (s == null) {
            return;
        }
        ObjectNode frame = ChatFrames.outbound(message);
        String json = ChatFrames.write(frame);
        synchronized (s) {
            if (s.gone() || !s.firstDelivery(message.id())) {
                return;
            }
            if (message.kind() == OutboundKind.AGENT_JOINED || message.kind() == OutboundKind.HANDOVER) {
                s.agentName(message.agentName());
            } else if (message.kind() == OutboundKind.CLOSED) {
                s.agentName(null);
            }
            s.remember(frame);
            for (Channel socket : s.sockets()) {
                send(socket, json);
            }
        }
    }

    /** Chats neither ended nor abandoned, whether a tab is connected right now or the visitor is reconnecting. */
    public int openSessions() {
        return sessions.size();
    }

    /**
     * Closes every chat socket (1001, the widget reconnects to another server or later) and waits up to five seconds
     * for messages being published. Sessions are not ended: their visitors have not left.
     */
    @Override
    public void close() {
        closed = true;
        timer.shutdownNow();
        sockets.writeAndFlush(new CloseWebSocketFrame(WebSocketCloseStatus.ENDPOINT_UNAVAILABLE, "server shutting down"))
                .awaitUninterruptibly(2, TimeUnit.SECONDS);
        sockets.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        publishing.shutdown();
        try {
            if (!publishing.awaitTermination(5, TimeUnit.SECONDS)) {
                LOG.warn("web chat closed with messages still being published; their visitors will send them again");
                publishing.shutdownNow();
            }
        } catch (InterruptedException e) {
            publishing.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    // ---- called by the connection handlers ----

    ChatSettings settings() {
        return settings;
    }

    Set<String> allowedOrigins() {
        return allowedOrigins;
    }

    byte[] page() {
        return page;
    }

    byte[] script() {
        return script;
    }

    Clock clock() {
        return clock;
    }

    ClientLimits limits() {
        return limits;
    }

    VisitorTokens visitorTokens() {
        return visitorTokens;
    }

    /** The session with this id, or null; for tests. */
    ChatSession session(String id) {
        return sessions.get(id);
    }

    /** A socket was opened; {@link #close()} closes it. */
    void opened(Channel socket) {
        sockets.add(socket);
    }

    /**
     * The visitor said hello: resumes their session when {@code requested} names one this server has, or starts a new
     * one, and sends the welcome with the transcript. Atomic with {@link #observe}: no message is missed or sent twice.
     * A new session counts against the limit of {@code address}; over it, the socket gets an error frame
     * ({@code too-many-chats}), is closed with 1013 (try again later), and null is returned.
     */
    ChatSession hello(Channel socket, String address, String requested, String name, String claimedEmail,
                      String verifiedEmail, String language) {
        while (true) {
            ChatSession s = requested != null && SESSION_ID.matcher(requested).matches() ? sessions.get(requested) : null;
            boolean resumed = s != null;
            if (s == null) {
                ClientLimits.Refusal refused = limits.startSession(address);
                if (refused != null) {
                    send(socket, ChatFrames.error("too-many-chats", refused.reason())
                            .put("retryAfter", refused.retryAfterSeconds()));
                    socket.writeAndFlush(new CloseWebSocketFrame(WebSocketCloseStatus.TRY_AGAIN_LATER,
                            "too many new chats")).addListener(ChannelFutureListener.CLOSE);
                    return null;
                }
                s = new ChatSession(newSessionId(), settings.transcriptLimit(), clock.instant());
                sessions.put(s.id, s);
            }
            synchronized (s) {
                if (s.gone()) {
                    continue;
                }
                s.introduce(name, claimedEmail, verifiedEmail, language);
                s.attach(socket);
                send(socket, ChatFrames.write(ChatFrames.welcome(s, resumed, s.transcript(), settings.maxMessageBytes())));
                return s;
            }
        }
    }

    /**
     * The visitor wrote message {@code seq}: publishes it after everything the session published before, then
     * acknowledges it to {@code socket} and shows it in the session's other tabs. A resend (same seq and text) is
     * published again under the same event id, so the router drops the duplicate.
     */
    void message(ChatSession s, Channel socket, long seq, String text) {
        ContactEvent event;
        synchronized (s) {
            if (s.gone()) {
                send(socket, ChatFrames.error("ended", "This chat has ended; start a new one to write again.").put("seq", seq));
                return;
            }
            if (!s.claim(seq, digest(text))) {
                send(socket, ChatFrames.error("seq-conflict", "Message number " + seq
                        + " was already used for another message in this chat; send it again as number " + s.nextSeq() + ".")
                        .put("seq", seq).put("nextSeq", s.nextSeq()));
                return;
            }
            CustomerMessage data = new CustomerMessage(org.contactrouter.events.Channel.CHAT, s.id, s.customer(),
                    settings.widgetId(), s.language(), null, text, s.attributes());
            event = new ContactEvent(EventIds.chat(s.id, seq), SOURCE, clock.instant(), subject(s), settings.domain(), data);
        }
        s.inOrder(() -> publishMessage(s, socket, seq, text, event), publishing);
    }

    /** The visitor ended the chat in one of its tabs: every tab is told and closed, and the customer has left. */
    void end(ChatSession s) {
        List<Channel> tabs;
        synchronized (s) {
            if (s.gone()) {
                return;
            }
            s.markGone();
            sessions.remove(s.id, s);
            tabs = s.sockets();
        }
        String ended = ChatFrames.write(ChatFrames.ended());
        for (Channel tab : tabs) {
            if (tab.isActive()) {
                tab.writeAndFlush(new TextWebSocketFrame(ended));
                tab.writeAndFlush(new CloseWebSocketFrame(WebSocketCloseStatus.NORMAL_CLOSURE, "chat ended"))
                        .addListener(ChannelFutureListener.CLOSE);
            }
        }
        if (s.acceptedAny()) {
            leave(s, "chat-closed");
        }
    }

    /** A tab's socket closed; the session waits {@link ChatSettings#abandonAfter()} for the visitor to come back. */
    void disconnected(ChatSession s, Channel socket) {
        s.detach(socket, clock.instant());
    }

    /**
     * Ends every session no tab has had open for {@link ChatSettings#abandonAfter()}: the customer has left; and
     * forgets the client addresses that are idle. Runs on the chat's timer; tests call it directly.
     */
    void sweep() {
        limits.forgetIdle();
        Instant now = clock.instant();
        for (ChatSession s : sessions.values()) {
            boolean abandoned;
            synchronized (s) {
                Instant since = s.disconnectedSince();
                abandoned = !s.gone() && since != null && !now.isBefore(since.plus(settings.abandonAfter()));
                if (abandoned) {
                    s.markGone();
                    sessions.remove(s.id, s);
                }
            }
            if (abandoned && s.acceptedAny()) {
                leave(s, "chat-abandoned");
            }
        }
    }

    /** Sends a frame on a socket from any thread; Netty runs the write on the socket's event loop. */
    static void send(Channel socket, String json) {
        if (socket.isActive()) {
            socket.writeAndFlush(new TextWebSocketFrame(json));
        }
    }

    static void send(Channel socket, ObjectNode frame) {
        send(socket, ChatFrames.write(frame));
    }

    /** A visitor's name as given, trimmed; null when blank. */
    static String visitorName(String name) {
        if (name == null || name.isBlank()) {
            return null;
        }
        String n = name.strip().replaceAll("\\p{Cntrl}+", " ");
        if (n.codePointCount(0, n.length()) > MAX_NAME_LENGTH) {
            throw new IllegalArgumentException("Your name is longer than " + MAX_NAME_LENGTH + " characters; please shorten it.");
        }
        return n;
    }

    /** A BCP 47 tag ({@code de-CH}), or null when {@code tag} is none. */
    static String language(String tag) {
        if (tag == null || tag.isBlank() || tag.length() > 35) {
            return null;
        }
        String n = Locale.forLanguageTag(tag.strip()).toLanguageTag();
        return n.equals("und") ? null : n;
    }

    /** The most preferred language of an Accept-Language header, or null. */
    static String preferredLanguage(String acceptLanguage) {
        if (acceptLanguage == null || acceptLanguage.isBlank()) {
            return null;
        }
        try {
            for (Locale.LanguageRange r : Locale.LanguageRange.parse(acceptLanguage)) {
                if (!r.getRange().contains("*") && r.getWeight() > 0) {
                    return language(r.getRange());
                }
            }
        } catch (IllegalArgumentException e) {
            return null;
        }
        return null;
    }

    /** The id of the {@code customer.left} that ends the contact opened by messages up to {@code lastSeq}. */
    static String leftEventId(String sessionId, long lastSeq) {
        return EventIds.chat(sessionId, lastSeq) + ":left";
    }

    // ---- inside ----

    private void publishMessage(ChatSession s, Channel socket, long seq, String text, ContactEvent event) {
        try {
            publisher.publish(event);
        } catch (PublishException | RuntimeException e) {
            LOG.warn("chat message {} was not published; the visitor was asked to send it again", event.id(), e);
            send(socket, ChatFrames.error("not-sent",
                    "Your message was not sent because the chat service has a problem right now. Please try again.")
                    .put("seq", seq));
            return;
        }
        ObjectNode entry = ChatFrames.customerMessage(seq, text, event.time());
        String json = ChatFrames.write(entry);
        synchronized (s) {
            if (s.published(seq)) {
                s.remember(entry);
                for (Channel tab : s.sockets()) {
                    if (tab != socket) {
                        send(tab, json);
                    }
                }
            }
            send(socket, ChatFrames.ack(seq));
        }
    }

    private void leave(ChatSession s, String reason) {
        ContactEvent event = new ContactEvent(leftEventId(s.id, s.highestSeq()), SOURCE, clock.instant(), subject(s),
                settings.domain(), new CustomerLeft(org.contactrouter.events.Channel.CHAT, s.id, reason));
        publishLeft(s, event, 0);
    }

    /** Publishes {@code customer.left} after the session's messages, trying again with back-off until it is stored. */
    private void publishLeft(ChatSession s, ContactEvent event, int attempt) {
        s.inOrder(() -> {
            try {
                publisher.publish(event);
            } catch (PublishException | RuntimeException e) {
                if (closed) {
                    LOG.error("chat {} left but {} could not be published before shutdown; the router will not know",
                            s.id, event.id(), e);
                    return;
                }
                long delay = Math.min(60_000L, 1_000L << Math.min(attempt, 6));
                LOG.warn("{} was not published; trying again in {} ms", event.id(), delay, e);
                timer.schedule(() -> publishLeft(s, event, attempt + 1), delay, TimeUnit.MILLISECONDS);
            }
        }, publishing);
    }

    private void sweepSafely() {
        try {
            sweep();
        } catch (RuntimeException e) {
            LOG.error("web chat sweep failed; abandoned chats are noticed on the next one", e);
        }
    }

    private String newSessionId() {
        byte[] bytes = new byte[16];
        random.nextBytes(bytes);
        return "s-" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static String subject(ChatSession s) {
        return org.contactrouter.events.Channel.CHAT.wireName() + ':' + s.id;
    }

    private static String digest(String text) {
        try {
            return Base64.getEncoder().encodeToString(
                    MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this Java runtime", e);
        }
    }

    private static byte[] resource(String name) {
        try (InputStream in = WebChat.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("web chat resource " + name + " is missing from the jar");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("web chat resource " + name + " could not be read", e);
        }
    }

    private static ThreadFactory threads(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
