package io.usergate.cache;

import io.usergate.config.Section;
import io.vertx.core.json.JsonObject;

/**
 * The cache's configuration: the {@code cache} section. {@code memoryBytes} bounds the node's one user cache
 * ({@link UserCache}). The keys it replaces keep working for one release (the launcher warns that they are
 * deprecated): {@code cache.storeHotBytes}, in bytes too, bounds the cache when {@code memoryBytes} is at its
 * default; {@code cache.hotUsers} counted users, which a byte bound cannot honour, so only its 0 (no cache) holds.
 */
public record CacheSettings(long freshForMs, long staleWhileRevalidateMs, long notFoundForMs, long memoryBytes) {

  public static final String SECTION = "cache";
  /** {@code cache.memoryBytes}' default, which {@code cache.storeHotBytes}' was too. */
  static final long DEFAULT_MEMORY_BYTES = 67_108_864L;

  public static CacheSettings from(JsonObject config) {
    Section cache = Section.of(config, SECTION);
    long memoryBytes = cache.longValue("memoryBytes");
    long oldBytes = cache.longValue("storeHotBytes");
    if (memoryBytes == DEFAULT_MEMORY_BYTES && oldBytes != DEFAULT_MEMORY_BYTES) {
      memoryBytes = oldBytes;
    }
    return new CacheSettings(cache.longValue("freshForMs"), cache.longValue("staleWhileRevalidateMs"),
      cache.longValue("notFoundForMs"), cache.integer("hotUsers") == 0 ? 0 : memoryBytes);
  }
}
