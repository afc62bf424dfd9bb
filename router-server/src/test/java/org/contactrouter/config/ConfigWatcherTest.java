package org.contactrouter.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.contactrouter.config.TestConfigs.AGENTS;
import static org.contactrouter.config.TestConfigs.ROUTING;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.contactrouter.routing.RoutingConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigWatcherTest {

    private static final Duration OFTEN = Duration.ofMillis(20);

    @TempDir
    Path dir;

    private final List<RoutingConfig> applied = new CopyOnWriteArrayList<>();
    private final List<List<Problem>> rejected = new CopyOnWriteArrayList<>();
    private final ConfigWatcher.Listener listener = new ConfigWatcher.Listener() {
        @Override
        public void onApplied(RoutingConfig config, List<Problem> warnings) {
            applied.add(config);
        }

        @Override
        public void onRejected(List<Problem> problems) {
            rejected.add(problems);
        }
    };
    private RoutingConfig initial;
    private ConfigWatcher watcher;

    @BeforeEach
    void loadInitialConfig() {
        initial = ConfigLoader.load(TestConfigs.write(dir, ROUTING, AGENTS)).config().orElseThrow();
    }

    @AfterEach
    void stopWatching() {
        watcher.close();
    }

    @Test
    void appliesValidEditWithoutRestart() {
        watcher = ConfigWatcher.start(dir, initial, OFTEN, listener);

        TestConfigs.replace(dir, "routing.yaml", ROUTING.replace("skills: { billing: 2 }", "skills: { billing: 3 }"));

        await().untilAsserted(() -> assertThat(applied).hasSize(1));
        assertThat(watcher.current()).isSameAs(applied.get(0));
        assertThat(watcher.current().version()).isNotEqualTo(initial.version());
        assertThat(watcher.current().queues().get(0).skills()).containsEntry("billing", 3);
        assertThat(rejected).isEmpty();
    }

    @Test
    void keepsPreviousConfigWhenEditIsInvalid() {
        watcher = ConfigWatcher.start(dir, initial, OFTEN, listener);

        TestConfigs.replace(dir, "routing.yaml", ROUTING.replace("queue: general", "queue: genral"));

        await().untilAsserted(() -> assertThat(rejected).hasSize(1));
        assertThat(rejected.get(0)).map(Problem::toString).containsExactly(
                "routing.yaml:9:12: rules[0].queue: unknown queue 'genral' (expected one of [billing, general])");
        assertThat(watcher.current()).isSameAs(initial);
        assertThat(applied).isEmpty();
    }

    @Test
    void appliesTheFixOfARejectedEdit() {
        watcher = ConfigWatcher.start(dir, initial, OFTEN, listener);
        TestConfigs.replace(dir, "agents.yaml", AGENTS.replace("tech: 3", "tech: 11"));
        await().untilAsserted(() -> assertThat(rejected).hasSize(1));

        TestConfigs.replace(dir, "agents.yaml", AGENTS.replace("tech: 3", "tech: 10"));

        await().untilAsserted(() -> assertThat(applied).hasSize(1));
        assertThat(watcher.current().agents().get(1).level("tech")).isEqualTo(10);
        assertThat(rejected).hasSize(1);
    }

    @Test
    void doesNotReapplyContentThatGivesTheCurrentVersion() {
        watcher = ConfigWatcher.start(dir, initial, Duration.ofHours(1), listener);
        TestConfigs.replace(dir, "routing.yaml", ROUTING);
        watcher.poll();

        TestConfigs.replace(dir, "routing.yaml", ROUTING.replace("queue: general", "queue: genral"));
        watcher.poll();
        watcher.poll();
        TestConfigs.replace(dir, "routing.yaml", ROUTING);
        watcher.poll();

        assertThat(applied).isEmpty();
        assertThat(rejected).hasSize(1);
        assertThat(watcher.current()).isSameAs(initial);
    }
}
