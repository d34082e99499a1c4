package io.usergate.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * {@code USERGATE_*} variables of the environment that usergate does not read: most often a key mistyped
 * ({@code USERGATE_UPSTREAM_MAX_RATE_PER_SECND}), which would otherwise leave its key at its default without a word.
 * Not a refusal, as a mistyped key in a file is: an environment holds what others put there too (Kubernetes'
 * service links, {@link KubernetesServiceLinks}, pass silently). Each one is a warning at start, with the nearest
 * variable usergate does read, and a line of {@code --print-config}; never with its value, which may be a secret.
 */
public final class IgnoredVariables {

  public static final String PREFIX = "USERGATE_";

  /**
   * Variables read outside the key table: the level of usergate's loggers (logback.xml), the base URL of
   * {@code scripts/bus} (BusClient), and the pg_dump the tests use (support/PgDump).
   */
  static final Set<String> READ_ELSEWHERE = Set.of("USERGATE_LOG_LEVEL", "USERGATE_URL", "USERGATE_PG_DUMP");

  /** A variable that names nothing usergate reads, and the one it most likely meant (null when none is near). */
  public record Ignored(String variable, String suggestion) {

    /** The start's warning. */
    public String warning() {
      return variable + " names no configuration key and is ignored"
        + (suggestion == null ? " (usergate --help lists the keys)" : "; did you mean " + suggestion + "?");
    }
  }

  private IgnoredVariables() {
  }

  /** The ignored variables of {@code environment}, by name. */
  public static List<Ignored> in(Map<String, String> environment) {
    List<String> known = new ArrayList<>();
    for (ConfigKey key : ConfigKeys.ALL) {
      known.add(key.environmentName());
    }
    List<String> suggestions = new ArrayList<>(known);
    suggestions.add("USERGATE_LOG_LEVEL");
    List<Ignored> ignored = new ArrayList<>();
    new TreeMap<>(environment).forEach((name, value) -> {
      if (name.startsWith(PREFIX) && !known.contains(name) && !READ_ELSEWHERE.contains(name)
          && !KubernetesServiceLinks.isServiceLink(name, value)) {
        ignored.add(new Ignored(name, Nearest.among(name, suggestions, allowedEdits(name)).orElse(null)));
      }
    });
    return ignored;
  }

  /** One edit in four letters after the prefix, from one to three: a typo, not another word. */
  static int allowedEdits(String name) {
    return Math.max(1, Math.min(3, (name.length() - PREFIX.length()) / 4));
  }
}
