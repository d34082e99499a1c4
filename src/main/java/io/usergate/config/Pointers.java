package io.usergate.config;

import io.vertx.core.json.pointer.JsonPointer;

import java.util.ArrayList;
import java.util.List;

/**
 * JSON pointers (RFC 6901), lists of them and templates of them, as the {@code mapping} keys write
 * them: parsed here, so that the configuration checks them when it is resolved (naming the key and its
 * layer) and the fetch room's mapping builds from the same parse, without depending on each other.
 */
public final class Pointers {

  private Pointers() {
  }

  /**
   * A template such as {@code {/firstName} {/lastName}}: literal text and JSON pointers in braces, in
   * order. {@code parts} holds {@link String}s (literal text) and {@link JsonPointer}s.
   */
  public record Template(String text, List<Object> parts) {

    /** One placeholder and nothing else: it takes the directory's value as it is. */
    public boolean single() {
      return parts.size() == 1 && parts.get(0) instanceof JsonPointer;
    }

    @Override
    public String toString() {
      return text;
    }
  }

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
   * A template: text with at least one JSON pointer in braces; braces only around pointers, and a
   * placeholder names a field, never the whole user ({@code {}}).
   */
  public static Template template(String text) {
    List<Object> parts = new ArrayList<>();
    StringBuilder literal = new StringBuilder();
    int i = 0;
    while (i < text.length()) {
      char c = text.charAt(i);
      if (c == '}') {
        throw new IllegalArgumentException("\"" + text + "\" has a } with no { before it (at " + i + ")");
      }
      if (c != '{') {
        literal.append(c);
        i++;
        continue;
      }
      int close = text.indexOf('}', i + 1);
      int nested = text.indexOf('{', i + 1);
      if (close < 0 || nested >= 0 && nested < close) {
        throw new IllegalArgumentException("\"" + text + "\" has a { with no } after it (at " + i + ")");
      }
      String inner = text.substring(i + 1, close);
      if (inner.isEmpty()) {
        throw new IllegalArgumentException("\"" + text + "\" has an empty {}: name a field, e.g. {/name}");
      }
      if (literal.length() > 0) {
        parts.add(literal.toString());
        literal.setLength(0);
      }
      parts.add(pointer(inner));
      i = close + 1;
    }
    if (literal.length() > 0) {
      parts.add(literal.toString());
    }
    if (parts.stream().noneMatch(part -> part instanceof JsonPointer)) {
      throw new IllegalArgumentException("\"" + text + "\" names no field: every user would get the same value; "
        + "put JSON pointers in braces, e.g. {/firstName} {/lastName}");
    }
    return new Template(text, List.copyOf(parts));
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
}
