package org.contactrouter.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Seeded property tests of {@link ContactEventJson}. Each property is a parameterized test over the seeds of
 * {@link RandomEvents#seeds()} ({@value RandomEvents#DEFAULT_SEEDS} by default) and checks
 * {@value RandomEvents#INPUTS_PER_SEED} events that {@link RandomEvents} generates from each seed: the same events
 * on every run.
 *
 * <p>A failure starts with the seed and the generated input, {@code seed 17, input 3 of 10: ...}. To replay that
 * seed alone, run {@code -Dtest='ContactEventJsonProperties#<property>' -DrandomEvents.firstSeed=17 -DrandomEvents.seeds=1}.
 * To keep it as a regression test once fixed (the default seeds may change, or it may come from a run with other
 * seeds), add {@code @ValueSource(longs = 17)} to the property next to {@code @MethodSource("seeds")}: a
 * parameterized test runs the seeds of both sources.
 */
class ContactEventJsonProperties {

    static LongStream seeds() {
        return RandomEvents.seeds();
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void readingWhatWasWrittenGivesTheSameEvent(long seed) {
        RandomEvents.check(seed, RandomEvents::event, event -> {
            assertThat(ContactEventJson.read(ContactEventJson.write(event))).isEqualTo(event);
            assertThat(ContactEventJson.read(ContactEventJson.writeBytes(event))).isEqualTo(event);
        });
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void theSameEventIsAlwaysWrittenTheSameWay(long seed) {
        RandomEvents.check(seed, RandomEvents::event, event -> {
            String json = ContactEventJson.write(event);

            assertThat(ContactEventJson.write(ContactEventJson.read(json))).isEqualTo(json);
        });
    }

    @Test
    void randomEventsCoverEveryType() {
        RandomEvents random = new RandomEvents(0);
        Set<String> generated = Stream.generate(random::event).limit(2_000).map(e -> e.data().type()).collect(Collectors.toSet());

        assertThat(generated).containsExactlyInAnyOrderElementsOf(ContactEventJson.types().keySet());
    }
}
