package io.usergate.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The Java that runs Keycloak: Keycloak 26 needs 21 or newer, the build runs on 17. The same lookup as
 * {@code keycloak_java_home} in scripts/lib.sh: {@code USERGATE_KEYCLOAK_JAVA_HOME} when set, else the
 * newest JDK 21+ under /usr/lib/jvm, else the test JVM's own when it is 21+.
 */
public final class KeycloakJava {

  public static final String ENV = "USERGATE_KEYCLOAK_JAVA_HOME";
  public static final int MIN_VERSION = 21;
  static final String MISSING = "Keycloak needs Java " + MIN_VERSION + " or newer, and none was found: set " + ENV
    + " to its home, or install one under /usr/lib/jvm (Temurin 21 or 25, or openjdk-21-jdk-headless where apt has it)";

  private static final Pattern RELEASE_VERSION = Pattern.compile("(?m)^JAVA_VERSION=\"(\\d+)");

  private KeycloakJava() {
  }

  /** The home to run Keycloak with; fails, saying what to install, when there is none. */
  public static Path home() {
    return find(System.getenv(ENV), Path.of("/usr/lib/jvm"), Path.of(System.getProperty("java.home")))
      .orElseThrow(() -> new IllegalStateException(MISSING));
  }

  /**
   * {@code explicit} when set (it must be a Java 21+ home: a wrong setting fails rather than being passed
   * over), else the newest 21+ home under {@code jvmRoot}, else {@code running} when it is 21+.
   */
  static Optional<Path> find(String explicit, Path jvmRoot, Path running) {
    if (explicit != null && !explicit.isBlank()) {
      Path home = Path.of(explicit);
      int version = majorVersion(home).orElse(0);
      if (version < MIN_VERSION) {
        throw new IllegalStateException(ENV + "=" + explicit + " is not the home of a Java " + MIN_VERSION
          + " or newer (" + (version == 0 ? "no bin/java with a release file there" : "Java " + version) + ")");
      }
      return Optional.of(home);
    }
    List<Path> candidates;
    try (Stream<Path> homes = Files.isDirectory(jvmRoot) ? Files.list(jvmRoot) : Stream.empty()) {
      candidates = homes.filter(home -> majorVersion(home).orElse(0) >= MIN_VERSION)
        .sorted(Comparator.comparingInt((Path home) -> majorVersion(home).orElse(0)).reversed()
          .thenComparing(Comparator.naturalOrder()))
        .toList();
    } catch (IOException e) {
      candidates = List.of();
    }
    if (!candidates.isEmpty()) {
      return Optional.of(candidates.get(0));
    }
    return majorVersion(running).orElse(0) >= MIN_VERSION ? Optional.of(running) : Optional.empty();
  }

  /** The feature version a JDK's {@code release} file names, when the home has a {@code bin/java}. */
  static OptionalInt majorVersion(Path home) {
    Path release = home.resolve("release");
    if (!Files.isExecutable(home.resolve("bin").resolve("java")) || !Files.isRegularFile(release)) {
      return OptionalInt.empty();
    }
    try {
      Matcher matcher = RELEASE_VERSION.matcher(Files.readString(release));
      return matcher.find() ? OptionalInt.of(Integer.parseInt(matcher.group(1))) : OptionalInt.empty();
    } catch (IOException | NumberFormatException e) {
      return OptionalInt.empty();
    }
  }
}
