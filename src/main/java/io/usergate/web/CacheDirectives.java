package io.usergate.web;

import io.usergate.fetch.FetchAddresses;
import io.vertx.core.json.JsonObject;

import java.util.Locale;

/**
 * The caller's {@code Cache-Control} request directives (RFC 9111 5.2.1), in their bus form:
 * {@code no-cache}, {@code max-age=N} and {@code only-if-cached}. Unknown directives and malformed
 * values are ignored, as the RFC says; a header can never make a request fail.
 */
final class CacheDirectives {

  /** A max-age beyond this many seconds (68 years) means "any age": no overflow. */
  private static final long MAX_SECONDS = Integer.MAX_VALUE;

  private CacheDirectives() {
  }

  /** Adds {@code maxAgeMs}, {@code noCache} and {@code onlyIfCached} to {@code body} as the header says. */
  static JsonObject apply(String header, JsonObject body) {
    if (header == null) {
      return body;
    }
    for (String part : header.split(",")) {
      String directive = part.trim().toLowerCase(Locale.ROOT);
      int equals = directive.indexOf('=');
      String name = equals < 0 ? directive : directive.substring(0, equals).trim();
      String value = equals < 0 ? null : unquote(directive.substring(equals + 1).trim());
      switch (name) {
        case "no-cache" -> body.put(FetchAddresses.NO_CACHE, true);
        case "only-if-cached" -> body.put(FetchAddresses.ONLY_IF_CACHED, true);
        case "max-age" -> {
          Long seconds = seconds(value);
          if (seconds != null) {
            long previous = body.getLong(FetchAddresses.MAX_AGE_MS, Long.MAX_VALUE);
            // Twice named: the stricter wins (RFC 9111 leaves it open; a cache may not serve older than either).
            body.put(FetchAddresses.MAX_AGE_MS, Math.min(previous, seconds * 1000));
          }
        }
        default -> { }
      }
    }
    return body;
  }

  private static Long seconds(String value) {
    if (value == null || value.isEmpty() || value.length() > 30 || !value.chars().allMatch(c -> c >= '0' && c <= '9')) {
      return null;
    }
    return value.length() > 10 ? MAX_SECONDS : Math.min(MAX_SECONDS, Long.parseLong(value));
  }

  private static String unquote(String value) {
    return value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"") ? value.substring(1, value.length() - 1) : value;
  }
}
