package io.usergate.config;

import io.vertx.core.json.JsonObject;

/**
 * Typed reads of one section of a resolved configuration, for the settings records of each verticle.
 * Each read goes through the key table, so a name that is not a key, or a read of the wrong type,
 * fails at once rather than returning null.
 */
public final class Section {

  private final String name;
  private final JsonObject values;

  private Section(String name, JsonObject values) {
    this.name = name;
    this.values = values;
  }

  /** Section {@code name} of {@code config} (the whole configuration, or a verticle's slice of it). */
  public static Section of(JsonObject config, String name) {
    JsonObject values = config.getJsonObject(name);
    if (values == null) {
      throw new IllegalArgumentException("the configuration has no section " + name);
    }
    return new Section(name, values);
  }

  public String string(String key) {
    return (String) value(key, ConfigKey.Type.STRING);
  }

  public int integer(String key) {
    return ((Number) value(key, ConfigKey.Type.INT)).intValue();
  }

  public Integer optionalInteger(String key) {
    Object value = value(key, ConfigKey.Type.INT);
    return value == null ? null : ((Number) value).intValue();
  }

  public long longValue(String key) {
    return ((Number) value(key, ConfigKey.Type.LONG)).longValue();
  }

  public boolean bool(String key) {
    return (Boolean) value(key, ConfigKey.Type.BOOLEAN);
  }

  public double fraction(String key) {
    return ((Number) value(key, ConfigKey.Type.DOUBLE)).doubleValue();
  }

  private Object value(String key, ConfigKey.Type type) {
    ConfigKey known = ConfigKeys.get(name, key);
    if (known.type() != type) {
      throw new IllegalArgumentException(known.dotted() + " is " + known.type() + ", not " + type);
    }
    Object value = values.getValue(key);
    if (value == null && !known.nullable()) {
      throw new IllegalArgumentException(known.dotted() + " has no value: the configuration was not resolved");
    }
    return value;
  }
}
