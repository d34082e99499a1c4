package io.usergate.cache;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Which users' copies a cache dropped lately, for a cache filled by answers to requests that may have
 * left before a drop: a fill stamped ({@link #stamp()}) before a drop of its user would put back what
 * was dropped, and is refused; drops of other users do not refuse it. The last {@code remembered} drops
 * are kept; a stamp older than the oldest of those is refused whatever its user. Confined to one
 * verticle's context.
 */
public final class RecentDrops {

  /** The number of drops so far: a request's stamp. */
  private long drops;
  /** Drops up to this number are forgotten. */
  private long forgottenUpTo;
  /** The last drop of each recently dropped user (its number), the eldest first. */
  private final LinkedHashMap<String, Long> lastDrop;

  public RecentDrops(int remembered) {
    this.lastDrop = new LinkedHashMap<>() {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
        if (size() > remembered) {
          forgottenUpTo = eldest.getValue();
          return true;
        }
        return false;
      }
    };
  }

  /** Taken when a request leaves, handed to {@link #droppedSince} with its answer. */
  public long stamp() {
    return drops;
  }

  public void dropped(String id) {
    drops++;
    // Moved to the newest end, so that the eldest entry is always the oldest drop.
    lastDrop.remove(id);
    lastDrop.put(id, drops);
  }

  /** Whether user {@code id} was dropped after {@code stamp} (or may have been: the stamp is older than what is kept). */
  public boolean droppedSince(String id, long stamp) {
    if (stamp < forgottenUpTo) {
      return true;
    }
    Long last = lastDrop.get(id);
    return last != null && last > stamp;
  }
}
