package io.usergate.support;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.usergate.log.RequestIds;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.stream.Collectors;

/** What usergate logs at WARN and above while a test runs: to assert that a client's mistake logs nothing. */
public final class LogCapture implements AutoCloseable {

  private final Logger logger;
  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
  /** usergate's own level before {@link #everything()} lowered it, to restore on close. */
  private final Level before;
  private final Logger usergate = (Logger) LoggerFactory.getLogger("io.usergate");

  public LogCapture() {
    this((Logger) LoggerFactory.getLogger("io.usergate"), null);
  }

  private LogCapture(Logger logger, Level usergateLevel) {
    this.logger = logger;
    this.before = usergate.getLevel();
    if (usergateLevel != null) {
      usergate.setLevel(usergateLevel);
    }
    appender.start();
    logger.addAppender(appender);
  }

  /**
   * Every line any logger writes (Vert.x, Netty, Hazelcast at their configured levels), usergate's own
   * down to DEBUG: for a test that a value appears in no log line at all.
   */
  public static LogCapture everything() {
    return new LogCapture((Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME), Level.DEBUG);
  }

  /** Every line so far, at any level, with the message and stack trace of its exception when it has one. */
  public List<String> lines() {
    synchronized (appender) {
      return appender.list.stream().map(LogCapture::line).collect(Collectors.toList());
    }
  }

  /** The lines (as {@link #lines()}) written for the request {@code requestId}: its id in their MDC. */
  public List<String> linesWithRequestId(String requestId) {
    synchronized (appender) {
      return appender.list.stream().filter(event -> requestId.equals(event.getMDCPropertyMap().get(RequestIds.MDC_KEY)))
        .map(LogCapture::line).collect(Collectors.toList());
    }
  }

  /** Level, logger, message, then " | class: message" of its exception and of each cause. */
  private static String line(ILoggingEvent event) {
    StringBuilder line = new StringBuilder(event.getLevel() + " " + event.getLoggerName() + " " + event.getFormattedMessage());
    for (var thrown = event.getThrowableProxy(); thrown != null; thrown = thrown.getCause()) {
      line.append(" | ").append(thrown.getClassName()).append(": ").append(thrown.getMessage());
    }
    return line.toString();
  }

  /** The ERROR lines so far, each with its exception class when it has one. */
  public List<String> errors() {
    // The appender's own lock, the one its doAppend holds while it adds a line.
    synchronized (appender) {
      return appender.list.stream().filter(event -> event.getLevel().isGreaterOrEqual(Level.ERROR))
        .map(event -> event.getFormattedMessage()
          + (event.getThrowableProxy() == null ? "" : " (" + event.getThrowableProxy().getClassName() + ")"))
        .collect(Collectors.toList());
    }
  }

  /**
   * How many WARN-or-above lines so far contain {@code fragment}: for a test that waits on something
   * only the log shows. Read under the appender's own lock, the one its {@code doAppend} holds.
   */
  public long warnings(String fragment) {
    synchronized (appender) {
      return appender.list.stream().filter(event -> event.getLevel().isGreaterOrEqual(Level.WARN))
        .filter(event -> event.getFormattedMessage().contains(fragment)).count();
    }
  }

  @Override
  public void close() {
    logger.detachAppender(appender);
    appender.stop();
    usergate.setLevel(before);
  }
}
