package org.contactrouter.server.runtime;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.contactrouter.config.ConfigSnapshot;
import org.contactrouter.routing.SnapshotException;
import org.contactrouter.server.kafka.KafkaTopics;

/**
 * One partition's routing state at a point of its journal: every domain's engine snapshot, the configs they run
 * under and the latest config published to the partition. Restoring a partition is this plus the journal after
 * {@link #journalOffset}, so restore time depends on the snapshot interval, not on how long the router has run.
 *
 * <p>On Kafka it is written to partition {@code p} of the compacted topic {@code routing.snapshots}, gzip-compressed
 * and cut into parts of at most {@link #PART_BYTES} (Kafka's records are limited to about 1 MB), in the same
 * transaction as the journal entries after it: a snapshot is committed exactly when the state it describes is. Parts
 * are keyed {@code <partition>/<part>}, so compaction keeps the latest snapshot and drops older ones; parts a smaller
 * snapshot no longer needs are deleted with tombstones.
 *
 * @param journalOffset where the journal continues after this state: the tail to replay starts here
 * @param takenAt       when it was taken (for the log)
 * @param latest        the latest config published to the partition, or null
 * @param configs       the configs the domains run under, by version
 * @param domains       each domain's engine snapshot, by domain
 */
public record PartitionSnapshot(long journalOffset, Instant takenAt, ConfigSnapshot latest, Map<String, ConfigSnapshot> configs,
                         List<DomainState> domains) {

    /** The layout of the bytes below; a reader refuses another. */
    static final int FORMAT = 1;
    /** The largest part in one record: well under Kafka's default record limit of about 1 MB. */
    static final int PART_BYTES = 512 * 1024;
    static final String JOURNAL_OFFSET = "journal-offset";
    static final String PART = "part";
    static final String PARTS = "parts";

    /** One domain's engine state and the config version it runs under. */
    public record DomainState(String domain, String configVersion, byte[] engine) {
    }

    byte[] toBytes() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(8192);
        try (DataOutputStream out = new DataOutputStream(new GZIPOutputStream(bytes, 65536))) {
            out.writeInt(FORMAT);
            out.writeLong(journalOffset);
            out.writeLong(takenAt.toEpochMilli());
            out.writeBoolean(latest != null);
            if (latest != null) {
                writeConfig(out, latest);
            }
            out.writeInt(configs.size());
            for (ConfigSnapshot c : new TreeMap<>(configs).values()) {
                writeConfig(out, c);
            }
            out.writeInt(domains.size());
            for (DomainState d : domains) {
                writeString(out, d.domain());
                writeString(out, d.configVersion());
                out.writeInt(d.engine().length);
                out.write(d.engine());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    static PartitionSnapshot fromBytes(byte[] compressed) {
        try (DataInputStream in = new DataInputStream(new GZIPInputStream(new ByteArrayInputStream(compressed)))) {
            int format = in.readInt();
            if (format != FORMAT) {
                throw new SnapshotException("partition snapshot format " + format + "; this router reads format "
                        + FORMAT);
            }
            long offset = in.readLong();
            Instant at = Instant.ofEpochMilli(in.readLong());
            ConfigSnapshot latest = in.readBoolean() ? readConfig(in) : null;
            Map<String, ConfigSnapshot> configs = new TreeMap<>();
            for (int n = in.readInt(); n > 0; n--) {
                ConfigSnapshot c = readConfig(in);
                configs.put(c.version(), c);
            }
            List<DomainState> domains = new ArrayList<>();
            for (int n = in.readInt(); n > 0; n--) {
                String domain = readString(in);
                String version = readString(in);
                domains.add(new DomainState(domain, version, in.readNBytes(in.readInt())));
            }
            return new PartitionSnapshot(offset, at, latest, configs, domains);
        } catch (IOException | RuntimeException e) {
            if (e instanceof SnapshotException s) {
                throw s;
            }
            throw new SnapshotException("a partition snapshot cannot be read: " + e, e);
        }
    }

    /**
     * The records that write this snapshot of {@code partition}, and tombstones for the parts of an earlier, larger
     * snapshot ({@code previousParts}) that this one does not overwrite.
     */
    public List<ProducerRecord<String, byte[]>> records(int partition, int previousParts) {
        byte[] bytes = toBytes();
        int parts = Math.max(1, (bytes.length + PART_BYTES - 1) / PART_BYTES);
        List<ProducerRecord<String, byte[]>> records = new ArrayList<>(parts);
        for (int i = 0; i < parts; i++) {
            byte[] part = Arrays.copyOfRange(bytes, i * PART_BYTES, Math.min(bytes.length, (i + 1) * PART_BYTES));
            ProducerRecord<String, byte[]> r = new ProducerRecord<>(KafkaTopics.ROUTING_SNAPSHOTS, partition,
                    partition + "/" + i, part);
            r.headers().add(JOURNAL_OFFSET, ByteBuffer.allocate(8).putLong(journalOffset).array());
            r.headers().add(PART, ByteBuffer.allocate(4).putInt(i).array());
            r.headers().add(PARTS, ByteBuffer.allocate(4).putInt(parts).array());
            records.add(r);
        }
        for (int i = parts; i < previousParts; i++) {
            records.add(new ProducerRecord<>(KafkaTopics.ROUTING_SNAPSHOTS, partition, partition + "/" + i, null));
        }
        return records;
    }

    /**
     * The latest complete snapshot of a partition, read backwards from the end of its {@code routing.snapshots}
     * partition in growing windows: only the last snapshot's records are read, however many older ones compaction
     * has not removed yet.
     *
     * @param reader a read_committed consumer; its assignment is replaced
     * @return the snapshot's bytes and its number of parts, or empty when the partition has none
     */
    static Optional<Found> latest(Consumer<String, byte[]> reader, int partition) {
        TopicPartition tp = new TopicPartition(KafkaTopics.ROUTING_SNAPSHOTS, partition);
        reader.assign(List.of(tp));
        long begin = reader.beginningOffsets(List.of(tp)).get(tp);
        long end = reader.endOffsets(List.of(tp)).get(tp);
        for (long window = 64; ; window *= 4) {
            long from = Math.max(begin, end - window);
            reader.seek(tp, from);
            Map<Long, byte[][]> groups = new LinkedHashMap<>();
            while (reader.position(tp) < end) {
                for (ConsumerRecord<String, byte[]> r : reader.poll(Duration.ofMillis(50))) {
                    long offset = longHeader(r, JOURNAL_OFFSET);
                    int parts = intHeader(r, PARTS);
                    int part = intHeader(r, PART);
                    if (r.value() == null || r.offset() >= end || parts < 1) {
                        continue; // a tombstone, or not a snapshot part
                    }
                    byte[][] group = groups.computeIfAbsent(offset, k -> new byte[parts][]);
                    if (group.length == parts && part >= 0 && part < parts) {
                        group[part] = r.value();
                    }
                }
            }
            Long best = null;
            boolean newerCutOff = false;
            for (Map.Entry<Long, byte[][]> g : groups.entrySet()) {
                boolean complete = Arrays.stream(g.getValue()).allMatch(p -> p != null);
                if (complete && (best == null || g.getKey() > best)) {
                    best = g.getKey();
                }
            }
            for (Map.Entry<Long, byte[][]> g : groups.entrySet()) {
                if ((best == null || g.getKey() > best) && Arrays.stream(g.getValue()).anyMatch(p -> p == null)) {
                    newerCutOff = true;
                }
            }
            if (best != null && (!newerCutOff || from == begin)) {
                byte[][] parts = groups.get(best);
                ByteArrayOutputStream joined = new ByteArrayOutputStream();
                for (byte[] p : parts) {
                    joined.writeBytes(p);
                }
                return Optional.of(new Found(joined.toByteArray(), parts.length));
            }
            if (from == begin) {
                return Optional.empty();
            }
        }
    }

    /** A snapshot as found on Kafka: its compressed bytes and how many parts it took. */
    record Found(byte[] bytes, int parts) {
    }

    private static long longHeader(ConsumerRecord<String, byte[]> r, String key) {
        Header h = r.headers().lastHeader(key);
        return h == null || h.value().length != 8 ? -1 : ByteBuffer.wrap(h.value()).getLong();
    }

    private static int intHeader(ConsumerRecord<String, byte[]> r, String key) {
        Header h = r.headers().lastHeader(key);
        return h == null || h.value().length != 4 ? -1 : ByteBuffer.wrap(h.value()).getInt();
    }

    private static void writeConfig(DataOutputStream out, ConfigSnapshot c) throws IOException {
        writeString(out, c.version());
        out.writeInt(c.files().size());
        for (Map.Entry<String, String> f : c.files().entrySet()) {
            writeString(out, f.getKey());
            writeString(out, f.getValue());
        }
    }

    private static ConfigSnapshot readConfig(DataInputStream in) throws IOException {
        String version = readString(in);
        Map<String, String> files = new TreeMap<>();
        for (int n = in.readInt(); n > 0; n--) {
            files.put(readString(in), readString(in));
        }
        return new ConfigSnapshot(version, files);
    }

    private static void writeString(DataOutputStream out, String s) throws IOException {
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(utf8.length);
        out.write(utf8);
    }

    private static String readString(DataInputStream in) throws IOException {
        return new String(in.readNBytes(in.readInt()), StandardCharsets.UTF_8);
    }
}
