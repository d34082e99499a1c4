package io.usergate.fetch;

import io.usergate.error.ErrorCode;
import io.usergate.user.User;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.uritemplate.Variables;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * One page of the directory's paged list, as the walk needs it: the valid users, the ids of those the directory
 * marks inactive under {@code sync.inactive} remove (listed, so not gone from the directory, but to be removed
 * from the mirror), how many entries the page held, the entries that are not users (counted, never stored: a walk that met any removes nothing),
 * the directory's total when it tells it (a {@code total} beside the list, as DummyJSON's and Auth0's, a
 * SCIM {@code totalResults}, or json-server's {@code X-Total-Count} header), and where the next page is
 * ({@link ListPaging}: {@code {"offset": n}} or {@code {"cursor": "..."}}; null: this is the last). A page of the
 * directory's delta query also has the ids it says were removed, and on its last page the delta link (else null).
 */
record ListPage(List<User> users, List<String> inactive, int entries, List<String> problems, Long total, JsonObject next,
                List<String> removed, String deltaLink) {

  static final String TOTAL_HEADER = "X-Total-Count";
  /** Problems named in a reply at the most: the count says how many there were. */
  private static final int MAX_PROBLEMS = 5;

  /**
   * The template variables of the page at {@code offset} of {@code limit} users, under the names
   * directories use: {@code skip}, {@code offset}, {@code _start}, {@code first} (Keycloak) (0-based);
   * {@code startIndex} (SCIM, 1-based); {@code page}, {@code _page} (1-based page number); {@code page0}
   * (0-based page number: Auth0's {@code page}); {@code limit}, {@code _limit}, {@code per_page},
   * {@code max} (Keycloak), {@code count} (SCIM), {@code maxResults} (Google).
   */
  static Variables variables(long offset, int limit) {
    String position = Long.toString(offset);
    String page = Long.toString(offset / limit + 1);
    String size = Integer.toString(limit);
    return Variables.variables()
      .set("skip", position).set("_skip", position).set("offset", position).set("_start", position)
      .set("first", position).set("startIndex", Long.toString(offset + 1))
      .set("page", page).set("_page", page).set("page0", Long.toString(offset / limit))
      .set("limit", size).set("_limit", size).set("per_page", size).set("max", size).set("count", size)
      .set("maxResults", size);
  }

  /**
   * The page in {@code json} (freshly decoded: mapped in place; {@code totalHeader}: the header's value,
   * or null), asked for at most {@code limit} users; {@code what} names the request in messages. Each
   * entry mapped and checked by {@code mapping}. A page with no array at {@code mapping.listPointer}, or
   * with more entries than asked, is UPSTREAM_ERROR: the walk cannot trust its position.
   */
  static ListPage of(Object json, String totalHeader, int limit, String what, Mapping mapping) {
    List<Mapping.Mapped> entries;
    try {
      entries = mapping.users(json);
    } catch (Mapping.NotAList notAList) {
      throw ErrorCode.UPSTREAM_ERROR.error("upstream answered " + what + " with " + notAList.getMessage());
    }
    if (entries.size() > limit) {
      throw ErrorCode.UPSTREAM_ERROR.error("upstream answered " + what + " with " + entries.size() + " users where "
        + limit + " were asked: sync.listPath's limit does not reach it");
    }
    List<User> users = new ArrayList<>();
    List<String> inactive = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    int invalid = 0;
    for (int i = 0; i < entries.size(); i++) {
      Mapping.Mapped entry = entries.get(i);
      String problem = entry.problem();
      if (problem == null && !seen.add(entry.id())) {
        problem = "user " + entry.id() + " appears twice in the page";
      }
      if (problem != null) {
        invalid++;
        if (problems.size() < MAX_PROBLEMS) {
          problems.add("entry " + i + ": " + problem);
        }
        continue;
      }
      if (entry.inactive()) {
        inactive.add(entry.id());
      } else {
        users.add(entry.user());
      }
    }
    if (invalid > problems.size()) {
      problems.add("and " + (invalid - problems.size()) + " more");
    }
    return new ListPage(users, inactive, entries.size(), problems, total(json, totalHeader), null, null, null);
  }

  /** This page, with where the next one is (null: none). */
  ListPage withNext(JsonObject next) {
    return new ListPage(users, inactive, entries, problems, total, next, removed, deltaLink);
  }

  /** This page of a delta query, with the ids it says were removed and its delta link (null but on the last page). */
  ListPage withDelta(List<String> removedIds, String link) {
    return new ListPage(users, inactive, entries, problems, total, next, removedIds, link);
  }

  /** Entries that are not users (an inactive one is a user). */
  int invalid() {
    return entries - users.size() - inactive.size();
  }

  private static Long total(Object json, String header) {
    if (json instanceof JsonObject body) {
      for (String name : new String[]{"total", "totalResults"}) {
        if (body.getValue(name) instanceof Number total && total.longValue() >= 0) {
          return total.longValue();
        }
      }
    }
    if (header != null) {
      try {
        long total = Long.parseLong(header.trim());
        return total >= 0 ? total : null;
      } catch (NumberFormatException malformed) {
        return null;
      }
    }
    return null;
  }

  JsonObject toJson() {
    JsonArray list = new JsonArray();
    users.forEach(user -> list.add(user.profile()));
    JsonObject json = new JsonObject().put("users", list).put("inactive", new JsonArray(new ArrayList<>(inactive)))
      .put("entries", entries).put("invalid", invalid())
      .put("problems", new JsonArray(problems)).put("total", total).put("next", next);
    if (removed != null) {
      json.put("removed", new JsonArray(new ArrayList<>(removed))).put("deltaLink", deltaLink);
    }
    return json;
  }
}
