package io.usergate.cache;

import io.usergate.config.Section;
import io.vertx.core.json.JsonObject;

/**
 * The cache's configuration: the {@code cache} section. {@code memoryBytes} bounds the node's one user cache
 * ({@link UserCache}); the keys it replaces, {@code cache.hotUsers} and {@code cache.storeHotBytes}, still
 * turn it off when set to 0 (the launcher warns that they are deprecated).
 */
public record CacheSettings(long freshForMs, long staleWhileRevalidateMs, long notFoundForMs, long memoryBytes) {

  public static final String SECTION = "cache";

  public static CacheSettings from(JsonObject config) {
    Section cache = Section.of(config, SECTION);
    boolean offByAnOldKey = cache.integer("hotUsers") == 0 || cache.longValue("storeHotBytes") == 0;
    return new CacheSettings(cache.longValue("freshForMs"), cache.longValue("staleWhileRevalidateMs"),
      cache.longValue("notFoundForMs"), offByAnOldKey ? 0 : cache.longValue("memoryBytes"));
  }
}
