package io.usergate.support;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.stream.Collectors;

/** What usergate logs at WARN and above while a test runs: to assert that a client's mistake logs nothing. */
public final class LogCapture implements AutoCloseable {

  private final Logger logger = (Logger) LoggerFactory.getLogger("io.usergate");
  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

  public LogCapture() {
    appender.start();
    logger.addAppender(appender);
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
  }
}
