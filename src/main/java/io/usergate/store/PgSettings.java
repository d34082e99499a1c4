package io.usergate.store;

import io.usergate.config.Section;
import io.vertx.core.json.JsonObject;

/** What the store reads of the configuration: its section {@code pg}, resolved (the embedded server's address filled in). */
public record PgSettings(String host, int port, String database, String user, String password, String dataDir,
                         int maxSize, int maxWaitQueueSize, int readPoolSize, int connectionTimeoutMs,
                         int scopeTimeoutMs, int idleTimeoutMs, int maxLifetimeMs, int pipeliningLimit,
                         int preparedStatementCacheSize) {

  /** From a whole configuration, or a verticle's slice of it. */
  public static PgSettings from(JsonObject config) {
    return of(config.getJsonObject("pg"));
  }

  /** From the {@code pg} section itself. */
  public static PgSettings of(JsonObject pg) {
    Section s = Section.of(new JsonObject().put("pg", pg), "pg");
    return new PgSettings(s.string("host"), s.integer("port"), s.string("database"), s.string("user"),
      s.string("password"), s.string("dataDir"), s.integer("maxSize"), s.integer("maxWaitQueueSize"),
      s.integer("readPoolSize"), s.integer("connectionTimeoutMs"), s.integer("scopeTimeoutMs"),
      s.integer("idleTimeoutMs"), s.integer("maxLifetimeMs"), s.integer("pipeliningLimit"),
      s.integer("preparedStatementCacheSize"));
  }

  /** {@code host:port/database}, for log lines. */
  public String describe() {
    return host + ":" + port + "/" + database;
  }
}
