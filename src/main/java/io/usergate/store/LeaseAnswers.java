package io.usergate.store;

import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;

import java.util.function.Function;

/**
 * The answers of the addresses of a leased row (the walk's, the follower's): {@code held} true with the row as its
 * status shows it, or false when the lease is another's and nothing was written.
 */
final class LeaseAnswers {

  private final String field;
  private final Function<Row, JsonObject> status;

  /** {@code field}: where the row goes in an answer ({@code walk}, {@code follow}); {@code status}: the row as shown. */
  LeaseAnswers(String field, Function<Row, JsonObject> status) {
    this.field = field;
    this.status = status;
  }

  /** Held false, and nothing else: the statement found the lease another's. */
  static JsonObject notHeld() {
    return new JsonObject().put("held", false);
  }

  /** Held true, with the row the statement returned. */
  JsonObject held(RowSet<Row> rows) {
    return new JsonObject().put("held", true).put(field, status.apply(rows.iterator().next()));
  }

  /** {@link #held} when the statement returned the row (the lease was the caller's), {@link #notHeld} when not. */
  JsonObject heldOrNot(RowSet<Row> rows) {
    return rows.size() == 0 ? notHeld() : held(rows);
  }

  /** Held false, with the row as it is (who holds it, and where it stands). */
  JsonObject heldByAnother(RowSet<Row> rows) {
    return notHeld().put(field, status.apply(rows.iterator().next()));
  }
}
