package org.contactrouter.server.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import java.util.Map;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.junit.jupiter.api.Test;

/** Every client starts from the same base; each kind gets the settings it knows, and its own settings win. */
class KafkaClientsTest {

    private final KafkaClients clients = KafkaClients.of("kafka-1:9093", Map.of(
            "security.protocol", "SASL_SSL",
            "sasl.mechanism", "SCRAM-SHA-512",
            "sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required"
                    + " username=\"router\" password=\"s3cret\";",
            "linger.ms", "5",
            "fetch.min.bytes", "1024"));

    @Test
    void eachKindOfClientGetsTheBaseSettingsItKnows() {
        Map<String, Object> producer = clients.config(ProducerConfig.configNames(), Map.of());
        Map<String, Object> consumer = clients.config(ConsumerConfig.configNames(), Map.of());
        Map<String, Object> admin = clients.config(AdminClientConfig.configNames(), Map.of());

        for (Map<String, Object> config : java.util.List.of(producer, consumer, admin)) {
            assertThat(config).contains(entry("bootstrap.servers", "kafka-1:9093"),
                    entry("security.protocol", "SASL_SSL"), entry("sasl.mechanism", "SCRAM-SHA-512"))
                    .containsKey("sasl.jaas.config");
        }
        assertThat(producer).containsEntry("linger.ms", "5").doesNotContainKey("fetch.min.bytes");
        assertThat(consumer).containsEntry("fetch.min.bytes", "1024").doesNotContainKey("linger.ms");
        assertThat(admin).doesNotContainKeys("linger.ms", "fetch.min.bytes");
    }

    @Test
    void aClientsOwnSettingsWinOverTheBase() {
        assertThat(clients.config(ProducerConfig.configNames(), Map.of("linger.ms", 1)))
                .containsEntry("linger.ms", 1);
    }

    @Test
    void settingsAreCheckedAgainstKafkasDeclarations() {
        assertThatThrownBy(() -> KafkaClients.of("kafka-1:9093", Map.of("sasl.mechansim", "PLAIN")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("sasl.mechansim: not a Kafka client setting");
        assertThatThrownBy(() -> KafkaClients.of("kafka-1:9093", Map.of("linger.ms", "soon")))
                .hasMessageStartingWith("linger.ms: 'soon' (");
        assertThatThrownBy(() -> KafkaClients.of("kafka-1:9093", Map.of("bootstrap.servers", "elsewhere:9092")))
                .hasMessage("bootstrap.servers: the cluster is set by kafka.bootstrapServers"
                        + " (ROUTER_KAFKA_BOOTSTRAP_SERVERS)");
    }

    @Test
    void secretsAreNeverShown() {
        assertThat(clients.toString()).contains("sasl.jaas.config=***", "security.protocol=SASL_SSL")
                .doesNotContain("s3cret");
        assertThat(clients.describe()).isEqualTo("kafka-1:9093 (SASL_SSL, SCRAM-SHA-512)");
        assertThat(KafkaClients.plaintext("127.0.0.1:9092").describe()).isEqualTo("127.0.0.1:9092 (PLAINTEXT)");
    }
}
