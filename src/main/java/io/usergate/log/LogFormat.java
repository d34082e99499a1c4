package io.usergate.log;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import co.elastic.logging.logback.EcsEncoder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code log.format}: {@code text} (logback.xml's pattern) or {@code json}, one Elastic Common Schema object a
 * line ({@code @timestamp}, {@code log.level}, {@code message}, {@code log.logger}, {@code process.thread.name},
 * {@code http.request.id}, {@code error.type} / {@code error.message} / {@code error.stack_trace}): the field
 * names Elasticsearch, Loki, Datadog and Cloud Logging read without a parsing rule.
 */
public final class LogFormat {

  public static final String TEXT = "text";
  public static final String JSON = "json";
  /** ECS's {@code service.name}; with {@code service.version}, what tells usergate's lines from its neighbours'. */
  static final String SERVICE = "usergate";
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
    EcsEncoder encoder = new EcsEncoder();
    encoder.setContext(context);
    encoder.setServiceName(SERVICE);
    String version = LogFormat.class.getPackage().getImplementationVersion();
    if (version != null) {
      encoder.setServiceVersion(version);
    }
    // The stack trace as one string (error.stack_trace), as the shippers' multiline-free ingestion wants it;
    // no caller data (log.origin): logback would walk the stack of every call to find it.
    encoder.setStackTraceAsArray(false);
    encoder.setIncludeOrigin(false);
    encoder.start();
    console.stop();
    console.setEncoder(encoder);
    console.start();
  }
}
