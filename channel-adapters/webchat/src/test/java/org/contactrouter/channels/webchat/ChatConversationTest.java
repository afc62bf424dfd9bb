package org.contactrouter.channels.webchat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.contactrouter.events.Channel;
import org.contactrouter.events.ContactEvent;
import org.contactrouter.events.CustomerLeft;
import org.contactrouter.events.CustomerMessage;
import org.contactrouter.events.Identity;
import org.contactrouter.events.OutboundKind;
import org.contactrouter.events.OutboundMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A visitor's chat over a real WebSocket: hello, messages to Kafka, the router's answers, resuming, leaving. */
class ChatConversationTest {

    private ChatFixture f;

    @AfterEach
    void stop() {
        if (f != null) {
            f.close();
        }
    }

    @Test
    void helloStartsASessionWithAServerIssuedRandomId() throws Exception {
        f = new ChatFixture();
        try (ChatClient a = f.tab(); ChatClient b = f.tab(); ChatClient c = f.tab()) {
            JsonNode first = a.hello(null);
            JsonNode malformed = b.hello("not a session id");
            JsonNode unknown = c.hello("s-AAAAAAAAAAAAAAAAAAAAAA");

            for (JsonNode w : List.of(first, malformed, unknown)) {
                assertThat(w.get("session").asText()).matches("s-[A-Za-z0-9_-]{22}");
                assertThat(w.get("resumed").asBoolean()).isFalse();
                assertThat(w.get("transcript")).isEmpty();
                assertThat(w.get("nextSeq").asLong()).isEqualTo(1);
                assertThat(w.get("maxMessageBytes").asInt()).isEqualTo(4096);
            }
            assertThat(List.of(first.get("session").asText(), malformed.get("session").asText(),
                    unknown.get("session").asText())).doesNotHaveDuplicates().doesNotContain("s-AAAAAAAAAAAAAAAAAAAAAA");
            assertThat(f.chat.openSessions()).isEqualTo(3);
        }
    }

    @Test
    void aMessageIsPublishedAsACustomerMessageAndAcknowledgedAfterwards() throws Exception {
        f = new ChatFixture();
        try (ChatClient tab = ChatClient.connect(f.port(), ChatFixture.SHOP, "fr-CA,fr;q=0.8")) {
            tab.send(ChatClient.frame("hello").put("name", " Ann Lee ").put("email", "Ann.Lee@Example.com")
                    .put("language", "de-CH"));
            String session = tab.expect("welcome").get("session").asText();
            tab.message(1, "Is my refund on its way?");

            assertThat(tab.expect("ack").get("seq").asLong()).isEqualTo(1);
            ContactEvent e = f.publisher.events().get(0);
            assertThat(e.id()).isEqualTo("chat:" + session + ":1");
            assertThat(e.source()).isEqualTo("/webchat");
            assertThat(e.domain()).isEqualTo("shop");
            assertThat(e.subject()).isEqualTo("chat:" + session);
            assertThat(e.time()).isEqualTo(ChatFixture.START);
            assertThat(e.type()).isEqualTo("org.contactrouter.customer.message");
            CustomerMessage m = (CustomerMessage) e.data();
            assertThat(m.channel()).isEqualTo(Channel.CHAT);
            assertThat(m.conversation()).isEqualTo(session);
            assertThat(m.customer().name()).isEqualTo("Ann Lee");
            assertThat(m.customer().identities()).as("a typed email address is a claim, not an identity")
                    .containsExactly(Identity.chatVisitor(session));
            assertThat(m.customer().claimedEmail()).isEqualTo("ann.lee@example.com");
            assertThat(m.attributes()).isEmpty();
            assertThat(m.endpoint()).isEqualTo("widget-shop");
            assertThat(m.language()).isEqualTo("de-CH");
            assertThat(m.text()).isEqualTo("Is my refund on its way?");
        }
    }

    @Test
    void theLanguageComesFromAcceptLanguageWhenTheWidgetSendsNone() throws Exception {
        f = new ChatFixture();
        try (ChatClient tab = ChatClient.connect(f.port(), ChatFixture.SHOP, "fr-CA,fr;q=0.8,en;q=0.5")) {
            tab.hello(null);
            tab.message(1, "Bonjour");
            tab.expect("ack");
            CustomerMessage m = (CustomerMessage) f.publisher.events().get(0).data();
            assertThat(m.language()).isEqualTo("fr-CA");
            assertThat(m.customer().name()).isNull();
            assertThat(m.customer().identities()).hasSize(1);
        }
    }

    @Test
    void theAckWaitsForThePublisherWhileTheEventLoopKeepsServing() throws Exception {
        f = new ChatFixture();
        try (ChatClient tab = f.tab(); ChatClient other = f.tab()) {
            tab.hello(null);
            f.publisher.hold();
            tab.message(1, "hello?");

            // the server has one event loop thread: it still answers another tab while the publish waits
            assertThat(other.hello(null).get("type").asText()).isEqualTo("welcome");
            assertThat(tab.poll(300)).as("no ack before the event is stored").isNull();
            assertThat(f.publisher.events()).isEmpty();

            f.publisher.open();
            assertThat(tab.expect("ack").get("seq").asLong()).isEqualTo(1);
            assertThat(f.publisher.events()).hasSize(1);
        }
    }

    @Test
    void messagesOfASessionArePublishedInTheOrderWritten() throws Exception {
        f = new ChatFixture();
        try (ChatClient tab = f.tab()) {
            String session = tab.hello(null).get("session").asText();
            f.publisher.hold();
            for (int i = 1; i <= 8; i++) {
                tab.message(i, "part " + i);
            }
            f.publisher.open();
            for (int i = 1; i <= 8; i++) {
                assertThat(tab.expect("ack").get("seq").asLong()).isEqualTo(i);
            }
            assertThat(f.publisher.events()).extracting(ContactEvent::id)
                    .containsExactly(java.util.stream.IntStream.rangeClosed(1, 8)
                            .mapToObj(i -> "chat:" + session + ":" + i).toArray(String[]::new));
        }
    }

    @Test
    void theRoutersMessagesReachTheSessionsSocketAsFrames() throws Exception {
        f = new ChatFixture();
        try (ChatClient tab = f.tab()) {
            String s = tab.hello(null).get("session").asText();
            f.chat.observe(out("d1", s, OutboundKind.ACKNOWLEDGEMENT, null,
                    "Thank you for contacting us. An agent will answer in about 3 minutes.", Duration.ofSeconds(170), null));
            f.chat.observe(out("d2", s, OutboundKind.AGENT_JOINED, "Mia", "Mia is now looking after you.", null, null));
            f.chat.observe(out("d3", s, OutboundKind.REPLY, "Mia", "Yes, it left yesterday.", null, null));
            f.chat.observe(out("d4", s, OutboundKind.HANDOVER, "Tom", "Tom takes over your conversation from here.", null, null));
            Instant due = Instant.parse("2026-11-24T08:00:00Z");
            f.chat.observe(out("d5", s, OutboundKind.AFTER_HOURS, null, "We are closed right now.", null, due));
            f.chat.observe(out("d6", s, OutboundKind.CLOSED, "Tom", "This conversation is closed.", null, null));

            JsonNode wait = tab.expect("wait");
            assertThat(wait.get("estimatedWait").asLong()).isEqualTo(170);
            assertThat(wait.get("text").asText()).contains("about 3 minutes");
            assertThat(wait.get("id").asText()).isEqualTo("d1");
            JsonNode joined = tab.expect("agent-joined");
            assertThat(joined.get("agentName").asText()).isEqualTo("Mia");
            JsonNode reply = tab.expect("message");
            assertThat(reply.get("from").asText()).isEqualTo("agent");
            assertThat(reply.get("agentName").asText()).isEqualTo("Mia");
            assertThat(reply.get("text").asText()).isEqualTo("Yes, it left yesterday.");
            assertThat(reply.get("id").asText()).isEqualTo("d3");
            JsonNode handover = tab.expect("handover");
            assertThat(handover.get("agentName").asText()).isEqualTo("Tom");
            assertThat(handover.get("text").asText()).startsWith("Tom takes over");
            JsonNode afterHours = tab.expect("after-hours");
            assertThat(afterHours.get("dueAt").asText()).isEqualTo("2026-11-24T08:00:00Z");
            assertThat(afterHours.get("text").asText()).isEqualTo("We are closed right now.");
            assertThat(tab.expect("closed").get("text").asText()).isEqualTo("This conversation is closed.");
        }
    }

    @Test
    void otherChannelsOtherSessionsAndRedeliveriesAreIgnored() throws Exception {
        f = new ChatFixture();
        String s;
        try (ChatClient tab = f.tab()) {
            s = tab.hello(null).get("session").asText();
            f.chat.observe(out("d1", s, OutboundKind.REPLY, "Mia", "first", null, null));
            f.chat.observe(out("d1", s, OutboundKind.REPLY, "Mia", "first", null, null));
            f.chat.observe(new OutboundMessage("d2", "shop", "c-1", Channel.SMS, s, "+4930123456", OutboundKind.REPLY,
                    ChatFixture.START, "mia", "Mia", null, "an SMS", null, null));
            f.chat.observe(out("d3", "s-BBBBBBBBBBBBBBBBBBBBBB", OutboundKind.REPLY, "Mia", "someone else", null, null));
            f.chat.observe(out("d4", s, OutboundKind.REPLY, "Mia", "second", null, null));

            assertThat(tab.expect("message").get("text").asText()).isEqualTo("first");
            assertThat(tab.expect("message").get("text").asText()).isEqualTo("second");
        }
        try (ChatClient again = f.tab()) {
            // the redelivery did not enter the transcript either
            JsonNode transcript = again.hello(s).get("transcript");
            assertThat(transcript).extracting(e -> e.get("text").asText()).containsExactly("first", "second");
        }
    }

    @Test
    void aReconnectResumesTheSessionWithItsTranscriptBoundedByTheLimit() throws Exception {
        f = new ChatFixture(new ChatSettings(List.of(ChatFixture.SHOP), "widget-shop", null, 0, 0, null, null, 3, 0, 0,
                null));
        String s;
        try (ChatClient tab = f.tab()) {
            s = tab.hello(null).get("session").asText();
            tab.message(1, "one");
            tab.expect("ack");
            tab.message(2, "two");
            tab.expect("ack");
            f.chat.observe(out("d1", s, OutboundKind.AGENT_JOINED, "Mia", "Mia is now looking after you.", null, null));
            f.chat.observe(out("d2", s, OutboundKind.REPLY, "Mia", "Hello!", null, null));
            tab.expect("agent-joined");
            tab.expect("message");
        }
        try (ChatClient reloaded = f.tab()) {
            JsonNode w = reloaded.hello(s);
            assertThat(w.get("session").asText()).isEqualTo(s);
            assertThat(w.get("resumed").asBoolean()).isTrue();
            assertThat(w.get("nextSeq").asLong()).isEqualTo(3);
            assertThat(w.get("agentName").asText()).isEqualTo("Mia");
            JsonNode t = w.get("transcript");
            assertThat(t).hasSize(3);
            assertThat(t.get(0).get("from").asText()).isEqualTo("customer");
            assertThat(t.get(0).get("seq").asLong()).isEqualTo(2);
            assertThat(t.get(0).get("text").asText()).isEqualTo("two");
            assertThat(t.get(1).get("type").asText()).isEqualTo("agent-joined");
            assertThat(t.get(2).get("text").asText()).isEqualTo("Hello!");

            f.chat.observe(out("d3", s, OutboundKind.REPLY, "Mia", "Still there?", null, null));
            assertThat(reloaded.expect("message").get("text").asText()).isEqualTo("Still there?");
        }
    }

    @Test
    void aResentSeqIsPublishedAgainUnderTheSameIdAndKeptOnce() throws Exception {
        f = new ChatFixture();
        String s;
        try (ChatClient tab = f.tab()) {
            s = tab.hello(null).get("session").asText();
            tab.message(1, "Where is my parcel?");
            tab.expect("ack");
        }
        try (ChatClient reconnected = f.tab()) {
            reconnected.hello(s);
            reconnected.message(1, "Where is my parcel?");
            assertThat(reconnected.expect("ack").get("seq").asLong()).isEqualTo(1);
        }
        assertThat(f.publisher.events()).extracting(ContactEvent::id).containsExactly("chat:" + s + ":1", "chat:" + s + ":1");
        try (ChatClient third = f.tab()) {
            assertThat(third.hello(s).get("transcript")).hasSize(1);
        }
    }

    @Test
    void aSeqUsedForAnotherTextIsRefusedWithTheNextFreeOne() throws Exception {
        f = new ChatFixture();
        try (ChatClient tab = f.tab()) {
            tab.hello(null);
            tab.message(1, "from the first tab");
            tab.expect("ack");
            tab.message(1, "from the second tab");
            JsonNode error = tab.expect("error");
            assertThat(error.get("code").asText()).isEqualTo("seq-conflict");
            assertThat(error.get("seq").asLong()).isEqualTo(1);
            assertThat(error.get("nextSeq").asLong()).isEqualTo(2);
            assertThat(f.publisher.events()).hasSize(1);
        }
    }

    @Test
    void everyTabOfASessionReceivesTheAgentAndTheOtherTabsMessages() throws Exception {
        f = new ChatFixture();
        try (ChatClient a = f.tab(); ChatClient b = f.tab()) {
            String s = a.hello(null).get("session").asText();
            assertThat(b.hello(s).get("resumed").asBoolean()).isTrue();

            f.chat.observe(out("d1", s, OutboundKind.REPLY, "Mia", "Hi both", null, null));
            assertThat(a.expect("message").get("text").asText()).isEqualTo("Hi both");
            assertThat(b.expect("message").get("text").asText()).isEqualTo("Hi both");

            a.message(1, "typed in tab a");
            assertThat(a.expect("ack").get("seq").asLong()).isEqualTo(1);
            JsonNode seen = b.expect("message");
            assertThat(seen.get("from").asText()).isEqualTo("customer");
            assertThat(seen.get("seq").asLong()).isEqualTo(1);
            assertThat(seen.get("text").asText()).isEqualTo("typed in tab a");
            assertThat(f.chat.openSessions()).isEqualTo(1);
        }
    }

    @Test
    void endPublishesCustomerLeftOnceAndClosesEveryTab() throws Exception {
        f = new ChatFixture();
        String s;
        try (ChatClient a = f.tab(); ChatClient b = f.tab()) {
            s = a.hello(null).get("session").asText();
            b.hello(s);
            a.message(1, "thanks, bye");
            a.expect("ack");
            b.expect("message");
            a.send(ChatClient.frame("end"));

            a.expect("ended");
            b.expect("ended");
            assertThat(a.closeStatus()).isEqualTo("1000 chat ended");
            assertThat(b.closeStatus()).isEqualTo("1000 chat ended");
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> f.publisher.events().size() == 2);
        ContactEvent left = f.publisher.events().get(1);
        assertThat(left.id()).isEqualTo("chat:" + s + ":1:left");
        assertThat(left.subject()).isEqualTo("chat:" + s);
        assertThat(left.data()).isEqualTo(new CustomerLeft(Channel.CHAT, s, "chat-closed"));
        assertThat(f.chat.openSessions()).isZero();

        f.clock.advance(Duration.ofHours(1));
        f.chat.sweep();
        try (ChatClient later = f.tab()) {
            JsonNode w = later.hello(s);
            assertThat(w.get("resumed").asBoolean()).as("an ended session is not resumed").isFalse();
            assertThat(w.get("session").asText()).isNotEqualTo(s);
        }
        assertThat(f.publisher.events()).hasSize(2);
    }

    @Test
    void aChatWithoutAnyConnectionForAbandonAfterIsLeftOnce() throws Exception {
        f = new ChatFixture(new ChatSettings(List.of(ChatFixture.SHOP), "widget-shop", "shop", 0, 0, null,
                Duration.ofMinutes(10), 0, 0, 0, null));
        String s;
        try (ChatClient tab = f.tab()) {
            s = tab.hello(null).get("session").asText();
            tab.message(1, "one");
            tab.expect("ack");
            tab.message(2, "two");
            tab.expect("ack");
        }
        awaitDisconnected(s);
        f.clock.advance(Duration.ofMinutes(9));
        f.chat.sweep();
        assertThat(f.chat.openSessions()).isEqualTo(1);

        // the visitor comes back within the time: the wait starts again when they leave again
        try (ChatClient back = f.tab()) {
            assertThat(back.hello(s).get("resumed").asBoolean()).isTrue();
            f.clock.advance(Duration.ofMinutes(5));
            f.chat.sweep();
            assertThat(f.chat.openSessions()).isEqualTo(1);
        }
        awaitDisconnected(s);
        f.clock.advance(Duration.ofMinutes(9));
        f.chat.sweep();
        assertThat(f.chat.openSessions()).isEqualTo(1);
        assertThat(f.publisher.events()).hasSize(2);

        f.clock.advance(Duration.ofMinutes(1));
        f.chat.sweep();
        f.chat.sweep();
        assertThat(f.chat.openSessions()).isZero();
        await().atMost(Duration.ofSeconds(5)).until(() -> f.publisher.events().size() == 3);
        ContactEvent left = f.publisher.events().get(2);
        assertThat(left.id()).isEqualTo("chat:" + s + ":2:left");
        assertThat(left.data()).isEqualTo(new CustomerLeft(Channel.CHAT, s, "chat-abandoned"));

        f.clock.advance(Duration.ofMinutes(30));
        f.chat.sweep();
        await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(1))
                .until(() -> f.publisher.events().size() == 3);
    }

    @Test
    void theTimerNoticesAnAbandonedChatAndASessionWithoutMessagesLeavesNothing() throws Exception {
        f = new ChatFixture(new ChatSettings(List.of(ChatFixture.SHOP), "widget-shop", "shop", 0, 0, null,
                Duration.ofSeconds(1), 0, 0, 0, null));
        String s;
        try (ChatClient tab = f.tab(); ChatClient silent = f.tab()) {
            s = tab.hello(null).get("session").asText();
            silent.hello(null);
            tab.message(1, "anyone?");
            tab.expect("ack");
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> {
            f.clock.advance(Duration.ofSeconds(2));
            return f.chat.openSessions() == 0;
        });
        await().atMost(Duration.ofSeconds(5)).until(() -> f.publisher.events().size() == 2);
        assertThat(f.publisher.events().get(1).data()).isEqualTo(new CustomerLeft(Channel.CHAT, s, "chat-abandoned"));
        // the silent visitor never opened a contact, so nothing more is published
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(1))
                .until(() -> f.publisher.events().size() == 2);
    }

    @Test
    void aFailedCustomerLeftIsPublishedAgainUntilStored() throws Exception {
        f = new ChatFixture();
        String s;
        try (ChatClient tab = f.tab()) {
            s = tab.hello(null).get("session").asText();
            tab.message(1, "bye");
            tab.expect("ack");
            f.publisher.failing(true);
            tab.send(ChatClient.frame("end"));
            tab.expect("ended");
        }
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(1))
                .until(() -> f.publisher.events().size() == 1);
        f.publisher.failing(false);
        await().atMost(Duration.ofSeconds(5)).until(() -> f.publisher.events().size() == 2);
        assertThat(f.publisher.events().get(1).id()).isEqualTo("chat:" + s + ":1:left");
    }

    /** Waits until the server noticed that every tab of the session closed. */
    private void awaitDisconnected(String session) {
        await().atMost(Duration.ofSeconds(5)).until(() -> f.chat.session(session).disconnectedSince() != null);
    }

    static OutboundMessage out(String id, String session, OutboundKind kind, String agentName, String text,
                               Duration wait, Instant due) {
        return new OutboundMessage(id, "shop", "c-1", Channel.CHAT, session, "widget-shop", kind, ChatFixture.START,
                agentName == null ? null : agentName.toLowerCase(), agentName, null, text, wait, due);
    }
}
