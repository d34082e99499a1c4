package io.usergate.fetch;

import io.usergate.error.ErrorCode;
import io.usergate.store.StoreMessages;
import io.usergate.user.ActiveRule;
import io.usergate.user.User;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.pointer.JsonPointer;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * How the directory's answers (a status and a body) become results: one user, the bulk endpoint's
 * outcomes per id, a page of the list; or the contract's error ({@code NOT_FOUND}, {@code UPSTREAM_ERROR}),
 * thrown. A status worth retrying (5xx, 429) throws {@link RetryableStatus}: whether to retry, and what
 * the caller gets when the retries are over, is {@link Upstream}'s business. Each {@code request}
 * ({@code "GET /users/7"}) names the call in messages.
 */
final class UpstreamAnswers {

  /** The upstream answered with a status worth retrying (5xx, 429). */
  static final class RetryableStatus extends RuntimeException {
    final int status;

    RetryableStatus(int status) {
      super("upstream answered " + status, null, false, false);
      this.status = status;
    }
  }

  private final Mapping mapping;
  /** What a 401 or 403 asks to check: where the credentials come from. */
  private final String credentials;

  UpstreamAnswers(Mapping mapping) {
    this(mapping, "the credentials in upstream.headers");
  }

  UpstreamAnswers(Mapping mapping, String credentials) {
    this.mapping = mapping;
    this.credentials = credentials;
  }

  /**
   * The user {@code id} in an answer to {@code request} with its ETag ({@code headers}), or, for a 304, the
   * {@code known} copy whose ETag the request sent, confirmed: no body to read, the 304's ETag (or the one sent)
   * kept. A 304 to a request that sent none is the directory's error.
   */
  Fetched fetched(String id, String request, int status, MultiMap headers, Buffer body, KnownCopies.Copy known) {
    String etag = headers.get(HttpHeaders.ETAG);
    if (status == 304) {
      if (known == null || known.upstreamEtag() == null) {
        throw ErrorCode.UPSTREAM_ERROR.error("upstream answered 304 to " + request + ", which sent no If-None-Match", id);
      }
      return new Fetched(User.of(known.user()), StoreMessages.keepableEtag(etag) ? etag : known.upstreamEtag(), true);
    }
    return new Fetched(user(id, request, status, body), StoreMessages.keepableEtag(etag) ? etag : null, false);
  }

  /** The user {@code id} in an answer to {@code request}, mapped, or why it is not one. */
  User user(String id, String request, int status, Buffer body) {
    if (status == 404) {
      throw ErrorCode.NOT_FOUND.error("the upstream has no user " + id, id);
    }
    retryable(status);
    if (status != 200) {
      throw ErrorCode.UPSTREAM_ERROR.error("upstream answered " + status + " to " + request + credentialsHint(status), id);
    }
    Object json;
    try {
      json = Json.decodeValue(body);
    } catch (DecodeException e) {
      throw ErrorCode.UPSTREAM_ERROR.error("upstream answered " + request + " with invalid JSON", id);
    }
    Mapping.Mapped mapped = mapping.one(json, id);
    if (mapped.inactive()) {
      throw mapping.inactiveError(id);
    }
    if (mapped.problem() != null) {
      throw ErrorCode.UPSTREAM_ERROR.error("upstream answered " + request + " with an invalid user: " + mapped.problem(), id);
    }
    return mapped.user();
  }

  /**
   * What the bulk endpoint answered to {@code request}, per id asked: its {@link User}, or the error for that
   * id alone ({@code NOT_FOUND} when the answer leaves it out, as a 404 leaves them all, or marks it inactive under
   * {@code sync.inactive} remove; {@code UPSTREAM_ERROR}
   * for an invalid entry or one given twice, differently). An entry nobody asked for is ignored. An answer
   * that is not a list fails them all (thrown).
   */
  Map<String, Outcome<User>> users(List<String> ids, String request, int status, Buffer body) {
    String what = request + " for " + ids.size() + " ids";
    retryable(status);
    Object json = null;
    if (status == 200) {
      try {
        json = Json.decodeValue(body);
      } catch (DecodeException e) {
        throw ErrorCode.UPSTREAM_ERROR.error("upstream answered " + what + " with invalid JSON");
      }
    } else if (status != 404) {
      throw ErrorCode.UPSTREAM_ERROR.error("upstream answered " + status + " to " + what + credentialsHint(status));
    }
    List<Mapping.Mapped> entries;
    try {
      entries = status == 200 ? mapping.users(json) : List.of();
    } catch (Mapping.NotAList notAList) {
      throw ErrorCode.UPSTREAM_ERROR.error("upstream answered " + what + " with " + notAList.getMessage());
    }
    Map<String, Outcome<User>> results = new LinkedHashMap<>();
    Set<String> asked = new HashSet<>(ids);
    for (Mapping.Mapped entry : entries) {
      if (entry.id() == null || !asked.contains(entry.id())) {
        continue;  // nobody asked for it (or it names no id at all): nothing to store, nothing to answer
      }
      String id = entry.id();
      Outcome<User> result = entry.user() != null ? Outcome.found(entry.user())
        : entry.inactive() ? Outcome.failed(mapping.inactiveError(id)) : Outcome.failed(
        ErrorCode.UPSTREAM_ERROR.error("upstream answered " + what + " with an invalid user " + id + ": " + entry.problem(), id));
      Outcome<User> earlier = results.putIfAbsent(id, result);
      if (earlier != null && !(earlier instanceof Outcome.Found<User> seen && result instanceof Outcome.Found<User> again
        && seen.value().profile().equals(again.value().profile())) && !(inactive(earlier) && inactive(result))) {
        results.put(id, Outcome.failed(
          ErrorCode.UPSTREAM_ERROR.error("upstream answered " + what + " with user " + id + " twice, differently", id)));
      }
    }
    for (String id : ids) {
      results.putIfAbsent(id, Outcome.failed(ErrorCode.NOT_FOUND.error("the upstream has no user " + id, id)));
    }
    return results;
  }

  /**
   * The page of at most {@code limit} users in an answer to {@code request} ({@code totalHeader}: its
   * {@link ListPage#TOTAL_HEADER}, or null), checked as {@link ListPage#of} checks it; a page that is not one
   * is UPSTREAM_ERROR.
   */
  ListPage page(String request, int limit, int status, String totalHeader, Buffer body) {
    return page(listBody(request, status, body), request, limit, totalHeader);
  }

  /** The decoded body of a 200 to {@code request} for a page; another status, or invalid JSON, is UPSTREAM_ERROR. */
  Object listBody(String request, int status, Buffer body) {
    retryable(status);
    if (status != 200) {
      throw ErrorCode.UPSTREAM_ERROR.error("upstream answered " + status + " to " + request + " (sync.listPath)");
    }
    try {
      return Json.decodeValue(body);
    } catch (DecodeException e) {
      throw ErrorCode.UPSTREAM_ERROR.error("upstream answered " + request + " with invalid JSON");
    }
  }

  /** A delta page's entries marked removed, taken out of the decoded body ({@link Mapping#takeRemoved}). */
  List<String> takeRemoved(Object json, JsonPointer marker) {
    return mapping.takeRemoved(json, marker);
  }

  /** The page in a decoded body ({@link #listBody}), checked as {@link ListPage#of} checks it. */
  ListPage page(Object json, String request, int limit, String totalHeader) {
    return ListPage.of(json, totalHeader, limit, request, mapping);
  }

  private static boolean inactive(Outcome<User> outcome) {
    return outcome instanceof Outcome.Failed<User> failed && ActiveRule.isInactive(failed.error());
  }

  private static void retryable(int status) {
    if (status >= 500 || status == 429) {
      throw new RetryableStatus(status);
    }
  }

  /** A refusal of the credentials says which key holds them (never what they are). */
  private String credentialsHint(int status) {
    return status == 401 || status == 403 ? " (check " + credentials + ")" : "";
  }
}
