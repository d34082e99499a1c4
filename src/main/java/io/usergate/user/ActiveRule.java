package io.usergate.user;

import io.usergate.error.ErrorCode;
import io.usergate.error.UsergateException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.json.pointer.JsonPointer;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Whether the directory marks a user active ({@code mapping.active}), and what becomes of one it marks inactive
 * ({@code sync.inactive}). The rule is a JSON pointer to the user's flag, {@code /active}: the user is inactive
 * when the value there is {@code false}; or a pointer and the values that mean inactive,
 * {@code /status!=DEPROVISIONED,SUSPENDED}: inactive when the value there, read as text (a boolean as
 * {@code true} / {@code false}), is one of them. Nothing at the pointer is active: a directory that leaves the
 * field out must not lose its users. Read on the user as the directory sent it, before {@code mapping.drop}.
 *
 * <p>In {@code usergate.user}, beside {@link User}, so that the configuration checks the rule with the same
 * parse the fetch room's mapping applies it with.
 */
public final class ActiveRule {

  /** The field every mapped user gets once {@code mapping.active} is set: {@code true} or {@code false}. */
  public static final String FIELD = "active";
  private static final String NOT = "!=";
  private static final String MESSAGE_START = "the directory marks user ";

  /** {@code sync.inactive}: an inactive user is kept (stored and served with {@code "active": false}) or removed. */
  public enum Inactive {
    KEEP, REMOVE;

    /** keep or remove. @throws IllegalArgumentException saying what the value may be */
    public static Inactive parse(String text) {
      return switch (text) {
        case "keep" -> KEEP;
        case "remove" -> REMOVE;
        default -> throw new IllegalArgumentException("\"" + text + "\" is neither keep nor remove");
      };
    }

    @Override
    public String toString() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  private final String text;
  private final JsonPointer pointer;
  /** The pointer's one token when it has one (the presets' case): read as the field itself, as Mapping does. */
  private final String field;
  private final Set<String> inactiveValues;

  private ActiveRule(String text, JsonPointer pointer, Set<String> inactiveValues) {
    this.text = text;
    this.pointer = pointer;
    List<String> tokens = tokens(pointer);
    this.field = tokens.size() == 1 ? tokens.get(0) : null;
    this.inactiveValues = inactiveValues;
  }

  /**
   * The rule {@code text} writes, or null for none (null or blank).
   *
   * @throws IllegalArgumentException saying why it is not one
   */
  public static ActiveRule parse(String text) {
    if (text == null || text.isBlank()) {
      return null;
    }
    String trimmed = text.trim();
    int not = trimmed.indexOf(NOT);
    String pointerText = not < 0 ? trimmed : trimmed.substring(0, not).trim();
    if (!pointerText.startsWith("/")) {
      throw new IllegalArgumentException("\"" + text + "\" does not start with a JSON pointer to the user's flag, "
        + "e.g. /active or /status!=DEPROVISIONED");
    }
    JsonPointer pointer;
    try {
      pointer = JsonPointer.from(pointerText);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("\"" + pointerText + "\" is not a JSON pointer (RFC 6901: ~ must be ~0 or ~1)");
    }
    if (not < 0) {
      return new ActiveRule(trimmed, pointer, Set.of("false"));
    }
    List<String> values = new ArrayList<>();
    for (String value : trimmed.substring(not + NOT.length()).split(",", -1)) {
      if (value.isBlank()) {
        throw new IllegalArgumentException("\"" + text + "\" has an empty value after !=; list the values that mean "
          + "inactive separated by commas, e.g. /status!=DEPROVISIONED,SUSPENDED");
      }
      values.add(value.trim());
    }
    return new ActiveRule(trimmed, pointer, Set.copyOf(values));
  }

  /** Whether {@code user}, as the directory sent it, is active. */
  public boolean active(JsonObject user) {
    Object value = field != null ? user.getValue(field) : pointer.queryJson(user);
    if (value == null || value instanceof JsonObject || value instanceof JsonArray) {
      return true;
    }
    return !inactiveValues.contains(String.valueOf(value));
  }

  /** The 404 of a user the directory marks inactive under {@code sync.inactive} remove: the error says why. */
  public UsergateException inactiveError(String id) {
    return ErrorCode.NOT_FOUND.error(MESSAGE_START + id + " inactive (mapping.active " + text
      + "), and sync.inactive is remove", id);
  }

  /**
   * Whether {@code failure} is the 404 of an inactive user ({@link #inactiveError}), also once it has crossed the
   * event bus: its message is the error's contract.
   */
  public static boolean isInactive(Throwable failure) {
    if (failure == null) {
      return false;
    }
    UsergateException error = UsergateException.from(failure);
    return error.code() == ErrorCode.NOT_FOUND && error.getMessage() != null && error.getMessage().startsWith(MESSAGE_START);
  }

  @Override
  public String toString() {
    return text;
  }

  private static List<String> tokens(JsonPointer pointer) {
    List<String> tokens = new ArrayList<>();
    String pointerText = pointer.toString();
    for (String token : pointerText.substring(1).split("/", -1)) {
      tokens.add(token.replace("~1", "/").replace("~0", "~"));
    }
    return tokens;
  }
}
