package io.usergate.config;

import io.usergate.auth.ApiKeys;
import io.vertx.core.json.JsonObject;
import io.vertx.core.json.pointer.JsonPointer;

import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

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

  /** A pointer; the whole document ({@code ""}) when the key is empty. */
  public JsonPointer pointer(String key) {
    Object value = value(key, ConfigKey.Type.POINTER);
    return parsed(key, () -> Pointers.pointer(value == null ? "" : (String) value));
  }

  /** Comma-separated pointers; none when the key is empty. */
  public List<JsonPointer> pointers(String key) {
    Object value = value(key, ConfigKey.Type.POINTERS);
    return parsed(key, () -> Pointers.list((String) value));
  }

  /** A template, or {@code null} when the key is empty. */
  public Pointers.Template template(String key) {
    Object value = value(key, ConfigKey.Type.TEMPLATE);
    return value == null ? null : parsed(key, () -> Pointers.template((String) value));
  }

  /** Header names to values, in order. */
  public Map<String, String> headers(String key) {
    Object value = value(key, ConfigKey.Type.HEADERS);
    return parsed(key, () -> Headers.parse(value));
  }

  /** The callers of {@code auth.callers}, checked. */
  public List<ApiKeys.Keyed> callers(String key) {
    Object value = value(key, ConfigKey.Type.CALLERS);
    return parsed(key, () -> ApiKeys.parse(value));
  }

  /**
   * Parsed again where it enters the verticle: a configuration that did not come through
   * {@link Configuration} (a test's, a tool's) is checked too, the message naming the key.
   */
  private <T> T parsed(String key, Supplier<T> parse) {
    try {
      return parse.get();
    } catch (IllegalArgumentException e) {
      throw new InvalidConfigException(ConfigKeys.get(name, key), e.getMessage(), "the " + name + " section");
    }
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
