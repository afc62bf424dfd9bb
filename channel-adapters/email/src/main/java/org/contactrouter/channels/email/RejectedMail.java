package org.contactrouter.channels.email;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * Mails that were not taken in (over a limit, unreadable), kept whole as {@code <dataDir>/mail/rejected/<sha256>.eml}
 * so that a person can open them in a mail program; the contact that reports them names the file.
 */
final class RejectedMail {

    private final Path dir;

    RejectedMail(Path dataDir) {
        this.dir = dataDir.toAbsolutePath().normalize().resolve("mail").resolve("rejected");
    }

    /** Stores a raw mail; the file is on disk when this returns. */
    Stored store(InputStream raw) throws IOException {
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, ".tmp-", "");
        try {
            MessageDigest digest = MessageIds.digest();
            long size;
            try (OutputStream out = new DigestOutputStream(Files.newOutputStream(tmp), digest)) {
                size = raw.transferTo(out);
            }
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            String sha = HexFormat.of().formatHex(digest.digest());
            Path target = dir.resolve(sha + ".eml");
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
            return new Stored(target, sha, size);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** A stored mail: where, its SHA-256 (hex), its size in bytes. */
    record Stored(Path path, String sha256, long size) {
    }
}
