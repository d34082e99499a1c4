package io.usergate.store;

/** The event-bus addresses the store verticle consumes. Bodies are JSON objects. */
public final class StoreAddresses {

  /** {@code {}} → {@code {"ok": true}} once PostgreSQL answered a query: the readiness probe. */
  public static final String PING = "usergate.store.ping";

  private StoreAddresses() {
  }
}
