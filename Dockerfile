# syntax=docker/dockerfile:1
# usergate's image: the fat jar built by Maven, run on a JRE 17 as an unprivileged user.
#   docker build -t usergate .
#   docker run -p 8080:8080 -v usergate-data:/app/data usergate
# No container engine runs on the project's machines: scripts/container-check does what this image does
# (the jar run as an unprivileged user from an empty folder, with the ENV below) and checks it gets ready;
# scripts/test runs it. Keep each ENV below on one line, KEY=value or KEY="value": scripts/container-check
# reads them.
# The embedded PostgreSQL's binaries are linux-amd64 only; on another platform set USERGATE_PG_HOST.

FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /build
# The dependencies in a layer of their own, so that a change under src/ does not download them again.
COPY pom.xml .
RUN mvn -B -ntp -q dependency:go-offline
COPY src src
# No tests here: the suite needs PostgreSQL, Node and Chromium, and runs in scripts/test.
RUN mvn -B -ntp -q -DskipTests package

FROM eclipse-temurin:17-jre
# A fixed, numeric uid and gid: Kubernetes can verify runAsNonRoot only for a numeric USER, and a
# securityContext (runAsUser, fsGroup) or a host folder can name the same ids.
RUN groupadd --gid 10001 usergate \
 && useradd --uid 10001 --gid 10001 --home-dir /app --no-create-home --shell /usr/sbin/nologin usergate
WORKDIR /app
COPY --from=build /build/target/usergate-fat.jar usergate.jar
# data/ is the embedded PostgreSQL's (pg.dataDir, default data/pg, relative to /app). Created and owned by
# the user before VOLUME, so that a new named volume starts out with that owner; the jar stays root's.
RUN mkdir data && chown 10001:10001 data
VOLUME ["/app/data"]
# Inside a container, loopback is the container's own: listen on every interface, or nobody reaches it.
ENV USERGATE_HTTP_HOST=0.0.0.0
ENV USERGATE_HTTP_PORT=8080
# The heap takes half the container's memory limit (the JVM's default is a quarter): the embedded
# PostgreSQL, Netty's direct buffers and the metaspace share the rest. The other flags are scripts/run's
# (lean_java_opts in scripts/lib.sh): SerialGC suits a small service on a small heap, smaller stacks and
# code cache. An OutOfMemoryError ends the process, so that the container restarts instead of limping.
# Replace JAVA_OPTS to change any of it.
ENV JAVA_OPTS="-XX:MaxRAMPercentage=50 -XX:+UseSerialGC -Xss512k -XX:ReservedCodeCacheSize=64m -XX:MaxMetaspaceSize=160m -XX:+ExitOnOutOfMemoryError"
USER 10001:10001
# 8080: the routes; 5701: Hazelcast, with -cluster.
EXPOSE 8080 5701
# curl is in eclipse-temurin's Ubuntu images on purpose (kept "for historical reasons", adoptium/containers
# issue 255), so the check costs one small process every 10 s. A `java` one-liner would start a JVM for
# each check, about a second of CPU and tens of MB, next to the service it checks. The port follows
# USERGATE_HTTP_PORT (the shell form expands it). The start period covers the embedded PostgreSQL's initdb
# and the migrations on the first start.
HEALTHCHECK --start-period=60s --interval=10s --timeout=5s --retries=3 \
  CMD curl -fsS -o /dev/null --max-time 4 "http://127.0.0.1:${USERGATE_HTTP_PORT}/health/ready" || exit 1
# Exec form, with a shell only to expand JAVA_OPTS: `exec` makes java PID 1, so that SIGTERM (docker stop,
# Kubernetes) reaches it and usergate stops cleanly (exit code 143). Arguments (CMD, docker run ...,
# Kubernetes args such as -cluster) go to the launcher through "$@".
ENTRYPOINT ["/bin/sh", "-c", "exec java $JAVA_OPTS -jar usergate.jar \"$@\"", "usergate"]
