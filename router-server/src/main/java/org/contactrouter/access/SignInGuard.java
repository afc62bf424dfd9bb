package org.contactrouter.access;

import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Slows down password guessing: failed sign-ins are counted per agent id and per client address; after
 * {@code freeFailures} for an id (four times as many for an address, which a whole office may share behind one NAT),
 * each further failure locks that id or address out for twice as long as the last (from {@code firstLockout} up to
 * {@code maxLockout}). A success clears the id's count. Unknown ids are counted like
 * known ones, so the answers say nothing about which ids exist. The table is bounded: the least recently touched
 * entries go first.
 */
public final class SignInGuard {

    private static final int MAX_KEYS = 10_000;

    private final int freeFailures;
    private final Duration firstLockout;
    private final Duration maxLockout;
    private final Clock clock;
    private final Map<String, long[]> failures = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, long[]> eldest) {
            return size() > MAX_KEYS;
        }
    };

    public SignInGuard(int freeFailures, Duration firstLockout, Duration maxLockout, Clock clock) {
        this.freeFailures = freeFailures;
        this.firstLockout = firstLockout;
        this.maxLockout = maxLockout;
        this.clock = clock;
    }

    /** Seconds until {@code agentId} may try again from {@code address}; 0 when they may now. */
    public synchronized long retryAfter(String agentId, String address) {
        long now = clock.millis();
        long until = Math.max(lockedUntil("id:" + agentId), lockedUntil("address:" + address));
        return until <= now ? 0 : Math.max(1, (until - now + 999) / 1000);
    }

    public synchronized void failed(String agentId, String address) {
        count("id:" + agentId, freeFailures);
        count("address:" + address, freeFailures * 4);
    }

    public synchronized void succeeded(String agentId) {
        failures.remove("id:" + agentId);
    }

    private long lockedUntil(String key) {
        long[] f = failures.get(key);
        return f == null ? 0 : f[1];
    }

    private void count(String key, int free) {
        long now = clock.millis();
        long[] f = failures.computeIfAbsent(key, k -> new long[2]);
        if (f[1] != 0 && now - f[1] > maxLockout.toMillis()) {
            f[0] = 0; // quiet for longer than the longest lock-out: start again
        }
        f[0]++;
        long over = f[0] - free;
        if (over > 0) {
            long lock = firstLockout.toMillis() << Math.min(over - 1, 30);
            f[1] = now + Math.min(lock, maxLockout.toMillis());
        } else {
            f[1] = now;
        }
    }
}
