package io.usergate.store;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;

import java.time.Instant;

/**
 * The store's copies of hot rows, so that {@code GET /store/users/{id}} and {@code usergate.store.get}
 * read no PostgreSQL: bounded by the bytes of their JSON (each encoded once, when it comes in, and
 * answered as those bytes to the web), the least used going first. Every write of a user, by this node
 * or any other, drops its copy: this node's writes at once, after their commit; the others' when their
 * change arrives on {@code usergate.user.changed}. A read that began before a drop does not put back
 * what it read ({@link #stamp()}), so a copy is never older than the last change this node has heard of.
 * Confined to the context of the verticle that holds it: the store, and the web for its route.
 */
public final class HotRows {

  /** A row: its JSON encoded once (the user itself only on the way out of a read), and when it was fetched. */
  public record Row(JsonObject user, Buffer encoded, Instant fetchedAt) {

    /** The user as a JSON object: decoded from the bytes when the row came from memory. */
    public JsonObject json() {
      return user != null ? user : new JsonObject(encoded);
    }
  }

  static final int ENTRY_OVERHEAD = 300;
  private final Cache<Long, Row> rows;
  private final boolean enabled;
  /** Bumped by every drop: a read that saw another value when it began must not fill. */
  private long drops;

  /** {@code maxBytes}: the bound of the JSON held; 0 keeps nothing. */
  public HotRows(long maxBytes) {
    this.enabled = maxBytes > 0;
    this.rows = Caffeine.newBuilder()
      .maximumWeight(Math.max(0, maxBytes))
      // The JSON's bytes, and what an entry costs besides: the buffer, the row, the key, the map's node
      // (measured: about 230 bytes an entry beside the JSON, scripts/bench memory).
      .<Long, Row>weigher((id, row) -> row.encoded().length() + ENTRY_OVERHEAD)
      // Maintenance on the store's event loop, where every call comes from: no pool thread for it.
      .executor(Runnable::run)
      .build();
  }

  public Row get(long id) {
    return enabled ? rows.getIfPresent(id) : null;
  }

  /** What a read reports back with its row, to {@link #fill}. */
  public long stamp() {
    return drops;
  }

  /** The row a read found, kept unless a drop happened since the read began ({@code stamp}). */
  Row fill(long id, JsonObject user, Instant fetchedAt, long stamp) {
    // Only the bytes are kept: the bound is of bytes, and a JSON object takes several times its text.
    return keep(id, new Row(user, user.toBuffer(), fetchedAt), stamp);
  }

  /** As {@link #fill}, for a reader that has the bytes only (the web, from the store's answer). */
  public Row fillEncoded(long id, Buffer encoded, Instant fetchedAt, long stamp) {
    return keep(id, new Row(null, encoded, fetchedAt), stamp);
  }

  private Row keep(long id, Row row, long stamp) {
    if (enabled && stamp == drops) {
      // Exactly the bytes: an encoder's buffer has room to spare (a kilobyte for a 400-byte user).
      rows.put(id, new Row(null, Buffer.buffer(row.encoded().getBytes()), row.fetchedAt()));
    }
    return row;
  }

  public void drop(long id) {
    drops++;
    rows.invalidate(id);
  }

  void dropAll(Iterable<Long> ids) {
    drops++;
    rows.invalidateAll(ids);
  }

  long size() {
    rows.cleanUp();
    return rows.estimatedSize();
  }

  long bytes() {
    return rows.policy().eviction().map(eviction -> eviction.weightedSize().orElse(0L)).orElse(0L);
  }
}
