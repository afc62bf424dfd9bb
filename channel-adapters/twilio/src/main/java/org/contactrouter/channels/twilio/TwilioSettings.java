package org.contactrouter.channels.twilio;

import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.contactrouter.events.ContactEvent;
import org.contactrouter.events.Identity;

/**
 * How the router reaches Twilio and how Twilio reaches the router.
 *
 * @param accountSid      the Twilio account ({@code AC...}); the user name of every REST call
 * @param authToken       the account's auth token: signs Twilio's webhooks and authenticates our REST calls. Read it
 *                        from the environment ({@code TWILIO_AUTH_TOKEN}), never from a file in version control
 * @param publicBaseUrl   the base URL Twilio calls, e.g. {@code https://contact.example.com}; behind a reverse proxy it
 *                        differs from the local one, and signatures are computed over it, so it must be exactly what
 *                        is configured in the Twilio console (a path prefix, such as {@code /router}, included)
 * @param apiBaseUrl      where REST calls go instead of {@code https://*.twilio.com}; null for Twilio's cloud (tests
 *                        use a loopback stub)
 * @param holdMusicUrl    what a waiting caller hears ({@code <Enqueue waitUrl>}); null for Twilio's default music
 * @param voicemail       whether a caller outside business hours may leave a message
 * @param answerWait      how long a voice webhook waits for the router's first answer (the acknowledgement with the
 *                        expected wait); 4 s when null; below 15 s, when Twilio gives up on the webhook
 * @param domainByNumber  our called number (E.164, or {@code whatsapp:+...} for a WhatsApp sender) to routing domain;
 *                        a plain number also covers WhatsApp messages to it unless that has its own entry
 * @param defaultDomain   the routing domain of a number not in {@code domainByNumber};
 *                        {@value ContactEvent#DEFAULT_DOMAIN} when null
 */
public record TwilioSettings(String accountSid, String authToken, URI publicBaseUrl, URI apiBaseUrl,
                             String holdMusicUrl, boolean voicemail, Duration answerWait,
                             Map<String, String> domainByNumber, String defaultDomain) {

    /** The default of {@link #answerWait()}. */
    public static final Duration DEFAULT_ANSWER_WAIT = Duration.ofSeconds(4);
    /** Twilio waits at most this long for a voice webhook's TwiML. */
    static final Duration TWILIO_WEBHOOK_TIMEOUT = Duration.ofSeconds(15);

    public TwilioSettings {
        if (accountSid == null || accountSid.isBlank()) {
            throw new IllegalArgumentException("twilio.accountSid: missing (expected the account SID, AC followed by 32 hex digits, from the Twilio console)");
        }
        if (authToken == null || authToken.isBlank()) {
            throw new IllegalArgumentException("twilio.authToken: missing (expected the account's auth token; set the environment variable TWILIO_AUTH_TOKEN)");
        }
        publicBaseUrl = requireHttpBase(publicBaseUrl, "publicBaseUrl", false);
        apiBaseUrl = requireHttpBase(apiBaseUrl, "apiBaseUrl", true);
        if (holdMusicUrl != null && holdMusicUrl.isBlank()) {
            holdMusicUrl = null;
        }
        answerWait = answerWait == null ? DEFAULT_ANSWER_WAIT : answerWait;
        if (answerWait.isNegative() || answerWait.compareTo(TWILIO_WEBHOOK_TIMEOUT.minusSeconds(1)) > 0) {
            throw new IllegalArgumentException("twilio.answerWait: " + answerWait
                    + " (expected 0 to 14 s: Twilio gives up on a voice webhook after 15 s)");
        }
        defaultDomain = defaultDomain == null ? ContactEvent.DEFAULT_DOMAIN : defaultDomain;
        if (defaultDomain.isBlank()) {
            throw new IllegalArgumentException("twilio.defaultDomain: blank (expected a routing domain such as 'default')");
        }
        Map<String, String> domains = new LinkedHashMap<>();
        if (domainByNumber != null) {
            domainByNumber.forEach((number, domain) -> {
                if (domain == null || domain.isBlank()) {
                    throw new IllegalArgumentException("twilio.domainByNumber['" + number + "']: blank (expected a routing domain)");
                }
                String key;
                try {
                    key = numberKey(number);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("twilio.domainByNumber: " + e.getMessage(), e);
                }
                if (domains.putIfAbsent(key, domain) != null && !domains.get(key).equals(domain)) {
                    throw new IllegalArgumentException("twilio.domainByNumber: '" + number + "' is given twice, as '"
                            + domains.get(key) + "' and '" + domain + "'");
                }
            });
        }
        domainByNumber = Map.copyOf(domains);
    }

    /**
     * The routing domain of a contact that reached us on {@code calledNumber} (Twilio's {@code To}): its entry in
     * {@code domainByNumber}, for a WhatsApp address else the entry of its plain number, else the default domain.
     */
    public String domainFor(String calledNumber) {
        if (calledNumber == null || calledNumber.isBlank()) {
            return defaultDomain;
        }
        String key;
        try {
            key = numberKey(calledNumber);
        } catch (IllegalArgumentException e) {
            key = calledNumber.strip();
        }
        String domain = domainByNumber.get(key);
        if (domain == null && key.startsWith(WHATSAPP)) {
            domain = domainByNumber.get(key.substring(WHATSAPP.length()));
        }
        return domain != null ? domain : defaultDomain;
    }

    /** Never shows the auth token, so the settings can be logged. */
    @Override
    public String toString() {
        return "TwilioSettings[accountSid=" + accountSid + ", authToken=(hidden), publicBaseUrl=" + publicBaseUrl
                + ", apiBaseUrl=" + apiBaseUrl + ", holdMusicUrl=" + holdMusicUrl + ", voicemail=" + voicemail
                + ", answerWait=" + answerWait + ", domainByNumber=" + domainByNumber + ", defaultDomain="
                + defaultDomain + "]";
    }

    static final String WHATSAPP = "whatsapp:";

    /**
     * A called number as a map key: E.164 ({@code +4930901820}), with {@code whatsapp:} kept in front for a WhatsApp
     * sender. A short code ({@code 12345}) is kept as written.
     */
    static String numberKey(String number) {
        Objects.requireNonNull(number, "number");
        String s = number.strip();
        boolean whatsapp = s.regionMatches(true, 0, WHATSAPP, 0, WHATSAPP.length());
        String bare = whatsapp ? s.substring(WHATSAPP.length()).strip() : s;
        if (bare.isEmpty()) {
            throw new IllegalArgumentException("'" + number + "' (expected an E.164 number such as +4930901820, or whatsapp:+4930901820)");
        }
        String normalized = bare.chars().allMatch(Character::isDigit) && bare.length() <= 8
                ? bare
                : Identity.phone(bare).value();
        return whatsapp ? WHATSAPP + normalized : normalized;
    }

    private static URI requireHttpBase(URI uri, String name, boolean optional) {
        if (uri == null) {
            if (optional) {
                return null;
            }
            throw new IllegalArgumentException("twilio." + name + ": missing (expected the https URL Twilio calls, such as https://contact.example.com)");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!uri.isAbsolute() || uri.getHost() == null || !(scheme.equals("https") || scheme.equals("http"))
                || uri.getQuery() != null || uri.getFragment() != null) {
            throw new IllegalArgumentException("twilio." + name + ": '" + uri
                    + "' (expected an absolute http(s) URL without query, such as https://contact.example.com)");
        }
        String s = uri.toString();
        while (s.endsWith("/")) {
            s = s.substring(0, s.length() - 1);
        }
        return URI.create(s);
    }
}
