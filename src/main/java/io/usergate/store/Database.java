package io.usergate.store;

import io.usergate.config.StartFailure;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Where PostgreSQL is: the server named by {@code pg.host}, or, when there is none, an embedded real
 * PostgreSQL that this process starts with its data under {@code pg.dataDir}. Also applies the schema
 * migrations. Everything here blocks (process start, JDBC), so it runs in {@code executeBlocking}.
 */
public final class Database {

  private static final Logger LOG = LoggerFactory.getLogger(Database.class);
  /** The lock file zonky's EmbeddedPostgres holds in its data folder while its server runs. */
  private static final String ZONKY_LOCK_FILE = "epg-lock";
  /** The pid of the usergate process whose server runs in the folder, for the message above. */
  private static final String OWNER_FILE = "usergate.pid";
  private static final String SUPERUSER = "postgres";

  private final JsonObject pg;
  private final EmbeddedPostgres embedded;

  private Database(JsonObject pg, EmbeddedPostgres embedded) {
    this.pg = pg;
    this.embedded = embedded;
  }

  /**
   * Starts the embedded server when {@code pg.host} is empty. The returned database's {@link #pgConfig()}
   * is the {@code pg} section with {@code host} and {@code port} filled in, ready for the store's pool.
   */
  public static Future<Database> open(Vertx vertx, JsonObject pgSection) {
    if (pgSection.getString("host") != null) {
      Database external = new Database(pgSection.copy(), null);
      LOG.info("PostgreSQL: external server {}", external.describe());
      return Future.succeededFuture(external);
    }
    return vertx.executeBlocking(() -> startEmbedded(pgSection, true), false);
  }

  /**
   * Blocking: starts an embedded server as {@link #open} does ({@code durable} true). For tests and
   * tools, never on an event loop.
   */
  public static Database startEmbedded(JsonObject pgSection, boolean durable) throws IOException, SQLException {
    Path dataDir = Path.of(pgSection.getString("dataDir")).toAbsolutePath();
    Files.createDirectories(dataDir);
    refuseIfInUse(dataDir);
    stopOrphanedServer(dataDir);
    long started = System.nanoTime();
    EmbeddedPostgres server = EmbeddedPostgres.builder()
      .setDataDirectory(dataDir)
      .setCleanDataDirectory(false)
      // Our stop() closes it after the verticles are down; a JVM hook could stop it under them.
      .setRegisterShutdownHook(false)
      .setServerConfig("listen_addresses", "127.0.0.1")
      // jit=on made the first query on each new connection take about 1 s here.
      .setServerConfig("jit", "off")
      // The library starts PostgreSQL for throw-away test data (fsync and synchronous_commit off); the
      // service's mirror and job queue must survive a crash, so it runs durable. Tests may opt out.
      .setServerConfig("fsync", durable ? "on" : "off")
      .setServerConfig("synchronous_commit", durable ? "on" : "off")
      .setPGStartupWait(Duration.ofSeconds(60))
      .start();
    JsonObject resolved = pgSection.copy()
      .put("host", "127.0.0.1")
      .put("port", server.getPort())
      .put("user", SUPERUSER)
      .putNull("password");
    Database database = new Database(resolved, server);
    Files.writeString(dataDir.resolve(OWNER_FILE), String.valueOf(ProcessHandle.current().pid()));
    database.createDatabaseIfMissing();
    LOG.info("PostgreSQL: embedded server started on {} with data in {} ({} ms)", database.describe(), dataDir,
      TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
    return database;
  }

  /**
   * A live process that runs its embedded server on this folder holds zonky's lock file there for as
   * long as it runs (the OS lets go of it when that process dies): refuse the folder rather than stop
   * the other process's server, which the orphan check below would do.
   */
  private static void refuseIfInUse(Path dataDir) throws IOException {
    Path lockFile = dataDir.resolve(ZONKY_LOCK_FILE);
    if (!Files.exists(lockFile)) {
      return;  // never started here (and initdb wants an empty folder: nothing may be created in it first)
    }
    try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.WRITE)) {
      FileLock lock = channel.tryLock();
      if (lock != null) {
        lock.release();
        return;
      }
    } catch (OverlappingFileLockException heldByThisProcess) {
      // Falls through: this very JVM runs a server there already.
    }
    String owner;
    try {
      owner = "the process " + Files.readString(dataDir.resolve(OWNER_FILE)).trim();
    } catch (IOException e) {
      owner = "another process";
    }
    throw new StartFailure("the embedded PostgreSQL data folder " + dataDir + " (pg.dataDir) is in use by "
      + owner + ": stop it, or give this instance its own pg.dataDir");
  }

  /** A server left running by a process that was killed would keep the data folder busy: stop it. */
  private static void stopOrphanedServer(Path dataDir) throws IOException {
    Path pidFile = dataDir.resolve("postmaster.pid");
    if (!Files.exists(pidFile)) {
      return;
    }
    List<String> lines = Files.readAllLines(pidFile);
    if (lines.isEmpty()) {
      return;
    }
    long pid;
    try {
      pid = Long.parseLong(lines.get(0).trim());
    } catch (NumberFormatException e) {
      return;
    }
    ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
      .filter(process -> process.info().command().map(command -> command.endsWith("postgres")).orElse(false))
      .ifPresent(orphan -> {
        LOG.warn("PostgreSQL: stopping an orphaned embedded server (pid {}) left in {}", pid, dataDir);
        orphan.destroy();
        try {
          orphan.onExit().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
          orphan.destroyForcibly();
        }
      });
  }

  private void createDatabaseIfMissing() throws SQLException {
    String name = pg.getString("database");
    try (Connection connection = DriverManager.getConnection(jdbcUrl(pg, "postgres"), SUPERUSER, "");
         Statement statement = connection.createStatement()) {
      try (ResultSet exists = statement.executeQuery(
        "SELECT 1 FROM pg_database WHERE datname = '" + name.replace("'", "''") + "'")) {
        if (exists.next()) {
          return;
        }
      }
      statement.execute("CREATE DATABASE \"" + name.replace("\"", "\"\"") + "\"");
      LOG.info("PostgreSQL: created database {}", name);
    }
  }

  /** Applies the versioned migrations in {@code db/migration}; safe when several instances start at once. */
  public Future<Void> migrate(Vertx vertx) {
    return vertx.executeBlocking(() -> migrate(pg), false).mapEmpty();
  }

  /** Blocking: applies the migrations to the database {@code pg} names; returns how many it applied. */
  public static int migrate(JsonObject pg) {
    MigrateResult result = Flyway.configure()
      .dataSource(jdbcUrl(pg, pg.getString("database")), pg.getString("user"), pg.getString("password"))
      .locations("classpath:db/migration")
      .load()
      .migrate();
    LOG.info("PostgreSQL: schema of {} at version {}, {} migration(s) applied", pg.getString("database"),
      result.targetSchemaVersion != null ? result.targetSchemaVersion : result.initialSchemaVersion,
      result.migrationsExecuted);
    return result.migrationsExecuted;
  }

  /** The {@code pg} configuration section, pointing at this server. */
  public JsonObject pgConfig() {
    return pg.copy();
  }

  public String describe() {
    return pg.getString("host") + ":" + pg.getInteger("port") + "/" + pg.getString("database");
  }

  /** Stops the embedded server, if this process started one. */
  public Future<Void> close(Vertx vertx) {
    if (embedded == null) {
      return Future.succeededFuture();
    }
    return vertx.<Void>executeBlocking(() -> {
      closeBlocking();
      return null;
    }, false);
  }

  /** Blocking: stops the embedded server, if this process started one. */
  public void closeBlocking() throws IOException {
    if (embedded != null) {
      embedded.close();
      LOG.info("PostgreSQL: embedded server stopped");
    }
  }

  /** A JDBC URL for {@code database} on the server {@code pg} names (migrations and tools only). */
  public static String jdbcUrl(JsonObject pg, String database) {
    return "jdbc:postgresql://" + pg.getString("host") + ":" + pg.getInteger("port") + "/" + database
      + "?options=-c%20jit%3Doff";
  }
}
