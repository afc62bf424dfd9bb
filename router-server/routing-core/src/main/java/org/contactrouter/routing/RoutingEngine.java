package org.contactrouter.routing;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import org.contactrouter.events.AgentEvent;
import org.contactrouter.events.AgentReplied;
import org.contactrouter.events.Channel;
import org.contactrouter.events.ContactEvent;
import org.contactrouter.events.ContactOpened;
import org.contactrouter.events.ContactWrappedUp;
import org.contactrouter.events.Customer;
import org.contactrouter.events.CustomerLeft;
import org.contactrouter.events.EventData;
import org.contactrouter.events.Identity;
import org.contactrouter.events.InboundContact;
import org.contactrouter.events.NoteAdded;
import org.contactrouter.events.OfferAccepted;
import org.contactrouter.events.OfferRejected;
import org.contactrouter.events.Presence;
import org.contactrouter.events.PresenceChanged;
import org.contactrouter.events.TransferRequested;

/**
 * The routing core: a deterministic state machine. Events and the current time go in, decisions come out; the same
 * inputs give the same decisions. It does no I/O, reads no clock and starts no thread: the caller gives it the time
 * with every call, and timers (offer time-outs, escalation, follow-ups) are state it fires when the time given has
 * passed them. One instance serves one routing domain and is used by one thread at a time.
 *
 * <p>Choosing an agent is a walk from the head of an index of agents who can take the contact now, kept per
 * requirement and strategy; choosing a contact for a freed agent is a look at the head of each waiting list the agent
 * can serve. Neither scans all agents or all contacts.
 *
 * <p>The engine defends its invariants: an event that would give a contact a second owner, push an agent past
 * capacity, or act on an offer that is no longer open is refused with a {@link DecisionType#REFUSED} decision and
 * counted, never applied.
 */
public final class RoutingEngine {

    private static final int MAX_CANDIDATES = 3;
    private static final String AUTO_WRAP_UP = "auto-wrap-up";

    final String domain;
    RoutingConfig config;
    RoutingSettings settings;
    Map<String, Queue> queues = Map.of();
    Map<String, BusinessHours> hours = Map.of();

    final Map<String, AgentState> agents = new LinkedHashMap<>();
    final Map<String, ContactState> contacts = new HashMap<>();
    /** Open contacts of customer threads, by channel and then the channel's conversation key. */
    final Map<Channel, Map<String, ContactState>> openByConversation = new EnumMap<>(Channel.class);
    final Map<String, ContactState> openOffers = new HashMap<>();
    final RecentIds closedContacts = new RecentIds();
    final RecentIds seenEvents = new RecentIds();
    /** The customer each identity belongs to, with that customer's last agent: one lookup per arrival for both. */
    final Map<String, CustomerLink> customerByIdentity = new HashMap<>();
    final Map<String, CustomerProfile> profiles = new HashMap<>();
    /** The one {@link LastAgent} of each customer key. */
    final Map<String, LastAgent> lastAgents = new HashMap<>();

    final Map<IndexKey, AgentIndex> indexes = new LinkedHashMap<>();
    final Map<ListKey, WaitingList> waitingLists = new LinkedHashMap<>();
    final Map<Requirement, List<WaitingList>> listsByRequirement = new HashMap<>();
    final Map<Requirement, Requirement> requirements = new HashMap<>();
    final Map<BaseRequirementKey, Requirement> baseRequirements = new HashMap<>();
    final TimerQueue timers = new TimerQueue();
    final Map<String, int[]> staffedSlots = new HashMap<>();
    final Map<String, int[]> waitingCounts = new HashMap<>();
    final Map<String, Long> handleTimeMillis = new HashMap<>();
    final EnumMap<RefusalReason, Long> refusals = new EnumMap<>(RefusalReason.class);

    long nowMillis;
    /** {@link #nowMillis} as an instant, made once per step instead of once per decision. */
    Instant now;
    long sequence;
    long timerSequence;
    long waitSequence;
    long offerSequence;
    String cause;
    List<RoutingDecision> out = new ArrayList<>();

    record IndexKey(Requirement requirement, SelectionStrategy strategy) {
    }

    record ListKey(String queueId, Requirement requirement) {
    }

    /** What a contact's base requirement is made of: its queue, the rule's extra skills, channel and language. */
    private record BaseRequirementKey(String queueId, Map<String, Integer> extraSkills, Channel channel,
                                      String language) {
    }

    /** A customer key with the customer's last agent, as an identity links to them. */
    record CustomerLink(String key, LastAgent lastAgent) {
    }

    /** The agent who last accepted or wrapped up a contact of a customer; each contact holds its customer's. */
    static final class LastAgent {
        String agentId;
        long atMillis;

        void set(String agentId, long atMillis) {
            this.agentId = agentId;
            this.atMillis = atMillis;
        }
    }

    private record Pick(AgentState agent, Explanation explanation) {
    }

    /** An engine for the default domain; see {@link #RoutingEngine(String, RoutingConfig, Instant)}. */
    public RoutingEngine(RoutingConfig config, Instant start) {
        this(org.contactrouter.events.ContactEvent.DEFAULT_DOMAIN, config, start);
    }

    /**
     * An engine with no contacts and every agent offline, at time {@code start}.
     *
     * @param domain the routing domain it serves; ids of agent and engine decisions start with it, so they are unique
     *               across domains (contact ids are derived from globally unique event ids)
     */
    public RoutingEngine(String domain, RoutingConfig config, Instant start) {
        this.domain = Objects.requireNonNull(domain, "domain");
        this.nowMillis = start.toEpochMilli();
        this.now = Instant.ofEpochMilli(nowMillis);
        install(config.validated());
    }

    // ------------------------------------------------------------------ the API

    /** Applies one event at time {@code now}: fires the timers due by then, then the event. */
    public List<RoutingDecision> decide(ContactEvent event, Instant now) {
        Objects.requireNonNull(event, "event");
        begin(now);
        fireDueTimers();
        cause = event.id();
        if (rememberEvent(event.id())) {
            apply(event.data());
        } else {
            refuse(RefusalReason.DUPLICATE_EVENT, contactOf(event.data()), agentOf(event.data()),
                    "event " + event.id() + " was already applied");
        }
        cause = null;
        return finish();
    }

    /** Moves time to {@code now}, firing every timer due by then. */
    public List<RoutingDecision> advanceTo(Instant now) {
        begin(now);
        fireDueTimers();
        return finish();
    }

    /** Switches to a new config at {@code now}. Waiting contacts are placed again under it; nothing is lost. */
    public List<RoutingDecision> applyConfig(RoutingConfig newConfig, Instant now) {
        RoutingConfig valid = newConfig.validated();
        begin(now);
        fireDueTimers();
        install(valid);
        emit(new Draft(DecisionType.CONFIG_APPLIED, null).text(valid.version()));
        for (AgentState a : agents.values()) {
            offerWorkTo(a);
        }
        return finish();
    }

    /**
     * The engine's state as bytes: deterministic (equal states give equal bytes), versioned and checksummed.
     * {@link #restore} with the same config gives an engine that decides exactly as this one from here on.
     *
     * @throws SnapshotException in the rare state a snapshot cannot describe (a contact still in a queue that a config
     *                           reload removed, kept because no other queue takes its channel); try again later
     */
    public byte[] snapshot() {
        return EngineSnapshot.write(this);
    }

    /**
     * The engine a {@link #snapshot()} describes, under the config it was taken with.
     *
     * @param config the config whose version the snapshot names
     * @throws SnapshotException when the bytes are damaged, of another format version, or of another domain or config
     *                           version; nothing is guessed
     */
    public static RoutingEngine restore(String domain, RoutingConfig config, byte[] snapshot) {
        return EngineSnapshot.read(Objects.requireNonNull(snapshot, "snapshot"), Objects.requireNonNull(domain, "domain"),
                config.validated());
    }

    /** When the next timer is due, so the caller knows when to call {@link #advanceTo}. */
    public Optional<Instant> nextTimerAt() {
        return timers.isEmpty() ? Optional.empty() : Optional.of(Instant.ofEpochMilli(timers.first().dueMillis()));
    }

    public RoutingConfig config() {
        return config;
    }

    /** The time the engine last advanced to. */
    public Instant now() {
        return now;
    }

    /** Events refused so far, per reason. */
    public Map<RefusalReason, Long> refusals() {
        return Collections.unmodifiableMap(refusals);
    }

    /** An open contact, or empty when it is unknown or already closed. */
    public Optional<ContactView> contact(String contactId) {
        ContactState c = contacts.get(contactId);
        return c == null ? Optional.empty() : Optional.of(view(c));
    }

    /** Every open contact, ordered by id. */
    public List<ContactView> openContacts() {
        return contacts.values().stream().map(this::view).sorted((a, b) -> a.id().compareTo(b.id())).toList();
    }

    public Optional<AgentView> agent(String agentId) {
        AgentState a = agents.get(agentId);
        return a == null ? Optional.empty() : Optional.of(view(a));
    }

    /** Every agent, in config order. */
    public List<AgentView> agents() {
        return agents.values().stream().map(this::view).toList();
    }

    /** Waiting contacts, oldest wait and estimated wait of one queue; empty for an unknown queue. */
    public Optional<QueueView> queue(String queueId) {
        Queue q = queues.get(queueId);
        if (q == null) {
            return Optional.empty();
        }
        int waiting = 0;
        long oldest = Long.MAX_VALUE;
        for (ContactState c : contacts.values()) {
            if (c.queue == q && (c.status == ContactStatus.WAITING || c.status == ContactStatus.OFFERED)) {
                waiting++;
                oldest = Math.min(oldest, c.waitStartedMillis);
            }
        }
        EnumMap<Channel, Duration> estimates = new EnumMap<>(Channel.class);
        for (Channel ch : q.channels()) {
            Duration d = estimatedWait(q, ch);
            if (d != null) {
                estimates.put(ch, d);
            }
        }
        return Optional.of(new QueueView(q.id(), q.name(), waiting,
                oldest == Long.MAX_VALUE ? null : Instant.ofEpochMilli(oldest), estimates));
    }

    /** The expected wait for a new contact of this channel in this queue, or empty when no agent staffs it. */
    public Optional<Duration> estimatedWait(String queueId, Channel channel) {
        Queue q = queues.get(queueId);
        return q == null ? Optional.empty() : Optional.ofNullable(estimatedWait(q, channel));
    }

    // ------------------------------------------------------------------ events

    private void apply(EventData data) {
        if (data instanceof InboundContact m) {
            onInbound(m);
        } else if (data instanceof CustomerLeft l) {
            onCustomerLeft(l);
        } else if (data instanceof PresenceChanged p) {
            onPresence(p);
        } else if (data instanceof OfferAccepted a) {
            onOfferAnswered(a.agentId(), a.offerId(), true, null);
        } else if (data instanceof OfferRejected r) {
            onOfferAnswered(r.agentId(), r.offerId(), false, r.reason());
        } else if (data instanceof AgentReplied r) {
            onOwnerAction(r.agentId(), r.contactId(), DecisionType.REPLIED, r.text());
        } else if (data instanceof NoteAdded n) {
            onOwnerAction(n.agentId(), n.contactId(), DecisionType.NOTE_ADDED, n.text());
        } else if (data instanceof TransferRequested t) {
            onTransfer(t);
        } else if (data instanceof ContactWrappedUp w) {
            onWrapUp(w);
        } else {
            throw new IllegalStateException("unhandled event type " + data.type());
        }
    }

    private void onInbound(InboundContact m) {
        ContactState open = openOn(m.channel()).get(m.conversation());
        if (open != null) {
            if (m instanceof ContactOpened) {
                refuse(RefusalReason.CONVERSATION_ALREADY_OPEN, open.id, null, "conversation "
                        + conversationKey(m.channel(), m.conversation()) + " already has open contact " + open.id);
            } else {
                onMessage(open, m.text());
            }
            return;
        }
        CustomerLink customer = resolveCustomer(m.customer());
        String customerKey = customer.key();
        CustomerProfile profile = profiles.get(customerKey);
        String tier = m.attributes().getOrDefault("tier", profile == null ? null : profile.tier());
        ContactState c = new ContactState(newContactId(cause), m.channel(), customerKey, m.language(), tier, null);
        c.customer = m.customer();
        c.conversation = m.conversation();
        c.endpoint = m.endpoint();
        c.subject = m.subject();
        c.firstText = m.text();
        RoutingRule rule = matchRule(c, m);
        Queue q = rule != null ? queues.get(rule.queue()) : firstQueueFor(m.channel());
        if (q == null) {
            refuse(RefusalReason.NO_QUEUE, c.id, null, "no queue takes " + m.channel().wireName() + " contacts");
            return;
        }
        contacts.put(c.id, c);
        openOn(c.channel).put(c.conversation, c);
        c.ruleId = rule == null ? null : rule.id();
        c.queue = q;
        c.priority = rule != null && rule.priority() != null ? rule.priority() : q.priority();
        c.extraSkills = rule == null ? Map.of() : rule.skills();
        String preferred = m.attributes().get("preferredAgent");
        String preferredWhy = "the customer asked for them";
        if (preferred == null && profile != null && profile.preferredAgent() != null) {
            preferred = profile.preferredAgent();
            preferredWhy = "the customer's preferred agent";
        }
        c.lastAgent = customer.lastAgent();
        if (preferred == null) {
            LastAgent last = c.lastAgent;
            if (last.agentId != null && nowMillis - last.atMillis < settings.affinityLookback().toMillis()) {
                preferred = last.agentId;
                preferredWhy = "handled this customer last";
            }
        }
        route(c, preferred, preferredWhy);
    }

    private void onMessage(ContactState c, String text) {
        if (c.status == ContactStatus.ENDED) {
            c.status = ContactStatus.ASSIGNED;
            c.targetGeneration++;
        }
        if (c.status == ContactStatus.ASSIGNED) {
            emit(new Draft(DecisionType.MESSAGE_TO_OWNER, c).agent(c.owner).text(text)
                    .explain("message on an open conversation goes to its owner"));
        } else {
            emit(new Draft(DecisionType.MESSAGE_QUEUED, c).text(text)
                    .explain("message joins the contact while it waits for an agent"));
        }
    }

    private void onCustomerLeft(CustomerLeft l) {
        ContactState c = openOn(l.channel()).get(l.conversation());
        if (c == null) {
            refuse(RefusalReason.UNKNOWN_CONTACT, null, null,
                    "no open contact for conversation " + conversationKey(l.channel(), l.conversation()));
            return;
        }
        String why = l.reason() == null ? "customer left" : "customer left: " + l.reason();
        switch (c.status) {
            case SCHEDULED -> emit(new Draft(DecisionType.MESSAGE_QUEUED, c).text(why)
                    .explain("the scheduled call-back or follow-up stands"));
            case WAITING -> {
                removeFromWaiting(c);
                close(c, ContactStatus.ABANDONED);
                emit(new Draft(DecisionType.ABANDONED, c).text(why).explain("left before an agent took the contact"));
            }
            case OFFERED -> {
                AgentState a = c.offeredTo;
                String offerId = c.offerId;
                withdrawOffer(c);
                close(c, ContactStatus.ABANDONED);
                emit(new Draft(DecisionType.ABANDONED, c).agent(a).offer(offerId).text(why)
                        .explain("left while the contact was offered; the offer is withdrawn"));
                offerWorkTo(a);
            }
            case ASSIGNED -> {
                c.status = ContactStatus.ENDED;
                c.targetGeneration++;
                schedule(Timer.Kind.WRAP_UP_LIMIT, c, nowMillis + settings.wrapUpLimit().toMillis(),
                        c.targetGeneration, null);
                emit(new Draft(DecisionType.ENDED, c).agent(c.owner).text(why)
                        .explain("the agent keeps the contact until wrap-up"));
            }
            default -> refuse(RefusalReason.CONTACT_CLOSED, c.id, null, "contact " + c.id + " already ended");
        }
    }

    private void onPresence(PresenceChanged p) {
        AgentState a = agents.get(p.agentId());
        if (a == null || !a.configured) {
            refuse(RefusalReason.UNKNOWN_AGENT, null, p.agentId(), "no agent '" + p.agentId() + "' in the config");
            return;
        }
        setPresence(a, p.presence(), "set by the agent");
        if (p.presence() == Presence.OFFLINE) {
            for (ContactState c : List.copyOf(a.reserved)) {
                if (c.originContactId == null) {
                    unreserve(c);
                    placeOrOffer(c);
                }
            }
            for (ContactState c : offersOf(a)) {
                String offerId = c.offerId;
                withdrawOffer(c);
                emit(new Draft(DecisionType.OFFER_WITHDRAWN, c).agent(a).offer(offerId)
                        .explain("the agent signed off"));
                placeOrOffer(c);
            }
        }
        offerWorkTo(a);
    }

    private void onOfferAnswered(String agentId, String offerId, boolean accepted, String reason) {
        ContactState c = openOffers.get(offerId);
        if (c == null) {
            int cut = offerId.lastIndexOf(".o");
            refuse(RefusalReason.OFFER_NOT_OPEN, cut > 0 ? offerId.substring(0, cut) : null, agentId,
                    "offer " + offerId + " is not open: it expired, was withdrawn or was answered");
            return;
        }
        AgentState a = c.offeredTo;
        if (!a.id().equals(agentId)) {
            refuse(RefusalReason.OFFER_NOT_OPEN, c.id, agentId, "offer " + offerId + " was made to another agent");
            return;
        }
        if (!accepted) {
            withdrawOffer(c);
            c.exclude(a.id());
            emit(new Draft(DecisionType.OFFER_REJECTED, c).agent(a).offer(offerId).text(reason)
                    .explain("declined; not offered to this agent again in this cycle"));
            placeOrOffer(c);
            offerWorkTo(a);
            return;
        }
        if (c.owner != null) {
            refuse(RefusalReason.SECOND_OWNER, c.id, agentId, "contact " + c.id + " is owned by " + c.owner.id());
            return;
        }
        if (a.load[c.channel.ordinal()] > a.capacity[c.channel.ordinal()]) {
            refuse(RefusalReason.OVER_CAPACITY, c.id, agentId, "agent " + agentId + " is over capacity");
            return;
        }
        openOffers.remove(offerId);
        a.offered.remove(c);
        c.offerId = null;
        c.offeredTo = null;
        c.offerExpiresAt = null;
        c.owner = a;
        c.status = ContactStatus.ASSIGNED;
        c.assignedAtMillis = nowMillis;
        cancelTimers(c);
        c.clearExclusions();
        c.lastAgent.set(a.id(), nowMillis);
        emit(new Draft(DecisionType.ASSIGNED, c).agent(a).offer(offerId).previous(c.previousAgentId)
                .explain(c.previousAgentId == null ? "accepted" : "accepted a transfer from " + c.previousAgentId));
    }

    private void onOwnerAction(String agentId, String contactId, DecisionType type, String text) {
        ContactState c = ownedBy(agentId, contactId);
        if (c == null) {
            return;
        }
        if (type == DecisionType.NOTE_ADDED) {
            c.notes.add(text);
        }
        emit(new Draft(type, c).agent(c.owner).text(text));
    }

    private void onTransfer(TransferRequested t) {
        ContactState c = ownedBy(t.agentId(), t.contactId());
        if (c == null) {
            return;
        }
        if (c.status != ContactStatus.ASSIGNED) {
            refuse(RefusalReason.CONTACT_CLOSED, c.id, t.agentId(), "the customer already left contact " + c.id);
            return;
        }
        int limit = settings.maxTransfersPerContact();
        if (c.transfers >= limit) {
            refuse(RefusalReason.TRANSFER_LIMIT, c.id, t.agentId(), "contact " + c.id + " was transferred "
                    + c.transfers + " time(s) already; the limit is " + limit);
            return;
        }
        AgentState target = null;
        Queue targetQueue = null;
        if (t.toAgentId() != null) {
            target = agents.get(t.toAgentId());
            if (target == null || !target.configured) {
                refuse(RefusalReason.UNKNOWN_AGENT, c.id, t.agentId(), "no agent '" + t.toAgentId() + "' in the config");
                return;
            }
            String unavailable = target == c.owner ? "cannot transfer to yourself" : whyCannotTake(target, c.channel);
            if (unavailable != null) {
                refuse(RefusalReason.TRANSFER_TARGET_UNAVAILABLE, c.id, t.agentId(), unavailable);
                return;
            }
        } else {
            targetQueue = queues.get(t.toQueueId());
            if (targetQueue == null || !targetQueue.channels().contains(c.channel)) {
                refuse(RefusalReason.UNKNOWN_QUEUE, c.id, t.agentId(), targetQueue == null
                        ? "no queue '" + t.toQueueId() + "' in the config"
                        : "queue '" + t.toQueueId() + "' does not take " + c.channel.wireName() + " contacts");
                return;
            }
        }
        AgentState from = c.owner;
        from.release(c.channel);
        reindex(from);
        c.owner = null;
        c.transfers++;
        c.previousAgentId = from.id();
        c.notes.add(t.note());
        Draft transferred = new Draft(DecisionType.TRANSFERRED, c).previous(from.id()).text(t.note());
        if (target != null) {
            emit(transferred.agent(target).explain("transferred by " + from.id() + " to " + target.id()));
            c.status = ContactStatus.WAITING;
            c.waitGeneration++;
            c.targetGeneration++;
            offer(c, target, new Explanation(c.ruleId, c.queue.id(), null,
                    "transferred by " + from.id() + " with a note", 1, List.of()));
        } else {
            c.queue = targetQueue;
            c.priority = Math.max(c.priority, targetQueue.priority());
            c.extraSkills = Map.of();
            c.ruleId = null;
            emit(transferred.explain("transferred by " + from.id() + " to queue " + targetQueue.id()));
            startWait(c, true);
            c.exclude(from.id());
            Pick pick = findAgent(c);
            emit(new Draft(DecisionType.QUEUED, c).estimatedWait(pick != null ? Duration.ZERO : estimatedWait(c))
                    .explain("transferred to queue " + targetQueue.id()));
            offerOrWait(c, pick);
        }
        offerWorkTo(from);
    }

    private void onWrapUp(ContactWrappedUp w) {
        ContactState c = ownedBy(w.agentId(), w.contactId());
        if (c == null) {
            return;
        }
        AgentState owner = c.owner;
        wrapUp(c, w.disposition());
        if (w.followUpAt() != null) {
            scheduleFollowUp(c, w.followUpAt(), w.followUpNote());
        }
        offerWorkTo(owner);
    }

    // ------------------------------------------------------------------ timers

    private void fireDueTimers() {
        while (!timers.isEmpty() && timers.first().dueMillis() <= nowMillis) {
            Timer t = timers.pollFirst();
            ContactState c = t.contact();
            c.timers.remove(t);
            switch (t.kind()) {
                case OFFER_TIMEOUT -> offerTimedOut(c, t.ref());
                case SLA_BREACH -> {
                    if (c.waitGeneration == t.generation() && (c.status == ContactStatus.WAITING
                            || c.status == ContactStatus.OFFERED)) {
                        emit(new Draft(DecisionType.SLA_BREACHED, c).text("waited "
                                + Duration.ofMillis(nowMillis - c.waitStartedMillis).toSeconds() + "s, target "
                                + Duration.ofMillis(Long.parseLong(t.ref())).toSeconds() + "s"));
                    }
                }
                case ESCALATION -> {
                    if (c.targetGeneration == t.generation() && (c.status == ContactStatus.WAITING
                            || c.status == ContactStatus.OFFERED)) {
                        escalate(c, Integer.parseInt(t.ref()));
                    }
                }
                case AFFINITY_EXPIRED -> {
                    if (c.targetGeneration == t.generation() && c.status == ContactStatus.WAITING
                            && c.reservedFor != null) {
                        String agentId = c.reservedFor.id();
                        unreserve(c);
                        emit(new Draft(DecisionType.ESCALATED, c).text("widened to the queue")
                                .explain(agentId + " was not free within " + settings.affinityWait().toSeconds() + "s"));
                        placeOrOffer(c);
                    }
                }
                case CYCLE_RESET -> {
                    if (c.status == ContactStatus.WAITING && c.waitingList != null && c.hasExclusions()) {
                        removeFromWaiting(c);
                        c.clearExclusions();
                        placeOrOffer(c);
                    }
                }
                case DUE -> {
                    if (c.status == ContactStatus.SCHEDULED) {
                        becameDue(c);
                    }
                }
                case WRAP_UP_LIMIT -> {
                    if (c.status == ContactStatus.ENDED && c.targetGeneration == t.generation()) {
                        AgentState owner = c.owner;
                        wrapUp(c, AUTO_WRAP_UP);
                        offerWorkTo(owner);
                    }
                }
            }
        }
    }

    private void offerTimedOut(ContactState c, String offerId) {
        if (c.status != ContactStatus.OFFERED || !offerId.equals(c.offerId)) {
            return;
        }
        AgentState a = c.offeredTo;
        withdrawOffer(c);
        c.exclude(a.id());
        emit(new Draft(DecisionType.OFFER_TIMED_OUT, c).agent(a).offer(offerId)
                .explain("not answered within " + settings.offerTimeout().toSeconds() + "s"));
        if (settings.awayOnMissedOffer() && a.presence == Presence.AVAILABLE) {
            setPresence(a, Presence.AWAY, "missed an offer");
        }
        placeOrOffer(c);
        offerWorkTo(a);
    }

    private void escalate(ContactState c, int stepIndex) {
        if (stepIndex >= c.queue.escalation().size()) {
            return;
        }
        EscalationStep step = c.queue.escalation().get(stepIndex);
        String stepQueue = c.queue.id();
        boolean placed = c.status == ContactStatus.WAITING;
        if (placed) {
            removeFromWaiting(c);
        }
        List<String> what = new ArrayList<>();
        if (step.overflowTo() != null && queues.containsKey(step.overflowTo())) {
            Queue from = c.queue;
            c.queue = queues.get(step.overflowTo());
            c.extraSkills = Map.of();
            c.requirement = baseRequirement(c);
            c.targetGeneration++;
            c.targetSinceMillis = nowMillis;
            scheduleEscalations(c, false);
            what.add("overflow from " + from.id() + " to " + c.queue.id());
        }
        if (!step.skills().isEmpty()) {
            c.requirement = canonical(c.requirement.withSkills(step.skills()));
            what.add("skills " + step.skills());
        }
        if (step.anyLanguage() && c.requirement.language() != null) {
            c.requirement = canonical(c.requirement.withoutLanguage());
            what.add("any language");
        }
        if (step.raisePriority() != 0) {
            c.priority += step.raisePriority();
            what.add("priority +" + step.raisePriority());
        }
        c.clearExclusions();
        emit(new Draft(DecisionType.ESCALATED, c).text(String.join("; ", what))
                .explain("escalation step " + (stepIndex + 1) + " of queue " + stepQueue));
        if (placed) {
            placeOrOffer(c);
        }
    }

    private void becameDue(ContactState c) {
        if (c.originContactId == null) {
            route(c, null, null);
            return;
        }
        startWait(c, false);
        AgentState a = agents.get(c.followUpAgentId);
        emit(new Draft(DecisionType.FOLLOW_UP_DUE, c).agent(a).text(c.followUpNote)
                .explain("follow-up of " + c.originContactId + " goes back to the agent who scheduled it"));
        if (a == null || !a.configured) {
            placeOrOffer(c);
        } else if (a.canTake(c.channel)) {
            offer(c, a, new Explanation(c.ruleId, c.queue.id(), null, "their own follow-up", 1, List.of()));
        } else {
            reserve(c, a, -1);
        }
    }

    private void schedule(Timer.Kind kind, ContactState c, long dueMillis, long generation, String ref) {
        Timer t = new Timer(kind, c, generation, ref, dueMillis, ++timerSequence);
        timers.add(t);
        c.timers.add(t);
    }

    /** Drops a contact's pending timers: they would fire for nothing, and would keep a closed contact in memory. */
    private void cancelTimers(ContactState c) {
        for (Timer t : c.timers) {
            timers.remove(t);
        }
        c.timers.clear();
    }

    // ------------------------------------------------------------------ routing

    /** Routes a contact that has its queue: after-hours handling, then the customer's own agent, then the queue. */
    private void route(ContactState c, String preferredId, String preferredWhy) {
        BusinessHours h = c.queue.hours() == null ? null : hours.get(c.queue.hours());
        if (h != null && !h.isOpen(now)) {
            Optional<Instant> opens = h.nextOpening(now);
            if (opens.isPresent()) {
                c.status = ContactStatus.SCHEDULED;
                c.dueAt = opens.get();
                schedule(Timer.Kind.DUE, c, c.dueAt.toEpochMilli(), 0, null);
                emit(new Draft(DecisionType.AFTER_HOURS, c).due(c.dueAt).introduce()
                        .explain("queue " + c.queue.id() + " is closed (" + h.id() + "); scheduled for the next opening"));
                return;
            }
        }
        startWait(c, true);
        AgentState preferred = preferredId == null ? null : agents.get(preferredId);
        if (preferred != null && (!preferred.configured || preferred.presence == Presence.OFFLINE
                || !c.requirement.withoutLanguage().satisfiedBy(preferred.agent))) {
            preferred = null;
        }
        Pick pick = preferred == null ? findAgent(c) : null;
        boolean immediate = pick != null || (preferred != null && preferred.canTake(c.channel));
        emit(new Draft(DecisionType.QUEUED, c).estimatedWait(immediate ? Duration.ZERO : estimatedWait(c)).introduce()
                .explain(c.ruleId == null ? "no rule matched; first queue taking " + c.channel.wireName()
                        : "rule " + c.ruleId + (preferred == null ? ""
                        : "; prefers " + preferred.id() + " (" + preferredWhy + ")")));
        if (preferred == null) {
            offerOrWait(c, pick);
        } else if (preferred.canTake(c.channel)) {
            offer(c, preferred, new Explanation(c.ruleId, c.queue.id(), null,
                    "preferred agent: " + preferredWhy, 1, List.of(new Explanation.Candidate(preferred.id(), 0, "chosen"))));
        } else {
            reserve(c, preferred, nowMillis + settings.affinityWait().toMillis());
        }
    }

    private void startWait(ContactState c, boolean withTargets) {
        c.status = ContactStatus.WAITING;
        c.waitStartedMillis = nowMillis;
        c.agingSinceMillis = nowMillis;
        c.targetSinceMillis = nowMillis;
        c.waitGeneration++;
        c.targetGeneration++;
        c.clearExclusions();
        c.requirement = baseRequirement(c);
        if (withTargets) {
            long target = c.queue.responseTarget(c.channel).toMillis();
            schedule(Timer.Kind.SLA_BREACH, c, nowMillis + target, c.waitGeneration, Long.toString(target));
            scheduleEscalations(c, false);
        }
    }

    /** Schedules the queue's escalation steps, counted from when the contact's target began. */
    private void scheduleEscalations(ContactState c, boolean futureOnly) {
        List<EscalationStep> steps = c.queue.escalation();
        Duration target = c.queue.responseTarget(c.channel);
        for (int i = 0; i < steps.size(); i++) {
            long due = c.targetSinceMillis + steps.get(i).delayMillis(target);
            if (!futureOnly || due > nowMillis) {
                schedule(Timer.Kind.ESCALATION, c, due, c.targetGeneration, Integer.toString(i));
            }
        }
    }

    /** The queue's requirement with the rule's extra skills: one shared instance per queue, skills, channel, language. */
    private Requirement baseRequirement(ContactState c) {
        String language = c.queue.matchLanguage() ? c.language : null;
        BaseRequirementKey key = new BaseRequirementKey(c.queue.id(), c.extraSkills, c.channel, language);
        Requirement r = baseRequirements.get(key);
        if (r == null) {
            Map<String, Integer> skills = new TreeMap<>(c.queue.skills());
            c.extraSkills.forEach((s, l) -> skills.merge(s, l, Math::max));
            r = canonical(new Requirement(c.channel, skills, language));
            baseRequirements.put(key, r);
        }
        return r;
    }

    /**
     * The one instance of an equal requirement. Contacts, lists and indexes share it, so the lookups keyed by
     * requirement compare by identity instead of comparing skill maps.
     */
    Requirement canonical(Requirement r) {
        Requirement known = requirements.putIfAbsent(r, r);
        return known != null ? known : r;
    }

    /** Offers a waiting contact to the best agent able to take it, or puts it in its waiting list. */
    private void placeOrOffer(ContactState c) {
        c.status = ContactStatus.WAITING;
        offerOrWait(c, findAgent(c));
    }

    private void offerOrWait(ContactState c, Pick pick) {
        if (pick != null) {
            offer(c, pick.agent(), pick.explanation());
            return;
        }
        waitInList(c);
        if (c.hasExclusions()) {
            schedule(Timer.Kind.CYCLE_RESET, c, nowMillis + settings.offerRetryAfter().toMillis(), 0, null);
        }
    }

    /** The best agent for a contact under its queue's strategy, skipping those who declined it in this cycle. */
    private Pick findAgent(ContactState c) {
        SelectionStrategy strategy = c.queue.strategy();
        AgentIndex index = index(c.requirement, strategy);
        List<Explanation.Candidate> declined = null;
        for (AgentIndex.Entry e : index.entries) {
            if (c.excludes(e.agentId())) {
                if (declined == null) {
                    declined = new ArrayList<>(MAX_CANDIDATES);
                }
                if (declined.size() < MAX_CANDIDATES - 1) {
                    declined.add(new Explanation.Candidate(e.agentId(), e.primary(), "declined or missed it in this cycle"));
                }
                continue;
            }
            Explanation.Candidate chosen = new Explanation.Candidate(e.agentId(), e.primary(), "chosen");
            List<Explanation.Candidate> candidates;
            if (declined == null) {
                candidates = List.of(chosen);
            } else {
                declined.add(chosen);
                candidates = declined;
            }
            return new Pick(e.agent(), new Explanation(c.ruleId, c.queue.id(), strategy,
                    index.description, index.entries.size(), candidates));
        }
        return null;
    }

    /** Gives a freed or newly available agent the best work they can take, as long as they have room. */
    private void offerWorkTo(AgentState a) {
        while (a.configured && a.presence == Presence.AVAILABLE && a.exclusiveLoad == 0) {
            ContactState best = null;
            String why = null;
            for (ContactState r : a.reserved) {
                if (a.canTake(r.channel)) {
                    best = r;
                    why = r.originContactId != null ? "their own follow-up" : "the customer's own agent became free";
                    break;
                }
            }
            if (best == null) {
                WaitingList.Entry bestEntry = null;
                long bestEffective = 0;
                for (int r = 0; r < a.requirements.size(); r++) {
                    if (!a.canTake(a.requirements.get(r).channel())) {
                        continue;
                    }
                    for (WaitingList list : a.waitingLists.get(r)) {
                        WaitingList.Entry e = list.firstFor(a.id());
                        if (e == null) {
                            continue;
                        }
                        long effective = list.effective(e, nowMillis);
                        if (bestEntry == null || effective > bestEffective
                                || (effective == bestEffective && e.sequence() < bestEntry.sequence())) {
                            bestEntry = e;
                            bestEffective = effective;
                        }
                    }
                }
                if (bestEntry == null) {
                    return;
                }
                best = bestEntry.contact();
                why = "agent became free; highest-priority waiting contact they can take";
            }
            offer(best, a, new Explanation(best.ruleId, best.queue.id(), null, why, 1,
                    List.of(new Explanation.Candidate(a.id(), a.idleSinceMillis, "chosen"))));
        }
    }

    private void offer(ContactState c, AgentState a, Explanation why) {
        if (!a.canTake(c.channel)) {
            throw new IllegalStateException("routing invariant broken: offering " + c.id + " to " + a.id()
                    + ", who cannot take it");
        }
        removeFromWaiting(c);
        c.status = ContactStatus.OFFERED;
        c.offerId = c.id + ".o" + (++c.offerCount);
        c.offeredTo = a;
        c.offerExpiresAt = Instant.ofEpochMilli(nowMillis + settings.offerTimeout().toMillis());
        openOffers.put(c.offerId, c);
        a.offered.add(c);
        a.take(c.channel);
        a.lastOfferSequence = ++offerSequence;
        a.idleSinceMillis = nowMillis;
        reindex(a);
        schedule(Timer.Kind.OFFER_TIMEOUT, c, c.offerExpiresAt.toEpochMilli(), 0, c.offerId);
        Draft d = new Draft(DecisionType.OFFERED, c).agent(a).offer(c.offerId).due(c.offerExpiresAt)
                .previous(c.previousAgentId);
        if (c.transfers > 0 && !c.notes.isEmpty()) {
            d.text(c.notes.get(c.notes.size() - 1));
        }
        d.explanation = why;
        emit(d);
    }

    private void withdrawOffer(ContactState c) {
        AgentState a = c.offeredTo;
        openOffers.remove(c.offerId);
        a.offered.remove(c);
        a.release(c.channel);
        a.idleSinceMillis = nowMillis;
        reindex(a);
        c.offerId = null;
        c.offeredTo = null;
        c.offerExpiresAt = null;
        c.status = ContactStatus.WAITING;
    }

    private void waitInList(ContactState c) {
        placeInList(c, waitingList(c).entryFor(c, ++waitSequence));
        c.status = ContactStatus.WAITING;
    }

    /** The waiting list of the contact's queue and requirement, made (with its agent index) on first use. */
    private WaitingList waitingList(ContactState c) {
        ListKey key = new ListKey(c.queue.id(), c.requirement);
        WaitingList list = waitingLists.get(key);
        if (list == null) {
            index(c.requirement, c.queue.strategy());
            list = new WaitingList(c.queue, c.requirement);
            waitingLists.put(key, list);
            listsOf(c.requirement).add(list);
        }
        return list;
    }

    /** Puts the contact in its waiting list at the entry's place. */
    void placeInList(ContactState c, WaitingList.Entry e) {
        WaitingList list = waitingList(c);
        list.add(e);
        c.waitingList = list;
        c.waitingEntry = e;
        waitingCounts.computeIfAbsent(c.queue.id(), q -> new int[Channel.values().length])[c.channel.ordinal()]++;
    }

    private void reserve(ContactState c, AgentState a, long untilMillis) {
        c.status = ContactStatus.WAITING;
        c.reservedFor = a;
        a.reserved.add(c);
        if (untilMillis >= 0) {
            schedule(Timer.Kind.AFFINITY_EXPIRED, c, untilMillis, c.targetGeneration, null);
        }
    }

    private void unreserve(ContactState c) {
        c.reservedFor.reserved.remove(c);
        c.reservedFor = null;
    }

    private void removeFromWaiting(ContactState c) {
        if (c.waitingList != null) {
            c.waitingList.remove(c.waitingEntry);
            waitingCounts.get(c.waitingList.queue.id())[c.channel.ordinal()]--;
            c.waitingList = null;
            c.waitingEntry = null;
        }
        if (c.reservedFor != null) {
            unreserve(c);
        }
    }

    private void wrapUp(ContactState c, String disposition) {
        AgentState owner = c.owner;
        owner.release(c.channel);
        owner.handled++;
        owner.idleSinceMillis = nowMillis;
        reindex(owner);
        long handled = nowMillis - c.assignedAtMillis;
        handleTimeMillis.merge(c.queue.id(), handled, (old, sample) -> old + (sample - old) / 5);
        c.lastAgent.set(owner.id(), nowMillis);
        close(c, ContactStatus.CLOSED);
        emit(new Draft(DecisionType.WRAPPED_UP, c).agent(owner).text(disposition));
    }

    private void scheduleFollowUp(ContactState origin, Instant at, String note) {
        ContactState f = new ContactState(origin.id + ".f" + (++origin.followUps), origin.channel,
                origin.customerKey, origin.language, origin.tier, origin.id);
        f.queue = origin.queue;
        f.ruleId = origin.ruleId;
        f.priority = origin.priority;
        f.followUpAgentId = origin.owner.id();
        f.followUpNote = note;
        f.customer = origin.customer;
        f.lastAgent = origin.lastAgent;
        f.subject = origin.subject;
        f.status = ContactStatus.SCHEDULED;
        f.dueAt = at.toEpochMilli() < nowMillis ? now : at;
        contacts.put(f.id, f);
        schedule(Timer.Kind.DUE, f, f.dueAt.toEpochMilli(), 0, null);
        emit(new Draft(DecisionType.FOLLOW_UP_SCHEDULED, f).agent(origin.owner).due(f.dueAt).text(note).introduce()
                .explain("follow-up of " + origin.id + ", back to " + origin.owner.id() + " when due"));
    }

    private void close(ContactState c, ContactStatus terminal) {
        c.status = terminal;
        cancelTimers(c);
        contacts.remove(c.id);
        if (c.originContactId == null) {
            openOn(c.channel).remove(c.conversation, c);
        }
        closedContacts.put(c.id, nowMillis);
    }

    private void setPresence(AgentState a, Presence presence, String why) {
        Presence old = a.presence;
        boolean wasStaffing = old != Presence.OFFLINE;
        boolean staffing = presence != Presence.OFFLINE;
        a.presence = presence;
        if (presence == Presence.AVAILABLE && old != Presence.AVAILABLE) {
            a.idleSinceMillis = nowMillis;
        }
        if (wasStaffing != staffing) {
            countStaffing(a, staffing ? 1 : -1);
        }
        reindex(a);
        emit(new Draft(DecisionType.PRESENCE_CHANGED, null).agent(a).text(presence.wireName())
                .explain(old.wireName() + " -> " + presence.wireName() + ": " + why));
    }

    // ------------------------------------------------------------------ indexes

    AgentIndex index(Requirement requirement, SelectionStrategy strategy) {
        IndexKey key = new IndexKey(requirement, strategy);
        AgentIndex index = indexes.get(key);
        if (index == null) {
            index = new AgentIndex(requirement, strategy);
            indexes.put(key, index);
            for (AgentState a : agents.values()) {
                if (requirement.satisfiedBy(a.agent)) {
                    int i = a.join(index);
                    if (!a.requirements.contains(requirement)) {
                        a.requirements.add(requirement);
                        a.waitingLists.add(listsOf(requirement));
                    }
                    if (a.canTake(requirement.channel())) {
                        a.entries[i] = index.entryFor(a, a.skillScores[i]);
                        index.entries.add(a.entries[i]);
                    }
                }
            }
        }
        return index;
    }

    /** The waiting lists of a requirement, in creation order: one list object per requirement, shared with agents. */
    List<WaitingList> listsOf(Requirement requirement) {
        return listsByRequirement.computeIfAbsent(requirement, r -> new ArrayList<>());
    }

    /** Ranks every agent by id, for the indexes' tie-break; the indexes are rebuilt after. */
    void rankAgentIds() {
        List<AgentState> byId = new ArrayList<>(agents.values());
        byId.sort((x, y) -> x.id().compareTo(y.id()));
        for (int i = 0; i < byId.size(); i++) {
            byId.get(i).idRank = i;
        }
    }

    private void reindex(AgentState a) {
        for (int i = 0; i < a.indexCount; i++) {
            AgentIndex index = a.indexes[i];
            if (a.entries[i] != null) {
                index.entries.remove(a.entries[i]);
                a.entries[i] = null;
            }
            if (a.canTake(index.requirement.channel())) {
                a.entries[i] = index.entryFor(a, a.skillScores[i]);
                index.entries.add(a.entries[i]);
            }
        }
    }

    void countStaffing(AgentState a, int sign) {
        for (Queue q : queues.values()) {
            int[] slots = staffedSlots.computeIfAbsent(q.id(), id -> new int[Channel.values().length]);
            for (Channel ch : q.channels()) {
                if (new Requirement(ch, q.skills(), null).satisfiedBy(a.agent)) {
                    slots[ch.ordinal()] += sign * a.agent.capacityFor(ch);
                }
            }
        }
    }

    private Duration estimatedWait(ContactState c) {
        return estimatedWait(c.queue, c.channel);
    }

    /** Handle time x (contacts ahead + 1) / staffed slots; null when nobody staffs the queue for the channel. */
    private Duration estimatedWait(Queue q, Channel ch) {
        int[] slots = staffedSlots.get(q.id());
        int staffed = slots == null ? 0 : slots[ch.ordinal()];
        if (staffed <= 0) {
            return null;
        }
        int[] waiting = waitingCounts.get(q.id());
        int ahead = waiting == null ? 0 : waiting[ch.ordinal()];
        long aht = handleTimeMillis.getOrDefault(q.id(), q.expectedHandleTime().toMillis());
        return Duration.ofMillis(aht * (ahead + 1) / staffed).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
    }

    // ------------------------------------------------------------------ config

    private void install(RoutingConfig cfg) {
        this.config = cfg;
        this.settings = cfg.settings();
        this.queues = cfg.queuesById();
        this.hours = cfg.hoursById();
        profiles.clear();
        for (CustomerProfile p : cfg.customers()) {
            String key = p.identities().get(0).key();
            profiles.put(key, p);
            CustomerLink link = linkTo(key);
            for (Identity id : p.identities()) {
                customerByIdentity.put(id.key(), link);
            }
        }
        Map<String, Agent> configured = cfg.agentsById();
        for (AgentState a : agents.values()) {
            if (!configured.containsKey(a.id())) {
                a.configured = false;
                for (ContactState c : List.copyOf(a.reserved)) {
                    unreserve(c);
                }
                for (ContactState c : offersOf(a)) {
                    String offerId = c.offerId;
                    withdrawOffer(c);
                    emit(new Draft(DecisionType.OFFER_WITHDRAWN, c).agent(a).offer(offerId)
                            .explain("the agent was removed from the config"));
                }
            }
        }
        for (Agent agent : cfg.agents()) {
            AgentState a = agents.get(agent.id());
            if (a == null) {
                agents.put(agent.id(), new AgentState(agent, nowMillis));
            } else {
                a.configure(agent);
                a.configured = true;
                a.overCapacityByConfig = false;
                for (Channel ch : Channel.values()) {
                    a.overCapacityByConfig |= a.load[ch.ordinal()] > agent.capacityFor(ch);
                }
            }
        }
        // Derived structures are rebuilt from the contacts and agents, which are the state.
        List<ContactState> waiting = new ArrayList<>();
        for (WaitingList list : waitingLists.values()) {
            for (WaitingList.Entry e : list.entries) {
                waiting.add(e.contact());
            }
        }
        waiting.sort((x, y) -> Long.compare(x.waitingEntry.sequence(), y.waitingEntry.sequence()));
        indexes.clear();
        requirements.clear();
        baseRequirements.clear();
        rankAgentIds();
        waitingLists.clear();
        listsByRequirement.clear();
        waitingCounts.clear();
        staffedSlots.clear();
        for (AgentState a : agents.values()) {
            a.leaveIndexes();
            if (a.configured && a.presence != Presence.OFFLINE) {
                countStaffing(a, 1);
            }
        }
        for (ContactState c : contacts.values()) {
            Queue q = queues.get(c.queue.id());
            if (q != null) {
                c.queue = q;
            } else if (c.status.isOpen() && firstQueueFor(c.channel) != null) {
                c.queue = firstQueueFor(c.channel);
            }
        }
        List<ContactState> unplaced = new ArrayList<>();
        for (ContactState c : contacts.values()) {
            if (c.status == ContactStatus.WAITING && c.waitingList == null && c.reservedFor == null) {
                unplaced.add(c);
            }
        }
        unplaced.sort((x, y) -> x.id.compareTo(y.id));
        for (ContactState c : waiting) {
            c.waitingList = null;
            c.waitingEntry = null;
            retarget(c);
        }
        for (ContactState c : unplaced) {
            retarget(c);
        }
    }

    /**
     * Places a waiting contact again under the current config. Its requirement is derived anew from its queue; the
     * escalation steps not yet due under the new config are scheduled (those already due were applied under the old).
     */
    private void retarget(ContactState c) {
        c.requirement = baseRequirement(c);
        c.targetGeneration++;
        scheduleEscalations(c, true);
        waitInList(c);
    }

    // ------------------------------------------------------------------ helpers

    private ContactState ownedBy(String agentId, String contactId) {
        ContactState c = contacts.get(contactId);
        if (c == null) {
            boolean closed = closedContacts.contains(contactId);
            refuse(closed ? RefusalReason.CONTACT_CLOSED : RefusalReason.UNKNOWN_CONTACT, contactId, agentId,
                    closed ? "contact " + contactId + " is already closed" : "no open contact " + contactId);
            return null;
        }
        if (c.owner == null || !c.owner.id().equals(agentId)) {
            refuse(RefusalReason.NOT_OWNER, c.id, agentId, "contact " + c.id + " is "
                    + (c.owner == null ? "not owned by anyone" : "owned by " + c.owner.id()));
            return null;
        }
        return c;
    }

    private String whyCannotTake(AgentState a, Channel channel) {
        if (a.canTake(channel)) {
            return null;
        }
        if (a.presence != Presence.AVAILABLE) {
            return a.agent.name() + " is " + a.presence.wireName();
        }
        if (a.agent.capacityFor(channel) == 0) {
            return a.agent.name() + " does not take " + channel.wireName() + " contacts";
        }
        return a.agent.name() + " is at capacity (" + a.load[channel.ordinal()] + "/" + a.agent.capacityFor(channel)
                + " " + channel.wireName() + (a.exclusiveLoad > 0 ? ", on a call" : "") + ")";
    }

    private List<ContactState> offersOf(AgentState a) {
        List<ContactState> list = new ArrayList<>(a.offered);
        list.sort((x, y) -> x.id.compareTo(y.id));
        return list;
    }

    private RoutingRule matchRule(ContactState c, InboundContact m) {
        String haystack = null;
        for (RoutingRule r : config.rules()) {
            Queue q = queues.get(r.queue());
            if (q == null || !q.channels().contains(c.channel)) {
                continue;
            }
            if (!r.channels().isEmpty() && !r.channels().contains(c.channel)) {
                continue;
            }
            if (!r.endpoints().isEmpty() && (m.endpoint() == null || !r.endpoints().contains(m.endpoint()))) {
                continue;
            }
            if (!r.languages().isEmpty() && (c.language == null
                    || !r.languages().contains(Requirement.primaryTag(c.language)))) {
                continue;
            }
            if (!r.tiers().isEmpty() && (c.tier == null || !r.tiers().contains(c.tier))) {
                continue;
            }
            if (!r.keywords().isEmpty()) {
                if (haystack == null) {
                    haystack = ((m.subject() == null ? "" : m.subject()) + ' ' + (m.text() == null ? "" : m.text()))
                            .toLowerCase(java.util.Locale.ROOT);
                }
                if (!containsKeyword(haystack, r.keywords())) {
                    continue;
                }
            }
            return r;
        }
        return null;
    }

    /** Whether the lower-cased subject and text contain one of the keywords as a whole word. */
    private static boolean containsKeyword(String haystack, List<String> keywords) {
        for (String k : keywords) {
            int at = haystack.indexOf(k);
            while (at >= 0) {
                boolean startOk = at == 0 || !Character.isLetterOrDigit(haystack.charAt(at - 1));
                int end = at + k.length();
                boolean endOk = end == haystack.length() || !Character.isLetterOrDigit(haystack.charAt(end));
                if (startOk && endOk) {
                    return true;
                }
                at = haystack.indexOf(k, at + 1);
            }
        }
        return false;
    }

    private Queue firstQueueFor(Channel channel) {
        for (Queue q : queues.values()) {
            if (q.channels().contains(channel)) {
                return q;
            }
        }
        return null;
    }

    /** The customer: the one already linked to any of the identities, else the first identity's own key. */
    private CustomerLink resolveCustomer(Customer customer) {
        List<Identity> identities = customer.identities();
        String[] identityKeys = new String[identities.size()];
        CustomerLink link = null;
        int linkedAt = -1;
        for (int i = 0; i < identityKeys.length; i++) {
            identityKeys[i] = identities.get(i).key();
            if (link == null) {
                link = customerByIdentity.get(identityKeys[i]);
                linkedAt = i;
            }
        }
        if (link == null) {
            link = linkTo(identityKeys[0]);
            linkedAt = -1;
        }
        for (int i = 0; i < identityKeys.length; i++) {
            if (i != linkedAt) {
                customerByIdentity.putIfAbsent(identityKeys[i], link);
            }
        }
        return link;
    }

    CustomerLink linkTo(String customerKey) {
        return new CustomerLink(customerKey, lastAgents.computeIfAbsent(customerKey, k -> new LastAgent()));
    }

    /** channel:conversation, how messages name a customer thread. */
    private static String conversationKey(Channel channel, String conversation) {
        return channel.wireName() + ':' + conversation;
    }

    /** The open contacts of customer threads on a channel, by conversation. */
    Map<String, ContactState> openOn(Channel channel) {
        return openByConversation.computeIfAbsent(channel, ch -> new HashMap<>());
    }

    /** A short, URL-safe contact id derived from the opening event's id, so a replay derives the same id. */
    private String newContactId(String eventId) {
        long h = 0xcbf29ce484222325L;
        for (int i = 0; i < eventId.length(); i++) {
            h ^= eventId.charAt(i);
            h *= 0x100000001b3L;
        }
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        String id = "c-" + Long.toString(h >>> 1, 36);
        String unique = id;
        for (int n = 2; contacts.containsKey(unique) || closedContacts.contains(unique); n++) {
            unique = id + "-" + n;
        }
        return unique;
    }

    private boolean rememberEvent(String eventId) {
        long horizon = nowMillis - settings.duplicateWindow().toMillis();
        seenEvents.forgetBefore(horizon);
        closedContacts.forgetBefore(horizon);
        return seenEvents.addIfAbsent(eventId, nowMillis);
    }

    private String contactOf(EventData data) {
        if (data instanceof InboundContact m) {
            ContactState c = openOn(m.channel()).get(m.conversation());
            return c == null ? null : c.id;
        }
        if (data instanceof CustomerLeft l) {
            ContactState c = openOn(l.channel()).get(l.conversation());
            return c == null ? null : c.id;
        }
        return contactIdIn(data);
    }

    private static String contactIdIn(EventData data) {
        if (data instanceof AgentReplied r) {
            return r.contactId();
        }
        if (data instanceof NoteAdded n) {
            return n.contactId();
        }
        if (data instanceof TransferRequested t) {
            return t.contactId();
        }
        if (data instanceof ContactWrappedUp w) {
            return w.contactId();
        }
        return null;
    }

    private static String agentOf(EventData data) {
        return data instanceof AgentEvent a ? a.agentId() : null;
    }

    private void refuse(RefusalReason reason, String contactId, String agentId, String why) {
        refusals.merge(reason, 1L, Long::sum);
        ContactState c = contactId == null ? null : contacts.get(contactId);
        Draft d = new Draft(DecisionType.REFUSED, c);
        d.contactId = contactId;
        d.agentId = agentId;
        if (c == null && agentId != null) {
            d.agentState = agents.get(agentId);
        }
        d.reason = reason;
        d.text = why;
        emit(d);
    }

    private void begin(Instant now) {
        long t = now.toEpochMilli();
        if (t > nowMillis) {
            nowMillis = t;
            this.now = Instant.ofEpochMilli(t);
        }
        out = new ArrayList<>();
    }

    private List<RoutingDecision> finish() {
        List<RoutingDecision> result = out;
        out = new ArrayList<>();
        return result;
    }

    private void emit(Draft d) {
        String id;
        if (d.contact != null) {
            id = d.contact.id + '/' + (++d.contact.decisionCount);
        } else if (d.agentState != null) {
            id = domain + "/agent/" + d.agentState.id() + '/' + (++d.agentState.decisionCount);
        } else {
            id = domain + "/engine/" + (sequence + 1);
        }
        ContactState c = d.contact;
        out.add(new RoutingDecision(id, ++sequence, d.contactId, now, config.version(),
                d.type, c == null ? null : c.customerKey, d.introduce ? c.customer : null,
                d.introduce ? c.subject : null, c == null ? null : c.channel, c == null ? null : c.conversation,
                c == null ? null : c.endpoint,
                c == null || c.queue == null ? null : c.queue.id(), c == null ? null : c.ruleId, d.agentId,
                d.previousAgentId, d.agentState == null ? null : d.agentState.agent.name(), d.offerId, d.dueAt,
                c == null ? null : c.priority, d.estimatedWait, d.text, d.reason, cause,
                d.explanation != null ? d.explanation : d.reasonText == null ? null
                        : Explanation.of(c == null ? null : c.ruleId, c == null || c.queue == null ? null : c.queue.id(),
                        d.reasonText)));
    }

    /** A decision being put together. */
    private static final class Draft {
        final DecisionType type;
        final ContactState contact;
        String contactId;
        AgentState agentState;
        String agentId;
        String previousAgentId;
        String offerId;
        Instant dueAt;
        Duration estimatedWait;
        String text;
        RefusalReason reason;
        String reasonText;
        Explanation explanation;
        boolean introduce;

        Draft(DecisionType type, ContactState contact) {
            this.type = type;
            this.contact = contact;
            this.contactId = contact == null ? null : contact.id;
        }

        Draft agent(AgentState a) {
            agentState = a;
            agentId = a == null ? null : a.id();
            return this;
        }

        Draft previous(String agentId) {
            previousAgentId = agentId;
            return this;
        }

        Draft offer(String id) {
            offerId = id;
            return this;
        }

        Draft due(Instant at) {
            dueAt = at;
            return this;
        }

        Draft estimatedWait(Duration d) {
            estimatedWait = d;
            return this;
        }

        /** Carries who the customer is, the subject and the first message: the contact's first decision. */
        Draft introduce() {
            introduce = true;
            if (text == null) {
                text = contact.firstText;
            }
            return this;
        }

        Draft text(String t) {
            text = t;
            return this;
        }

        Draft explain(String why) {
            reasonText = why;
            return this;
        }
    }

    // ------------------------------------------------------------------ views

    private ContactView view(ContactState c) {
        return new ContactView(c.id, c.status, c.channel, c.customerKey, c.queue == null ? null : c.queue.id(),
                c.ruleId, c.priority, c.owner == null ? null : c.owner.id(),
                c.offeredTo == null ? null : c.offeredTo.id(), c.offerId, c.offerExpiresAt,
                c.reservedFor == null ? null : c.reservedFor.id(), c.transfers, c.previousAgentId,
                List.copyOf(c.notes), c.dueAt, c.originContactId, c.endpoint);
    }

    private AgentView view(AgentState a) {
        EnumMap<Channel, Integer> load = new EnumMap<>(Channel.class);
        for (Channel ch : Channel.values()) {
            if (a.load[ch.ordinal()] > 0) {
                load.put(ch, a.load[ch.ordinal()]);
            }
        }
        return new AgentView(a.id(), a.agent.name(), a.presence, a.configured, load, a.handled);
    }

    // ------------------------------------------------------------------ invariants

    /**
     * Checks every invariant of the state and throws on the first broken one. For tests: the simulation calls it
     * after every step.
     */
    void checkInvariants() {
        Map<String, int[]> expectedLoad = new HashMap<>();
        for (ContactState c : contacts.values()) {
            check(c.status.isOpen(), c.id + " is closed but still tracked");
            AgentState holder = c.status == ContactStatus.OFFERED ? c.offeredTo
                    : c.status == ContactStatus.ASSIGNED || c.status == ContactStatus.ENDED ? c.owner : null;
            check((c.status == ContactStatus.OFFERED) == (c.offeredTo != null), c.id + " offer state vs status " + c.status);
            check(c.offeredTo == null || c.owner == null, c.id + " is offered and owned at once");
            check((c.status == ContactStatus.ASSIGNED || c.status == ContactStatus.ENDED) == (c.owner != null),
                    c.id + " owner vs status " + c.status);
            if (holder != null) {
                expectedLoad.computeIfAbsent(holder.id(), k -> new int[Channel.values().length])[c.channel.ordinal()]++;
            }
            if (c.status == ContactStatus.WAITING) {
                check((c.waitingList != null) != (c.reservedFor != null), c.id + " waits nowhere or in two places");
                check(c.waitingList == null || c.waitingList.entries.contains(c.waitingEntry), c.id + " lost from its list");
                check(c.reservedFor == null || c.reservedFor.reserved.contains(c), c.id + " lost from reservation");
            } else {
                check(c.waitingList == null && c.reservedFor == null, c.id + " is " + c.status + " but still waiting");
            }
            check(c.offerId == null || openOffers.get(c.offerId) == c, c.id + " offer not registered");
        }
        check(openOffers.size() == contacts.values().stream().filter(c -> c.offerId != null).count(), "stray open offers");
        for (AgentState a : agents.values()) {
            int[] expected = expectedLoad.getOrDefault(a.id(), new int[Channel.values().length]);
            int exclusive = 0;
            for (Channel ch : Channel.values()) {
                check(a.load[ch.ordinal()] == expected[ch.ordinal()], a.id() + " load on " + ch + " is "
                        + a.load[ch.ordinal()] + ", expected " + expected[ch.ordinal()]);
                check(a.load[ch.ordinal()] <= a.agent.capacityFor(ch) || !a.configured || a.overCapacityByConfig,
                        a.id() + " over capacity on " + ch);
                if (a.agent.exclusive().contains(ch)) {
                    exclusive += a.load[ch.ordinal()];
                }
            }
            check(a.exclusiveLoad == exclusive, a.id() + " exclusive load");
            for (int i = 0; i < a.indexCount; i++) {
                check((a.entries[i] != null) == a.canTake(a.indexes[i].requirement.channel()), a.id() + " index membership");
            }
        }
        for (WaitingList list : waitingLists.values()) {
            for (WaitingList.Entry e : list.entries) {
                check(e.contact().waitingEntry == e && contacts.get(e.contact().id) == e.contact(),
                        e.contact().id + " is in a list it does not know");
                // Nobody able to take it may stand idle, except agents it excludes.
                AgentIndex index = indexes.get(new IndexKey(list.requirement, list.queue.strategy()));
                for (AgentIndex.Entry ae : index.entries) {
                    check(e.contact().excludes(ae.agentId()), e.contact().id + " waits while "
                            + ae.agentId() + " could take it");
                }
            }
        }
    }

    private static void check(boolean condition, String message) {
        if (!condition) {
            throw new IllegalStateException("routing invariant broken: " + message);
        }
    }
}
