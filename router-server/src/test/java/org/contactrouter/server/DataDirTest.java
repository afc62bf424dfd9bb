package org.contactrouter.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The data dir and the secrets in it are readable by their owner only. */
class DataDirTest {

    @TempDir
    Path tmp;

    @Test
    void aNewDataDirIsItsOwnersOnly() throws Exception {
        Path dir = tmp.resolve("var").resolve("data");

        DataDir.prepare(dir);

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir))).isEqualTo("rwx------");
    }

    @Test
    void anExistingDataDirAndTheSecretsInItAreTightenedAtStart() throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("data"));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path key = Files.writeString(dir.resolve("agent-token.key"), "c2VjcmV0");
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-r--r--"));
        Path ledger = Files.createDirectory(dir.resolve("ledger"));

        DataDir.prepare(dir);

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir))).isEqualTo("rwx------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key))).isEqualTo("rw-------");
        assertThat(Files.readString(key)).isEqualTo("c2VjcmV0");
        assertThat(Files.isDirectory(ledger)).isTrue();
    }
}
