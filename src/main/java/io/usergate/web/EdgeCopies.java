package io.usergate.web;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.usergate.user.RecentDrops;
import io.vertx.core.buffer.Buffer;

import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * The web edge's copies of what the fetch verticle answered for {@code GET /users/{id}}, so that a hit
 * (a copy fresh for the caller, by the fetch room's own {@code Freshness} rule) crosses no bus: each held
 * as the bytes served and the headers made from them, computed once. Filled from fetch's answers, never
 * from a stale fallback; dropped when fetch says its copy is gone ({@code usergate.fetch.copy-gone}: removed,
 * evicted, replaced by a different one). A fill whose request left before a drop of that user does not
 * happen ({@link #stamp()}), so the edge never answers a copy fetch has let go of; drops of other users
 * do not stop it (fetch evicts all the time once it is full, and every in-flight fill would fail).
 * A copy past its freshness is never answered (the rule judges its age) and gives way to the next
 * answer or to the bound; no expiry of its own, which made every read dearer. Confined to the web
 * verticle's context.
 */
final class EdgeCopies {

  /** A copy as answered: its bytes, when it was fetched, and the headers that only depend on those. */
  record Copy(Buffer encoded, Instant fetchedAt, String fetchedAtText, String etag, String lastModified) {

    long ageMs(Instant now) {
      return Math.max(0, now.toEpochMilli() - fetchedAt.toEpochMilli());
    }
  }

  /** Drops remembered per user, for the fills still in flight; beyond that, the oldest are forgotten. */
  static final int REMEMBERED_DROPS = 65_536;

  private final Cache<Long, Copy> copies;
  private final boolean enabled;
  private final long freshForMs;
  private final RecentDrops drops = new RecentDrops(REMEMBERED_DROPS);

  /**
   * @param maxUsers  how many at the most (fetch's own bound, {@code cache.hotUsers}); 0 keeps none
   * @param freshForMs how long a copy can be fresh for anyone ({@code cache.freshForMs}); 0 keeps none
   */
  EdgeCopies(long maxUsers, long freshForMs) {
    this.enabled = maxUsers > 0 && freshForMs > 0;
    this.freshForMs = freshForMs;
    this.copies = Caffeine.newBuilder()
      .maximumSize(Math.max(0, maxUsers))
      // Maintenance on the web's event loop, where every call comes from: no pool thread for it.
      .executor(Runnable::run)
      .build();
  }

  Copy get(long id) {
    return enabled ? copies.getIfPresent(id) : null;
  }

  /** What an answer reports back with its copy, to {@link #fill}. */
  long stamp() {
    return drops.stamp();
  }

  /** An answer of fetch as a copy: its headers made once, for its own answer and for every hit after it. */
  static Copy of(Buffer encoded, String fetchedAtText) {
    Instant fetchedAt = Instant.parse(fetchedAtText);
    return new Copy(encoded, fetchedAt, fetchedAtText, CacheHeaders.etag(encoded), CacheHeaders.lastModified(fetchedAt));
  }

  /** As {@link #of}, or null when there is no fetch time or it is not an ISO instant. */
  static Copy parse(Buffer encoded, String fetchedAtText) {
    if (fetchedAtText == null) {
      return null;
    }
    try {
      return of(encoded, fetchedAtText);
    } catch (DateTimeParseException notAnInstant) {
      return null;
    }
  }

  /** Keeps {@code copy} (what fetch answered) unless that user was dropped since the request left ({@code stamp}). */
  void fill(long id, Copy copy, long stamp) {
    // Already too old to be fresh for anyone (a stale fallback's, a copy read late): not worth its room.
    if (enabled && !drops.droppedSince(id, stamp) && copy.ageMs(Instant.now()) <= freshForMs) {
      // Exactly the bytes: an encoder's buffer has room to spare.
      copies.put(id, new Copy(Buffer.buffer(copy.encoded().getBytes()), copy.fetchedAt(), copy.fetchedAtText(), copy.etag(),
        copy.lastModified()));
    }
  }

  void drop(long id) {
    drops.dropped(id);
    copies.invalidate(id);
  }

  long size() {
    copies.cleanUp();
    return copies.estimatedSize();
  }
}
