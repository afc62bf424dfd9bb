package org.contactrouter.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class IdentityTest {

    @Test
    void identitiesOfOnePersonGiveOneKeyAcrossChannels() {
        Identity voice = Identity.phone("+49 170 12345678");
        Identity sms = Identity.phone("0049-170-1234-5678");
        Identity whatsapp = Identity.parse("whatsapp:+4917012345678");
        Identity fromConfig = Identity.parse("tel:+49 (170) 1234 5678");
        Identity fromForm = Identity.phone("+49 (0)170 12345678");

        assertThat(Stream.of(voice, sms, whatsapp, fromConfig, fromForm).map(Identity::key).distinct())
                .containsExactly("tel:+4917012345678");
        assertThat(Identity.email("<Ann.Lee@Example.COM>")).isEqualTo(Identity.parse("mailto:ann.lee@example.com"));
    }

    @Test
    void dropsTheNationalTrunkZeroWrittenInParentheses() {
        assertThat(Identity.phone("+44 (0)20 7946 0958").key()).isEqualTo("tel:+442079460958");
    }

    @Test
    void keepsChatVisitorIdsAsGiven() {
        assertThat(Identity.chatVisitor(" V-81f2 ").key()).isEqualTo("chat:V-81f2");
    }

    @Test
    void parsesKeysAndBareValues() {
        assertThat(Identity.parse("tel:+4917012345678")).isEqualTo(Identity.phone("+4917012345678"));
        assertThat(Identity.parse("MAILTO:Ann@example.com")).isEqualTo(Identity.email("ann@example.com"));
        assertThat(Identity.parse("chat:v-1:tab-2")).isEqualTo(Identity.chatVisitor("v-1:tab-2"));
        assertThat(Identity.parse("ann@example.com")).isEqualTo(Identity.email("ann@example.com"));
        assertThat(Identity.parse(" +4917012345678 ")).isEqualTo(Identity.phone("+4917012345678"));
    }

    @Test
    void rejectsAKeyWithAnUnknownScheme() {
        assertThatThrownBy(() -> Identity.parse("sip:ann@example.com"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("identity: 'sip:ann@example.com' (expected tel:, mailto:, chat: or whatsapp:");
    }

    @Test
    void rejectsANationalNumberSayingTheCountryCodeIsMissing() {
        assertThatThrownBy(() -> Identity.phone("0170 12345678"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("phone: '0170 12345678' (expected an E.164 number with country code, such as +4917012345678)");
    }

    @Test
    void rejectsAnAddressWithoutDomainNamingEmail() {
        assertThatThrownBy(() -> Identity.email("ann@"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("email: 'ann@'");
    }
}
