package io.usergate.config;

import io.usergate.auth.ApiKeys;
import io.vertx.core.json.JsonObject;

import java.util.Locale;

/**
 * One configuration key: its dotted name, type, allowed range, built-in default and meaning. The
 * table of them is {@link ConfigKeys#ALL}; the defaults live here, in the jar, and every other layer
 * only overrides the keys it names.
 */
public record ConfigKey(String section, String name, Type type, long min, long max, boolean nullable,
                        Object defaultValue, boolean secret, String meaning) {

  /**
   * What a value is. POINTER, POINTERS and TEMPLATE are strings whose syntax is checked ({@link Pointers});
   * HEADERS is a JSON object of header names to string values ({@link Headers}); CALLERS a JSON object of
   * callers ({@link io.usergate.auth.ApiKeys#parse}).
   */
  public enum Type {
    STRING, INT, LONG, BOOLEAN, DOUBLE, POINTER, POINTERS, TEMPLATE, HEADERS, CALLERS;
  }

  public static ConfigKey string(String dotted, String defaultValue, String meaning) {
    return of(dotted, Type.STRING, 0, 0, false, defaultValue, meaning);
  }

  /** A string that may be empty (no value): read as {@code null}. */
  public static ConfigKey optionalString(String dotted, String meaning) {
    return of(dotted, Type.STRING, 0, 0, true, null, meaning);
  }

  public static ConfigKey integer(String dotted, long min, long max, int defaultValue, String meaning) {
    return of(dotted, Type.INT, min, max, false, defaultValue, meaning);
  }

  public static ConfigKey optionalInteger(String dotted, long min, long max, String meaning) {
    return of(dotted, Type.INT, min, max, true, null, meaning);
  }

  public static ConfigKey longValue(String dotted, long min, long max, long defaultValue, String meaning) {
    return of(dotted, Type.LONG, min, max, false, defaultValue, meaning);
  }

  public static ConfigKey bool(String dotted, boolean defaultValue, String meaning) {
    return of(dotted, Type.BOOLEAN, 0, 0, false, defaultValue, meaning);
  }

  /** A fraction between 0 and 1, such as a rate. */
  public static ConfigKey fraction(String dotted, double defaultValue, String meaning) {
    return of(dotted, Type.DOUBLE, 0, 1, false, defaultValue, meaning);
  }

  /** A JSON pointer (RFC 6901) into what the directory answers; {@code nullable}: empty is the whole answer. */
  public static ConfigKey pointer(String dotted, String defaultValue, String meaning) {
    return of(dotted, Type.POINTER, 0, 0, defaultValue == null, defaultValue, meaning);
  }

  /** Comma-separated JSON pointers; empty: none. */
  public static ConfigKey pointers(String dotted, String meaning) {
    return of(dotted, Type.POINTERS, 0, 0, true, null, meaning);
  }

  /** A template of JSON pointers in braces, {@code {/firstName} {/lastName}}; {@code nullable}: empty is none. */
  public static ConfigKey template(String dotted, String defaultValue, boolean nullable, String meaning) {
    return of(dotted, Type.TEMPLATE, 0, 0, nullable, defaultValue, meaning);
  }

  /** A JSON object of HTTP header names to string values; the default is none ({@code {}}). */
  public static ConfigKey headers(String dotted, String meaning) {
    return of(dotted, Type.HEADERS, 0, 0, false, new JsonObject(), meaning);
  }

  /** A JSON object of named callers and the SHA-256 of their keys; the default is none ({@code {}}). */
  public static ConfigKey callers(String dotted, String meaning) {
    return of(dotted, Type.CALLERS, 0, 0, false, new JsonObject(), meaning);
  }

  private static ConfigKey of(String dotted, Type type, long min, long max, boolean nullable, Object defaultValue,
                              String meaning) {
    int dot = dotted.indexOf('.');
    return new ConfigKey(dotted.substring(0, dot), dotted.substring(dot + 1), type, min, max, nullable, defaultValue,
      false, meaning);
  }

  /** This key, its value masked wherever the configuration is printed. */
  public ConfigKey masked() {
    return new ConfigKey(section, name, type, min, max, nullable, defaultValue, true, meaning);
  }

  public String dotted() {
    return section + "." + name;
  }

  /** {@code upstream.baseUrl} → {@code USERGATE_UPSTREAM_BASE_URL}. */
  public String environmentName() {
    return "USERGATE_" + section.toUpperCase(Locale.ROOT) + "_"
      + name.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toUpperCase(Locale.ROOT);
  }

  /** Parses text (an environment variable, a system property) into this key's type. */
  Object parse(String text, String layer) {
    String trimmed = text.trim();
    if (nullable && trimmed.isEmpty()) {
      return null;
    }
    if (type == Type.HEADERS || type == Type.CALLERS) {
      if (trimmed.isEmpty()) {
        return new JsonObject();
      }
      try {
        return new JsonObject(trimmed);
      } catch (RuntimeException e) {
        // The parser's message quotes the text, which holds credentials: only the key is named.
        throw new InvalidConfigException(this, (secret ? "" : "\"" + text + "\" ") + "is not a JSON object; expected "
          + expectation(), layer);
      }
    }
    try {
      return switch (type) {
        case STRING, POINTER, POINTERS, TEMPLATE -> text;
        case HEADERS, CALLERS -> throw new IllegalStateException();
        case INT -> Integer.parseInt(trimmed);
        case LONG -> Long.parseLong(trimmed);
        case DOUBLE -> Double.parseDouble(trimmed);
        case BOOLEAN -> switch (trimmed.toLowerCase(Locale.ROOT)) {
          case "true" -> Boolean.TRUE;
          case "false" -> Boolean.FALSE;
          default -> throw new IllegalArgumentException();
        };
      };
    } catch (IllegalArgumentException e) {
      throw new InvalidConfigException(this, "\"" + text + "\" is not " + expectation(), layer);
    }
  }

  /** Checks a value (from a file, or already parsed) and returns it in this key's Java type. */
  Object check(Object value, String layer) {
    if (value == null || nullable && value instanceof String text && text.isBlank()) {
      if (nullable) {
        return null;
      }
      throw new InvalidConfigException(this, "is empty; expected " + expectation(), layer);
    }
    Object typed = switch (type) {
      case STRING, POINTER, POINTERS, TEMPLATE -> value instanceof String ? value : null;
      case HEADERS, CALLERS -> value instanceof JsonObject object ? object.copy() : null;
      case INT -> value instanceof Integer || value instanceof Long && fitsInt((Long) value)
        ? ((Number) value).intValue() : null;
      case LONG -> value instanceof Integer || value instanceof Long ? ((Number) value).longValue() : null;
      case DOUBLE -> value instanceof Number n ? n.doubleValue() : null;
      case BOOLEAN -> value instanceof Boolean ? value : null;
    };
    if (typed == null) {
      throw new InvalidConfigException(this, shown(value) + " is not " + expectation(), layer);
    }
    boolean outOfRange = switch (type) {
      case INT, LONG -> ((Number) typed).longValue() < min || ((Number) typed).longValue() > max;
      case DOUBLE -> ((Double) typed) < min || ((Double) typed) > max;
      default -> false;
    };
    if (outOfRange) {
      throw new InvalidConfigException(this, shown(value) + " is out of range; expected " + expectation(), layer);
    }
    try {
      switch (type) {
        case POINTER -> Pointers.pointer((String) typed);
        case POINTERS -> Pointers.list((String) typed);
        case TEMPLATE -> Pointers.template((String) typed);
        case HEADERS -> Headers.parse(typed);
        case CALLERS -> ApiKeys.parse(typed);
        default -> { }
      }
    } catch (IllegalArgumentException e) {
      throw new InvalidConfigException(this, e.getMessage(), layer);
    }
    return typed;
  }

  private String shown(Object value) {
    if (secret) {
      return "the value";
    }
    return value instanceof String ? "\"" + value + "\"" : String.valueOf(value);
  }

  private static boolean fitsInt(long value) {
    return value >= Integer.MIN_VALUE && value <= Integer.MAX_VALUE;
  }

  /** What a value must be, for messages and {@code --help}. */
  public String expectation() {
    String what = switch (type) {
      case STRING -> "a string";
      case INT, LONG -> "an integer from " + min + " to " + max;
      case DOUBLE -> "a number from " + min + " to " + max;
      case BOOLEAN -> "true or false";
      case POINTER -> "a JSON pointer (RFC 6901) such as /data";
      case POINTERS -> "comma-separated JSON pointers such as /password,/bank/cardNumber";
      case TEMPLATE -> "text with JSON pointers in braces such as {/firstName} {/lastName}";
      case HEADERS -> "a JSON object of header names to string values such as {\"x-api-key\": \"...\"}";
      case CALLERS -> "a JSON object of callers such as {\"billing\": {\"keySha256\": \"<64 hex digits>\", \"scopes\": \"users:read\"}}";
    };
    return nullable ? what + " (or empty)" : what;
  }
}
