# Build stage: the release binary, with SQLite, libpq and OpenSSL compiled from source into it
# (Cargo.toml says why). The image's C compiler, make and perl are all that takes; nothing is installed.
FROM rust:1-bookworm AS build
WORKDIR /src
COPY Cargo.toml Cargo.lock ./
COPY src src
COPY migrations migrations
RUN cargo build --release --locked

# Runtime stage: the binary (it links no libpq or libssl), CA certificates and curl for the
# health check.
FROM debian:bookworm-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates curl \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home-dir /var/lib/klachtenregister --create-home klachten
COPY --from=build /src/target/release/klachtenregister /usr/local/bin/klachtenregister
USER klachten
WORKDIR /var/lib/klachtenregister
# The built-in OpenSSL looks for the system's trusted roots (a database URL's
# `sslrootcert=system`) under /usr/local/ssl; Debian keeps them here. Listening on every
# address, the service needs KLACHTEN_PUBLIC_URL (where clients reach it, e.g.
# https://klachten.kantoor.nl) and refuses to start without it: the image cannot know it.
ENV KLACHTEN_BIND=0.0.0.0:8080 \
    KLACHTEN_DATA_DIR=/var/lib/klachtenregister \
    KLACHTEN_LOG_FORMAT=json \
    SSL_CERT_DIR=/etc/ssl/certs \
    SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --retries=3 \
    CMD curl -fsS http://127.0.0.1:8080/health/ready || exit 1
ENTRYPOINT ["klachtenregister"]
CMD ["serve"]
