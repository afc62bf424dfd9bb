package org.contactrouter.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Where each run setting comes from: the option, else the environment, else router.yaml, else the default. */
class RunCommandTest {

    @TempDir
    Path dir;

    private final Map<String, String> env = new HashMap<>();

    private ServerSettings settings(String... args) {
        RunCommand run = new RunCommand();
        new CommandLine(run).parseArgs(args);
        return run.settings(env::get);
    }

    @Test
    void routerYamlSetsWhatNoOptionOrVariableSets() throws Exception {
        Files.writeString(dir.resolve("router.yaml"), """
                http:
                  port: 9999
                kafka:
                  partitions: 3
                """);
        ServerSettings s = settings("--config", dir.toString());
        assertThat(s.http().port()).isEqualTo(9999);
        assertThat(s.partitions()).isEqualTo(3);
        assertThat(s.http().host()).isEqualTo("127.0.0.1");
        assertThat(s.bootstrapServers()).isNull();
    }

    @Test
    void theEnvironmentWinsOverRouterYamlAndAnOptionWinsOverBoth() throws Exception {
        Files.writeString(dir.resolve("router.yaml"), "http:\n  port: 9999\n");
        env.put("ROUTER_HTTP_PORT", "7777");
        assertThat(settings("--config", dir.toString()).http().port()).isEqualTo(7777);
        assertThat(settings("--config", dir.toString(), "--http-port", "6666").http().port()).isEqualTo(6666);
        env.put("ROUTER_CONFIG", dir.toString());
        assertThat(settings().http().port()).isEqualTo(7777);
    }

    @Test
    void listsOfNamesAndProxiesComeAsYamlListsOrCommaSeparated() throws Exception {
        Files.writeString(dir.resolve("router.yaml"), """
                http:
                  publicNames: [support.example.com, Router.Internal]
                  trustedProxies: [10.0.0.0/8]
                """);
        ServerSettings s = settings("--config", dir.toString());
        assertThat(s.http().publicNames()).containsExactly("support.example.com", "Router.Internal");
        assertThat(s.http().trustedProxies()).containsExactly("10.0.0.0/8");
        env.put("ROUTER_HTTP_TRUSTED_PROXIES", "192.168.1.10, ::1");
        assertThat(settings("--config", dir.toString()).http().trustedProxies()).containsExactly("192.168.1.10", "::1");
    }

    @Test
    void anUnknownSettingInRouterYamlIsAnErrorNamingLineAndKnownSettings() throws Exception {
        Files.writeString(dir.resolve("router.yaml"), "http:\n  prot: 8080\n");
        assertThatThrownBy(() -> settings("--config", dir.toString()))
                .hasMessageStartingWith("router.yaml:2:3: http.prot: unknown setting (expected one of: dataDir, http.host, http.port,");
    }

    @Test
    void aMalformedNumberNamesTheSettingAndWhereItCanBeSet() {
        env.put("ROUTER_PARTITIONS", "six");
        assertThatThrownBy(() -> settings("--config", dir.toString()))
                .hasMessage("kafka.partitions (--partitions, ROUTER_PARTITIONS): 'six' (expected a whole number)");
    }

    @Test
    void theLedgerPasswordComesFromTheEnvironmentOrAFileNeverFromRouterYaml() throws Exception {
        Files.writeString(dir.resolve("router.yaml"), "ledger:\n  password: secret\n");
        assertThatThrownBy(() -> settings("--config", dir.toString())).hasMessageContaining("ledger.password: unknown setting");
        Files.delete(dir.resolve("router.yaml"));
        Path secret = dir.resolve("ledger-password");
        Files.writeString(secret, "s3cret\n");
        env.put("ROUTER_LEDGER_PASSWORD_FILE", secret.toString());
        assertThat(settings("--config", dir.toString()).ledgerPassword()).isEqualTo("s3cret");
    }

    @Test
    void theExampleRouterYamlGivesTheDocumentedDefaults() {
        Path config = Path.of(System.getProperty("repoRoot", "..")).resolve("config");
        ServerSettings s = settings("--config", config.toString());
        for (ServerSetting setting : ServerSetting.values()) {
            if (setting.yamlKey != null) {
                assertThat(ServerSetting.readYaml(config.resolve("router.yaml"))).as(setting.yamlKey)
                        .containsEntry(setting.yamlKey, setting.defaultValue);
            }
        }
        assertThat(s.http().port()).isEqualTo(8080);
        assertThat(s.kafkaPort()).isEqualTo(9092);
        assertThat(s.partitions()).isEqualTo(6);
    }
}
