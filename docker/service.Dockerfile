# The AdapterOps service. Build context: the repository root.
#   docker build -f docker/service.Dockerfile -t adapterops/service .
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY . .
RUN mvn -B -ntp -q -DskipTests package

FROM eclipse-temurin:17-jre
# DJL must never download natives or phone home; PyTorch comes from the jars. glibc keeps freed
# per-op buffers for reuse instead of faulting them in again each step (see the launcher, adapterops).
ENV DJL_OFFLINE=true OPT_OUT_TRACKING=true \
    MALLOC_MMAP_THRESHOLD_=33554432 MALLOC_TRIM_THRESHOLD_=134217728 \
    ADAPTEROPS_HOST=0.0.0.0 ADAPTEROPS_PORT=8080 ADAPTEROPS_DATA_DIR=/data
# curl for the health check: the JRE image does not promise one.
RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 adapterops && mkdir -p /data && chown adapterops /data
COPY --from=build /src/service/target/adapterops-service.jar /app/adapterops-service.jar
USER adapterops
VOLUME /data
EXPOSE 8080
HEALTHCHECK CMD curl -fsS http://127.0.0.1:8080/health || exit 1
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-jar", "/app/adapterops-service.jar"]
