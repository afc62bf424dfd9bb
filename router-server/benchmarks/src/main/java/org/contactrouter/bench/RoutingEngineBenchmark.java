package org.contactrouter.bench;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.contactrouter.events.Channel;
import org.contactrouter.routing.Agent;
import org.contactrouter.routing.DecisionType;
import org.contactrouter.routing.RoutingDecision;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Decisions per second and latency of {@link org.contactrouter.routing.RoutingEngine} in steady state, on one thread,
 * at 100 to 100,000 agents. See docs/benchmarks.md for the method and the results.
 *
 * <p>One cycle is three {@code decide} calls and always four decisions; every call is checked, and a cycle that
 * decides anything else (a refusal, a contact left waiting, an escalation) stops the run.
 */
// The engine is single-threaded and measured for throughput: the throughput collector (Parallel) instead of G1, whose
// write barriers and refinement threads take a share of the 2 cores, and a fixed 2 GB young generation, so that a
// contact (owned for about 60,000 cycles at 10,000 agents, half a second) is mostly gone before a young collection
// instead of being copied by it. docs/benchmarks.md also gives the numbers under the former settings (G1, 4 GB heap).
@Fork(value = 1, jvmArgsAppend = {"-Xms4g", "-Xmx4g", "-Xmn2g", "-XX:+UseParallelGC"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class RoutingEngineBenchmark {

    static final int DECISIONS_PER_CYCLE = 4;
    static final int WAITING = 5_000;
    static final long SEED = 20250303L;

    /**
     * Every agent available and busy at capacity on every channel, 5,000 contacts waiting. A cycle: the agent who has
     * had a contact longest wraps it up (WRAPPED_UP) and is offered the best waiting contact they can take (OFFERED),
     * accepts it (ASSIGNED), and a new contact of the same kind arrives and waits (QUEUED). Agents, waiting contacts
     * per list and load stay the same from cycle to cycle.
     */
    @State(Scope.Thread)
    public static class BusyFloor {

        @Param({"100", "1000", "10000", "100000"})
        int agents;

        Floor floor;
        /** Owned contacts, oldest first: every contact takes the same time to handle. */
        final ArrayDeque<Floor.Assignment> assignments = new ArrayDeque<>();
        /** The kind of each waiting contact, so its replacement is of the same kind. */
        final Map<String, Floor.Kind> waiting = new HashMap<>();
        private int phase;
        private Floor.Assignment freed;
        private RoutingDecision offer;

        @Setup(Level.Trial)
        public void fill() {
            floor = new Floor(agents, SEED);
            floor.everyoneAvailable();
            int[][] load = new int[agents][Channel.values().length];
            List<Floor.Assignment> owned = new ArrayList<>();
            for (int i = 0; i < agents; i++) {
                Agent agent = floor.agents.get(i);
                for (Channel ch : Floor.CHANNELS) {
                    while (load[i][ch.ordinal()] < agent.capacityFor(ch)) {
                        Floor.Assignment a = floor.assign(floor.kindFor(agent, ch));
                        owned.add(a);
                        load[floor.indexOf(a.agentId())][ch.ordinal()]++;
                    }
                }
            }
            Collections.shuffle(owned, new Random(SEED));
            assignments.addAll(owned);
            for (int i = 0; i < WAITING; i++) {
                Floor.Kind kind = floor.kindForRandomSlot();
                waiting.put(Floor.expect(floor.arrive(kind), DecisionType.QUEUED).contactId(), kind);
            }
        }

        /** The next of the cycle's three calls. */
        List<RoutingDecision> step() {
            List<RoutingDecision> decisions;
            switch (phase) {
                case 0 -> {
                    freed = assignments.poll();
                    decisions = floor.wrapUp(freed.agentId(), freed.contactId());
                    offer = Floor.expect(decisions, DecisionType.WRAPPED_UP, DecisionType.OFFERED);
                    if (!offer.agentId().equals(freed.agentId())) {
                        throw new IllegalStateException("offered to " + offer.agentId() + ", freed " + freed.agentId());
                    }
                }
                case 1 -> {
                    decisions = floor.accept(offer.agentId(), offer.offerId());
                    Floor.expect(decisions, DecisionType.ASSIGNED);
                    assignments.add(new Floor.Assignment(offer.agentId(), offer.contactId()));
                }
                default -> {
                    Floor.Kind kind = waiting.remove(offer.contactId());
                    decisions = floor.arrive(kind);
                    waiting.put(Floor.expect(decisions, DecisionType.QUEUED).contactId(), kind);
                }
            }
            phase = (phase + 1) % 3;
            return decisions;
        }

        @TearDown(Level.Iteration)
        public void check() {
            if (!floor.engine.refusals().isEmpty() || waiting.size() != WAITING) {
                throw new IllegalStateException("refusals " + floor.engine.refusals() + ", waiting " + waiting.size());
            }
        }
    }

    /**
     * Every agent available with room: about one contact owned per two agents, nobody waiting. A cycle: a contact
     * arrives and is offered at once to the best agent in its index (QUEUED, OFFERED), is accepted (ASSIGNED), and the
     * oldest owned contact is wrapped up (WRAPPED_UP). Offers and wrap-ups move agents within indexes of thousands.
     */
    @State(Scope.Thread)
    public static class OpenFloor {

        @Param({"100", "1000", "10000", "100000"})
        int agents;

        Floor floor;
        final ArrayDeque<Floor.Assignment> assignments = new ArrayDeque<>();
        /** Arriving kinds, drawn like the busy floor's waiting contacts and sent round. */
        private Floor.Kind[] arrivals;
        private int next;

        @Setup(Level.Trial)
        public void fill() {
            floor = new Floor(agents, SEED);
            floor.everyoneAvailable();
            for (int i = 0; i < agents / 2; i++) {
                assignments.add(floor.assign(floor.kindForRandomSlot()));
            }
            arrivals = new Floor.Kind[4096];
            for (int i = 0; i < arrivals.length; i++) {
                arrivals[i] = floor.kindForRandomSlot();
            }
        }

        void cycle(Blackhole bh) {
            List<RoutingDecision> arrived = floor.arrive(arrivals[next++ & (arrivals.length - 1)]);
            RoutingDecision offer = Floor.expect(arrived, DecisionType.QUEUED, DecisionType.OFFERED);
            List<RoutingDecision> accepted = floor.accept(offer.agentId(), offer.offerId());
            Floor.expect(accepted, DecisionType.ASSIGNED);
            assignments.add(new Floor.Assignment(offer.agentId(), offer.contactId()));
            Floor.Assignment done = assignments.poll();
            List<RoutingDecision> wrapped = floor.wrapUp(done.agentId(), done.contactId());
            Floor.expect(wrapped, DecisionType.WRAPPED_UP);
            bh.consume(arrived);
            bh.consume(accepted);
            bh.consume(wrapped);
        }

        @TearDown(Level.Iteration)
        public void check() {
            if (!floor.engine.refusals().isEmpty()) {
                throw new IllegalStateException("refusals " + floor.engine.refusals());
            }
        }
    }

    /** Decisions per second with thousands waiting: score = cycles/s x 4. */
    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    @OperationsPerInvocation(DECISIONS_PER_CYCLE)
    public void busyFloor(BusyFloor floor, Blackhole bh) {
        bh.consume(floor.step());
        bh.consume(floor.step());
        bh.consume(floor.step());
    }

    /** Latency of one decide call on the busy floor (wrap-up, accept and arrival in turn: 2, 1, 1 decisions). */
    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    public List<RoutingDecision> busyFloorCall(BusyFloor floor) {
        return floor.step();
    }

    /** Decisions per second when arrivals find an available agent through the agent indexes: cycles/s x 4. */
    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    @OperationsPerInvocation(DECISIONS_PER_CYCLE)
    public void openFloor(OpenFloor floor, Blackhole bh) {
        floor.cycle(bh);
    }
}
