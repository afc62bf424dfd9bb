package org.contactrouter.events;

import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One way to reach a customer: a phone number (voice, SMS and WhatsApp share it), an email address, or a web-chat
 * visitor id. Values are normalized on construction so the same person gives the same identity on every channel:
 * phone numbers to E.164 ({@code +4917012345678}), email addresses to lower case.
 *
 * @param kind  what the value is
 * @param value the normalized value
 */
public record Identity(Kind kind, String value) {

    public enum Kind {
        PHONE("tel"),
        EMAIL("mailto"),
        CHAT("chat");

        private final String scheme;

        Kind(String scheme) {
            this.scheme = scheme;
        }

        public String scheme() {
            return scheme;
        }
    }

    /** A URI scheme as RFC 3986 defines it; a bare phone number or email address never starts with one. */
    private static final Pattern URI_SCHEME = Pattern.compile("[a-z][a-z0-9+.-]*");
    /** The national trunk prefix some write after the country code: {@code +44 (0)20 ...}. */
    private static final Pattern TRUNK_ZERO = Pattern.compile("\\(\\s*0\\s*\\)");

    public Identity {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(value, "value");
        value = switch (kind) {
            case PHONE -> normalizePhone(value);
            case EMAIL -> normalizeEmail(value);
            case CHAT -> normalizeChat(value);
        };
    }

    public static Identity phone(String number) {
        return new Identity(Kind.PHONE, number);
    }

    public static Identity email(String address) {
        return new Identity(Kind.EMAIL, address);
    }

    public static Identity chatVisitor(String visitorId) {
        return new Identity(Kind.CHAT, visitorId);
    }

    /** The identity as one string, {@code tel:+4917012345678}, {@code mailto:ann@example.com}, {@code chat:v-81f2}. */
    public String key() {
        return kind.scheme() + ':' + value;
    }

    /**
     * Parses {@link #key()} back, a {@code whatsapp:} address, or a bare phone number / email address.
     *
     * @throws IllegalArgumentException naming the scheme or the field ({@code phone}, {@code email}, {@code chat})
     *                                  when the key is not one of these
     */
    public static Identity parse(String key) {
        Objects.requireNonNull(key, "key");
        String s = key.strip();
        int colon = s.indexOf(':');
        if (colon > 0) {
            String scheme = s.substring(0, colon).toLowerCase(Locale.ROOT);
            String rest = s.substring(colon + 1);
            for (Kind k : Kind.values()) {
                if (k.scheme().equals(scheme)) {
                    return new Identity(k, rest);
                }
            }
            if (scheme.equals("whatsapp")) {
                return phone(rest);
            }
            if (URI_SCHEME.matcher(scheme).matches()) {
                throw new IllegalArgumentException("identity: '" + key
                        + "' (expected tel:, mailto:, chat: or whatsapp: followed by a value, or a bare phone number or email address)");
            }
        }
        if (s.contains("@")) {
            return email(s);
        }
        return phone(s);
    }

    @Override
    public String toString() {
        return key();
    }

    /**
     * Accepts the ways people and providers write an international number: {@code +49 170 1234567},
     * {@code 0049-170-1234567}, {@code +1 (415) 555-0100}, {@code +44 (0)20 7946 0958} (the national trunk 0 in
     * parentheses is dropped), {@code whatsapp:+4917012345678}. Rejects numbers without a country code: a national
     * number cannot be told apart from one of another country.
     */
    private static String normalizePhone(String raw) {
        String s = raw.strip();
        if (s.regionMatches(true, 0, "whatsapp:", 0, 9)) {
            s = s.substring(9);
        }
        s = TRUNK_ZERO.matcher(s).replaceAll("");
        StringBuilder digits = new StringBuilder(s.length());
        boolean plus = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c >= '0' && c <= '9') {
                digits.append(c);
            } else if (c == '+' && !plus && digits.length() == 0) {
                plus = true;
            } else if (!isSeparator(c)) {
                throw new IllegalArgumentException("phone: '" + raw + "' (expected an E.164 number such as +4917012345678)");
            }
        }
        boolean doubleZero = !plus && digits.length() >= 2 && digits.charAt(0) == '0' && digits.charAt(1) == '0';
        if (!plus && !doubleZero) {
            throw new IllegalArgumentException("phone: '" + raw + "' (expected an E.164 number with country code, such as +4917012345678)");
        }
        String d = doubleZero ? digits.substring(2) : digits.toString();
        if (d.length() < 6 || d.length() > 15 || d.charAt(0) == '0') {
            throw new IllegalArgumentException("phone: '" + raw + "' (expected an E.164 number: + and 6 to 15 digits, no leading 0)");
        }
        return "+" + d;
    }

    private static boolean isSeparator(char c) {
        return c == '-' || c == '.' || c == '/' || c == '(' || c == ')' || Character.isWhitespace(c) || Character.isSpaceChar(c);
    }

    private static String normalizeEmail(String raw) {
        String s = raw.strip();
        if (s.startsWith("<") && s.endsWith(">")) {
            s = s.substring(1, s.length() - 1);
        }
        int at = s.indexOf('@');
        if (at <= 0 || at != s.lastIndexOf('@') || at == s.length() - 1 || s.chars().anyMatch(Character::isWhitespace)) {
            throw new IllegalArgumentException("email: '" + raw + "' (expected an address such as ann@example.com)");
        }
        return s.toLowerCase(Locale.ROOT);
    }

    private static String normalizeChat(String raw) {
        String s = raw.strip();
        if (s.isEmpty() || s.length() > 128) {
            throw new IllegalArgumentException("chat: '" + raw + "' (expected a visitor id of 1 to 128 characters)");
        }
        return s;
    }
}
