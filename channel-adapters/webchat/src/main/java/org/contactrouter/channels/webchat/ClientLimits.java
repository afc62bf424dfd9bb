package org.contactrouter.channels.webchat;

import java.time.Clock;
import java.util.HashMap;
import java.util.Map;

/**
 * What each client address may do: hold at most {@code socketsPerAddress} chat sockets at once, and start at most
 * {@code sessionsPerMinute} new chat sessions a minute (a token bucket: full at first, one session back every
 * {@code 60 / sessionsPerMinute} seconds). A socket is admitted only while its address could still start a session,
 * since the handshake cannot tell a new chat from a resumed one; the session itself takes its token at hello.
 *
 * <p>Bounded in memory: an address with no socket open and a full bucket is the same as one never seen, so it is
 * forgotten ({@link #forgetIdle}, and whenever the table is full); the table never holds more than
 * {@code maxAddresses}, and a new address is refused while it is full of addresses with sockets open.
 *
 * <p>Thread-safe: the event loops of every connection call it.
 */
final class ClientLimits {

    /** The most addresses remembered at once, by default. */
    static final int MAX_ADDRESSES = 100_000;
    /** What a refusal for too many open sockets, or a full table, suggests to wait. */
    static final long RETRY_AFTER_SECONDS = 60;
    private static final long MINUTE_MILLIS = 60_000;

    /** Why a socket or a session is refused, in words a visitor can act on, and when to try again. */
    record Refusal(String reason, long retryAfterSeconds) {
    }

    private static final class Usage {
        int sockets;
        double tokens;
        long refilledAtMillis;
    }

    private final int socketsPerAddress;
    private final int sessionsPerMinute;
    private final int maxAddresses;
    private final Clock clock;
    private final Map<String, Usage> byAddress = new HashMap<>();
    /** A full table is swept for idle addresses at most once a second, however many new ones knock. */
    private long nextForgetMillis = Long.MIN_VALUE;

    ClientLimits(int socketsPerAddress, int sessionsPerMinute, int maxAddresses, Clock clock) {
        this.socketsPerAddress = socketsPerAddress;
        this.sessionsPerMinute = sessionsPerMinute;
        this.maxAddresses = maxAddresses;
        this.clock = clock;
    }

    /** Counts a new socket from {@code address}; null when it may open, else why not. */
    synchronized Refusal open(String address) {
        long now = clock.millis();
        Usage u = byAddress.get(address);
        if (u == null) {
            if (byAddress.size() >= maxAddresses && now >= nextForgetMillis) {
                nextForgetMillis = now + 1_000;
                forgetIdle();
            }
            if (byAddress.size() >= maxAddresses) {
                return new Refusal("The chat has more visitors than it can take right now. Please try again in a minute.",
                        RETRY_AFTER_SECONDS);
            }
            u = new Usage();
            u.tokens = sessionsPerMinute;
            u.refilledAtMillis = now;
            byAddress.put(address, u);
        }
        refill(u, now);
        if (u.sockets >= socketsPerAddress) {
            return new Refusal("There are already " + socketsPerAddress + " chats open from your network address, the"
                    + " most the chat allows. Close the chat in other tabs or windows, or try again in a minute.",
                    RETRY_AFTER_SECONDS);
        }
        if (u.tokens < 1) {
            return sessionRefusal(u);
        }
        u.sockets++;
        return null;
    }

    /** A socket {@link #open} admitted has closed. */
    synchronized void closed(String address) {
        Usage u = byAddress.get(address);
        u.sockets--;
        refill(u, clock.millis());
        if (idle(u)) {
            byAddress.remove(address);
        }
    }

    /** Takes a token for a new session started on a socket from {@code address}; null when it may, else why not. */
    synchronized Refusal startSession(String address) {
        Usage u = byAddress.get(address);
        refill(u, clock.millis());
        if (u.tokens < 1) {
            return sessionRefusal(u);
        }
        u.tokens--;
        return null;
    }

    /** Forgets every address without an open socket whose bucket is full again. */
    synchronized void forgetIdle() {
        long now = clock.millis();
        byAddress.values().removeIf(u -> {
            refill(u, now);
            return idle(u);
        });
    }

    /** How many addresses are remembered; for tests. */
    synchronized int addresses() {
        return byAddress.size();
    }

    private Refusal sessionRefusal(Usage u) {
        long waitMillis = (long) Math.ceil((1 - u.tokens) * MINUTE_MILLIS / sessionsPerMinute);
        long seconds = Math.max(1, (waitMillis + 999) / 1000);
        return new Refusal(sessionsPerMinute + " new chats were started from your network address within a minute,"
                + " the most the chat allows. Please try again in " + seconds + " seconds.", seconds);
    }

    private void refill(Usage u, long now) {
        long elapsed = Math.max(0, now - u.refilledAtMillis);
        u.tokens = Math.min(sessionsPerMinute, u.tokens + (double) elapsed * sessionsPerMinute / MINUTE_MILLIS);
        u.refilledAtMillis = now;
    }

    private boolean idle(Usage u) {
        return u.sockets == 0 && u.tokens >= sessionsPerMinute;
    }
}
