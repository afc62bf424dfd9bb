package org.contactrouter.routing;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.contactrouter.events.Channel;

/**
 * A read-only picture of a queue.
 *
 * @param waiting        contacts waiting or offered
 * @param oldestWaitSince when the longest-waiting of them started waiting, or null
 * @param estimatedWait  expected wait of a new contact per channel; channels nobody staffs are absent
 */
public record QueueView(String id, String name, int waiting, Instant oldestWaitSince,
                        Map<Channel, Duration> estimatedWait) {
}
