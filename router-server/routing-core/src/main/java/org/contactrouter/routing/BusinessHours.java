package org.contactrouter.routing;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * When a queue's team works, in its own time zone.
 *
 * @param id     the name queues refer to
 * @param zone   the team's time zone
 * @param weekly opening ranges per day of week; a day missing is closed
 * @param closed whole days closed (holidays), in the team's zone
 */
public record BusinessHours(String id, ZoneId zone, Map<DayOfWeek, List<TimeRange>> weekly, Set<LocalDate> closed) {

    /** An opening range within one day, {@code from} inclusive, {@code to} exclusive. */
    public record TimeRange(LocalTime from, LocalTime to) {
        public TimeRange {
            Objects.requireNonNull(from, "from");
            Objects.requireNonNull(to, "to");
            if (!from.isBefore(to)) {
                throw new IllegalArgumentException("hours: " + from + "-" + to + " (expected from before to, e.g. 09:00-17:00)");
            }
        }

        boolean contains(LocalTime t) {
            return !t.isBefore(from) && t.isBefore(to);
        }
    }

    public BusinessHours {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(zone, "zone");
        EnumMap<DayOfWeek, List<TimeRange>> copy = new EnumMap<>(DayOfWeek.class);
        Objects.requireNonNull(weekly, "weekly").forEach((d, ranges) -> copy.put(d, List.copyOf(ranges)));
        weekly = java.util.Collections.unmodifiableMap(copy);
        closed = java.util.Collections.unmodifiableSet(new java.util.TreeSet<>(Objects.requireNonNull(closed, "closed")));
    }

    public boolean isOpen(Instant at) {
        ZonedDateTime t = at.atZone(zone);
        if (closed.contains(t.toLocalDate())) {
            return false;
        }
        LocalTime time = t.toLocalTime();
        for (TimeRange r : weekly.getOrDefault(t.getDayOfWeek(), List.of())) {
            if (r.contains(time)) {
                return true;
            }
        }
        return false;
    }

    /** The next moment at or after {@code at} when the team is open; empty when it never opens (no ranges at all). */
    public Optional<Instant> nextOpening(Instant at) {
        if (isOpen(at)) {
            return Optional.of(at);
        }
        ZonedDateTime t = at.atZone(zone);
        LocalDate day = t.toLocalDate();
        // Two years of days bounds the search even with many holidays.
        for (int i = 0; i < 740; i++) {
            LocalDate d = day.plusDays(i);
            if (closed.contains(d)) {
                continue;
            }
            for (TimeRange r : sorted(weekly.getOrDefault(d.getDayOfWeek(), List.of()))) {
                ZonedDateTime open = d.atTime(r.from()).atZone(zone);
                if (!open.toInstant().isBefore(at)) {
                    return Optional.of(open.toInstant());
                }
            }
        }
        return Optional.empty();
    }

    private static List<TimeRange> sorted(List<TimeRange> ranges) {
        return ranges.stream().sorted((a, b) -> a.from().compareTo(b.from())).toList();
    }
}
