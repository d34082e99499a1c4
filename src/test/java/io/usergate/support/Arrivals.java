package io.usergate.support;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;

/** What a fake directory counts as a rate: the instants its requests arrived at, in one unit (ns or ms). */
public final class Arrivals {

  private Arrivals() {
  }

  /**
   * The arrivals of the busiest window of {@code window} (a sliding, closed window: from one arrival to
   * {@code window} after it, both ends counted), in order; the earliest such window when several tie.
   */
  public static List<Long> busiest(Collection<Long> arrivals, long window) {
    List<Long> sorted = new ArrayList<>(arrivals);
    Collections.sort(sorted);
    int most = 0;
    int from = 0;
    int last = 0;
    for (int first = 0; first < sorted.size(); first++) {
      last = Math.max(last, first);
      while (last + 1 < sorted.size() && sorted.get(last + 1) - sorted.get(first) <= window) {
        last++;
      }
      if (last - first + 1 > most) {
        most = last - first + 1;
        from = first;
      }
    }
    return sorted.subList(from, from + most);
  }
}
