package org.contactrouter.server.runtime;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.apache.kafka.clients.admin.AbortTransactionSpec;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeProducersResult;
import org.apache.kafka.clients.admin.ProducerState;
import org.apache.kafka.clients.admin.TransactionDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.RangeAssignor;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.contactrouter.config.ConfigLoader;
import org.contactrouter.config.ConfigSnapshot;
import org.contactrouter.events.ContactEventJson;
import org.contactrouter.events.InvalidEventException;
import org.contactrouter.events.OutboundMessage;
import org.contactrouter.events.OutboundMessageJson;
import org.contactrouter.routing.RoutingConfig;
import org.contactrouter.routing.RoutingDecision;
import org.contactrouter.routing.RoutingEngine;
import org.contactrouter.routing.SnapshotException;
import org.contactrouter.server.RouterMeters;
import org.contactrouter.server.kafka.KafkaClients;
import org.contactrouter.server.kafka.KafkaTopics;
import org.contactrouter.server.wire.DecisionJson;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Hosts the routing engines on Kafka, exactly once: a transactional consume-process-produce loop.
 *
 * <p>It consumes {@code contacts.in}, {@code agent.actions} and {@code routing.config}, all partitioned by routing
 * domain, so one partition's events reach one engine in order on this one thread. For each input it writes a
 * {@link JournalEntry} to {@code routing.journal} and the engine's decisions to {@code routing.decisions}, and commits
 * both with the consumed offsets in one Kafka transaction: either all of it happened, or none of it did.
 *
 * <p>State is the journal. When this instance is given a partition (at start, or when another instance dies), it
 * replays that partition's committed journal into fresh engines, which rebuilds their state exactly: the engine is
 * deterministic and the journal holds the time each entry was applied at. Timers fire when the clock passes the
 * engine's next timer; each firing is a journaled tick, so a replay fires them at the same points.
 */
public final class RoutingLoop implements Runnable, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RoutingLoop.class);
    private static final Duration MAX_POLL = Duration.ofMillis(200);
    /** The domain of a journal entry that concerns the whole partition: the latest config published to it. */
    public static final String PARTITION = "*";
    private static final List<String> INPUTS = List.of(KafkaTopics.CONTACTS_IN, KafkaTopics.AGENT_ACTIONS,
            KafkaTopics.ROUTING_CONFIG);

    private final KafkaClients kafka;
    private final String instanceId;
    private final Clock clock;
    private final ConfigSnapshot localConfig;
    private final Consumer<List<RoutingDecision>> onCommitted;
    private final MeterRegistry metrics;
    private final Timer decisionDuration;
    private final MultiGauge queueWaiting;
    private final MultiGauge queueOldestWait;
    private Instant queuesMeasuredAt = Instant.EPOCH;
    private final Map<Integer, Floor> floorsHandedOn = new HashMap<>();
    private final BiConsumer<Integer, Floor> onFloor;
    private final Map<Integer, PartitionState> partitions = new ConcurrentHashMap<>();
    /** Partitions taken away by a rebalance, kept in case they come back: then only the journal after them is read. */
    private final Map<Integer, PartitionState> parked = new HashMap<>();
    private final SnapshotPolicy snapshots;
    private final Map<Integer, Restored> restores = new ConcurrentHashMap<>();
    /** Parsed configs by version: a large config is parsed once, not once per domain and restore. */
    private final Map<String, RoutingConfig> parsedConfigs = new LinkedHashMap<>(8, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, RoutingConfig> eldest) {
            return size() > 4;
        }
    };
    private volatile boolean running = true;
    private final Restarts restarts = new Restarts("routing");
    private volatile boolean ready;
    private volatile KafkaConsumer<String, byte[]> consumer;
    private volatile long rejectedInputs;

    /** The engines of one partition: one per routing domain, and the latest config seen. */
    private static final class PartitionState {
        final int partition;
        ConfigSnapshot latest;
        final Map<String, Domain> domains = new TreeMap<>();
        /** Where the journal continues after the committed state: a snapshot taken now covers up to here. */
        long journalEnd;
        /** The journal record sent last in the open transaction; its offset moves {@link #journalEnd} on commit. */
        Future<RecordMetadata> lastJournalSend;
        long entriesSinceSnapshot;
        Instant lastSnapshotAt;
        int lastSnapshotBytes;
        int lastSnapshotParts;

        PartitionState(int partition) {
            this.partition = partition;
        }
    }

    private static final class Domain {
        RoutingEngine engine;
        ConfigSnapshot config;
    }

    /**
     * When a partition's state is snapshotted: after {@code everyEntries} journal entries, or after as many entries as
     * a hundredth of the last snapshot's size in bytes, whichever is more (so a large state is written less often and
     * its cost per entry stays bounded), and at the latest {@code maxAge} after an entry that no snapshot covers yet.
     * The journal is kept far longer than {@code maxAge} ({@link KafkaTopics#JOURNAL_RETENTION}).
     */
    public record SnapshotPolicy(long everyEntries, Duration maxAge) {
        public static final SnapshotPolicy DEFAULT = new SnapshotPolicy(10_000, Duration.ofMinutes(10));

        boolean due(PartitionState ps, Instant now) {
            return ps.entriesSinceSnapshot > 0 && (ps.entriesSinceSnapshot >= Math.max(everyEntries,
                    ps.lastSnapshotBytes / 100) || !now.isBefore(ps.lastSnapshotAt.plus(maxAge)));
        }
    }

    /** How one partition was last restored: from which snapshot (-1: none) and how many journal entries after it. */
    public record Restored(int partition, long snapshotJournalOffset, long tailEntries, boolean fromOwnState) {
    }

    /**
     * @param kafka            the Kafka cluster and its client settings
     * @param instanceId       stable per instance (its transactional id), so a restart aborts what it left open
     * @param clock            the one clock: the time given to the engines
     * @param localConfig      the config this instance starts with, for domains whose journal has none yet
     * @param onCommitted      told the decisions of every committed transaction (metrics, live views)
     * @param metrics          where decision latency, queue gauges and the consumer's Kafka metrics go
     * @param onFloor          told each partition's floor when it changed (on the routing thread: be quick)
     */
    public RoutingLoop(KafkaClients kafka, String instanceId, Clock clock, ConfigSnapshot localConfig,
                       Consumer<List<RoutingDecision>> onCommitted, MeterRegistry metrics,
                       BiConsumer<Integer, Floor> onFloor) {
        this(kafka, instanceId, clock, localConfig, onCommitted, metrics, onFloor, SnapshotPolicy.DEFAULT);
    }

    /** As above, with its own snapshot policy (tests take snapshots often). */
    public RoutingLoop(KafkaClients kafka, String instanceId, Clock clock, ConfigSnapshot localConfig,
                       Consumer<List<RoutingDecision>> onCommitted, MeterRegistry metrics,
                       BiConsumer<Integer, Floor> onFloor, SnapshotPolicy snapshots) {
        this.snapshots = snapshots;
        this.onFloor = onFloor;
        this.kafka = kafka;
        this.instanceId = instanceId;
        this.clock = clock;
        this.localConfig = localConfig;
        this.onCommitted = onCommitted;
        this.metrics = metrics;
        this.decisionDuration = Timer.builder(RouterMeters.DECISION_DURATION.meterName())
                .description(RouterMeters.DECISION_DURATION.doc()).register(metrics);
        this.queueWaiting = MultiGauge.builder(RouterMeters.QUEUE_WAITING.meterName()).baseUnit("contacts")
                .description(RouterMeters.QUEUE_WAITING.doc()).register(metrics);
        this.queueOldestWait = MultiGauge.builder(RouterMeters.QUEUE_OLDEST_WAIT.meterName()).baseUnit("seconds")
                .description(RouterMeters.QUEUE_OLDEST_WAIT.doc()).register(metrics);
        FunctionCounter.builder(RouterMeters.INPUTS_REJECTED.meterName(), this, RoutingLoop::rejectedInputs)
                .description(RouterMeters.INPUTS_REJECTED.doc()).register(metrics);
        FunctionCounter.builder(RouterMeters.ROUTING_RESTARTS.meterName(), restarts, Restarts::count)
                .description(RouterMeters.ROUTING_RESTARTS.doc()).register(metrics);
    }

    /**
     * One partition's floor as its engines saw it at {@code at}: every queue, agent and open contact of its domains,
     * for the desktop and the supervisor view. Taken on the routing thread at most once a second, and handed on
     * only when it changed, so an instance can share it with the others through a compacted topic.
     *
     * @param at       when it was taken
     * @param queues   per domain and queue: waiting contacts, since when the oldest waits, estimated waits
     * @param agents   per domain and agent: presence, load per channel, contacts handled
     * @param contacts open contacts: status, channel, customer, queue, owner, open offer
     */
    public record Floor(Instant at, List<Map<String, Object>> queues, List<Map<String, Object>> agents,
                        List<Map<String, Object>> contacts) {
    }

    /** Floors are equal when their rows are: the time they were taken does not count. */
    private static boolean sameRows(Floor a, Floor b) {
        return a != null && a.queues().equals(b.queues()) && a.agents().equals(b.agents())
                && a.contacts().equals(b.contacts());
    }

    /** True once the loop has joined the consumer group and restored the partitions it was given. */
    public boolean isReady() {
        return ready && running;
    }

    /** The partitions this instance routes now. */
    public Set<Integer> assignedPartitions() {
        return new TreeSet<>(partitions.keySet());
    }

    /**
     * Routes until closed. An unexpected error does not leave the instance without routing: the loop starts again
     * after a pause (1 s, doubling up to a minute), with new Kafka clients, and restores its partitions from the
     * journal as a restarted process would; meanwhile {@link #isReady} is false and {@link #stopReason} says why.
     * Being fenced by another instance with the same transactional id ends it for good: restarting would fence that one.
     */
    @Override
    public void run() {
        restarts.run(this::runOnce);
    }

    /** Why the loop is not routing now (starting again after an error, fenced), or null while it routes. */
    public String stopReason() {
        return restarts.stopReason();
    }

    /** One run with one consumer and one transactional producer, until closed, fenced or an error. */
    private void runOnce() {
        partitions.clear(); // what a previous run had is restored again on assignment
        parked.clear();
        floorsHandedOn.clear();
        int sessionTimeoutMs = sessionTimeoutMs();
        try (KafkaConsumer<String, byte[]> c = kafka.consumer(consumerSettings(sessionTimeoutMs), new StringDeserializer(),
                new ByteArrayDeserializer());
             KafkaProducer<String, byte[]> producer = kafka.producer(producerSettings(), new StringSerializer(),
                     new ByteArraySerializer());
             KafkaClientMetrics clientMetrics = new KafkaClientMetrics(c)) {
            consumer = c;
            clientMetrics.bindTo(metrics);
            producer.initTransactions();
            restarts.working();
            abortForgottenTransactions();
            c.subscribe(INPUTS, new Rebalance());
            while (running) {
                ConsumerRecords<String, byte[]> records = c.poll(pollTimeout());
                process(c, producer, records);
                if (records.isEmpty()) {
                    measureQueues(clock.instant()); // a quiet floor is still shown as it is now
                }
            }
        } catch (WakeupException e) {
            if (running) {
                throw e;
            }
        } catch (ProducerFencedException | InvalidProducerEpochException e) {
            restarts.stoppedForGood("another instance with transactional id " + transactionalId()
                    + " took over (two instances with one instance id?): " + e);
            running = false;
        } finally {
            ready = false;
        }
    }

    private void process(KafkaConsumer<String, byte[]> c, KafkaProducer<String, byte[]> producer,
                         ConsumerRecords<String, byte[]> records) {
        Instant now = clock.instant();
        List<Tick> ticks = dueTicks(now);
        List<PartitionState> snapshotDue = partitions.values().stream().filter(ps -> snapshots.due(ps, now)).toList();
        if (records.isEmpty() && ticks.isEmpty() && snapshotDue.isEmpty()) {
            return;
        }
        List<RoutingDecision> committed = new ArrayList<>();
        producer.beginTransaction();
        try {
            for (PartitionState ps : snapshotDue) {
                snapshot(ps, producer, now);
            }
            for (ConsumerRecord<String, byte[]> r : records) {
                PartitionState ps = partitions.get(r.partition());
                if (ps == null) {
                    continue;
                }
                for (JournalEntry entry : entriesFor(ps, r, now)) {
                    committed.addAll(applyAndSend(ps, entry, producer));
                }
            }
            for (Tick tick : ticks) {
                committed.addAll(applyAndSend(tick.partition(), tick.entry(), producer));
            }
            if (!records.isEmpty()) {
                producer.sendOffsetsToTransaction(nextOffsets(records), c.groupMetadata());
            }
            producer.commitTransaction();
            for (PartitionState ps : partitions.values()) {
                if (ps.lastJournalSend != null) {
                    ps.journalEnd = ps.lastJournalSend.get().offset() + 1; // complete: the commit flushed it
                    ps.lastJournalSend = null;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaException("interrupted after a commit", e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new KafkaException("a committed journal record has no offset", e.getCause());
        } catch (ProducerFencedException | InvalidProducerEpochException e) {
            throw e;
        } catch (KafkaException e) {
            LOG.warn("transaction aborted; rewinding to the last committed state", e);
            producer.abortTransaction();
            rewind(c);
            return;
        }
        onCommitted.accept(committed);
        measureQueues(now);
    }

    /** Queue gauges, at most once a second: a scan of the open contacts, off the per-decision path. */
    private void measureQueues(Instant now) {
        if (Duration.between(queuesMeasuredAt, now).compareTo(Duration.ofSeconds(1)) < 0) {
            return;
        }
        queuesMeasuredAt = now;
        Map<String, long[]> byQueue = new TreeMap<>();
        for (PartitionState ps : partitions.values()) {
            for (Domain d : ps.domains.values()) {
                for (var q : d.engine.config().queues()) {
                    d.engine.queue(q.id()).ifPresent(view -> {
                        long[] agg = byQueue.computeIfAbsent(view.id(), k -> new long[] {0, 0});
                        agg[0] += view.waiting();
                        if (view.oldestWaitSince() != null) {
                            agg[1] = Math.max(agg[1], Duration.between(view.oldestWaitSince(), now).toSeconds());
                        }
                    });
                }
            }
        }
        List<MultiGauge.Row<?>> waiting = new ArrayList<>();
        List<MultiGauge.Row<?>> oldest = new ArrayList<>();
        byQueue.forEach((queue, agg) -> {
            waiting.add(MultiGauge.Row.of(Tags.of("queue", queue), agg[0]));
            oldest.add(MultiGauge.Row.of(Tags.of("queue", queue), agg[1]));
        });
        queueWaiting.register(waiting, true);
        queueOldestWait.register(oldest, true);
        takeFloor(now);
    }

    private void takeFloor(Instant now) {
        for (PartitionState ps : partitions.values()) {
            List<Map<String, Object>> queues = new ArrayList<>();
            List<Map<String, Object>> agents = new ArrayList<>();
            List<Map<String, Object>> contacts = new ArrayList<>();
            ps.domains.forEach((domain, d) -> {
                for (var q : d.engine.config().queues()) {
                    d.engine.queue(q.id()).ifPresent(view -> {
                        Map<String, Object> row = new LinkedHashMap<>();
                        row.put("domain", domain);
                        row.put("queue", view.id());
                        row.put("name", view.name());
                        row.put("waiting", view.waiting());
                        row.put("oldestWaitSince", view.oldestWaitSince() == null ? null
                                : view.oldestWaitSince().toString());
                        Map<String, Long> estimated = new TreeMap<>();
                        view.estimatedWait().forEach((ch, w) -> estimated.put(ch.wireName(), w.toSeconds()));
                        row.put("estimatedWaitSeconds", estimated);
                        queues.add(row);
                    });
                }
                d.engine.agents().forEach(a -> {
                    Map<String, Object> row = new LinkedHashMap<>();
                    row.put("domain", domain);
                    row.put("agent", a.id());
                    row.put("name", a.name());
                    row.put("presence", a.presence().wireName());
                    Map<String, Integer> load = new TreeMap<>();
                    a.load().forEach((ch, n) -> load.put(ch.wireName(), n));
                    row.put("load", load);
                    row.put("handled", a.handled());
                    agents.add(row);
                });
                d.engine.openContacts().forEach(c -> {
                    Map<String, Object> row = new LinkedHashMap<>();
                    row.put("domain", domain);
                    row.put("contactId", c.id());
                    row.put("status", c.status().name().toLowerCase(Locale.ROOT).replace('_', '-'));
                    row.put("channel", c.channel().wireName());
                    row.put("endpoint", c.endpoint());
                    row.put("customerKey", c.customerKey());
                    row.put("queue", c.queueId());
                    row.put("owner", c.ownerAgentId());
                    row.put("offeredTo", c.offeredToAgentId());
                    row.put("offerId", c.offerId());
                    row.put("offerExpiresAt", c.offerExpiresAt() == null ? null : c.offerExpiresAt().toString());
                    row.put("transfers", c.transfers());
                    contacts.add(row);
                });
            });
            Floor taken = new Floor(now, queues, agents, contacts);
            if (!sameRows(floorsHandedOn.get(ps.partition), taken)) {
                floorsHandedOn.put(ps.partition, taken);
                onFloor.accept(ps.partition, taken);
            }
        }
    }

    /**
     * Kafka can leave a transaction open for good when its broker restarts between a commit's PrepareCommit and its
     * markers: the restarted coordinator finds the partitions without a leader yet, skips their markers, and forgets
     * the transaction. It then blocks every read_committed reader of those partitions (this loop's committed offsets
     * among them) forever. {@code initTransactions} has just completed or aborted everything the coordinator knows for
     * our transactional id, so a transaction still open by an earlier epoch of our producer is such a forgotten one;
     * nobody has read its records, and aborting it is what {@code kafka-transactions.sh abort} would do.
     */
    private void abortForgottenTransactions() {
        try (Admin admin = kafka.admin(Map.of())) {
            TransactionDescription mine = admin.describeTransactions(List.of(transactionalId()))
                    .description(transactionalId()).get();
            List<TopicPartition> written = new ArrayList<>();
            List<String> topics = new ArrayList<>(WRITTEN);
            topics.add("__consumer_offsets");
            for (String topic : topics) {
                admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions()
                        .forEach(info -> written.add(new TopicPartition(topic, info.partition())));
            }
            abortOpen(admin, written, ps -> ps.producerId() == mine.producerId()
                    && ps.producerEpoch() < mine.producerEpoch(), "Kafka left open");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException e) {
            LOG.warn("could not check for transactions Kafka left open; continuing", e.getCause());
        }
    }

    /** The topics the routing loop writes in its transactions. */
    private static final List<String> WRITTEN = List.of(KafkaTopics.ROUTING_JOURNAL, KafkaTopics.ROUTING_SNAPSHOTS,
            KafkaTopics.ROUTING_DECISIONS, KafkaTopics.MESSAGES_OUT);

    /**
     * Aborts the transactions left open on partitions this instance has just been given, by the instance that had
     * them. That one is gone from the group (dead, or paused past its session), so its transaction can never commit:
     * Kafka fences its offset commit by the group's generation. Left open, it would hide everything written after it
     * from read_committed readers (the desktops' feed, the ledger) until it timed out; aborted, the takeover is over
     * when this instance has restored the partitions.
     */
    private void abortStrandedTransactions(Set<Integer> numbers) {
        if (numbers.isEmpty()) {
            return;
        }
        List<TopicPartition> written = new ArrayList<>();
        for (String topic : WRITTEN) {
            for (Integer p : numbers) {
                written.add(new TopicPartition(topic, p));
            }
        }
        try (Admin admin = kafka.admin(Map.of())) {
            abortOpen(admin, written, ps -> true, "its previous owner left open");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException e) {
            LOG.warn("could not check for transactions left open on partitions {}; continuing", numbers, e.getCause());
        }
    }

    private static void abortOpen(Admin admin, List<TopicPartition> partitions,
                                  java.util.function.Predicate<ProducerState> whose, String why)
            throws InterruptedException, java.util.concurrent.ExecutionException {
        Map<TopicPartition, DescribeProducersResult.PartitionProducerState> states =
                admin.describeProducers(partitions).all().get();
        for (Map.Entry<TopicPartition, DescribeProducersResult.PartitionProducerState> e : states.entrySet()) {
            for (ProducerState ps : e.getValue().activeProducers()) {
                if (ps.currentTransactionStartOffset().isPresent() && whose.test(ps)) {
                    LOG.warn("aborting a transaction {} on {} (producer {} epoch {}, from offset {})", why, e.getKey(),
                            ps.producerId(), ps.producerEpoch(), ps.currentTransactionStartOffset().getAsLong());
                    admin.abortTransaction(new AbortTransactionSpec(e.getKey(), ps.producerId(),
                            (short) ps.producerEpoch(), ps.coordinatorEpoch().orElse(-1))).all().get();
                }
            }
        }
    }

    /** What one input record becomes in the journal: a config first when its domain has none yet. */
    private List<JournalEntry> entriesFor(PartitionState ps, ConsumerRecord<String, byte[]> r, Instant now) {
        List<JournalEntry> entries = new ArrayList<>(2);
        if (r.topic().equals(KafkaTopics.ROUTING_CONFIG)) {
            ConfigSnapshot snapshot;
            try {
                snapshot = JournalEntry.fromBytes(r.value()).config();
            } catch (RuntimeException e) {
                reject(r, e);
                return entries;
            }
            if (snapshot == null || !isValid(snapshot)) {
                reject(r, new IllegalArgumentException("not a valid config snapshot"));
                return entries;
            }
            if (ps.latest != null && ps.latest.version().equals(snapshot.version())) {
                return entries;
            }
            entries.add(JournalEntry.config(PARTITION, snapshot, now));
            for (Map.Entry<String, Domain> d : ps.domains.entrySet()) {
                if (!snapshot.version().equals(d.getValue().config.version())) {
                    entries.add(JournalEntry.config(d.getKey(), snapshot, now));
                }
            }
            return entries;
        }
        org.contactrouter.events.ContactEvent event;
        try {
            event = ContactEventJson.read(r.value());
        } catch (InvalidEventException e) {
            reject(r, e);
            return entries;
        }
        if (!ps.domains.containsKey(event.domain())) {
            entries.add(JournalEntry.config(event.domain(), ps.latest != null ? ps.latest : localConfig, now));
        }
        entries.add(JournalEntry.event(event, now));
        return entries;
    }

    private List<RoutingDecision> applyAndSend(PartitionState ps, JournalEntry entry,
                                               KafkaProducer<String, byte[]> producer) {
        long started = System.nanoTime();
        List<RoutingDecision> decisions = apply(ps, entry);
        decisionDuration.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
        ps.lastJournalSend = producer.send(new ProducerRecord<>(KafkaTopics.ROUTING_JOURNAL, ps.partition,
                entry.domain(), entry.toBytes()));
        ps.entriesSinceSnapshot++;
        byte[] ofItsInput = Integer.toString(decisions.size()).getBytes(StandardCharsets.US_ASCII);
        for (RoutingDecision d : decisions) {
            ProducerRecord<String, byte[]> record = new ProducerRecord<>(KafkaTopics.ROUTING_DECISIONS, ps.partition,
                    entry.domain(), DecisionJson.writeBytes(d));
            record.headers().add(CommittedDecision.OF_ITS_INPUT, ofItsInput);
            producer.send(record);
            for (OutboundMessage m : Outbox.messagesFor(entry.domain(), d, ps.domains.get(entry.domain()).engine.config())) {
                producer.send(new ProducerRecord<>(KafkaTopics.MESSAGES_OUT, ps.partition, entry.domain(),
                        OutboundMessageJson.writeBytes(m)));
            }
            if (d.contactId() != null && LOG.isDebugEnabled()) {
                MDC.put("contactId", d.contactId());
                LOG.debug("{} {} agent={} queue={}", d.type(), d.id(), d.agentId(), d.queueId());
                MDC.remove("contactId");
            }
        }
        return decisions;
    }

    /** Applies one journal entry to its engine: the same code for live processing and for replay. */
    private List<RoutingDecision> apply(PartitionState ps, JournalEntry entry) {
        if (entry.domain().equals(PARTITION)) {
            ps.latest = entry.config();
            return List.of();
        }
        Domain d = ps.domains.get(entry.domain());
        if (entry.config() != null) {
            RoutingConfig config = parsed(entry.config());
            List<RoutingDecision> decisions = List.of();
            if (d == null) {
                d = new Domain();
                d.engine = new RoutingEngine(entry.domain(), config, entry.now());
                ps.domains.put(entry.domain(), d);
            } else {
                decisions = d.engine.applyConfig(config, entry.now());
            }
            d.config = entry.config();
            return decisions;
        }
        if (d == null) {
            throw new IllegalStateException("journal entry for domain " + entry.domain() + " before its config");
        }
        return entry.event() != null ? d.engine.decide(entry.event(), entry.now()) : d.engine.advanceTo(entry.now());
    }

    private record Tick(PartitionState partition, JournalEntry entry) {
    }

    private List<Tick> dueTicks(Instant now) {
        List<Tick> ticks = new ArrayList<>();
        for (PartitionState ps : partitions.values()) {
            ps.domains.forEach((domain, d) -> d.engine.nextTimerAt().ifPresent(at -> {
                if (!at.isAfter(now)) {
                    ticks.add(new Tick(ps, JournalEntry.tick(domain, now)));
                }
            }));
        }
        return ticks;
    }

    private Duration pollTimeout() {
        Instant now = clock.instant();
        Duration timeout = MAX_POLL;
        for (PartitionState ps : partitions.values()) {
            for (Domain d : ps.domains.values()) {
                Instant next = d.engine.nextTimerAt().orElse(null);
                if (next != null) {
                    Duration until = Duration.between(now, next);
                    if (until.compareTo(timeout) < 0) {
                        timeout = until.isNegative() ? Duration.ZERO : until;
                    }
                }
            }
        }
        return timeout;
    }

    private void reject(ConsumerRecord<String, byte[]> r, Exception e) {
        rejectedInputs++;
        LOG.warn("skipped unreadable record {}-{}@{}: {}", r.topic(), r.partition(), r.offset(), e.getMessage());
    }

    /** Inputs skipped because they could not be read (they were validated before being accepted upstream). */
    public long rejectedInputs() {
        return rejectedInputs;
    }

    private static Map<TopicPartition, OffsetAndMetadata> nextOffsets(ConsumerRecords<String, byte[]> records) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (TopicPartition tp : records.partitions()) {
            List<ConsumerRecord<String, byte[]>> rs = records.records(tp);
            offsets.put(tp, new OffsetAndMetadata(rs.get(rs.size() - 1).offset() + 1));
        }
        return offsets;
    }

    /** After an aborted transaction the engines are ahead of what was committed: go back to the committed state. */
    private void rewind(KafkaConsumer<String, byte[]> c) {
        Set<TopicPartition> assigned = c.assignment();
        Map<TopicPartition, OffsetAndMetadata> committed = c.committed(assigned);
        for (TopicPartition tp : assigned) {
            OffsetAndMetadata om = committed.get(tp);
            if (om == null) {
                c.seekToBeginning(List.of(tp));
            } else {
                c.seek(tp, om.offset());
            }
        }
        partitions.putAll(restore(new TreeSet<>(partitions.keySet())));
    }

    /**
     * Rebuilds the state of the given partitions: from the state this instance had when a rebalance took them away,
     * or else from their latest snapshot (or nothing), plus the committed journal after it. One reader for all.
     */
    private Map<Integer, PartitionState> restore(Set<Integer> numbers) {
        long started = System.nanoTime();
        Map<Integer, PartitionState> restored = new TreeMap<>();
        long entries = 0;
        try (KafkaConsumer<String, byte[]> reader = kafka.consumer(Map.of(
                ConsumerConfig.CLIENT_ID_CONFIG, "router-restore-" + instanceId,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false), new StringDeserializer(), new ByteArrayDeserializer())) {
            Map<TopicPartition, Long> from = new HashMap<>();
            Map<Integer, Long> snapshotAt = new HashMap<>();
            Set<Integer> own = new TreeSet<>();
            for (Integer p : numbers) {
                PartitionState kept = parked.remove(p);
                PartitionState ps = kept != null ? kept : fromSnapshot(reader, p);
                if (kept != null) {
                    own.add(p);
                }
                restored.put(p, ps);
                snapshotAt.put(p, ps.domains.isEmpty() && ps.journalEnd == 0 ? -1 : ps.journalEnd);
                from.put(new TopicPartition(KafkaTopics.ROUTING_JOURNAL, p), ps.journalEnd);
            }
            List<TopicPartition> tps = new ArrayList<>(from.keySet());
            reader.assign(tps);
            Map<TopicPartition, Long> begin = reader.beginningOffsets(tps);
            Map<TopicPartition, Long> end = reader.endOffsets(tps);
            for (TopicPartition tp : tps) {
                if (begin.get(tp) > from.get(tp)) {
                    throw new IllegalStateException("the journal of partition " + tp.partition() + " starts at offset "
                            + begin.get(tp) + ", but its state is known only up to offset " + from.get(tp)
                            + ": journal entries were deleted before a snapshot covered them (was routing.journal's"
                            + " retention lowered, or routing.snapshots deleted?). Restore routing.snapshots, or"
                            + " recreate the topics (losing the routing state).");
                }
                reader.seek(tp, from.get(tp));
            }
            Map<Integer, Long> tail = new HashMap<>();
            while (tps.stream().anyMatch(tp -> reader.position(tp) < end.get(tp))) {
                // Short polls: the last fetch often returns only a transaction marker, with no record to wait for.
                for (ConsumerRecord<String, byte[]> r : reader.poll(Duration.ofMillis(50))) {
                    PartitionState ps = restored.get(r.partition());
                    apply(ps, JournalEntry.fromBytes(r.value()));
                    ps.journalEnd = r.offset() + 1;
                    tail.merge(r.partition(), 1L, Long::sum);
                    entries++;
                }
            }
            Instant now = clock.instant();
            for (PartitionState ps : restored.values()) {
                long read = tail.getOrDefault(ps.partition, 0L);
                ps.entriesSinceSnapshot += read;
                if (ps.lastSnapshotAt == null) {
                    ps.lastSnapshotAt = now;
                }
                long snapshotOffset = snapshotAt.get(ps.partition);
                restores.put(ps.partition, new Restored(ps.partition, own.contains(ps.partition) ? -1 : snapshotOffset,
                        read, own.contains(ps.partition)));
            }
        }
        LOG.info("partitions {} restored in {} ms: {} journal entries read after their snapshots", numbers,
                (System.nanoTime() - started) / 1_000_000, entries);
        return restored;
    }

    /**
     * A partition's state from its latest snapshot, or empty when it has none. A snapshot this router cannot read
     * (another format version, damaged) is logged and passed over for a replay of the whole journal, which restore
     * refuses if retention has already deleted its beginning: never a wrong state.
     */
    private PartitionState fromSnapshot(KafkaConsumer<String, byte[]> reader, int partition) {
        PartitionState ps = new PartitionState(partition);
        Optional<PartitionSnapshot.Found> found = PartitionSnapshot.latest(reader, partition);
        if (found.isEmpty()) {
            return ps;
        }
        try {
            PartitionSnapshot snapshot = PartitionSnapshot.fromBytes(found.get().bytes());
            for (PartitionSnapshot.DomainState state : snapshot.domains()) {
                ConfigSnapshot files = snapshot.configs().get(state.configVersion());
                if (files == null) {
                    throw new SnapshotException("domain " + state.domain() + " runs under config "
                            + state.configVersion() + ", which the snapshot does not carry");
                }
                Domain d = new Domain();
                d.config = files;
                d.engine = RoutingEngine.restore(state.domain(), parsed(files), state.engine());
                ps.domains.put(state.domain(), d);
            }
            ps.latest = snapshot.latest();
            ps.journalEnd = snapshot.journalOffset();
            ps.lastSnapshotBytes = found.get().bytes().length;
            ps.lastSnapshotParts = found.get().parts();
            return ps;
        } catch (SnapshotException e) {
            LOG.warn("the snapshot of partition {} cannot be used ({}); replaying its journal from the start instead",
                    partition, e.getMessage());
            PartitionState fresh = new PartitionState(partition);
            fresh.lastSnapshotParts = found.get().parts();
            return fresh;
        }
    }

    /** Writes a partition's committed state to routing.snapshots in the open transaction. */
    private void snapshot(PartitionState ps, KafkaProducer<String, byte[]> producer, Instant now) {
        long started = System.nanoTime();
        List<PartitionSnapshot.DomainState> domains = new ArrayList<>();
        Map<String, ConfigSnapshot> configs = new TreeMap<>();
        try {
            for (Map.Entry<String, Domain> d : ps.domains.entrySet()) {
                domains.add(new PartitionSnapshot.DomainState(d.getKey(), d.getValue().config.version(),
                        d.getValue().engine.snapshot()));
                configs.put(d.getValue().config.version(), d.getValue().config);
            }
        } catch (SnapshotException e) {
            LOG.warn("partition {} cannot be snapshotted now ({}); trying again after more entries", ps.partition,
                    e.getMessage());
            ps.entriesSinceSnapshot = 0;
            ps.lastSnapshotAt = now;
            return;
        }
        PartitionSnapshot snapshot = new PartitionSnapshot(ps.journalEnd, now, ps.latest, configs, domains);
        List<ProducerRecord<String, byte[]>> records = snapshot.records(ps.partition, ps.lastSnapshotParts);
        int bytes = 0;
        int parts = 0;
        for (ProducerRecord<String, byte[]> r : records) {
            producer.send(r);
            if (r.value() != null) {
                bytes += r.value().length;
                parts++;
            }
        }
        LOG.debug("partition {} snapshotted at journal offset {} after {} entries: {} bytes in {} parts, {} ms",
                ps.partition, ps.journalEnd, ps.entriesSinceSnapshot, bytes, parts,
                (System.nanoTime() - started) / 1_000_000);
        ps.entriesSinceSnapshot = 0;
        ps.lastSnapshotAt = now;
        ps.lastSnapshotBytes = bytes;
        ps.lastSnapshotParts = parts;
    }

    /** How each partition this instance routes was last restored (for tests and the log). */
    public Map<Integer, Restored> restores() {
        return new TreeMap<>(restores);
    }

    private RoutingConfig parsed(ConfigSnapshot files) {
        RoutingConfig config = parsedConfigs.get(files.version());
        if (config == null) {
            config = ConfigLoader.load(files).config().orElseThrow(() ->
                    new IllegalStateException("journal holds invalid config " + files.version()));
            parsedConfigs.put(files.version(), config);
        }
        return config;
    }

    private boolean isValid(ConfigSnapshot files) {
        if (parsedConfigs.containsKey(files.version())) {
            return true;
        }
        var loaded = ConfigLoader.load(files);
        loaded.config().ifPresent(c -> parsedConfigs.put(files.version(), c));
        return !loaded.hasErrors();
    }

    private final class Rebalance implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> revoked) {
            ready = false;
            for (TopicPartition tp : revoked) {
                PartitionState ps = partitions.remove(tp.partition());
                if (ps != null) {
                    parked.put(tp.partition(), ps);
                }
                floorsHandedOn.remove(tp.partition());
            }
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> assigned) {
            Set<Integer> numbers = new TreeSet<>();
            for (TopicPartition tp : assigned) {
                numbers.add(tp.partition());
            }
            numbers.removeAll(partitions.keySet());
            Set<Integer> fromOthers = new TreeSet<>(numbers);
            fromOthers.removeAll(parked.keySet());
            abortStrandedTransactions(fromOthers);
            partitions.putAll(restore(numbers));
            // Ready once this instance has joined the group and restored what it was given (possibly nothing).
            ready = true;
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> lost) {
            ready = false;
            for (TopicPartition tp : lost) {
                partitions.remove(tp.partition()); // others may have moved on: not kept
                floorsHandedOn.remove(tp.partition());
            }
        }
    }

    private String transactionalId() {
        return "router-" + instanceId;
    }

    /**
     * The session timeout of the routing consumer: how long a dead instance holds its partitions before the others
     * take them over. {@link #SESSION_TIMEOUT}, or the broker's {@code group.min.session.timeout.ms} when that is
     * higher (Kafka's default minimum is 6 s; the embedded broker allows 1 s); a {@code session.timeout.ms} in
     * {@code kafka.client} is used as it is.
     */
    private int sessionTimeoutMs() {
        Object configured = kafka.setting(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG);
        if (configured != null) {
            return Integer.parseInt(configured.toString());
        }
        try (Admin admin = kafka.admin(Map.of())) {
            String node = admin.describeCluster().nodes().get(10, TimeUnit.SECONDS).iterator().next().idString();
            ConfigResource broker = new ConfigResource(ConfigResource.Type.BROKER, node);
            var entry = admin.describeConfigs(List.of(broker)).all().get(10, TimeUnit.SECONDS).get(broker)
                    .get("group.min.session.timeout.ms");
            int minimum = entry == null || entry.value() == null ? 0 : Integer.parseInt(entry.value());
            return Math.max((int) SESSION_TIMEOUT.toMillis(), minimum);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return FALLBACK_SESSION_TIMEOUT_MS;
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException
                 | RuntimeException e) {
            LOG.warn("cannot read the broker's group.min.session.timeout.ms ({}); session timeout {} ms", e.toString(),
                    FALLBACK_SESSION_TIMEOUT_MS);
            return FALLBACK_SESSION_TIMEOUT_MS;
        }
    }

    /** The session timeout aimed at: takeover of a dead instance's partitions is this plus the restore. */
    static final Duration SESSION_TIMEOUT = Duration.ofSeconds(3);
    private static final int FALLBACK_SESSION_TIMEOUT_MS = 10_000;

    private Map<String, Object> consumerSettings(int sessionTimeoutMs) {
        Map<String, Object> p = new HashMap<>();
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "router");
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "router-" + instanceId);
        // Static membership: a restarted instance takes its own place in the group at once instead of waiting for its
        // dead predecessor's session to time out. Another instance still takes over after the session timeout.
        p.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, "router-" + instanceId);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        // The range assignor gives one instance the same partition number of every input topic (co-partitioning).
        p.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, "classic");
        p.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, RangeAssignor.class.getName());
        p.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, sessionTimeoutMs);
        p.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, Math.max(250, sessionTimeoutMs / 4));
        return p;
    }

    private Map<String, Object> producerSettings() {
        Map<String, Object> p = new HashMap<>();
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId());
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        // A transaction left open by a crashed instance that never returns blocks read_committed readers until it
        // times out: keep that short. A restarted instance aborts it at once (same transactional id).
        p.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, 10_000);
        p.put(ProducerConfig.LINGER_MS_CONFIG, 1);
        return p;
    }

    @Override
    public void close() {
        running = false;
        restarts.close();
        KafkaConsumer<String, byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
    }
}
