package io.usergate.fetch;

import io.netty.channel.ConnectTimeoutException;
import io.usergate.error.ErrorCode;
import io.usergate.error.UsergateException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.oauth2.OAuth2Auth;
import io.vertx.ext.auth.oauth2.OAuth2FlowType;
import io.vertx.ext.auth.oauth2.OAuth2Options;
import io.vertx.ext.auth.oauth2.Oauth2Credentials;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;
import java.util.regex.Pattern;

/**
 * The directory's access token, by the OAuth2 client credentials grant ({@link TokenEndpoint}), asked for with
 * vertx-auth-oauth2. One token request at a time however many calls wait for it; a token renewed once
 * {@link #renewAfterMs its margin} before its expiry begins (calls go on with it while the new one comes); a
 * token the directory refused ({@link #invalidate}) dropped, once. The token endpoint failing, not answering
 * within its deadline or answering no usable token is {@code UPSTREAM_UNAVAILABLE} naming it, and never names
 * the secret. Confined to the fetch verticle's context, as {@link Upstream} is.
 */
final class ClientCredentials {

  private static final Logger LOG = LoggerFactory.getLogger(ClientCredentials.class);

  /** The least time a token is renewed before it expires: a directory's clock and the network's delays. */
  static final long MIN_MARGIN_MS = 5_000;
  /** The least time a token is used, however short its life: a 2 s token is not asked for again and again. */
  static final long MIN_USE_MS = 1_000;
  /** A token with no {@code expires_in}: kept until the directory refuses it. */
  private static final long FOREVER_NANOS = Long.MAX_VALUE / 4;
  private static final long MAX_LIFETIME_SECONDS = 10L * 365 * 86_400;
  private static final int MAX_REASON_CHARS = 200;
  /** A token goes into a header: visible ASCII only (RFC 6750's b64token is narrower still). */
  private static final Pattern TOKEN_CHARS = Pattern.compile("[\\x21-\\x7E]+");

  /**
   * The directory answered 401 to a call that carried {@code token}: the caller drops it and tries once more.
   * An answer, so the breaker does not count it as a failure of the directory.
   */
  static final class Refused extends RuntimeException {
    final String token;

    Refused(String token) {
      super("the directory refused the token", null, false, false);
      this.token = token;
    }
  }

  /** A token and when to renew it and when it no longer holds ({@code System.nanoTime()} scale). */
  private record Held(String value, long renewAtNanos, long expiresAtNanos) {
  }

  private final TokenEndpoint endpoint;
  private final OAuth2Auth oauth2;
  private final Oauth2Credentials grant;
  private final long timeoutMs;
  private final LongSupplier nanoClock;
  private Held current;
  private Future<Held> inFlight;
  /** Whether the last token request failed: its failure was logged once, its recovery will be. */
  private boolean failing;
  private long requests;
  /** Tokens the directory refused (a 401), each dropped once. */
  private long refused;

  /**
   * @param timeoutMs the deadline of one token request (connection included); a request still open then is
   *                  closed by its client's idle timeout, the same
   * @param nanoClock {@code System::nanoTime}, or a test's clock, for the expiry
   */
  ClientCredentials(Vertx vertx, TokenEndpoint endpoint, long timeoutMs, LongSupplier nanoClock) {
    this(vertx, endpoint, new UpstreamTls(null, null, null), timeoutMs, nanoClock);
  }

  /** @param tls the trust and the client certificate of the directory's TLS, used for its token endpoint too */
  ClientCredentials(Vertx vertx, TokenEndpoint endpoint, UpstreamTls tls, long timeoutMs, LongSupplier nanoClock) {
    this.endpoint = endpoint;
    this.timeoutMs = timeoutMs;
    this.nanoClock = nanoClock;
    OAuth2Options options = new OAuth2Options()
      .setSupportedGrantTypes(List.of(OAuth2FlowType.CLIENT.getGrantType()))
      // An absolute URL: the library takes it as it is, with no site before it.
      .setTokenPath(endpoint.url())
      .setUseBasicAuthorization(endpoint.basicAuth())
      // RFC 6749 2.3.1: in a Basic header both are form-encoded first, which the library does not do.
      .setClientId(endpoint.basicAuth() ? formEncoded(endpoint.clientId()) : endpoint.clientId())
      .setClientSecret(endpoint.basicAuth() ? formEncoded(endpoint.clientSecret()) : endpoint.clientSecret())
      .setHttpClientOptions(tls.applyTo(new HttpClientOptions())
        .setConnectTimeout((int) timeoutMs)
        // Closes a hung connection, a second after the request's own deadline has answered its callers (the
        // deadline first, so that the message says what happened: no answer in time, not a closed connection).
        .setIdleTimeout((int) timeoutMs + 1000)
        .setIdleTimeoutUnit(TimeUnit.MILLISECONDS));
    if (endpoint.audience() != null) {
      // The library adds these to the token request's form (Auth0's audience).
      options.setExtraParameters(new JsonObject().put("audience", endpoint.audience()));
    }
    this.oauth2 = OAuth2Auth.create(vertx, options);
    this.grant = new Oauth2Credentials().setFlow(OAuth2FlowType.CLIENT);
    if (endpoint.scope() != null) {
      grant.setScopes(List.of(endpoint.scope().trim().split("\\s+")));
    }
  }

  /**
   * When a token that holds for {@code lifetimeMs} is renewed, counted from when it was asked for: 10 % of
   * its life before it expires, at least {@link #MIN_MARGIN_MS} before, but never before it was used for
   * {@link #MIN_USE_MS} (or its whole life, when shorter). Keycloak's 60 s token: after 54 s; 300 s: 270 s;
   * Graph's hour: 54 min; a 3 s token: after 1 s.
   */
  static long renewAfterMs(long lifetimeMs) {
    long margin = Math.max(lifetimeMs / 10, MIN_MARGIN_MS);
    return Math.max(lifetimeMs - margin, Math.min(lifetimeMs, MIN_USE_MS));
  }

  /**
   * A token for a call: the current one while it holds (a renewal starts once it is due), else the one
   * being asked for, else a new request; its failure {@code UPSTREAM_UNAVAILABLE}.
   */
  Future<String> token() {
    Held held = current;
    long now = nanoClock.getAsLong();
    if (held != null && now - held.expiresAtNanos < 0) {
      if (now - held.renewAtNanos >= 0) {
        // The token still holds for its margin: the calls go on with it while the new one comes.
        renew();
      }
      return Future.succeededFuture(held.value);
    }
    return renew().map(Held::value);
  }

  /**
   * The directory refused {@code token}: the next call asks for a new one. Only if it is still the current
   * token, so that the calls that carried it, refused together, cause one new request, not one each.
   */
  void invalidate(String token) {
    if (current != null && current.value.equals(token)) {
      current = null;
      refused++;
    }
  }

  /** Token requests sent so far. */
  long requests() {
    return requests;
  }

  /** {@code {"url", "requests", "refused", "expiresInMs"}}: token requests sent, tokens the directory refused. */
  JsonObject status() {
    Held held = current;
    return new JsonObject().put("url", endpoint.url()).put("requests", requests).put("refused", refused)
      .put("expiresInMs", held == null ? null : Math.max(0, (held.expiresAtNanos - nanoClock.getAsLong()) / 1_000_000));
  }

  private Future<Held> renew() {
    if (inFlight == null) {
      long asked = nanoClock.getAsLong();
      requests++;
      inFlight = oauth2.authenticate(grant)
        .timeout(timeoutMs, TimeUnit.MILLISECONDS)
        .compose(user -> held(user.principal(), asked))
        .recover(failure -> Future.failedFuture(unavailable(failure)))
        .andThen(done -> {
          inFlight = null;
          if (done.succeeded()) {
            current = done.result();
            if (failing) {
              LOG.info("fetch: the token endpoint {} gives tokens again", endpoint.url());
            }
            failing = false;
          } else if (!failing) {
            // Once per run of failures: the callers each get the error, the log only its start.
            failing = true;
            LOG.warn("fetch: no token for the directory: {}", done.cause().getMessage());
          }
        });
    }
    return inFlight;
  }

  /** The token in the endpoint's answer, or why there is none. */
  private Future<Held> held(JsonObject answer, long askedNanos) {
    if (!(answer.getValue("access_token") instanceof String token) || !TOKEN_CHARS.matcher(token).matches()) {
      return Future.failedFuture(noToken("no usable access_token"));
    }
    Object type = answer.getValue("token_type");
    if (type != null && !"bearer".equalsIgnoreCase(String.valueOf(type))) {
      return Future.failedFuture(noToken("a token of type " + reason(String.valueOf(type)) + ", not Bearer"));
    }
    Object expiresIn = answer.getValue("expires_in");
    if (expiresIn == null) {
      return Future.succeededFuture(new Held(token, askedNanos + FOREVER_NANOS, askedNanos + FOREVER_NANOS));
    }
    long seconds;
    if (expiresIn instanceof Number number) {
      seconds = number.longValue();
    } else if (expiresIn instanceof String text && text.matches("\\d{1,12}")) {
      seconds = Long.parseLong(text);
    } else {
      seconds = 0;
    }
    if (seconds <= 0) {
      return Future.failedFuture(noToken("expires_in " + reason(String.valueOf(expiresIn)) + ", not a positive number of seconds"));
    }
    long lifetimeMs = Math.min(seconds, MAX_LIFETIME_SECONDS) * 1000;
    LOG.debug("fetch: a token from {}, valid {} s, renewed after {} ms", endpoint.url(), seconds, renewAfterMs(lifetimeMs));
    return Future.succeededFuture(new Held(token, askedNanos + TimeUnit.MILLISECONDS.toNanos(renewAfterMs(lifetimeMs)),
      askedNanos + TimeUnit.MILLISECONDS.toNanos(lifetimeMs)));
  }

  private UsergateException noToken(String what) {
    return ErrorCode.UPSTREAM_UNAVAILABLE.error("the token endpoint " + endpoint.url() + " answered " + what);
  }

  /** Any failure of a token request, in the contract: the endpoint named, the secret never. */
  private UsergateException unavailable(Throwable failure) {
    if (failure instanceof UsergateException known) {
      return known;
    }
    if (failure instanceof TimeoutException) {
      return ErrorCode.UPSTREAM_UNAVAILABLE.error("the token endpoint " + endpoint.url() + " did not answer within "
        + timeoutMs + " ms");
    }
    String tls = UpstreamTls.handshakeFailure(failure);
    if (tls != null) {
      return ErrorCode.UPSTREAM_UNAVAILABLE.error("cannot reach the token endpoint " + endpoint.url() + ": " + tls);
    }
    if (failure instanceof IOException || failure instanceof HttpClosedException
      || failure instanceof ConnectTimeoutException) {
      return ErrorCode.UPSTREAM_UNAVAILABLE.error("cannot reach the token endpoint " + endpoint.url() + ": "
        + reason(failure.getMessage()));
    }
    // The library's words: the status's reason phrase and the body ("Service Unavailable: ..."), the OAuth2
    // error ("invalid_client: ..."), or what it could not read ("Cannot handle content type: text/html").
    return ErrorCode.UPSTREAM_UNAVAILABLE.error("the token endpoint " + endpoint.url() + " gave no token: "
      + reason(failure.getMessage()));
  }

  /** Text from the token endpoint, fit for a message: one line, short, and without the secret should it echo it. */
  private String reason(String text) {
    if (text == null || text.isBlank()) {
      return "no reason given";
    }
    String line = text.replaceAll("\\p{Cntrl}+", " ").strip();
    for (String secret : List.of(endpoint.clientSecret(), formEncoded(endpoint.clientSecret()))) {
      if (!secret.isEmpty()) {
        line = line.replace(secret, "********");
      }
    }
    return line.length() <= MAX_REASON_CHARS ? line : line.substring(0, MAX_REASON_CHARS) + "...";
  }

  /**
   * {@code application/x-www-form-urlencoded}, as RFC 6749 2.3.1 asks of a Basic header's client id and secret,
   * leaving RFC 3986's unreserved characters (Entra's secrets hold {@code ~}) as they are: decoded, they are
   * themselves, so a server that forgets to decode still reads such a secret right.
   */
  static String formEncoded(String text) {
    StringBuilder out = new StringBuilder();
    for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
      char c = (char) (b & 0xFF);
      if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_'
        || c == '~') {
        out.append(c);
      } else if (c == ' ') {
        out.append('+');
      } else {
        out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
          .append(Character.toUpperCase(Character.forDigit(c & 0xF, 16)));
      }
    }
    return out.toString();
  }

  void close() {
    oauth2.close();
  }
}
