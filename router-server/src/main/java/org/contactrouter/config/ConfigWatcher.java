package org.contactrouter.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.contactrouter.routing.RoutingConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches a config directory and applies changes without a restart. Every {@code interval} it reads the files; when
 * their content differs from what it last saw, it loads them. A valid config becomes {@link #current()} and goes to
 * {@link Listener#onApplied}; an invalid one goes to {@link Listener#onRejected} and the current config stays. Content
 * that gives the current version again is not re-applied. Listeners are called on the watcher's own thread.
 */
public final class ConfigWatcher implements AutoCloseable {

    /** Hears what became of each change. */
    public interface Listener {

        /** {@code config} is now current; {@code warnings} were found in it. */
        void onApplied(RoutingConfig config, List<Problem> warnings);

        /** A change was not applied because of {@code problems}, errors first; the current config stays. */
        void onRejected(List<Problem> problems);
    }

    private static final Logger LOG = LoggerFactory.getLogger(ConfigWatcher.class);

    private final Path dir;
    private final Listener listener;
    private final ScheduledExecutorService executor;
    private volatile RoutingConfig current;
    private String lastSeenVersion;

    private ConfigWatcher(Path dir, RoutingConfig initial, Listener listener) {
        this.dir = dir;
        this.current = initial;
        this.lastSeenVersion = initial.version();
        this.listener = listener;
        this.executor = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread t = new Thread(task, "config-watcher");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Starts watching {@code dir}, whose config (loaded with {@link ConfigLoader#load}) is {@code initial}.
     *
     * @param interval how often to look for changes
     */
    public static ConfigWatcher start(Path dir, RoutingConfig initial, Duration interval, Listener listener) {
        Objects.requireNonNull(dir, "dir");
        Objects.requireNonNull(initial, "initial");
        Objects.requireNonNull(listener, "listener");
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("interval: " + interval + " (expected: > 0)");
        }
        ConfigWatcher watcher = new ConfigWatcher(dir, initial, listener);
        long ms = interval.toMillis();
        watcher.executor.scheduleWithFixedDelay(watcher::poll, ms, ms, TimeUnit.MILLISECONDS);
        return watcher;
    }

    /** The config in force: the initial one or the last applied change. */
    public RoutingConfig current() {
        return current;
    }

    /** Looks at the directory once; the schedule calls it, and so can a test. */
    synchronized void poll() {
        try {
            ConfigFiles files = ConfigFiles.read(dir);
            if (files.version().equals(lastSeenVersion)) {
                return;
            }
            lastSeenVersion = files.version();
            if (files.version().equals(current.version())) {
                return;
            }
            LoadResult result = ConfigLoader.load(files);
            if (result.config().isPresent()) {
                current = result.config().get();
                listener.onApplied(current, result.warnings());
            } else {
                listener.onRejected(result.problems());
            }
        } catch (RuntimeException e) {
            // A scheduled task that throws is never run again: log, and keep watching.
            LOG.error("Config change in {} not handled", dir, e);
        }
    }

    /** Stops watching; a look at the directory under way finishes first. */
    @Override
    public void close() {
        executor.shutdown();
        try {
            executor.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
