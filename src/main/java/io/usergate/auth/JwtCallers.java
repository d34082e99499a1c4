package io.usergate.auth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import io.usergate.error.ErrorCode;
import io.usergate.error.UsergateException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.Shareable;
import io.vertx.ext.auth.NoSuchKeyIdException;
import io.vertx.ext.auth.User;
import io.vertx.ext.auth.authentication.TokenCredentials;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.stream.Collectors;

/**
 * JWT bearer tokens of {@code auth.jwtIssuer} made into callers, checked locally with the issuer's keys
 * ({@link IssuerKeys}). A verified token is kept until it expires (at most {@link #MAX_CACHED} of them), so that
 * its next use costs a lookup, not a signature check.
 * <p>
 * The caller's name is the token's {@code azp} (or {@code client_id}) when {@code auth.callers} has an entry of
 * that name: the caller then has that entry's fields, weight, rate and queue, and the scopes of the token's
 * {@code scope} claim that the entry also lists. Any other verified token is the caller {@value #JWT_CALLER}
 * (one name for all of them: a name a token chooses never becomes a metric label), with its token's scopes.
 */
public final class JwtCallers implements Shareable {

  /** The caller of a verified token whose client is not in {@code auth.callers}. */
  public static final String JWT_CALLER = "jwt";
  static final int MAX_CACHED = 10_000;

  private final IssuerKeys keys;
  private final Map<String, Caller> configured;
  private final LongSupplier millisClock;
  private final Cache<String, Verified> verified;
  private final LongAdder signatureChecks = new LongAdder();

  /** A verified token's caller, usable until {@code untilMillis} ({@code exp} and the clock skew). */
  private record Verified(Caller caller, long untilMillis) {
  }

  JwtCallers(IssuerKeys keys, List<Caller> configured, LongSupplier millisClock) {
    this.keys = keys;
    this.configured = configured.stream().collect(Collectors.toUnmodifiableMap(Caller::name, Function.identity()));
    this.millisClock = millisClock;
    this.verified = Caffeine.newBuilder().maximumSize(MAX_CACHED)
      .expireAfter(Expiry.<String, Verified>creating((token, entry) ->
        Duration.ofMillis(Math.max(0, entry.untilMillis() - millisClock.getAsLong()))))
      .build();
  }

  /**
   * The callers of {@code issuer}'s tokens for {@code audience}, its keys loading from now on. Made on the context
   * whose event loop fetches the keys.
   */
  public static JwtCallers start(Vertx vertx, String issuer, String audience, List<Caller> configured) {
    IssuerKeys keys = new IssuerKeys(vertx, issuer, audience, IssuerKeys.MIN_REFETCH_MS, System::nanoTime).start();
    return new JwtCallers(keys, configured, System::currentTimeMillis);
  }

  /** Whether {@code credential} has the shape of a JWT: three base64url parts separated by dots (the last may be empty). */
  public static boolean looksLikeJwt(String credential) {
    int dots = 0;
    int partLength = 0;
    for (int i = 0; i < credential.length(); i++) {
      char c = credential.charAt(i);
      if (c == '.') {
        if (partLength == 0) {
          return false;
        }
        dots++;
        partLength = 0;
      } else if (c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
        partLength++;
      } else {
        return false;
      }
    }
    return dots == 2;
  }

  /**
   * The caller of {@code token}; fails with a {@link UsergateException} 401 that says what is wrong with it
   * (never what it holds). A token kept from an earlier check answers at once.
   */
  public Future<Caller> authenticate(String token) {
    Verified hit = verified.getIfPresent(token);
    if (hit != null) {
      if (millisClock.getAsLong() < hit.untilMillis()) {
        return Future.succeededFuture(hit.caller());
      }
      verified.invalidate(token);
      return refused("the token expired");
    }
    return check(token);
  }

  /**
   * The caller of {@code credential} when it is a token verified before and not expired, else null: a hit's whole
   * cost, one lookup, before anything looks at the credential's shape.
   */
  public Caller kept(String credential) {
    Verified hit = verified.getIfPresent(credential);
    return hit != null && millisClock.getAsLong() < hit.untilMillis() ? hit.caller() : null;
  }

  private Future<Caller> check(String token) {
    IssuerKeys.Verifier loaded = keys.current();
    if (loaded == null) {
      return keys.refreshed().compose(fresh -> fresh == null
        ? refused("the token cannot be checked yet: the keys of the issuer " + keys.issuer() + " are not loaded (usergate "
          + "keeps trying; API keys work meanwhile)")
        : check(token, fresh, true));
    }
    return check(token, loaded, true);
  }

  /** Signature checks made (the cache's hits make none). */
  public long signatureChecks() {
    return signatureChecks.sum();
  }

  /** Stops the issuer's key loading (the web verticle's undeploy). */
  public Future<Void> close() {
    return keys.close();
  }

  IssuerKeys keys() {
    return keys;
  }

  private Future<Caller> check(String token, IssuerKeys.Verifier verifier, boolean mayRefetch) {
    signatureChecks.increment();
    Future<User> verified;
    try {
      verified = verifier.auth().authenticate(new TokenCredentials(token));
    } catch (RuntimeException e) {
      // The library throws on a signed token whose exp, nbf or iat is not a number (null, text).
      return refused("the token's exp, nbf or iat is not a number");
    }
    return verified.transform(checked -> {
      if (checked.succeeded()) {
        return accepted(token, checked.result());
      }
      if (checked.cause() instanceof NoSuchKeyIdException unknown) {
        String alg = unknown.id().substring(0, unknown.id().indexOf('#'));
        if (mayRefetch && IssuerKeys.acceptable(alg)) {
          // A key it does not hold yet: the issuer may have rotated its keys.
          return keys.refreshed().compose(fresh -> fresh == null || fresh == verifier
            ? refused("the token is signed by a key the issuer does not publish (kid unknown)")
            : check(token, fresh, false));
        }
        return refused(IssuerKeys.acceptable(alg) ? "the token is signed by a key the issuer does not publish (kid unknown)"
          : "the token's alg is not one of the issuer's keys (RS*, PS*, ES* only)");
      }
      return refused(reason(checked.cause()));
    });
  }

  private Future<Caller> accepted(String token, User user) {
    JsonObject claims = user.attributes().getJsonObject("accessToken");
    if (!(claims.getValue("exp") instanceof Number exp)) {
      return refused("the token has no exp");
    }
    Caller caller = callerOf(claims);
    long until = exp.longValue() * 1000 + IssuerKeys.CLOCK_SKEW_SECONDS * 1000L;
    verified.put(token, new Verified(caller, until));
    return Future.succeededFuture(caller);
  }

  /** The caller a verified token's claims make: see the class comment. */
  Caller callerOf(JsonObject claims) {
    Set<Scope> granted = Scope.granted(scopeClaim(claims));
    Object client = claims.getValue("azp");
    if (!(client instanceof String)) {
      client = claims.getValue("client_id");
    }
    Caller entry = client instanceof String name ? configured.get(name) : null;
    if (entry == null) {
      return new Caller(JWT_CALLER, granted, List.of(), 1, 0, 0);
    }
    granted.retainAll(entry.scopes());
    return new Caller(entry.name(), granted, entry.fields(), entry.weight(), entry.ratePerSecond(), entry.maxQueued());
  }

  /** {@code scope} (RFC 8693, RFC 9068: space-separated), or {@code scp} as an array (Okta, Entra ID). */
  private static String scopeClaim(JsonObject claims) {
    if (claims.getValue("scope") instanceof String scope) {
      return scope;
    }
    if (claims.getValue("scp") instanceof JsonArray scp) {
      return scp.stream().filter(String.class::isInstance).map(String.class::cast).collect(Collectors.joining(" "));
    }
    return "";
  }

  /** What the library's refusal means, in words of our own (its messages may quote the token). */
  private static String reason(Throwable failure) {
    String message = String.valueOf(failure.getMessage());
    if (message.contains("expired")) {
      return "the token expired, or is not valid yet (exp, nbf, iat; " + IssuerKeys.CLOCK_SKEW_SECONDS + " s of clock skew)";
    }
    if (message.contains("audience")) {
      return "the token is not for this service: its aud does not hold auth.jwtAudience";
    }
    if (message.contains("issuer")) {
      return "the token's iss is not auth.jwtIssuer";
    }
    if (message.contains("\"none\"") || message.contains("not signed")) {
      return "the token is not signed (alg none)";
    }
    return "the token's signature does not match, or it is not a JWT";
  }

  private static Future<Caller> refused(String why) {
    return Future.failedFuture(ErrorCode.UNAUTHORIZED.error(why));
  }
}
