package org.contactrouter.server;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The data directory is its owner's alone: it holds the broker's log, the ledger (customers' names and addresses) and
 * the instance's secrets. At start it is made, or tightened, to {@code rwx------}, and every file directly in it (the
 * secrets, such as {@code agent-token.key}; the broker and the ledger keep theirs in subdirectories) to
 * {@code rw-------}. On a file system without POSIX permissions nothing is changed.
 */
final class DataDir {

    private static final Logger LOG = LoggerFactory.getLogger(DataDir.class);
    static final Set<PosixFilePermission> DIRECTORY = PosixFilePermissions.fromString("rwx------");
    static final Set<PosixFilePermission> SECRET_FILE = PosixFilePermissions.fromString("rw-------");

    private DataDir() {
    }

    /**
     * Creates {@code dir} (and its missing parents) readable by its owner only, or tightens it and the files in it.
     *
     * @throws IllegalStateException naming the directory when it cannot be made or its permissions cannot be set
     */
    static void prepare(Path dir) {
        try {
            boolean posix = dir.getFileSystem().supportedFileAttributeViews().contains("posix");
            if (!Files.exists(dir)) {
                if (posix) {
                    Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(DIRECTORY));
                } else {
                    Files.createDirectories(dir);
                }
            }
            if (!posix) {
                return;
            }
            ownerOnly(dir, DIRECTORY);
            try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, Files::isRegularFile)) {
                for (Path file : files) {
                    ownerOnly(file, SECRET_FILE);
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("data dir " + dir + ": cannot make it readable by its owner only (" + e
                    + "); it must belong to the user the router runs as", e);
        }
    }

    private static void ownerOnly(Path path, Set<PosixFilePermission> wanted) throws IOException {
        Set<PosixFilePermission> now = Files.getPosixFilePermissions(path);
        if (!now.equals(wanted)) {
            Files.setPosixFilePermissions(path, wanted);
            LOG.info("{} was {}, now {}: the data dir is for the router's user only", path,
                    PosixFilePermissions.toString(now), PosixFilePermissions.toString(wanted));
        }
    }
}
