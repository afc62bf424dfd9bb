package org.contactrouter.channels.email;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.contactrouter.events.ContactEvent;
import org.contactrouter.events.ContactEventJson;
import org.contactrouter.events.ContactPublisher;
import org.contactrouter.events.CustomerMessage;

/**
 * An in-memory publisher that keeps what it confirmed, and can refuse a number of events first as a broker that is
 * away would. Every event is written as JSON first, as the server does, so an event the codec refuses fails here too.
 */
final class RecordingPublisher implements ContactPublisher {

    final List<ContactEvent> published = new CopyOnWriteArrayList<>();
    final List<String> attempted = new CopyOnWriteArrayList<>();
    final List<String> json = new CopyOnWriteArrayList<>();
    private final AtomicInteger failuresLeft;

    RecordingPublisher() {
        this(0);
    }

    RecordingPublisher(int failFirst) {
        this.failuresLeft = new AtomicInteger(failFirst);
    }

    @Override
    public void publish(ContactEvent event) throws PublishException {
        attempted.add(event.id());
        String text = ContactEventJson.write(event);
        if (failuresLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            throw new PublishException("broker not reachable (test)", null);
        }
        json.add(text);
        published.add(event);
    }

    CustomerMessage message(int i) {
        return (CustomerMessage) published.get(i).data();
    }

    CustomerMessage last() {
        return message(published.size() - 1);
    }
}
