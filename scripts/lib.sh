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
