# Shared checks for the scripts: say in one line what is missing.
require_tools() {
  if ! command -v java >/dev/null 2>&1; then
    echo "$(basename "$0"): needs a JDK 17 or newer on the PATH (java not found)" >&2; exit 1
  fi
  local version
  version=$(java -XshowSettings:properties -version 2>&1 | sed -n 's/ *java.specification.version = //p')
  if [ "${version%%.*}" -lt 17 ] 2>/dev/null; then
    echo "$(basename "$0"): needs a JDK 17 or newer (found $version)" >&2; exit 1
  fi
  if ! command -v mvn >/dev/null 2>&1; then
    echo "$(basename "$0"): needs Apache Maven on the PATH (mvn not found)" >&2; exit 1
  fi
}

# Builds target/usergate-fat.jar unless it is newer than every source.
build_jar_if_needed() {
  local jar=target/usergate-fat.jar
  if [ ! -f "$jar" ] || [ -n "$(find pom.xml src conf -newer "$jar" -print -quit)" ]; then
    echo "$(basename "$0"): building $jar"
    mvn -q -B -ntp -DskipTests package
  fi
}

# The JVM flags scripts/run uses unless JAVA_OPTS says otherwise (the container takes the same, with its
# heap bound from the container's memory): a small service on a small heap. SerialGC: one collector
# thread, no concurrent work, short pauses on a heap this size; the heap bound keeps the process small;
# the class-data archive (built once per jar by build_cds_if_needed) spares the JVM most of its class loading.
lean_java_opts() {
  echo "-XX:+UseSerialGC -Xms32m -Xmx256m -Xss512k -XX:ReservedCodeCacheSize=64m -XX:MaxMetaspaceSize=160m" \
    "-XX:SharedArchiveFile=target/usergate.jsa -Xshare:auto"
}

# Builds target/usergate.jsa, the class-data archive of a start of the service (AppCDS, JDK 13+), when
# the jar is newer: one start (embedded PostgreSQL in a temporary folder) stopped once it listens.
build_cds_if_needed() {
  local jar=target/usergate-fat.jar jsa=target/usergate.jsa
  if [ -f "$jsa" ] && [ "$jsa" -nt "$jar" ]; then
    return 0
  fi
  echo "$(basename "$0"): building $jsa (one start of the service, once per build: the next starts load their classes from it)"
  local dir log pid
  rm -f "$jsa"
  dir=$(mktemp -d)
  log="$dir/training.log"
  USERGATE_HTTP_PORT=0 USERGATE_DEMO_PORT=0 USERGATE_PG_DATA_DIR="$dir/pg" \
    java -XX:ArchiveClassesAtExit="$jsa" -XX:+UseSerialGC -Xmx256m -jar "$jar" >"$log" 2>&1 &
  pid=$!
  for _ in $(seq 1 600); do
    if grep -q "web: listening on" "$log" || ! kill -0 "$pid" 2>/dev/null; then break; fi
    sleep 0.1
  done
  kill -TERM "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  if [ ! -f "$jsa" ]; then
    echo "$(basename "$0"): could not build $jsa (starting without it); the training start said:" >&2
    tail -n 5 "$log" >&2
  fi
  rm -rf "$dir"
}

# The feature version of the JDK whose home is $1 (from its release file), or 0.
java_home_version() {
  local version=""
  if [ -x "$1/bin/java" ] && [ -f "$1/release" ]; then
    version=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$1/release")
  fi
  echo "${version:-0}"
}

# The home of the Java that runs the tests' Keycloak (it needs 21 or newer; the build runs on 17), found as
# the tests find it (support/KeycloakJava): USERGATE_KEYCLOAK_JAVA_HOME, else the newest JDK 21+ under
# /usr/lib/jvm. Prints nothing when there is none.
keycloak_java_home() {
  if [ -n "${USERGATE_KEYCLOAK_JAVA_HOME:-}" ]; then
    echo "$USERGATE_KEYCLOAK_JAVA_HOME"; return 0
  fi
  local home version best="" best_version=0
  for home in /usr/lib/jvm/*/; do
    home=${home%/}
    version=$(java_home_version "$home")
    if [ "$version" -ge 21 ] && [ "$version" -gt "$best_version" ]; then
      best=$home; best_version=$version
    fi
  done
  if [ -n "$best" ]; then echo "$best"; fi
}

# Makes sure the tests' Keycloak has its Java 21+ and exports USERGATE_KEYCLOAK_JAVA_HOME for them. When none
# is there and this is a root shell with apt-get, installs the newest openjdk-NN-jdk-headless (NN >= 21) apt
# offers (Debian bookworm offers none: then it stops, saying what to install).
require_keycloak_java() {
  local name home version package log
  name=$(basename "$0")
  home=$(keycloak_java_home)
  if [ -n "$home" ]; then
    version=$(java_home_version "$home")
    if [ "$version" -lt 21 ]; then
      echo "$name: USERGATE_KEYCLOAK_JAVA_HOME=$home is not a Java 21 or newer (found ${version/#0/none}); Keycloak needs one" >&2; exit 1
    fi
  elif [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    # The package lists may be missing or stale on a fresh machine: update them only when no candidate shows.
    package=$(newest_apt_jdk)
    if [ -z "$package" ]; then
      apt-get update -qq >/dev/null 2>&1 || true
      package=$(newest_apt_jdk)
    fi
    if [ -n "$package" ]; then
      echo "$name: installing $package (apt-get) for the tests' Keycloak, which needs Java 21 or newer"
      log=$(mktemp)
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$package" >"$log" 2>&1 \
        || { tail -n 20 "$log" >&2; echo "$name: could not install $package (see above)" >&2; exit 1; }
      rm -f "$log"
      home=$(keycloak_java_home)
    fi
  fi
  if [ -z "$home" ]; then
    echo "$name: the tests' Keycloak (KeycloakServerTest) needs a Java 21 or newer, and there is none under /usr/lib/jvm" \
      "nor one apt-get can install here (Debian bookworm packages only openjdk-17): install a JDK 21+ (e.g. Temurin 21 or 25)" \
      "under /usr/lib/jvm, or set USERGATE_KEYCLOAK_JAVA_HOME to its home" >&2; exit 1
  fi
  export USERGATE_KEYCLOAK_JAVA_HOME=$home
}

# The newest openjdk-NN-jdk-headless with NN >= 21 that apt can install, or nothing.
newest_apt_jdk() {
  apt-cache search --names-only '^openjdk-[0-9]+-jdk-headless$' 2>/dev/null \
    | sed -n 's/^openjdk-\([0-9]*\)-jdk-headless .*/\1/p' | awk '$1 >= 21' | sort -n | tail -n 1 \
    | sed 's/.*/openjdk-&-jdk-headless/'
}
