package io.usergate.fetch;

import io.usergate.config.Pointers;
import io.usergate.error.ErrorCode;
import io.usergate.error.UsergateException;
import io.vertx.core.MultiMap;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Where a page is asked for, and where the next one is, in each sync.listNext mode. */
class ListPagingTest {

  private static final String BASE = "https://dir.example/api/v1";

  private static ListPaging paging(String mode, String listPath, String pointer, String tokenParam) {
    return new ListPaging(mode, BASE, listPath, Pointers.pointer(pointer), tokenParam);
  }

  private static JsonObject offset(long offset) {
    return new JsonObject().put("offset", offset);
  }

  private static JsonObject cursor(String cursor) {
    return new JsonObject().put("cursor", cursor);
  }

  private static ListPage page(int entries, Long total) {
    return new ListPage(List.of(), List.of(), entries, List.of(), total, null, null, null);
  }

  private static MultiMap headers(String... pairs) {
    MultiMap headers = MultiMap.caseInsensitiveMultiMap();
    for (int i = 0; i < pairs.length; i += 2) {
      headers.add(pairs[i], pairs[i + 1]);
    }
    return headers;
  }

  @Test
  @DisplayName("offset: Keycloak's first/max, Auth0's 0-based page0; a short page or the total reached is the last")
  void offsetMode() {
    ListPaging keycloak = paging("offset", "/users{?first,max}", "", "");
    assertEquals("/api/v1/users?first=40&max=20", keycloak.uri(offset(40), 20));
    assertEquals(offset(60), keycloak.next(offset(40), 20, "/u", headers(), new JsonArray(), page(20, null)));
    assertNull(keycloak.next(offset(40), 20, "/u", headers(), new JsonArray(), page(19, null)));
    assertNull(keycloak.next(offset(40), 20, "/u", headers(), new JsonArray(), page(20, 60L)));
    assertEquals("/api/v1/users?page=2&per_page=20", paging("offset", "/users?page={page0}&per_page={per_page}", "", "")
      .uri(offset(40), 20));
  }

  @Test
  @DisplayName("scim: startIndex 1-based and count; a server's shorter page goes on after what it answered; the end is totalResults or an empty page")
  void scimMode() {
    ListPaging scim = paging("scim", "/Users{?startIndex,count}", "", "");
    assertEquals("/api/v1/Users?startIndex=1&count=20", scim.uri(offset(0), 20));
    assertEquals(offset(15), scim.next(offset(0), 20, "/u", headers(), new JsonObject(), page(15, 100L)));
    assertNull(scim.next(offset(85), 20, "/u", headers(), new JsonObject(), page(15, 100L)));
    assertNull(scim.next(offset(85), 20, "/u", headers(), new JsonObject(), page(0, null)));
    assertFalse(scim.refused(offset(20), 404), "no cursor, so nothing to refuse");
  }

  @Test
  @DisplayName("link: the next link resolved against the request, followed as given (path and query untouched)")
  void linkMode() {
    ListPaging link = paging("link", "/users{?limit}", "", "");
    String first = link.uri(offset(0), 200);
    assertEquals("/api/v1/users?limit=200", first);
    JsonObject next = link.next(offset(0), 200, first, headers("Link", "<" + BASE + "/users?limit=200>; rel=\"self\"",
      "Link", "</api/v1/users?after=00u%2Bx&limit=200>; rel=\"next\""), new JsonArray(), page(200, null));
    assertEquals(cursor(BASE + "/users?after=00u%2Bx&limit=200"), next);
    assertEquals("/api/v1/users?after=00u%2Bx&limit=200", link.uri(next, 200));
    assertEquals(cursor(BASE + "/users?limit=200&after=b"), link.next(offset(0), 200, first,
      headers("Link", "<?limit=200&after=b>; rel=next"), new JsonArray(), page(200, null)));
    assertNull(link.next(next, 200, first, headers("Link", "<" + BASE + "/users>; rel=\"self\""), new JsonArray(), page(3, null)));
    assertTrue(link.refused(next, 410) && link.refused(next, 400) && link.refused(next, 404));
    assertFalse(link.refused(next, 500) || link.refused(offset(0), 404));
  }

  @Test
  @DisplayName("link and url: a next page on another origin (host, port, scheme, user info) is UPSTREAM_ERROR naming both origins")
  void otherOrigins() {
    ListPaging link = paging("link", "/users{?limit}", "", "");
    for (String elsewhere : new String[]{"https://evil.example/api/v1/users?after=x", "http://dir.example/api/v1/users?after=x",
      "https://dir.example:8443/api/v1/users", "https://me@dir.example/api/v1/users", "//evil.example/users"}) {
      UsergateException e = assertThrows(UsergateException.class, () -> link.next(offset(0), 20, "/api/v1/users?limit=20",
        headers("Link", "<" + elsewhere + ">; rel=next"), new JsonArray(), page(20, null)));
      assertEquals(ErrorCode.UPSTREAM_ERROR, e.code());
      assertTrue(e.getMessage().contains("another origin") && e.getMessage().contains("https://dir.example"), e.getMessage());
    }
    // A stored cursor is checked again before it is followed (upstream.baseUrl may have changed since).
    assertThrows(UsergateException.class, () -> link.uri(cursor("https://evil.example/users"), 20));
    assertEquals("/api/v1/users", link.uri(cursor("https://DIR.example:443/api/v1/users"), 20));
  }

  @Test
  @DisplayName("url: Graph's @odata.nextLink at the pointer; absent or null is the last page, a number an error")
  void urlMode() {
    ListPaging graph = paging("url", "/users?$top={limit}", "/@odata.nextLink", "");
    assertEquals("/api/v1/users?$top=20", graph.uri(offset(0), 20));
    JsonObject body = new JsonObject().put("@odata.nextLink", BASE + "/users?$top=20&$skiptoken=RFNwdAIAAQ%3D%3D");
    JsonObject next = graph.next(offset(0), 20, "/api/v1/users?$top=20", headers(), body, page(20, null));
    assertEquals("/api/v1/users?$top=20&$skiptoken=RFNwdAIAAQ%3D%3D", graph.uri(next, 20));
    assertNull(graph.next(next, 20, "/x", headers(), new JsonObject().put("value", new JsonArray()), page(5, null)));
    assertNull(graph.next(next, 20, "/x", headers(), new JsonObject().putNull("@odata.nextLink"), page(5, null)));
    UsergateException e = assertThrows(UsergateException.class,
      () -> graph.next(next, 20, "/x", headers(), new JsonObject().put("@odata.nextLink", 3), page(5, null)));
    assertTrue(e.getMessage().contains("/@odata.nextLink (sync.listNextPointer), not a string"), e.getMessage());
  }

  @Test
  @DisplayName("token: Google's nextPageToken sent back as pageToken, percent-encoded, in place of one already in the template")
  void tokenMode() {
    ListPaging google = paging("token", "/users?maxResults={limit}&pageToken=stale&customer=my_customer", "/nextPageToken", "pageToken");
    JsonObject next = google.next(offset(0), 20, "/x", headers(), new JsonObject().put("nextPageToken", "a+b/c= d&e"), page(20, null));
    assertEquals(cursor("a+b/c= d&e"), next);
    assertEquals("/api/v1/users?maxResults=20&customer=my_customer&pageToken=a%2Bb%2Fc%3D%20d%26e", google.uri(next, 20));
    assertNull(google.next(next, 20, "/x", headers(), new JsonObject().put("nextPageToken", ""), page(20, null)));
    ListPaging documented = paging("token", "/users?customer=my_customer{&maxResults}", "/nextPageToken", "pageToken");
    assertEquals("/api/v1/users?customer=my_customer&maxResults=20", documented.uri(offset(0), 20));
    assertEquals("/api/v1/users?customer=my_customer&maxResults=20&pageToken=t", documented.uri(cursor("t"), 20));
  }
}
