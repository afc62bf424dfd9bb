package org.contactrouter.channels.email;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * The attachment store, {@code <dataDir>/attachments/<sha256>}: each distinct content once, named by its SHA-256,
 * so the same file sent twice takes its room once and a contact event only carries the hash, never the bytes.
 */
final class Attachments {

    private final Path dir;

    Attachments(Path dataDir) {
        this.dir = dataDir.toAbsolutePath().normalize().resolve("attachments");
    }

    /** Stores the content (unless the same content is there already); the file is on disk when this returns. */
    Stored store(InputStream content) throws IOException {
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, ".tmp-", "");
        try {
            MessageDigest digest = MessageIds.digest();
            long size;
            try (OutputStream out = new DigestOutputStream(Files.newOutputStream(tmp), digest)) {
                size = content.transferTo(out);
            }
            String sha = HexFormat.of().formatHex(digest.digest());
            Path target = dir.resolve(sha);
            if (!Files.exists(target)) {
                try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                    ch.force(true);
                }
                try {
                    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(tmp, target);
                } catch (FileAlreadyExistsException e) {
                    // stored by someone else in the meantime: the same bytes
                }
            }
            return new Stored(sha, size);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** A stored content: its SHA-256 (hex) and size in bytes. */
    record Stored(String sha256, long size) {
    }
}
