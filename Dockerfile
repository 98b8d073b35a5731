# Build stage: compile the release binary against libpq.
FROM rust:1-bookworm AS build
RUN apt-get update && apt-get install -y --no-install-recommends libpq-dev && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Cargo.toml Cargo.lock ./
COPY src src
COPY migrations migrations
RUN cargo build --release --locked

# Runtime stage: the binary, libpq, CA certificates and curl for the health check.
FROM debian:bookworm-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpq5 ca-certificates curl \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home-dir /var/lib/klachtenregister --create-home klachten
COPY --from=build /src/target/release/klachtenregister /usr/local/bin/klachtenregister
USER klachten
WORKDIR /var/lib/klachtenregister
ENV KLACHTEN_BIND=0.0.0.0:8080 \
    KLACHTEN_DATA_DIR=/var/lib/klachtenregister \
    KLACHTEN_LOG_FORMAT=json
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --retries=3 \
    CMD curl -fsS http://127.0.0.1:8080/health/ready || exit 1
ENTRYPOINT ["klachtenregister"]
CMD ["serve"]
