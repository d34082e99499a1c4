package io.usergate.config;

import io.vertx.core.json.JsonObject;

import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * HTTP headers written as a JSON object of names to string values ({@code upstream.headers},
 * {@code demo.requiredHeaders}), checked here when the configuration is resolved. Their values are
 * credentials: no message here ever shows one, only the header's name.
 */
public final class Headers {

  /** RFC 9110 field names are tokens. */
  private static final String TOKEN = "[!#$%&'*+\\-.^_`|~0-9A-Za-z]+";

  /** Headers that the client sets itself: one of ours would break the request's framing or target. */
  private static final Set<String> REFUSED = Set.of("host", "content-length", "transfer-encoding", "connection");

  private Headers() {
  }

  /**
   * The headers of {@code value}, in order.
   *
   * @throws IllegalArgumentException naming the header (never its value) that is wrong
   */
  public static Map<String, String> parse(Object value) {
    if (!(value instanceof JsonObject object)) {
      throw new IllegalArgumentException("is not a JSON object of header names to values, e.g. {\"x-api-key\": \"...\"}");
    }
    Map<String, String> headers = new LinkedHashMap<>();
    Set<String> seen = new HashSet<>();
    int position = 0;
    for (Map.Entry<String, Object> entry : object) {
      position++;
      String name = entry.getKey();
      // A name that is not a token may be a value pasted in the wrong place: it is not shown.
      if (!name.matches(TOKEN)) {
        throw new IllegalArgumentException("header " + position + "'s name is not an HTTP header name "
          + "(letters, digits and !#$%&'*+-.^_`|~ only)");
      }
      String lower = name.toLowerCase(Locale.ROOT);
      if (REFUSED.contains(lower)) {
        throw new IllegalArgumentException("names header " + name + ", which the HTTP client sets itself");
      }
      if (!seen.add(lower)) {
        throw new IllegalArgumentException("names header " + name + " twice (header names ignore case)");
      }
      if (!(entry.getValue() instanceof String text)) {
        throw new IllegalArgumentException("gives header " + name + " a value that is not a string");
      }
      if (text.isBlank()) {
        // Most often a variable that was not set where the value was written: better stopped than sent.
        throw new IllegalArgumentException("gives header " + name + " an empty value");
      }
      for (int i = 0; i < text.length(); i++) {
        char c = text.charAt(i);
        if (c != '\t' && (c < 0x20 || c == 0x7f || c > 0xff)) {
          throw new IllegalArgumentException("gives header " + name + " a value with a control character or a "
            + "character beyond Latin-1 (at " + i + ")");
        }
      }
      headers.put(name, text);
    }
    return Collections.unmodifiableMap(headers);
  }
}
