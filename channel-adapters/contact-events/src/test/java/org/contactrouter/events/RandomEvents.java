package org.contactrouter.events;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.LongStream;

/**
 * Random valid events and identities for the seeded property tests: every event type, every optional field set or
 * null, phone numbers in E.164 and ways people write them, email addresses, chat visitor ids, and invalid phone
 * numbers of every kind {@link Identity#phone} must reject.
 *
 * <p>Everything comes from one {@link SplittableRandom}, so a seed gives the same values on every run and every JVM.
 * Lengths, instants and nanoseconds lean to their edges (empty, shortest, longest, whole seconds), where bugs live.
 *
 * <p>{@link #seeds()} are the seeds each property runs on: {@value #DEFAULT_SEEDS} from 0 unless the system properties
 * {@code randomEvents.seeds} (how many) and {@code randomEvents.firstSeed} say otherwise, e.g.
 * {@code ./mvnw -pl channel-adapters/contact-events test -DrandomEvents.firstSeed=1000000 -DrandomEvents.seeds=20000}.
 */
final class RandomEvents {

    static final int DEFAULT_SEEDS = 100;
    static final int INPUTS_PER_SEED = 10;

    private static final long FROM = Instant.parse("2000-01-01T00:00:00Z").getEpochSecond();
    private static final long TO = Instant.parse("2100-01-01T00:00:00Z").getEpochSecond();

    /** What JSON must escape, white space Java does and does not strip, non-Latin letters. */
    private static final char[] SPECIAL_CHARS = {
        '\n', '\t', '\r', '\u0000', '\u2028', '\u20ac', '\u4e2d', '\u0416', '"', '\\', '/', ' ', '\u00a0'};
    private static final String EMOJI = "\uD83D\uDE00";
    private static final String ALPHA = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    private static final String DIGITS = "0123456789";
    private static final String ALPHANUMERIC = ALPHA + DIGITS;
    private static final String EMAIL_LOCAL = ALPHANUMERIC + "._+-";
    private static final int EVENT_TYPES = 10;

    private final SplittableRandom random;

    RandomEvents(long seed) {
        this.random = new SplittableRandom(seed);
    }

    /** The seeds a property runs on, one parameterized test each. */
    static LongStream seeds() {
        long first = Long.getLong("randomEvents.firstSeed", 0);
        int count = Integer.getInteger("randomEvents.seeds", DEFAULT_SEEDS);
        return LongStream.range(first, first + count);
    }

    /**
     * Checks the property on {@value #INPUTS_PER_SEED} inputs generated one after the other from the seed: with the
     * default seeds, 1000 inputs per property. Any failure, in generating or in checking, becomes an
     * {@link AssertionError} that starts with the seed and the input (escaped, so invisible and look-alike characters
     * show), so the failing case can be replayed: the same seed generates the same inputs in the same order.
     */
    static <T> void check(long seed, Function<RandomEvents, T> generator, Property<T> property) {
        RandomEvents random = new RandomEvents(seed);
        for (int i = 1; i <= INPUTS_PER_SEED; i++) {
            String which = "seed " + seed + ", input " + i + " of " + INPUTS_PER_SEED;
            T input;
            try {
                input = generator.apply(random);
            } catch (RuntimeException e) {
                throw new AssertionError(which + ": generating it failed: " + e, e);
            }
            try {
                property.check(input);
            } catch (AssertionError | RuntimeException e) {
                throw new AssertionError(which + ": " + show(input) + "\n" + e, e);
            }
        }
    }

    /** A property of one generated input. */
    @FunctionalInterface
    interface Property<T> {
        void check(T input);
    }

    /** The value's {@code toString()}, backslashes doubled and everything but printable ASCII as a unicode escape. */
    static String show(Object value) {
        String s = String.valueOf(value);
        StringBuilder shown = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\') {
                shown.append("\\\\");
            } else if (c >= ' ' && c <= '~') {
                shown.append(c);
            } else {
                shown.append(String.format("\\u%04x", (int) c));
            }
        }
        return shown.toString();
    }

    // ---- events

    ContactEvent event() {
        String id = nonBlank();
        String source = nonBlank();
        Instant time = instant();
        String subject = orNull(0.3, this::text);
        String domain = orNull(0.5, this::nonBlank);
        return new ContactEvent(id, source, time, subject, domain, data());
    }

    /** One of the {@value #EVENT_TYPES} event types, each as likely. */
    EventData data() {
        return switch (random.nextInt(EVENT_TYPES)) {
            case 0 -> new ContactOpened(channel(), nonBlank(), customer(), optional(), optional(), optional(), optional(),
                    attributes());
            case 1 -> new CustomerMessage(channel(), nonBlank(), customer(), optional(), optional(), optional(), optional(),
                    attributes());
            case 2 -> new CustomerLeft(channel(), nonBlank(), optional());
            case 3 -> new PresenceChanged(nonBlank(), oneOf(Presence.values()));
            case 4 -> new OfferAccepted(nonBlank(), nonBlank());
            case 5 -> new OfferRejected(nonBlank(), nonBlank(), optional());
            case 6 -> new AgentReplied(nonBlank(), nonBlank(), text());
            case 7 -> new NoteAdded(nonBlank(), nonBlank(), nonBlank());
            case 8 -> {
                String agent = nonBlank();
                String contact = nonBlank();
                String to = nonBlank();
                boolean toAgent = random.nextBoolean();
                yield new TransferRequested(agent, contact, toAgent ? to : null, toAgent ? null : to, nonBlank());
            }
            case 9 -> new ContactWrappedUp(nonBlank(), nonBlank(), nonBlank(), orNull(0.5, this::instant), optional());
            default -> throw new IllegalStateException("unreachable");
        };
    }

    Instant instant() {
        long second = switch (random.nextInt(8)) {
            case 0 -> FROM;
            case 1 -> TO;
            default -> random.nextLong(FROM, TO + 1);
        };
        // Instant.toString writes 0, 3, 6 or 9 fraction digits; take each as often
        int nanos = switch (random.nextInt(4)) {
            case 0 -> 0;
            case 1 -> random.nextInt(1, 1_000) * 1_000_000;
            case 2 -> random.nextInt(1, 1_000_000) * 1_000;
            default -> random.nextInt(1_000_000_000);
        };
        return Instant.ofEpochSecond(second, nanos);
    }

    private Channel channel() {
        return oneOf(Channel.values());
    }

    private Customer customer() {
        String name = orNull(0.5, this::text);
        return new Customer(name, list(1, 3, this::identity), orNull(0.7, this::emailAddress));
    }

    /** Null one time in five, else up to three attributes. */
    private Map<String, String> attributes() {
        if (random.nextInt(5) == 0) {
            return null;
        }
        Map<String, String> attributes = new HashMap<>();
        for (int i = length(0, 3); i > 0; i--) {
            attributes.put(nonBlank(), text());
        }
        return attributes;
    }

    // ---- identities

    /** A phone number, email address or chat visitor id, each as likely. */
    Identity identity() {
        return switch (random.nextInt(3)) {
            case 0 -> Identity.phone(phoneNumber());
            case 1 -> Identity.email(emailAddress());
            default -> Identity.chatVisitor(nonBlank());
        };
    }

    /** E.164: + and 6 to 15 digits, the first not 0. */
    String phoneNumber() {
        return phoneNumber(6);
    }

    /** E.164 with at least {@code minDigits} (6 to 15) digits. */
    String phoneNumber(int minDigits) {
        return "+" + random.nextInt(1, 10) + string(DIGITS, minDigits - 1, 14);
    }

    String emailAddress() {
        return string(EMAIL_LOCAL, 1, 20) + "@" + string(ALPHANUMERIC, 1, 12) + "." + string(ALPHA, 2, 6);
    }

    /**
     * The number as people and providers write it: {@code +} or {@code 00} with or without a space, the country code
     * (1 to 3 digits), maybe the national trunk {@code (0)}, maybe an area code in parentheses, digits grouped by
     * nothing, spaces, {@code -}, {@code .}, {@code /} or no-break spaces, maybe behind {@code whatsapp:}.
     *
     * @param e164 a number of at least 7 digits, {@code +4917012345678}
     */
    String formatted(String e164) {
        String digits = e164.substring(1);
        int countryCodeLength = random.nextInt(1, 4);
        String prefix = oneOf("+", "00", "+ ", "00 ");
        List<String> separators = list(1, 4, () -> oneOf("", "", " ", "-", ".", "/", "\u00a0"));
        boolean areaCodeInParentheses = random.nextBoolean();
        boolean trunkZero = random.nextBoolean();
        boolean whatsapp = random.nextBoolean();

        String countryCode = digits.substring(0, countryCodeLength);
        String national = digits.substring(countryCodeLength);
        StringBuilder formatted = new StringBuilder(whatsapp ? "whatsapp:" : "").append(prefix).append(countryCode).append(' ');
        if (trunkZero) {
            formatted.append("(0)");
        }
        int areaCode = areaCodeInParentheses && national.length() >= 4 ? 2 + national.length() % 3 : 0;
        if (areaCode > 0) {
            formatted.append('(').append(national, 0, areaCode).append(") ");
        }
        for (int i = areaCode; i < national.length(); i++) {
            formatted.append(national.charAt(i)).append(separators.get(i % separators.size()));
        }
        return formatted.toString();
    }

    /** Not a phone number {@link Identity#phone} accepts; each of the seven kinds below as likely. */
    String invalidPhoneNumber() {
        return switch (random.nextInt(7)) {
            // national, without a country code
            case 0 -> "0" + random.nextInt(1, 10) + " " + string(DIGITS, 5, 12);
            // too short, too long
            case 1 -> "+1" + string(DIGITS, 1, 4);
            case 2 -> "+1" + string(DIGITS, 15, 20);
            // country code starting with 0
            case 3 -> "+0" + string(DIGITS, 5, 12);
            // a letter, a second +, or nothing at all
            case 4 -> phoneNumber() + ALPHA.charAt(random.nextInt(ALPHA.length()));
            case 5 -> "+" + phoneNumber();
            default -> oneOf("", " ", "+", "00", "whatsapp:", "anonymous", "+49 (0)");
        };
    }

    // ---- text

    /**
     * Up to 40 characters: printable ASCII, Latin-1 and Latin Extended-A, what JSON must escape, white space and
     * non-Latin letters; a third of the time followed by a character outside the Basic Multilingual Plane.
     */
    String text() {
        int length = length(0, 40);
        StringBuilder text = new StringBuilder(length + 2);
        for (int i = 0; i < length; i++) {
            text.append(switch (random.nextInt(3)) {
                case 0 -> (char) random.nextInt(' ', '~' + 1);
                case 1 -> (char) random.nextInt('\u00a0', '\u017f' + 1);
                default -> SPECIAL_CHARS[random.nextInt(SPECIAL_CHARS.length)];
            });
        }
        if (random.nextInt(3) == 0) {
            text.append(EMOJI);
        }
        return text.toString();
    }

    /** {@link #text()} that is not blank. */
    String nonBlank() {
        String text;
        do {
            text = text();
        } while (text.isBlank());
        return text;
    }

    /** An optional free text: null three times in ten. */
    private String optional() {
        return orNull(0.3, this::text);
    }

    // ---- primitives

    @SafeVarargs
    final <T> T oneOf(T... values) {
        return values[random.nextInt(values.length)];
    }

    private <T> T orNull(double nullProbability, Supplier<T> value) {
        return random.nextDouble() < nullProbability ? null : value.get();
    }

    private <T> List<T> list(int min, int max, Supplier<T> element) {
        int size = length(min, max);
        List<T> list = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            list.add(element.get());
        }
        return list;
    }

    private String string(String alphabet, int min, int max) {
        int length = length(min, max);
        StringBuilder s = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            s.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return s.toString();
    }

    /** A length from min to max, either bound one time in eight each. */
    private int length(int min, int max) {
        return switch (random.nextInt(8)) {
            case 0 -> min;
            case 1 -> max;
            default -> random.nextInt(min, max + 1);
        };
    }
}
