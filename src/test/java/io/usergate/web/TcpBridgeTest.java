package io.usergate.web;

import io.usergate.fetch.FetchVerticle;
import io.usergate.store.StoreVerticle;
import io.usergate.support.BridgeFrames;
import io.usergate.support.FakeDirectory;
import io.usergate.support.TestConfig;
import io.usergate.support.TestDatabase;
import io.usergate.sync.SyncVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetSocket;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The TCP event-bus bridge, spoken to in its own framing: a 4-byte length, then the JSON frame. */
@ExtendWith(VertxExtension.class)
class TcpBridgeTest {

  @Test
  @DisplayName("a client speaking the TCP framing gets the user from usergate.fetch.one; other addresses are access_denied; writes need the token")
  void tcpBridge(Vertx vertx) throws Exception {
    // It counts the jobs it enqueues: none may be there from another test.
    TestDatabase.execute("TRUNCATE sync_jobs");
    FakeDirectory upstream = new FakeDirectory().deployOn(vertx);
    JsonObject config = TestConfig.forTests();
    config.getJsonObject("upstream").put("baseUrl", upstream.baseUrl());
    int tcpPort = TestConfig.tcpBridgeOnFreePort(config);
    config.getJsonObject("auth").put("token", "tcp-token");
    config.getJsonObject("http").put("drainDelayMs", 0);
    DeploymentOptions options = new DeploymentOptions().setConfig(config);
    vertx.deployVerticle(new StoreVerticle(), options).await(10, TimeUnit.SECONDS);
    vertx.deployVerticle(new FetchVerticle(), options).await(10, TimeUnit.SECONDS);
    vertx.deployVerticle(new SyncVerticle(), options).await(10, TimeUnit.SECONDS);
    vertx.deployVerticle(new HttpVerticle(), options).await(10, TimeUnit.SECONDS);

    NetSocket socket = vertx.createNetClient().connect(tcpPort, "127.0.0.1").await(10, TimeUnit.SECONDS);
    // A frame's answer comes to its reply address, or is the bridge's own refusal of an address it does not let
    // through (no address). A refused write is answered once, on its reply address (CallersTest.oneAnswerPerRefusal).
    BridgeFrames frames = new BridgeFrames(socket, (sent, received) ->
      sent.getString("replyAddress").equals(received.getString("address"))
        || received.getString("address") == null && "access_denied".equals(received.getString("message")));
    JsonObject reply = frames.exchange(new JsonObject().put("type", "send").put("address", "usergate.fetch.one")
      .put("body", new JsonObject().put("id", 7)).put("replyAddress", "r1"));
    assertEquals("r1", reply.getString("address"), reply.encode());
    assertEquals(FakeDirectory.user(7), reply.getJsonObject("body"));

    JsonObject denied = frames.exchange(new JsonObject().put("type", "send").put("address", "usergate.store.upsert")
      .put("body", new JsonObject()).put("replyAddress", "r2"));
    assertEquals("err", denied.getString("type"));
    assertEquals("access_denied", denied.getString("message"), denied.encode());

    JsonObject noToken = frames.exchange(new JsonObject().put("type", "send").put("address", "usergate.sync.enqueue")
      .put("body", new JsonObject().put("ids", new JsonArray().add(1))).put("replyAddress", "r3"));
    assertEquals("err", noToken.getString("type"), noToken.encode());

    JsonObject withToken = frames.exchange(new JsonObject().put("type", "send").put("address", "usergate.sync.enqueue")
      .put("headers", new JsonObject().put("Authorization", "Bearer tcp-token"))
      .put("body", new JsonObject().put("ids", new JsonArray().add(1))).put("replyAddress", "r4"));
    assertEquals(1, withToken.getJsonObject("body").getInteger("enqueued"), withToken.encode());
    socket.close().await(5, TimeUnit.SECONDS);
  }
}
