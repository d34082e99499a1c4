package io.usergate.error;

/**
 * The error contract: one code per kind of failure, each with its HTTP status. On the event bus the
 * status is the {@code ReplyException}'s failure code; the name (never the ordinal) goes on the wire.
 */
public enum ErrorCode {
  BAD_REQUEST(400),
  UNAUTHORIZED(401),
  FORBIDDEN(403),
  NOT_FOUND(404),
  METHOD_NOT_ALLOWED(405),
  PAYLOAD_TOO_LARGE(413),
  URI_TOO_LONG(414),
  HEADERS_TOO_LARGE(431),
  OVERLOADED(503),
  /** A caller's own share is used up (its queue for the directory is full): the others are still served. */
  TOO_MANY_REQUESTS(429),
  UPSTREAM_ERROR(502),
  UPSTREAM_UNAVAILABLE(503),
  UPSTREAM_TIMEOUT(504),
  /** {@code only-if-cached} and the mirror has no copy good enough (RFC 9111: 504). */
  NOT_CACHED(504),
  STORE_UNAVAILABLE(503),
  /** The change feed no longer holds the changes after the reader's position: it must resynchronise. */
  CHANGES_GONE(410),
  INTERNAL(500);

  private final int status;

  ErrorCode(int status) {
    this.status = status;
  }

  public int status() {
    return status;
  }

  /**
   * The error for {@code message}: how every call site makes one ({@code ErrorCode.NOT_FOUND.error(...)});
   * {@link UsergateException#from} reads one back from a failure or a bus reply.
   */
  public UsergateException error(String message) {
    return new UsergateException(this, message, null);
  }

  /** The error about one user: {@code id} goes along in its JSON ({@link UsergateException#toJson}). */
  public UsergateException error(String message, String id) {
    return new UsergateException(this, message, id);
  }
}
