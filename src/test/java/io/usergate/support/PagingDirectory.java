package io.usergate.support;

import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.LongStream;

/**
 * A real directory on loopback that lists its users ({@link FakeDirectory#user}) in one of the paging styles of
 * real ones, on {@code GET /users}: {@code offset} as Keycloak ({@code first}, {@code max}, a plain array),
 * {@code scim} ({@code startIndex}, {@code count}, {@code totalResults}, users at {@code /Resources}, at most
 * {@link #SCIM_MAX} a page whatever was asked), {@code link} as Okta ({@code limit}, {@code after}, an absolute
 * {@code Link: <...>; rel="next"} beside a {@code self} link), {@code url} as Graph ({@code $top}, users at
 * {@code /value}, a relative {@code /@odata.nextLink}) and {@code token} as Google ({@code maxResults}, users at
 * {@code /users}, {@code /nextPageToken} sent back as {@code pageToken}). Cursors are opaque and this directory's
 * own: {@link #forgetCursors()} makes it refuse those it gave (410; Graph's 400).
 */
public class PagingDirectory extends LoopbackServer<PagingDirectory> {

  public static final int SCIM_MAX = 15;

  private final String mode;
  private final CopyOnWriteArrayList<Long> listed = new CopyOnWriteArrayList<>();
  /** Cursor → the offset of the page it stands for. */
  private final Map<String, Long> cursors = new ConcurrentHashMap<>();
  private final ConcurrentLinkedQueue<String> requests = new ConcurrentLinkedQueue<>();
  private volatile long delayMs;
  private volatile boolean refuseAll;
  private volatile String nextOrigin;

  /** {@code mode}: offset, scim, link, url or token. */
  public PagingDirectory(String mode) {
    this.mode = mode;
  }

  /** The configuration keys that walk this directory, {@code pageSize} users a page, set in {@code config}. */
  public JsonObject configure(JsonObject config, int pageSize) {
    config.getJsonObject("upstream").put("baseUrl", baseUrl());
    JsonObject sync = config.getJsonObject("sync").put("listNext", mode).put("listPageSize", pageSize);
    switch (mode) {
      case "offset" -> sync.put("listPath", "/users{?first,max}");
      case "scim" -> {
        sync.put("listPath", "/users{?startIndex,count}");
        config.getJsonObject("mapping").put("listPointer", "/Resources");
      }
      case "link" -> sync.put("listPath", "/users{?limit}");
      case "url" -> {
        sync.put("listPath", "/users?$top={limit}").put("listNextPointer", "/@odata.nextLink");
        config.getJsonObject("mapping").put("listPointer", "/value");
      }
      case "token" -> {
        sync.put("listPath", "/users{?maxResults}").put("listNextPointer", "/nextPageToken").put("listTokenParam", "pageToken");
        config.getJsonObject("mapping").put("listPointer", "/users");
      }
      default -> throw new IllegalArgumentException(mode);
    }
    return config;
  }

  public PagingDirectory listed(long from, long to) {
    listed.clear();
    LongStream.rangeClosed(from, to).forEach(listed::add);
    return this;
  }

  /** The directory deletes {@code id}. */
  public PagingDirectory unlist(long id) {
    listed.remove(id);
    return this;
  }

  public PagingDirectory delay(long ms) {
    this.delayMs = ms;
    return this;
  }

  /** The cursors given so far are refused from now on (they expired). */
  public PagingDirectory forgetCursors() {
    cursors.clear();
    return this;
  }

  /** Every cursor is refused, even one just given. */
  public PagingDirectory refuseAllCursors(boolean refuse) {
    this.refuseAll = refuse;
    return this;
  }

  /** The next links (link, url) point to {@code origin} instead of this directory. */
  public PagingDirectory nextOrigin(String origin) {
    this.nextOrigin = origin;
    return this;
  }

  /** The query of every request, in order. */
  public List<String> requests() {
    return new ArrayList<>(requests);
  }

  /** Requests for the first page (no cursor, no position past 0). */
  public long firstPages() {
    return requests().stream().filter(PagingDirectory::first).count();
  }

  private static boolean first(String query) {
    return !query.contains("after=") && !query.contains("skiptoken=") && !query.contains("pageToken=")
      && !query.matches(".*\\bfirst=[1-9].*") && !query.matches(".*\\bstartIndex=([2-9]|1\\d).*");
  }

  @Override
  protected void handle(HttpServerRequest request) {
    requests.add(request.query() == null ? "" : request.query());
    if (!request.path().equals("/users")) {
      request.response().setStatusCode(404).end();
      return;
    }
    String cursorParam = switch (mode) {
      case "link" -> "after";
      case "url" -> "$skiptoken";
      case "token" -> "pageToken";
      default -> null;
    };
    long offset;
    if (cursorParam != null && request.getParam(cursorParam) != null) {
      Long known = refuseAll ? null : cursors.get(request.getParam(cursorParam));
      if (known == null) {
        request.response().setStatusCode(mode.equals("url") ? 400 : 410).putHeader("content-type", "application/json")
          .end("{\"error\":\"unknown or expired cursor\"}");
        return;
      }
      offset = known;
    } else {
      offset = switch (mode) {
        case "offset" -> Long.parseLong(request.getParam("first", "0"));
        case "scim" -> Long.parseLong(request.getParam("startIndex", "1")) - 1;
        default -> 0;
      };
    }
    int size = Integer.parseInt(switch (mode) {
      case "offset" -> request.getParam("max");
      case "scim" -> request.getParam("count");
      case "link" -> request.getParam("limit");
      case "url" -> request.getParam("$top");
      default -> request.getParam("maxResults");
    });
    if (mode.equals("scim")) {
      size = Math.min(size, SCIM_MAX);
    }
    List<Long> ids = new ArrayList<>(listed);
    JsonArray users = new JsonArray();
    for (long i = offset; i < Math.min(ids.size(), offset + size); i++) {
      users.add(FakeDirectory.user(ids.get((int) i)));
    }
    boolean more = offset + users.size() < ids.size() && !users.isEmpty();
    String cursor = null;
    if (more && cursorParam != null) {
      cursor = UUID.randomUUID() + "+/=";
      cursors.put(cursor, offset + users.size());
    }
    String origin = nextOrigin != null ? nextOrigin : baseUrl();
    var response = request.response().putHeader("content-type", "application/json");
    Object body = switch (mode) {
      case "scim" -> new JsonObject().put("schemas", new JsonArray().add("urn:ietf:params:scim:api:messages:2.0:ListResponse"))
        .put("totalResults", ids.size()).put("itemsPerPage", users.size()).put("startIndex", offset + 1).put("Resources", users);
      case "url" -> new JsonObject().put("value", users).put("@odata.nextLink", cursor == null ? null
        : (nextOrigin != null ? nextOrigin : "") + "/users?$top=" + size + "&$skiptoken=" + encode(cursor));
      case "token" -> new JsonObject().put("users", users).put("nextPageToken", cursor);
      default -> users;
    };
    if (mode.equals("link")) {
      String self = "<" + baseUrl() + "/users?" + request.query() + ">; rel=\"self\"";
      response.putHeader("Link", cursor == null ? self
        : self + ", <" + origin + "/users?after=" + encode(cursor) + "&limit=" + size + ">; rel=\"next\"; title=\"a, b\"");
    }
    Runnable answer = () -> response.end(body instanceof JsonObject object ? object.encode() : ((JsonArray) body).encode());
    if (delayMs > 0) {
      vertx.setTimer(delayMs, t -> answer.run());
    } else {
      answer.run();
    }
  }

  private static String encode(String text) {
    return URLEncoder.encode(text, StandardCharsets.UTF_8);
  }
}
