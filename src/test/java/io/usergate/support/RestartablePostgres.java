package io.usergate.support;

import io.usergate.store.Database;
import io.vertx.core.json.JsonObject;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Path;

/** A PostgreSQL of its own for a test that stops and starts the server under a running usergate. */
public final class RestartablePostgres implements AutoCloseable {

  private final Path dataDir;
  private final int port;
  private EmbeddedPostgres server;

  public RestartablePostgres(String name) {
    this.dataDir = Path.of("target", "test-pg-" + name);
    TestDatabase.deleteRecursively(dataDir);
    this.port = freePort();
    start();
    TestDatabase.execute(pg().put("database", "postgres"), "postgres", "CREATE DATABASE usergate");
    Database.migrate(pg());
  }

  /** The {@code pg} section for this server, with the test defaults for the pool. */
  public JsonObject pg() {
    return TestDatabase.pg().put("host", "127.0.0.1").put("port", port).put("database", "usergate")
      .put("user", "postgres").putNull("password");
  }

  public void start() {
    try {
      server = EmbeddedPostgres.builder().setDataDirectory(dataDir).setCleanDataDirectory(false)
        .setRegisterShutdownHook(true).setPort(port).setServerConfig("jit", "off").start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public void stop() {
    try {
      server.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    stop();
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
