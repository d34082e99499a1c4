package io.usergate.auth;

import io.usergate.error.ErrorCode;
import io.usergate.error.UsergateException;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Who may call, and what each caller may do: the credential of a request (an HTTP request's headers, a
 * bridge frame's {@code headers}) made into its {@link Caller}, and the scope a route needs checked.
 * A request without a credential is {@code anonymous} where none is required; a credential that is given
 * must be a known one, required or not. A bearer with the shape of a JWT is checked as one when
 * {@code auth.jwtIssuer} is set ({@link JwtCallers}); anything else is an API key ({@link ApiKeys}).
 */
public final class Access {

  public static final String API_KEY_HEADER = "X-API-Key";
  private static final String AUTHORIZATION = "Authorization";
  private static final String BEARER = "Bearer";

  private final boolean required;
  private final Authenticator authenticator;
  private final JwtCallers jwts;
  private final Caller anonymous;
  private final boolean metricsOpen;

  Access(boolean required, Authenticator authenticator, JwtCallers jwts, Caller anonymous, boolean metricsOpen) {
    this.required = required;
    this.authenticator = authenticator;
    this.jwts = jwts;
    this.anonymous = anonymous;
    this.metricsOpen = metricsOpen;
  }

  /**
   * The policy of {@code auth.*}: callers are required when {@code auth.required} says so, or on
   * {@code auto} as soon as callers or a JWT issuer ({@code jwts}, null when none) are configured, or the service
   * listens on a non-loopback address.
   * Where callers are required (or the address is not loopback) and none is configured,
   * {@code generatedToken} becomes {@code auth.token}. Without a credential, where none is required, a
   * request may do everything but write as soon as some key exists; with no key at all, everything.
   */
  public static Access of(String required, boolean loopback, List<ApiKeys.Keyed> callers, String token,
                          Supplier<String> generatedToken, boolean metricsOpen, JwtCallers jwts) {
    boolean mustIdentify = switch (required) {
      case "true" -> true;
      case "false" -> false;
      default -> !callers.isEmpty() || jwts != null || !loopback;
    };
    String effectiveToken = token;
    if (effectiveToken == null && callers.isEmpty() && jwts == null && (mustIdentify || !loopback)) {
      effectiveToken = generatedToken.get();
    }
    ApiKeys keys = ApiKeys.of(callers, effectiveToken);
    Set<Scope> open = keys.isEmpty() && jwts == null ? Scope.all() : EnumSet.complementOf(EnumSet.of(Scope.SYNC_WRITE));
    return new Access(mustIdentify, keys, jwts, Caller.anonymous(open), metricsOpen);
  }

  /** {@code auth.required}'s values. */
  public static boolean isRequiredSetting(String value) {
    return List.of("auto", "true", "false").contains(value);
  }

  public boolean required() {
    return required;
  }

  /** Whether {@code /metrics} is served to anyone; when not, it needs {@code status:read}. */
  public boolean metricsOpen() {
    return metricsOpen;
  }

  /**
   * The caller of an HTTP request: at once for an API key, no credential or a JWT checked before (an already
   * completed future); a JWT seen first may wait for the issuer's keys. Fails with a {@link UsergateException}:
   * 400 for two credentials, 401 for none where one is required, for one that is nobody's, for a JWT refused.
   */
  public Future<Caller> identify(String authorization, String apiKey) {
    if (authorization != null && apiKey != null) {
      return Future.failedFuture(ErrorCode.BAD_REQUEST.error("send one credential, Authorization or " + API_KEY_HEADER
        + ", not both"));
    }
    String credential = apiKey != null ? apiKey.strip() : bearer(authorization);
    if (credential == null) {
      if (required) {
        return Future.failedFuture(ErrorCode.UNAUTHORIZED.error("a credential is required: Authorization: Bearer <key> or "
          + API_KEY_HEADER + ": <key>"));
      }
      return Future.succeededFuture(anonymous);
    }
    if (jwts != null && apiKey == null) {
      Caller kept = jwts.kept(credential);
      if (kept != null) {
        return Future.succeededFuture(kept);
      }
      if (JwtCallers.looksLikeJwt(credential)) {
        return jwts.authenticate(credential);
      }
    }
    Caller caller = credential.isEmpty() ? null : authenticator.authenticate(credential);
    if (caller == null) {
      return Future.failedFuture(ErrorCode.UNAUTHORIZED.error("the credential is not a known key"));
    }
    return Future.succeededFuture(caller);
  }

  /** The caller of a bridge frame, whose {@code headers} carry the credential (a browser's SockJS cannot set HTTP headers). */
  public Future<Caller> identify(JsonObject headers) {
    return identify(header(headers, AUTHORIZATION), header(headers, API_KEY_HEADER));
  }

  /**
   * The caller that {@link #identify} found.
   *
   * @throws UsergateException why there is none
   */
  public static Caller caller(AsyncResult<Caller> identified) {
    if (identified.failed()) {
      throw identified.cause() instanceof UsergateException refused ? refused
        : ErrorCode.INTERNAL.error("the credential could not be checked");
    }
    return identified.result();
  }

  /**
   * Lets {@code caller} on, or refuses it.
   *
   * @throws io.usergate.error.UsergateException 403 naming the scope it lacks; 401 when it is anonymous
   */
  public static void require(Caller caller, Scope scope) {
    if (!caller.may(scope)) {
      if (caller.name().equals(Caller.ANONYMOUS_NAME)) {
        // No credential was given: that is what is missing.
        throw ErrorCode.UNAUTHORIZED.error("a credential with the scope " + scope.wire() + " is required: Authorization: "
          + "Bearer <key> or " + API_KEY_HEADER + ": <key>");
      }
      throw ErrorCode.FORBIDDEN.error("the caller " + caller.name() + " lacks the scope " + scope.wire());
    }
  }

  /** An {@code Authorization} header's credential: the scheme is case-insensitive (RFC 9110 11.1); any other scheme is none of ours. */
  private static String bearer(String authorization) {
    if (authorization == null) {
      return null;
    }
    String trimmed = authorization.strip();
    int space = trimmed.indexOf(' ');
    if (space == BEARER.length() && trimmed.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
      return trimmed.substring(space + 1).strip();
    }
    // Present but unusable: a wrong credential, not a missing one.
    return "";
  }

  private static String header(JsonObject headers, String name) {
    if (headers == null) {
      return null;
    }
    for (Map.Entry<String, Object> entry : headers) {
      if (entry.getKey().toLowerCase(Locale.ROOT).equals(name.toLowerCase(Locale.ROOT))) {
        return entry.getValue() instanceof String text ? text : "";
      }
    }
    return null;
  }
}
