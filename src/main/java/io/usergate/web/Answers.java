package io.usergate.web;

import io.vertx.core.Future;
import io.vertx.ext.web.RoutingContext;

import java.util.function.Function;

/**
 * How every route that waits for something answers: {@code respond} writes the answer of the result, and
 * anything else (the result failed, {@code respond} threw, the answer could not be written) goes to
 * {@code ctx.fail}, that is to {@link WebErrors}. So the request ends on every path.
 * <p>
 * Not {@code result.onSuccess(respond).onFailure(ctx::fail)}: Vert.x 5 hands what an {@code onSuccess}
 * listener throws to the context's exception handler, not to the request, which then stays open until the
 * client gives up. Not vertx-web's {@code Route.respond} either: it writes the result in such a listener.
 */
final class Answers {

  private Answers() {
  }

  /** Answers {@code ctx} with what {@code respond} writes of {@code result} (it returns the write, {@code response.end(...)}). */
  static <T> void answer(RoutingContext ctx, Future<T> result, Function<? super T, Future<Void>> respond) {
    // compose turns an exception of respond into a failed future, which reaches ctx.fail like any other failure.
    result.compose(respond).onFailure(ctx::fail);
  }
}
