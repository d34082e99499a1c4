package io.usergate.demo;

import io.usergate.config.ConfigKeys;
import io.usergate.config.InvalidConfigException;
import io.usergate.config.Section;
import io.vertx.core.json.JsonObject;

import java.util.Map;

/**
 * The demo directory's configuration: the {@code demo} section, read once through the key table
 * ({@link io.usergate.config.ConfigKeys}), where each key's range, default and meaning live.
 */
public record DemoSettings(
  boolean enabled, String host, int port,
  // what it serves, and how badly
  int users, int latencyMs, int jitterMs, double errorRate, double hangRate, int maxRatePerSecond,
  // the real directory it stands in for: the answers' shape, the API key it wants
  DemoShape shape, Map<String, String> requiredHeaders,
  // the production shapes' credentials: the client of the token endpoint, its secret (also their static credential)
  String clientId, String clientSecret, int tokenLifetimeSeconds,
  // Graph's delta query: how long a delta link is taken
  long deltaLinkMaxAgeMs) {

  public static final String SECTION = "demo";

  /** The {@code demo} section of {@code config} (a verticle's configuration, or the whole one). */
  public static DemoSettings from(JsonObject config) {
    Section demo = Section.of(config, SECTION);
    return new DemoSettings(demo.bool("enabled"), demo.string("host"), demo.integer("port"),
      demo.integer("users"), demo.integer("latencyMs"), demo.integer("jitterMs"),
      demo.fraction("errorRate"), demo.fraction("hangRate"), demo.integer("maxRatePerSecond"),
      shape(demo.string("shape")), demo.headers("requiredHeaders"),
      demo.string("clientId"), demo.string("clientSecret"), demo.integer("tokenLifetimeSeconds"),
      demo.longValue("deltaLinkMaxAgeMs"));
  }

  private static DemoShape shape(String text) {
    try {
      return DemoShape.parse(text);
    } catch (IllegalArgumentException e) {
      throw new InvalidConfigException(ConfigKeys.get(SECTION, "shape"), "\"" + text + "\" is none of plain, dummyjson, enveloped, keycloak, scim, okta, entra, auth0",
        "the demo section");
    }
  }

  /** Masks the required headers' values: a record would print them. */
  @Override
  public String toString() {
    return "DemoSettings[" + host + ":" + port + ", " + users + " users, " + shape + ", required headers "
      + requiredHeaders.keySet() + "]";
  }
}
