package org.contactrouter.server;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A router started as its own operating-system process ({@code RouterCommand run ...}) on the test's class path, so
 * that it can be killed the hard way: {@link #kill()} is SIGKILL, no shutdown hook, no flush, no goodbye to Kafka.
 *
 * <p>Its stdout and stderr go to a log file (kept under the test's temp dir); the HTTP and Kafka addresses are read
 * from the lines {@link RouterServer#describe()} prints once the server is up.
 */
final class RouterProcess implements AutoCloseable {

    /** Exit status of a process ended by SIGKILL (signal 9), as {@link Process#exitValue()} reports it on Linux. */
    static final int KILLED_BY_SIGKILL = 128 + 9;

    private static final Pattern HTTP_LINE = Pattern.compile("^ {2}HTTP API +(http://\\S+)/api\\b", Pattern.MULTILINE);
    private static final Pattern KAFKA_LINE = Pattern.compile("^ {2}Kafka +(\\S+:\\d+)", Pattern.MULTILINE);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    /** Every router still running, killed when the test JVM ends however it ends (short of SIGKILL itself). */
    private static final Set<Process> RUNNING = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> RUNNING.forEach(Process::destroyForcibly),
                "kill-routers"));
    }

    private final String name;
    private final Process process;
    private final Path log;
    private final long startedNanos = System.nanoTime();
    private URI http;
    private String kafka;

    private RouterProcess(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
    }

    /**
     * Starts {@code RouterCommand run} with the given options and waits until it has printed where it listens.
     *
     * @param name a name for messages and the log file ({@code <logDir>/<name>.log})
     */
    static RouterProcess start(String name, Path logDir, List<String> runOptions) throws IOException {
        Files.createDirectories(logDir);
        Path log = logDir.resolve(name + ".log");
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx384m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"),
                "org.contactrouter.server.RouterCommand", "run"));
        command.addAll(runOptions);
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        RUNNING.add(process);
        RouterProcess router = new RouterProcess(name, process, log);
        try {
            await("router " + name + " prints its addresses (log: " + log + ")").atMost(Duration.ofSeconds(90))
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> {
                        if (!process.isAlive()) {
                            throw new IllegalStateException("router " + name + " exited with " + process.exitValue()
                                    + " before it started:\n" + router.log());
                        }
                        return router.addressesPrinted();
                    });
        } catch (RuntimeException | Error e) {
            router.kill();
            throw e;
        }
        return router;
    }

    private boolean addressesPrinted() {
        String out = log();
        Matcher h = HTTP_LINE.matcher(out);
        Matcher k = KAFKA_LINE.matcher(out);
        if (!h.find() || !k.find()) {
            return false;
        }
        http = URI.create(h.group(1));
        kafka = k.group(1);
        return true;
    }

    String name() {
        return name;
    }

    /** {@code http://127.0.0.1:<port>} */
    URI http() {
        return http;
    }

    /** The bootstrap servers it uses: its embedded broker's, or the external cluster it was given. */
    String kafka() {
        return kafka;
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** Time since the process was launched. */
    Duration age() {
        return Duration.ofNanos(System.nanoTime() - startedNanos);
    }

    /** Everything the process wrote to stdout and stderr so far. */
    String log() {
        try {
            return new String(Files.readAllBytes(log), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Path logFile() {
        return log;
    }

    /**
     * GET /health/ready with the test key (its details, such as the partitions, are for credentials): the body when it
     * answers 200 (routing runs, Kafka reachable), else empty.
     */
    Optional<JsonNode> ready() {
        try {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(http.resolve("/health/ready"))
                    .header("Authorization", "Bearer " + TestServers.API_KEY)
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 ? Optional.of(JSON.readTree(r.body())) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    /** The partitions it routes now, per /health/ready; empty when it is not ready. */
    Set<Integer> partitions() {
        Set<Integer> partitions = new TreeSet<>();
        ready().ifPresent(body -> body.path("partitions").forEach(p -> partitions.add(p.asInt())));
        return partitions;
    }

    /** Waits until /health/ready answers 200. */
    void awaitReady() {
        await("router " + name + " ready (log: " + log + ")").atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> {
                    if (!process.isAlive()) {
                        throw new IllegalStateException("router " + name + " exited with " + process.exitValue()
                                + ":\n" + log());
                    }
                    return ready().isPresent();
                });
    }

    /**
     * SIGKILL: {@link Process#destroyForcibly()} is {@code kill(pid, SIGKILL)} on Linux. Waits until the process is
     * gone and returns its exit status, which is {@link #KILLED_BY_SIGKILL} when the signal ended it.
     */
    int kill() {
        process.destroyForcibly();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("router " + name + " (pid " + process.pid() + ") still runs 30 s"
                        + " after SIGKILL");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while killing router " + name, e);
        }
        RUNNING.remove(process);
        return process.exitValue();
    }

    /** Kills the process if it still runs: tests call this for every process they started, pass or fail. */
    @Override
    public void close() {
        if (process.isAlive()) {
            kill();
        }
    }

    @Override
    public String toString() {
        return "router " + name + " (pid " + process.pid() + ", " + http + ", kafka " + kafka + ")";
    }
}
