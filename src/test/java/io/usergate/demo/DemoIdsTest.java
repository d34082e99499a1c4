package io.usergate.demo;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DemoIdsTest {

  private static final DemoShape[] SHAPES = {DemoShape.KEYCLOAK, DemoShape.SCIM, DemoShape.OKTA, DemoShape.ENTRA, DemoShape.AUTH0};

  @Test
  @DisplayName("each shape's ids look like its directory's (UUID, 00u + 17, auth0| + 24 hex), distinct, and read back to their number")
  void roundTrip() {
    for (DemoShape shape : SHAPES) {
      Set<String> seen = new HashSet<>();
      for (long n : new long[] {1, 2, 3, 99, 100, 10_000, 99_999_999}) {
        String id = DemoIds.id(shape, n);
        assertTrue(seen.add(id), id);
        assertEquals(n, DemoIds.number(shape, id), shape + " " + id);
        String pattern = switch (shape) {
          case OKTA -> "00u[0-9A-Za-z]{17}";
          case AUTH0 -> "auth0\\|[0-9a-f]{24}";
          default -> "[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}";
        };
        assertTrue(id.matches(pattern), shape + " " + id);
      }
    }
  }

  @Test
  @DisplayName("an id the shape did not make names no user: another shape's, one changed character, a number")
  void foreignIds() {
    String keycloak = DemoIds.id(DemoShape.KEYCLOAK, 5);
    assertEquals(-1, DemoIds.number(DemoShape.SCIM, keycloak));
    assertEquals(-1, DemoIds.number(DemoShape.KEYCLOAK, (keycloak.charAt(0) == 'a' ? "b" : "a") + keycloak.substring(1)));
    assertEquals(-1, DemoIds.number(DemoShape.OKTA, "5"));
    assertEquals(-1, DemoIds.number(DemoShape.AUTH0, "auth0|zz"));
  }
}
