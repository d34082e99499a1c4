package io.usergate.config;

import java.util.Locale;

/**
 * One configuration key: its dotted name, its type and its allowed range.
 * The defaults live in {@code conf/config.json}; this class only knows how to read and check a value.
 */
public record ConfigKey(String section, String name, Type type, long min, long max, boolean nullable) {

  public enum Type { STRING, INT, LONG, BOOLEAN, DOUBLE }

  public static ConfigKey string(String dotted, boolean nullable) {
    return of(dotted, Type.STRING, 0, 0, nullable);
  }

  public static ConfigKey integer(String dotted, long min, long max) {
    return of(dotted, Type.INT, min, max, false);
  }

  public static ConfigKey optionalInteger(String dotted, long min, long max) {
    return of(dotted, Type.INT, min, max, true);
  }

  public static ConfigKey longValue(String dotted, long min, long max) {
    return of(dotted, Type.LONG, min, max, false);
  }

  public static ConfigKey bool(String dotted) {
    return of(dotted, Type.BOOLEAN, 0, 0, false);
  }

  /** A fraction between 0 and 1, such as a rate. */
  public static ConfigKey fraction(String dotted) {
    return of(dotted, Type.DOUBLE, 0, 1, false);
  }

  private static ConfigKey of(String dotted, Type type, long min, long max, boolean nullable) {
    int dot = dotted.indexOf('.');
    return new ConfigKey(dotted.substring(0, dot), dotted.substring(dot + 1), type, min, max, nullable);
  }

  public String dotted() {
    return section + "." + name;
  }

  /** {@code upstream.baseUrl} → {@code USERGATE_UPSTREAM_BASE_URL}. */
  public String environmentName() {
    return "USERGATE_" + section.toUpperCase(Locale.ROOT) + "_"
      + name.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toUpperCase(Locale.ROOT);
  }

  /** Parses an environment variable's text into this key's type. */
  Object parse(String text) {
    String trimmed = text.trim();
    if (nullable && trimmed.isEmpty()) {
      return null;
    }
    try {
      return switch (type) {
        case STRING -> text;
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
      throw new InvalidConfigException(this, "\"" + text + "\" is not " + expectation(), environmentName());
    }
  }

  /** Checks a value from the file (or already parsed) and returns it in this key's Java type. */
  Object check(Object value, String source) {
    if (value == null) {
      if (nullable) {
        return null;
      }
      throw new InvalidConfigException(this, "is missing; expected " + expectation(), source);
    }
    Object typed = switch (type) {
      case STRING -> value instanceof String ? value : null;
      case INT -> value instanceof Integer || value instanceof Long && fitsInt((Long) value)
        ? ((Number) value).intValue() : null;
      case LONG -> value instanceof Integer || value instanceof Long ? ((Number) value).longValue() : null;
      case DOUBLE -> value instanceof Number n ? n.doubleValue() : null;
      case BOOLEAN -> value instanceof Boolean ? value : null;
    };
    if (typed == null) {
      throw new InvalidConfigException(this, "\"" + value + "\" is not " + expectation(), source);
    }
    boolean outOfRange = switch (type) {
      case INT, LONG -> ((Number) typed).longValue() < min || ((Number) typed).longValue() > max;
      case DOUBLE -> ((Double) typed) < min || ((Double) typed) > max;
      default -> false;
    };
    if (outOfRange) {
      throw new InvalidConfigException(this, value + " is out of range; expected " + expectation(), source);
    }
    return typed;
  }

  private static boolean fitsInt(long value) {
    return value >= Integer.MIN_VALUE && value <= Integer.MAX_VALUE;
  }

  private String expectation() {
    String what = switch (type) {
      case STRING -> "a string";
      case INT, LONG -> "an integer from " + min + " to " + max;
      case DOUBLE -> "a number from " + min + " to " + max;
      case BOOLEAN -> "true or false";
    };
    return nullable ? what + " (or empty)" : what;
  }
}
