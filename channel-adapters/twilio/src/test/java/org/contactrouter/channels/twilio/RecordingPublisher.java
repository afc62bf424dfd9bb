package org.contactrouter.channels.twilio;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.contactrouter.events.ContactEvent;
import org.contactrouter.events.ContactPublisher;

/** An in-memory publisher: keeps what it was given, in order, or fails when told to, as a broker that is down would. */
final class RecordingPublisher implements ContactPublisher {

    private final List<ContactEvent> events = new ArrayList<>();
    private volatile boolean failing;
    private volatile Consumer<ContactEvent> onPublish = e -> { };

    @Override
    public void publish(ContactEvent event) throws PublishException {
        if (failing) {
            throw new PublishException("Kafka did not confirm the event within 5 s", null);
        }
        synchronized (events) {
            events.add(event);
        }
        onPublish.accept(event);
    }

    void failing(boolean failing) {
        this.failing = failing;
    }

    /** Runs after each event is stored, on the publishing thread (the router answering while publish returns). */
    void onPublish(Consumer<ContactEvent> action) {
        this.onPublish = action;
    }

    List<ContactEvent> events() {
        synchronized (events) {
            return List.copyOf(events);
        }
    }

    ContactEvent only() {
        List<ContactEvent> all = events();
        if (all.size() != 1) {
            throw new AssertionError("expected exactly one event, got " + all);
        }
        return all.get(0);
    }
}
