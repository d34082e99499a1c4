package io.usergate.fetch;

import io.usergate.config.Section;
import io.vertx.core.json.JsonObject;

/** The fetch verticle's cache configuration: the {@code cache} section. */
public record CacheSettings(long freshForMs, long staleWhileRevalidateMs, long notFoundForMs, int hotUsers) {

  public static final String SECTION = "cache";

  public static CacheSettings from(JsonObject config) {
    Section cache = Section.of(config, SECTION);
    return new CacheSettings(cache.longValue("freshForMs"), cache.longValue("staleWhileRevalidateMs"),
      cache.longValue("notFoundForMs"), cache.integer("hotUsers"));
  }
}
