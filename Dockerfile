# paramlab as a container: built from source with the Maven wrapper on a JDK, run on a JRE as a
# non-root user with OpenBLAS. `docker build -t paramlab .` then `docker run -p 8080:8080 paramlab`.

# ---- build: the jar of `./mvnw package`, the one the README runs (the tests run in CI, not here) ----
FROM eclipse-temurin:17-jdk AS build
WORKDIR /src
# Wrapper and POM first: the dependencies are a cached layer, downloaded again only when pom.xml changes.
COPY .mvn/ .mvn/
COPY mvnw pom.xml ./
RUN chmod +x mvnw && ./mvnw -B -q dependency:go-offline
COPY src/ src/
# No .git in the context (.dockerignore): the git-commit-id plugin skips it, /actuator/info shows the build.
RUN ./mvnw -B -q package -DskipTests \
 && java -Djarmode=tools -jar target/paramlab-*.jar extract --layers --launcher --destination /layers

# ---- run ----
FROM eclipse-temurin:17-jre
# OpenBLAS makes dev.ludovic.netlib take its native (JNI) sgemm instead of the Java fallback;
# curl serves the health check.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends libopenblas0-pthread curl \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 paramlab \
 && useradd --system --uid 10001 --gid paramlab --no-create-home --shell /usr/sbin/nologin paramlab \
 && mkdir /data && chown paramlab:paramlab /data
WORKDIR /app
# Spring Boot's layers, least to most often changed: a code change rebuilds only the small last layer.
COPY --from=build /layers/dependencies/ ./
COPY --from=build /layers/spring-boot-loader/ ./
COPY --from=build /layers/snapshot-dependencies/ ./
COPY --from=build /layers/application/ ./
USER paramlab:paramlab
ARG GIT_COMMIT=unknown
LABEL org.opencontainers.image.title="paramlab" \
      org.opencontainers.image.description="Neural-network model parameters over HTTP/JSON, faithful to PyTorch" \
      org.opencontainers.image.revision="${GIT_COMMIT}"
ENV PORT=8080
# Tells the service it runs in the image: there it refuses to start without access control (a token, or
# PARAMLAB_AUTH=none on purpose) instead of listening on loopback, which a published port cannot reach.
ENV PARAMLAB_CONTAINER=true
EXPOSE 8080
# The store (SQLite, README "Store"): a volume, so models outlive the container. A named volume
# mounted here starts as a copy of this folder, owned by paramlab; a bind mount must be writable by uid 10001.
ENV PARAMLAB_DATA_DIR=/data
VOLUME ["/data"]
# Ready means it takes traffic; curl -f fails on the 503 of a service that is not (yet) ready.
HEALTHCHECK --interval=10s --timeout=3s --start-period=40s --retries=3 \
  CMD curl -fsS -o /dev/null "http://localhost:${PORT}/actuator/health/readiness" || exit 1
# Heap from the container's memory limit, not the host's; an OutOfMemoryError ends the process so the
# restart policy brings back a healthy one. More JVM flags: JAVA_TOOL_OPTIONS. Exec form: java is PID 1
# and gets SIGTERM itself, for the graceful shutdown.
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-XX:+ExitOnOutOfMemoryError", "org.springframework.boot.loader.launch.JarLauncher"]
