package org.contactrouter.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.contactrouter.server.kafka.EmbeddedKafka;
import org.contactrouter.server.kafka.KafkaTopics;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two router instances on one Kafka cluster split the partitions, and so the routing domains, between them. One is
 * killed with SIGKILL while contacts stream in through both; the other takes over its partitions, restores their
 * state from the journal, and every contact a caller was told was accepted is routed exactly once.
 */
class ScaleOutTest {

    private static final int PARTITIONS = 6;
    private static final int DOMAINS_PER_PARTITION = 2;
    private static final int CONTACTS = 144;
    private static final int KILL_AFTER_ACCEPTED = 60;
    private static final int KILL_AFTER_WRAP_UPS = 10;
    private static final int FEED_WINDOW = 40;
    private static final Set<Integer> ALL_PARTITIONS =
            IntStream.range(0, PARTITIONS).boxed().collect(Collectors.toCollection(TreeSet::new));

    /** Kept when the test fails: the routers' logs are in logs/. */
    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path tmp;

    private final List<AutoCloseable> open = new ArrayList<>();
    /** The routers a caller posts to, in turn. */
    private final List<RouterProcess> live = new CopyOnWriteArrayList<>();

    @AfterEach
    void stopEverything() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
    }

    /** The domains whose agents are available on the instance's /api/ops/floor. */
    private static Set<String> floorDomains(RouterProcess router) throws Exception {
        java.net.http.HttpResponse<String> r = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(router.http().resolve("/api/ops/floor"))
                        .header("Authorization", "Bearer " + TestServers.API_KEY).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        Set<String> out = new java.util.TreeSet<>();
        for (com.fasterxml.jackson.databind.JsonNode agent : ServerClient.JSON.readTree(r.body()).path("agents")) {
            if (agent.path("presence").asText().equals("available")) {
                out.add(agent.path("domain").asText());
            }
        }
        return out;
    }

    @Test
    void twoInstancesShareThePartitionsAndOneTakesOverWhenTheOtherDies() throws Exception {
        EmbeddedKafka kafka = EmbeddedKafka.start(tmp.resolve("kafka"), 0);
        open.add(0, kafka);
        Path config = RoutingTraffic.writeConfig(tmp.resolve("config"));
        List<String> domains = domainsOnEveryPartition();

        RouterProcess a = started(RouterProcess.start("router-a", tmp.resolve("logs"), options(kafka, config, "a")));
        RouterProcess b = started(RouterProcess.start("router-b", tmp.resolve("logs"), options(kafka, config, "b")));
        a.awaitReady();
        b.awaitReady();
        await("the partitions split between both routers").atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> splitBetween(a.partitions(), b.partitions()));
        Set<Integer> ofA = a.partitions();
        Set<Integer> ofB = b.partitions();
        live.addAll(List.of(a, b));

        RoutingTraffic.AutoAgent agents = new RoutingTraffic.AutoAgent();
        open.add(0, agents);
        agents.connect(kafka.bootstrapServers());
        agents.available(domains);
        // Each instance shares its partitions' floor: the supervisor view of either shows every domain's agents.
        for (RouterProcess router : List.of(a, b)) {
            await("the floor of every domain at " + router).atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> floorDomains(router).containsAll(domains));
        }

        List<String> ids = IntStream.rangeClosed(1, CONTACTS).mapToObj(i -> "s-" + i).toList();
        Map<String, String> domainOf = new HashMap<>();
        for (int i = 0; i < ids.size(); i++) {
            domainOf.put(ids.get(i), domains.get(i % domains.size()));
        }
        RoutingTraffic.Feeder feeder = new RoutingTraffic.Feeder(ids, domainOf::get, this::routerFor,
                agents.wrapUps::get, FEED_WINDOW);
        open.add(0, feeder::stop);
        feeder.start();

        // Mid-stream: contacts closed, assigned, offered, waiting, and POSTs in flight.
        await("some contacts accepted and some wrapped up").atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(5))
                .until(() -> feeder.accepted.size() >= KILL_AFTER_ACCEPTED
                        && agents.wrapUps.get() >= KILL_AFTER_WRAP_UPS);
        live.remove(a);
        long killedAt = System.nanoTime();
        int exit = a.kill();
        int acceptedBeforeKill = feeder.accepted.size();
        int wrapUpsBeforeKill = agents.wrapUps.get();
        assertThat(exit).as("exit status of the killed router (128 + SIGKILL)")
                .isEqualTo(RouterProcess.KILLED_BY_SIGKILL);

        await("router-b takes over every partition").atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> b.partitions().equals(ALL_PARTITIONS));
        Duration takeover = Duration.ofNanos(System.nanoTime() - killedAt);

        feeder.awaitAllAccepted(kafka.bootstrapServers());
        Map<String, RoutingTraffic.LedgerContact> routed =
                RoutingTraffic.assertEachRoutedExactlyOnce(b.http(), kafka.bootstrapServers(), ids);
        Duration killToQuiet = Duration.ofNanos(System.nanoTime() - killedAt);

        List<RoutingTraffic.Committed> committed = RoutingTraffic.committedDecisions(kafka.bootstrapServers());
        for (RoutingTraffic.Committed c : committed) {
            assertThat(c.partition()).as("partition of a decision of domain %s", c.domain())
                    .isEqualTo(KafkaTopics.partitionFor(c.domain(), PARTITIONS));
        }
        // The ledger keys decisions by id: ids must not repeat across routing domains either.
        assertThat(committed.stream().map(c -> c.decision().id()).toList())
                .as("decision ids in routing.decisions, all domains").doesNotHaveDuplicates();
        Map<String, Long> routedPerDomain = routed.keySet().stream()
                .collect(Collectors.groupingBy(domainOf::get, TreeMap::new, Collectors.counting()));
        System.out.printf("[scale-out] %d contacts in %d domains %s; partitions a=%s b=%s; killed a (exit %d) after"
                        + " %d accepted, %d wrapped up; b owned all partitions %d ms after the kill, all closed in its"
                        + " ledger %d ms after; %d posts, %d ids posted again: %s; decisions %s; logs %s%n",
                CONTACTS, domains.size(), routedPerDomain, ofA, ofB, exit, acceptedBeforeKill, wrapUpsBeforeKill,
                takeover.toMillis(), killToQuiet.toMillis(), feeder.posts.get(), feeder.retried.size(),
                new TreeSet<>(feeder.retried), RoutingTraffic.countByType(committed), a.logFile().getParent());
    }

    /** Routing domains named team-1, team-2, ..., chosen so each partition has the same number of them. */
    private static List<String> domainsOnEveryPartition() {
        Map<Integer, List<String>> byPartition = new TreeMap<>();
        for (int i = 1; byPartition.values().stream().mapToInt(List::size).sum() < PARTITIONS * DOMAINS_PER_PARTITION;
             i++) {
            String domain = "team-" + i;
            List<String> on = byPartition.computeIfAbsent(KafkaTopics.partitionFor(domain, PARTITIONS),
                    p -> new ArrayList<>());
            if (on.size() < DOMAINS_PER_PARTITION) {
                on.add(domain);
            }
        }
        return byPartition.values().stream().flatMap(List::stream).toList();
    }

    private static boolean splitBetween(Set<Integer> a, Set<Integer> b) {
        Set<Integer> union = new TreeSet<>(a);
        union.addAll(b);
        return !a.isEmpty() && !b.isEmpty() && a.stream().noneMatch(b::contains) && union.equals(ALL_PARTITIONS);
    }

    private URI routerFor(String id) {
        List<RouterProcess> routers = List.copyOf(live);
        if (routers.isEmpty()) {
            return null;
        }
        return routers.get(Math.floorMod(id.hashCode(), routers.size())).http();
    }

    private static List<String> options(EmbeddedKafka kafka, Path config, String instance) {
        return List.of("--config", config.toString(),
                "--data-dir", config.resolveSibling("data-" + instance).toString(), "--http-port", "0",
                "--kafka-bootstrap-servers", kafka.bootstrapServers(), "--instance-id", instance,
                "--partitions", String.valueOf(PARTITIONS), "--domains", String.join(",", domainsOnEveryPartition()));
    }

    private RouterProcess started(RouterProcess router) {
        open.add(0, router);
        return router;
    }
}
