package org.contactrouter.server.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** A loop kept going: an attempt that fails is run again after a pause, and closing ends the pause at once. */
class RestartsTest {

    @Test
    void anAttemptThatFailsRunsAgainAndTheReasonLastsUntilItWorks() {
        Restarts restarts = new Restarts("sender test");
        AtomicInteger attempts = new AtomicInteger();
        restarts.run(() -> {
            if (attempts.incrementAndGet() == 1) {
                throw new IllegalStateException("broken once");
            }
            assertThat(restarts.stopReason()).contains("broken once").contains("starting again in 1 s");
            restarts.working();
        });
        assertThat(attempts).hasValue(2);
        assertThat(restarts.count()).isEqualTo(1);
        assertThat(restarts.stopReason()).isNull();
    }

    @Test
    void closingEndsThePauseAndNoFurtherAttemptRuns() throws Exception {
        Restarts restarts = new Restarts("sender test");
        AtomicInteger attempts = new AtomicInteger();
        Thread loop = new Thread(() -> restarts.run(() -> {
            attempts.incrementAndGet();
            throw new IllegalStateException("always broken");
        }));
        loop.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> restarts.count() == 1);
        restarts.close();
        loop.join(Duration.ofSeconds(5).toMillis());
        assertThat(loop.isAlive()).as("the pause ended at once").isFalse();
        assertThat(attempts).hasValue(1);
    }

    @Test
    void aLoopStoppedForGoodSaysSo() {
        Restarts restarts = new Restarts("routing");
        restarts.run(() -> restarts.stoppedForGood("fenced"));
        assertThat(restarts.stopReason()).isEqualTo("stopped for good: fenced");
        assertThat(restarts.count()).isZero();
    }
}
