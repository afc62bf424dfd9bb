package org.contactrouter.server.runtime;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a loop (the routing loop, a sender) going: runs one attempt after another until the loop is closed, pausing
 * after an unexpected error (1 s, doubling up to a minute) so that a failure that repeats does not spin. Meanwhile
 * {@link #stopReason} says why the loop is not working, for /health/ready.
 */
public final class Restarts {

    private static final Logger LOG = LoggerFactory.getLogger(Restarts.class);
    private static final Duration FIRST_PAUSE = Duration.ofSeconds(1);
    private static final Duration MAX_PAUSE = Duration.ofMinutes(1);

    private final String name;
    private final CountDownLatch closed = new CountDownLatch(1);
    private final AtomicInteger count = new AtomicInteger();
    private volatile String stopReason;

    /** @param name what the loop is, for logs and reasons: "routing", "sender twilio" */
    public Restarts(String name) {
        this.name = name;
    }

    /**
     * Runs {@code attempt} until it returns normally (the loop was closed, or stopped for good) or {@link #close} is
     * called; after each exception, waits and runs it again.
     */
    public void run(Runnable attempt) {
        Duration pause = FIRST_PAUSE;
        while (closed.getCount() > 0) {
            try {
                attempt.run();
                return;
            } catch (RuntimeException e) {
                if (closed.getCount() == 0) {
                    return;
                }
                count.incrementAndGet();
                stopReason = "stopped by an unexpected error (" + e + "); starting again in " + pause.toSeconds() + " s";
                LOG.error("{} {}", name, stopReason, e);
                try {
                    if (closed.await(pause.toMillis(), TimeUnit.MILLISECONDS)) {
                        return;
                    }
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    return;
                }
                pause = pause.multipliedBy(2).compareTo(MAX_PAUSE) > 0 ? MAX_PAUSE : pause.multipliedBy(2);
            }
        }
    }

    /** The attempt now running works: the reason of the last stop is history. */
    public void working() {
        stopReason = null;
    }

    /** The loop stopped and must not start again; {@code reason} says why. */
    public void stoppedForGood(String reason) {
        stopReason = "stopped for good: " + reason;
        LOG.error("{} {}", name, stopReason);
    }

    /** Why the loop is not working now, or null while it works. */
    public String stopReason() {
        return stopReason;
    }

    /** How often the loop started again after an error. */
    public int count() {
        return count.get();
    }

    /** Ends the pause between attempts at once; the loop's own close stops the attempt running. */
    public void close() {
        closed.countDown();
    }
}
