package io.usergate.demo;

import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
  private final Map<Long, JsonObject> changedFields = new ConcurrentHashMap<>();
  private final Map<Long, Removal> removed = new ConcurrentHashMap<>();
  /** Entry i of the log is the user changed by change i + 1. */
  private final List<Long> log = new ArrayList<>();
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
    log.add(n);
    return n;
  }

  /** User {@code n}'s {@code fields} changed (merged over what it had). */
  public synchronized void update(long n, JsonObject fields) {
    if (!exists(n)) {
      throw new IllegalArgumentException("no user " + n);
    }
    changedFields.merge(n, fields.copy(), (old, more) -> old.copy().mergeIn(more));
    log.add(n);
  }

  public synchronized void remove(long n, Removal how) {
    if (!exists(n)) {
      throw new IllegalArgumentException("no user " + n);
    }
    removed.put(n, how);
    log.add(n);
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
