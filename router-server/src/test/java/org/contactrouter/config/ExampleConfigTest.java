package org.contactrouter.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.contactrouter.routing.RoutingConfig;
import org.junit.jupiter.api.Test;

/** The runnable example in config/ stays valid. */
class ExampleConfigTest {

    @Test
    void exampleConfigLoadsWithoutErrors() {
        LoadResult result = ConfigLoader.load(TestConfigs.repoRoot().resolve("config"));

        assertThat(result.errors()).isEmpty();
        RoutingConfig config = result.config().orElseThrow();
        assertThat(config.queues()).hasSize(4);
        assertThat(config.rules()).hasSize(6);
        assertThat(config.agents()).hasSize(6);
        assertThat(config.customers()).hasSize(2);
        assertThat(result.accounts().agents().values()).as("every example agent can sign in to the desktop")
                .hasSize(6).allMatch(a -> a.passwordHash() != null);
        assertThat(result.accounts().agents().values()).as("the example has one team lead")
                .filteredOn(a -> a.supervisor()).hasSize(1);
    }

    /**
     * RoutingConfig.check() warns whenever a later rule to another queue could match the same contact, which every
     * catch-all does: those warnings are expected; any other (an unstaffed queue, say) is not.
     */
    @Test
    void exampleConfigWarnsOnlyAboutRulesThatOverlapByDesign() {
        LoadResult result = ConfigLoader.load(TestConfigs.repoRoot().resolve("config"));

        assertThat(result.warnings()).allSatisfy(w -> assertThat(w.message()).contains("' overlaps rule '"));
    }
}
