package org.contactrouter.server;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.Consumer;
import org.contactrouter.routing.RoutingDecision;

/** The last decisions committed on any partition, newest first, for the supervisor view. */
final class RecentDecisions implements Consumer<RoutingDecision> {

    private final int limit;
    private final Deque<RoutingDecision> recent = new ArrayDeque<>();

    RecentDecisions(int limit) {
        this.limit = limit;
    }

    @Override
    public synchronized void accept(RoutingDecision d) {
        recent.addFirst(d);
        if (recent.size() > limit) {
            recent.removeLast();
        }
    }

    synchronized List<RoutingDecision> newestFirst() {
        return new ArrayList<>(recent);
    }
}
