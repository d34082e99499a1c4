package io.usergate.support;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;

import java.util.Collection;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** Event-bus requests from a test thread, and the checks of the error contract on their failures. */
public final class Bus {

  private Bus() {
  }

  /** Counts the messages {@code vertx} sends to {@code address} from now on (an outbound interceptor). */
  public static AtomicInteger countSent(Vertx vertx, String address) {
    AtomicInteger sent = new AtomicInteger();
    vertx.eventBus().addOutboundInterceptor(delivery -> {
      if (address.equals(delivery.message().address())) {
        sent.incrementAndGet();
      }
      delivery.next();
    });
    return sent;
  }

  /** The addresses, in order, of the messages {@code vertx} sends to any of {@code addresses} from now on. */
  public static List<String> recordSent(Vertx vertx, Collection<String> addresses) {
    List<String> sent = new CopyOnWriteArrayList<>();
    vertx.eventBus().addOutboundInterceptor(delivery -> {
      if (addresses.contains(delivery.message().address())) {
        sent.add(delivery.message().address());
      }
      delivery.next();
    });
    return sent;
  }

  public static Message<JsonObject> request(Vertx vertx, String address, JsonObject body) throws Exception {
    Future<Message<JsonObject>> reply = vertx.eventBus().request(address, body, new DeliveryOptions().setSendTimeout(60_000));
    return reply.await(70, TimeUnit.SECONDS);
  }

  public static JsonObject call(Vertx vertx, String address, JsonObject body) throws Exception {
    return request(vertx, address, body).body();
  }

  /** Sends, expects a failure, and returns its error object after checking its type and code. */
  public static JsonObject failure(Vertx vertx, String address, Object body, String code, int status) throws Exception {
    Future<Message<JsonObject>> reply = vertx.eventBus().request(address, body, new DeliveryOptions().setSendTimeout(60_000));
    Throwable failure = reply.transform(done -> Future.succeededFuture(done.cause())).await(70, TimeUnit.SECONDS);
    if (failure == null) {
      fail("expected " + code + " from " + address + " for " + body);
    }
    ReplyException reply0 = assertInstanceOf(ReplyException.class, failure);
    assertEquals(ReplyFailure.RECIPIENT_FAILURE, reply0.failureType());
    assertEquals(status, reply0.failureCode(), reply0.getMessage());
    JsonObject error = new JsonObject(reply0.getMessage()).getJsonObject("error");
    assertEquals(code, error.getString("code"), reply0.getMessage());
    assertEquals(status, error.getInteger("status"));
    assertTrue(error.getString("message") != null && !error.getString("message").isBlank());
    return error;
  }
}
