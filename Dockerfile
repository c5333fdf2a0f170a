# syntax=docker/dockerfile:1
# heygen-mcp's remote server, `heygen-mcp http` (MCP over Streamable HTTP at /mcp,
# stateless: run as many replicas as you like behind a load balancer).
#
#   docker build -t heygen-mcp .
#   docker run --rm -p 8787:8787 heygen-mcp
#   # callers send their own HeyGen key:  X-Api-Key: <key>
#   # reached by a name other than localhost: -e HEYGEN_MCP_ALLOWED_HOSTS=mcp.example.com
#   # one server-held key instead: -e HEYGEN_API_KEY=... -e HEYGEN_MCP_TOKEN=... (callers
#   #   then send Authorization: Bearer <HEYGEN_MCP_TOKEN>)
#
# SIGTERM drains: /readyz turns 503 and waits in flight return their resumable state at
# once; for HEYGEN_MCP_DRAIN_NOTICE_SECONDS (default 5) new MCP requests get 503 with
# Retry-After; then it stops accepting and gives calls in flight up to
# HEYGEN_MCP_DRAIN_SECONDS (default 30) before it exits. So give `docker stop -t` more than
# notice + drain (35 s by default: `docker stop -t 40`); docker's default 10 s cuts off
# long calls other than waits.
#
# CI lints this file with hadolint (.ci/run). The image itself is not built there, nor on
# the development machines: they have the docker CLI but no engine.

FROM rust:1-bookworm AS build
WORKDIR /src
# Only what the binary is built from (see .dockerignore): the sources, the lock file and the
# sandbox's sample media (include_bytes!).
COPY Cargo.toml Cargo.lock ./
COPY assets ./assets
COPY src ./src
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked --bin heygen-mcp \
    && install -m 0755 target/release/heygen-mcp /usr/local/bin/heygen-mcp

FROM debian:bookworm-slim
# ca-certificates: HeyGen's API is reached over TLS, verified against the system's roots.
# Not pinned to a version: Debian replaces a stable package's version with each security
# update and drops the old one from its archive, so a pin would break the build instead.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/*
COPY --from=build /usr/local/bin/heygen-mcp /usr/local/bin/heygen-mcp
# A numeric user, so Kubernetes' runAsNonRoot can check it. Nothing is written to disk:
# the remote server offers no tool that reads or writes local files.
USER 10001:10001
ENV HOME=/tmp \
    HEYGEN_MCP_LISTEN=0.0.0.0:8787
EXPOSE 8787
# No curl in the image: bash's /dev/tcp asks /healthz (liveness; /readyz turns 503 while
# draining). It assumes the default port 8787.
HEALTHCHECK --interval=30s --timeout=3s --start-period=5s --retries=3 \
    CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/8787 && printf 'GET /healthz HTTP/1.0\\r\\n\\r\\n' >&3 && head -n 1 <&3 | grep -q ' 200 '"]
ENTRYPOINT ["heygen-mcp"]
CMD ["http", "--listen", "0.0.0.0:8787"]
