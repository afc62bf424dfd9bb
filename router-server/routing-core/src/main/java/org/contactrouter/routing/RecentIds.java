package org.contactrouter.routing;

/**
 * Ids remembered with the time they were added, forgotten oldest first once they are older than a horizon: the
 * engine's memory of applied event ids and of closed contacts. It behaves like a {@code LinkedHashMap<String, Long>}
 * in insertion order that is pruned from its head, but keeps the ids in a ring with a hash index beside it, so
 * remembering and forgetting allocate nothing. Ids are added every step and live for minutes to hours; as map
 * entries and boxed times they were most of what each young collection had to copy.
 */
final class RecentIds {

    /** The ring, oldest at {@link #head}: each remembered id, the time it was added and its hash. */
    private String[] ids = new String[16];
    private long[] times = new long[16];
    private int[] hashes = new int[16];
    private int head;
    private int size;
    /**
     * Open addressing with linear probing, twice the ring's length: per slot the id's hash in the high half and its
     * ring position + 1 in the low half, 0 for an empty slot. A probe compares hashes without reading the ring.
     */
    private long[] slots = new long[32];

    int size() {
        return size;
    }

    /** Every remembered id with its time, oldest place first: the order {@link #forgetBefore} prunes in. */
    void forEach(java.util.function.ObjLongConsumer<String> action) {
        for (int i = 0; i < size; i++) {
            int position = (head + i) & (ids.length - 1);
            action.accept(ids[position], times[position]);
        }
    }

    boolean contains(String id) {
        return slotOf(id, hash(id)) >= 0;
    }

    /** Remembers the id at this time unless it is remembered already; returns whether it was added. */
    boolean addIfAbsent(String id, long atMillis) {
        int h = hash(id);
        int slot = slotOf(id, h);
        if (slot >= 0) {
            return false;
        }
        append(id, atMillis, h, -slot - 1);
        return true;
    }

    /** Remembers the id at this time; an id remembered already keeps its place and takes the new time. */
    void put(String id, long atMillis) {
        int h = hash(id);
        int slot = slotOf(id, h);
        if (slot >= 0) {
            times[position(slots[slot])] = atMillis;
        } else {
            append(id, atMillis, h, -slot - 1);
        }
    }

    /** Forgets the oldest ids while their time is before the horizon. */
    void forgetBefore(long horizonMillis) {
        while (size > 0 && times[head] < horizonMillis) {
            removeSlot(slotOfPosition(head, hashes[head]));
            ids[head] = null;
            head = (head + 1) & (ids.length - 1);
            size--;
        }
    }

    private void append(String id, long atMillis, int h, int freeSlot) {
        if (size == ids.length) {
            grow();
            freeSlot = -slotOf(id, h) - 1;
        }
        int position = (head + size) & (ids.length - 1);
        ids[position] = id;
        times[position] = atMillis;
        hashes[position] = h;
        slots[freeSlot] = slot(h, position);
        size++;
    }

    /** The slot holding the id, or -(free slot + 1) where it would go. */
    private int slotOf(String id, int h) {
        int mask = slots.length - 1;
        for (int slot = h & mask; ; slot = (slot + 1) & mask) {
            long entry = slots[slot];
            if (entry == 0) {
                return -slot - 1;
            }
            if (hashOf(entry) == h && ids[position(entry)].equals(id)) {
                return slot;
            }
        }
    }

    /** The slot pointing at this ring position, whose id has hash {@code h}. */
    private int slotOfPosition(int position, int h) {
        int mask = slots.length - 1;
        int slot = h & mask;
        while (position(slots[slot]) != position) {
            slot = (slot + 1) & mask;
        }
        return slot;
    }

    /** Empties a slot, moving later entries of its probe run back so that every entry stays reachable. */
    private void removeSlot(int slot) {
        int mask = slots.length - 1;
        int next = slot;
        while (true) {
            next = (next + 1) & mask;
            long entry = slots[next];
            if (entry == 0) {
                break;
            }
            int home = hashOf(entry) & mask;
            boolean homeBetween = slot <= next ? slot < home && home <= next : slot < home || home <= next;
            if (!homeBetween) {
                slots[slot] = entry;
                slot = next;
            }
        }
        slots[slot] = 0;
    }

    /** Doubles the ring, oldest first from position 0, and rebuilds the slots for it. */
    private void grow() {
        int length = ids.length * 2;
        String[] newIds = new String[length];
        long[] newTimes = new long[length];
        int[] newHashes = new int[length];
        for (int i = 0; i < size; i++) {
            int from = (head + i) & (ids.length - 1);
            newIds[i] = ids[from];
            newTimes[i] = times[from];
            newHashes[i] = hashes[from];
        }
        ids = newIds;
        times = newTimes;
        hashes = newHashes;
        head = 0;
        slots = new long[length * 2];
        int mask = slots.length - 1;
        for (int i = 0; i < size; i++) {
            int h = hashes[i];
            int slot = h & mask;
            while (slots[slot] != 0) {
                slot = (slot + 1) & mask;
            }
            slots[slot] = slot(h, i);
        }
    }

    private static long slot(int h, int position) {
        return (long) h << 32 | (position + 1);
    }

    private static int hashOf(long slot) {
        return (int) (slot >>> 32);
    }

    private static int position(long slot) {
        return (int) slot - 1;
    }

    /** The id's hash, spread so that ids differing only in their last characters do not crowd one probe run. */
    private static int hash(String id) {
        int h = id.hashCode() * 0x9E3779B9;
        return h ^ (h >>> 16);
    }
}
