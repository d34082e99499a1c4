package io.usergate.demo;

import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What changed in a production-shaped demo directory since it started: users created (numbers after
 * {@code demo.users}), changed (fields merged over the generated user) and removed, each a numbered entry of a
 * change log, so that a delta query can answer "what changed after entry N" ({@link IdentityDirectory}'s Graph
 * delta). Written by tests and benchmarks from their own threads, read by the directory on its event loop: every
 * method is synchronised.
 */
public final class DemoChanges {

  /** How a user was removed: Graph's {@code @removed.reason} ({@code changed}: soft deleted, restorable; {@code deleted}). */
  public enum Removal {
    CHANGED, DELETED
  }

  private final long seeded;
  /** When the seeded users were made: their last-modified time. */
  private final Instant seededAt = Instant.now();
  private final Map<Long, JsonObject> changedFields = new ConcurrentHashMap<>();
  private final Map<Long, Removal> removed = new ConcurrentHashMap<>();
  /** Entry i of the log is the user changed by change i + 1, at {@code at} i. */
  private final List<Long> log = new ArrayList<>();
  private final List<Instant> at = new ArrayList<>();
  private long created;

  DemoChanges(long seeded) {
    this.seeded = seeded;
  }

  /** The highest user number ever made: {@code demo.users} and those created since. */
  public synchronized long highest() {
    return seeded + created;
  }

  /** The number of the last change (0: none yet). */
  public synchronized long sequence() {
    return log.size();
  }

  public synchronized boolean exists(long n) {
    return n >= 1 && n <= seeded + created && !removed.containsKey(n);
  }

  /** The users there are now. */
  public synchronized long count() {
    return seeded + created - removed.size();
  }

  /** A new user, numbered after the others, with {@code fields} over the generated ones; returns its number. */
  public synchronized long create(JsonObject fields) {
    long n = seeded + ++created;
    if (fields != null && !fields.isEmpty()) {
      changedFields.put(n, fields.copy());
    }
    logged(n);
    return n;
  }

  /** User {@code n}'s {@code fields} changed (merged over what it had). */
  public synchronized void update(long n, JsonObject fields) {
    if (!exists(n)) {
      throw new IllegalArgumentException("no user " + n);
    }
    changedFields.merge(n, fields.copy(), (old, more) -> old.copy().mergeIn(more));
    logged(n);
  }

  public synchronized void remove(long n, Removal how) {
    if (!exists(n)) {
      throw new IllegalArgumentException("no user " + n);
    }
    removed.put(n, how);
    logged(n);
  }

  private void logged(long n) {
    log.add(n);
    at.add(Instant.now());
  }

  /**
   * The users there are now whose last change came after {@code since}, by number: what a filter on the
   * last-modified time answers (SCIM's {@code meta.lastModified gt}, Okta's {@code lastUpdated gt}). The seeded
   * users were last modified when the demo started. A removed user is not among them: those directories say
   * nothing of deletions.
   */
  synchronized List<Long> changedAfter(Instant since) {
    TreeSet<Long> changed = new TreeSet<>();
    if (since.isBefore(seededAt)) {
      for (long n = 1; n <= seeded; n++) {
        changed.add(n);
      }
    }
    for (int i = 0; i < log.size(); i++) {
      if (at.get(i).isAfter(since)) {
        changed.add(log.get(i));
      }
    }
    changed.removeIf(n -> !exists(n));
    return new ArrayList<>(changed);
  }

  /** {@code generated} (user {@code n} as the demo makes it) with the fields changed since. */
  JsonObject apply(long n, JsonObject generated) {
    JsonObject fields = changedFields.get(n);
    return fields == null ? generated : generated.mergeIn(fields.copy());
  }

  /** How user {@code n} was removed, or null. */
  Removal removal(long n) {
    return removed.get(n);
  }

  /** The users changed by changes {@code after} + 1 to {@code upTo}, each once, in the order of their last change. */
  synchronized List<Long> changedBetween(long after, long upTo) {
    Map<Long, Boolean> last = new LinkedHashMap<>();
    for (int i = (int) after; i < Math.min(upTo, log.size()); i++) {
      long n = log.get(i);
      last.remove(n);
      last.put(n, true);
    }
    return new ArrayList<>(last.keySet());
  }
}
