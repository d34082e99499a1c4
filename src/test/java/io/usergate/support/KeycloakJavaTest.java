package io.usergate.support;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import java.util.OptionalInt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which Java runs Keycloak, on folders laid out as JDK homes are (bin/java and a release file). */
class KeycloakJavaTest {

  @TempDir
  Path jvm;

  @Test
  @DisplayName("the newest JDK of 21 or more under the JVM folder is taken, a 17 never")
  void newestOfTwentyOneOrMore() throws IOException {
    jdk("java-17-openjdk-amd64", "17.0.15");
    jdk("java-21-openjdk-amd64", "21.0.7");
    Path newest = jdk("temurin-25-jdk-amd64", "25.0.3");
    jdk("broken-26", null);
    Path running = jdk("running-17", "17.0.15");

    assertEquals(Optional.of(newest), KeycloakJava.find(null, jvm, running));
  }

  @Test
  @DisplayName("USERGATE_KEYCLOAK_JAVA_HOME wins over the JVM folder")
  void explicitHomeWins() throws IOException {
    jdk("temurin-25-jdk-amd64", "25.0.3");
    Path chosen = jdk("elsewhere-21", "21.0.7");

    assertEquals(Optional.of(chosen), KeycloakJava.find(chosen.toString(), jvm, chosen));
  }

  @Test
  @DisplayName("USERGATE_KEYCLOAK_JAVA_HOME naming a Java 17 fails, naming the variable, rather than being passed over")
  void explicitHomeTooOld() throws IOException {
    jdk("temurin-25-jdk-amd64", "25.0.3");
    Path old = jdk("java-17-openjdk-amd64", "17.0.15");

    IllegalStateException failure = assertThrows(IllegalStateException.class,
      () -> KeycloakJava.find(old.toString(), jvm, old));
    assertTrue(failure.getMessage().startsWith(KeycloakJava.ENV + "=" + old), failure.getMessage());
    assertTrue(failure.getMessage().contains("(Java 17)"), failure.getMessage());
  }

  @Test
  @DisplayName("with no JDK of 21 or more in the folder, the test JVM's own is taken when it is one, else none")
  void runningJvmLast() throws IOException {
    jdk("java-17-openjdk-amd64", "17.0.15");
    Path running21 = jdk("running-21", "21.0.7");
    Path running17 = jdk("running-17", "17.0.15");
    Path empty = Files.createDirectory(jvm.resolve("empty"));

    assertEquals(Optional.of(running21), KeycloakJava.find("", empty, running21));
    assertEquals(Optional.empty(), KeycloakJava.find(null, empty, running17));
    assertEquals(OptionalInt.of(17), KeycloakJava.majorVersion(running17));
  }

  /** A JDK home: an executable bin/java and a release file naming {@code version} (none when null). */
  private Path jdk(String name, String version) throws IOException {
    Path home = Files.createDirectories(jvm.resolve(name).resolve("bin")).getParent();
    Path java = Files.writeString(home.resolve("bin").resolve("java"), "#!/bin/sh\n");
    Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
    if (version != null) {
      Files.writeString(home.resolve("release"), "IMPLEMENTOR=\"test\"\nJAVA_VERSION=\"" + version + "\"\n");
    }
    return home;
  }
}
