package org.contactrouter.routing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link RecentIds} behaves like the insertion-ordered map pruned from its head that it replaces. */
class RecentIdsTest {

    @Test
    void remembersUntilTheHorizonPassesThem() {
        RecentIds ids = new RecentIds();
        assertThat(ids.addIfAbsent("a", 1)).isTrue();
        assertThat(ids.addIfAbsent("a", 2)).isFalse();
        ids.put("b", 2);
        ids.forgetBefore(2);
        assertThat(ids.contains("a")).isFalse();
        assertThat(ids.contains("b")).isTrue();
        ids.forgetBefore(3);
        assertThat(ids.contains("b")).isFalse();
    }

    @Test
    void anIdPutAgainKeepsItsPlaceWithTheNewTime() {
        RecentIds ids = new RecentIds();
        ids.put("a", 1);
        ids.put("b", 2);
        ids.put("a", 5);
        // The head is "a" at 5, so nothing is forgotten until 5, as with LinkedHashMap.put on a present key.
        ids.forgetBefore(4);
        assertThat(ids.contains("a")).isTrue();
        assertThat(ids.contains("b")).isTrue();
        ids.forgetBefore(6);
        assertThat(ids.contains("a")).isFalse();
        assertThat(ids.contains("b")).isFalse();
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
    void agreesWithAPrunedLinkedHashMap(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        RecentIds ids = new RecentIds();
        LinkedHashMap<String, Long> model = new LinkedHashMap<>();
        long now = 0;
        // Few distinct ids, so repeats, growth, wrap-around and probe runs across deletions all happen.
        int distinct = 1 + random.nextInt(3000);
        long window = 1 + random.nextInt(500);
        for (int step = 0; step < 50_000; step++) {
            now += random.nextInt(3);
            String id = "id-" + random.nextInt(distinct);
            switch (random.nextInt(4)) {
                case 0 -> assertThat(ids.addIfAbsent(id, now)).isEqualTo(model.putIfAbsent(id, now) == null);
                case 1 -> {
                    ids.put(id, now);
                    model.put(id, now);
                }
                case 2 -> {
                    ids.forgetBefore(now - window);
                    Iterator<Long> it = model.values().iterator();
                    while (it.hasNext() && it.next() < now - window) {
                        it.remove();
                    }
                }
                default -> assertThat(ids.contains(id)).isEqualTo(model.containsKey(id));
            }
        }
        for (int i = 0; i < distinct; i++) {
            assertThat(ids.contains("id-" + i)).isEqualTo(model.containsKey("id-" + i));
        }
    }
}
