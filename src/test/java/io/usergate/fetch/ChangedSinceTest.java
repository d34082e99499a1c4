package io.usergate.fetch;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ChangedSinceTest {

  private static final Instant SINCE = Instant.parse("2026-12-06T10:00:00.123456Z");

  @Test
  @DisplayName("{since} becomes RFC 3339 in UTC with three digits of milliseconds, percent-encoded; spaces and quotes "
    + "of the filter are encoded where they stand; the position variables stay a template")
  void fillsAndEncodes() {
    assertEquals("2026-12-06T10:00:00.123Z", ChangedSince.text(SINCE));
    assertEquals("2026-12-06T10:00:00.000Z", ChangedSince.text(Instant.parse("2026-12-06T10:00:00Z")));
    assertEquals("/Users?filter=meta.lastModified%20gt%20%222026-12-06T10%3A00%3A00.123Z%22&startIndex={startIndex}&count={limit}",
      ChangedSince.template("/Users?filter=meta.lastModified gt \"{since}\"&startIndex={startIndex}&count={limit}", SINCE));
    assertEquals("/api/v1/users?filter=lastUpdated%20gt%20%222026-12-06T10%3A00%3A00.123Z%22{&limit}",
      ChangedSince.template("/api/v1/users?filter=lastUpdated gt \"{since}\"{&limit}", SINCE));
  }

  @Test
  @DisplayName("an escape the operator wrote stays as it is; a character beyond ASCII is encoded as UTF-8")
  void keepsEscapes() {
    assertEquals("/u?f=a%20gt%20%222026-12-06T10%3A00%3A00.123Z%22&x=%C3%A9",
      ChangedSince.template("/u?f=a%20gt%20\"{since}\"&x=é", SINCE));
  }

  @Test
  @DisplayName("a brace that is not closed, or one opened inside an expression, is refused")
  void refusesBrokenTemplates() {
    assertThrows(IllegalArgumentException.class, () -> ChangedSince.template("/u?since={since}&count={limit", SINCE));
    assertThrows(IllegalArgumentException.class, () -> ChangedSince.template("/u?{a{b}}", SINCE));
  }
}
