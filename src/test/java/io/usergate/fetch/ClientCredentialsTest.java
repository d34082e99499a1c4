package io.usergate.fetch;

import io.usergate.error.ErrorCode;
import io.usergate.error.UsergateException;
import io.usergate.support.FakeTokenEndpoint;
import io.usergate.support.FakeTokenEndpoint.Mode;
import io.usergate.support.LogCapture;
import io.usergate.support.Poll;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The directory's token on its own, against a real token endpoint on loopback ({@link FakeTokenEndpoint}); the
 * expiry driven by a clock the test moves. Its use by every upstream call is UpstreamTokenTest's.
 */
class ClientCredentialsTest {

  private static final String CLIENT_ID = "usergate";
  private static final String SECRET = "s3cret-Client~Secret";

  private Vertx vertx;
  private Context context;
  private FakeTokenEndpoint endpoint;
  /** The clock of the expiry, in nanoseconds; moved by the tests. */
  private final AtomicLong clock = new AtomicLong(1_000_000_000L);

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    context = vertx.getOrCreateContext();
    endpoint = new FakeTokenEndpoint(CLIENT_ID, SECRET);
    vertx.deployVerticle(endpoint).await(10, TimeUnit.SECONDS);
  }

  @AfterEach
  void close() throws Exception {
    vertx.close().await(30, TimeUnit.SECONDS);
  }

  private ClientCredentials credentials(TokenEndpoint settings, long timeoutMs) throws Exception {
    return on(() -> Future.succeededFuture(new ClientCredentials(vertx, settings, timeoutMs, clock::get)));
  }

  private ClientCredentials credentials() throws Exception {
    return credentials(new TokenEndpoint(endpoint.url(), CLIENT_ID, SECRET, null, null, true), 2000);
  }

  /** {@code work} run on the one context ClientCredentials is confined to, as the fetch verticle's is. */
  private <T> T on(Supplier<Future<T>> work) throws Exception {
    Promise<T> done = Promise.promise();
    context.runOnContext(v -> work.get().onComplete(done));
    return done.future().await(10, TimeUnit.SECONDS);
  }

  /** How {@code work} failed. */
  private UsergateException failure(Supplier<Future<String>> work) throws Exception {
    Throwable failure = on(() -> work.get().transform(done -> Future.succeededFuture(done.cause())));
    return assertInstanceOf(UsergateException.class, failure);
  }

  private void advance(long seconds) {
    clock.addAndGet(TimeUnit.SECONDS.toNanos(seconds));
  }

  @Test
  @DisplayName("100 calls that need a token at once cause one token request, and all get the token it brings")
  void singleFlight() throws Exception {
    ClientCredentials tokens = credentials();
    List<String> got = on(() -> {
      List<Future<String>> calls = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        calls.add(tokens.token());
      }
      return Future.all(calls).map(all -> all.<String>list());
    });
    assertEquals(1, endpoint.requests());
    assertEquals(1, new HashSet<>(got).size(), "one token for all");
    assertTrue(endpoint.accepts("Bearer " + got.get(0)));
    assertEquals(got.get(0), on(tokens::token), "the next call takes the same token, with no request");
    assertEquals(1, endpoint.requests());
  }

  @Test
  @DisplayName("the margin: renewed 10 % of its life before expiry, at least 5 s before, but used 1 s at least")
  void margin() {
    assertEquals(54_000, ClientCredentials.renewAfterMs(60_000), "Keycloak's master realm");
    assertEquals(270_000, ClientCredentials.renewAfterMs(300_000), "Keycloak's default");
    assertEquals(3_240_000, ClientCredentials.renewAfterMs(3_600_000), "Graph");
    assertEquals(25_000, ClientCredentials.renewAfterMs(30_000), "5 s before, more than 10 %");
    assertEquals(1_000, ClientCredentials.renewAfterMs(3_000), "a 3 s token is used 1 s");
    assertEquals(500, ClientCredentials.renewAfterMs(500), "a token shorter than 1 s, its whole life");
  }

  @Test
  @DisplayName("a 60 s token is renewed once 54 s have passed, by one request while the calls go on with it; a token "
    + "past its expiry is never handed out")
  void renewedAheadOfExpiry() throws Exception {
    ClientCredentials tokens = credentials();
    String first = on(tokens::token);
    advance(53);
    assertEquals(first, on(tokens::token));
    assertEquals(1, endpoint.requests(), "not yet due");
    advance(2);
    // Due: both calls (in one turn of the event loop) still get the token, which holds for 5 s more, and one
    // request renews it.
    assertEquals(List.of(first, first), on(() -> Future.all(tokens.token(), tokens.token()).map(all -> all.<String>list())));
    String second = on(() -> Poll.until(vertx, () -> !first.equals(tokens.token().result())).compose(v -> tokens.token()));
    assertEquals(2, endpoint.requests(), "one renewal for the calls that saw it due");
    assertNotEquals(first, second);
    // The second was asked for at 55 s: past its own 60 s (with no renewal due before, say the endpoint was
    // down), the call waits for a new one rather than take an expired token.
    advance(61);
    String third = on(tokens::token);
    assertNotEquals(second, third);
    assertEquals(3, endpoint.requests());
  }

  @Test
  @DisplayName("50 calls refused with the same token drop it once and cause one new request; a refusal of a token "
    + "already replaced drops nothing")
  void invalidateOnce() throws Exception {
    ClientCredentials tokens = credentials();
    String first = on(tokens::token);
    List<String> renewed = on(() -> {
      List<Future<String>> calls = new ArrayList<>();
      for (int i = 0; i < 50; i++) {
        tokens.invalidate(first);
        calls.add(tokens.token());
      }
      return Future.all(calls).map(all -> all.<String>list());
    });
    assertEquals(2, endpoint.requests());
    assertEquals(1, new HashSet<>(renewed).size());
    String second = renewed.get(0);
    assertNotEquals(first, second);
    on(() -> {
      tokens.invalidate(first);
      return Future.succeededFuture();
    });
    assertEquals(second, on(tokens::token), "a late 401 of the old token keeps the new one");
    assertEquals(2, endpoint.requests());
  }

  @Test
  @DisplayName("clientAuth basic: the form-encoded id and secret in a Basic header, the scope in the form; post: client_id, "
    + "client_secret and the audience in the form, no header")
  void clientAuthentication() throws Exception {
    FakeTokenEndpoint odd = new FakeTokenEndpoint("my client:1", "a+b/c=d~e%f");
    vertx.deployVerticle(odd).await(10, TimeUnit.SECONDS);
    ClientCredentials basic = credentials(new TokenEndpoint(odd.url(), "my client:1", "a+b/c=d~e%f",
      "https://graph.microsoft.com/.default offline", null, true), 2000);
    assertTrue(odd.accepts("Bearer " + on(basic::token)), "the endpoint decoded the id and secret it was sent");
    FakeTokenEndpoint.Seen seen = odd.last();
    assertEquals("Basic " + Base64.getEncoder().encodeToString("my+client%3A1:a%2Bb%2Fc%3Dd~e%25f".getBytes(StandardCharsets.UTF_8)),
      seen.authorization());
    assertEquals(Map.of("grant_type", "client_credentials", "scope", "https://graph.microsoft.com/.default offline"), seen.form());

    endpoint.requireAudience("https://tenant.example/api/v2/");
    ClientCredentials post = credentials(new TokenEndpoint(endpoint.url(), CLIENT_ID, SECRET, null,
      "https://tenant.example/api/v2/", false), 2000);
    assertTrue(endpoint.accepts("Bearer " + on(post::token)));
    seen = endpoint.last();
    assertNull(seen.authorization());
    assertEquals(Map.of("grant_type", "client_credentials", "client_id", CLIENT_ID, "client_secret", SECRET,
      "audience", "https://tenant.example/api/v2/"), seen.form());
    ClientCredentials noAudience = credentials(new TokenEndpoint(endpoint.url(), CLIENT_ID, SECRET, null, null, false), 2000);
    String message = failure(noAudience::token).getMessage();
    assertTrue(message.contains("access_denied: No audience parameter was provided"), message);
  }

  @Test
  @DisplayName("a token endpoint that fails, hangs past the deadline, answers HTML or no token, refuses the client, echoes "
    + "the secret or cannot be reached: UPSTREAM_UNAVAILABLE naming it, within the deadline, and the secret in no message "
    + "and no log line")
  void endpointFailures() throws Exception {
    HttpServer closed = vertx.createHttpServer().requestHandler(request -> { }).listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
    String unreachable = "http://127.0.0.1:" + closed.actualPort() + "/token";
    closed.close().await(10, TimeUnit.SECONDS);
    String url = endpoint.url();
    try (LogCapture logs = LogCapture.everything()) {
      ClientCredentials tokens = credentials(new TokenEndpoint(url, CLIENT_ID, SECRET, null, null, false), 300);
      Map<Mode, String> expected = Map.of(
        Mode.FAIL, "the token endpoint " + url + " gave no token: Service Unavailable: down for maintenance",
        Mode.GARBAGE, "the token endpoint " + url + " gave no token: Cannot handle content type: text/html",
        Mode.NO_TOKEN, "the token endpoint " + url + " answered no usable access_token",
        Mode.ECHO_SECRET, "the token endpoint " + url + " gave no token: Bad Request: client usergate sent the wrong secret ********",
        Mode.HANG, "the token endpoint " + url + " did not answer within 300 ms");
      for (Map.Entry<Mode, String> mode : expected.entrySet()) {
        endpoint.mode(mode.getKey());
        long started = System.nanoTime();
        UsergateException failure = failure(tokens::token);
        long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        assertEquals(ErrorCode.UPSTREAM_UNAVAILABLE, failure.code(), mode.getKey().toString());
        assertEquals(mode.getValue(), failure.getMessage());
        assertTrue(tookMs < 2000, mode.getKey() + " answered after " + tookMs + " ms, the deadline is 300 ms");
      }
      endpoint.mode(Mode.OK);
      ClientCredentials wrongSecret = credentials(new TokenEndpoint(url, CLIENT_ID, "not-" + SECRET, null, null, true), 300);
      assertEquals("the token endpoint " + url + " gave no token: invalid_client: Invalid client credentials",
        failure(wrongSecret::token).getMessage());
      ClientCredentials nobody = credentials(new TokenEndpoint(unreachable, CLIENT_ID, SECRET, null, null, true), 300);
      String refused = failure(nobody::token).getMessage();
      assertTrue(refused.startsWith("cannot reach the token endpoint " + unreachable + ": "), refused);
      // It recovers: the next call gets a token, and the log says so once.
      assertTrue(endpoint.accepts("Bearer " + on(tokens::token)));
      String basic = Base64.getEncoder().encodeToString((CLIENT_ID + ":" + SECRET).getBytes(StandardCharsets.UTF_8));
      List<String> lines = logs.lines();
      assertFalse(lines.isEmpty());
      assertTrue(lines.stream().noneMatch(line -> line.contains(SECRET) || line.contains(basic)), String.join("\n", lines));
      assertEquals(1, lines.stream().filter(line -> line.contains("gives tokens again")).count(), String.join("\n", lines));
      assertEquals(3, lines.stream().filter(line -> line.contains("no token for the directory")).count(),
        "one warning for each run of failures (five in a row of the first endpoint, one of each other): "
          + String.join("\n", lines));
    }
  }
}
