package io.usergate.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.usergate.user.UserId;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.LocalMap;
import io.vertx.core.shareddata.Shareable;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The node's one memory of users: bounded by the bytes of their JSON, the least used going first. Written
 * by the fetch verticle (live answers, the mirror's copies it reads, the walk's pages) and by the store
 * (the rows it reads); read by the web (a hit crosses no bus), the store and fetch. One per Vert.x
 * ({@link #of}), shared by the verticles of the node, whatever event loop they run on: Caffeine's map is
 * thread-safe, and the few writes that must be ordered against drops take this object's lock.
 *
 * <p>One invalidation path: a change of the mirror ({@code usergate.user.changed}, every node hears every
 * change; each verticle that uses the cache hands it over, and the first one counts) reaches
 * {@link #changed(Object)}: the copy goes, unless it is exactly what the change wrote (its content's hash), as
 * after this node's own write-through; the store's own writes drop theirs at commit, the change feed on or off. A read that began before a drop never puts back what it read
 * ({@link #stamp()}, {@link #offer}). A copy is answered only while fresh enough for the caller, which the
 * caller judges with {@link Freshness}: without the change feed, its age is the only bound.
 */
public final class UserCache implements Shareable {

  /**
   * A user as held: its JSON as served (encoded once), when it was fetched, its validators (usergate's own, for
   * its callers), its content's hash, the hashes of the copies it replaced here (the newest first, a few at
   * most), and the directory's ETag of it ({@code upstreamEtag}, null when it sent none: what a refresh sends as
   * If-None-Match).
   */
  public record Cached(Buffer encoded, Instant fetchedAt, String fetchedAtText, String etag, String lastModified,
                       int contentHash, int[] replaced, String upstreamEtag) {

    /** Whether this copy is, or replaced here, a copy whose content has hash {@code hash}. */
    boolean isOrReplaced(int hash) {
      if (contentHash == hash) {
        return true;
      }
      for (int older : replaced) {
        if (older == hash) {
          return true;
        }
      }
      return false;
    }

    Cached replacing(Cached older) {
      if (older.contentHash == contentHash) {
        // The same content: the directory's ETag of it still holds when this copy came without one.
        return new Cached(encoded, fetchedAt, fetchedAtText, etag, lastModified, contentHash, older.replaced,
          upstreamEtag != null ? upstreamEtag : older.upstreamEtag);
      }
      int[] hashes = new int[Math.min(REMEMBERED_VERSIONS, older.replaced.length + 1)];
      hashes[0] = older.contentHash;
      System.arraycopy(older.replaced, 0, hashes, 1, hashes.length - 1);
      return new Cached(encoded, fetchedAt, fetchedAtText, etag, lastModified, contentHash, hashes, upstreamEtag);
    }

    public long ageMs(Instant now) {
      return Math.max(0, now.toEpochMilli() - fetchedAt.toEpochMilli());
    }

    /** The user as a JSON object of its own (decoded from the bytes: the cache keeps only those). */
    public JsonObject user() {
      return new JsonObject(encoded);
    }
  }

  /**
   * What an entry costs besides its JSON: the buffer, the record, its three strings (fetch time, ETag,
   * Last-Modified), the key (a String: its characters are weighed besides), the map's node, and the cache's
   * own tables. Measured with scripts/bench memory: 17.8 MB held for a bound of 16 MB weighed at 400, 16.0 MB
   * at 500; so 550, a margin under the bound, and 24 more for a String key instead of a Long.
   */
  static final int ENTRY_OVERHEAD = 574;
  /** The contents a copy replaced, remembered with it: the changes of their write-throughs may still be on their way. */
  static final int REMEMBERED_VERSIONS = 4;
  /** Drops remembered per user, for the reads still on their way; beyond that, the oldest are forgotten. */
  static final int REMEMBERED_DROPS = 65_536;

  static final int REMEMBERED_CHANGES = 4_096;

  private static final String MAP = "usergate.cache";

  private final Cache<String, Cached> users;
  private final boolean enabled;
  private final long maxBytes;
  /** Guarded by this: a fill checks it and puts under the same lock as a drop records and invalidates. */
  private final RecentDrops drops = new RecentDrops(REMEMBERED_DROPS);
  /**
   * The changes acted on lately (by seq), guarded by this: each verticle of the node hears each change, within
   * milliseconds of the others, so the last few thousand are plenty.
   */
  private final Map<Long, Boolean> handled = new LinkedHashMap<>(1024, 0.75f, false) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<Long, Boolean> eldest) {
      return size() > REMEMBERED_CHANGES;
    }
  };

  /** A cache of its own (a bench, a test); verticles share the node's, {@link #of}. */
  public UserCache(long maxBytes) {
    this.enabled = maxBytes > 0;
    this.maxBytes = Math.max(0, maxBytes);
    this.users = Caffeine.newBuilder()
      .maximumWeight(this.maxBytes)
      .<String, Cached>weigher((id, cached) -> cached.encoded().length() + ENTRY_OVERHEAD + id.length()
        + (cached.upstreamEtag() == null ? 0 : cached.upstreamEtag().length()))
      // Maintenance on the calling thread (an event loop): no pool thread for it.
      .executor(Runnable::run)
      .build();
  }

  /** The node's cache: made by the first verticle that asks, with its settings; the others share it. */
  public static UserCache of(Vertx vertx, CacheSettings settings) {
    LocalMap<String, UserCache> map = vertx.sharedData().getLocalMap(MAP);
    return map.computeIfAbsent("users", key -> new UserCache(settings.memoryBytes()));
  }

  public Cached get(String id) {
    return enabled ? users.getIfPresent(id) : null;
  }

  /** Taken when a read leaves, handed back to {@link #offer} with what it read. */
  public synchronized long stamp() {
    return drops.stamp();
  }

  /**
   * Keeps {@code user}, fetched at {@code fetchedAt}, unless its user was dropped since the read that found it
   * left ({@code stamp}) or a copy fetched later is here already. Returns what the cache holds for the user
   * now (the offered copy, the later one, or, when refused or off, the offered one, not kept).
   */
  public Cached offer(String id, JsonObject user, Instant fetchedAt, long stamp) {
    return offer(id, user, fetchedAt, stamp, null);
  }

  /** As {@link #offer(String, JsonObject, Instant, long)}, with the directory's ETag of the user (null: none). */
  public Cached offer(String id, JsonObject user, Instant fetchedAt, long stamp, String upstreamEtag) {
    Cached offered = cached(user.toBuffer(), fetchedAt, user.hashCode(), upstreamEtag);
    if (!enabled) {
      return offered;
    }
    synchronized (this) {
      if (drops.droppedSince(id, stamp)) {
        return offered;
      }
      return users.asMap().merge(id, offered,
        (known, candidate) -> candidate.fetchedAt().isBefore(known.fetchedAt()) ? known : candidate.replacing(known));
    }
  }

  /** As {@link #offer(String, JsonObject, Instant, long)}, for a user just fetched from the directory: nothing can be older. */
  public Cached offer(String id, JsonObject user, Instant fetchedAt) {
    return offer(id, user, fetchedAt, stamp());
  }

  /**
   * As {@link #offer(String, JsonObject, Instant)}, with the directory's ETag ({@code upstreamEtag}); also the
   * renewal of a copy the directory confirmed (a 304): the same content, fetched now.
   */
  public Cached offer(String id, JsonObject user, Instant fetchedAt, String upstreamEtag) {
    return offer(id, user, fetchedAt, stamp(), upstreamEtag);
  }

  /**
   * A change of the mirror as published on {@code usergate.user.changed} ({@code {"seq", "id", "kind",
   * "contentHash"?}}): every verticle of the node that uses the cache hears it, and the first one acts on
   * it (by its {@code seq}); anything not shaped so is ignored.
   */
  public void changed(Object change) {
    String id = change instanceof JsonObject body ? UserId.text(body.getValue("id")) : null;
    if (id == null || !(((JsonObject) change).getValue("seq") instanceof Number seq)) {
      return;
    }
    synchronized (this) {
      if (handled.put(seq.longValue(), Boolean.TRUE) != null) {
        return;
      }
    }
    JsonObject body = (JsonObject) change;
    changed(id, "removed".equals(body.getValue("kind")), body.getValue("contentHash") instanceof Integer hash ? hash : null);
  }

  /**
   * The mirror changed user {@code id}: {@code removed}, or written with a content whose hash is
   * {@code contentHash} (null: unknown). The copy goes unless it is that content, or one it replaced here:
   * a write-through of an older fetch whose change comes after a newer fetch (which the mirror gets next).
   * (Another writer's content that happens to equal one this copy replaced is kept until its freshness ends.)
   */
  public void changed(String id, boolean removed, Integer contentHash) {
    Cached held = get(id);
    if (!removed && held != null && contentHash != null && held.isOrReplaced(contentHash)) {
      return;
    }
    drop(id);
  }

  /** Forgets user {@code id}; a read on its way does not bring it back. */
  public void drop(String id) {
    synchronized (this) {
      drops.dropped(id);
      users.invalidate(id);
    }
  }

  public long size() {
    users.cleanUp();
    return users.estimatedSize();
  }

  /** The bytes held, as weighed. */
  public long bytes() {
    return users.policy().eviction().map(eviction -> eviction.weightedSize().orElse(0L)).orElse(0L);
  }

  public long maxBytes() {
    return maxBytes;
  }

  private static Cached cached(Buffer encoded, Instant fetchedAt, int contentHash, String upstreamEtag) {
    // Exactly the bytes: an encoder's buffer has room to spare.
    Buffer exact = Buffer.buffer(encoded.getBytes());
    return new Cached(exact, fetchedAt, fetchedAt.toString(), Validators.etag(exact), Validators.lastModified(fetchedAt), contentHash,
      new int[0], upstreamEtag);
  }
}
