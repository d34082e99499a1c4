package io.usergate.store;

/** Every SQL statement of usergate, one per intent, positional {@code $n} parameters. */
final class Sql {

  static final String PING = "SELECT 1";

  private Sql() {
  }
}
