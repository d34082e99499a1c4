package io.usergate.web;

import io.usergate.cache.Validators;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * The caching headers of a user's answer: {@code Age} and {@code Last-Modified} from when its copy was
 * fetched, {@code Cache-Status} (RFC 9211) saying how it was served, and an {@code ETag} of its bytes,
 * so that a caller's matching {@code If-None-Match} gets a 304 without the body.
 */
final class CacheHeaders {

  static final String CACHE_STATUS = "Cache-Status";
  /** The cache's name in {@code Cache-Status}. */
  static final String CACHE_NAME = "usergate";
  /** The most common {@code Cache-Status}, made once. */
  private static final String HIT = CACHE_NAME + "; hit";

  private CacheHeaders() {
  }

  /**
   * Sets the headers on {@code response} and answers whether the caller's copy is current ({@code 304}).
   *
   * @param fetchedAt ISO instant of the copy, null when unknown
   * @param cacheStatus the fetch verticle's part of {@code Cache-Status} ({@code hit}, {@code fwd=miss}...), or null
   */
  static boolean apply(HttpServerResponse response, MultiMap requestHeaders, Buffer body, String fetchedAt,
                       String cacheStatus, Instant now) {
    Instant fetched = parse(fetchedAt);
    return apply(response, requestHeaders, Validators.etag(body), fetched, fetched == null ? null : Validators.lastModified(fetched),
      cacheStatus, now);
  }

  /** As above, with the validator and {@code Last-Modified} of the body already made (a copy of the node's cache). */
  static boolean apply(HttpServerResponse response, MultiMap requestHeaders, String etag, Instant fetched, String lastModified,
                       String cacheStatus, Instant now) {
    response.putHeader(HttpHeaders.ETAG, etag);
    if (cacheStatus != null) {
      response.putHeader(CACHE_STATUS, "hit".equals(cacheStatus) ? HIT : CACHE_NAME + "; " + cacheStatus);
    }
    if (fetched != null) {
      response.putHeader(HttpHeaders.LAST_MODIFIED, lastModified);
      response.putHeader("Age", String.valueOf(Math.max(0, Duration.between(fetched, now).toSeconds())));
    }
    return matches(requestHeaders.get(HttpHeaders.IF_NONE_MATCH), etag);
  }

  /** {@code If-None-Match}: {@code *} or a comma-separated list of (possibly weak) tags; malformed: no match. */
  static boolean matches(String ifNoneMatch, String etag) {
    if (ifNoneMatch == null || ifNoneMatch.length() > 8192) {
      return false;
    }
    for (String candidate : ifNoneMatch.split(",")) {
      String tag = candidate.trim();
      if (tag.equals("*")) {
        return true;
      }
      if (tag.startsWith("W/")) {
        tag = tag.substring(2);
      }
      if (tag.equals(etag)) {
        return true;
      }
    }
    return false;
  }

  /** An instant, or null when there is none or it is not one (another node's build?). */
  static Instant parse(String instant) {
    if (instant == null) {
      return null;
    }
    try {
      return Instant.parse(instant);
    } catch (DateTimeParseException e) {
      return null;
    }
  }
}
