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
 * The README's key table is the key table of the code, rendered: this test fails when they drift.
 * Run it with {@code -Dusergate.writeReadme=true} to rewrite the README's table from the code.
 */
class ReadmeKeysTest {

  private static final String START = "<!-- keys:start (generated from ConfigKeys by ReadmeKeysTest) -->";
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
  @DisplayName("the README documents every key, with the default, environment name and meaning of the code's table")
  void readmeTableIsTheCodeTable() throws IOException {
    Path readme = TestConfig.projectDir().resolve("README.md");
    String text = Files.readString(readme);
    int start = text.indexOf(START);
    int end = text.indexOf(END);
    assertTrue(start >= 0 && end > start, "README.md has no " + START + " ... " + END + " section");
    String documented = text.substring(start + START.length(), end).strip() + "\n";
    if (Boolean.getBoolean("usergate.writeReadme")) {
      Files.writeString(readme, text.substring(0, start + START.length()) + "\n" + table() + text.substring(end));
      return;
    }
    assertEquals(table(), documented, "README.md's key table differs from ConfigKeys: run this test with -Dusergate.writeReadme=true");
  }
}
