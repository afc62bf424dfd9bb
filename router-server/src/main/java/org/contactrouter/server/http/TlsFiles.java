package org.contactrouter.server.http;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A listener's TLS context from a PEM certificate chain and a PEM (PKCS#8) private key, read again when either file
 * changes (checked at most every {@code recheck}, when a connection arrives), so a renewed certificate (certbot,
 * cert-manager) is served without a restart. A renewal that cannot be read is logged and the previous context stays.
 */
public final class TlsFiles implements Supplier<SslContext> {

    private static final Logger LOG = LoggerFactory.getLogger(TlsFiles.class);

    private final Path certificate;
    private final Path key;
    private final Clock clock;
    private final Duration recheck;
    private volatile SslContext context;
    private volatile List<FileTime> loadedVersions;
    private volatile long checkedAt;

    /** Reads the files now; a start with unreadable files fails with a message naming them. */
    public TlsFiles(Path certificate, Path key, Clock clock, Duration recheck) {
        this.certificate = certificate;
        this.key = key;
        this.clock = clock;
        this.recheck = recheck;
        try {
            load();
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalArgumentException("TLS: cannot use certificate " + certificate + " and key " + key
                    + " (expected PEM files: the certificate chain, and an unencrypted PKCS#8 private key): " + e, e);
        }
    }

    private void load() throws IOException {
        List<FileTime> versions = versions();
        SslContext fresh;
        try {
            fresh = SslContextBuilder.forServer(certificate.toFile(), key.toFile()).build();
        } catch (SSLException e) {
            throw new IOException(e.getMessage(), e);
        }
        context = fresh;
        loadedVersions = versions;
    }

    private List<FileTime> versions() throws IOException {
        return List.of(Files.getLastModifiedTime(certificate), Files.getLastModifiedTime(key));
    }

    @Override
    public SslContext get() {
        long now = clock.millis();
        if (now - checkedAt >= recheck.toMillis()) {
            checkedAt = now;
            try {
                if (!versions().equals(loadedVersions)) {
                    load();
                    LOG.info("TLS certificate {} reloaded", certificate);
                }
            } catch (IOException | RuntimeException e) {
                LOG.error("TLS certificate {} or key {} changed but cannot be used; still serving the previous one: {}",
                        certificate, key, e.toString());
            }
        }
        return context;
    }
}
