package io.usergate.store;

import io.usergate.config.Section;
import io.vertx.core.json.JsonObject;

/** The change feed's configuration: the {@code changes} section. */
public record ChangeFeedSettings(boolean enabled, long retainMs, long trimIntervalMs) {

  public static final String SECTION = "changes";

  public static ChangeFeedSettings from(JsonObject config) {
    Section changes = Section.of(config, SECTION);
    return new ChangeFeedSettings(changes.bool("enabled"), changes.longValue("retainMs"), changes.longValue("trimIntervalMs"));
  }
}
