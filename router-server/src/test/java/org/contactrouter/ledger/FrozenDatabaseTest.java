package org.contactrouter.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;
import org.contactrouter.routing.RoutingDecision;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A PostgreSQL server that stops answering (its processes frozen with SIGSTOP, as a hung host or a stalled disk
 * would): ledger calls fail with a clear error after the ledger's timeout instead of waiting for ever, the health
 * check says the ledger is unreachable without making anyone wait, and all recovers once the server answers again.
 * Runs on its own PostgreSQL server, in the default test run only (the build's PostgreSQL run excludes it).
 */
class FrozenDatabaseTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(2);

    @TempDir
    Path tmp;

    private EmbeddedPostgres pg;
    private Ledger ledger;

    @BeforeEach
    void start() throws IOException {
        pg = EmbeddedPostgres.builder().setDataDirectory(tmp.resolve("pg")).setCleanDataDirectory(true).start();
        ledger = Ledger.open(pg.getJdbcUrl("postgres", "postgres"), "postgres", null, TIMEOUT);
    }

    @AfterEach
    void stop() throws IOException {
        if (ledger != null) {
            ledger.close();
        }
        if (pg != null) {
            pg.close();
        }
    }

    @Test
    void callsToAFrozenDatabaseFailWithinTheTimeoutAndHealthSaysUnreachableUntilItAnswersAgain() throws Exception {
        List<RoutingDecision> morning = LedgerTest.aMorning().log;
        int half = morning.size() / 2;
        ledger.record(morning.subList(0, half));
        assertThat(ledger.health().ok()).isTrue();
        Instant frozenAt = Instant.now();

        List<Long> server = serverProcesses();
        try {
            signal("-STOP", server);
            LedgerException query = failureOf(() -> ledger.customerContacts(LedgerTest.ANN_PHONE));
            assertThat(query).hasMessageStartingWith("ledger query failed: the database at "
                    + pg.getJdbcUrl("postgres", "postgres") + " did not answer within 2 s");

            LedgerException write = failureOf(() -> ledger.record(morning.subList(half, morning.size())));
            assertThat(write).hasMessageStartingWith("cannot record " + (morning.size() - half)
                    + " decision(s): the database at ").hasMessageContaining("did not answer within 2 s");

            Ledger.Health down = await().atMost(Duration.ofSeconds(30)).until(ledger::health, h -> !h.ok());
            assertThat(down.status()).startsWith("unreachable: the database at ").contains("did not answer");
            assertThat(down.lastSuccessAt()).isBefore(frozenAt);
            assertThat(down.checkedAt()).isAfter(frozenAt);
        } finally {
            signal("-CONT", server);
        }

        await().atMost(Duration.ofSeconds(30)).until(() -> ledger.health().ok());
        assertThat(ledger.health().lastSuccessAt()).isAfter(frozenAt);
        assertThat(ledger.record(morning)).isEqualTo(morning.size() - half);
        assertThat(ledger.customerContacts(LedgerTest.ANN_PHONE)).hasSize(3);
    }

    /** Runs {@code call} on another thread and returns how it failed; it must fail, and not wait for ever. */
    private static LedgerException failureOf(Supplier<?> call) {
        CompletableFuture<?> running = CompletableFuture.supplyAsync(call);
        await().atMost(Duration.ofSeconds(30)).until(running::isDone);
        assertThat(running).isCompletedExceptionally();
        try {
            running.join();
            throw new AssertionError("expected a failure");
        } catch (CompletionException e) {
            assertThat(e.getCause()).isInstanceOf(LedgerException.class);
            return (LedgerException) e.getCause();
        }
    }

    /** The server's postmaster and every process it forked (the backends of the ledger's connections among them). */
    private List<Long> serverProcesses() throws IOException {
        long postmaster = Long.parseLong(Files.readAllLines(tmp.resolve("pg").resolve("postmaster.pid")).get(0).strip());
        List<Long> pids = new ArrayList<>();
        pids.add(postmaster);
        ProcessHandle.of(postmaster).orElseThrow().descendants().forEach(p -> pids.add(p.pid()));
        return pids;
    }

    private static void signal(String signal, List<Long> pids) throws Exception {
        List<String> command = new ArrayList<>(List.of("kill", signal));
        pids.forEach(pid -> command.add(String.valueOf(pid)));
        Process kill = new ProcessBuilder(command).inheritIO().start();
        assertThat(kill.waitFor()).as("%s", command).isZero();
    }
}
