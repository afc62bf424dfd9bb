package org.contactrouter.server.http;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Token buckets by key (a client address): each key may spend {@code burst} at once and regains {@code perSecond}.
 * The table holds at most {@code maxKeys} keys, dropping the least recently used, so a flood of addresses costs
 * bounded memory (a dropped key starts again with a full bucket).
 */
public final class RateLimits {

    private final double perSecond;
    private final double burst;
    private final int maxKeys;
    private final Clock clock;
    private final Map<String, double[]> buckets;

    public RateLimits(double perSecond, int burst, int maxKeys, Clock clock) {
        if (perSecond <= 0 || burst < 1 || maxKeys < 1) {
            throw new IllegalArgumentException("rate limit: " + perSecond + "/s, burst " + burst + ", keys " + maxKeys);
        }
        this.perSecond = perSecond;
        this.burst = burst;
        this.maxKeys = maxKeys;
        this.clock = clock;
        this.buckets = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, double[]> eldest) {
                return size() > RateLimits.this.maxKeys;
            }
        };
    }

    /** Takes one token for {@code key}: 0 when there was one, else the whole seconds to wait for the next one. */
    public synchronized long take(String key) {
        long now = clock.millis();
        double[] b = buckets.computeIfAbsent(key, k -> new double[] {burst, now});
        b[0] = Math.min(burst, b[0] + (now - b[1]) / 1000.0 * perSecond);
        b[1] = now;
        if (b[0] >= 1) {
            b[0] -= 1;
            return 0;
        }
        return Math.max(1, (long) Math.ceil((1 - b[0]) / perSecond));
    }
}
