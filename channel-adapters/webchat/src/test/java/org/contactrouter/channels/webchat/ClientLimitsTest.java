package org.contactrouter.channels.webchat;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The per-address table stays bounded however many addresses come and go. */
class ClientLimitsTest {

    private final MutableClock clock = new MutableClock(ChatFixture.START);

    @Test
    void idleAddressesAreForgottenSoTheTableStaysBounded() {
        ClientLimits limits = new ClientLimits(20, 10, 1_000, clock);
        for (int i = 0; i < 500; i++) {
            String address = "198.51.100." + (i % 250) + "-" + i;
            assertThat(limits.open(address)).isNull();
            assertThat(limits.startSession(address)).isNull();
            limits.closed(address);
        }
        assertThat(limits.addresses()).as("each used one of its 10 chats a minute").isEqualTo(500);

        clock.advance(Duration.ofSeconds(5));
        limits.forgetIdle();
        assertThat(limits.addresses()).isEqualTo(500);
        clock.advance(Duration.ofSeconds(1));
        limits.forgetIdle();
        assertThat(limits.addresses()).isZero();

        assertThat(limits.open("203.0.113.7")).isNull();
        limits.closed("203.0.113.7");
        assertThat(limits.addresses()).as("a socket that started no chat leaves nothing behind").isZero();
    }

    @Test
    void aFullTableRefusesNewAddressesRatherThanGrow() {
        ClientLimits limits = new ClientLimits(20, 10, 3, clock);
        for (String address : new String[] {"a", "b", "c"}) {
            assertThat(limits.open(address)).isNull();
            assertThat(limits.startSession(address)).isNull();
        }

        ClientLimits.Refusal refused = limits.open("d");

        assertThat(refused).isNotNull();
        assertThat(refused.reason()).contains("more visitors than it can take");
        assertThat(refused.retryAfterSeconds()).isEqualTo(60);
        assertThat(limits.addresses()).isEqualTo(3);
        assertThat(limits.open("a")).as("an address already known is not refused for the table").isNull();

        limits.closed("b");
        clock.advance(Duration.ofMinutes(1));
        assertThat(limits.open("d")).as("b is idle again and makes room").isNull();
        assertThat(limits.addresses()).isEqualTo(3);
    }

    @Test
    void ipv6ClientsAreCountedByTheirSlash64SoOneSubscriberCannotRotateAddresses() {
        assertThat(ClientAddress.limitKey("2001:db8:0:1::7")).isEqualTo("2001:db8:0:1::/64")
                .isEqualTo(ClientAddress.limitKey("2001:db8:0:1:ffff:ffff:ffff:fffe"));
        assertThat(ClientAddress.limitKey("2001:db8:0:2::7")).isEqualTo("2001:db8:0:2::/64");
        assertThat(ClientAddress.limitKey("::ffff:203.0.113.7")).isEqualTo("203.0.113.7");
        assertThat(ClientAddress.limitKey("203.0.113.7")).isEqualTo("203.0.113.7");
        assertThat(ClientAddress.limitKey("unknown")).isEqualTo("unknown");
    }
}
