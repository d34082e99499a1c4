package io.usergate.fetch;

import io.usergate.error.ErrorCode;
import io.usergate.error.UsergateException;
import io.usergate.support.FakeDirectory;
import io.usergate.support.FakeTokenEndpoint;
import io.usergate.support.FakeTokenEndpoint.Mode;
import io.usergate.support.LogCapture;
import io.usergate.user.User;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The directory's token on every upstream call ({@link Upstream} with {@code upstream.tokenUrl}): a real token
 * endpoint and a real directory on loopback that takes only the tokens the endpoint issued and that still hold.
 */
class UpstreamTokenTest {

  private static final String SECRET = "s3cret-for-the-directory";

  private Vertx vertx;
  private FakeTokenEndpoint endpoint;
  private FakeDirectory directory;
  private ConfinedUpstream confined;

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    confined = new ConfinedUpstream(vertx);
    endpoint = new FakeTokenEndpoint("usergate", SECRET);
    directory = new FakeDirectory();
    vertx.deployVerticle(endpoint).await(10, TimeUnit.SECONDS);
    vertx.deployVerticle(directory).await(10, TimeUnit.SECONDS);
    directory.authorizeWith(endpoint::accepts);
  }

  private void connect(Consumer<JsonObject> tweak) throws Exception {
    JsonObject section = new JsonObject().put("baseUrl", directory.baseUrl()).put("retries", 0)
      .put("tokenUrl", endpoint.url()).put("clientId", "usergate").put("clientSecret", SECRET);
    tweak.accept(section);
    confined.connect(section);
  }

  @AfterEach
  void close() throws Exception {
    vertx.close().await(30, TimeUnit.SECONDS);
  }

  /** {@code count} users fetched at once, from {@code first}. */
  private List<User> fetchAtOnce(long first, int count) throws Exception {
    return confined.on(() -> {
      List<Future<User>> calls = new ArrayList<>();
      for (long id = first; id < first + count; id++) {
        calls.add(confined.fetch(id));
      }
      return Future.all(calls).map(all -> all.<User>list());
    });
  }

  @Test
  @DisplayName("100 calls at once: one token request, and every call carries the token and gets its user")
  void oneTokenForAFanOut() throws Exception {
    connect(upstream -> { });
    assertEquals(100, fetchAtOnce(1, 100).size());
    assertEquals(1, endpoint.requests());
    assertEquals(100, directory.totalCalls());
    assertEquals(0, directory.refused());
  }

  @Test
  @DisplayName("tokens that live 2 s are renewed before they expire: calls one after another over four tokens' lives "
    + "never meet a 401")
  void renewedBeforeExpiry() throws Exception {
    connect(upstream -> { });
    endpoint.expiresIn(2);
    int calls = confined.on(() -> callUntil(4, 0));
    assertTrue(calls > 20, calls + " calls");
    assertEquals(0, directory.refused(), "no call was refused");
    assertTrue(endpoint.requests() <= 5, endpoint.requests() + " token requests: each renewed once, after 1 s");
  }

  /** Calls, 50 ms apart, until the endpoint has issued {@code tokens} tokens: how many there were. */
  private Future<Integer> callUntil(int tokens, int made) {
    if (endpoint.issued() >= tokens) {
      return Future.succeededFuture(made);
    }
    return confined.fetch(made + 1).compose(user -> vertx.timer(50, TimeUnit.MILLISECONDS)).compose(v -> callUntil(tokens, made + 1));
  }

  @Test
  @DisplayName("a token the directory revoked: one 401, one new token, and the call gets its user; 50 calls refused "
    + "together cause one new token too; neither counts as a failure of the directory")
  void revokedToken() throws Exception {
    connect(upstream -> { });
    confined.on(() -> confined.fetch(1));
    endpoint.revokeAll();
    assertEquals("2", confined.on(() -> confined.fetch(2)).id());
    assertEquals(1, directory.refused());
    assertEquals(2, directory.calls(2));
    assertEquals(2, endpoint.requests());

    endpoint.revokeAll();
    assertEquals(50, fetchAtOnce(100, 50).size());
    assertEquals(51, directory.refused(), "the 50 calls carried the revoked token");
    assertEquals(3, endpoint.requests(), "and caused one new token");
    assertEquals(0, confined.upstream().breakerFailures());
  }

  @Test
  @DisplayName("a directory that refuses every token: the call is tried once with a new token, then UPSTREAM_ERROR naming "
    + "the 401; two calls, two tokens, no failure for the breaker")
  void refusedTwice() throws Exception {
    connect(upstream -> { });
    directory.authorizeWith(authorization -> false);
    UsergateException failure = confined.failure(7);
    assertEquals(ErrorCode.UPSTREAM_ERROR, failure.code());
    assertTrue(failure.getMessage().startsWith("upstream answered 401 to GET /users/7 (check the client's permissions"),
      failure.getMessage());
    assertEquals(2, directory.calls(7));
    assertEquals(2, endpoint.requests());
    assertEquals(0, confined.upstream().breakerFailures());
  }

  @Test
  @DisplayName("a token endpoint that fails, or hangs past upstream.timeoutMs: UPSTREAM_UNAVAILABLE naming it, the directory "
    + "never asked; the secret in no log line and not in the settings as printed")
  void endpointDown() throws Exception {
    try (LogCapture logs = LogCapture.everything()) {
      connect(upstream -> upstream.put("timeoutMs", 500));
      endpoint.mode(Mode.FAIL);
      UsergateException failed = confined.failure(1);
      assertEquals(ErrorCode.UPSTREAM_UNAVAILABLE, failed.code());
      assertEquals("the token endpoint " + endpoint.url() + " gave no token: Service Unavailable: down for maintenance",
        failed.getMessage());
      endpoint.mode(Mode.HANG);
      long started = System.nanoTime();
      UsergateException hung = confined.failure(1);
      long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
      assertEquals("the token endpoint " + endpoint.url() + " did not answer within 500 ms", hung.getMessage());
      assertTrue(tookMs < 2500, "answered after " + tookMs + " ms; the deadline is 500 ms");
      assertEquals(0, directory.totalCalls());
      endpoint.mode(Mode.OK);
      assertEquals("1", confined.on(() -> confined.fetch(1)).id());
      assertTrue(logs.lines().stream().noneMatch(line -> line.contains(SECRET)), String.join("\n", logs.lines()));
    }
    assertFalse(confined.settings().toString().contains(SECRET), confined.settings().toString());
    assertTrue(confined.settings().toString().contains("token from " + endpoint.url() + " for client usergate (secret masked"),
      confined.settings().toString());
  }
}
