package org.contactrouter.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

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
    void aServerBeyondLoopbackMustNameItsPublicNamesAndProxiesMustBeAddresses() {
        assertThatThrownBy(() -> settings("--config", dir.toString(), "--http-host", "0.0.0.0"))
                .hasMessageContaining("http.publicNames: the server listens beyond loopback");
        assertThat(settings("--config", dir.toString(), "--http-host", "0.0.0.0", "--http-public-names",
                "support.example.com").http().publicNames()).containsExactly("support.example.com");
        assertThatThrownBy(() -> settings("--config", dir.toString(), "--http-trusted-proxies", "proxy.example"))
                .hasMessageContaining("http.trustedProxies: 'proxy.example' (expected an IP address or a CIDR block");
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
        assertThatThrownBy(() -> settings("--config", dir.toString())).hasMessage("router.yaml:2:3: ledger.password:"
                + " a secret is never read from router.yaml; set ROUTER_LEDGER_PASSWORD, or ROUTER_LEDGER_PASSWORD_FILE"
                + " to a file holding it");
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
            if (setting.kind == ServerSetting.Kind.VALUE && setting.yamlKey != null) {
                assertThat(ServerSetting.readYaml(config.resolve("router.yaml"))).as(setting.yamlKey)
                        .containsEntry(setting.yamlKey, setting.defaultValue);
            }
        }
        assertThat(s.http().port()).isEqualTo(8080);
        assertThat(s.kafkaPort()).isEqualTo(9092);
        assertThat(s.partitions()).isEqualTo(6);
        assertThat(s.kafkaClient()).isEmpty();
        assertThat(s.ledgerTimeout()).hasSeconds(10);
    }

    @Test
    void kafkaClientSettingsComeFromRouterYamlAndTheirSecretsFromTheEnvironment() throws Exception {
        Files.writeString(dir.resolve("router.yaml"), """
                kafka:
                  bootstrapServers: "kafka-1:9093,kafka-2:9093"
                  client:
                    security.protocol: SASL_SSL
                    sasl.mechanism: SCRAM-SHA-512
                    ssl.truststore.location: /etc/router/kafka-ca.p12
                    ssl.truststore.type: PKCS12
                    ssl.endpoint.identification.algorithm: https
                """);
        Path jaas = dir.resolve("kafka-jaas");
        Files.writeString(jaas, "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"router\""
                + " password=\"s3cret\";\n");
        env.put("ROUTER_KAFKA_SASL_JAAS_CONFIG_FILE", jaas.toString());
        env.put("ROUTER_KAFKA_SSL_TRUSTSTORE_PASSWORD", "store-pass");

        ServerSettings s = settings("--config", dir.toString());

        assertThat(s.kafkaClient()).containsOnly(
                entry("security.protocol", "SASL_SSL"),
                entry("sasl.mechanism", "SCRAM-SHA-512"),
                entry("ssl.truststore.location", "/etc/router/kafka-ca.p12"),
                entry("ssl.truststore.type", "PKCS12"),
                entry("ssl.endpoint.identification.algorithm", "https"),
                entry("sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required"
                        + " username=\"router\" password=\"s3cret\";"),
                entry("ssl.truststore.password", "store-pass"));
        assertThat(s.toString()).contains("security.protocol=SASL_SSL", "sasl.jaas.config=***")
                .doesNotContain("s3cret", "store-pass");
    }

    @Test
    void aMistypedKafkaClientSettingIsAnErrorNamingItsLine() throws Exception {
        Files.writeString(dir.resolve("router.yaml"), """
                kafka:
                  bootstrapServers: "kafka-1:9093"
                  client:
                    security.protocl: SASL_SSL
                    sasl.mechanism: SCRAM-SHA-256
                """);
        assertThatThrownBy(() -> settings("--config", dir.toString())).hasMessageStartingWith(
                "router.yaml:4:5: kafka.client.security.protocl: not a Kafka client setting");

        Files.writeString(dir.resolve("router.yaml"), """
                kafka:
                  bootstrapServers: "kafka-1:9093"
                  client:
                    security.protocol: SASL_PLAIN
                """);
        assertThatThrownBy(() -> settings("--config", dir.toString())).hasMessageStartingWith(
                "router.yaml:4:5: kafka.client.security.protocol: 'SASL_PLAIN' (").hasMessageContaining("SASL_SSL");
    }

    @Test
    void aSecretUnderKafkaClientIsRefusedNamingTheVariableToUse() throws Exception {
        Files.writeString(dir.resolve("router.yaml"), """
                kafka:
                  bootstrapServers: "kafka-1:9093"
                  client:
                    security.protocol: SASL_SSL
                    sasl.jaas.config: "org.apache.kafka.common.security.plain.PlainLoginModule required;"
                    ssl.keystore.password: hunter2
                    ssl.keystore.key: "-----BEGIN PRIVATE KEY-----"
                """);
        assertThatThrownBy(() -> settings("--config", dir.toString())).hasMessage(String.join("\n",
                "router.yaml:5:5: kafka.client.sasl.jaas.config: a secret is never read from router.yaml; set"
                        + " ROUTER_KAFKA_SASL_JAAS_CONFIG, or ROUTER_KAFKA_SASL_JAAS_CONFIG_FILE to a file holding it",
                "router.yaml:6:5: kafka.client.ssl.keystore.password: a secret is never read from router.yaml; set"
                        + " ROUTER_KAFKA_SSL_KEYSTORE_PASSWORD, or ROUTER_KAFKA_SSL_KEYSTORE_PASSWORD_FILE to a file"
                        + " holding it",
                "router.yaml:7:5: kafka.client.ssl.keystore.key: a secret, never read from a file in the config"
                        + " directory"));
    }

    @Test
    void kafkaClientSettingsWithoutAnExternalClusterAreAnError() throws Exception {
        env.put("ROUTER_KAFKA_SASL_JAAS_CONFIG", "org.apache.kafka.common.security.plain.PlainLoginModule required;");
        assertThatThrownBy(() -> settings("--config", dir.toString()))
                .hasMessageStartingWith("kafka.client [sasl.jaas.config]: client settings for an external cluster,"
                        + " but kafka.bootstrapServers is empty");
    }

    @Test
    void operationsDocListsEverySetting() throws Exception {
        String doc = Files.readString(Path.of(System.getProperty("repoRoot", "..")).resolve("docs/operations.md"));
        for (ServerSetting s : ServerSetting.values()) {
            if (s.option != null) {
                assertThat(doc).as("docs/operations.md lists %s", s.option).contains("`" + s.option);
            }
            if (s.env != null) {
                assertThat(doc).as("docs/operations.md lists %s", s.env).contains("`" + s.env + "`");
            }
            if (s.yamlKey != null) {
                assertThat(doc).as("docs/operations.md lists %s", s.yamlKey).contains("`" + s.yamlKey + "`");
            }
            if (s.kind == ServerSetting.Kind.SECRET) {
                assertThat(doc).as("docs/operations.md lists %s", s.env + "_FILE").contains("`" + s.env + "_FILE`");
            }
        }
    }
}
