package org.contactrouter.routing;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.zip.CRC32C;
import org.contactrouter.events.Channel;
import org.contactrouter.events.Customer;
import org.contactrouter.events.Identity;
import org.contactrouter.events.Presence;

/**
 * The state of a {@link RoutingEngine} as bytes, and back: what {@link RoutingEngine#snapshot()} and
 * {@link RoutingEngine#restore} use.
 *
 * <p>The encoding is deterministic: equal states give equal bytes, whatever happened before (maps are written sorted,
 * and only state is written, never what the engine derives from it). Derived structures (agent indexes, waiting-list
 * heads, load counters, open offers, conversations, staffing) are rebuilt on restore from the state, the way a config
 * reload rebuilds them. Layout: a magic number, the format version, the fields, and a CRC-32C of everything before it.
 * A reader of another format version refuses with a {@link SnapshotException} rather than guess.
 */
final class EngineSnapshot {

    /** "CRSN": contact router snapshot. */
    static final int MAGIC = 0x4352534E;
    /** Bumped whenever the layout changes; a reader refuses other versions. */
    static final int FORMAT = 1;

    private EngineSnapshot() {
    }

    // ------------------------------------------------------------------ writing

    static byte[] write(RoutingEngine e) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(4096);
        try (Out out = new Out(bytes)) {
            out.writeInt(MAGIC);
            out.writeInt(FORMAT);
            out.string(e.domain);
            out.string(e.config.version());
            out.writeLong(e.nowMillis);
            out.writeLong(e.sequence);
            out.writeLong(e.timerSequence);
            out.writeLong(e.waitSequence);
            out.writeLong(e.offerSequence);
            out.writeInt(e.refusals.size());
            e.refusals.forEach((reason, n) -> {
                out.string(reason.name());
                out.long8(n);
            });
            Map<String, Long> handleTimes = new TreeMap<>(e.handleTimeMillis);
            out.writeInt(handleTimes.size());
            handleTimes.forEach((queue, millis) -> {
                out.string(queue);
                out.long8(millis);
            });

            out.writeInt(e.agents.size());
            for (AgentState a : e.agents.values()) {
                out.string(a.id());
                out.writeBoolean(a.configured);
                if (!a.configured) {
                    writeAgent(out, a.agent); // no longer in the config: their definition is state
                }
                out.writeBoolean(a.overCapacityByConfig);
                out.string(a.presence.name());
                out.writeLong(a.idleSinceMillis);
                out.writeLong(a.lastOfferSequence);
                out.writeLong(a.decisionCount);
                out.writeInt(a.handled);
                out.writeInt(a.reserved.size());
                for (ContactState c : a.reserved) {
                    out.string(c.id);
                }
            }

            Map<String, RoutingEngine.LastAgent> lastAgents = new TreeMap<>(e.lastAgents);
            out.writeInt(lastAgents.size());
            lastAgents.forEach((customer, last) -> {
                out.string(customer);
                out.string(last.agentId);
                out.long8(last.atMillis);
            });
            Map<String, RoutingEngine.CustomerLink> links = new TreeMap<>(e.customerByIdentity);
            out.writeInt(links.size());
            links.forEach((identity, link) -> {
                out.string(identity);
                out.string(link.key());
            });

            List<ContactState> contacts = new ArrayList<>(e.contacts.values());
            contacts.sort(Comparator.comparing(c -> c.id));
            out.writeInt(contacts.size());
            List<Timer> timers = new ArrayList<>();
            for (ContactState c : contacts) {
                writeContact(out, e, c);
                timers.addAll(c.timers);
            }
            timers.sort(Comparator.comparingLong(Timer::sequence));
            out.writeInt(timers.size());
            for (Timer t : timers) {
                out.string(t.kind().name());
                out.string(t.contact().id);
                out.writeLong(t.generation());
                out.string(t.ref());
                out.writeLong(t.dueMillis());
                out.writeLong(t.sequence());
            }
            writeIds(out, e.seenEvents);
            writeIds(out, e.closedContacts);
        } catch (IOException x) {
            throw new UncheckedIOException(x);
        }
        byte[] body = bytes.toByteArray();
        CRC32C crc = new CRC32C();
        crc.update(body);
        return ByteBuffer.allocate(body.length + 4).put(body).putInt((int) crc.getValue()).array();
    }

    private static void writeContact(Out out, RoutingEngine e, ContactState c) throws IOException {
        if (c.queue != null && e.queues.get(c.queue.id()) != c.queue) {
            throw new SnapshotException("contact " + c.id + " is in queue " + c.queue.id()
                    + ", which config " + e.config.version() + " no longer has");
        }
        out.string(c.id);
        out.string(c.channel.name());
        out.string(c.customerKey);
        out.string(c.language);
        out.string(c.tier);
        out.string(c.originContactId);
        out.writeBoolean(c.customer != null);
        if (c.customer != null) {
            out.string(c.customer.name());
            out.writeInt(c.customer.identities().size());
            for (Identity id : c.customer.identities()) {
                out.string(id.key());
            }
            out.string(c.customer.claimedEmail());
        }
        out.string(c.conversation);
        out.string(c.endpoint);
        out.string(c.subject);
        out.string(c.firstText);
        out.string(c.status.name());
        out.writeLong(c.decisionCount);
        out.string(c.ruleId);
        out.string(c.queue == null ? null : c.queue.id());
        out.writeInt(c.priority);
        writeLevels(out, c.extraSkills);
        out.writeBoolean(c.requirement != null);
        if (c.requirement != null) {
            out.string(c.requirement.channel().name());
            writeLevels(out, c.requirement.skills());
            out.string(c.requirement.language());
        }
        out.writeLong(c.waitStartedMillis);
        out.writeLong(c.targetSinceMillis);
        out.writeLong(c.agingSinceMillis);
        out.writeLong(c.waitGeneration);
        out.writeLong(c.targetGeneration);
        out.writeBoolean(c.waitingEntry != null);
        if (c.waitingEntry != null) {
            out.writeLong(c.waitingEntry.key());
            out.writeLong(c.waitingEntry.sequence());
        }
        out.string(c.reservedFor == null ? null : c.reservedFor.id());
        out.string(c.offerId);
        out.string(c.offeredTo == null ? null : c.offeredTo.id());
        out.instant(c.offerExpiresAt);
        out.writeInt(c.offerCount);
        writeStrings(out, c.exclusions());
        out.string(c.owner == null ? null : c.owner.id());
        out.writeLong(c.assignedAtMillis);
        out.string(c.previousAgentId);
        out.writeInt(c.transfers);
        writeStrings(out, c.notes);
        out.writeInt(c.followUps);
        out.instant(c.dueAt);
        out.string(c.followUpNote);
        out.string(c.followUpAgentId);
    }

    private static void writeAgent(Out out, Agent a) throws IOException {
        out.string(a.id());
        out.string(a.name());
        writeLevels(out, a.skills());
        writeStrings(out, List.copyOf(a.languages()));
        out.writeInt(a.capacity().size());
        for (Map.Entry<Channel, Integer> c : a.capacity().entrySet()) {
            out.string(c.getKey().name());
            out.writeInt(c.getValue());
        }
        writeStrings(out, a.exclusive().stream().map(Channel::name).toList());
        out.string(a.phone());
    }

    private static void writeLevels(Out out, Map<String, Integer> levels) throws IOException {
        Map<String, Integer> sorted = new TreeMap<>(levels);
        out.writeInt(sorted.size());
        for (Map.Entry<String, Integer> l : sorted.entrySet()) {
            out.string(l.getKey());
            out.writeInt(l.getValue());
        }
    }

    private static void writeStrings(Out out, List<String> strings) throws IOException {
        out.writeInt(strings.size());
        for (String s : strings) {
            out.string(s);
        }
    }

    private static void writeIds(Out out, RecentIds ids) throws IOException {
        out.writeInt(ids.size());
        ids.forEach((id, at) -> {
            out.string(id);
            out.long8(at);
        });
    }

    // ------------------------------------------------------------------ reading

    static RoutingEngine read(byte[] snapshot, String domain, RoutingConfig config) {
        if (snapshot.length < 12) {
            throw new SnapshotException("not a routing snapshot: " + snapshot.length + " bytes");
        }
        CRC32C crc = new CRC32C();
        crc.update(snapshot, 0, snapshot.length - 4);
        if ((int) crc.getValue() != ByteBuffer.wrap(snapshot, snapshot.length - 4, 4).getInt()) {
            throw new SnapshotException("the snapshot of domain " + domain + " is damaged: its checksum does not match");
        }
        try (In in = new In(snapshot)) {
            if (in.readInt() != MAGIC) {
                throw new SnapshotException("not a routing snapshot (wrong magic number)");
            }
            int format = in.readInt();
            if (format != FORMAT) {
                throw new SnapshotException("snapshot format " + format + "; this router reads format " + FORMAT);
            }
            String ofDomain = in.string();
            String version = in.string();
            if (!ofDomain.equals(domain) || !version.equals(config.version())) {
                throw new SnapshotException("the snapshot is of domain " + ofDomain + " under config " + version
                        + ", not of domain " + domain + " under config " + config.version());
            }
            long nowMillis = in.readLong();
            RoutingEngine e = new RoutingEngine(domain, config, Instant.ofEpochMilli(nowMillis));
            e.sequence = in.readLong();
            e.timerSequence = in.readLong();
            e.waitSequence = in.readLong();
            e.offerSequence = in.readLong();
            for (int n = in.readInt(); n > 0; n--) {
                e.refusals.put(RefusalReason.valueOf(in.string()), in.readLong());
            }
            for (int n = in.readInt(); n > 0; n--) {
                e.handleTimeMillis.put(in.string(), in.readLong());
            }

            Map<String, Agent> configured = config.agentsById();
            e.agents.clear();
            Map<AgentState, List<String>> reservations = new java.util.LinkedHashMap<>();
            for (int n = in.readInt(); n > 0; n--) {
                String id = in.string();
                boolean isConfigured = in.readBoolean();
                Agent definition = isConfigured ? configured.get(id) : readAgent(in);
                if (definition == null) {
                    throw new SnapshotException("the snapshot has configured agent " + id + ", config "
                            + config.version() + " does not");
                }
                AgentState a = new AgentState(definition, 0);
                a.configured = isConfigured;
                a.overCapacityByConfig = in.readBoolean();
                a.presence = Presence.valueOf(in.string());
                a.idleSinceMillis = in.readLong();
                a.lastOfferSequence = in.readLong();
                a.decisionCount = in.readLong();
                a.handled = in.readInt();
                reservations.put(a, readStrings(in));
                e.agents.put(id, a);
            }

            e.lastAgents.clear();
            for (int n = in.readInt(); n > 0; n--) {
                RoutingEngine.LastAgent last = new RoutingEngine.LastAgent();
                String customer = in.string();
                last.set(in.string(), in.readLong());
                e.lastAgents.put(customer, last);
            }
            e.customerByIdentity.clear();
            for (int n = in.readInt(); n > 0; n--) {
                String identity = in.string();
                e.customerByIdentity.put(identity, e.linkTo(in.string()));
            }

            List<WaitingPlace> places = new ArrayList<>();
            for (int n = in.readInt(); n > 0; n--) {
                readContact(in, e, places);
            }
            for (Map.Entry<AgentState, List<String>> r : reservations.entrySet()) {
                for (String contactId : r.getValue()) {
                    r.getKey().reserved.add(contact(e, contactId));
                }
            }
            e.rankAgentIds();
            e.staffedSlots.clear();
            for (AgentState a : e.agents.values()) {
                if (a.configured && a.presence != Presence.OFFLINE) {
                    e.countStaffing(a, 1);
                }
            }
            places.sort(Comparator.comparingLong(WaitingPlace::sequence));
            for (WaitingPlace p : places) {
                e.placeInList(p.contact(), new WaitingList.Entry(p.key(), p.sequence(), p.contact()));
            }
            for (int n = in.readInt(); n > 0; n--) {
                Timer.Kind kind = Timer.Kind.valueOf(in.string());
                ContactState c = contact(e, in.string());
                Timer t = new Timer(kind, c, in.readLong(), in.string(), in.readLong(), in.readLong());
                e.timers.add(t);
                c.timers.add(t);
            }
            readIds(in, e.seenEvents);
            readIds(in, e.closedContacts);
            if (in.available() != 4) {
                throw new SnapshotException("the snapshot has " + (in.available() - 4) + " bytes after its state");
            }
            return e;
        } catch (IOException | IllegalArgumentException | NullPointerException x) {
            throw new SnapshotException("the snapshot of domain " + domain + " cannot be read: " + x, x);
        }
    }

    private record WaitingPlace(ContactState contact, long key, long sequence) {
    }

    private static void readContact(In in, RoutingEngine e, List<WaitingPlace> places) throws IOException {
        String id = in.string();
        Channel channel = Channel.valueOf(in.string());
        String customerKey = in.string();
        ContactState c = new ContactState(id, channel, customerKey, in.string(), in.string(), in.string());
        c.lastAgent = e.lastAgents.computeIfAbsent(customerKey, k -> new RoutingEngine.LastAgent());
        if (in.readBoolean()) {
            String name = in.string();
            List<Identity> identities = new ArrayList<>();
            for (int n = in.readInt(); n > 0; n--) {
                identities.add(Identity.parse(in.string()));
            }
            c.customer = new Customer(name, identities, in.string());
        }
        c.conversation = in.string();
        c.endpoint = in.string();
        c.subject = in.string();
        c.firstText = in.string();
        c.status = ContactStatus.valueOf(in.string());
        c.decisionCount = in.readLong();
        c.ruleId = in.string();
        String queueId = in.string();
        if (queueId != null) {
            c.queue = e.queues.get(queueId);
            if (c.queue == null) {
                throw new SnapshotException("contact " + id + " is in queue " + queueId + ", which config "
                        + e.config.version() + " does not have");
            }
        }
        c.priority = in.readInt();
        c.extraSkills = Sorted.map(readLevels(in));
        if (in.readBoolean()) {
            Channel requirementChannel = Channel.valueOf(in.string());
            Map<String, Integer> skills = readLevels(in);
            c.requirement = e.canonical(new Requirement(requirementChannel, skills, in.string()));
        }
        c.waitStartedMillis = in.readLong();
        c.targetSinceMillis = in.readLong();
        c.agingSinceMillis = in.readLong();
        c.waitGeneration = in.readLong();
        c.targetGeneration = in.readLong();
        if (in.readBoolean()) {
            places.add(new WaitingPlace(c, in.readLong(), in.readLong()));
        }
        c.reservedFor = agent(e, in.string());
        c.offerId = in.string();
        c.offeredTo = agent(e, in.string());
        c.offerExpiresAt = in.instant();
        c.offerCount = in.readInt();
        for (String excluded : readStrings(in)) {
            c.exclude(excluded);
        }
        c.owner = agent(e, in.string());
        c.assignedAtMillis = in.readLong();
        c.previousAgentId = in.string();
        c.transfers = in.readInt();
        c.notes.addAll(readStrings(in));
        c.followUps = in.readInt();
        c.dueAt = in.instant();
        c.followUpNote = in.string();
        c.followUpAgentId = in.string();

        e.contacts.put(id, c);
        if (c.originContactId == null) {
            e.openOn(channel).put(c.conversation, c);
        }
        if (c.offeredTo != null) {
            e.openOffers.put(c.offerId, c);
            c.offeredTo.offered.add(c);
            c.offeredTo.take(channel);
        }
        if (c.owner != null) {
            c.owner.take(channel);
        }
    }

    private static Agent readAgent(In in) throws IOException {
        String id = in.string();
        String name = in.string();
        Map<String, Integer> skills = readLevels(in);
        Set<String> languages = new TreeSet<>(readStrings(in));
        Map<Channel, Integer> capacity = new EnumMap<>(Channel.class);
        for (int n = in.readInt(); n > 0; n--) {
            capacity.put(Channel.valueOf(in.string()), in.readInt());
        }
        Set<Channel> exclusive = new LinkedHashSet<>();
        for (String ch : readStrings(in)) {
            exclusive.add(Channel.valueOf(ch));
        }
        return new Agent(id, name, skills, languages, capacity, exclusive, in.string());
    }

    private static Map<String, Integer> readLevels(In in) throws IOException {
        Map<String, Integer> levels = new TreeMap<>();
        for (int n = in.readInt(); n > 0; n--) {
            levels.put(in.string(), in.readInt());
        }
        return levels;
    }

    private static List<String> readStrings(In in) throws IOException {
        int n = in.readInt();
        List<String> strings = new ArrayList<>(Math.min(n, 1024));
        for (; n > 0; n--) {
            strings.add(in.string());
        }
        return strings;
    }

    private static void readIds(In in, RecentIds ids) throws IOException {
        for (int n = in.readInt(); n > 0; n--) {
            ids.put(in.string(), in.readLong());
        }
    }

    private static AgentState agent(RoutingEngine e, String id) {
        if (id == null) {
            return null;
        }
        AgentState a = e.agents.get(id);
        if (a == null) {
            throw new SnapshotException("the snapshot refers to agent " + id + ", which it does not have");
        }
        return a;
    }

    private static ContactState contact(RoutingEngine e, String id) {
        ContactState c = e.contacts.get(id);
        if (c == null) {
            throw new SnapshotException("the snapshot refers to contact " + id + ", which it does not have");
        }
        return c;
    }

    // ------------------------------------------------------------------ primitives

    /** Strings as a length (-1 for null) and UTF-8 bytes: no 64 KB limit, unlike {@code writeUTF}. */
    private static final class Out extends DataOutputStream {
        Out(ByteArrayOutputStream bytes) {
            super(bytes);
        }

        void string(String s) {
            try {
                if (s == null) {
                    writeInt(-1);
                } else {
                    byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
                    writeInt(utf8.length);
                    write(utf8);
                }
            } catch (IOException x) {
                throw new UncheckedIOException(x);
            }
        }

        void long8(long v) {
            try {
                writeLong(v);
            } catch (IOException x) {
                throw new UncheckedIOException(x);
            }
        }

        void instant(Instant at) throws IOException {
            writeBoolean(at != null);
            if (at != null) {
                writeLong(at.getEpochSecond());
                writeInt(at.getNano());
            }
        }
    }

    private static final class In extends DataInputStream {
        In(byte[] bytes) {
            super(new java.io.ByteArrayInputStream(bytes));
        }

        String string() throws IOException {
            int length = readInt();
            if (length < 0) {
                return null;
            }
            if (length > available()) {
                throw new IOException("a string of " + length + " bytes runs past the end");
            }
            return new String(readNBytes(length), StandardCharsets.UTF_8);
        }

        Instant instant() throws IOException {
            return readBoolean() ? Instant.ofEpochSecond(readLong(), readInt()) : null;
        }
    }
}
