package org.contactrouter.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.contactrouter.events.ContactEvent;
import org.contactrouter.routing.DecisionType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kafka's transactions_test in small: a router, embedded broker and all, is killed with SIGKILL while contacts stream
 * in and agents answer, then started again on the same data dir. Every contact a caller was told was accepted (202)
 * must come out routed exactly once: one contact, queued once, assigned once, wrapped up once; none lost, none twice.
 */
class CrashRestartTest {

    private static final int CONTACTS = 150;
    private static final int KILL_AFTER_ACCEPTED = 60;
    private static final int KILL_AFTER_WRAP_UPS = 10;
    private static final int FEED_WINDOW = 40;
    private static final int PARTITIONS = 6;

    /** Kept when the test fails: the routers' logs are in logs/. */
    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path tmp;

    private final List<AutoCloseable> open = new ArrayList<>();
    private volatile URI current;

    @AfterEach
    void stopEverything() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
    }

    @Test
    void everyContactAcceptedBeforeAKillIsRoutedExactlyOnce() throws Exception {
        Path config = RoutingTraffic.writeConfig(tmp.resolve("config"));
        Path data = tmp.resolve("data");
        List<String> options = List.of("--config", config.toString(), "--data-dir", data.toString(),
                "--http-port", "0", "--kafka-port", "0", "--instance-id", "crash",
                "--partitions", String.valueOf(PARTITIONS));
        RouterProcess first = started(RouterProcess.start("router-1", tmp.resolve("logs"), options));
        first.awaitReady();
        current = first.http();

        RoutingTraffic.AutoAgent agents = new RoutingTraffic.AutoAgent();
        open.add(0, agents);
        agents.connect(first.kafka());
        agents.available(List.of(ContactEvent.DEFAULT_DOMAIN));

        List<String> ids = IntStream.rangeClosed(1, CONTACTS).mapToObj(i -> "n-" + i).toList();
        RoutingTraffic.Feeder feeder = new RoutingTraffic.Feeder(ids, id -> null, id -> current,
                agents.wrapUps::get, FEED_WINDOW);
        open.add(0, feeder::stop);
        feeder.start();

        // Mid-stream: contacts closed, assigned, offered, waiting, and POSTs in flight.
        await("some contacts accepted and some wrapped up").atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(5))
                .until(() -> feeder.accepted.size() >= KILL_AFTER_ACCEPTED
                        && agents.wrapUps.get() >= KILL_AFTER_WRAP_UPS);
        int exit = first.kill();
        int acceptedBeforeKill = feeder.accepted.size();
        int wrapUpsBeforeKill = agents.wrapUps.get();
        assertThat(exit).as("exit status of the killed router (128 + SIGKILL)")
                .isEqualTo(RouterProcess.KILLED_BY_SIGKILL);

        RouterProcess second = started(RouterProcess.start("router-2", tmp.resolve("logs"), options));
        second.awaitReady();
        Duration restartToReady = second.age();
        current = second.http();
        agents.connect(second.kafka());
        await("router-2 routes every partition again").atMost(Duration.ofSeconds(60))
                .until(() -> second.partitions().size() == PARTITIONS);
        Duration restartToRouting = second.age();

        feeder.awaitAllAccepted(second.kafka());
        Map<String, RoutingTraffic.LedgerContact> routed =
                RoutingTraffic.assertEachRoutedExactlyOnce(second.http(), second.kafka(), ids);
        Duration restartToQuiet = second.age();

        List<RoutingTraffic.Committed> committed = RoutingTraffic.committedDecisions(second.kafka());
        assertThat(committed.stream().map(c -> c.decision().id()).toList())
                .as("decision ids in routing.decisions (one routing domain)").doesNotHaveDuplicates();
        long refusedDuplicates = committed.stream().filter(c -> c.decision().type() == DecisionType.REFUSED).count();
        System.out.printf("[crash] %d contacts; killed (exit %d) after %d accepted, %d wrapped up; restart to ready"
                        + " %d ms, to routing all partitions %d ms, to all closed in the ledger %d ms (kafka %s -> %s);"
                        + " %d posts, %d ids posted again: %s; decisions %s; refused %d; ledger contacts %d; logs %s%n",
                CONTACTS, exit, acceptedBeforeKill, wrapUpsBeforeKill, restartToReady.toMillis(),
                restartToRouting.toMillis(), restartToQuiet.toMillis(), first.kafka(),
                second.kafka(), feeder.posts.get(), feeder.retried.size(),
                feeder.retried.stream().sorted().collect(Collectors.joining(",")),
                RoutingTraffic.countByType(committed), refusedDuplicates, routed.size(), first.logFile().getParent());
    }

    private RouterProcess started(RouterProcess router) {
        open.add(0, router);
        return router;
    }
}
