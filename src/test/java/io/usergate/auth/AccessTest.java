package io.usergate.auth;

import io.usergate.error.ErrorCode;
import io.usergate.error.UsergateException;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The policy of auth.*: when a caller is required, how a credential becomes its caller, and the scope check. */
class AccessTest {

  private static final List<ApiKeys.Keyed> CALLERS = ApiKeys.parse(new JsonObject().put("billing", new JsonObject()
    .put("keySha256", HexFormat.of().formatHex(ApiKeys.sha256("billing-key"))).put("scopes", "users:read mirror:read")
    .put("fields", "/id,/name").put("weight", 3).put("ratePerSecond", 2.5).put("maxQueued", 40)));

  /** An API key's (or no credential's) caller is known at once: the future is complete when identify returns. */
  static Caller identified(Future<Caller> identified) {
    assertTrue(identified.isComplete(), "an API key is checked at once");
    return Access.caller(identified);
  }

  private static void assertRefused(ErrorCode code, Runnable call) {
    UsergateException refused = assertThrows(UsergateException.class, call::run);
    assertEquals(code, refused.code(), refused.getMessage());
  }

  @Test
  @DisplayName("a caller's entry is read whole: scopes, fields, weight, rate and queue; its key only as a hash")
  void callerEntry() {
    Caller billing = CALLERS.get(0).caller();
    assertEquals("billing", billing.name());
    assertEquals(Set.of(Scope.USERS_READ, Scope.MIRROR_READ), billing.scopes());
    assertEquals(List.of("/id", "/name"), billing.fields().stream().map(Object::toString).toList());
    assertEquals(3, billing.weight());
    assertEquals(2.5, billing.ratePerSecond());
    assertEquals(40, billing.maxQueued());
    assertEquals(billing, new ApiKeys(CALLERS).authenticate("billing-key"));
    assertEquals(null, new ApiKeys(CALLERS).authenticate("billing-key "));
  }

  @Test
  @DisplayName("auto: a loopback service with no key stays open to everything; a token makes writes need it")
  void loopbackWithoutCallersIsOpen() {
    Access open = Access.of("auto", true, List.of(), null, () -> { throw new AssertionError("no token to generate"); }, true, null);
    assertFalse(open.required());
    assertEquals(Scope.all(), identified(open.identify(null, null)).scopes());
    Access withToken = Access.of("auto", true, List.of(), "t0ken", () -> null, true, null);
    Caller anonymous = identified(withToken.identify(null, null));
    assertTrue(anonymous.may(Scope.USERS_READ) && !anonymous.may(Scope.SYNC_WRITE));
    assertRefused(ErrorCode.UNAUTHORIZED, () -> Access.require(anonymous, Scope.SYNC_WRITE));
    assertEquals("token", identified(withToken.identify("Bearer t0ken", null)).name());
  }

  @Test
  @DisplayName("auto: a non-loopback service with no key generates one token (once), and requires it for reads too")
  void nonLoopbackGeneratesAToken() {
    AtomicInteger generated = new AtomicInteger();
    Access access = Access.of("auto", false, List.of(), null, () -> "gen-" + generated.incrementAndGet(), true, null);
    assertTrue(access.required());
    assertEquals(1, generated.get());
    assertRefused(ErrorCode.UNAUTHORIZED, () -> identified(access.identify(null, null)));
    assertEquals(Scope.all(), identified(access.identify(null, "gen-1")).scopes());
  }

  @Test
  @DisplayName("auto with callers, or true, requires a key on loopback too; false leaves reads open even with callers")
  void requiredSetting() {
    assertTrue(Access.of("auto", true, CALLERS, null, () -> null, true, null).required());
    Access forced = Access.of("true", true, List.of(), null, () -> "generated", true, null);
    assertTrue(forced.required());
    assertEquals("token", identified(forced.identify("Bearer generated", null)).name());
    Access relaxed = Access.of("false", false, CALLERS, null, () -> null, true, null);
    assertFalse(relaxed.required());
    assertFalse(identified(relaxed.identify(null, null)).may(Scope.SYNC_WRITE));
    assertRefused(ErrorCode.UNAUTHORIZED, () -> identified(relaxed.identify(null, "wrong")));
  }

  @Test
  @DisplayName("two credentials are 400; another scheme or an empty key 401; a missing scope 403 naming it; bridge headers ignore case")
  void credentials() {
    Access access = Access.of("auto", true, CALLERS, null, () -> null, true, null);
    assertRefused(ErrorCode.BAD_REQUEST, () -> identified(access.identify("Bearer billing-key", "billing-key")));
    assertRefused(ErrorCode.UNAUTHORIZED, () -> identified(access.identify("Basic billing-key", null)));
    assertRefused(ErrorCode.UNAUTHORIZED, () -> identified(access.identify("Bearer ", null)));
    Caller billing = identified(access.identify("bEaReR  billing-key ", null));
    UsergateException forbidden = assertThrows(UsergateException.class, () -> Access.require(billing, Scope.SYNC_WRITE));
    assertEquals(ErrorCode.FORBIDDEN, forbidden.code());
    assertTrue(forbidden.getMessage().contains("sync:write"), forbidden.getMessage());
    assertEquals(billing, identified(access.identify(new JsonObject().put("x-api-key", "billing-key"))));
    assertRefused(ErrorCode.UNAUTHORIZED, () -> identified(access.identify(new JsonObject())));
  }
}
