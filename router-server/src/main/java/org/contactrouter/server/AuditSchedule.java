package org.contactrouter.server;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs the {@link Audit} every few minutes and exports what the last run found as {@code router.audit.problems}. */
final class AuditSchedule implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(AuditSchedule.class);
    private static final long PERIOD_MINUTES = 5;

    private final Audit audit;
    private final Clock clock;
    private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "audit");
        t.setDaemon(true);
        return t;
    });
    private volatile Audit.Report last;

    AuditSchedule(Audit audit, Clock clock, MeterRegistry metrics) {
        this.audit = audit;
        this.clock = clock;
        gauge(metrics, "double-owner", r -> r.doubleOwners().size());
        gauge(metrics, "undecided", r -> r.undecided().size());
        gauge(metrics, "missing-from-ledger", r -> r.missingFromLedger().size());
        executor.scheduleWithFixedDelay(this::runQuietly, PERIOD_MINUTES, PERIOD_MINUTES, TimeUnit.MINUTES);
    }

    private void gauge(MeterRegistry metrics, String kind, ToDoubleFunction<Audit.Report> count) {
        Gauge.builder(RouterMeters.AUDIT_PROBLEMS.meterName(), this,
                        s -> s.last == null ? 0 : count.applyAsDouble(s.last))
                .description(RouterMeters.AUDIT_PROBLEMS.doc()).tag("kind", kind).register(metrics);
    }

    synchronized Audit.Report runNow() {
        Audit.Report report = audit.run(clock.instant());
        last = report;
        if (!report.clean()) {
            LOG.error("audit found problems: double owners {}, undecided {}, missing from ledger {}",
                    report.doubleOwners(), report.undecided(), report.missingFromLedger());
        }
        return report;
    }

    private void runQuietly() {
        try {
            runNow();
        } catch (RuntimeException e) {
            LOG.warn("audit could not run", e);
        }
    }


    @Override
    public void close() {
        executor.shutdownNow();
    }
}
