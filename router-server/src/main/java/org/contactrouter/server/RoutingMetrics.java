package org.contactrouter.server;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.contactrouter.routing.RoutingDecision;

/**
 * Metrics read off the committed decision stream: decisions by type and channel, wait to answer, transfers per
 * contact. Called on the routing thread after each commit; it keeps a little per open contact (when it was queued,
 * how often it was transferred), forgotten when the contact ends.
 */
final class RoutingMetrics {

    private final MeterRegistry registry;
    private final DistributionSummary transfers;
    private final Map<String, Instant> queuedAt = new HashMap<>();
    private final Map<String, Integer> transferCounts = new HashMap<>();

    RoutingMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.transfers = DistributionSummary.builder(RouterMeters.TRANSFERS_PER_CONTACT.meterName)
                .baseUnit("transfers").description(RouterMeters.TRANSFERS_PER_CONTACT.doc).register(registry);
    }

    void committed(List<RoutingDecision> decisions) {
        for (RoutingDecision d : decisions) {
            String channel = d.channel() == null ? "none" : d.channel().wireName();
            Counter.builder(RouterMeters.DECISIONS.meterName).description(RouterMeters.DECISIONS.doc)
                    .tag("type", d.type().name().toLowerCase(Locale.ROOT).replace('_', '-'))
                    .tag("channel", channel).register(registry).increment();
            if (d.contactId() == null) {
                continue;
            }
            switch (d.type()) {
                case QUEUED -> queuedAt.putIfAbsent(d.contactId(), d.decidedAt());
                case ASSIGNED -> {
                    Instant since = queuedAt.remove(d.contactId());
                    if (since != null) {
                        Timer.builder(RouterMeters.WAIT.meterName).description(RouterMeters.WAIT.doc)
                                .publishPercentileHistogram().tag("channel", channel).register(registry)
                                .record(Duration.between(since, d.decidedAt()));
                    }
                }
                case TRANSFERRED -> transferCounts.merge(d.contactId(), 1, Integer::sum);
                case WRAPPED_UP -> transfers.record(transferCounts.getOrDefault(d.contactId(), 0));
                default -> {
                }
            }
            if (d.type() == org.contactrouter.routing.DecisionType.WRAPPED_UP
                    || d.type() == org.contactrouter.routing.DecisionType.ABANDONED) {
                queuedAt.remove(d.contactId());
                transferCounts.remove(d.contactId());
            }
        }
    }
}
