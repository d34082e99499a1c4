package io.usergate.bench;

import io.usergate.store.PgSettings;
import io.usergate.store.PoolFactory;
import io.usergate.store.StoreAddresses;
import io.usergate.store.StoreVerticle;
import io.usergate.support.TestConfig;
import io.usergate.support.TestDatabase;
import io.usergate.support.Users;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Tuple;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** The store: upsert rate against COPY of the same rows, and store.get round trips over the bus. */
final class StoreBench {

  private static final int USERS = 100_000;
  private static final int CHUNK = 1000;
  private static final int SENDERS = Integer.getInteger("bench.senders", 4);

  static void run(Report report) throws Exception {
    JsonObject pg = TestDatabase.pg();
    TestDatabase.execute(pg, "usergate", "TRUNCATE users");
    Vertx vertx = Vertx.vertx();
    try {
      vertx.deployVerticle(new StoreVerticle(), new DeploymentOptions().setConfig(TestConfig.forTests()))
        .await(30, TimeUnit.SECONDS);
      List<JsonArray> chunks = new ArrayList<>();
      for (int from = 1; from <= USERS; from += CHUNK) {
        chunks.add(Users.range(from, from + CHUNK - 1, "bench"));
      }
      // Warm-up: the statement is prepared, the JIT has compiled the path.
      upsertAll(vertx, chunks);
      TestDatabase.execute(pg, "usergate", "TRUNCATE users", "CHECKPOINT");

      // Three rounds of (upsert, COPY) side by side; the median of each, against the other.
      List<Double> upsertRates = new ArrayList<>();
      List<Double> copyRates = new ArrayList<>();
      for (int round = 0; round < 3; round++) {
        TestDatabase.execute(pg, "usergate", "TRUNCATE users", "CHECKPOINT");
        long start = System.nanoTime();
        upsertAll(vertx, chunks);
        upsertRates.add(USERS / seconds(start));
        copyRates.add(copyRate(pg, chunks));
      }
      double upsertRate = Report.median(upsertRates);
      double copyRate = Report.median(copyRates);
      if (copyRate > 0) {
        report.add("store.upsert, 100,000 users in chunks of 1000, 4 writers (median of 3)", upsertRate, "rows/s",
          "COPY through psql (median of 3)", copyRate, "≥ 0.8");
      } else {
        System.out.printf("bench: store.upsert = %.0f rows/s (no psql: COPY baseline skipped)%n", upsertRate);
      }

      double getRate = getRate(vertx, 50_000, 128);
      double bareRate = bareSelectRate(vertx, pg, 50_000, 128);
      report.add("store.get over the bus, 128 in flight", getRate, "req/s",
        "the same SELECT on a bare pooled client", bareRate, "the cost of bus + verticle");
    } finally {
      vertx.close().await(30, TimeUnit.SECONDS);
    }
  }

  /** Sends the chunks {@value #SENDERS} at a time, as concurrent writers would. */
  private static void upsertAll(Vertx vertx, List<JsonArray> chunks) {
    closedLoop(chunks.size(), SENDERS, i -> vertx.eventBus()
      .request(StoreAddresses.UPSERT, new JsonObject().put("users", chunks.get(i))).mapEmpty());
  }

  /** COPY of the same rows into a table of the same shape, through psql: the fastest way in. */
  private static double copyRate(JsonObject pg, List<JsonArray> chunks) throws IOException, InterruptedException {
    if (!new File("/usr/bin/psql").canExecute() && !onPath("psql")) {
      return -1;
    }
    Path csv = Files.createTempFile("usergate-copy", ".csv");
    StringBuilder text = new StringBuilder();
    for (JsonArray chunk : chunks) {
      for (Object value : chunk) {
        JsonObject user = (JsonObject) value;
        text.append(user.getLong("id")).append(',').append(quote(user.getString("name"))).append(',')
          .append(quote(user.getString("username"))).append(',').append(quote(user.getString("email"))).append(',')
          .append(quote(user.encode())).append(",2026-01-01T00:00:00Z\n");
      }
    }
    Files.writeString(csv, text);
    TestDatabase.execute(pg, "usergate", "DROP TABLE IF EXISTS users_copy",
      "CREATE TABLE users_copy (LIKE users INCLUDING ALL)", "CHECKPOINT");
    ProcessBuilder psql = new ProcessBuilder("psql", "-h", pg.getString("host"), "-p", String.valueOf(pg.getInteger("port")),
      "-U", pg.getString("user"), "-d", "usergate", "-q", "-c",
      "\\copy users_copy (id, name, username, email, profile, fetched_at) FROM '" + csv + "' CSV")
      .redirectErrorStream(true).inheritIO();
    if (pg.getString("password") != null) {
      psql.environment().put("PGPASSWORD", pg.getString("password"));
    }
    long start = System.nanoTime();
    int exit = psql.start().waitFor();
    double rate = USERS / seconds(start);
    Files.delete(csv);
    TestDatabase.execute(pg, "usergate", "DROP TABLE users_copy");
    return exit == 0 ? rate : -1;
  }

  private static double getRate(Vertx vertx, int requests, int inFlight) {
    return closedLoop(requests, inFlight, i -> vertx.eventBus()
      .request(StoreAddresses.GET, new JsonObject().put("id", 1 + (i * 7919L) % USERS)).mapEmpty());
  }

  private static double bareSelectRate(Vertx vertx, JsonObject pg, int requests, int inFlight) throws Exception {
    var client = PoolFactory.createReadClient(vertx, PgSettings.of(pg));
    try {
      return closedLoop(requests, inFlight, i -> client.preparedQuery("SELECT profile, fetched_at FROM users WHERE id = $1")
        .execute(Tuple.of(Long.toString(1 + (i * 7919L) % USERS))).mapEmpty());
    } finally {
      client.close().await(10, TimeUnit.SECONDS);
    }
  }

  interface Call {
    Future<Void> run(int i);
  }

  /** {@code inFlight} loops that each start the next call when theirs completes; returns calls per second. */
  static double closedLoop(int requests, int inFlight, Call call) {
    AtomicInteger next = new AtomicInteger();
    List<Future<Void>> loops = new ArrayList<>();
    long start = System.nanoTime();
    for (int l = 0; l < inFlight; l++) {
      Promise<Void> done = Promise.promise();
      loop(call, next, requests, done);
      loops.add(done.future());
    }
    Future.all(loops).toCompletionStage().toCompletableFuture().join();
    return requests / seconds(start);
  }

  private static void loop(Call call, AtomicInteger next, int requests, Promise<Void> done) {
    int i = next.getAndIncrement();
    if (i >= requests) {
      done.tryComplete();
      return;
    }
    call.run(i).onComplete(ar -> {
      if (ar.failed()) {
        done.tryFail(ar.cause());
      } else {
        loop(call, next, requests, done);
      }
    });
  }

  private static String quote(String value) {
    return value == null ? "" : "\"" + value.replace("\"", "\"\"") + "\"";
  }

  private static boolean onPath(String tool) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
      if (Files.isExecutable(Path.of(dir, tool))) {
        return true;
      }
    }
    return false;
  }

  static double seconds(long startNanos) {
    return (System.nanoTime() - startNanos) / 1e9;
  }

  private StoreBench() {
  }

}
