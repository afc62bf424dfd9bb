package org.contactrouter.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.zip.CRC32C;
import org.contactrouter.events.Channel;
import org.junit.jupiter.api.Test;

/** What a snapshot refuses: the property that it restores exactly is {@code RoutingSimulationTest}'s. */
class EngineSnapshotTest {

    private static RoutingConfig config(String version) {
        return TestConfig.create().version(version)
                .agent("ann", a -> a.skill("billing", 5))
                .agent("bob", a -> a.skill("billing", 2))
                .queue("billing", q -> q.skill("billing", 2).target(Channel.CHAT, Duration.ofSeconds(60)))
                .build();
    }

    private static Desk busyDesk() {
        Desk desk = new Desk(config("v1"));
        desk.available("ann");
        desk.chat("visitor-1", "my invoice");
        desk.chat("visitor-2", "another invoice");
        desk.accept("ann", desk.last(DecisionType.OFFERED).contactId());
        desk.advance(Duration.ofSeconds(30));
        return desk;
    }

    @Test
    void equalStatesGiveEqualBytes() {
        assertThat(busyDesk().engine.snapshot()).isEqualTo(busyDesk().engine.snapshot());
    }

    @Test
    void aDamagedSnapshotIsRefusedNotGuessed() {
        byte[] snapshot = busyDesk().engine.snapshot();
        snapshot[snapshot.length / 2] ^= 0x10;
        assertThatThrownBy(() -> RoutingEngine.restore(ContactEventDomain.DEFAULT, config("v1"), snapshot))
                .isInstanceOf(SnapshotException.class).hasMessageContaining("checksum does not match");
    }

    @Test
    void anotherFormatVersionIsRefusedWithBothVersionsNamed() {
        byte[] snapshot = busyDesk().engine.snapshot();
        ByteBuffer.wrap(snapshot).putInt(4, EngineSnapshot.FORMAT + 1);
        CRC32C crc = new CRC32C();
        crc.update(snapshot, 0, snapshot.length - 4);
        ByteBuffer.wrap(snapshot).putInt(snapshot.length - 4, (int) crc.getValue());
        assertThatThrownBy(() -> RoutingEngine.restore(ContactEventDomain.DEFAULT, config("v1"), snapshot))
                .isInstanceOf(SnapshotException.class)
                .hasMessageContaining("snapshot format " + (EngineSnapshot.FORMAT + 1))
                .hasMessageContaining("reads format " + EngineSnapshot.FORMAT);
    }

    @Test
    void aSnapshotIsRestoredOnlyUnderItsOwnDomainAndConfigVersion() {
        byte[] snapshot = busyDesk().engine.snapshot();
        assertThatThrownBy(() -> RoutingEngine.restore(ContactEventDomain.DEFAULT, config("v2"), snapshot))
                .isInstanceOf(SnapshotException.class).hasMessageContaining("under config v1");
        assertThatThrownBy(() -> RoutingEngine.restore("sales", config("v1"), snapshot))
                .isInstanceOf(SnapshotException.class).hasMessageContaining("not of domain sales");
    }

    @Test
    void aRestoredEngineKeepsOffersTimersAndTheCustomersAgent() {
        Desk desk = busyDesk();
        RoutingEngine restored = RoutingEngine.restore(ContactEventDomain.DEFAULT, config("v1"), desk.engine.snapshot());
        assertThat(restored.openContacts()).isEqualTo(desk.engine.openContacts());
        assertThat(restored.agents()).isEqualTo(desk.engine.agents());
        assertThat(restored.nextTimerAt()).isEqualTo(desk.engine.nextTimerAt()).isPresent();
        assertThat(restored.queue("billing")).isEqualTo(desk.engine.queue("billing"));
    }

    /** The default domain's name, spelled once for these tests. */
    private static final class ContactEventDomain {
        static final String DEFAULT = org.contactrouter.events.ContactEvent.DEFAULT_DOMAIN;
    }
}
