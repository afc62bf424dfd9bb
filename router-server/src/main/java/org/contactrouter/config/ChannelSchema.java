package org.contactrouter.config;

import static java.time.Duration.ofDays;
import static java.time.Duration.ofHours;
import static java.time.Duration.ofMillis;
import static java.time.Duration.ofMinutes;
import static java.time.Duration.ofSeconds;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.contactrouter.channels.email.EmailSettings;
import org.contactrouter.channels.twilio.TwilioSettings;
import org.contactrouter.channels.webchat.ChatSettings;
import org.contactrouter.events.Identity;

/**
 * The {@code channels} section of {@code router.yaml}, declared once like the routing files: which channels run and
 * how they reach their providers. Secrets are never in the file: they come from the environment variables named in
 * the docs. Built per load because the bindings read those variables and the data directory.
 */
final class ChannelSchema {

    static final String TWILIO_AUTH_TOKEN = "TWILIO_AUTH_TOKEN";
    static final String IMAP_PASSWORD = "ROUTER_IMAP_PASSWORD";
    static final String SMTP_PASSWORD = "ROUTER_SMTP_PASSWORD";
    static final String CHAT_VISITOR_SECRET = "ROUTER_CHAT_VISITOR_SECRET";

    private static final Type<String> TEXT = Types.text();
    private static final Type<String> DOMAIN = Types.id("routing domain");
    private static final Type<URI> URL = Types.scalar("URL", "expected: an absolute http or https URL", text -> {
        URI u = URI.create(text);
        return u.isAbsolute() && (u.getScheme().equals("http") || u.getScheme().equals("https")) && u.getHost() != null
                ? u : null;
    }, URI::toString);
    private static final Type<String> PHONE = Types.scalar("phone number",
            "expected: a phone number in E.164 form such as +4930123456, or whatsapp:+4930123456", text -> {
                String number = text.startsWith("whatsapp:") ? text.substring("whatsapp:".length()) : text;
                String key = Identity.phone(number).value();
                return text.startsWith("whatsapp:") ? "whatsapp:" + key : key;
            }, Function.identity());
    private static final Type<String> ORIGIN = Types.scalar("origin",
            "expected: a web origin such as https://www.example.com (scheme, host and port only)", text -> {
                URI u = URI.create(text);
                return u.getScheme() != null && u.getHost() != null && (u.getPath() == null || u.getPath().isEmpty())
                        && u.getQuery() == null ? text : null;
            }, Function.identity());

    private final Function<String, String> env;
    private final Path dataDir;

    ChannelSchema(Function<String, String> env, Path dataDir) {
        this.env = env;
        this.dataDir = dataDir;
    }

    /** The parsed section: each channel null when it is not enabled. */
    record Channels(TwilioSettings twilio, EmailSettings email, ChatSettings chat) {
    }

    private static final Field<Boolean> TWILIO_ENABLED = Field.optional("enabled", Types.bool(), false,
            "Answer Twilio's voice and messaging webhooks and send through Twilio's REST API.");
    private static final Field<String> ACCOUNT_SID = Field.optional("accountSid", TEXT, null,
            "The Twilio account SID (AC...). The auth token comes from the environment variable " + TWILIO_AUTH_TOKEN
                    + ".");
    private static final Field<URI> PUBLIC_BASE_URL = Field.optional("publicBaseUrl", URL, null,
            "The URL Twilio calls this server at, as configured in the Twilio console (behind a proxy it differs from "
                    + "the local address); webhook signatures are checked against it.");
    private static final Field<URI> API_BASE_URL = Field.optional("apiBaseUrl", URL, null,
            "Where Twilio's REST API is; leave it out for Twilio's cloud (tests point it at a local stub).");
    private static final Field<String> HOLD_MUSIC_URL = Field.optional("holdMusicUrl", TEXT,
            "https://twimlets.com/holdmusic?Bucket=com.twilio.music.classical",
            "What callers hear while they wait in the queue: a URL answering TwiML (<Play>, <Say>), fetched with GET.");
    private static final Field<Boolean> VOICEMAIL = Field.optional("voicemail", Types.bool(), true,
            "Outside business hours, let callers leave a message after the announcement.");
    private static final Field<Duration> ANSWER_WAIT = Field.optional("answerWait",
            Types.duration(ofMillis(100), ofSeconds(10)), ofSeconds(4),
            "How long a voice webhook waits for the router's first answer (the expected wait) before it answers "
                    + "without it; Twilio gives up on a webhook after 15 s.");
    private static final Field<Map<String, String>> NUMBERS = Field.optional("numbers", Types.mapOf(PHONE, DOMAIN),
            Map.of(), "Our phone numbers (and WhatsApp senders), each with the routing domain its contacts go to.");
    private static final Field<String> TWILIO_DOMAIN = Field.optional("domain", DOMAIN, "default",
            "The routing domain for numbers not listed under numbers.");

    private ObjectType<Optional<TwilioSettings>> twilio() {
        return new ObjectType<>("twilio",
                "Phone calls, SMS and WhatsApp through Twilio (docs/channels.md says how to connect a number).",
                v -> !v.get(TWILIO_ENABLED) ? Optional.empty() : Optional.of(new TwilioSettings(
                        required(v.get(ACCOUNT_SID), "accountSid"), secret(TWILIO_AUTH_TOKEN),
                        required(v.get(PUBLIC_BASE_URL), "publicBaseUrl"), v.get(API_BASE_URL), v.get(HOLD_MUSIC_URL),
                        v.get(VOICEMAIL), v.get(ANSWER_WAIT), v.get(NUMBERS), v.get(TWILIO_DOMAIN))),
                TWILIO_ENABLED, ACCOUNT_SID, PUBLIC_BASE_URL, API_BASE_URL, HOLD_MUSIC_URL, VOICEMAIL, ANSWER_WAIT, NUMBERS,
                TWILIO_DOMAIN);
    }

    private static final Field<String> HOST = Field.optional("host", TEXT, null, "The server's host name.");
    private static final Field<Integer> IMAP_PORT = Field.optional("port", Types.integer(1, 65535), 993,
            "The IMAP port (993 with TLS, 143 without).");
    private static final Field<Boolean> IMAP_TLS = Field.optional("tls", Types.bool(), true,
            "Connect with TLS (IMAPS).");
    private static final Field<String> USER = Field.optional("user", TEXT, null,
            "The login; the password comes from the environment variable named in the section's description.");
    private static final Field<String> FOLDER = Field.optional("folder", TEXT, "INBOX",
            "The folder customers' mail arrives in.");
    private static final ObjectType<Server> IMAP = new ObjectType<>("imap",
            "The mailbox customers write to. Password: environment variable " + IMAP_PASSWORD + ".",
            v -> new Server(v.get(HOST), v.get(IMAP_PORT), v.get(IMAP_TLS), false, v.get(USER), v.get(FOLDER)),
            HOST, IMAP_PORT, IMAP_TLS, USER, FOLDER);

    private static final Field<Integer> SMTP_PORT = Field.optional("port", Types.integer(1, 65535), 587,
            "The SMTP port (587 with STARTTLS, 465 with TLS).");
    private static final Field<Boolean> SMTP_TLS = Field.optional("tls", Types.bool(), false,
            "Connect with TLS from the start (port 465).");
    private static final Field<Boolean> SMTP_STARTTLS = Field.optional("startTls", Types.bool(), true,
            "Upgrade the connection with STARTTLS (port 587).");
    private static final ObjectType<Server> SMTP = new ObjectType<>("smtp",
            "The server replies are sent through. Password: environment variable " + SMTP_PASSWORD + ".",
            v -> new Server(v.get(HOST), v.get(SMTP_PORT), v.get(SMTP_TLS), v.get(SMTP_STARTTLS), v.get(USER), null),
            HOST, SMTP_PORT, SMTP_TLS, SMTP_STARTTLS, USER);

    record Server(String host, int port, boolean tls, boolean startTls, String user, String folder) {
    }

    private static final Field<Boolean> EMAIL_ENABLED = Field.optional("enabled", Types.bool(), false,
            "Read the mailbox and answer by mail.");
    private static final Field<String> ADDRESS = Field.optional("address", TEXT, null,
            "The address customers write to; replies come from it.");
    private static final Field<String> DISPLAY_NAME = Field.optional("displayName", TEXT, "Customer Service",
            "The name replies come from.");
    private static final Field<Server> IMAP_FIELD = Field.optional("imap", IMAP, null, "Where mail is read.");
    private static final Field<Server> SMTP_FIELD = Field.optional("smtp", SMTP, null, "Where mail is sent.");
    private static final Field<Duration> POLL_INTERVAL = Field.optional("pollInterval",
            Types.duration(ofSeconds(5), ofHours(1)), ofMinutes(1),
            "How often the mailbox is checked when the server cannot push new mail (IMAP IDLE).");
    private static final Field<Duration> TIMEOUT = Field.optional("timeout", Types.duration(ofSeconds(1), ofMinutes(5)),
            ofSeconds(30), "Connect, read and write timeout of every mail connection.");
    private static final Field<Integer> MAX_MESSAGE_MB = Field.optional("maxMessageMegabytes",
            Types.integer(1, 200), 25, "Mail larger than this is not routed in full: a person is told it arrived.");
    private static final Field<Integer> MAX_MIME_DEPTH = Field.optional("maxMimeDepth", Types.integer(2, 100), 20,
            "Mail nested deeper than this (MIME parts in parts) is treated like an oversized one.");
    private static final Field<String> EMAIL_DOMAIN = Field.optional("domain", DOMAIN, "default",
            "The routing domain of this mailbox's contacts.");

    private ObjectType<Optional<EmailSettings>> email() {
        return new ObjectType<>("email",
                "A mailbox read over IMAP and answered over SMTP (docs/channels.md has the mailbox settings).",
                v -> {
                    if (!v.get(EMAIL_ENABLED)) {
                        return Optional.empty();
                    }
                    Server imap = required(v.get(IMAP_FIELD), "imap");
                    Server smtp = required(v.get(SMTP_FIELD), "smtp");
                    return Optional.of(new EmailSettings(required(v.get(ADDRESS), "address"), v.get(DISPLAY_NAME),
                            required(imap.host(), "imap.host"), imap.port(), imap.tls(), required(imap.user(), "imap.user"),
                            secret(IMAP_PASSWORD), imap.folder(), required(smtp.host(), "smtp.host"), smtp.port(),
                            smtp.tls(), smtp.startTls(), smtp.user(), smtp.user() == null ? null : secret(SMTP_PASSWORD),
                            v.get(POLL_INTERVAL), v.get(TIMEOUT), v.get(TIMEOUT), v.get(MAX_MESSAGE_MB) * 1024L * 1024L,
                            v.get(MAX_MIME_DEPTH), v.get(EMAIL_DOMAIN), dataDir));
                },
                EMAIL_ENABLED, ADDRESS, DISPLAY_NAME, IMAP_FIELD, SMTP_FIELD, POLL_INTERVAL, TIMEOUT, MAX_MESSAGE_MB,
                MAX_MIME_DEPTH, EMAIL_DOMAIN);
    }

    private static final Field<Boolean> CHAT_ENABLED = Field.optional("enabled", Types.bool(), true,
            "Serve the chat widget at /chat and its WebSocket at /chat/ws.");
    private static final Field<List<String>> ORIGINS = Field.optional("allowedOrigins", Types.listOf(ORIGIN), List.of(),
            "The web sites that may embed the widget (their origins); the server's own /chat page always may.");
    private static final Field<String> WIDGET_ID = Field.optional("widgetId", Types.id("widget id"), "website",
            "The widget's name: the endpoint routing rules can match chat contacts on.");
    private static final Field<String> CHAT_DOMAIN = Field.optional("domain", DOMAIN, "default",
            "The routing domain of chat contacts.");
    private static final Field<Integer> MAX_CHAT_BYTES = Field.optional("maxMessageBytes", Types.integer(512, 65536),
            4096, "Largest chat frame a visitor may send; a larger one closes the connection with a clear reason.");
    private static final Field<Integer> RATE = Field.optional("messagesPerTenSeconds", Types.integer(1, 100), 10,
            "Messages one connection may send in ten seconds; more are refused with an error frame.");
    private static final Field<Duration> IDLE = Field.optional("idleTimeout", Types.duration(ofSeconds(10), ofHours(2)),
            ofMinutes(5), "A connection silent for this long is closed; the server pings at half of it and browsers "
                    + "answer by themselves.");
    private static final Field<Duration> ABANDON = Field.optional("abandonAfter", Types.duration(ofSeconds(10), ofDays(1)),
            ofMinutes(10), "A chat without any open connection for this long has been left by the visitor.");
    private static final Field<Integer> SOCKETS_PER_ADDRESS = Field.optional("socketsPerAddress",
            Types.integer(1, 10_000), ChatSettings.DEFAULT_SOCKETS_PER_ADDRESS,
            "Chat connections one client address may have open at once (every tab with the chat is one; behind a "
                    + "trusted proxy, the address it reports; IPv6 by /64 network); more are refused with 429 and "
                    + "Retry-After.");
    private static final Field<Integer> SESSIONS_PER_ADDRESS = Field.optional("sessionsPerAddressPerMinute",
            Types.integer(1, 10_000), ChatSettings.DEFAULT_SESSIONS_PER_ADDRESS_PER_MINUTE,
            "New chats one client address may start in a minute (one more every 60/n seconds); beyond it, its "
                    + "connections are refused with 429 and Retry-After until it may start one again.");

    private ObjectType<Optional<ChatSettings>> chat() {
        return new ObjectType<>("chat",
                "The web chat widget customers embed with one script tag (docs/channels.md). Host sites that vouch "
                        + "for their logged-in visitors' email addresses sign visitor tokens with a shared secret: "
                        + "environment variable " + CHAT_VISITOR_SECRET + " (base64, at least "
                        + ChatSettings.MIN_VISITOR_SECRET_BYTES + " bytes; without it every email address a visitor "
                        + "gives is only a claim).",
                v -> !v.get(CHAT_ENABLED) ? Optional.empty() : Optional.of(new ChatSettings(v.get(ORIGINS),
                        v.get(WIDGET_ID), v.get(CHAT_DOMAIN), v.get(MAX_CHAT_BYTES), v.get(RATE), v.get(IDLE), v.get(ABANDON),
                        200, v.get(SOCKETS_PER_ADDRESS), v.get(SESSIONS_PER_ADDRESS), optionalSecret(CHAT_VISITOR_SECRET))),
                CHAT_ENABLED, ORIGINS, WIDGET_ID, CHAT_DOMAIN, MAX_CHAT_BYTES, RATE, IDLE, ABANDON, SOCKETS_PER_ADDRESS,
                SESSIONS_PER_ADDRESS);
    }

    final ObjectType<Channels> channels() {
        ObjectType<Optional<ChatSettings>> chat = chat();
        Field<Optional<TwilioSettings>> t = Field.optional("twilio", twilio(), Optional.empty(),
                "Twilio voice, SMS and WhatsApp.");
        Field<Optional<EmailSettings>> e = Field.optional("email", email(), Optional.empty(), "One email mailbox.");
        Field<Optional<ChatSettings>> c = Field.optional("chat", chat, chat.defaults(), "The web chat widget.");
        return new ObjectType<>("channels", "Which channels this server answers and how it reaches their providers. "
                + "Each channel's contacts go to a routing domain; routing rules pick the queue by channel and endpoint "
                + "(the called number, the mailbox address, the widget id).",
                v -> new Channels(v.get(t).orElse(null), v.get(e).orElse(null), v.get(c).orElse(null)), t, e, c);
    }

    private String secret(String variable) {
        String value = env.apply(variable);
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("the environment variable " + variable + " is not set (the secret "
                    + "never goes in router.yaml)");
        }
        return value;
    }

    /** A secret that turns a feature on: null when the variable is not set. */
    private String optionalSecret(String variable) {
        String value = env.apply(variable);
        return value == null || value.isBlank() ? null : value;
    }

    private static <T> T required(T value, String field) {
        if (value == null) {
            throw new IllegalArgumentException("missing '" + field + "' (required when the channel is enabled)");
        }
        return value;
    }
}
