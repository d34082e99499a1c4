package io.usergate.log;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@code log.format}: {@code text} (logback.xml's pattern) or {@code json} (logback's own JsonEncoder, one object a line). */
public final class LogFormat {

  public static final String TEXT = "text";
  public static final String JSON = "json";
  private static final String APPENDER = "STDOUT";

  private LogFormat() {
  }

  /** Switches the console to {@code format}; called once, when the configuration is known. */
  public static void apply(String format) {
    if (!JSON.equals(format) || !(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
      return;
    }
    if (!(context.getLogger(Logger.ROOT_LOGGER_NAME).getAppender(APPENDER) instanceof OutputStreamAppender<ILoggingEvent> console)) {
      return;
    }
    JsonEncoder encoder = new JsonEncoder();
    encoder.setContext(context);
    // time, level, logger, thread, message, mdc (requestId), throwable: what a log pipeline indexes.
    encoder.setWithSequenceNumber(false);
    encoder.setWithNanoseconds(false);
    encoder.setWithContext(false);
    encoder.setWithArguments(false);
    encoder.setWithMessage(false);
    encoder.setWithFormattedMessage(true);
    encoder.start();
    console.stop();
    console.setEncoder(encoder);
    console.start();
  }
}
