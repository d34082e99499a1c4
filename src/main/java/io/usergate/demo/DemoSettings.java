package io.usergate.demo;

import io.usergate.config.Section;
import io.vertx.core.json.JsonObject;

/**
 * The demo directory's configuration: the {@code demo} section, read once through the key table
 * ({@link io.usergate.config.ConfigKeys}), where each key's range, default and meaning live.
 */
public record DemoSettings(
  boolean enabled, String host, int port,
  // what it serves, and how badly
  int users, int latencyMs, int jitterMs, double errorRate, double hangRate, int maxRatePerSecond) {

  public static final String SECTION = "demo";

  /** The {@code demo} section of {@code config} (a verticle's configuration, or the whole one). */
  public static DemoSettings from(JsonObject config) {
    Section demo = Section.of(config, SECTION);
    return new DemoSettings(demo.bool("enabled"), demo.string("host"), demo.integer("port"),
      demo.integer("users"), demo.integer("latencyMs"), demo.integer("jitterMs"),
      demo.fraction("errorRate"), demo.fraction("hangRate"), demo.integer("maxRatePerSecond"));
  }
}
