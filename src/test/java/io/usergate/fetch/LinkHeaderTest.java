package io.usergate.fetch;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** RFC 8288 Link headers as directories send them. */
class LinkHeaderTest {

  @Test
  @DisplayName("Okta's two links, self then next, unquoted rel: the next one's target as written")
  void okta() {
    String header = "<https://org.okta.com/api/v1/users?limit=200>; rel=\"self\", "
      + "<https://org.okta.com/api/v1/users?after=00ubfjQEMYBLRUWIEDKK&limit=200>; rel=\"next\"";
    assertEquals("https://org.okta.com/api/v1/users?after=00ubfjQEMYBLRUWIEDKK&limit=200", LinkHeader.target(List.of(header), "next"));
  }

  @Test
  @DisplayName("quoted parameters with commas, semicolons and escapes, several relation types, any case, links over several lines")
  void quotedAndSeveral() {
    String first = "</a?x=1,2>; title=\"one, two; \\\"three\\\"\"; rel=\"prev first\"";
    String second = "</b>; rel=\"LAST Next\"; type=application/json";
    assertEquals("/b", LinkHeader.target(List.of(first, second), "next"));
    assertEquals("/a?x=1,2", LinkHeader.target(List.of(first + ", " + second), "first"));
    assertEquals("/b", LinkHeader.target(List.of(first + ",\t" + second), "next"));
  }

  @Test
  @DisplayName("no next link, or none at all: null; only the first rel parameter counts")
  void none() {
    assertNull(LinkHeader.target(List.of("</a>; rel=self"), "next"));
    assertNull(LinkHeader.target(List.of(), "next"));
    assertNull(LinkHeader.target(List.of(""), "next"));
    assertNull(LinkHeader.target(List.of("</a>; rel=self; rel=next"), "next"));
    assertNull(LinkHeader.target(List.of("</a>; rel=nextpage"), "next"));
  }

  @Test
  @DisplayName("a header that does not parse is an error, never taken for the last page")
  void malformed() {
    for (String broken : new String[]{"https://x/a; rel=next", "</a; rel=next", "</a>; rel=\"next", "</a> rel=next"}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LinkHeader.target(List.of(broken), "next"));
      assertTrue(e.getMessage().startsWith("the Link header does not parse"), e.getMessage());
    }
  }
}
