package org.contactrouter.routing;

import java.util.Arrays;

/**
 * The engine's pending timers, earliest first: a 4-ary heap in arrays, each timer knowing its position, so the earliest
 * is read without a search and a cancelled timer is removed without one. Due times and sequences sit in arrays beside
 * the timers, so sifting compares numbers in a few cache lines instead of visiting the timers themselves. Timers never
 * compare equal (each has its own sequence), so they leave in exactly the order a sorted map would give them.
 */
final class TimerQueue {

    private Timer[] heap = new Timer[64];
    private long[] due = new long[64];
    private long[] sequence = new long[64];
    private int size;

    boolean isEmpty() {
        return size == 0;
    }

    /** The earliest timer, or null when there is none. */
    Timer first() {
        return size == 0 ? null : heap[0];
    }

    void add(Timer t) {
        if (size == heap.length) {
            heap = Arrays.copyOf(heap, size * 2);
            due = Arrays.copyOf(due, size * 2);
            sequence = Arrays.copyOf(sequence, size * 2);
        }
        siftUp(size++, t);
    }

    Timer pollFirst() {
        Timer t = heap[0];
        removeAt(0);
        return t;
    }

    /** Removes the timer if it is still pending. */
    void remove(Timer t) {
        if (t.position >= 0) {
            removeAt(t.position);
        }
    }

    private void removeAt(int i) {
        heap[i].position = -1;
        Timer last = heap[--size];
        heap[size] = null;
        if (i < size) {
            siftDown(i, last);
            if (heap[i] == last) {
                siftUp(i, last);
            }
        }
    }

    /** Puts {@code t} at {@code i} or above it, moving later parents down. */
    private void siftUp(int i, Timer t) {
        while (i > 0) {
            int parent = (i - 1) >>> 2;
            if (!before(t.dueMillis(), t.sequence(), parent)) {
                break;
            }
            move(parent, i);
            i = parent;
        }
        place(t, i);
    }

    /** Puts {@code t} at {@code i} or below it, moving earlier children up. */
    private void siftDown(int i, Timer t) {
        while (true) {
            int first = 4 * i + 1;
            if (first >= size) {
                break;
            }
            int earliest = first;
            for (int child = first + 1; child < Math.min(first + 4, size); child++) {
                if (before(due[child], sequence[child], earliest)) {
                    earliest = child;
                }
            }
            if (!before(due[earliest], sequence[earliest], t.dueMillis(), t.sequence())) {
                break;
            }
            move(earliest, i);
            i = earliest;
        }
        place(t, i);
    }

    private boolean before(long dueMillis, long seq, int position) {
        return before(dueMillis, seq, due[position], sequence[position]);
    }

    private static boolean before(long dueMillis, long seq, long otherDue, long otherSeq) {
        return dueMillis != otherDue ? dueMillis < otherDue : seq < otherSeq;
    }

    private void move(int from, int to) {
        heap[to] = heap[from];
        due[to] = due[from];
        sequence[to] = sequence[from];
        heap[to].position = to;
    }

    private void place(Timer t, int i) {
        heap[i] = t;
        due[i] = t.dueMillis();
        sequence[i] = t.sequence();
        t.position = i;
    }
}
