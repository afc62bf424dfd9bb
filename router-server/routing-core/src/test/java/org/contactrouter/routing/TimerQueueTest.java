package org.contactrouter.routing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link TimerQueue} gives timers back in the order of a map sorted by due time and sequence, with removals. */
class TimerQueueTest {

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
    void agreesWithASortedMap(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        TimerQueue queue = new TimerQueue();
        TreeMap<List<Long>, Timer> model = new TreeMap<>((a, b) -> a.get(0).equals(b.get(0))
                ? Long.compare(a.get(1), b.get(1)) : Long.compare(a.get(0), b.get(0)));
        List<Timer> pending = new ArrayList<>();
        long sequence = 0;
        for (int step = 0; step < 50_000; step++) {
            int dice = random.nextInt(10);
            if (dice < 5 || pending.isEmpty()) {
                // Few distinct due times, so that ties are broken by sequence.
                Timer t = new Timer(Timer.Kind.DUE, null, 0, null, random.nextInt(200), ++sequence);
                queue.add(t);
                model.put(List.of(t.dueMillis(), t.sequence()), t);
                pending.add(t);
            } else if (dice < 8) {
                Timer t = pending.remove(random.nextInt(pending.size()));
                queue.remove(t);
                queue.remove(t);
                model.remove(List.of(t.dueMillis(), t.sequence()));
            } else {
                Timer t = queue.pollFirst();
                assertThat(t).isSameAs(model.pollFirstEntry().getValue());
                pending.remove(t);
            }
            assertThat(queue.first()).isSameAs(model.isEmpty() ? null : model.firstEntry().getValue());
        }
        while (!queue.isEmpty()) {
            assertThat(queue.pollFirst()).isSameAs(model.pollFirstEntry().getValue());
        }
        assertThat(model).isEmpty();
    }
}
