package org.contactrouter.channels.webchat;

import java.time.Instant;

/** A chat on a test server, with a recording publisher and a clock the test moves. */
final class ChatFixture implements AutoCloseable {

    static final String SHOP = "https://shop.example.com";
    static final Instant START = Instant.parse("2026-11-23T09:00:00Z");

    final RecordingPublisher publisher = new RecordingPublisher();
    final MutableClock clock = new MutableClock(START);
    final WebChat chat;
    final ChatTestServer server;

    ChatFixture(ChatSettings settings) throws InterruptedException {
        chat = new WebChat(settings, publisher, clock);
        server = new ChatTestServer(chat);
    }

    ChatFixture() throws InterruptedException {
        this(ChatSettings.defaults(java.util.List.of(SHOP), "widget-shop", "shop"));
    }

    int port() {
        return server.port();
    }

    /** A tab on the shop's site, connected but not yet introduced. */
    ChatClient tab() {
        return ChatClient.connect(port(), SHOP);
    }

    @Override
    public void close() {
        chat.close();
        server.close();
    }
}
