package io.usergate.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Headless Chromium as a child process (Debian's {@code chromium}; {@code scripts/test} installs it), each
 * run with a fresh profile under {@code target/}. Only the processes it started are ever ended.
 */
public final class Chromium implements AutoCloseable {

  private final Process process;
  private final Path out;
  private final Path log;
  private final Path profile;

  private Chromium(Process process, Path out, Path log, Path profile) {
    this.process = process;
    this.out = out;
    this.log = log;
    this.profile = profile;
  }

  /** The browser's path: {@code /usr/bin/chromium}, or a {@code chromium} on the PATH; empty if none. */
  public static Optional<Path> binary() {
    List<Path> candidates = new ArrayList<>(List.of(Path.of("/usr/bin/chromium")));
    String path = System.getenv("PATH");
    if (path != null) {
      for (String dir : path.split(":")) {
        if (!dir.isEmpty()) {
          candidates.add(Path.of(dir, "chromium"));
        }
      }
    }
    return candidates.stream().filter(Files::isExecutable).findFirst();
  }

  /** Fails the test when there is no browser: a browser test that skipped itself would pass unseen. */
  public static void assertInstalled() {
    assertTrue(binary().isPresent(), "Chromium is not installed (no /usr/bin/chromium, no chromium on the PATH): "
      + "scripts/test installs it (apt-get install chromium)");
  }

  /**
   * Opens {@code url} and keeps the browser running (until {@link #close()}): for pages that report by
   * themselves. {@code extraFlags} such as {@code --host-resolver-rules=...}.
   */
  public static Chromium open(String name, String url, String... extraFlags) throws IOException {
    Path dir = TestConfig.projectDir().resolve("target/browser").toAbsolutePath();
    Path profile = dir.resolve("profile-" + name + "-" + ProcessHandle.current().pid() + "-" + System.nanoTime());
    Files.createDirectories(profile);
    Path out = dir.resolve(name + ".out");
    Path log = dir.resolve(name + ".log");
    List<String> command = new ArrayList<>(List.of(binary().orElseThrow().toString(), "--headless", "--no-sandbox",
      "--disable-gpu", "--no-first-run", "--no-default-browser-check", "--disable-extensions",
      "--disable-background-networking", "--disable-component-update", "--disable-sync",
      "--user-data-dir=" + profile));
    command.addAll(List.of(extraFlags));
    command.add(url);
    Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(log.toFile()).start();
    return new Chromium(process, out, log, profile);
  }

  /**
   * Loads {@code url}, lets the page run for {@code virtualTimeMs} of virtual time (timers run, and
   * virtual time stands still while a request is in flight), and returns the DOM as the page left it.
   * {@code extraFlags} as for {@link #open}.
   */
  public static String dumpDom(String name, String url, long virtualTimeMs, Duration deadline, String... extraFlags) throws Exception {
    List<String> flags = new ArrayList<>(List.of("--dump-dom", "--virtual-time-budget=" + virtualTimeMs));
    flags.addAll(List.of(extraFlags));
    try (Chromium browser = open(name, url, flags.toArray(String[]::new))) {
      if (!browser.process.waitFor(deadline.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new AssertionError("chromium --dump-dom " + url + " did not finish within " + deadline + ":\n" + browser.logTail());
      }
      return Files.readString(browser.out, StandardCharsets.UTF_8);
    }
  }

  /** Completes when the browser exits (by itself: a crash, or --dump-dom done). */
  public CompletableFuture<Process> exited() {
    return process.onExit();
  }

  /** The last lines of the browser's output, for failure messages. */
  public String logTail() {
    return ChildProcesses.logTail(log, 30);
  }

  /** Ends this browser: its own child processes first, then itself. */
  @Override
  public void close() throws InterruptedException {
    ChildProcesses.endTree(process, Duration.ofSeconds(10));
    try {
      TestDatabase.deleteRecursively(profile);
    } catch (UncheckedIOException e) {
      // A renderer that was still writing: the profile is under target/ anyway.
    }
  }
}
