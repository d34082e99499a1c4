package io.usergate.store;

/** The event-bus addresses the store verticle consumes. Bodies are JSON objects. */
public final class StoreAddresses {

  /** {@code {}} → {@code {"ok": true}} once PostgreSQL answered a query: the readiness probe. */
  public static final String PING = "usergate.store.ping";

  /** {@code {"id": 7}} → the stored user (header {@link #FETCHED_AT_HEADER}), or {@code NOT_FOUND}. */
  public static final String GET = "usergate.store.get";

  /** {@code {"after": 0, "limit": 100}} → {@code {"users": [...], "next": 123 | null}}, by id. */
  public static final String LIST = "usergate.store.list";

  /**
   * {@code {"users": [...], "fetchedAt": "2026-11-24T06:00:00Z"}} → {@code {"upserted": n}}: one
   * transaction. {@code fetchedAt} (optional, default now) is when the users were fetched; a stored
   * row fetched later is kept, so {@code upserted} counts the rows actually written.
   */
  public static final String UPSERT = "usergate.store.upsert";

  /** {@code {"id": 7}} → {@code {"deleted": 0 | 1}}: the upstream no longer has the user. */
  public static final String DELETE = "usergate.store.delete";

  /** Reply header of {@link #GET}: when the stored copy was fetched (ISO-8601). */
  public static final String FETCHED_AT_HEADER = "fetchedAt";

  private StoreAddresses() {
  }
}
