# Multi-stage build: compile in the Rust image, run as a non-root user in a slim Debian.
FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked -p ucap

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates curl \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /var/lib/ucap --create-home ucap
COPY --from=build /src/target/release/ucap /usr/local/bin/ucap
USER ucap
WORKDIR /var/lib/ucap
# Two glibc malloc arenas for SQLite's C allocations (Rust's own go through mimalloc): the
# per-thread arenas of the database worker threads otherwise keep ~10 MiB each after a dashboard.
ENV UCAP_BIND=0.0.0.0:8080 UCAP_LOG_FORMAT=json MALLOC_ARENA_MAX=2
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s CMD curl -fsS http://127.0.0.1:8080/readyz || exit 1
ENTRYPOINT ["ucap"]
CMD ["serve"]
