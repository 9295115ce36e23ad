# The rates image. Two targets from one build:
#   docker build -t rates .                          the slim image deployments use (default, last stage)
#   docker build --target all-in-one -t rates:demo . PostgreSQL inside, demo data: docker run -p 3000:3000 rates:demo
# No `# syntax=` line on purpose: BuildKit's built-in frontend supports the
# cache mounts below and needs no frontend image from a registry.
#
# Bases are pinned by tag and can be replaced with --build-arg (CI passes
# local stand-ins). To pin by digest, give the digest in the same argument:
#   --build-arg RUNTIME_IMAGE=gcr.io/distroless/base-nossl-debian12:nonroot@sha256:<digest>
# checkov:skip=CKV_DOCKER_7: the FROM lines name these ARGs, whose defaults are pinned tags
ARG RUST_IMAGE=rust:1.95.0-slim-bookworm
ARG RUNTIME_IMAGE=gcr.io/distroless/base-nossl-debian12:nonroot
ARG POSTGRES_IMAGE=postgres:17-bookworm

# cargo-chef, so the dependency build is a layer of its own that only a
# Cargo.toml or Cargo.lock change invalidates.
FROM ${RUST_IMAGE} AS chef
ARG CARGO_CHEF_VERSION=0.1.78
WORKDIR /build
RUN --mount=type=cache,id=rates-cargo-registry,target=/usr/local/cargo/registry,sharing=locked \
    cargo install --locked cargo-chef --version "${CARGO_CHEF_VERSION}"

FROM chef AS planner
COPY . .
RUN cargo chef prepare --recipe-path recipe.json

FROM chef AS builder
# One target cache per architecture: a multi-platform build (the release
# builds amd64 and arm64) must not share compiled artifacts between them.
ARG TARGETARCH
# Symbols are not needed in the image (panics still name the location):
# stripping keeps the slim image small.
ENV CARGO_PROFILE_RELEASE_STRIP=symbols
COPY --from=planner /build/recipe.json recipe.json
RUN --mount=type=cache,id=rates-cargo-registry,target=/usr/local/cargo/registry,sharing=locked \
    --mount=type=cache,id=rates-target-${TARGETARCH},target=/build/target,sharing=locked \
    cargo chef cook --release --locked --bin rates --recipe-path recipe.json
COPY . .
# The revision for rates_build_info (the build context has no .git); after
# the dependency layer, so a new revision does not rebuild it.
ARG REVISION=unknown
ENV GIT_REVISION=${REVISION}
# The binary leaves the target cache mount for /out, with what the runtime
# stage needs besides it:
# - libgcc_s, the one library the binary links beyond glibc (its directory
#   is the architecture's, e.g. x86_64-linux-gnu), with its package's record
#   in status.d, as distroless records its own packages, so image scanners
#   see it, and its copyright file;
# - the one directory the nonroot user must write: /run/rates/login, where
#   `rates db rotate` publishes the API's login (a volume in compose; Docker
#   initialises a new volume with the image directory's owner).
RUN --mount=type=cache,id=rates-cargo-registry,target=/usr/local/cargo/registry,sharing=locked \
    --mount=type=cache,id=rates-target-${TARGETARCH},target=/build/target,sharing=locked \
    cargo build --release --locked --bin rates \
 && install -D -m 0755 target/release/rates /out/usr/local/bin/rates \
 && triplet=$(gcc -dumpmachine) \
 && install -D -m 0644 "/usr/lib/$triplet/libgcc_s.so.1" "/out/usr/lib/$triplet/libgcc_s.so.1" \
 && install -D -m 0644 /usr/share/doc/libgcc-s1/copyright /out/usr/share/doc/libgcc-s1/copyright \
 && install -d /out/var/lib/dpkg/status.d \
 && dpkg-query --status libgcc-s1 >/out/var/lib/dpkg/status.d/libgcc-s1 \
 && install -d -m 0700 /out/run/rates/login

# A one-command demo: the same binary in embedded mode, with PostgreSQL from
# the official image and the demo dataset. Not for deployments.
FROM ${POSTGRES_IMAGE} AS all-in-one
COPY --from=builder /out/usr/local/bin/rates /usr/local/bin/rates
RUN install -d -o postgres -g postgres -m 0700 /var/lib/rates
ENV RATES_DATABASE=embedded \
    RATES_EMBEDDED_DATA_DIR=/var/lib/rates \
    RATES_LOG_FORMAT=json
# The official image's postgres user.
USER 999:999
EXPOSE 3000
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=5s --timeout=5s --start-period=120s --retries=3 \
  CMD ["/usr/local/bin/rates", "healthcheck"]
ENTRYPOINT ["/usr/local/bin/rates"]
CMD ["serve"]

# The slim image: the binary on distroless base-nossl (glibc, CA
# certificates, tzdata; no shell, no package manager), as uid/gid 65532.
# Not distroless/cc: of what cc adds (libgcc_s, libstdc++, libgomp, OpenSSL)
# the binary links libgcc_s alone (TLS is rustls), so that one library comes
# from the builder (same Debian release, same glibc) and the image carries no
# OpenSSL to patch, at about 37 MB instead of 45.
FROM ${RUNTIME_IMAGE} AS runtime
ARG VERSION=dev
ARG REVISION=unknown
ARG SOURCE=unknown
ARG LICENSES="MIT OR Apache-2.0"
LABEL org.opencontainers.image.title="rates" \
      org.opencontainers.image.description="Daily freight-rate averages between ports and regions, served over HTTP from PostgreSQL" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.source="${SOURCE}" \
      org.opencontainers.image.licenses="${LICENSES}"
COPY --from=builder --chown=65532:65532 /out/run/ /run/
COPY --from=builder /out/usr/ /usr/
COPY --from=builder /out/var/ /var/
# External database only: a missing setting or secret fails start-up loudly
# instead of falling back to an embedded server. JSON logs. On SIGTERM,
# /readyz turns 503 for 2 s while requests are still served, then in-flight
# ones get 5 s: the process exits within 2 + 5 + 1 = 8 s, inside Docker's
# default 10 s stop timeout.
ENV RATES_DATABASE=external \
    RATES_LOG_FORMAT=json \
    RATES_SHUTDOWN_DELAY_SECS=2 \
    RATES_SHUTDOWN_GRACE_SECS=5
USER 65532:65532
EXPOSE 3000
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=3 \
  CMD ["/usr/local/bin/rates", "healthcheck"]
ENTRYPOINT ["/usr/local/bin/rates"]
CMD ["serve"]
