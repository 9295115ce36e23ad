# Stand-in for gcr.io/distroless/base-nossl-debian12:nonroot (CI only). Built
# the way distroless is: the files of a few Debian packages (glibc, CA
# certificates, tzdata, netbase, base-files), their records in
# /var/lib/dpkg/status.d (what image scanners read), and a nonroot user, with
# no shell, no package manager.
# checkov:skip=CKV_DOCKER_7: FROM names the BASE argument: the content-keyed local base image
# checkov:skip=CKV_DOCKER_2: a base image, like the official one it stands in for; images built on it have their HEALTHCHECK
# checkov:skip=CKV_DOCKER_5: apt-get update is followed by apt-get download in the same RUN
ARG BASE
FROM ${BASE} AS packages
WORKDIR /tmp/debs
# DL3008 (unpinned apt versions): a CI stand-in, built from the mirror this
# machine is configured with; its content key is what pins it.
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get download base-files netbase tzdata ca-certificates libc6 \
 && mkdir /rootfs \
 && mkdir -p /rootfs/var/lib/dpkg/status.d \
 && for deb in ./*.deb; do \
      dpkg-deb -x "$deb" /rootfs; \
      dpkg-deb -f "$deb" >"/rootfs/var/lib/dpkg/status.d/$(dpkg-deb -f "$deb" Package)"; \
    done \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /rootfs
RUN mkdir -p etc/ssl/certs home/nonroot tmp \
 && cat usr/share/ca-certificates/mozilla/*.crt > etc/ssl/certs/ca-certificates.crt \
 && printf '%s\n' 'root:x:0:0:root:/root:/sbin/nologin' \
      'nobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin' \
      'nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin' > etc/passwd \
 && printf '%s\n' 'root:x:0:' 'nobody:x:65534:' 'nonroot:x:65532:' > etc/group \
 && chown 65532:65532 home/nonroot && chmod 0700 home/nonroot && chmod 1777 tmp \
 && rm -rf usr/share/doc usr/share/man usr/share/lintian usr/share/info usr/share/locale usr/share/bug \
      usr/share/ca-certificates usr/sbin etc/init.d etc/default

FROM scratch
COPY --from=packages /rootfs/ /
USER 65532:65532
WORKDIR /home/nonroot
