package io.usergate.config;

import io.usergate.support.TestConfig;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * docs/configuration.md's key table is the key table of the code, rendered: this test fails when they drift.
 * Run it with {@code -Dusergate.writeKeyTable=true} to rewrite that table from the code.
 */
class KeyTableDocTest {

  static final String PAGE = "docs/configuration.md";
  private static final String START = "<!-- keys:start (generated from ConfigKeys by KeyTableDocTest) -->";
  private static final String END = "<!-- keys:end -->";

  static String table() {
    StringBuilder out = new StringBuilder("| key | default | environment | meaning |\n|---|---|---|---|\n");
    for (ConfigKey key : ConfigKeys.ALL) {
      String value = key.defaultValue() == null ? "(empty)" : "`" + key.defaultValue() + "`";
      out.append("| `").append(key.dotted()).append("` | ").append(value).append(" | `").append(key.environmentName())
        .append("` | ").append(key.meaning().replace("|", "\\|")).append(" |\n");
    }
    return out.toString();
  }

  @Test
  @DisplayName("docs/configuration.md documents every key, with the default, environment name and meaning of the code's table")
  void documentedTableIsTheCodeTable() throws IOException {
    Path page = TestConfig.projectDir().resolve(PAGE);
    String text = Files.readString(page);
    int start = text.indexOf(START);
    int end = text.indexOf(END);
    assertTrue(start >= 0 && end > start, PAGE + " has no " + START + " ... " + END + " section");
    String documented = text.substring(start + START.length(), end).strip() + "\n";
    if (Boolean.getBoolean("usergate.writeKeyTable")) {
      Files.writeString(page, text.substring(0, start + START.length()) + "\n" + table() + text.substring(end));
      return;
    }
    assertEquals(table(), documented, PAGE + "'s key table differs from ConfigKeys: run this test with -Dusergate.writeKeyTable=true");
  }
}
