package io.usergate;

import io.usergate.support.TestConfig;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The documentation's relative links lead somewhere: every {@code ](target)} of README.md, CONTRIBUTING.md
 * and docs/*.md names a file that exists, and every {@code #anchor} a heading of its page, as GitHub makes
 * its ids. Links to other sites are not followed (no network in a test).
 */
class DocsLinksTest {

  private static final Pattern LINK = Pattern.compile("\\]\\(([^)\\s]+)\\)");
  private static final Pattern HEADING = Pattern.compile("^(#{1,6})\\s+(.*?)\\s*#*\\s*$");
  private static final Pattern SCHEME = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]*:");

  /** The pages a reader of the repository is sent to. */
  static List<Path> pages(Path project) throws IOException {
    List<Path> pages = new ArrayList<>(List.of(project.resolve("README.md"), project.resolve("CONTRIBUTING.md")));
    try (Stream<Path> docs = Files.list(project.resolve("docs"))) {
      docs.filter(path -> path.toString().endsWith(".md")).sorted().forEach(pages::add);
    }
    return pages;
  }

  /** GitHub's id of a heading: its text as rendered, lower case, punctuation dropped, spaces as hyphens. */
  static String slug(String heading) {
    String text = heading
      .replaceAll("\\[([^\\]]*)\\]\\([^)]*\\)", "$1")
      .replace("`", "")
      .toLowerCase(Locale.ROOT);
    return text.replaceAll("[^\\p{L}\\p{N}\\p{M}\\p{Pc} -]", "").replace(' ', '-');
  }

  /** The lines of a page that are prose: fenced code blocks left out. */
  private static List<String> prose(String text) {
    List<String> lines = new ArrayList<>();
    boolean fenced = false;
    for (String line : text.split("\n", -1)) {
      if (line.stripLeading().startsWith("```")) {
        fenced = !fenced;
        continue;
      }
      if (!fenced) {
        lines.add(line);
      }
    }
    return lines;
  }

  /** The ids of a page's headings, a repeated one numbered as GitHub numbers it (-1, -2, ...). */
  static Set<String> anchors(String text) {
    Set<String> anchors = new LinkedHashSet<>();
    Map<String, Integer> seen = new HashMap<>();
    for (String line : prose(text)) {
      Matcher heading = HEADING.matcher(line);
      if (heading.matches()) {
        String id = slug(heading.group(2));
        int times = seen.merge(id, 1, Integer::sum);
        anchors.add(times == 1 ? id : id + "-" + (times - 1));
      }
    }
    return anchors;
  }

  /** Every broken link of {@code pages}, as "page: target (why)"; {@code counted} gets the links checked. */
  static List<String> brokenLinks(Path project, List<Path> pages, List<String> counted) {
    List<String> broken = new ArrayList<>();
    Map<Path, Set<String>> anchorsOf = new HashMap<>();
    for (Path page : pages) {
      String name = project.relativize(page).toString();
      for (String line : prose(read(page))) {
        // Code spans may hold "](" that is no link; a link's text may hold a code span, which is kept as text.
        Matcher link = LINK.matcher(line.replaceAll("`[^`]*`", "code"));
        while (link.find()) {
          String target = link.group(1);
          if (SCHEME.matcher(target).find()) {
            continue;
          }
          counted.add(name + ": " + target);
          int hash = target.indexOf('#');
          String file = hash < 0 ? target : target.substring(0, hash);
          String anchor = hash < 0 ? null : target.substring(hash + 1);
          Path resolved = file.isEmpty() ? page : page.getParent().resolve(file).normalize();
          if (!Files.exists(resolved)) {
            broken.add(name + ": " + target + " (no file " + project.relativize(resolved) + ")");
          } else if (anchor != null) {
            if (!resolved.toString().endsWith(".md")) {
              broken.add(name + ": " + target + " (an anchor in a file that is not Markdown)");
            } else if (!anchorsOf.computeIfAbsent(resolved, path -> anchors(read(path))).contains(anchor)) {
              broken.add(name + ": " + target + " (no heading #" + anchor + " in " + project.relativize(resolved) + ")");
            }
          }
        }
      }
    }
    return broken;
  }

  private static String read(Path path) {
    try {
      return Files.readString(path);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  @DisplayName("every relative link of README.md, CONTRIBUTING.md and docs/*.md leads to a file that exists, and every anchor to a heading of it")
  void documentationLinksLeadSomewhere() throws IOException {
    Path project = TestConfig.projectDir();
    List<String> counted = new ArrayList<>();
    List<String> broken = brokenLinks(project, pages(project), counted);
    assertTrue(counted.size() > 50, "the check saw only " + counted.size() + " relative links: " + counted);
    assertEquals(List.of(), broken, "broken links in the documentation");
  }

  @Test
  @DisplayName("a heading's anchor is GitHub's: lower case, punctuation and code marks dropped, spaces as hyphens, repeats numbered")
  void anchorsAreGitHubs() {
    assertEquals("on-kubernetes-opsk8s", slug("On Kubernetes: ops/k8s"));
    assertEquals("browsers-allowed-origins", slug("Browsers: allowed origins"));
    assertEquals("from-a-shell-scriptsbus", slug("From a shell: `scripts/bus`"));
    assertEquals("the-directorys-own-limits", slug("The directory's own limits"));
    assertEquals("a_b--c", slug("A_b — c"));
    assertEquals(Set.of("notes", "notes-1", "real"), anchors("# Notes\n```\n# not a heading\n```\n## Notes\n### Real ###\n"));
  }

  @Test
  @DisplayName("a link to a missing file, or to a missing heading, is reported; code blocks and other sites are not links")
  void brokenLinksAreReported(@TempDir Path project) throws IOException {
    Files.createDirectories(project.resolve("docs"));
    Files.writeString(project.resolve("README.md"), """
      # Front
      See [a](docs/a.md#the-part), [gone](docs/gone.md), [no part](docs/a.md#nowhere), [here](#front),
      [site](https://example.com/x#y), `[code](docs/none.md)`.
      ```
      [fenced](docs/none.md)
      ```
      """);
    Files.writeString(project.resolve("CONTRIBUTING.md"), "[back](README.md#missing)\n");
    Files.writeString(project.resolve("docs/a.md"), "# A\n## The part\n[up](../README.md#front)\n");
    List<String> counted = new ArrayList<>();
    List<String> broken = brokenLinks(project, pages(project), counted);
    assertEquals(6, counted.size(), counted.toString());
    assertEquals(List.of(
      "README.md: docs/gone.md (no file docs/gone.md)",
      "README.md: docs/a.md#nowhere (no heading #nowhere in docs/a.md)",
      "CONTRIBUTING.md: README.md#missing (no heading #missing in README.md)"), broken);
  }
}
