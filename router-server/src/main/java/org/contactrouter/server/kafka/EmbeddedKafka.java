package org.contactrouter.server.kafka;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntSupplier;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.common.utils.internals.Exit;
import org.apache.kafka.metadata.storage.Formatter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A single-node Kafka (KRaft, broker and controller in one node) running inside this JVM.
 *
 * <p>It is the default when no external cluster is configured, so that one command runs everything. Its state lives
 * under {@code dataDir/kafka}: the partition logs in {@code data/}, the metadata log in {@code metadata/}, and in each
 * Kafka's own {@code meta.properties} (cluster id, node id). Nothing else is persisted, so stopping it and starting it again on the same directory keeps topics,
 * committed records and committed consumer offsets.
 *
 * <p>Both listeners are plaintext on 127.0.0.1. The broker listener takes the given port or, for port 0, a free one;
 * the controller listener, which only this broker talks to, always takes a free one. As ports are not persisted, a
 * restart with port 0 may come up on another port: clients must take {@link #bootstrapServers()} from the running
 * instance, or use a fixed port.
 *
 * <p>For tests of clients of a secured cluster, {@link #start(Path, int, IntSupplier, ScramUser)} starts it with its
 * client listener on SASL_PLAINTEXT with SCRAM, and a user made when the storage is formatted; replication and
 * transaction markers then go through a plaintext listener of their own on 127.0.0.1.
 */
public final class EmbeddedKafka implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedKafka.class);

    /** The node id of the single node; written by the formatter into {@code meta.properties}. */
    static final int NODE_ID = 1;
    static final String BROKER_LISTENER = "PLAINTEXT";
    static final String CONTROLLER_LISTENER = "CONTROLLER";
    /** The client listener of a broker started with a {@link ScramUser}. */
    static final String SASL_LISTENER = "SASL_PLAINTEXT";
    private static final String HOST = "127.0.0.1";
    private static final String META_PROPERTIES = "meta.properties";
    /** Under {@code dataDir/kafka}: the partition logs ({@code log.dirs}) and the metadata log. */
    private static final String DATA = "data";
    private static final String METADATA = "metadata";
    /** Kafka's lock file in each of its directories. */
    private static final String LOCK = ".lock";
    /** Serialises starts: the JVM-wide Exit procedures are replaced while a broker starts. */
    private static final Object STARTING = new Object();
    /** Attempts when a free port picked here was taken by someone else before the broker bound it. */
    private static final int BIND_ATTEMPTS = 3;


    private final KafkaRaftServer server;
    private final Path logDir;
    private final String clusterId;
    private final int port;
    private final int controllerPort;
    private final long startupMillis;
    private final AtomicBoolean closed = new AtomicBoolean();

    private EmbeddedKafka(KafkaRaftServer server, Path logDir, String clusterId, int port, int controllerPort,
            long startupMillis) {
        this.server = server;
        this.logDir = logDir;
        this.clusterId = clusterId;
        this.port = port;
        this.controllerPort = controllerPort;
        this.startupMillis = startupMillis;
    }

    /**
     * Starts the broker, formatting {@code dataDir/kafka} first if it has never been formatted. Returns once the
     * broker has started up and accepts requests on {@link #bootstrapServers()}.
     *
     * <p>Kafka's controller ends the JVM ({@code Exit.halt(1)}) when it fails to start. While this method runs, Kafka's
     * {@code Exit} procedures are replaced so that such a failure becomes an exception here (a port picked as free
     * but taken meanwhile is retried); afterwards they are reset to Kafka's defaults.
     *
     * @param dataDir the data directory; the broker's files go to {@code dataDir/kafka}
     * @param port the broker listener's port on 127.0.0.1, or 0 for a free one
     * @throws IllegalStateException if the broker cannot start (port taken, directory used by another broker, storage
     *     of another node, ...)
     */
    public static EmbeddedKafka start(Path dataDir, int port) {
        return start(dataDir, port, EmbeddedKafka::freePort);
    }

    /** {@link #start(Path, int)} with the source of free ports given (tests make it return a taken one). */
    static EmbeddedKafka start(Path dataDir, int port, IntSupplier freePorts) {
        return start(dataDir, port, freePorts, null);
    }

    /**
     * A user of the SASL listener: its SCRAM mechanism ({@code SCRAM-SHA-256} or {@code SCRAM-SHA-512}), name and
     * password, written into the storage when it is formatted.
     */
    record ScramUser(String mechanism, String name, String password) {
    }

    /**
     * {@link #start(Path, int, IntSupplier)}, with the client listener on SASL_PLAINTEXT when {@code scram} is given:
     * only that user gets in there. Tests only: the listener for replication stays plaintext.
     */
    static EmbeddedKafka start(Path dataDir, int port, IntSupplier freePorts, ScramUser scram) {
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("port must be 0 (a free port) or 1..65535, was " + port);
        }
        long started = System.nanoTime();
        Path logDir = dataDir.toAbsolutePath().resolve("kafka");
        synchronized (STARTING) {
            refuseIfInUse(logDir);
            String clusterId = formatIfNeeded(logDir, scram);
            for (int attempt = 1; ; attempt++) {
                int brokerPort = port == 0 ? freePorts.getAsInt() : port;
                int controllerPort = freePorts.getAsInt();
                while (controllerPort == brokerPort) {
                    controllerPort = freePorts.getAsInt();
                }
                Properties properties = brokerProperties(logDir, brokerPort, controllerPort);
                if (scram != null) {
                    int internalPort = freePorts.getAsInt();
                    while (internalPort == brokerPort || internalPort == controllerPort) {
                        internalPort = freePorts.getAsInt();
                    }
                    secure(properties, scram, brokerPort, controllerPort, internalPort);
                }
                KafkaRaftServer server = null;
                // A controller that fails to start (its port taken, say) ends the JVM through Exit.halt(1). While
                // starting, that call throws instead, so the caller gets an exception. After the start, Kafka's own
                // behaviour applies: a fatal fault of the running broker still ends the JVM.
                Exit.setExitProcedure(EmbeddedKafka::refuseToEndTheJvm);
                Exit.setHaltProcedure(EmbeddedKafka::refuseToEndTheJvm);
                try {
                    server = new KafkaRaftServer(new KafkaConfig(properties, false), Time.SYSTEM);
                    server.startup();
                } catch (RuntimeException | Error e) {
                    if (server != null) {
                        stopQuietly(server);
                    }
                    // The controller port is always one picked here, the broker port when port was 0. A controller
                    // failure loses its cause on the way to Exit.halt: a port still taken after the stop tells.
                    boolean pickedPortTaken = isBindFailure(e) && port == 0
                            || isBindFailure(e) && mentions(e, HOST + ":" + controllerPort)
                            || causedBy(e, JvmEndRefused.class) && !isFree(controllerPort);
                    if (pickedPortTaken && attempt < BIND_ATTEMPTS) {
                        log.warn("Embedded Kafka: a port picked as free was taken before the broker bound it;"
                                + " retrying with other ports ({})", rootCause(e));
                        continue;
                    }
                    if (pickedPortTaken || isBindFailure(e)) {
                        throw new IllegalStateException("Embedded Kafka could not bind " + HOST + ":" + brokerPort
                                + " (broker) or " + HOST + ":" + controllerPort + " (controller), is it in use? "
                                + rootCause(e), e);
                    }
                    throw new IllegalStateException(
                            "Embedded Kafka failed to start on " + logDir + ": " + rootCause(e), e);
                } finally {
                    Exit.resetExitProcedure();
                    Exit.resetHaltProcedure();
                }
                long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
                log.info("Embedded Kafka started in {} ms on {}:{} (cluster {}, data in {})",
                        millis, HOST, brokerPort, clusterId, logDir);
                return new EmbeddedKafka(server, logDir, clusterId, brokerPort, controllerPort, millis);
            }
        }
    }

    /** {@code "127.0.0.1:<port>"}, for {@code bootstrap.servers}. */
    public String bootstrapServers() {
        return HOST + ":" + port;
    }

    /** The broker listener's port. */
    public int port() {
        return port;
    }

    /** The cluster id, generated when the directory was formatted and kept across restarts. */
    public String clusterId() {
        return clusterId;
    }

    /** The directory holding the broker's logs and metadata ({@code dataDir/kafka}). */
    public Path logDir() {
        return logDir;
    }

    /** How long {@link #start} took, formatting included, in milliseconds. */
    public long startupMillis() {
        return startupMillis;
    }

    /** Shuts the broker and controller down (controlled shutdown, logs flushed) and waits until they have stopped. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        long started = System.nanoTime();
        server.shutdown();
        server.awaitShutdown();
        log.info("Embedded Kafka on {}:{} stopped in {} ms", HOST, port,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
    }

    @Override
    public String toString() {
        return "EmbeddedKafka[" + bootstrapServers() + ", controller port " + controllerPort + ", " + logDir + "]";
    }

    static Properties brokerProperties(Path logDir, int port, int controllerPort) {
        Properties p = new Properties();
        p.put("process.roles", "broker,controller");
        p.put("node.id", String.valueOf(NODE_ID));
        // A static quorum (kraft.version 0): the voter's address comes from this config on every start and is not
        // written to the metadata log, so the controller may take another port after a restart.
        p.put("controller.quorum.voters", NODE_ID + "@" + HOST + ":" + controllerPort);
        p.put("controller.listener.names", CONTROLLER_LISTENER);
        p.put("listeners", BROKER_LISTENER + "://" + HOST + ":" + port + "," + CONTROLLER_LISTENER + "://" + HOST
                + ":" + controllerPort);
        p.put("advertised.listeners", BROKER_LISTENER + "://" + HOST + ":" + port);
        p.put("listener.security.protocol.map", BROKER_LISTENER + ":PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
        p.put("inter.broker.listener.name", BROKER_LISTENER);
        // The metadata log in a directory of its own: only then does the controller lock it when it starts. With the
        // metadata log inside a log dir, a second instance on the same directory would run its controller on the
        // same metadata log until its broker fails to take the log dir lock.
        p.put("log.dirs", logDir.resolve(DATA).toString());
        p.put("metadata.log.dir", logDir.resolve(METADATA).toString());

        // One node: every replication factor 1.
        p.put("default.replication.factor", "1");
        p.put("min.insync.replicas", "1");
        p.put("offsets.topic.replication.factor", "1");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        // Internal topics: one node, one disk; the default 50 partitions only slow down the first group/transaction.
        p.put("offsets.topic.num.partitions", "1");
        p.put("transaction.state.log.num.partitions", "1");
        p.put("num.partitions", "1");

        p.put("auto.create.topics.enable", "false");
        p.put("group.initial.rebalance.delay.ms", "0");
        // Routers ask for a 3 s session so a dead one's partitions move on quickly; Kafka's default minimum is 6 s.
        p.put("group.min.session.timeout.ms", "1000");
        p.put("transaction.abort.timed.out.transaction.cleanup.interval.ms", "1000");
        p.put("transaction.remove.expired.transaction.cleanup.interval.ms", "60000");
        return p;
    }

    /**
     * Moves the client listener at {@code port} to SASL_PLAINTEXT with {@code scram}'s mechanism, and replication to a
     * plaintext listener at {@code internalPort}.
     */
    private static void secure(Properties p, ScramUser scram, int port, int controllerPort, int internalPort) {
        p.put("listeners", BROKER_LISTENER + "://" + HOST + ":" + internalPort + "," + SASL_LISTENER + "://" + HOST
                + ":" + port + "," + CONTROLLER_LISTENER + "://" + HOST + ":" + controllerPort);
        p.put("advertised.listeners", BROKER_LISTENER + "://" + HOST + ":" + internalPort + "," + SASL_LISTENER
                + "://" + HOST + ":" + port);
        p.put("listener.security.protocol.map", BROKER_LISTENER + ":PLAINTEXT," + SASL_LISTENER + ":SASL_PLAINTEXT,"
                + CONTROLLER_LISTENER + ":PLAINTEXT");
        p.put("sasl.enabled.mechanisms", scram.mechanism());
        p.put("listener.name." + SASL_LISTENER.toLowerCase(java.util.Locale.ROOT) + "."
                + scram.mechanism().toLowerCase(java.util.Locale.ROOT) + ".sasl.jaas.config",
                "org.apache.kafka.common.security.scram.ScramLoginModule required;");
    }

    /**
     * Formats {@code logDir/data} and {@code logDir/metadata} with a new cluster id unless Kafka's
     * {@code meta.properties} is already in them, and returns the cluster id in use. A SCRAM user given is written
     * into the new cluster's metadata.
     */
    private static String formatIfNeeded(Path logDir, ScramUser scram) {
        List<Path> dirs = List.of(logDir.resolve(DATA), logDir.resolve(METADATA));
        List<Path> formatted = dirs.stream().filter(d -> Files.isRegularFile(d.resolve(META_PROPERTIES))).toList();
        if (formatted.size() == dirs.size()) {
            return clusterIdOf(dirs);
        }
        if (!formatted.isEmpty()) {
            throw new IllegalStateException("Kafka storage in " + logDir + " is half formatted: " + formatted
                    + " has " + META_PROPERTIES + ", the others in " + dirs + " do not. Restore it, or delete "
                    + logDir + " to start an empty broker.");
        }
        String clusterId = Uuid.randomUuid().toString();
        long started = System.nanoTime();
        try {
            for (Path dir : dirs) {
                Files.createDirectories(dir);
            }
            PrintStream formatterOutput = new PrintStream(new LogLines(), true, StandardCharsets.UTF_8);
            Formatter formatter = new Formatter();
            if (scram != null) {
                formatter.setScramArguments(List.of(scram.mechanism() + "=[name=" + scram.name() + ",password="
                        + scram.password() + "]"));
            }
            formatter
                    .setPrintStream(formatterOutput)
                    .setNodeId(NODE_ID)
                    .setClusterId(clusterId)
                    .setDirectories(dirs.stream().map(Path::toString).toList())
                    .setMetadataLogDirectory(logDir.resolve(METADATA).toString())
                    .setControllerListenerName(CONTROLLER_LISTENER)
                    .run();
        } catch (Exception e) {
            throw new IllegalStateException("Cannot format Kafka storage in " + logDir + ": " + e.getMessage(), e);
        }
        log.info("Embedded Kafka: formatted {} for new cluster {} in {} ms", logDir, clusterId,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
        return clusterId;
    }

    private static String clusterIdOf(List<Path> dirs) {
        String clusterId = null;
        for (Path dir : dirs) {
            Path meta = dir.resolve(META_PROPERTIES);
            Properties props = new Properties();
            try (InputStream in = Files.newInputStream(meta)) {
                props.load(in);
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot read " + meta, e);
            }
            String id = props.getProperty("cluster.id");
            String nodeId = props.getProperty("node.id");
            if (id == null || !String.valueOf(NODE_ID).equals(nodeId)) {
                throw new IllegalStateException(meta + " is not from an embedded broker (cluster.id=" + id
                        + ", node.id=" + nodeId + ", expected node.id=" + NODE_ID + ")");
            }
            if (clusterId != null && !clusterId.equals(id)) {
                throw new IllegalStateException("Kafka storage in " + dir.getParent() + " mixes clusters " + clusterId
                        + " and " + id);
            }
            clusterId = id;
        }
        return clusterId;
    }

    /**
     * Fails with a clear message if another broker, in this JVM or another process, holds the lock of the metadata
     * or data directory. Kafka would find out too, but only after its controller had started, and then halt the JVM.
     */
    private static void refuseIfInUse(Path logDir) {
        for (Path dir : List.of(logDir.resolve(METADATA), logDir.resolve(DATA))) {
            Path lockFile = dir.resolve(LOCK);
            if (!Files.isRegularFile(lockFile)) {
                continue;
            }
            boolean inUse;
            try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.WRITE)) {
                FileLock lock = channel.tryLock();
                inUse = lock == null;
                if (lock != null) {
                    lock.release();
                }
            } catch (OverlappingFileLockException e) {
                inUse = true;
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot check the lock " + lockFile, e);
            }
            if (inUse) {
                throw new IllegalStateException("Embedded Kafka cannot start on " + logDir + ": another Kafka broker,"
                        + " in this process or another, is using " + dir);
            }
        }
    }

    private static void refuseToEndTheJvm(int status, String message) {
        throw new JvmEndRefused(status, message);
    }

    /** Thrown instead of ending the JVM when Kafka asks for it while the embedded broker starts. */
    static final class JvmEndRefused extends RuntimeException {
        private static final long serialVersionUID = 1L;

        JvmEndRefused(int status, String message) {
            super("Kafka failed while starting and asked to end the JVM with status " + status
                    + (message == null ? "" : " (" + message + ")")
                    + "; its cause is in the ERROR logged just before by Kafka's fault handler");
        }
    }

    private static boolean isFree(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getByName(HOST), port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    static int freePort() {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(false);
            socket.bind(new InetSocketAddress(InetAddress.getByName(HOST), 0));
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot find a free port on " + HOST, e);
        }
    }

    private static boolean mentions(Throwable e, String text) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t.getMessage() != null && t.getMessage().contains(text)) {
                return true;
            }
        }
        return false;
    }

    private static String rootCause(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root == e ? e.toString() : e.getMessage() + " (cause: " + root + ")";
    }

    private static boolean isBindFailure(Throwable e) {
        return causedBy(e, BindException.class);
    }

    private static boolean causedBy(Throwable e, Class<? extends Throwable> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

    private static void stopQuietly(KafkaRaftServer server) {
        try {
            server.shutdown();
            server.awaitShutdown();
        } catch (RuntimeException | Error suppressed) {
            log.debug("Embedded Kafka: error while stopping after a failed start", suppressed);
        }
    }


    /** Sends the formatter's console output to the debug log, line by line. */
    private static final class LogLines extends OutputStream {
        private final ByteArrayOutputStream line = new ByteArrayOutputStream();

        @Override
        public void write(int b) {
            if (b == '\n') {
                flush();
            } else {
                line.write(b);
            }
        }

        @Override
        public void flush() {
            if (line.size() > 0) {
                log.debug("Kafka storage format: {}", line.toString(StandardCharsets.UTF_8).strip());
                line.reset();
            }
        }
    }
}
