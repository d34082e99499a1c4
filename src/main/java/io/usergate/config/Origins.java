package io.usergate.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Browser origins ({@code scheme://host[:port]}) as {@code http.allowedOrigins} lists them and as the
 * web's origin policy compares them: here, so that the configuration checks the list when it is
 * resolved (naming its layer) without depending on the web package.
 */
public final class Origins {

  private Origins() {
  }

  /**
   * Parses {@code http.allowedOrigins}: comma-separated {@code scheme://host[:port]} origins (http or
   * https, no path), normalised as browsers send them (lower case, no default port). Blank: none.
   *
   * @throws IllegalArgumentException naming the entry that is not an origin
   */
  public static List<String> parseAllowList(String value) {
    List<String> origins = new ArrayList<>();
    if (value == null || value.isBlank()) {
      return origins;
    }
    Set<String> seen = new LinkedHashSet<>();
    for (String entry : value.split(",", -1)) {
      String trimmed = entry.trim();
      if (trimmed.isEmpty()) {
        throw new IllegalArgumentException("holds an empty entry; list origins separated by commas");
      }
      String origin = normalise(trimmed);
      if (origin == null) {
        throw new IllegalArgumentException("entry \"" + trimmed + "\" is not an origin: expected scheme://host[:port]"
          + " with scheme http or https and no path, such as http://app.example:3000");
      }
      if (seen.add(origin)) {
        origins.add(origin);
      }
    }
    return origins;
  }

  /** {@code scheme://host[:port]} in the form browsers send (lower case, no default port); null if it is not one. */
  public static String normalise(String text) {
    URI uri;
    try {
      uri = new URI(text);
    } catch (URISyntaxException e) {
      return null;
    }
    String scheme = uri.getScheme() == null ? null : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!("http".equals(scheme) || "https".equals(scheme)) || uri.getHost() == null || uri.getRawUserInfo() != null
      || !uri.getRawPath().isEmpty() || uri.getRawQuery() != null || uri.getRawFragment() != null
      || text.endsWith(":")) {
      return null;
    }
    int port = uri.getPort();
    if (port == 0 || port > 65535) {
      return null;
    }
    if (port == ("http".equals(scheme) ? 80 : 443)) {
      port = -1;
    }
    return scheme + "://" + uri.getHost().toLowerCase(Locale.ROOT) + (port == -1 ? "" : ":" + port);
  }
}
