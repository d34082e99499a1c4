package io.usergate.log;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import org.slf4j.MDC;
import org.slf4j.Marker;

/**
 * Puts the request id of the Vert.x context that logs ({@link RequestIds#current()}) into the MDC at the
 * moment of each log call, so that the pattern ({@code %X{http.request.id}}) and the JSON encoder (a top-level
 * {@code http.request.id}) show it. The context is the source; the thread-local MDC only carries it into the event being made.
 */
public final class RequestIdMdc extends TurboFilter {

  @Override
  public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params, Throwable t) {
    // Disabled levels (most debug calls) cost nothing more than before.
    // Not isEnabledFor: it asks the turbo filters again, this one included.
    if (level != null && level.isGreaterOrEqual(logger.getEffectiveLevel())) {
      String id = RequestIds.current();
      if (id != null) {
        MDC.put(RequestIds.MDC_KEY, id);
      } else {
        MDC.remove(RequestIds.MDC_KEY);
      }
    }
    return FilterReply.NEUTRAL;
  }
}
