# The trainer worker ("GPU trainer"). Build context: the repository root.
#   docker build -f docker/trainer.Dockerfile -t adapterops/trainer .
# CUDA natives for PyTorch 2.7.1 are not on Maven Central; DJL downloads them while the image is
# built (the only step with a network), so the running container never fetches anything.
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY . .
RUN mvn -B -ntp -q -DskipTests package

FROM nvidia/cuda:12.8.1-cudnn-runtime-ubuntu22.04
RUN apt-get update && apt-get install -y --no-install-recommends openjdk-17-jre-headless curl \
    && rm -rf /var/lib/apt/lists/*
ENV DJL_CACHE_DIR=/opt/djl PYTORCH_FLAVOR=cu128 PYTORCH_VERSION=2.7.1
COPY --from=build /src/service/target/adapterops-service.jar /app/adapterops.jar
# Fetch the CUDA natives now (network at build time only), then forbid any further download; glibc
# keeps freed per-op buffers for reuse (see the launcher, adapterops).
RUN DJL_OFFLINE=false OPT_OUT_TRACKING=true java -cp /app/adapterops.jar io.adapterops.llm.Engines
ENV DJL_OFFLINE=true OPT_OUT_TRACKING=true \
    MALLOC_MMAP_THRESHOLD_=33554432 MALLOC_TRIM_THRESHOLD_=134217728 \
    ADAPTEROPS_WORKER_HOST=0.0.0.0 ADAPTEROPS_WORKER_PORT=8091 ADAPTEROPS_WORKER_DATA=/data
RUN useradd --system --uid 10001 adapterops && mkdir -p /data /models && chown adapterops /data
USER adapterops
VOLUME ["/data", "/models"]
EXPOSE 8091
HEALTHCHECK CMD curl -fsS http://127.0.0.1:8091/health || exit 1
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-cp", "/app/adapterops.jar", "io.adapterops.trainer.cli.TrainerMain", "worker"]
