package io.usergate.config;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

class IgnoredVariablesTest {

  @Test
  @DisplayName("a mistyped USERGATE_ variable is ignored with the nearest key's variable, never with its value")
  void mistypedKey() {
    List<IgnoredVariables.Ignored> ignored = IgnoredVariables.in(Map.of("USERGATE_UPSTREAM_MAX_RATE_PER_SECND", "5",
      "USERGATE_AUTH_TOKN", "s3cret-value"));
    assertEquals(List.of(
      new IgnoredVariables.Ignored("USERGATE_AUTH_TOKN", "USERGATE_AUTH_TOKEN"),
      new IgnoredVariables.Ignored("USERGATE_UPSTREAM_MAX_RATE_PER_SECND", "USERGATE_UPSTREAM_MAX_RATE_PER_SECOND")), ignored);
    assertEquals("USERGATE_UPSTREAM_MAX_RATE_PER_SECND names no configuration key and is ignored; "
      + "did you mean USERGATE_UPSTREAM_MAX_RATE_PER_SECOND?", ignored.get(1).warning());
    assertFalse(ignored.get(0).warning().contains("s3cret-value"), ignored.get(0).warning());
  }

  @Test
  @DisplayName("a variable near no key is ignored with no suggestion; USERGATE_LOG_LEVEL is suggested too")
  void noSuggestion() {
    assertEquals(List.of(new IgnoredVariables.Ignored("USERGATE_LOG_LEVL", "USERGATE_LOG_LEVEL"),
        new IgnoredVariables.Ignored("USERGATE_SOMETHING_ELSE", null)),
      IgnoredVariables.in(Map.of("USERGATE_SOMETHING_ELSE", "x", "USERGATE_LOG_LEVL", "DEBUG")));
    assertEquals("USERGATE_SOMETHING_ELSE names no configuration key and is ignored (usergate --help lists the keys)",
      new IgnoredVariables.Ignored("USERGATE_SOMETHING_ELSE", null).warning());
  }

  @Test
  @DisplayName("every key's variable, the variables usergate reads elsewhere, Kubernetes' service links and other prefixes pass silently")
  void knownVariablesPass() {
    Map<String, String> environment = new HashMap<>();
    for (ConfigKey key : ConfigKeys.ALL) {
      environment.put(key.environmentName(), "whatever");
    }
    environment.putAll(Map.of("USERGATE_LOG_LEVEL", "DEBUG", "USERGATE_URL", "http://10.0.0.5:8080", "USERGATE_PG_DUMP", "/usr/bin/pg_dump",
      "USERGATE_SERVICE_HOST", "10.0.0.11", "USERGATE_SERVICE_PORT", "8080", "USERGATE_PORT", "tcp://10.0.0.11:8080",
      "USERGATE_PORT_8080_TCP_ADDR", "10.0.0.11", "PATH", "/usr/bin", "USERGATEX_HTTP_PORT", "1", "usergate_http_port", "1"));
    assertEquals(List.of(), IgnoredVariables.in(environment));
  }

  @Test
  @DisplayName("the edits allowed grow with the name: one for a short one, at most three")
  void allowedEdits() {
    assertEquals(1, IgnoredVariables.allowedEdits("USERGATE_PG_HOS"));
    assertEquals(2, IgnoredVariables.allowedEdits("USERGATE_HTTP_PROT"));
    assertEquals(3, IgnoredVariables.allowedEdits("USERGATE_UPSTREAM_MAX_RATE_PER_SECND"));
  }
}
