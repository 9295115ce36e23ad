# Stand-in for rust:<version>-slim-bookworm (CI only: no registry is
# reachable). The host's toolchain of the same release, arranged like the
# official image: toolchain under RUSTUP_HOME, commands in CARGO_HOME/bin.
# checkov:skip=CKV_DOCKER_7: FROM names the BASE argument: the content-keyed local base image
# checkov:skip=CKV_DOCKER_2: a base image, like the official one it stands in for; images built on it have their HEALTHCHECK
# checkov:skip=CKV_DOCKER_3: runs as root like the official image it stands in for (see deploy/docker/trivyignore.yaml)
ARG BASE
FROM ${BASE}
ARG RUST_VERSION
ENV RUSTUP_HOME=/usr/local/rustup \
    CARGO_HOME=/usr/local/cargo \
    PATH=/usr/local/cargo/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    RUST_VERSION=${RUST_VERSION}
# DL3008 (unpinned apt versions): a CI stand-in, built from the mirror this
# machine is configured with; its content key is what pins it.
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates gcc libc6-dev \
 && rm -rf /var/lib/apt/lists/*
COPY toolchain/ /usr/local/rustup/toolchains/${RUST_VERSION}-x86_64-unknown-linux-gnu/
# The host's bundle: it holds the local CA that HTTPS to crates.io goes through.
COPY ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
RUN mkdir -p /usr/local/cargo/bin \
 && for tool in cargo rustc rustdoc; do \
      ln -s "/usr/local/rustup/toolchains/${RUST_VERSION}-x86_64-unknown-linux-gnu/bin/$tool" /usr/local/cargo/bin/; \
    done \
 && cargo --version && rustc --version
