# Multi-stage build. The dependencies are compiled in a layer of their own (cargo-chef: a recipe of
# the workspace's manifests and lock file), so a change to ucap's code rebuilds only ucap. The
# binary is stripped and runs as a non-root user in a slim Debian without curl: the health check
# is `ucap health`.
FROM rust:1.95-bookworm AS chef
RUN cargo install cargo-chef --locked --version 0.1.78
WORKDIR /src

FROM chef AS plan
COPY . .
RUN cargo chef prepare --recipe-path recipe.json

FROM chef AS build
COPY --from=plan /src/recipe.json recipe.json
RUN cargo chef cook --release --locked -p ucap --recipe-path recipe.json
COPY . .
RUN cargo build --release --locked -p ucap \
 && strip target/release/ucap

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /var/lib/ucap --create-home ucap
COPY --from=build /src/target/release/ucap /usr/local/bin/ucap
USER 10001
WORKDIR /var/lib/ucap
# Two glibc malloc arenas for SQLite's C allocations (Rust's own go through mimalloc): the
# per-thread arenas of the database worker threads otherwise keep ~10 MiB each after a dashboard.
ENV UCAP_BIND=0.0.0.0:8080 UCAP_LOG_FORMAT=json MALLOC_ARENA_MAX=2
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=5s CMD ["ucap", "health"]
ENTRYPOINT ["ucap"]
CMD ["serve"]
