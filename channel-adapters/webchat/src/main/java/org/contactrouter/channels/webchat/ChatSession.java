package org.contactrouter.channels.webchat;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.channel.Channel;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.contactrouter.events.Customer;
import org.contactrouter.events.Identity;

/**
 * One visitor's chat: the conversation the router knows it by, who the visitor said they are (and what of it the host
 * site vouched for), what was said (to show again after a reload), and the sockets of every tab that has it open.
 * Guarded by its own monitor: the event loops of its sockets, the publishing threads and the Kafka consumer calling
 * {@link WebChat#observe} all touch it.
 */
final class ChatSession {

    /** How many outbound message ids are remembered to recognise a redelivery. */
    private static final int REMEMBERED_OUTBOUND = 1024;

    final String id;
    private final int transcriptLimit;
    private final ArrayDeque<JsonNode> transcript = new ArrayDeque<>();
    private final Set<Channel> sockets = new HashSet<>();
    /** Sequence number to a digest of its text, for every message accepted in this session. */
    private final Map<Long, String> accepted = new HashMap<>();
    /** Sequence numbers whose message is on Kafka. */
    private final Set<Long> published = new HashSet<>();
    private final LinkedHashSet<String> outboundIds = new LinkedHashSet<>();
    private CompletableFuture<Void> publishing = CompletableFuture.completedFuture(null);

    private String name;
    private String claimedEmail;
    private String verifiedEmail;
    private String language;
    private String agentName;
    private long highestSeq;
    private Instant disconnectedSince;
    private boolean gone;

    ChatSession(String id, int transcriptLimit, Instant now) {
        this.id = id;
        this.transcriptLimit = transcriptLimit;
        this.disconnectedSince = now;
    }

    /**
     * What the visitor says about themselves; null leaves a field as it was. An email address the host site vouched
     * for ({@code verifiedEmail}) replaces any claim.
     */
    synchronized void introduce(String name, String claimedEmail, String verifiedEmail, String language) {
        if (name != null) {
            this.name = name;
        }
        if (verifiedEmail != null) {
            this.verifiedEmail = verifiedEmail;
            this.claimedEmail = null;
        } else if (claimedEmail != null) {
            this.claimedEmail = claimedEmail;
        }
        if (language != null) {
            this.language = language;
        }
    }

    /**
     * The customer as the router should know them: the chat visitor first, then the email address the host site
     * vouched for. An address the visitor only typed is not an identity (anyone can type anyone's address): it goes
     * along as the customer's claim, which agents see marked as unverified.
     */
    synchronized Customer customer() {
        List<Identity> ids = new ArrayList<>(2);
        ids.add(Identity.chatVisitor(id));
        if (verifiedEmail != null) {
            ids.add(Identity.email(verifiedEmail));
        }
        return new Customer(name, ids, verifiedEmail == null ? claimedEmail : null);
    }

    /** {@code emailVerified: true} with a vouched-for address, for rules to match on. */
    synchronized Map<String, String> attributes() {
        return verifiedEmail != null ? Map.of("emailVerified", "true") : Map.of();
    }

    synchronized String name() {
        return name;
    }

    synchronized String language() {
        return language;
    }

    synchronized String agentName() {
        return agentName;
    }

    synchronized void agentName(String agentName) {
        this.agentName = agentName;
    }

    synchronized void attach(Channel socket) {
        sockets.add(socket);
        disconnectedSince = null;
    }

    synchronized void detach(Channel socket, Instant now) {
        if (sockets.remove(socket) && sockets.isEmpty()) {
            disconnectedSince = now;
        }
    }

    synchronized List<Channel> sockets() {
        return List.copyOf(sockets);
    }

    /** No tab has had the chat open since {@code since}, or null while one has. */
    synchronized Instant disconnectedSince() {
        return sockets.isEmpty() ? disconnectedSince : null;
    }

    /** Ended or abandoned: no longer in the session table; it accepts nothing more. */
    synchronized boolean gone() {
        return gone;
    }

    synchronized void markGone() {
        gone = true;
    }

    /**
     * Claims {@code seq} for a text. A sequence number already used for the same text is a resend (true); used for
     * another text (two tabs counted alike) it is refused (false).
     */
    synchronized boolean claim(long seq, String digest) {
        String known = accepted.putIfAbsent(seq, digest);
        if (known != null && !known.equals(digest)) {
            return false;
        }
        highestSeq = Math.max(highestSeq, seq);
        return true;
    }

    synchronized long nextSeq() {
        return highestSeq + 1;
    }

    /** The highest sequence number accepted, 0 for none: it names the contact a {@code customer.left} ends. */
    synchronized long highestSeq() {
        return highestSeq;
    }

    synchronized boolean acceptedAny() {
        return !accepted.isEmpty();
    }

    /** The message {@code seq} is on Kafka; true the first time, so it enters the transcript once. */
    synchronized boolean published(long seq) {
        return published.add(seq);
    }

    /** An outbound message not seen before; false for a redelivery. */
    synchronized boolean firstDelivery(String outboundId) {
        if (!outboundIds.add(outboundId)) {
            return false;
        }
        if (outboundIds.size() > REMEMBERED_OUTBOUND) {
            Iterator<String> oldest = outboundIds.iterator();
            oldest.next();
            oldest.remove();
        }
        return true;
    }

    synchronized void remember(JsonNode entry) {
        transcript.addLast(entry);
        while (transcript.size() > transcriptLimit) {
            transcript.removeFirst();
        }
    }

    synchronized List<JsonNode> transcript() {
        return List.copyOf(transcript);
    }

    /** Runs {@code task} after every task queued before it, so the session's events reach Kafka in order. */
    synchronized void inOrder(Runnable task, Executor executor) {
        publishing = publishing.handleAsync((ignored, failure) -> {
            task.run();
            return null;
        }, executor);
    }
}
