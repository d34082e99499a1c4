package io.usergate.fetch;

import io.usergate.error.ErrorCode;
import io.vertx.core.MultiMap;
import io.vertx.core.json.JsonObject;
import io.vertx.core.json.pointer.JsonPointer;
import io.vertx.uritemplate.UriTemplate;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * How the directory pages its list ({@code sync.listNext}): where a page is asked for, and where the page
 * after it is. A page's position is {@code {"offset": n}} (the entries before it) or {@code {"cursor": "..."}}
 * (what the directory gave for it: a URL, or a token).
 * <ul>
 *   <li>{@code offset}: the position in {@code sync.listPath}; a page shorter than asked, or the total reached, is the last.</li>
 *   <li>{@code scim}: the same through {@code startIndex} (1-based) and {@code count}; the last is empty or reaches
 *       {@code totalResults} (a server may answer fewer than asked: the next page starts after what it answered).</li>
 *   <li>{@code link}: the {@code Link} header's {@code rel="next"} URL, followed as given.</li>
 *   <li>{@code url}: the URL at {@code sync.listNextPointer} (Graph's {@code /@odata.nextLink}), followed as given.</li>
 *   <li>{@code token}: the token at {@code sync.listNextPointer} (Google's {@code /nextPageToken}), sent back on the
 *       first page's URI as the query parameter {@code sync.listTokenParam}.</li>
 * </ul>
 * A next URL is followed only to the origin of {@code upstream.baseUrl}: the calls carry the directory's
 * credentials, and a list must not send them elsewhere.
 */
final class ListPaging {

  enum Mode {
    OFFSET, SCIM, LINK, URL, TOKEN;

    static Mode of(String name) {
      return valueOf(name.toUpperCase(Locale.ROOT));
    }

    /** The next page's position is known before this one arrives: pages can be asked for ahead. */
    boolean positional() {
      return this == OFFSET || this == SCIM;
    }
  }

  /** A cursor page answered with one of these: the directory no longer takes the cursor (expired, unknown). */
  private static final List<Integer> REFUSALS = List.of(400, 404, 410);

  private final Mode mode;
  private final URI origin;
  private final String basePath;
  private final UriTemplate listPath;
  private final JsonPointer nextPointer;
  private final String nextPointerText;
  private final String tokenParam;

  /** {@code baseUrl}: upstream.baseUrl; {@code listPath}: sync.listPath (not blank). */
  ListPaging(String mode, String baseUrl, String listPath, JsonPointer nextPointer, String tokenParam) {
    this.mode = Mode.of(mode);
    URI base = URI.create(baseUrl);
    this.origin = URI.create(base.getScheme() + "://" + base.getRawAuthority());
    this.basePath = base.getPath() == null || base.getPath().equals("/") ? "" : base.getPath().replaceAll("/$", "");
    this.listPath = UriTemplate.of(listPath);
    this.nextPointer = nextPointer;
    this.nextPointerText = nextPointer.toString();
    this.tokenParam = tokenParam;
  }

  Mode mode() {
    return mode;
  }

  /** The position's cursor, or null for an offset. */
  static String cursor(JsonObject position) {
    return position.getValue("cursor") instanceof String cursor ? cursor : null;
  }

  /**
   * The URI (path and query, for the directory's origin) of the page at {@code position}, {@code limit} users.
   *
   * @throws io.usergate.error.UsergateException UPSTREAM_ERROR for a URL cursor that leaves the directory's origin
   */
  String uri(JsonObject position, int limit) {
    String cursor = cursor(position);
    if (cursor == null) {
      return basePath + listPath.expandToString(ListPage.variables(position.getLong("offset", 0L), limit));
    }
    if (mode == Mode.TOKEN) {
      return withToken(basePath + listPath.expandToString(ListPage.variables(0, limit)), cursor);
    }
    URI next = followable(cursor, cursor);
    return next.getRawPath() + (next.getRawQuery() == null ? "" : "?" + next.getRawQuery());
  }

  /** Whether {@code status} to the page at {@code position} says the directory refused its cursor. */
  boolean refused(JsonObject position, int status) {
    return cursor(position) != null && REFUSALS.contains(status);
  }

  /**
   * Where the page after {@code page} is, asked at {@code position} for {@code limit} users with {@code uri}, or
   * null when it is the last: from the page's count (offset, scim), its {@code Link} header (link) or its body
   * (url, token). A next link that does not parse, or leaves the directory's origin, is UPSTREAM_ERROR: the walk
   * stops there rather than end early or follow it.
   */
  JsonObject next(JsonObject position, int limit, String uri, MultiMap headers, Object body, ListPage page) {
    long offset = position.getLong("offset", 0L);
    switch (mode) {
      case OFFSET -> {
        boolean last = page.entries() < limit || page.total() != null && offset + page.entries() >= page.total();
        return last ? null : new JsonObject().put("offset", offset + page.entries());
      }
      case SCIM -> {
        boolean last = page.entries() == 0 || page.total() != null && offset + page.entries() >= page.total();
        return last ? null : new JsonObject().put("offset", offset + page.entries());
      }
      case LINK -> {
        String target;
        try {
          target = LinkHeader.target(headers.getAll("Link"), "next");
        } catch (IllegalArgumentException malformed) {
          throw ErrorCode.UPSTREAM_ERROR.error("upstream answered GET " + uri + " with " + malformed.getMessage());
        }
        return target == null || target.isEmpty() ? null : cursorAt(resolved(uri, target));
      }
      case URL -> {
        String next = text(body, uri);
        return next == null ? null : cursorAt(resolved(uri, next));
      }
      default -> {
        String token = text(body, uri);
        return token == null ? null : cursorAt(token);
      }
    }
  }

  /**
   * The link at {@code pointer} ({@code key} names it in messages) in {@code body}, answered to {@code uri}: absolute,
   * checked to be on the directory's origin as a next URL is; null when absent or empty.
   */
  String linkAt(JsonPointer pointer, String key, Object body, String uri) {
    Object value = pointer.queryJson(body);
    if (value == null || "".equals(value)) {
      return null;
    }
    if (!(value instanceof String link)) {
      throw ErrorCode.UPSTREAM_ERROR.error("upstream answered GET " + uri + " with a " + value.getClass().getSimpleName()
        + " at " + pointer + " (" + key + "), not a string");
    }
    return resolved(uri, link);
  }

  private static JsonObject cursorAt(String cursor) {
    return new JsonObject().put("cursor", cursor);
  }

  /** The string at sync.listNextPointer; null when absent, null or empty (the last page). */
  private String text(Object body, String uri) {
    Object value = nextPointer.queryJson(body);
    if (value == null || "".equals(value)) {
      return null;
    }
    if (!(value instanceof String text)) {
      throw ErrorCode.UPSTREAM_ERROR.error("upstream answered GET " + uri + " with a " + value.getClass().getSimpleName()
        + " at " + nextPointerText + " (sync.listNextPointer), not a string");
    }
    return text;
  }

  /** {@code next} (absolute, or relative to the request {@code uri}) as an absolute URL, checked. */
  private String resolved(String uri, String next) {
    URI target;
    try {
      URI request = new URI(origin + uri);
      // java.net.URI resolves a query-only reference as RFC 2396 did (dropping the last segment); RFC 3986 keeps the path.
      target = next.startsWith("?") ? new URI(origin + request.getRawPath() + next) : request.resolve(new URI(next));
    } catch (URISyntaxException | IllegalArgumentException e) {
      throw ErrorCode.UPSTREAM_ERROR.error("upstream answered GET " + uri + " with a next page URL that does not parse: "
        + abbreviated(next));
    }
    return followable(target.toString(), uri).toString();
  }

  /** The URL {@code next}, when it is on the directory's origin; {@code from}: where it was given, for the message. */
  private URI followable(String next, String from) {
    URI target;
    try {
      target = new URI(next);
    } catch (URISyntaxException e) {
      throw ErrorCode.UPSTREAM_ERROR.error("the next page URL does not parse: " + abbreviated(next));
    }
    if (!sameOrigin(target)) {
      throw ErrorCode.UPSTREAM_ERROR.error("the directory's next page (after GET " + abbreviated(from) + ") is on another origin, "
        + (target.getScheme() + "://" + target.getRawAuthority()) + ", than upstream.baseUrl (" + origin
        + "): usergate follows a list only on the directory's own origin, with its credentials");
    }
    return target;
  }

  private boolean sameOrigin(URI target) {
    return target.getScheme() != null && target.getHost() != null
      && target.getScheme().equalsIgnoreCase(origin.getScheme())
      && target.getHost().equalsIgnoreCase(origin.getHost())
      && port(target) == port(origin)
      && target.getRawUserInfo() == null;
  }

  private static int port(URI uri) {
    return uri.getPort() != -1 ? uri.getPort() : "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
  }

  /** {@code uri} with {@code token} as the query parameter sync.listTokenParam, in place of any it had. */
  private String withToken(String uri, String token) {
    int question = uri.indexOf('?');
    String path = question < 0 ? uri : uri.substring(0, question);
    List<String> kept = new ArrayList<>();
    if (question >= 0) {
      for (String pair : uri.substring(question + 1).split("&")) {
        String name = URLDecoder.decode(pair.split("=", 2)[0], StandardCharsets.UTF_8);
        if (!pair.isEmpty() && !name.equals(tokenParam)) {
          kept.add(pair);
        }
      }
    }
    kept.add(encode(tokenParam) + "=" + encode(token));
    return path + "?" + String.join("&", kept);
  }

  /** Percent-encoding for a query component (RFC 3986: a space is %20, never +). */
  static String encode(String text) {
    return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private static String abbreviated(String text) {
    return text.length() <= 200 ? text : text.substring(0, 200) + "…";
  }
}
