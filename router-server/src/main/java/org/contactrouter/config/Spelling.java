package org.contactrouter.config;

import java.util.Collection;
import java.util.Locale;

/** Finds the name someone probably meant, so a message can say "did you mean 'strategy'?". */
final class Spelling {

    private Spelling() {
    }

    /** The candidate closest to {@code given}, when close enough to be a likely typo; null otherwise. */
    static String closest(String given, Collection<String> candidates) {
        String g = given.toLowerCase(Locale.ROOT);
        int allowed = Math.max(1, Math.min(2, g.length() / 3));
        String best = null;
        int bestDistance = allowed + 1;
        for (String c : candidates) {
            int d = distance(g, c.toLowerCase(Locale.ROOT));
            if (d < bestDistance) {
                best = c;
                bestDistance = d;
            }
        }
        return best;
    }

    /** The {@code , did you mean 'x'?} part of a message, or nothing. */
    static String suggestion(String given, Collection<String> candidates) {
        String c = closest(given, candidates);
        return c == null ? "" : ", did you mean '" + c + "'?";
    }

    /** Edits (insert, delete, replace, swap two neighbours) to turn a into b. */
    private static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}
