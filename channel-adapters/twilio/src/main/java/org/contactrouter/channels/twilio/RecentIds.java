package org.contactrouter.channels.twilio;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The ids of the most recent messages sent, so a redelivered outbound message is not sent twice. Bounded: the oldest
 * id is forgotten first, which is safe because redeliveries come soon after the first delivery.
 */
final class RecentIds {

    private final Map<String, Boolean> ids;

    RecentIds(int capacity) {
        this.ids = new LinkedHashMap<>(16, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                return size() > capacity;
            }
        };
    }

    synchronized boolean contains(String id) {
        return ids.containsKey(id);
    }

    synchronized void add(String id) {
        ids.put(id, Boolean.TRUE);
    }
}
