package org.contactrouter.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.IntSupplier;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TransactionListing;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.core.ConditionTimeoutException;
import org.contactrouter.events.ContactEvent;
import org.contactrouter.events.ContactEventJson;
import org.contactrouter.events.ContactWrappedUp;
import org.contactrouter.events.EventData;
import org.contactrouter.events.OfferAccepted;
import org.contactrouter.events.Presence;
import org.contactrouter.events.PresenceChanged;
import org.contactrouter.routing.DecisionType;
import org.contactrouter.routing.RoutingDecision;
import org.contactrouter.server.kafka.KafkaClients;
import org.contactrouter.server.kafka.KafkaTopics;
import org.contactrouter.server.wire.DecisionJson;

/**
 * What goes into and comes out of running routers in the crash and scale-out tests: the config they run, contacts
 * posted by a caller who retries, agents who accept every offer and wrap up every contact at once, and the checks that
 * every accepted contact was routed exactly once.
 */
final class RoutingTraffic {

    static final List<String> AGENTS = List.of("ann", "bob", "cem");

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private RoutingTraffic() {
    }

    /** One queue for email and chat, three agents who each take 20 of both at once; offers wait long, never idle. */
    static Path writeConfig(Path dir) throws IOException {
        Files.createDirectories(dir);
        StringBuilder agents = new StringBuilder("skills: [support]\nagents:\n");
        for (String id : AGENTS) {
            agents.append("  - id: ").append(id).append('\n')
                    .append("    name: Agent ").append(id).append('\n')
                    .append("    skills: { support: 3 }\n")
                    .append("    capacity: { chat: 20, email: 20 }\n");
        }
        Files.writeString(dir.resolve("agents.yaml"), agents.toString());
        TestServers.writeIntegrations(dir);
        Files.writeString(dir.resolve("routing.yaml"), """
                settings:
                  offerTimeout: 2m
                  awayOnMissedOffer: false
                queues:
                  - id: support
                    channels: [email, chat]
                    skills: { support: 1 }
                    responseTarget: { email: 8h, chat: 1h }
                rules:
                  - id: everything
                    queue: support
                """);
        return dir;
    }

    static String email(String id) {
        return id + "@example.com";
    }

    // ------------------------------------------------------------------ the caller

    /**
     * Posts contacts as callers who retry: {@link #CALLERS} threads take the ids in order, so several POSTs are in
     * flight when a router dies. A POST that is not answered 202 (connection refused, reset, 503) is tried again with
     * the same id once a router is ready behind the caller's current target. Which router a contact goes to is the
     * {@code target} function's choice (null while there is none). Callers keep pace with the agents: a new contact is
     * posted only while fewer than {@code window} accepted contacts are not yet handled, so the stream is still
     * flowing whenever the test kills a router.
     */
    static final class Feeder {

        static final int CALLERS = 4;

        private final List<String> ids;
        private final Queue<String> next;
        private final Function<String, String> domainOf;
        private final Function<String, URI> target;
        private final IntSupplier handled;
        private final int window;
        /** Ids answered 202. */
        final Set<String> accepted = ConcurrentHashMap.newKeySet();
        /** Ids that were not answered 202 at least once (and were posted again). */
        final Set<String> retried = ConcurrentHashMap.newKeySet();
        final AtomicInteger posts = new AtomicInteger();
        private volatile boolean running = true;
        private volatile Throwable failure;
        private final List<Thread> callers = new ArrayList<>();

        /**
         * @param domainOf the routing domain of each id, or null for the default
         * @param target   the router to post an id to, or null while there is none
         * @param handled  how many contacts the agents have finished so far
         * @param window   how many accepted contacts may wait for the agents
         */
        Feeder(List<String> ids, Function<String, String> domainOf, Function<String, URI> target, IntSupplier handled,
               int window) {
            this.ids = List.copyOf(ids);
            this.next = new ConcurrentLinkedQueue<>(ids);
            this.domainOf = domainOf;
            this.target = target;
            this.handled = handled;
            this.window = window;
            for (int i = 1; i <= CALLERS; i++) {
                Thread t = new Thread(this::call, "caller-" + i);
                t.setDaemon(true);
                callers.add(t);
            }
        }

        Feeder start() {
            callers.forEach(Thread::start);
            return this;
        }

        private void call() {
            try {
                for (String id = next.poll(); id != null && running; id = next.poll()) {
                    await("room in the window of " + window + " contacts").atMost(Duration.ofSeconds(90))
                            .pollInterval(Duration.ofMillis(10))
                            .until(() -> !running || accepted.size() < handled.getAsInt() + window);
                    String posting = id;
                    while (running && !post(posting)) {
                        retried.add(posting);
                        await("a ready router to post " + posting + " to").atMost(Duration.ofSeconds(90))
                                .pollInterval(Duration.ofMillis(100))
                                .until(() -> !running || isReady(target.apply(posting)));
                    }
                }
            } catch (Throwable t) {
                failure = t;
            }
        }

        private boolean post(String id) {
            URI to = target.apply(id);
            if (to == null) {
                return false;
            }
            String domain = domainOf.apply(id);
            String body = "{\"id\": \"" + id + "\", \"channel\": \"email\", \"customer\": {\"name\": \"Customer " + id
                    + "\", \"email\": \"" + email(id) + "\"}, \"subject\": \"Question " + id + "\", \"text\": \"Hello\""
                    + (domain == null ? "" : ", \"domain\": \"" + domain + "\"") + "}";
            posts.incrementAndGet();
            try {
                HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(to.resolve("/api/contacts"))
                        .timeout(Duration.ofSeconds(20)).header("Content-Type", "application/json")
                        .header("Authorization", "Bearer " + TestServers.API_KEY)
                        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 202) {
                    accepted.add(id);
                    return true;
                }
                if (r.statusCode() != 503 && r.statusCode() != 429) { // both: try again shortly
                    throw new AssertionError("POST " + id + " to " + to + ": " + r.statusCode() + " " + r.body());
                }
                return false;
            } catch (IOException e) {
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                running = false;
                return false;
            }
        }

        /** Waits until every id has been answered 202; fails with what the cluster's transactions look like. */
        void awaitAllAccepted(String bootstrapServers) {
            await("all " + ids.size() + " contacts accepted").atMost(Duration.ofSeconds(90))
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> {
                        if (failure != null) {
                            throw new AssertionError("the feeder failed after " + accepted.size() + " of "
                                    + ids.size() + " contacts were accepted\n" + openTransactions(bootstrapServers),
                                    failure);
                        }
                        return accepted.size() == ids.size();
                    });
        }

        void stop() throws InterruptedException {
            running = false;
            for (Thread t : callers) {
                t.join(TimeUnit.SECONDS.toMillis(30));
            }
        }
    }

    static boolean isReady(URI router) {
        if (router == null) {
            return false;
        }
        try {
            return HTTP.send(HttpRequest.newBuilder(router.resolve("/health/ready")).timeout(Duration.ofSeconds(5))
                    .build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    // ------------------------------------------------------------------ the agents

    /**
     * The agents' desktops, all in one: reads every committed decision from {@code routing.decisions} and answers on
     * {@code agent.actions}, in the decision's routing domain, as the agent gateway would: an OFFERED is accepted, an
     * ASSIGNED contact is wrapped up. An answer counts as given once Kafka acknowledged it; after {@link #connect} to
     * another broker (the old one died) the decisions are read again from the start and every answer not
     * acknowledged is given again, with the same event id, so a duplicate is recognised as one by the router.
     */
    static final class AutoAgent implements AutoCloseable {

        private final Set<String> acknowledged = ConcurrentHashMap.newKeySet();
        final AtomicInteger accepts = new AtomicInteger();
        final AtomicInteger wrapUps = new AtomicInteger();
        private Session session;

        /** (Re)connects to a broker: stops reading from the previous one first. */
        synchronized void connect(String bootstrapServers) throws InterruptedException {
            if (session != null) {
                session.close();
            }
            session = new Session(bootstrapServers);
            session.thread.start();
        }

        /** Sets every agent available in each domain, and waits until Kafka has it. */
        synchronized void available(Collection<String> domains) throws Exception {
            for (String domain : domains) {
                for (String agent : AGENTS) {
                    session.send("presence-" + domain + "-" + agent, domain, null,
                            new PresenceChanged(agent, Presence.AVAILABLE)).get(30, TimeUnit.SECONDS);
                }
            }
        }

        @Override
        public synchronized void close() throws InterruptedException {
            if (session != null) {
                session.close();
                session = null;
            }
        }

        private final class Session implements Runnable {
            private final KafkaConsumer<String, byte[]> consumer;
            private final KafkaProducer<String, byte[]> producer;
            private final Thread thread = new Thread(this, "auto-agent");
            private volatile boolean running = true;

            Session(String bootstrapServers) {
                KafkaClients kafka = KafkaClients.plaintext(bootstrapServers);
                consumer = kafka.consumer(Map.of(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false), new StringDeserializer(),
                        new ByteArrayDeserializer());
                producer = kafka.producer(Map.of(
                        ProducerConfig.ACKS_CONFIG, "all",
                        ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                        ProducerConfig.LINGER_MS_CONFIG, 1,
                        ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 4_000,
                        ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 8_000), new StringSerializer(),
                        new ByteArraySerializer());
                thread.setDaemon(true);
            }

            @Override
            public void run() {
                try {
                    List<TopicPartition> partitions = await("routing.decisions exists").atMost(Duration.ofSeconds(60))
                            .until(() -> consumer.partitionsFor(KafkaTopics.ROUTING_DECISIONS).stream()
                                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList(),
                                    l -> !l.isEmpty());
                    consumer.assign(partitions);
                    consumer.seekToBeginning(partitions);
                    while (running) {
                        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                            answer(r.key(), DecisionJson.read(r.value()));
                        }
                    }
                } catch (WakeupException e) {
                    if (running) {
                        throw e;
                    }
                } finally {
                    consumer.close(Duration.ZERO);
                }
            }

            private void answer(String domain, RoutingDecision d) {
                if (d.type() == DecisionType.OFFERED) {
                    String id = "accept-" + d.offerId();
                    if (!acknowledged.contains(id)) {
                        send(id, domain, null, new OfferAccepted(d.agentId(), d.offerId()))
                                .whenComplete((ok, e) -> acknowledge(id, e, accepts));
                    }
                } else if (d.type() == DecisionType.ASSIGNED) {
                    String id = "wrap-" + d.contactId() + "-" + d.agentId();
                    if (!acknowledged.contains(id)) {
                        send(id, domain, d.contactId(), new ContactWrappedUp(d.agentId(), d.contactId(), "resolved",
                                null, null)).whenComplete((ok, e) -> acknowledge(id, e, wrapUps));
                    }
                }
            }

            private void acknowledge(String id, Throwable e, AtomicInteger count) {
                if (e == null && acknowledged.add(id)) {
                    count.incrementAndGet();
                }
            }

            CompletableFuture<Void> send(String id, String domain, String subject, EventData data) {
                ContactEvent e = new ContactEvent(id, "/test/auto-agent", Instant.now(), subject, domain, data);
                CompletableFuture<Void> done = new CompletableFuture<>();
                producer.send(new ProducerRecord<>(KafkaTopics.AGENT_ACTIONS, domain, ContactEventJson.writeBytes(e)),
                        (metadata, error) -> {
                            if (error == null) {
                                done.complete(null);
                            } else {
                                done.completeExceptionally(error);
                            }
                        });
                return done;
            }

            void close() throws InterruptedException {
                running = false;
                consumer.wakeup();
                thread.join(TimeUnit.SECONDS.toMillis(30));
                producer.close(Duration.ZERO);
            }
        }
    }

    // ------------------------------------------------------------------ what came out

    /** A decision as committed to {@code routing.decisions}, with its routing domain (the record key). */
    record Committed(String domain, int partition, RoutingDecision decision) {
    }

    /** Every committed decision on {@code routing.decisions}, partition by partition in offset order. */
    static List<Committed> committedDecisions(String bootstrapServers) {
        List<Committed> out = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = KafkaClients.plaintext(bootstrapServers).consumer(Map.of(
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed", ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false),
                new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(KafkaTopics.ROUTING_DECISIONS).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("routing.decisions not read to its end " + end + " within 60 s");
                }
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    out.add(new Committed(r.key(), r.partition(), DecisionJson.read(r.value())));
                }
            }
        }
        return out;
    }

    // ------------------------------------------------------------------ the checks

    /** A contact as one router's ledger shows it over HTTP. */
    record LedgerContact(String id, String contactId, String status, List<RoutingDecision> decisions) {
        long count(DecisionType type) {
            return decisions.stream().filter(d -> d.type() == type).count();
        }
    }

    /** The contacts of the customer who posted {@code id} (one email address per id), with their decisions. */
    static List<LedgerContact> ledgerContacts(URI router, String id) throws Exception {
        JsonNode list = get(router, "/api/customers/" + email(id) + "/contacts");
        List<LedgerContact> out = new ArrayList<>();
        if (list == null) {
            return out;
        }
        for (JsonNode summary : list) {
            String contactId = summary.path("contactId").asText();
            JsonNode contact = get(router, "/api/contacts/" + contactId);
            List<RoutingDecision> decisions = new ArrayList<>();
            if (contact != null) {
                for (JsonNode d : contact.path("decisions")) {
                    decisions.add(DecisionJson.read(d.toString()));
                }
            }
            out.add(new LedgerContact(id, contactId, summary.path("status").asText(), decisions));
        }
        return out;
    }

    /**
     * Waits until the ledger shows every id as one contact, closed; fails naming those that are not, and the
     * transactions open on the cluster (a transaction left open forever stops every read_committed reader).
     */
    static Map<String, LedgerContact> awaitAllClosed(URI router, String bootstrapServers, Collection<String> ids)
            throws Exception {
        Map<String, LedgerContact> closed = new ConcurrentHashMap<>();
        try {
            await("every contact closed in the ledger of " + router).atMost(Duration.ofSeconds(90))
                    .pollInterval(Duration.ofMillis(500))
                    .until(() -> {
                        for (String id : ids) {
                            if (closed.containsKey(id)) {
                                continue;
                            }
                            List<LedgerContact> found = ledgerContacts(router, id);
                            if (found.size() == 1 && found.get(0).status().equalsIgnoreCase("closed")) {
                                closed.put(id, found.get(0));
                            }
                        }
                        return closed.size() == ids.size();
                    });
        } catch (ConditionTimeoutException e) {
            List<String> open = new ArrayList<>();
            for (String id : ids) {
                if (!closed.containsKey(id)) {
                    List<LedgerContact> found = ledgerContacts(router, id);
                    open.add(id + " " + (found.isEmpty() ? "(not in the ledger)" : found.stream()
                            .map(c -> c.contactId() + " " + c.status() + " " + c.decisions().stream()
                                    .map(d -> d.type() + "#" + d.sequence()).toList())
                            .collect(Collectors.joining("; ", "(", ")"))));
                }
            }
            throw new AssertionError(open.size() + " of " + ids.size() + " contacts not closed in the ledger of "
                    + router + " within 90 s, e.g. " + open.subList(0, Math.min(open.size(), 12))
                    + "\n" + openTransactions(bootstrapServers), e);
        }
        return closed;
    }

    /**
     * The exactly-once check, against one router's ledger (over HTTP) and the decisions committed to Kafka: every id
     * is exactly one contact, queued once, assigned once, wrapped up once, closed; the ledger has each of its
     * decisions once and exactly those Kafka has; Kafka has no contact but these.
     *
     * @return the ledger's contacts by id
     */
    static Map<String, LedgerContact> assertEachRoutedExactlyOnce(URI router, String bootstrapServers,
                                                                  Collection<String> ids) throws Exception {
        awaitAllClosed(router, bootstrapServers, ids);
        Map<String, LedgerContact> byId = new LinkedHashMap<>();
        Map<String, List<RoutingDecision>> committedByContact = new HashMap<>();
        // The ledger follows Kafka: wait until it has recorded every committed decision about these contacts.
        try {
            await("the ledger of " + router + " has every committed decision").atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofSeconds(1))
                    .until(() -> {
                        byId.clear();
                        committedByContact.clear();
                        for (Committed c : committedDecisions(bootstrapServers)) {
                            if (c.decision().contactId() != null) {
                                committedByContact.computeIfAbsent(c.decision().contactId(), k -> new ArrayList<>())
                                        .add(c.decision());
                            }
                        }
                        for (String id : ids) {
                            List<LedgerContact> found = ledgerContacts(router, id);
                            assertThat(found).as("contacts of %s in the ledger", id).hasSize(1);
                            byId.put(id, found.get(0));
                        }
                        return byId.values().stream().allMatch(l -> decisionIds(l.decisions()).equals(
                                decisionIds(committedByContact.getOrDefault(l.contactId(), List.of()))));
                    });
        } catch (ConditionTimeoutException e) {
            List<String> differences = new ArrayList<>();
            for (LedgerContact l : byId.values()) {
                Set<String> recorded = decisionIds(l.decisions());
                List<String> missing = committedByContact.getOrDefault(l.contactId(), List.of()).stream()
                        .filter(d -> !recorded.contains(d.id())).map(d -> d.type() + " " + d.id()).toList();
                if (!missing.isEmpty()) {
                    differences.add(l.id() + " lacks " + missing);
                }
            }
            throw new AssertionError("the ledger of " + router + " lacks committed decisions of "
                    + differences.size() + " contacts within 60 s, e.g. "
                    + differences.subList(0, Math.min(differences.size(), 8)), e);
        }

        for (LedgerContact c : byId.values()) {
            assertThat(c.status()).as("status of %s (%s)", c.id(), c.contactId()).isEqualToIgnoringCase("closed");
            assertThat(c.count(DecisionType.QUEUED)).as("QUEUED decisions of %s: %s", c.id(), c.decisions())
                    .isEqualTo(1);
            assertThat(c.count(DecisionType.ASSIGNED)).as("ASSIGNED decisions of %s: %s", c.id(), c.decisions())
                    .isEqualTo(1);
            assertThat(c.count(DecisionType.WRAPPED_UP)).as("WRAPPED_UP decisions of %s", c.id()).isEqualTo(1);
            List<String> decisionIds = c.decisions().stream().map(RoutingDecision::id).toList();
            assertThat(decisionIds).as("decision ids of %s in the ledger", c.id()).doesNotHaveDuplicates();
            List<RoutingDecision> committed = committedByContact.get(c.contactId());
            assertThat(committed.stream().map(RoutingDecision::id).toList())
                    .as("decision ids of %s in routing.decisions", c.id()).doesNotHaveDuplicates();
            assertThat(committed.stream().filter(d -> d.type() == DecisionType.ASSIGNED).count())
                    .as("ASSIGNED decisions of %s in routing.decisions", c.id()).isEqualTo(1);
            assertThat(committed.stream().filter(d -> d.type() == DecisionType.QUEUED).count())
                    .as("QUEUED decisions of %s in routing.decisions", c.id()).isEqualTo(1);
        }
        Set<String> contactIds = byId.values().stream().map(LedgerContact::contactId).collect(Collectors.toSet());
        assertThat(contactIds).as("one contact per id").hasSize(ids.size());
        assertThat(committedByContact.keySet()).as("contacts in routing.decisions").isEqualTo(contactIds);
        return byId;
    }

    /**
     * What the transaction coordinators know and which partitions hold a transaction not yet ended by a marker: a
     * partition whose open transaction the coordinator reports complete is a hanging transaction.
     */
    static String openTransactions(String bootstrapServers) {
        try (Admin admin = KafkaClients.plaintext(bootstrapServers).admin(Map.of(
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000))) {
            List<String> ids = admin.listTransactions().all().get().stream()
                    .map(TransactionListing::transactionalId).toList();
            StringBuilder out = new StringBuilder("transaction coordinator:");
            admin.describeTransactions(ids).all().get().forEach((id, t) -> out.append(' ').append(id)
                    .append(" producer ").append(t.producerId()).append(" epoch ").append(t.producerEpoch())
                    .append(' ').append(t.state()).append(" partitions ").append(t.topicPartitions()).append(';'));
            List<String> topics = new ArrayList<>(KafkaTopics.ALL);
            topics.add("__consumer_offsets");
            List<TopicPartition> partitions = new ArrayList<>();
            admin.describeTopics(topics).allTopicNames().get().forEach((topic, d) -> d.partitions()
                    .forEach(p -> partitions.add(new TopicPartition(topic, p.partition()))));
            out.append("\nopen on partitions:");
            admin.describeProducers(partitions).all().get().forEach((tp, producers) -> producers.activeProducers()
                    .forEach(p -> p.currentTransactionStartOffset().ifPresent(offset -> out.append(' ').append(tp)
                            .append(" producer ").append(p.producerId()).append(" epoch ").append(p.producerEpoch())
                            .append(" from offset ").append(offset).append(';'))));
            return out.toString();
        } catch (Exception e) {
            return "open transactions unknown: " + e;
        }
    }

    private static Set<String> decisionIds(List<RoutingDecision> decisions) {
        return decisions.stream().map(RoutingDecision::id).collect(Collectors.toSet());
    }

    /** Decision types of the decisions, counted, for the report. */
    static Map<DecisionType, Long> countByType(Collection<Committed> decisions) {
        return decisions.stream().collect(Collectors.groupingBy(c -> c.decision().type(),
                () -> new EnumMap<>(DecisionType.class), Collectors.counting()));
    }

    /** The JSON of a GET, or null unless 200; asked again while the router says too many requests (429), as a client must. */
    private static JsonNode get(URI router, String path) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(router.resolve(path)).timeout(Duration.ofSeconds(10))
                .header("Authorization", "Bearer " + TestServers.API_KEY).build();
        HttpResponse<String> r = await("GET " + path + " within the request limit").atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(500)).pollDelay(Duration.ZERO)
                .until(() -> HTTP.send(request, HttpResponse.BodyHandlers.ofString()), a -> a.statusCode() != 429);
        return r.statusCode() == 200 ? JSON.readTree(r.body()) : null;
    }
}
