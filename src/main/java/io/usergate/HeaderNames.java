package io.usergate;

/**
 * Every header name usergate sets or reads, in one place. On event-bus messages, lower case with a
 * {@code usergate-} prefix (the request id keeps the name it has on HTTP); on HTTP, as HTTP spells its
 * extension headers.
 */
public final class HeaderNames {

  // On event-bus messages.

  /** A reply of {@code usergate.fetch.one}: where the user came from, {@code memory}, {@code store} or {@code upstream}. */
  public static final String BUS_SOURCE = "usergate-source";
  /** A reply of {@code usergate.fetch.one}: its {@code Cache-Status} (RFC 9211) parameters. */
  public static final String BUS_CACHE_STATUS = "usergate-cache-status";
  /** A reply of {@code usergate.fetch.one} or {@code usergate.store.get}: when the user was fetched from the directory. */
  public static final String BUS_FETCHED_AT = "usergate-fetched-at";
  /** A reply of {@code usergate.store.get}: the directory's ETag of the stored copy, when it sent one. */
  public static final String BUS_UPSTREAM_ETAG = "usergate-upstream-etag";
  /** Which node sent a message, for the shared codec's local shortcut. */
  public static final String BUS_NODE = "usergate-node";
  /** The request a message serves. */
  public static final String BUS_REQUEST_ID = "x-request-id";

  // On HTTP.

  /** Where the answer came from: {@code memory}, {@code store} or {@code upstream}. */
  public static final String HTTP_SOURCE = "X-Usergate-Source";
  /** When the user answered was fetched from the directory (ISO-8601). */
  public static final String HTTP_FETCHED_AT = "X-Usergate-Fetched-At";
  /** The request's id: taken from the caller when sane, else made; on every answer and every upstream call. */
  public static final String HTTP_REQUEST_ID = "X-Request-Id";
  /** A caller's quota policy (draft-ietf-httpapi-ratelimit-headers): {@code "default";q=10;w=1}. */
  public static final String HTTP_RATE_LIMIT_POLICY = "RateLimit-Policy";
  /** What is left of a caller's quota (the same draft): {@code "default";r=0;t=1}. */
  public static final String HTTP_RATE_LIMIT = "RateLimit";

  private HeaderNames() {
  }
}
