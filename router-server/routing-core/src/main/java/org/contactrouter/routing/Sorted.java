package org.contactrouter.routing;

import java.util.Collections;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.contactrouter.events.Channel;

/**
 * Immutable copies that iterate in a fixed order. {@code Map.copyOf} and {@code Set.copyOf} iterate in an order that
 * changes from one JVM to the next, which would make decisions and messages differ between a run and its replay.
 */
final class Sorted {

    private Sorted() {
    }

    static <V> Map<String, V> map(Map<String, V> m) {
        return Collections.unmodifiableMap(new TreeMap<>(m));
    }

    static Set<String> set(Set<String> s) {
        return Collections.unmodifiableSet(new TreeSet<>(s));
    }

    static Set<Channel> channels(Set<Channel> s) {
        return Collections.unmodifiableSet(s.isEmpty() ? EnumSet.noneOf(Channel.class) : EnumSet.copyOf(s));
    }
}
