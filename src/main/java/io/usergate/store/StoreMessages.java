package io.usergate.store;

import io.usergate.HeaderNames;
import io.usergate.bus.BusReplies.Reply;
import io.usergate.user.User;
import io.usergate.user.UserId;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The bodies of {@link StoreAddresses#GET}, {@link StoreAddresses#GET_MANY} and {@link StoreAddresses#UPSERT}
 * and their replies, read and checked in one place and written in one place. Each request has its
 * {@code request} (the sender's side) and its {@code fromJson} (the store's side).
 */
public final class StoreMessages {

  /** The longest ETag kept: a directory's are short (a hash, a version); a longer one is a mistake. */
  public static final int MAX_ETAG = 512;

  private StoreMessages() {
  }

  /**
   * Whether the store keeps {@code etag} (a directory's, exactly as it came): 1 to {@link #MAX_ETAG} characters,
   * none of them a control character. One that is not is kept by nobody, so that it cannot fail a write.
   */
  public static boolean keepableEtag(Object etag) {
    return etag instanceof String text && !text.isEmpty() && text.length() <= MAX_ETAG
      && text.chars().noneMatch(Character::isISOControl);
  }

  /**
   * A stored user, when it was fetched from the directory, and the directory's ETag of it ({@code upstreamEtag},
   * null when it sent none): what a refresh sends as If-None-Match.
   */
  public record Stored(JsonObject user, Instant fetchedAt, String upstreamEtag) {

    public Stored(JsonObject user, Instant fetchedAt) {
      this(user, fetchedAt, null);
    }

    Reply toReply() {
      return new Reply(user, upstreamEtag == null ? Map.of(HeaderNames.BUS_FETCHED_AT, fetchedAt.toString())
        : Map.of(HeaderNames.BUS_FETCHED_AT, fetchedAt.toString(), HeaderNames.BUS_UPSTREAM_ETAG, upstreamEtag));
    }

    JsonObject toJson() {
      JsonObject json = new JsonObject().put("user", user).put("fetchedAt", fetchedAt.toString());
      return upstreamEtag == null ? json : json.put("upstreamEtag", upstreamEtag);
    }

    /** A reply of {@link StoreAddresses#GET}; one without its fetch time is the store's bug. */
    public static Stored fromMessage(Message<?> message) {
      String fetchedAt = message.headers().get(HeaderNames.BUS_FETCHED_AT);
      if (!(message.body() instanceof JsonObject user)) {
        throw new IllegalStateException(StoreAddresses.GET + " answered " + User.describe(message.body()) + ", not a user");
      }
      try {
        return new Stored(user, Instant.parse(fetchedAt), message.headers().get(HeaderNames.BUS_UPSTREAM_ETAG));
      } catch (DateTimeParseException | NullPointerException notAnInstant) {
        throw new IllegalStateException(StoreAddresses.GET + " answered without a fetch time that reads as an instant: "
          + User.describe(fetchedAt));
      }
    }
  }

  /** {@link StoreAddresses#GET}: one stored user, or {@code NOT_FOUND}. */
  public record Get(String id) {

    public static Get fromJson(JsonObject body) {
      return new Get(UserId.fromField(body, "id"));
    }

    public JsonObject toJson() {
      return new JsonObject().put("id", id);
    }

    public static Future<Stored> request(Vertx vertx, String id, DeliveryOptions options) {
      return vertx.eventBus().request(StoreAddresses.GET, new Get(id).toJson(), options).map(Stored::fromMessage);
    }
  }

  /** {@link StoreAddresses#GET_MANY}: the stored copies of those ids the mirror has, in one statement. */
  public record GetMany(List<String> ids) {

    /** The most ids one request may name. */
    public static final int MAX_IDS = 100_000;

    public static GetMany fromJson(JsonObject body) {
      return new GetMany(UserId.listFromField(body, "ids", MAX_IDS));
    }

    public JsonObject toJson() {
      return new JsonObject().put("ids", new JsonArray(new ArrayList<>(ids)));
    }

    static JsonObject reply(List<Stored> users) {
      JsonArray entries = new JsonArray();
      users.forEach(user -> entries.add(user.toJson()));
      return new JsonObject().put("users", entries);
    }

    public static Future<List<Stored>> request(Vertx vertx, List<String> ids, DeliveryOptions options) {
      return vertx.eventBus().<JsonObject>request(StoreAddresses.GET_MANY, new GetMany(ids).toJson(), options)
        .map(reply -> {
          JsonArray entries = reply.body().getJsonArray("users");
          List<Stored> users = new ArrayList<>(entries.size());
          for (int i = 0; i < entries.size(); i++) {
            JsonObject entry = entries.getJsonObject(i);
            users.add(new Stored(entry.getJsonObject("user"), Instant.parse(entry.getString("fetchedAt")),
              entry.getString("upstreamEtag")));
          }
          return users;
        });
    }
  }

  /**
   * {@link StoreAddresses#UPSERT}: users fetched at {@code fetchedAt} (absent: now), written in one transaction;
   * the reply counts the rows written ({@code upserted}: a row fetched later is kept). {@code etags}: the
   * directory's ETag of each user that came with one, by id. {@code revalidated}: copies the directory
   * confirmed (a 304 to the ETag given, by id), whose fetch time alone moves.
   */
  public record Upsert(List<User> users, Map<String, String> etags, Map<String, String> revalidated, OffsetDateTime fetchedAt) {

    public static Upsert fromJson(JsonObject body) {
      return new Upsert(UserRows.parse(body, "users"), UserRows.etags(body, "etags"), UserRows.etags(body, "revalidated"),
        UserRows.fetchedAt(body));
    }

    /** The request for users given as JSON (as fetched); the store checks them. */
    public static JsonObject toJson(List<JsonObject> users, Instant fetchedAt) {
      return toJson(users, Map.of(), Map.of(), fetchedAt);
    }

    /** The request for users given as JSON with their ETags, and the copies the directory confirmed. */
    public static JsonObject toJson(List<JsonObject> users, Map<String, String> etags, Map<String, String> revalidated,
                                    Instant fetchedAt) {
      JsonObject body = new JsonObject().put("users", new JsonArray(new ArrayList<>(users))).put("fetchedAt", fetchedAt.toString());
      if (!etags.isEmpty()) {
        body.put("etags", new JsonObject(new LinkedHashMap<>(etags)));
      }
      return revalidated.isEmpty() ? body : body.put("revalidated", new JsonObject(new LinkedHashMap<>(revalidated)));
    }

    static JsonObject reply(int upserted) {
      return new JsonObject().put("upserted", upserted);
    }
  }
}
