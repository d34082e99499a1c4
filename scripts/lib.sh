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
