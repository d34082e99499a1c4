package io.usergate.fetch;

import io.usergate.user.User;

/**
 * What a live call brought: the user, the directory's ETag of it ({@code etag}, null when it sent none or the
 * answer was a bulk read's), and whether the directory answered 304 to a copy usergate held ({@code notModified}:
 * {@code user} is then that copy, confirmed, and only its fetch time changes).
 */
record Fetched(User user, String etag, boolean notModified) {

  /** A user that came whole and with no ETag (the bulk endpoint's). */
  static Fetched of(User user) {
    return new Fetched(user, null, false);
  }
}
