package io.usergate.fetch;

import io.usergate.HeaderNames;

/** The event-bus addresses the fetch verticle consumes. Bodies are JSON objects. */
public final class FetchAddresses {

  /**
   * {@code {"id": 7}} → the user, fetched live (and written through to the store); reply header
   * {@link HeaderNames#BUS_SOURCE} = {@code upstream}. With {@code "staleFallback": true}, when the upstream
   * fails (timeout, 5xx, unavailable, circuit open) and the store has the user, the stored copy, with
   * {@link HeaderNames#BUS_SOURCE} = {@code store} and the store's {@link HeaderNames#BUS_FETCHED_AT}.
   */
  public static final String ONE = "usergate.fetch.one";

  /** Optional field of {@link #ONE}: answer with the stored copy when the upstream fails. */
  public static final String STALE_FALLBACK = "staleFallback";

  /**
   * Optional field of {@link #ONE} and {@link #MANY}: a caller's id for the request, so that it can
   * be cancelled through {@link #CANCEL}.
   */
  public static final String REQUEST_ID = "requestId";

  /**
   * Optional field of {@link #ONE} and {@link #MANY}: the name of the configured caller the request is
   * made for; its misses wait for the directory in that caller's queue (its fair share). Absent:
   * {@link #ANONYMOUS}. The edge sets it from the caller it authenticated, never from what a client sent.
   */
  public static final String CALLER = "caller";

  /** The caller of a request that names none: everyone who did not say who they are, in one queue. */
  public static final String ANONYMOUS = "anonymous";

  /**
   * Published {@code {"requestId": "..."}}: nobody waits for that request any more (its HTTP client
   * went away). Its upstream calls in flight are reset and those still queued never start, unless
   * another request shares them. Published, so that in a cluster it reaches the node serving it.
   */
  public static final String CANCEL = "usergate.fetch.cancel";

  /**
   * Optional field of {@link #ONE} and {@link #MANY}: a copy from the mirror at most this old (ms) is
   * fine (HTTP {@code Cache-Control: max-age}). It can ask for a younger copy than {@code cache.freshForMs},
   * never accept an older one.
   */
  public static final String MAX_AGE_MS = "maxAgeMs";

  /** Optional field of {@link #ONE} and {@link #MANY}: true for a live fetch (HTTP {@code no-cache}). */
  public static final String NO_CACHE = "noCache";

  /**
   * Optional field of {@link #ONE} and {@link #MANY}: true for the mirror only (HTTP
   * {@code only-if-cached}): no upstream call; without a good enough copy, {@code NOT_CACHED} (504).
   */
  public static final String ONLY_IF_CACHED = "onlyIfCached";

  /**
   * {@code {"ids": [1, 2, 3], "mode": "all" | "settled"}} → all: {@code {"users": [...]}} or the first
   * failure, naming its id; settled: {@code {"results": [{"id": 1, "user": {...}}, {"id": 2, "error":
   * {...}}], "succeeded": n, "failed": m}}, in the order asked.
   */
  public static final String MANY = "usergate.fetch.many";

  /**
   * {@code {}} → {@code {"maxIdsPerRequest", "maxConcurrent", "inFlight", "queued", "available", "sharedCalls",
   * "breaker", "breakerSince", "breakerFailures", "writeThrough": {"written", "failed", "skipped", "pending"}}}:
   * {@code maxIdsPerRequest} is the most ids {@link #MANY} takes in one request ({@code upstream.maxIdsPerRequest},
   * the fetch verticle's own limit: a caller that splits its ids, such as the sync, asks for it here rather than
   * reading the fetch verticle's configuration); {@code breaker} is {@code CLOSED}, {@code OPEN} or
   * {@code HALF_OPEN}, {@code breakerSince} the ISO instant it entered that state, {@code breakerFailures} the
   * failures it counts now.
   */
  public static final String STATUS = "usergate.fetch.status";

  /**
   * {@code {"offset": n, "limit": k, "requestId"?}} or {@code {"cursor": "...", "limit": k, "requestId"?}} →
   * {@code {"users": [...], "entries", "invalid", "problems": [...], "total": n | null, "next": {"offset": n} |
   * {"cursor": "..."} | null}}: one page of the directory's paged list ({@code sync.listPath}), for the walk, and
   * where the next one is (null: this is the last; {@code sync.listNext} says how it is found). A cursor the
   * directory refuses (400, 404, 410: expired, unknown) is {@code {"refused": "what it answered"}}. With
   * {@code "feed": "delta"}, a page of the delta query ({@code sync.deltaPath}; its first page at offset 0, then by the
   * next link or the delta link as a cursor), whose reply also has {@code "removed": [ids]} (entries marked
   * {@code sync.deltaRemovedPointer}) and {@code "deltaLink"} (on its last page); with {@code "feed": "changedSince",
   * "since": "RFC 3339"}, a page of {@code sync.changedSincePath} from then, paged as the list. Not bridged.
   */
  public static final String PAGE = "usergate.fetch.page";

  /**
   * Optional field of {@link #MANY}, default true: false skips the write-through, for a caller that
   * stores the users itself (the sync, in the same transaction as its job states).
   */
  public static final String WRITE_THROUGH = "writeThrough";

  /**
   * In a settled result of {@link #MANY} without write-through: the directory's ETag of the user fetched live,
   * for the sender that stores it.
   */
  public static final String UPSTREAM_ETAG = "upstreamEtag";

  /**
   * In a settled result of {@link #MANY} without write-through: true when the directory answered 304 to the
   * copy usergate held (the user is that copy): its sender renews the copy's fetch time and rewrites nothing.
   */
  public static final String NOT_MODIFIED = "notModified";

  private FetchAddresses() {
  }
}
