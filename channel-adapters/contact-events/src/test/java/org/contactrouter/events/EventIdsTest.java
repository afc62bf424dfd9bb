package org.contactrouter.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class EventIdsTest {

    private static final String CALL_SID = "CA5f0c2b6d1e9a4c3b8d7e6f5a4b3c2d1e";

    @Test
    void redeliveryOfAWebhookGivesTheSameId() {
        assertThat(EventIds.twilioCall(CALL_SID)).isEqualTo(EventIds.twilioCall(CALL_SID)).isEqualTo("twilio:" + CALL_SID);
        assertThat(EventIds.twilioMessage("SM42")).isEqualTo(EventIds.twilioMessage("SM42"));
        assertThat(EventIds.twilioCallStatus(CALL_SID, "completed")).isEqualTo(EventIds.twilioCallStatus(CALL_SID, "completed"));
    }

    @Test
    void everyCallStatusOfOneCallGetsItsOwnId() {
        List<String> ids = List.of("initiated", "ringing", "in-progress", "completed").stream()
                .map(status -> EventIds.twilioCallStatus(CALL_SID, status)).toList();

        assertThat(ids).doesNotHaveDuplicates().doesNotContain(EventIds.twilioCall(CALL_SID));
        assertThat(ids.get(3)).isEqualTo("twilio:" + CALL_SID + ":completed");
    }

    @Test
    void callStatusIsCaseInsensitive() {
        assertThat(EventIds.twilioCallStatus(CALL_SID, "Completed")).isEqualTo(EventIds.twilioCallStatus(CALL_SID, "completed"));
    }

    @Test
    void mailIdIsTheMessageIdWithOrWithoutAngleBrackets() {
        assertThat(EventIds.mail("<CAF3x9q+2kd@mail.example.com>"))
                .isEqualTo(EventIds.mail(" CAF3x9q+2kd@mail.example.com "))
                .isEqualTo("mail:CAF3x9q+2kd@mail.example.com");
    }

    @Test
    void chatIdIsTheSessionAndTheClientsSequenceNumber() {
        assertThat(EventIds.chat("s-4c1d9e", 3)).isEqualTo(EventIds.chat("s-4c1d9e", 3)).isEqualTo("chat:s-4c1d9e:3");
        assertThat(EventIds.chat("s-4c1d9e", 4)).isNotEqualTo(EventIds.chat("s-4c1d9e", 3));
    }

    @Test
    void rejectsMissingProviderIdsNamingTheProvidersField() {
        assertThatThrownBy(() -> EventIds.twilioCall(" ")).hasMessageStartingWith("CallSid: ' '");
        assertThatThrownBy(() -> EventIds.twilioCallStatus(CALL_SID, null)).hasMessageStartingWith("CallStatus: null");
        assertThatThrownBy(() -> EventIds.twilioMessage("")).hasMessageStartingWith("MessageSid: ''");
        assertThatThrownBy(() -> EventIds.mail("<>")).hasMessageStartingWith("Message-ID: ''");
        assertThatThrownBy(() -> EventIds.chat(null, 1)).hasMessageStartingWith("sessionId: null");
    }
}
