package io.usergate.fetch;

import io.usergate.bus.SharedJsonCodec;
import io.usergate.cache.Freshness;
import io.usergate.cache.UserCache;
import io.usergate.log.RequestIds;
import io.usergate.store.StoreMessages;
import io.usergate.user.UserId;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * The newest copies of users this node knows, for the fetch verticle to judge: the node's cache first, and
 * the mirror (one {@code store.getMany} for all the ids the cache cannot answer fresh enough). What the mirror
 * gives fills the cache, unless a change of the user came meanwhile (the cache's stamp).
 */
final class KnownCopies {

  private static final Logger LOG = LoggerFactory.getLogger(KnownCopies.class);

  /**
   * A user's copy, when it was fetched from the directory, where it was found ({@code X-Usergate-Source}), and
   * the directory's ETag of it (null: none), for a refresh's If-None-Match.
   */
  record Copy(JsonObject user, Instant fetchedAt, String source, String upstreamEtag) {

    long ageMs(Instant now) {
      return Math.max(0, now.toEpochMilli() - fetchedAt.toEpochMilli());
    }
  }

  private final Vertx vertx;
  private final UserCache cache;
  private final Freshness freshness;
  /** Whether a live call may be conditional: single reads (a bulk read has no ETag). */
  private final BooleanSupplier revalidates;

  KnownCopies(Vertx vertx, UserCache cache, Freshness freshness, BooleanSupplier revalidates) {
    this.vertx = vertx;
    this.cache = cache;
    this.freshness = freshness;
    this.revalidates = revalidates;
  }

  /**
   * The copies of {@code ids} worth judging for a caller with {@code directives}. A hit of the cache costs no
   * mirror read; a failed mirror read leaves what memory holds (the upstream answers the rest), unless the
   * caller accepts only copies ({@code only-if-cached}). A caller that asked for a live answer ({@code no-cache}:
   * a caller's, the sync's) gets them too, never to be answered but to be revalidated (their ETag as
   * If-None-Match), as long as a call may be conditional: the mirror is read only for the ids memory does not
   * hold (memory's copy and the mirror's carry the same ETag, or none); those rows do not fill the cache.
   */
  Future<Map<String, Copy>> find(List<String> ids, Freshness.Directives directives) {
    boolean judged = freshness.consultsMirror(directives);
    if (!judged && !(directives.noCache() && revalidates.getAsBoolean())) {
      return Future.succeededFuture(Map.of());
    }
    Instant now = Instant.now();
    Map<String, Copy> copies = new HashMap<>();
    List<String> unsure = new ArrayList<>();
    for (String id : ids) {
      UserCache.Cached cached = cache.get(id);
      if (cached != null) {
        copies.put(id, new Copy(cached.user(), cached.fetchedAt(), FetchMessages.OneReply.MEMORY, cached.upstreamEtag()));
      }
      boolean enough = judged ? freshness.judge(cached == null ? -1 : cached.ageMs(now), directives) == Freshness.Verdict.HIT
        : cached != null;
      if (cached == null || !enough) {
        unsure.add(id);
      }
    }
    if (unsure.isEmpty()) {
      return Future.succeededFuture(copies);
    }
    long stamp = cache.stamp();
    return StoreMessages.GetMany.request(vertx, unsure, RequestIds.with(SharedJsonCodec.sharedRequestOptions(vertx)))
      .map(stored -> {
        for (StoreMessages.Stored one : stored) {
          String id = UserId.text(one.user().getValue("id"));
          if (judged) {
            cache.offer(id, one.user(), one.fetchedAt(), stamp, one.upstreamEtag());
          }
          Copy read = new Copy(one.user(), one.fetchedAt(), FetchMessages.OneReply.STORE, one.upstreamEtag());
          copies.merge(id, read, (known, fromStore) -> fromStore.fetchedAt().isAfter(known.fetchedAt()) ? fromStore : known);
        }
        return copies;
      })
      .recover(failure -> {
        if (directives.onlyIfCached()) {
          return Future.failedFuture(failure);
        }
        LOG.debug("fetch: mirror read failed, fetching live: {}", failure.getMessage());
        return Future.succeededFuture(copies);
      });
  }

  /** The mirror's copy of one user, of any age (the directory failed: anything is better than an error). */
  Future<Copy> stored(String id, Copy known) {
    if (known != null) {
      return Future.succeededFuture(known);
    }
    return StoreMessages.Get.request(vertx, id, RequestIds.with(SharedJsonCodec.sharedRequestOptions(vertx)))
      .map(stored -> new Copy(stored.user(), stored.fetchedAt(), FetchMessages.OneReply.STORE, stored.upstreamEtag()));
  }
}
