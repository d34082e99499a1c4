package io.usergate.fetch;

import io.usergate.HeaderNames;
import io.usergate.bus.BusReplies.Reply;
import io.usergate.cache.Freshness.Directives;
import io.usergate.error.ErrorCode;
import io.usergate.error.UsergateException;
import io.usergate.user.User;
import io.usergate.user.UserId;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.usergate.fetch.FetchAddresses.ANONYMOUS;
import static io.usergate.fetch.FetchAddresses.CALLER;
import static io.usergate.fetch.FetchAddresses.MAX_AGE_MS;
import static io.usergate.fetch.FetchAddresses.NOT_MODIFIED;
import static io.usergate.fetch.FetchAddresses.NO_CACHE;
import static io.usergate.fetch.FetchAddresses.ONLY_IF_CACHED;
import static io.usergate.fetch.FetchAddresses.REQUEST_ID;
import static io.usergate.fetch.FetchAddresses.STALE_FALLBACK;
import static io.usergate.fetch.FetchAddresses.UPSTREAM_ETAG;
import static io.usergate.fetch.FetchAddresses.WRITE_THROUGH;

/**
 * The bodies of {@link FetchAddresses#ONE}, {@link FetchAddresses#MANY}, {@link FetchAddresses#PAGE} and
 * {@link FetchAddresses#CANCEL}, and the replies of the first two: each read and
 * checked in one place ({@code fromJson}, {@code BAD_REQUEST} naming the field), and written in one place
 * ({@code toJson}), so that a sender (the web, the sync, a test) and the fetch verticle cannot disagree.
 */
public final class FetchMessages {

  private static final int MAX_REQUEST_ID = 200;
  private static final int MAX_CALLER = 200;

  private FetchMessages() {
  }

  /** {@link FetchAddresses#ONE}: one user, as fresh as {@code directives} ask. */
  public record One(String id, Directives directives, boolean staleFallback, String requestId, String caller) {

    /** {@code caller} null is {@link FetchAddresses#ANONYMOUS}. */
    public One {
      caller = caller == null ? ANONYMOUS : caller;
    }

    /** For the anonymous caller. */
    public One(String id, Directives directives, boolean staleFallback, String requestId) {
      this(id, directives, staleFallback, requestId, ANONYMOUS);
    }

    public static One of(String id) {
      return new One(id, Directives.NONE, false, null);
    }

    public static One fromJson(JsonObject body) {
      return new One(UserId.fromField(body, "id"), readDirectives(body), flag(body, STALE_FALLBACK, false),
        readRequestId(body), readCaller(body));
    }

    public JsonObject toJson() {
      JsonObject body = withOptions(new JsonObject().put("id", id), directives, requestId, caller);
      return staleFallback ? body.put(STALE_FALLBACK, true) : body;
    }
  }

  /**
   * The reply of {@link FetchAddresses#ONE}: the user, with where it came from ({@code upstream}, or
   * {@code memory} / {@code store} for a copy), when it was fetched, and its {@code Cache-Status}, in headers.
   */
  public record OneReply(JsonObject user, String source, Instant fetchedAt, String cacheStatus) {

    public static final String UPSTREAM = "upstream";
    public static final String MEMORY = "memory";
    public static final String STORE = "store";
    /** In {@link #cacheStatus}: the directory failed and this is the mirror's copy, of any age. */
    static final String STALE_FALLBACK_STATUS = "fwd=miss; detail=stale-fallback";

    /** The reply as it came; a fetch time that is missing or does not read as an instant is null. */
    public static OneReply fromMessage(Message<?> message) {
      if (!(message.body() instanceof JsonObject user)) {
        throw new IllegalStateException(FetchAddresses.ONE + " answered " + User.describe(message.body()) + ", not a user");
      }
      Instant fetchedAt;
      try {
        fetchedAt = Instant.parse(message.headers().get(HeaderNames.BUS_FETCHED_AT));
      } catch (DateTimeParseException | NullPointerException notAnInstant) {
        fetchedAt = null;
      }
      return new OneReply(user, message.headers().get(HeaderNames.BUS_SOURCE), fetchedAt,
        message.headers().get(HeaderNames.BUS_CACHE_STATUS));
    }

    public Reply toReply() {
      return new Reply(user, Map.of(HeaderNames.BUS_SOURCE, source, HeaderNames.BUS_FETCHED_AT, fetchedAt.toString(),
        HeaderNames.BUS_CACHE_STATUS, cacheStatus));
    }

    /**
     * Whether another node's cache may keep it: it says when it was fetched, and it is not the mirror's copy
     * answered because the directory failed.
     */
    public boolean freshEnoughToKeep() {
      return fetchedAt != null && cacheStatus != null && !STALE_FALLBACK_STATUS.equals(cacheStatus);
    }
  }

  /** {@link FetchAddresses#MANY}: many users, all-or-nothing or {@code settled} (one result per id). */
  public record Many(List<String> ids, boolean settled, Directives directives, boolean writeThrough, String requestId,
                     String caller) {

    public static final String MODE_ALL = "all";
    public static final String MODE_SETTLED = "settled";

    /** {@code caller} null is {@link FetchAddresses#ANONYMOUS}. */
    public Many {
      caller = caller == null ? ANONYMOUS : caller;
    }

    /** For the anonymous caller. */
    public Many(List<String> ids, boolean settled, Directives directives, boolean writeThrough, String requestId) {
      this(ids, settled, directives, writeThrough, requestId, ANONYMOUS);
    }

    /** The ids as a caller (a route, the sync) gives them, checked with the rest. */
    public static Many fromJson(JsonObject body, int maxIds) {
      List<String> ids = UserId.listFromField(body, "ids", maxIds);
      Object mode = body.getValue("mode");
      if (mode != null && !MODE_ALL.equals(mode) && !MODE_SETTLED.equals(mode)) {
        throw ErrorCode.BAD_REQUEST.error("mode must be \"all\" or \"settled\", not " + User.describe(mode));
      }
      return new Many(ids, MODE_SETTLED.equals(mode), readDirectives(body), flag(body, WRITE_THROUGH, true),
        readRequestId(body), readCaller(body));
    }

    public JsonObject toJson() {
      JsonObject body = withOptions(new JsonObject().put("ids", new JsonArray(new ArrayList<>(ids)))
        .put("mode", settled ? MODE_SETTLED : MODE_ALL), directives, requestId, caller);
      return writeThrough ? body : body.put(WRITE_THROUGH, false);
    }
  }

  /**
   * {@link FetchAddresses#PAGE}: one page of the directory's list, at {@code offset} or at the {@code cursor} an
   * earlier page gave (exactly one of them), of {@code limit} users at most.
   */
  public record Page(Long offset, String cursor, int limit, String requestId, String feed, String since) {

    /** The largest page one request asks for ({@code sync.listPageSize}'s range). */
    public static final int MAX_LIMIT = 1000;
    /** The longest cursor: a next URL or a token, as the directory gave it. */
    public static final int MAX_CURSOR = 8192;
    /** {@link #feed}: the walk's list ({@code sync.listPath}), the default. */
    public static final String LIST = "list";
    /** {@link #feed}: the directory's delta query ({@code sync.deltaPath}), its next and delta links. */
    public static final String DELTA = "delta";
    /** {@link #feed}: the changed-since list ({@code sync.changedSincePath}) from {@link #since}. */
    public static final String CHANGED_SINCE = "changedSince";

    /** At {@code position}, a page's {@code next} as the fetch verticle gives it: {@code {"offset": n}} or {@code {"cursor": "..."}}. */
    public static Page at(JsonObject position, int limit, String requestId) {
      return fromJson(position.copy().put("limit", limit).put(REQUEST_ID, requestId));
    }

    /** A page of {@code feed} ({@link #DELTA}, {@link #CHANGED_SINCE} with {@code since}, an RFC 3339 instant) at {@code position}. */
    public static Page of(String feed, String since, JsonObject position, int limit, String requestId) {
      return fromJson(position.copy().put("limit", limit).put(REQUEST_ID, requestId).put("feed", feed).put("since", since));
    }

    public static Page fromJson(JsonObject body) {
      Object cursor = body.getValue("cursor");
      Object offset = body.getValue("offset");
      Object limit = body.getValue("limit");
      if (cursor != null && !(cursor instanceof String text && !text.isEmpty() && text.length() <= MAX_CURSOR)) {
        throw ErrorCode.BAD_REQUEST.error("cursor must be a string of 1 to " + MAX_CURSOR + " characters, not " + User.describe(cursor));
      }
      if (cursor == null && (!(offset instanceof Integer || offset instanceof Long) || ((Number) offset).longValue() < 0)) {
        throw ErrorCode.BAD_REQUEST.error("offset must be an integer ≥ 0, not " + User.describe(offset));
      }
      if (!(limit instanceof Integer size) || size < 1 || size > MAX_LIMIT) {
        throw ErrorCode.BAD_REQUEST.error("limit must be an integer from 1 to " + MAX_LIMIT + ", not " + User.describe(limit));
      }
      Object feed = body.getValue("feed");
      if (feed != null && !List.of(LIST, DELTA, CHANGED_SINCE).contains(feed)) {
        throw ErrorCode.BAD_REQUEST.error("feed must be list, delta or changedSince, not " + User.describe(feed));
      }
      Object since = body.getValue("since");
      if (CHANGED_SINCE.equals(feed)) {
        try {
          Instant.parse((String) since);
        } catch (RuntimeException e) {
          throw ErrorCode.BAD_REQUEST.error("since must be an RFC 3339 instant with feed changedSince, not " + User.describe(since));
        }
      }
      return new Page(cursor == null ? Long.valueOf(((Number) offset).longValue()) : null, (String) cursor, size,
        readRequestId(body), feed == null ? LIST : (String) feed, CHANGED_SINCE.equals(feed) ? (String) since : null);
    }

    public boolean byCursor() {
      return cursor != null;
    }

    /** {@code {"offset": n}} or {@code {"cursor": "..."}}. */
    public JsonObject position() {
      return byCursor() ? new JsonObject().put("cursor", cursor) : new JsonObject().put("offset", offset);
    }

    public JsonObject toJson() {
      JsonObject body = position().put("limit", limit);
      if (!LIST.equals(feed)) {
        body.put("feed", feed);
      }
      if (since != null) {
        body.put("since", since);
      }
      return requestId == null ? body : body.put(REQUEST_ID, requestId);
    }
  }

  /**
   * {@link FetchAddresses#CANCEL}: nobody waits for the request {@code requestId} any more. Published, so a
   * malformed one has nobody to answer: {@link #fromBody} gives null for it.
   */
  public record Cancel(String requestId) {

    public static Cancel fromBody(Object body) {
      try {
        String requestId = body instanceof JsonObject json ? readRequestId(json) : null;
        return requestId == null ? null : new Cancel(requestId);
      } catch (UsergateException malformed) {
        return null;
      }
    }

    public JsonObject toJson() {
      return new JsonObject().put(REQUEST_ID, requestId);
    }
  }

  /**
   * One id's outcome in a settled reply of {@link FetchAddresses#MANY}: the user, or the error in the contract's
   * shape. To a request without write-through (its sender stores the users itself: the sync), a user fetched
   * live also carries the directory's ETag of it ({@code upstreamEtag}) and, when the directory answered 304 to
   * the copy usergate held, {@code notModified}: only that copy's fetch time is to be written.
   */
  public record Result(String id, JsonObject user, JsonObject error, String upstreamEtag, boolean notModified) {

    public Result(String id, JsonObject user, JsonObject error) {
      this(id, user, error, null, false);
    }

    public static Result failed(String id, UsergateException error) {
      return new Result(id, null, error.toJson().getJsonObject("error"));
    }

    /** The {@code results} of a settled reply. */
    public static List<Result> listFrom(JsonObject reply) {
      JsonArray results = reply.getJsonArray("results");
      List<Result> list = new ArrayList<>(results.size());
      for (int i = 0; i < results.size(); i++) {
        JsonObject result = results.getJsonObject(i);
        list.add(new Result(UserId.text(result.getValue("id")), result.getJsonObject("user"), result.getJsonObject("error"),
          result.getString(UPSTREAM_ETAG), result.getBoolean(NOT_MODIFIED, false)));
      }
      return list;
    }

    JsonObject toJson() {
      JsonObject entry = new JsonObject().put("id", UserId.json(id));
      if (error != null) {
        return entry.put("error", error);
      }
      entry.put("user", user);
      if (upstreamEtag != null) {
        entry.put(UPSTREAM_ETAG, upstreamEtag);
      }
      return notModified ? entry.put(NOT_MODIFIED, true) : entry;
    }
  }

  /** A reply of {@link FetchAddresses#MANY} in mode all: {@code {"users": [...]}}, in the order asked. */
  static JsonObject usersReply(List<JsonObject> users) {
    return new JsonObject().put("users", new JsonArray(new ArrayList<>(users)));
  }

  /** A reply in mode settled: {@code {"results": [...], "succeeded": n, "failed": m}}, in the order asked. */
  static JsonObject settledReply(List<Result> results) {
    JsonArray entries = new JsonArray();
    int failed = 0;
    for (Result result : results) {
      entries.add(result.toJson());
      failed += result.error() == null ? 0 : 1;
    }
    return new JsonObject().put("results", entries).put("succeeded", results.size() - failed).put("failed", failed);
  }

  private static JsonObject withOptions(JsonObject body, Directives directives, String requestId, String caller) {
    if (!ANONYMOUS.equals(caller)) {
      body.put(CALLER, caller);
    }
    if (directives.maxAgeMs() != null) {
      body.put(MAX_AGE_MS, directives.maxAgeMs());
    }
    if (directives.noCache()) {
      body.put(NO_CACHE, true);
    }
    if (directives.onlyIfCached()) {
      body.put(ONLY_IF_CACHED, true);
    }
    return requestId == null ? body : body.put(REQUEST_ID, requestId);
  }

  /** {@code maxAgeMs}, {@code noCache} and {@code onlyIfCached} of a request, checked. */
  private static Directives readDirectives(JsonObject body) {
    Object maxAge = body.getValue(MAX_AGE_MS);
    if (maxAge != null && (!(maxAge instanceof Integer || maxAge instanceof Long) || ((Number) maxAge).longValue() < 0)) {
      throw ErrorCode.BAD_REQUEST.error(MAX_AGE_MS + " must be an integer ≥ 0, not " + User.describe(maxAge));
    }
    return new Directives(maxAge == null ? null : ((Number) maxAge).longValue(), flag(body, NO_CACHE, false),
      flag(body, ONLY_IF_CACHED, false));
  }

  private static String readRequestId(JsonObject body) {
    Object value = body.getValue(REQUEST_ID);
    if (value != null && !(value instanceof String text && !text.isEmpty() && text.length() <= MAX_REQUEST_ID)) {
      throw ErrorCode.BAD_REQUEST.error(REQUEST_ID + " must be a string of 1 to " + MAX_REQUEST_ID + " characters, not "
        + User.describe(value));
    }
    return (String) value;
  }

  /** The caller's name: absent is anonymous; a name is 1 to 200 characters, none of them a control character. */
  private static String readCaller(JsonObject body) {
    Object value = body.getValue(CALLER);
    if (value == null) {
      return ANONYMOUS;
    }
    if (!(value instanceof String name && !name.isEmpty() && name.length() <= MAX_CALLER
      && name.chars().noneMatch(Character::isISOControl))) {
      throw ErrorCode.BAD_REQUEST.error(CALLER + " must be a caller's name of 1 to " + MAX_CALLER
        + " characters, not " + User.describe(value));
    }
    return name;
  }

  /** A true/false field, {@code absent} when missing; anything else is {@code BAD_REQUEST} naming it. */
  private static boolean flag(JsonObject body, String field, boolean absent) {
    Object value = body.getValue(field, absent);
    if (!(value instanceof Boolean)) {
      throw ErrorCode.BAD_REQUEST.error(field + " must be true or false, not " + User.describe(value));
    }
    return (Boolean) value;
  }
}
