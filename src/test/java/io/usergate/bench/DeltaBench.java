package io.usergate.bench;

import io.usergate.demo.DemoChanges;
import io.usergate.demo.DemoDirectoryVerticle;
import io.usergate.support.Bus;
import io.usergate.support.Sql;
import io.usergate.support.Stack;
import io.usergate.support.TestConfig;
import io.usergate.support.TestDatabase;
import io.usergate.support.Walks;
import io.usergate.sync.SyncAddresses;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

import java.time.Duration;
import java.util.Map;

/**
 * Delta sync (issue 25): a Graph-shaped demo directory of 2,000 users listed in pages of 20; 1 % of them change
 * (created, updated, removed) between two cycles. The upstream calls of an incremental cycle (one poll of the delta
 * link) against those of a full walk; and the changes the feed recorded against those made.
 */
final class DeltaBench {

  private static final int USERS = 2000;
  private static final int PAGE = 20;

  static void run(Report report) throws Exception {
    TestDatabase.execute("TRUNCATE users", "TRUNCATE sync_jobs", "TRUNCATE user_changes", Sql.RESET_WALK, Sql.RESET_FOLLOW);
    Vertx directoryVertx = Vertx.vertx();
    Vertx vertx = Vertx.vertx();
    try {
      DemoDirectoryVerticle demo = Stack.demo(directoryVertx, USERS, new JsonObject().put("shape", "entra"));
      Map<String, String> environment = TestConfig.presetEnvironment("entra", demo);
      environment.putAll(Map.of("USERGATE_SYNC_LIST_PAGE_SIZE", Integer.toString(PAGE),
        "USERGATE_SYNC_DELTA_PATH", "/users/delta?$top=" + PAGE + "&$select=id,displayName,givenName,surname,mail,userPrincipalName,accountEnabled",
        "USERGATE_SYNC_DELTA_INTERVAL_MS", "3600000",
        "USERGATE_SYNC_INTERVAL_MS", "3600000"));
      Stack.services(vertx, TestConfig.fromEnvironment(environment));

      long before = calls(demo);
      JsonObject walk = Walks.toTheEnd(vertx, Duration.ofMinutes(5));
      long walkCalls = calls(demo) - before;
      if (!"done".equals(walk.getString("state"))) {
        throw new IllegalStateException("the full walk did not end: " + walk.encode());
      }
      before = calls(demo);
      Bus.call(vertx, SyncAddresses.FOLLOW, new JsonObject());
      long firstRoundCalls = calls(demo) - before;

      // 1 %: 10 updated, 5 removed, 5 created.
      DemoChanges changes = demo.changes();
      for (int i = 0; i < 10; i++) {
        changes.update(100 + i * 150L, new JsonObject().put("displayName", "Changed " + i));
      }
      for (int i = 0; i < 5; i++) {
        changes.remove(51 + i * 300L, DemoChanges.Removal.DELETED);
        changes.create(new JsonObject().put("displayName", "Created " + i));
      }
      long seq = Sql.count("SELECT COALESCE(max(seq), 0) FROM user_changes");
      before = calls(demo);
      long started = System.nanoTime();
      JsonObject cycle = Bus.call(vertx, SyncAddresses.FOLLOW, new JsonObject());
      double cycleMs = (System.nanoTime() - started) / 1e6;
      long incrementalCalls = calls(demo) - before;
      long updated = Sql.count("SELECT count(*) FROM user_changes WHERE seq > " + seq + " AND kind = 'updated'");
      long removed = Sql.count("SELECT count(*) FROM user_changes WHERE seq > " + seq + " AND kind = 'removed'");
      long created = Sql.count("SELECT count(*) FROM user_changes WHERE seq > " + seq + " AND kind = 'created'");
      System.out.printf("delta: full walk %d calls, first delta round %d calls, incremental cycle %d call(s) in %.1f ms; "
        + "feed: %d updated, %d removed, %d created (%s)%n", walkCalls, firstRoundCalls, incrementalCalls, cycleMs,
        updated, removed, created, cycle.getString("message"));
      report.add("upstream calls of an incremental delta cycle (2,000 users, pages of 20, 1 % changed)", incrementalCalls, "calls",
        "a full walk of the same directory", walkCalls, "≤ 0.02");
      report.add("changes in the feed after the cycle (10 updated, 5 removed, 5 created)", updated + removed + created, "changes",
        "changes made in the directory", 20, "= 1");
    } finally {
      Stack.close(vertx);
      Stack.close(directoryVertx);
    }
  }

  /** Calls of the directory's users API: every request but the token endpoint's. */
  private static long calls(DemoDirectoryVerticle demo) {
    return demo.requests() - demo.tokensIssued();
  }
}
