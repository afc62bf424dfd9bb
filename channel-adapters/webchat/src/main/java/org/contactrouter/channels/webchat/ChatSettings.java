package org.contactrouter.channels.webchat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Objects;

/**
 * How the web chat behaves: which web sites may open a chat, which widget and routing domain its contacts belong to,
 * and the limits that keep one visitor from hurting the others.
 *
 * <p>A zero number or a null duration means "the default", so a configuration only names what it changes.
 *
 * @param allowedOrigins        the web sites that may embed the widget, as origins ({@code https://shop.example.com},
 *                              {@code http://localhost:8000}); the server's own {@code /chat} page is always allowed
 *                              (see {@link WebChat}); may be empty
 * @param widgetId              the endpoint of every chat contact ({@code widget-shop}): rules can tell widgets apart
 * @param domain                the routing domain of the chat's events; null means {@code default}
 * @param maxMessageBytes       the largest frame a browser may send, JSON included; larger closes the socket with
 *                              1009; default {@value #DEFAULT_MAX_MESSAGE_BYTES}
 * @param messagesPerTenSeconds how many {@code message} frames one connection may send in any ten seconds; more are
 *                              refused with an error frame; default {@value #DEFAULT_MESSAGES_PER_TEN_SECONDS}
 * @param idleTimeout           a connection that sends nothing (not even the pong to the server's ping) for this long
 *                              is closed; default 5 minutes
 * @param abandonAfter          a chat without any open connection for this long is over: the customer left; default
 *                              10 minutes
 * @param transcriptLimit       how many entries a session keeps to show again after a reload; default
 *                              {@value #DEFAULT_TRANSCRIPT_LIMIT}
 * @param socketsPerAddress     how many chat sockets one client address ({@link ClientAddress}) may have open at
 *                              once; more are refused with 429; default {@value #DEFAULT_SOCKETS_PER_ADDRESS}
 * @param sessionsPerAddressPerMinute how many new chat sessions one client address may start in a minute; more are
 *                              refused; default {@value #DEFAULT_SESSIONS_PER_ADDRESS_PER_MINUTE}
 * @param visitorSecret         the secret, base64 of at least {@value #MIN_VISITOR_SECRET_BYTES} bytes, with which a
 *                              host site signs its logged-in visitors' tokens ({@link VisitorTokens}); null when the
 *                              chat checks no tokens, and every email address a visitor gives is only a claim
 */
public record ChatSettings(List<String> allowedOrigins, String widgetId, String domain, int maxMessageBytes,
                           int messagesPerTenSeconds, Duration idleTimeout, Duration abandonAfter,
                           int transcriptLimit, int socketsPerAddress, int sessionsPerAddressPerMinute,
                           String visitorSecret) {

    public static final int DEFAULT_MAX_MESSAGE_BYTES = 4096;
    public static final int DEFAULT_MESSAGES_PER_TEN_SECONDS = 10;
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofMinutes(5);
    public static final Duration DEFAULT_ABANDON_AFTER = Duration.ofMinutes(10);
    public static final int DEFAULT_TRANSCRIPT_LIMIT = 200;
    public static final int DEFAULT_SOCKETS_PER_ADDRESS = 20;
    public static final int DEFAULT_SESSIONS_PER_ADDRESS_PER_MINUTE = 10;
    /** HMAC-SHA256 keys shorter than its 32-byte output are weaker than the signature. */
    public static final int MIN_VISITOR_SECRET_BYTES = 32;
    private static final String VISITOR_SECRET =
            "webchat.visitorSecret (environment variable ROUTER_CHAT_VISITOR_SECRET)";
    /** A hello with a name and an email address must fit in a frame. */
    static final int MIN_MESSAGE_BYTES = 512;
    /** Frames are aggregated in memory; the HTTP aggregator in front of the chat allows 256 KiB. */
    static final int MAX_MESSAGE_BYTES = 256 * 1024;

    /**
     * @throws IllegalArgumentException naming the setting and what is expected, for a malformed origin, a blank widget
     *                                  id, a negative limit or a visitor secret that is not base64 of 32 bytes or more
     */
    public ChatSettings {
        allowedOrigins = normalize(allowedOrigins == null ? List.of() : allowedOrigins);
        Objects.requireNonNull(widgetId, "webchat.widgetId");
        widgetId = widgetId.strip();
        if (widgetId.isEmpty()) {
            throw new IllegalArgumentException("webchat.widgetId: '' (expected the widget's name, such as widget-shop)");
        }
        if (domain != null && domain.isBlank()) {
            throw new IllegalArgumentException("webchat.domain: '" + domain + "' (expected a routing domain, or none for default)");
        }
        maxMessageBytes = orDefault(maxMessageBytes, DEFAULT_MAX_MESSAGE_BYTES, "maxMessageBytes");
        if (maxMessageBytes < MIN_MESSAGE_BYTES || maxMessageBytes > MAX_MESSAGE_BYTES) {
            throw new IllegalArgumentException("webchat.maxMessageBytes: " + maxMessageBytes + " (expected "
                    + MIN_MESSAGE_BYTES + " to " + MAX_MESSAGE_BYTES + ")");
        }
        messagesPerTenSeconds = orDefault(messagesPerTenSeconds, DEFAULT_MESSAGES_PER_TEN_SECONDS, "messagesPerTenSeconds");
        idleTimeout = orDefault(idleTimeout, DEFAULT_IDLE_TIMEOUT, "idleTimeout");
        abandonAfter = orDefault(abandonAfter, DEFAULT_ABANDON_AFTER, "abandonAfter");
        transcriptLimit = orDefault(transcriptLimit, DEFAULT_TRANSCRIPT_LIMIT, "transcriptLimit");
        socketsPerAddress = orDefault(socketsPerAddress, DEFAULT_SOCKETS_PER_ADDRESS, "socketsPerAddress");
        sessionsPerAddressPerMinute = orDefault(sessionsPerAddressPerMinute, DEFAULT_SESSIONS_PER_ADDRESS_PER_MINUTE,
                "sessionsPerAddressPerMinute");
        if (visitorSecret != null) {
            visitorKey(visitorSecret);
        }
    }

    /** Settings with every limit at its default, and no visitor secret. */
    public static ChatSettings defaults(List<String> allowedOrigins, String widgetId, String domain) {
        return new ChatSettings(allowedOrigins, widgetId, domain, 0, 0, null, null, 0, 0, 0, null);
    }

    /** The visitor secret's bytes; null when there is none. */
    byte[] visitorKey() {
        return visitorSecret == null ? null : visitorKey(visitorSecret);
    }

    /** Never shows the visitor secret, so the settings can be logged. */
    @Override
    public String toString() {
        return "ChatSettings[allowedOrigins=" + allowedOrigins + ", widgetId=" + widgetId + ", domain=" + domain
                + ", maxMessageBytes=" + maxMessageBytes + ", messagesPerTenSeconds=" + messagesPerTenSeconds
                + ", idleTimeout=" + idleTimeout + ", abandonAfter=" + abandonAfter + ", transcriptLimit="
                + transcriptLimit + ", socketsPerAddress=" + socketsPerAddress + ", sessionsPerAddressPerMinute="
                + sessionsPerAddressPerMinute + ", visitorSecret=" + (visitorSecret == null ? "none" : "(hidden)") + "]";
    }

    private static byte[] visitorKey(String base64) {
        String expected = " (expected base64 of at least " + MIN_VISITOR_SECRET_BYTES + " random bytes, such as the"
                + " output of: openssl rand -base64 32)";
        byte[] key;
        try {
            key = Base64.getDecoder().decode(base64.strip());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(VISITOR_SECRET + ": not base64" + expected);
        }
        if (key.length < MIN_VISITOR_SECRET_BYTES) {
            throw new IllegalArgumentException(VISITOR_SECRET + ": " + key.length + " bytes" + expected);
        }
        return key;
    }

    private static int orDefault(int value, int fallback, String name) {
        if (value < 0) {
            throw new IllegalArgumentException("webchat." + name + ": " + value + " (expected a positive number, or 0 for "
                    + fallback + ")");
        }
        return value == 0 ? fallback : value;
    }

    private static Duration orDefault(Duration value, Duration fallback, String name) {
        if (value == null) {
            return fallback;
        }
        if (value.isNegative() || value.isZero() || value.toMillis() < 1) {
            throw new IllegalArgumentException("webchat." + name + ": " + value + " (expected a positive duration such as "
                    + fallback + ")");
        }
        return value;
    }

    private static List<String> normalize(List<String> origins) {
        List<String> out = new ArrayList<>(origins.size());
        for (int i = 0; i < origins.size(); i++) {
            String o = origins.get(i);
            String n = o == null ? null : Origins.normalize(o);
            if (n == null) {
                throw new IllegalArgumentException("webchat.allowedOrigins[" + i + "]: '" + o
                        + "' (expected an origin: scheme, host and optional port, such as https://shop.example.com, without a path)");
            }
            out.add(n);
        }
        return List.copyOf(out);
    }
}
