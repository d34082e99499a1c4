package io.usergate.config;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

class NearestTest {

  @Test
  @DisplayName("the distance counts a letter wrong, missing or extra, and two neighbours swapped, as one edit each")
  void distance() {
    assertEquals(0, Nearest.distance("USERGATE_HTTP_PORT", "USERGATE_HTTP_PORT"));
    assertEquals(1, Nearest.distance("SECND", "SECOND"), "a letter missing");
    assertEquals(1, Nearest.distance("SECOOND", "SECOND"), "a letter extra");
    assertEquals(1, Nearest.distance("SECIND", "SECOND"), "a letter wrong");
    assertEquals(1, Nearest.distance("SECNOD", "SECOND"), "two neighbours swapped");
    assertEquals(3, Nearest.distance("kitten", "sitting"));
    assertEquals(6, Nearest.distance("", "SECOND"));
    assertEquals(6, Nearest.distance("SECOND", ""));
  }

  @Test
  @DisplayName("the nearest candidate within the allowed edits, the first of equally near ones, none when nothing is that close")
  void among() {
    List<String> keys = List.of("USERGATE_UPSTREAM_MAX_RATE_PER_SECOND", "USERGATE_DEMO_MAX_RATE_PER_SECOND", "USERGATE_HTTP_PORT",
      "USERGATE_DEMO_PORT");
    assertEquals(Optional.of("USERGATE_UPSTREAM_MAX_RATE_PER_SECOND"),
      Nearest.among("USERGATE_UPSTREAM_MAX_RATE_PER_SECND", keys, 3));
    assertEquals(Optional.of("USERGATE_DEMO_MAX_RATE_PER_SECOND"), Nearest.among("USERGATE_DEMO_MAX_RTAE_PER_SECOND", keys, 3));
    assertEquals(Optional.of("USERGATE_HTTP_PORT"), Nearest.among("USERGATE_HTTP_PORTS", keys, 1));
    assertEquals(Optional.of("USERGATE_HTTP_PORT"), Nearest.among("USERGATE_XXXX_PORT", keys, 4), "a tie: the first one");
    assertEquals(Optional.empty(), Nearest.among("USERGATE_XXXX_PORT", keys, 3));
    assertEquals(Optional.empty(), Nearest.among("USERGATE_SOMETHING_ELSE", keys, 3));
    assertEquals(Optional.empty(), Nearest.among("USERGATE_HTTP_PORT", List.of(), 3));
  }
}
