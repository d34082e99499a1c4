package io.usergate.fetch;

import io.usergate.config.Section;

/**
 * Where the directory's tokens come from ({@code upstream.tokenUrl}, {@code upstream.clientId},
 * {@code upstream.clientSecret}, {@code upstream.tokenScope}, {@code upstream.tokenAudience},
 * {@code upstream.clientAuth}), for {@link ClientCredentials}. Its {@code toString} (the settings' one, the
 * start log) masks the secret; the configuration checked at start that all of them are set, or none.
 *
 * @param basicAuth {@code upstream.clientAuth basic}: the client authenticates with an Authorization header;
 *                  {@code post}: with client_id and client_secret in the form
 */
public record TokenEndpoint(String url, String clientId, String clientSecret, String scope, String audience,
                            boolean basicAuth) {

  /** The endpoint the {@code upstream} section names, or null when it names none (no token). */
  static TokenEndpoint from(Section upstream) {
    String url = upstream.string("tokenUrl");
    if (url == null) {
      return null;
    }
    return new TokenEndpoint(url, upstream.string("clientId"), upstream.string("clientSecret"),
      upstream.string("tokenScope"), upstream.string("tokenAudience"), "basic".equals(upstream.string("clientAuth")));
  }

  @Override
  public String toString() {
    return "token from " + url + " for client " + clientId + " (secret masked, client auth " + (basicAuth ? "basic" : "post")
      + (scope == null ? "" : ", scope " + scope) + (audience == null ? "" : ", audience " + audience) + ")";
  }
}
