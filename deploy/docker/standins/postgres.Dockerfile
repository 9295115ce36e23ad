# Stand-in for the official postgres:<major>-bookworm image (CI only): Debian's
# PostgreSQL with an entrypoint that honours the official image's contract
# (POSTGRES_USER, POSTGRES_DB, POSTGRES_PASSWORD[_FILE], PGDATA,
# /docker-entrypoint-initdb.d) and the same postgres uid/gid (999).
# checkov:skip=CKV_DOCKER_7: FROM names the BASE argument: the content-keyed local base image
# checkov:skip=CKV_DOCKER_2: a base image, like the official one it stands in for; images built on it have their HEALTHCHECK
# checkov:skip=CKV_DOCKER_3: runs as root like the official image it stands in for (see deploy/docker/trivyignore.yaml)
ARG BASE
FROM ${BASE}
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
RUN groupadd -r -g 999 postgres \
 && useradd -r -u 999 -g postgres -d /var/lib/postgresql -s /bin/bash postgres \
 && mkdir -p /etc/postgresql-common \
 && echo 'create_main_cluster = false' > /etc/postgresql-common/createcluster.conf
# DL3008 (unpinned apt versions): a CI stand-in, built from the mirror this
# machine is configured with; its content key is what pins it.
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends postgresql-15 \
 && rm -rf /var/lib/apt/lists/*
ENV PATH=/usr/lib/postgresql/15/bin:$PATH \
    PGDATA=/var/lib/postgresql/data
RUN mkdir -p /docker-entrypoint-initdb.d /var/run/postgresql "$PGDATA" \
 && chown postgres:postgres /var/run/postgresql "$PGDATA" \
 && chmod 3777 /var/run/postgresql && chmod 1777 "$PGDATA"
COPY postgres-entrypoint.sh /usr/local/bin/docker-entrypoint.sh
VOLUME /var/lib/postgresql/data
STOPSIGNAL SIGINT
EXPOSE 5432
ENTRYPOINT ["docker-entrypoint.sh"]
CMD ["postgres"]
