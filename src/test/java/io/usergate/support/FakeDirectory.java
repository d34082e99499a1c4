package io.usergate.support;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real HTTP upstream on loopback whose answer per id a test scripts, and which counts what it sees:
 * calls per id, requests in flight (and the most at once), requests the client abandoned.
 */
public class FakeDirectory extends VerticleBase {

  public enum Behaviour { OK, NOT_FOUND, FAIL, INVALID_JSON, WRONG_ID, NO_NAME, HANG }

  private record Script(Behaviour behaviour, long delayMs, int failuresFirst) {
  }

  private final Map<Long, Script> scripts = new ConcurrentHashMap<>();
  private final Map<Long, AtomicInteger> calls = new ConcurrentHashMap<>();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicInteger maxInFlight = new AtomicInteger();
  private final AtomicInteger abandoned = new AtomicInteger();
  private final AtomicInteger total = new AtomicInteger();
  private volatile long defaultDelayMs;
  private HttpServer server;

  @Override
  public Future<?> start() {
    return vertx.createHttpServer().requestHandler(this::handle).listen(0, "127.0.0.1")
      .onSuccess(listening -> server = listening);
  }

  public String baseUrl() {
    return "http://127.0.0.1:" + server.actualPort();
  }

  /** Every id not scripted answers a valid user after this delay. */
  public FakeDirectory defaultDelay(long ms) {
    defaultDelayMs = ms;
    return this;
  }

  public FakeDirectory script(long id, Behaviour behaviour, long delayMs) {
    scripts.put(id, new Script(behaviour, delayMs, 0));
    return this;
  }

  /** Answers 500 {@code failures} times, then a valid user. */
  public FakeDirectory failFirst(long id, int failures) {
    scripts.put(id, new Script(Behaviour.OK, 0, failures));
    return this;
  }

  public FakeDirectory clear() {
    scripts.clear();
    calls.clear();
    maxInFlight.set(0);
    abandoned.set(0);
    total.set(0);
    defaultDelayMs = 0;
    return this;
  }

  public int calls(long id) {
    AtomicInteger count = calls.get(id);
    return count == null ? 0 : count.get();
  }

  public int totalCalls() {
    return total.get();
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

  /** The user this directory serves for an id. */
  public static JsonObject user(long id) {
    return new JsonObject().put("id", id).put("name", "Fake " + id).put("username", "fake" + id)
      .put("email", "fake" + id + "@example.test");
  }

  private void handle(HttpServerRequest request) {
    long id;
    try {
      id = Long.parseLong(request.path().substring(request.path().lastIndexOf('/') + 1));
    } catch (NumberFormatException e) {
      request.response().setStatusCode(400).end();
      return;
    }
    total.incrementAndGet();
    int call = calls.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
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
    if (script.delayMs() > 0) {
      vertx.setTimer(script.delayMs(), t -> answer.run());
    } else {
      answer.run();
    }
  }

  private static void answer(HttpServerRequest request, long id, Behaviour behaviour) {
    if (request.response().closed()) {
      return;
    }
    var response = request.response().putHeader("content-type", "application/json");
    switch (behaviour) {
      case OK -> response.end(user(id).encode());
      case NOT_FOUND -> response.setStatusCode(404).end("{}");
      case FAIL -> response.setStatusCode(500).end("{\"error\":\"scripted failure\"}");
      case INVALID_JSON -> response.end("{\"id\": " + id + ", \"name\": ");
      case WRONG_ID -> response.end(user(id + 1).encode());
      case NO_NAME -> response.end(new JsonObject().put("id", id).put("name", "").encode());
      default -> throw new IllegalStateException();
    }
  }
}
