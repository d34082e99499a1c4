package io.usergate.support;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import java.util.stream.LongStream;

/**
 * A real HTTP upstream on loopback whose answer per id a test scripts, and which counts what it sees:
 * calls per id, requests in flight (and the most at once), requests the client abandoned.
 */
public class FakeDirectory extends LoopbackServer<FakeDirectory> {

  /**
   * {@code HUGE}: a valid user padded to {@link #HUGE_BYTES}, with a {@code Content-Length};
   * {@code HUGE_CHUNKED}: the same, chunked (no length). Both pause after their first 2 MB (see {@link HugeAnswer}).
   */
  public enum Behaviour { OK, NOT_FOUND, FAIL, INVALID_JSON, WRONG_ID, NO_NAME, HANG, HUGE, HUGE_CHUNKED,
    /** 429 with {@code Retry-After: 1}. */
    RATE_LIMITED,
    /** In a bulk answer: the user twice, the second time with another name. */
    TWICE,
    /** The user, with another name than {@link #user}'s: it changed in the directory. */
    RENAMED }

  public static final int HUGE_BYTES = 10 * 1024 * 1024;
  public static final int HUGE_FIRST_PART = 2 * 1024 * 1024;
  public static final long HUGE_PAUSE_MS = 2000;
  private static final Buffer PADDING = Buffer.buffer("x".repeat(64 * 1024));

  private record Script(Behaviour behaviour, long delayMs, int failuresFirst) {
  }

  private final Map<Long, Script> scripts = new ConcurrentHashMap<>();
  private final Map<Long, AtomicInteger> calls = new ConcurrentHashMap<>();
  private final Map<Long, Future<?>> holds = new ConcurrentHashMap<>();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicInteger maxInFlight = new AtomicInteger();
  private final AtomicInteger abandoned = new AtomicInteger();
  private final AtomicInteger total = new AtomicInteger();
  private final AtomicLong hugeQueued = new AtomicLong();
  private volatile long defaultDelayMs;
  /** Whether a call's Authorization header lets it in (one user's path); null: every call does. */
  private volatile Predicate<String> authorizer;
  private final AtomicInteger refused = new AtomicInteger();
  /** When each request arrived (System.nanoTime), in order. */
  private final ConcurrentLinkedQueue<Long> arrivals = new ConcurrentLinkedQueue<>();
  /** The id of each GET of one user, in arrival order. */
  private final ConcurrentLinkedQueue<Long> callOrder = new ConcurrentLinkedQueue<>();

  /** Every id not scripted answers a valid user after this delay. */
  public FakeDirectory defaultDelay(long ms) {
    defaultDelayMs = ms;
    return this;
  }

  public FakeDirectory script(long id, Behaviour behaviour, long delayMs) {
    scripts.put(id, new Script(behaviour, delayMs, 0));
    return this;
  }

  /**
   * Every call for {@code id} is answered as scripted (its delay aside) once {@code release} completes: a test sees what
   * happens while the call is still in flight without betting on a delay.
   */
  public FakeDirectory holdUntil(long id, Future<?> release) {
    holds.put(id, release);
    return this;
  }

  /**
   * A call for one user whose Authorization header (null when it has none) {@code authorizer} does not accept is
   * answered 401 (still counted in {@link #calls}), as a directory that takes a bearer token does.
   */
  public FakeDirectory authorizeWith(Predicate<String> authorizer) {
    this.authorizer = authorizer;
    return this;
  }

  /** Calls answered 401 by {@link #authorizeWith}'s check. */
  public int refused() {
    return refused.get();
  }

  /** Answers 500 {@code failures} times, then a valid user. */
  public FakeDirectory failFirst(long id, int failures) {
    scripts.put(id, new Script(Behaviour.OK, 0, failures));
    return this;
  }

  public FakeDirectory clear() {
    scripts.clear();
    holds.clear();
    calls.clear();
    bulkCalls.set(0);
    arrivals.clear();
    callOrder.clear();
    maxInFlight.set(0);
    abandoned.set(0);
    total.set(0);
    refused.set(0);
    hugeQueued.set(0);
    defaultDelayMs = 0;
    return this;
  }

  public int calls(long id) {
    AtomicInteger count = calls.get(id);
    return count == null ? 0 : count.get();
  }

  /** The ids of the GETs of one user, in the order they arrived. */
  public List<Long> callOrder() {
    return new ArrayList<>(callOrder);
  }

  /** When each request arrived (System.nanoTime), in arrival order. */
  public List<Long> arrivals() {
    return new ArrayList<>(arrivals);
  }

  public int totalCalls() {
    return total.get();
  }

  /**
   * The most requests that arrived within any one second (a sliding, closed window: the arrivals from one
   * arrival to one second after it, both ends counted), as a directory that enforces a rate counts them.
   */
  public int mostArrivalsInAnySecond() {
    return busiestSecond().size();
  }

  /**
   * The arrivals of the busiest second ({@link #mostArrivalsInAnySecond}), in ms after its first: what a
   * failed rate assertion shows.
   */
  public List<Double> busiestSecond() {
    List<Long> busiest = Arrivals.busiest(arrivals(), 1_000_000_000L);
    return busiest.stream().map(at -> (at - busiest.get(0)) / 1e6).toList();
  }

  public int inFlight() {
    return inFlight.get();
  }

  public int maxInFlight() {
    return maxInFlight.get();
  }

  /** Requests whose client closed or reset before an answer was sent. */
  public int abandoned() {
    return abandoned.get();
  }

  /** Bytes of huge answers handed to their connections (written, or queued to be), since the last {@link #clear()}. */
  public long hugeBytesQueued() {
    return hugeQueued.get();
  }

  /** The user {@link Behaviour#RENAMED} serves for an id. */
  public static JsonObject renamed(long id) {
    return user(id).put("name", "Renamed " + id);
  }

  /** The user this directory serves for an id. */
  public static JsonObject user(long id) {
    return new JsonObject().put("id", id).put("name", "Fake " + id).put("username", "fake" + id)
      .put("email", "fake" + id + "@example.test");
  }

  /**
   * Writes a {@link #HUGE_BYTES} user with backpressure (the next chunk only when the connection takes
   * it), in two parts: the first {@link #HUGE_FIRST_PART} bytes at once, the rest after
   * {@link #HUGE_PAUSE_MS}. A client that stops reading early has closed the connection before the pause
   * ends, so {@link #hugeBytesQueued()} then says exactly that the rest was never sent, whatever the
   * kernel's socket buffers absorbed of the first part.
   */
  private final class HugeAnswer {
    private final HttpServerResponse response;
    private final Buffer head;
    private final Buffer tail = Buffer.buffer("\"}");
    private long left;
    private Runnable afterPart;

    HugeAnswer(HttpServerResponse response, long id, boolean withLength) {
      this.response = response;
      this.head = Buffer.buffer("{\"id\":" + id + ",\"name\":\"Fake " + id + "\",\"padding\":\"");
      if (withLength) {
        response.putHeader("content-length", Integer.toString(HUGE_BYTES));
      } else {
        response.setChunked(true);
      }
    }

    void start() {
      write(head);
      send(HUGE_FIRST_PART - head.length(), () -> vertx.timer(HUGE_PAUSE_MS, TimeUnit.MILLISECONDS).onSuccess(t ->
        send(HUGE_BYTES - HUGE_FIRST_PART - tail.length(), () -> {
          hugeQueued.addAndGet(tail.length());
          response.end(tail);
        })));
    }

    private void send(long bytes, Runnable then) {
      left = bytes;
      afterPart = then;
      pump();
    }

    private void pump() {
      while (left > 0 && !response.writeQueueFull() && !response.closed()) {
        Buffer chunk = left >= PADDING.length() ? PADDING : PADDING.slice(0, (int) left);
        left -= chunk.length();
        write(chunk);
      }
      if (response.closed()) {
        return;
      }
      if (left > 0) {
        response.drainHandler(v -> pump());
      } else {
        response.drainHandler(null);
        afterPart.run();
      }
    }

    private void write(Buffer chunk) {
      hugeQueued.addAndGet(chunk.length());
      response.write(chunk);
    }
  }

  private final AtomicInteger bulkCalls = new AtomicInteger();
  private final AtomicInteger bulkFailures = new AtomicInteger();
  private volatile String bulkBody;
  private final Set<Long> bulkExtras = ConcurrentHashMap.newKeySet();

  /** The next {@code failures} bulk calls answer 500. */
  public FakeDirectory failBulk(int failures) {
    bulkFailures.set(failures);
    return this;
  }

  /** Every bulk call answers exactly {@code body} (null: the users asked for). */
  public FakeDirectory bulkBody(String body) {
    this.bulkBody = body;
    return this;
  }

  /** Every bulk answer also holds user {@code id}, whoever asked. */
  public FakeDirectory bulkExtra(long id) {
    bulkExtras.add(id);
    return this;
  }

  /** Calls of the bulk endpoint ({@code GET /users?id=1&id=2}). */
  public int bulkCalls() {
    return bulkCalls.get();
  }

  /** {@code GET /users?id=1&id=2}: the users asked for, except those scripted NOT_FOUND; NO_NAME ones invalid. */
  private void bulk(HttpServerRequest request) {
    bulkCalls.incrementAndGet();
    total.incrementAndGet();
    arrivals.add(System.nanoTime());
    if (bulkFailures.getAndUpdate(left -> Math.max(0, left - 1)) > 0) {
      request.response().setStatusCode(500).end("{\"error\":\"scripted failure\"}");
      return;
    }
    if (bulkBody != null) {
      request.response().putHeader("content-type", "application/json").end(bulkBody);
      return;
    }
    JsonArray users = new JsonArray();
    bulkExtras.forEach(extra -> users.add(user(extra)));
    for (String value : request.params().getAll("id")) {
      long id = Long.parseLong(value);
      calls.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
      Behaviour behaviour = scripts.getOrDefault(id, new Script(Behaviour.OK, 0, 0)).behaviour();
      if (behaviour == Behaviour.NOT_FOUND) {
        continue;
      }
      users.add(behaviour == Behaviour.NO_NAME ? new JsonObject().put("id", id).put("name", "") : user(id));
      if (behaviour == Behaviour.TWICE) {
        users.add(user(id).put("name", "Someone Else"));
      }
    }
    Runnable answer = () -> request.response().putHeader("content-type", "application/json").end(users.encode());
    if (defaultDelayMs > 0) {
      vertx.setTimer(defaultDelayMs, t -> answer.run());
    } else {
      answer.run();
    }
  }

  /** The ids the paged list holds, in its order. */
  private final CopyOnWriteArrayList<Long> listed = new CopyOnWriteArrayList<>();
  private final Map<Long, AtomicInteger> listFailures = new ConcurrentHashMap<>();
  private final ConcurrentLinkedQueue<Long> listOffsets = new ConcurrentLinkedQueue<>();
  private volatile long listDelayMs;
  private volatile boolean listIgnoresSkip;
  private volatile int listExtra;
  private volatile JsonObject listEntry;

  /** The paged list ({@code GET /users?limit=&skip=}, {@code X-Total-Count}) holds ids from..to, in order. */
  public FakeDirectory listed(long from, long to) {
    listed.clear();
    LongStream.rangeClosed(from, to).forEach(listed::add);
    return this;
  }

  /** The directory deletes {@code id}: gone from the list (its single GET still answers). */
  public FakeDirectory unlist(long id) {
    listed.remove(id);
    return this;
  }

  /** The page at {@code skip} answers 500 {@code times} times. */
  public FakeDirectory failListAt(long skip, int times) {
    listFailures.put(skip, new AtomicInteger(times));
    return this;
  }

  public FakeDirectory listDelay(long ms) {
    this.listDelayMs = ms;
    return this;
  }

  /** Misbehaviours: every page is the first one; or each page holds {@code extra} users more than asked. */
  public FakeDirectory listIgnoresSkip(boolean ignores) {
    this.listIgnoresSkip = ignores;
    return this;
  }

  public FakeDirectory listOversize(int extra) {
    this.listExtra = extra;
    return this;
  }

  private volatile String listBody;

  /** Every page answers exactly {@code body} (null: the page). */
  public FakeDirectory listBody(String body) {
    this.listBody = body;
    return this;
  }

  /** The list also holds this entry, first on the first page. */
  public FakeDirectory listEntry(JsonObject entry) {
    this.listEntry = entry;
    return this;
  }

  /** The skip of every page asked for, in order. */
  public List<Long> listOffsets() {
    return new ArrayList<>(listOffsets);
  }

  private void list(HttpServerRequest request) {
    int limit = Integer.parseInt(request.getParam("limit"));
    long skip = listIgnoresSkip ? 0 : Long.parseLong(request.getParam("skip", "0"));
    listOffsets.add(skip);
    AtomicInteger failures = listFailures.get(skip);
    if (failures != null && failures.getAndDecrement() > 0) {
      request.response().setStatusCode(500).end("{\"error\":\"scripted failure\"}");
      return;
    }
    if (listBody != null) {
      request.response().putHeader("content-type", "application/json").end(listBody);
      return;
    }
    List<Long> ids = new ArrayList<>(listed);
    JsonArray page = new JsonArray();
    if (listEntry != null && skip == 0) {
      page.add(listEntry);
    }
    for (long i = skip; i < Math.min(ids.size(), skip + limit + listExtra) && page.size() < limit + listExtra; i++) {
      page.add(user(ids.get((int) i)));
    }
    int total = ids.size() + (listEntry != null ? 1 : 0);
    Runnable answer = () -> request.response().putHeader("content-type", "application/json")
      .putHeader("X-Total-Count", Integer.toString(total)).end(page.encode());
    if (listDelayMs > 0) {
      vertx.setTimer(listDelayMs, t -> answer.run());
    } else {
      answer.run();
    }
  }

  private final ConcurrentLinkedQueue<String> requestIds = new ConcurrentLinkedQueue<>();
  /** X-RateLimit-Remaining of a 304 (a 200 says 4321): whoever reads it shows it was read. */
  public static final String NOT_MODIFIED_REMAINING = "1234";
  /** One window for every answer, so that a client keeps the lowest remaining it was told. */
  private final long rateLimitReset = System.currentTimeMillis() / 1000 + 600;
  /** "strong", "weak" or null (no ETag): what the single-user answers carry. */
  private volatile String etags;
  /** The If-None-Match of each GET of one user, "" when it had none, in arrival order. */
  private final ConcurrentLinkedQueue<String> ifNoneMatch = new ConcurrentLinkedQueue<>();
  private final AtomicInteger notModified = new AtomicInteger();
  private final AtomicInteger bodiesSent = new AtomicInteger();

  /**
   * Single-user answers carry an ETag of their body ({@code weak}: {@code W/"..."}), and a GET whose
   * If-None-Match names the current one is answered 304 with no body. Both carry rate-limit headers
   * ({@code X-RateLimit-Limit: 5000}; {@code -Remaining: 4321} on a 200, {@link #NOT_MODIFIED_REMAINING} on a 304).
   */
  public FakeDirectory withEtags(boolean weak) {
    etags = weak ? "weak" : "strong";
    return this;
  }

  /** The ETag this directory gives {@code body}. */
  public String etagOf(JsonObject body) {
    String tag = "\"" + Integer.toHexString(body.encode().hashCode()) + "\"";
    return "weak".equals(etags) ? "W/" + tag : tag;
  }

  /** The If-None-Match of each GET of one user ("" when none), in arrival order. */
  public List<String> ifNoneMatch() {
    return new ArrayList<>(ifNoneMatch);
  }

  /** The 304s answered. */
  public int notModified() {
    return notModified.get();
  }

  /** The single-user answers sent with a user in their body. */
  public int bodiesSent() {
    return bodiesSent.get();
  }

  /** The X-Request-Id of every request that carried one, in order. */
  public List<String> requestIds() {
    return new ArrayList<>(requestIds);
  }

  @Override
  protected void handle(HttpServerRequest request) {
    String requestId = request.getHeader("X-Request-Id");
    if (requestId != null) {
      requestIds.add(requestId);
    }
    if (request.path().equals("/users") && request.getParam("limit") != null) {
      list(request);
      return;
    }
    if (request.path().equals("/users")) {
      bulk(request);
      return;
    }
    long id;
    try {
      id = Long.parseLong(request.path().substring(request.path().lastIndexOf('/') + 1));
    } catch (NumberFormatException e) {
      request.response().setStatusCode(400).end();
      return;
    }
    total.incrementAndGet();
    ifNoneMatch.add(request.getHeader("If-None-Match") == null ? "" : request.getHeader("If-None-Match"));
    arrivals.add(System.nanoTime());
    callOrder.add(id);
    int call = calls.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
    Predicate<String> authorizer = this.authorizer;
    if (authorizer != null && !authorizer.test(request.getHeader("Authorization"))) {
      refused.incrementAndGet();
      request.response().setStatusCode(401).putHeader("WWW-Authenticate", "Bearer error=\"invalid_token\"")
        .putHeader("Content-Type", "application/json").end("{\"error\":\"invalid_token\"}");
      return;
    }
    int now = inFlight.incrementAndGet();
    maxInFlight.accumulateAndGet(now, Math::max);
    request.response().closeHandler(v -> {
      if (!request.response().ended()) {
        abandoned.incrementAndGet();
      }
    });
    request.response().endHandler(v -> inFlight.decrementAndGet());
    request.connection().closeHandler(v -> {
      if (!request.response().ended()) {
        inFlight.decrementAndGet();
      }
    });
    Script script = scripts.getOrDefault(id, new Script(Behaviour.OK, defaultDelayMs, 0));
    Runnable answer = () -> answer(request, id, call <= script.failuresFirst() ? Behaviour.FAIL : script.behaviour());
    if (script.behaviour() == Behaviour.HANG) {
      return;
    }
    Future<?> hold = holds.get(id);
    if (hold != null) {
      Context context = vertx.getOrCreateContext();
      hold.onComplete(released -> context.runOnContext(v -> answer.run()));
    } else if (script.delayMs() > 0) {
      vertx.setTimer(script.delayMs(), t -> answer.run());
    } else {
      answer.run();
    }
  }

  private void answer(HttpServerRequest request, long id, Behaviour behaviour) {
    if (request.response().closed()) {
      return;
    }
    var response = request.response().putHeader("content-type", "application/json");
    JsonObject served = behaviour == Behaviour.OK ? user(id) : behaviour == Behaviour.RENAMED ? renamed(id) : null;
    if (served != null && etags != null) {
      String etag = etagOf(served);
      boolean matches = etag.equals(request.getHeader("If-None-Match"));
      response.putHeader("ETag", etag).putHeader("X-RateLimit-Limit", "5000")
        .putHeader("X-RateLimit-Remaining", matches ? NOT_MODIFIED_REMAINING : "4321")
        .putHeader("X-RateLimit-Reset", Long.toString(rateLimitReset));
      // The If-None-Match compared exactly as sent: a client that rewrote the tag (W/ dropped, say) gets a 200.
      if (matches) {
        notModified.incrementAndGet();
        response.headers().remove("content-type");
        response.setStatusCode(304).end();
        return;
      }
    }
    if (served != null) {
      bodiesSent.incrementAndGet();
    }
    switch (behaviour) {
      case OK -> response.end(user(id).encode());
      case NOT_FOUND -> response.setStatusCode(404).end("{}");
      case FAIL -> response.setStatusCode(500).end("{\"error\":\"scripted failure\"}");
      case INVALID_JSON -> response.end("{\"id\": " + id + ", \"name\": ");
      case WRONG_ID -> response.end(user(id + 1).encode());
      case RENAMED -> response.end(renamed(id).encode());
      case NO_NAME -> response.end(new JsonObject().put("id", id).put("name", "").encode());
      case HUGE, HUGE_CHUNKED -> new HugeAnswer(response, id, behaviour == Behaviour.HUGE).start();
      case RATE_LIMITED -> response.setStatusCode(429).putHeader("Retry-After", "1").end("{}");
      default -> throw new IllegalStateException();
    }
  }
}
