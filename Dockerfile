# The `api` server image: dependencies cooked in their own layer (cargo-chef),
# then the same build command as CI (`cargo build --release --locked -p api`),
# then a Debian slim runtime with only libpq, OpenSSL and CA certificates.

ARG RUST_VERSION=1.95
ARG DEBIAN_RELEASE=bookworm

FROM rust:${RUST_VERSION}-slim-${DEBIAN_RELEASE} AS chef
# Debian versions are not pinned: the base image's release fixes them, and
# pins would break on every security update.
# libpq-dev: Diesel links the system libpq; libssl-dev + pkg-config: Sentry's HTTPS transport;
# make: jemalloc (the server's allocator) is built from C sources.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpq-dev libssl-dev pkg-config make \
    && rm -rf /var/lib/apt/lists/*
RUN cargo install cargo-chef --locked --version 0.1.78
WORKDIR /app

FROM chef AS planner
COPY . .
RUN cargo chef prepare --recipe-path recipe.json

FROM chef AS builder
COPY --from=planner /app/recipe.json recipe.json
# Only this layer rebuilds when Cargo.lock changes; source edits reuse it.
RUN cargo chef cook --release --locked --package api --recipe-path recipe.json
COPY . .
RUN cargo build --release --locked -p api

FROM debian:${DEBIAN_RELEASE}-slim AS runtime
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpq5 libssl3 ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --user-group --no-create-home --shell /usr/sbin/nologin api
COPY --from=builder /app/target/release/api /usr/local/bin/api
USER 10001:10001
# APP_ENV=production: never the development defaults (random secrets, a
# seeded admin) a bare `cargo run` gets.
ENV APP_ENV=production \
    BIND_ADDR=0.0.0.0:8080 \
    LOG_FORMAT=json
EXPOSE 8080
# No curl in the image: bash's /dev/tcp asks /health, on the port BIND_ADDR
# names (whatever the container was started with), and looks for a 200.
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
    CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/${BIND_ADDR##*:} && printf 'GET /health HTTP/1.0\\r\\nHost: localhost\\r\\n\\r\\n' >&3 && head -n1 <&3 | grep -q ' 200 '"]
ENTRYPOINT ["/usr/local/bin/api"]
CMD ["serve"]
