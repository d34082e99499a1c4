package io.usergate.fetch;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CancellationRegistryTest {

  @Test
  @DisplayName("a named request is cancelled by a cancel naming it, once; an unnamed one cannot be; an answered one is forgotten")
  void cancelsWhatWasNamed() {
    CancellationRegistry registry = new CancellationRegistry();
    Cancellation a = registry.register("a");
    Cancellation b = registry.register("b");
    Cancellation anonymous = registry.register(null);
    assertEquals(2, registry.size());

    registry.cancel(new FetchMessages.Cancel("a"));
    assertTrue(a.isCancelled());
    assertFalse(b.isCancelled());
    assertEquals(1, registry.size());

    registry.forget("b");
    registry.cancel(new FetchMessages.Cancel("b"));
    assertFalse(b.isCancelled(), "answered already: nothing to cancel");
    assertFalse(anonymous.isCancelled());
    assertEquals(0, registry.size());
  }

  @Test
  @DisplayName("a cancel that is not an object naming a request by a string of 1 to 200 characters is read as none, and ignored")
  void ignoresMalformed() {
    CancellationRegistry registry = new CancellationRegistry();
    Cancellation a = registry.register("a");
    for (Object malformed : new Object[] {"a", null, new JsonObject().put(FetchAddresses.REQUEST_ID, 7),
      new JsonObject().put(FetchAddresses.REQUEST_ID, ""), new JsonObject()}) {
      FetchMessages.Cancel cancel = FetchMessages.Cancel.fromBody(malformed);
      assertNull(cancel, String.valueOf(malformed));
      registry.cancel(cancel);
    }
    assertFalse(a.isCancelled());
    assertEquals(1, registry.size());
  }
}
