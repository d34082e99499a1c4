package io.usergate.support;

import org.awaitility.core.ConditionTimeoutException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;

/** The fat jar in a child JVM, as {@code scripts/run} starts it: for end-to-end tests. */
public final class ServiceProcess implements AutoCloseable {

  private final Process process;
  private final Path log;
  public final int port;

  private ServiceProcess(Process process, Path log, int port) {
    this.process = process;
    this.log = log;
    this.port = port;
  }

  /** Starts {@code java -jar usergate-fat.jar -conf conf/config.json} with extra environment and arguments. */
  public static ServiceProcess start(String name, Map<String, String> environment, String... extraArgs) {
    try {
      Path jar = Path.of(System.getProperty("usergate.jar", "target/usergate-fat.jar"));
      if (!Files.exists(jar)) {
        throw new IllegalStateException("no fat jar at " + jar + ": run mvn package first");
      }
      int port = freePort();
      Path log = Path.of("target", "it-" + name + ".log");
      List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m", "-jar", jar.toString()));
      command.addAll(List.of(extraArgs));
      ProcessBuilder builder = new ProcessBuilder(command)
        .directory(TestConfig.projectDir().toFile())
        .redirectErrorStream(true)
        .redirectOutput(log.toAbsolutePath().toFile());
      builder.environment().put("USERGATE_HTTP_PORT", String.valueOf(port));
      builder.environment().putAll(environment);
      return new ServiceProcess(builder.start(), log, port);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Polls {@code path} until it answers {@code status}; returns the milliseconds it took (a figure to
   * print, not to assert on). Fails at once, with the log, if the service exits meanwhile.
   */
  public long awaitStatus(String path, int status, Duration within) {
    long start = System.nanoTime();
    try {
      await().atMost(within).pollDelay(Duration.ZERO).until(() -> {
        if (!process.isAlive()) {
          throw new IllegalStateException("the service exited with " + process.exitValue() + ":\n" + log());
        }
        return status(path) == status;
      });
    } catch (ConditionTimeoutException e) {
      throw new IllegalStateException(path + " did not answer " + status + " within " + within + ":\n" + log(), e);
    }
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
  }

  public int status(String path) {
    return ChildProcesses.status("http://127.0.0.1:" + port + path);
  }

  /** Sends SIGTERM. */
  public void terminate() {
    process.destroy();
  }

  /** Sends SIGKILL. */
  public void kill() {
    process.destroyForcibly();
  }

  public long pid() {
    return process.pid();
  }

  /** Waits for the exit; returns the exit code, or throws if it did not exit in time. */
  public int awaitExit(Duration within) throws InterruptedException {
    if (!process.waitFor(within.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new IllegalStateException("the service did not exit within " + within + ":\n" + log());
    }
    return process.exitValue();
  }

  public String log() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroyForcibly();
    }
  }

  /**
   * Starts {@code java [jvmArgs] -jar <dir>/usergate-fat.jar [args]} in {@code dir}, a folder that holds
   * a copy of the jar and nothing else unless the test put it there; HTTP on a free port.
   */
  public static ServiceProcess startIn(Path dir, String name, List<String> jvmArgs, Map<String, String> environment,
                                       String... args) {
    try {
      Path jar = dir.resolve("usergate-fat.jar");
      if (!Files.exists(jar)) {
        Files.copy(Path.of(System.getProperty("usergate.jar", "target/usergate-fat.jar")), jar);
      }
      int port = freePort();
      Path log = Path.of("target", "it-" + name + ".log").toAbsolutePath();
      List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m"));
      command.addAll(jvmArgs);
      command.addAll(List.of("-jar", jar.toString()));
      command.addAll(List.of(args));
      ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile())
        .redirectErrorStream(true).redirectOutput(log.toFile());
      builder.environment().keySet().removeIf(variable -> variable.startsWith("USERGATE_") || variable.startsWith("PG"));
      builder.environment().put("USERGATE_HTTP_PORT", String.valueOf(port));
      builder.environment().putAll(environment);
      return new ServiceProcess(builder.start(), log, port);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Sends SIGINT, as Ctrl-C does. */
  public void interrupt() throws IOException, InterruptedException {
    new ProcessBuilder("kill", "-INT", String.valueOf(process.pid())).inheritIO().start().waitFor();
  }

  public static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
