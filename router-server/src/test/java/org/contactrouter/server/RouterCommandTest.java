package org.contactrouter.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.contactrouter.config.ConfigDocs;
import org.contactrouter.config.ConfigLoader;
import org.contactrouter.config.TestConfigs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class RouterCommandTest {

    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        return new CommandLine(new RouterCommand()).setOut(new PrintWriter(out)).setErr(new PrintWriter(err))
                .execute(args);
    }

    @Test
    void validatePrintsTheSummaryAndExitsZeroForAValidConfig() {
        TestConfigs.write(dir, TestConfigs.ROUTING, TestConfigs.AGENTS);
        String version = ConfigLoader.load(dir).config().orElseThrow().version();

        int exitCode = run("validate", "--config", dir.toString());

        assertThat(exitCode).isZero();
        assertThat(out).hasToString(dir + "/ is valid (version " + version + "): 2 queues, 1 rule, 2 agents; channels: chat; "
                + "no warnings" + System.lineSeparator());
        assertThat(err.toString()).isEmpty();
    }

    @Test
    void validateRefusesAConfigTooLargeForOneKafkaRecordAndWarnsNearTheLimit() throws Exception {
        TestConfigs.write(dir, TestConfigs.ROUTING, TestConfigs.AGENTS);
        // A comment is part of the config's files: it makes them large without making the config slow to check.
        java.nio.file.Files.writeString(dir.resolve("customers.yaml"), "# " + "x".repeat(900_000) + "\ncustomers: []\n");
        assertThat(run("validate", "--config", dir.toString())).isZero();
        assertThat(out.toString()).contains("config: warning: the config is ").contains("near the 1000000");

        out.getBuffer().setLength(0);
        java.nio.file.Files.writeString(dir.resolve("customers.yaml"), "# " + "x".repeat(1_100_000)
                + "\ncustomers: []\n");
        assertThat(run("validate", "--config", dir.toString())).isEqualTo(1);
        assertThat(out.toString()).contains("as one Kafka record, over the 1000000 the server can publish")
                .contains("is invalid: 1 error");
    }

    @Test
    void validatePrintsErrorsThenWarningsAndExitsOne() {
        TestConfigs.write(dir, TestConfigs.ROUTING.replace("{ billing: 2 }", "{ billing: 5 }"),
                TestConfigs.AGENTS.replace("id: bob", "id: bob\n    capacity: { chat: 30 }"));

        int exitCode = run("validate", "--config", dir.toString());

        assertThat(exitCode).isEqualTo(1);
        assertThat(out.toString().lines()).containsExactly(
                "agents.yaml:6:23: agents[1].capacity.chat: 30 (expected: 0..20)",
                dir + "/ is invalid: 1 error, no warnings");
    }

    @Test
    void validateListsWarningsOfAValidConfig() {
        TestConfigs.write(dir, TestConfigs.ROUTING.replace("{ billing: 2 }", "{ billing: 5 }"), TestConfigs.AGENTS);

        assertThat(run("validate", "--config", dir.toString())).isZero();
        assertThat(out.toString().lines()).hasSize(3).last().asString().endsWith("; 2 warnings");
        assertThat(out.toString().lines().findFirst()).hasValueSatisfying(line -> assertThat(line).startsWith(
                "routing.yaml:4:13: warning: queues[0].skills: no agent can take chat contacts of queue 'billing'"));
    }

    @Test
    void validatesTheRepositorysExample() {
        int exitCode = run("validate", "--config", TestConfigs.repoRoot().resolve("config").toString());

        assertThat(exitCode).isZero();
        assertThat(out.toString()).contains("/config/ is valid (version ");
    }

    @Test
    void validateWithoutConfigIsAUsageError() {
        assertThat(run("validate")).isEqualTo(2);
        assertThat(err.toString()).contains("Missing required option: '--config=DIR'")
                .contains("Usage: router validate");
    }

    @Test
    void validateOfSomethingOtherThanADirectoryIsAUsageError() {
        Path missing = dir.resolve("nope");

        assertThat(run("validate", "--config", missing.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("--config: '" + missing + "' is not a directory (expected: a directory "
                + "with routing.yaml and agents.yaml)");
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void configDocsPrintsTheGeneratedReference() {
        assertThat(run("config-docs")).isZero();
        assertThat(out).hasToString(ConfigDocs.render());
    }

    @Test
    void apiKeyPrintsAKeyOnceAndTheHashForIntegrationsYaml() {
        assertThat(run("api-key", "crm", "--scope", "contacts:create", "--scope", "history:read")).isZero();
        String key = out.toString().lines().filter(l -> l.startsWith("key ")).findFirst().orElseThrow()
                .replaceAll(".*: ", "");
        assertThat(org.contactrouter.access.ApiKeys.idOf(key)).isEqualTo("crm");
        assertThat(out.toString()).contains("keyHash: \"" + org.contactrouter.access.ApiKeys.hash(key) + "\"")
                .contains("scopes: [contacts:create, history:read]").doesNotContain("keyHash: \"" + key);
        assertThat(run("api-key", "crm", "--scope", "everything")).isEqualTo(1);
        assertThat(err.toString()).contains("'everything' (expected one of: contacts:create");
    }

    @Test
    void noCommandIsAUsageErrorListingTheCommands() {
        assertThat(run()).isEqualTo(2);
        assertThat(err.toString()).contains("Missing command (expected one of: run, validate, config-docs, hash-password, api-key, contact, customer, agent, queues, export, audit)")
                .contains("Usage: router");
    }

    @Test
    void helpDescribesTheCommands() {
        assertThat(run("--help")).isZero();
        assertThat(out.toString()).contains("validate").contains("config-docs");
    }
}
