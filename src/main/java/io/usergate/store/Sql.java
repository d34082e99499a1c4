package io.usergate.store;

/** Every SQL statement of the store, one per intent, positional {@code $n} parameters. */
final class Sql {

  static final String PING = "SELECT 1";

  static final String GET_USER = "SELECT profile, fetched_at FROM users WHERE id = $1";

  /** Keyset pagination: one row more than the page, to know whether there is a next page. */
  static final String LIST_USERS = "SELECT id, profile FROM users WHERE id > $1 ORDER BY id LIMIT $2";

  /**
   * Up to {@link StoreVerticle#UPSERT_CHUNK} users in one statement, ids sorted and distinct (sorted keys
   * keep concurrent batches from deadlocking). A row is only replaced by a fetch that is not older.
   */
  static final String UPSERT_USERS = """
    INSERT INTO users (id, name, username, email, profile, fetched_at)
    SELECT u.id, u.name, u.username, u.email, u.profile::jsonb, $6
      FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[])
        AS u(id, name, username, email, profile)
    ON CONFLICT (id) DO UPDATE
      SET name = EXCLUDED.name, username = EXCLUDED.username, email = EXCLUDED.email,
          profile = EXCLUDED.profile, fetched_at = EXCLUDED.fetched_at
      WHERE users.fetched_at <= EXCLUDED.fetched_at""";

  static final String DELETE_USER = "DELETE FROM users WHERE id = $1";

  private Sql() {
  }
}
