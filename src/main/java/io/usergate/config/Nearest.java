package io.usergate.config;

import java.util.Collection;
import java.util.Optional;

/** The word nearest to a mistyped one, for "did you mean": by edit distance, a swap of neighbours counting as one edit. */
public final class Nearest {

  private Nearest() {
  }

  /**
   * The candidate nearest to {@code word}, when at most {@code maxDistance} edits away; between candidates equally
   * near, the first one. Empty when nothing is that close: a far-fetched suggestion misleads more than none.
   */
  public static Optional<String> among(String word, Collection<String> candidates, int maxDistance) {
    String best = null;
    int bestDistance = maxDistance + 1;
    for (String candidate : candidates) {
      int distance = distance(word, candidate);
      if (distance < bestDistance) {
        best = candidate;
        bestDistance = distance;
      }
    }
    return Optional.ofNullable(best);
  }

  /**
   * The optimal string alignment distance: the fewest insertions, deletions, substitutions and swaps of two
   * neighbouring characters that turn {@code a} into {@code b} (Damerau's typos: one letter wrong, missing,
   * extra, or two letters swapped).
   */
  public static int distance(String a, String b) {
    int[][] d = new int[a.length() + 1][b.length() + 1];
    for (int i = 0; i <= a.length(); i++) {
      d[i][0] = i;
    }
    for (int j = 0; j <= b.length(); j++) {
      d[0][j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      for (int j = 1; j <= b.length(); j++) {
        int substitution = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + substitution);
        if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
          d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
        }
      }
    }
    return d[a.length()][b.length()];
  }
}
