package io.usergate.web;

import io.usergate.cache.Freshness;

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

  /** The directives of a {@code Cache-Control} request header (null: none) that the cache acts on. */
  static Freshness.Directives parse(String header) {
    if (header == null) {
      return Freshness.Directives.NONE;
    }
    Long maxAgeMs = null;
    boolean noCache = false;
    boolean onlyIfCached = false;
    for (String part : header.split(",")) {
      String directive = part.trim().toLowerCase(Locale.ROOT);
      int equals = directive.indexOf('=');
      String name = equals < 0 ? directive : directive.substring(0, equals).trim();
      String value = equals < 0 ? null : unquote(directive.substring(equals + 1).trim());
      switch (name) {
        case "no-cache" -> noCache = true;
        case "only-if-cached" -> onlyIfCached = true;
        case "max-age" -> {
          Long seconds = seconds(value);
          if (seconds != null) {
            // Twice named: the stricter wins (RFC 9111 leaves it open; a cache may not serve older than either).
            maxAgeMs = Math.min(maxAgeMs == null ? Long.MAX_VALUE : maxAgeMs, seconds * 1000);
          }
        }
        default -> { }
      }
    }
    return new Freshness.Directives(maxAgeMs, noCache, onlyIfCached);
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
