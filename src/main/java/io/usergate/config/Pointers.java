package io.usergate.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.json.pointer.JsonPointer;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * JSON pointers (RFC 6901), lists of them and templates of them, as the {@code mapping} keys write
 * them: parsed here, so that the configuration checks them when it is resolved (naming the key and its
 * layer) and the fetch room's mapping builds from the same parse, without depending on each other.
 */
public final class Pointers {

  private Pointers() {
  }

  /**
   * A template such as {@code {/firstName} {/lastName}}: literal text and placeholders in braces, in order;
   * or several such alternatives separated by {@code ||}, the first one that renders something winning
   * ({@code {/displayName}||{/name/givenName} {/name/familyName}}). Each alternative's parts are
   * {@link String}s (literal text), {@link JsonPointer}s and {@link Selector}s.
   */
  public record Template(String text, List<List<Object>> alternatives) {

    /** One alternative of one placeholder and nothing else: it takes the directory's value as it is. */
    public boolean single() {
      return alternatives.size() == 1 && singlePlaceholder(alternatives.get(0));
    }

    /** The parts of the first alternative. */
    public List<Object> parts() {
      return alternatives.get(0);
    }

    public static boolean singlePlaceholder(List<Object> parts) {
      return parts.size() == 1 && !(parts.get(0) instanceof String);
    }

    @Override
    public String toString() {
      return text;
    }
  }

  /**
   * A placeholder whose path selects in an array: {@code /emails[primary=true]/value} is the {@code value} of
   * the first element of {@code emails} whose {@code primary} is {@code true} (compared as text, so the
   * boolean and the string both match). Each step is a JSON pointer token, with its selection when it has one.
   */
  public record Selector(String text, List<Step> steps) {

    /** A token ({@code emails}), and, when it selects, the field and the value an element must have. */
    public record Step(String token, String field, String value) {
      public boolean selects() {
        return field != null;
      }
    }

    @Override
    public String toString() {
      return text;
    }
  }

  private static final Pattern SELECTION = Pattern.compile("^(.+)\\[([^=\\[\\]]+)=([^\\[\\]]*)]$");

  /**
   * One pointer: empty (the whole document) or {@code /token/...}, with {@code ~0} and {@code ~1}
   * escapes as RFC 6901 has them.
   *
   * @throws IllegalArgumentException saying why it is not one
   */
  public static JsonPointer pointer(String text) {
    if (!text.isEmpty() && !text.startsWith("/")) {
      throw new IllegalArgumentException("\"" + text + "\" is not a JSON pointer: it must start with / (e.g. /data)");
    }
    try {
      return JsonPointer.from(text);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("\"" + text + "\" is not a JSON pointer (RFC 6901: ~ must be ~0 or ~1)");
    }
  }

  /** Comma-separated pointers, none of them empty (the whole user); blank: none. */
  public static List<JsonPointer> list(String text) {
    List<JsonPointer> pointers = new ArrayList<>();
    if (text == null || text.isBlank()) {
      return pointers;
    }
    for (String entry : text.split(",", -1)) {
      String trimmed = entry.trim();
      if (trimmed.isEmpty()) {
        throw new IllegalArgumentException("\"" + text + "\" holds an empty entry; list pointers separated by commas, e.g. /password,/bank");
      }
      pointers.add(pointer(trimmed));
    }
    return pointers;
  }

  /**
   * A template: alternatives separated by {@code ||}, each text with at least one placeholder in braces;
   * braces only around placeholders, and a placeholder names a field, never the whole user ({@code {}}).
   * A placeholder is a JSON pointer, whose tokens may select in an array ({@link Selector}).
   */
  public static Template template(String text) {
    List<List<Object>> alternatives = new ArrayList<>();
    for (String alternative : text.split("\\|\\|", -1)) {
      alternatives.add(alternative(alternative, text));
    }
    return new Template(text, List.copyOf(alternatives));
  }

  private static List<Object> alternative(String text, String whole) {
    List<Object> parts = new ArrayList<>();
    StringBuilder literal = new StringBuilder();
    int i = 0;
    while (i < text.length()) {
      char c = text.charAt(i);
      if (c == '}') {
        throw new IllegalArgumentException("\"" + whole + "\" has a } with no { before it (in \"" + text + "\" at " + i + ")");
      }
      if (c != '{') {
        literal.append(c);
        i++;
        continue;
      }
      int close = text.indexOf('}', i + 1);
      int nested = text.indexOf('{', i + 1);
      if (close < 0 || nested >= 0 && nested < close) {
        throw new IllegalArgumentException("\"" + whole + "\" has a { with no } after it (in \"" + text + "\" at " + i + ")");
      }
      String inner = text.substring(i + 1, close);
      if (inner.isEmpty()) {
        throw new IllegalArgumentException("\"" + whole + "\" has an empty {}: name a field, e.g. {/name}");
      }
      if (literal.length() > 0) {
        parts.add(literal.toString());
        literal.setLength(0);
      }
      parts.add(placeholder(inner));
      i = close + 1;
    }
    if (literal.length() > 0) {
      parts.add(literal.toString());
    }
    if (parts.stream().allMatch(part -> part instanceof String)) {
      String what = text.equals(whole) ? "names no field" : text.isBlank() ? "has an empty alternative"
        : "has an alternative, \"" + text + "\", that names no field";
      throw new IllegalArgumentException("\"" + whole + "\" " + what
        + ": every user would get the same value; put JSON pointers in braces, e.g. {/firstName} {/lastName}");
    }
    return List.copyOf(parts);
  }

  /** A plain JSON pointer, or a {@link Selector} when one of its tokens selects ({@code emails[primary=true]}). */
  private static Object placeholder(String text) {
    JsonPointer pointer = pointer(text);
    List<Selector.Step> steps = new ArrayList<>();
    boolean selects = false;
    for (String raw : text.substring(1).split("/", -1)) {
      Matcher selection = SELECTION.matcher(raw);
      if (selection.matches()) {
        selects = true;
        steps.add(new Selector.Step(unescape(selection.group(1)), unescape(selection.group(2)), unescape(selection.group(3))));
      } else {
        steps.add(new Selector.Step(unescape(raw), null, null));
      }
    }
    return selects ? new Selector(text, List.copyOf(steps)) : pointer;
  }

  private static String unescape(String token) {
    return token.replace("~1", "/").replace("~0", "~");
  }

  /** The unescaped tokens of a pointer parsed by {@link #pointer}: {@code /a~1b/0} → {@code ["a/b", "0"]}. */
  public static List<String> tokens(JsonPointer pointer) {
    String text = pointer.toString();
    List<String> tokens = new ArrayList<>();
    if (text.isEmpty()) {
      return tokens;
    }
    for (String token : text.substring(1).split("/", -1)) {
      tokens.add(token.replace("~1", "/").replace("~0", "~"));
    }
    return tokens;
  }

  /**
   * Copies into {@code target} what {@code tokens} name in {@code source}, the objects on the way recreated
   * (and merged with what {@code target} already has); {@code source} stays untouched. A path through an
   * array, or to nothing, copies nothing: name the array to copy it whole.
   */
  public static void copyPath(JsonObject source, List<String> tokens, JsonObject target) {
    Object from = source;
    JsonObject into = target;
    for (int i = 0; i < tokens.size() && from instanceof JsonObject object; i++) {
      String token = tokens.get(i);
      if (!object.containsKey(token)) {
        return;
      }
      Object value = object.getValue(token);
      if (i == tokens.size() - 1) {
        into.put(token, value instanceof JsonObject o ? o.copy() : value instanceof JsonArray a ? a.copy() : value);
      } else if (value instanceof JsonObject) {
        if (!(into.getValue(token) instanceof JsonObject)) {
          into.put(token, new JsonObject());
        }
        into = into.getJsonObject(token);
      }
      from = value;
    }
  }
}
