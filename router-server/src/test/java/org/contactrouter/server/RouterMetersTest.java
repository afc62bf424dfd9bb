package org.contactrouter.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The operations guide lists every meter the code declares, so people can find what /metrics shows. */
class RouterMetersTest {

    @Test
    void operationsDocListsEveryDeclaredMeter() throws Exception {
        String doc = Files.readString(Path.of(System.getProperty("repoRoot", "..")).resolve("docs/operations.md"));
        for (RouterMeters m : RouterMeters.values()) {
            assertThat(doc).as("docs/operations.md lists %s", m.meterName()).contains("`" + m.meterName() + "`");
        }
    }
}
