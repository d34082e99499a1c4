package io.usergate.fetch;

import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.Map;

/**
 * The requests under way that a caller named ({@code requestId} in a {@code fetch.one} or {@code fetch.many}),
 * so that {@code usergate.fetch.cancel} can cancel them: the web publishes it when its HTTP client goes
 * away. Confined to the fetch verticle's context.
 */
final class CancellationRegistry {

  private static final Logger LOG = LoggerFactory.getLogger(CancellationRegistry.class);

  private final Map<String, Cancellation> named = new HashMap<>();

  /** A new cancellation for a request, registered under its {@code requestId} when it has one (not null). */
  Cancellation register(String requestId) {
    Cancellation cancellation = new Cancellation();
    if (requestId != null) {
      named.put(requestId, cancellation);
    }
    return cancellation;
  }

  /** The request {@code requestId} is answered: nothing left to cancel. */
  void forget(String requestId) {
    if (requestId != null) {
      named.remove(requestId);
    }
  }

  /** A {@code usergate.fetch.cancel}: the request it names is cancelled; a malformed one (null) is ignored (a publish has no answer). */
  void cancel(FetchMessages.Cancel request) {
    if (request != null) {
      Cancellation cancellation = named.remove(request.requestId());
      if (cancellation != null) {
        LOG.debug("fetch: request {} cancelled by its caller", request.requestId());
        cancellation.cancel();
      }
    }
  }

  /** Requests that can still be cancelled (for tests). */
  int size() {
    return named.size();
  }
}
