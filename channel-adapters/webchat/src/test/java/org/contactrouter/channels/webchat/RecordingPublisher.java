package org.contactrouter.channels.webchat;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import org.contactrouter.events.ContactEvent;
import org.contactrouter.events.ContactEventJson;
import org.contactrouter.events.ContactPublisher;

/**
 * An in-memory publisher: keeps every event it accepted, after a trip through the wire format (so an event the
 * router could not read fails the test). It can be made to fail, or to hold publishes until released.
 */
final class RecordingPublisher implements ContactPublisher {

    private final List<ContactEvent> events = new CopyOnWriteArrayList<>();
    private final AtomicBoolean failing = new AtomicBoolean();
    private final Semaphore gate = new Semaphore(Integer.MAX_VALUE);

    @Override
    public void publish(ContactEvent event) throws PublishException {
        gate.acquireUninterruptibly();
        gate.release();
        if (failing.get()) {
            throw new PublishException("Kafka did not confirm " + event.id() + " in time", null);
        }
        ContactEvent read = ContactEventJson.read(ContactEventJson.write(event));
        if (!read.equals(event)) {
            throw new AssertionError("event changed on the wire: " + event + " became " + read);
        }
        events.add(event);
    }

    List<ContactEvent> events() {
        return List.copyOf(events);
    }

    void failing(boolean fail) {
        failing.set(fail);
    }

    /** Publishes wait until {@link #open()}. */
    void hold() {
        gate.acquireUninterruptibly(Integer.MAX_VALUE);
    }

    void open() {
        gate.release(Integer.MAX_VALUE);
    }
}
