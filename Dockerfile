# syntax=docker/dockerfile:1
# Campus Booking: the API as production runs it (granian, PostgreSQL, production settings).
#
#   docker build -t campus-booking .
#
# Where pip can reach the package index only through a TLS certificate of your own (a proxy),
# lend it the bundle as a build secret; it is mounted for the install step only and never lands
# in a layer:
#
#   docker build --secret id=ca,src=/etc/ssl/certs/ca-certificates.crt -t campus-booking .

ARG BASE=debian:bookworm-slim

# --- build: the locked dependencies (hashes checked) and the app, in a virtual environment ---
FROM ${BASE} AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 python3-venv \
 && apt-get clean && rm -rf /var/lib/apt/lists/*
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1 PIP_ROOT_USER_ACTION=ignore
RUN python3 -m venv /opt/venv
WORKDIR /src
COPY requirements-runtime.lock ./
RUN --mount=type=secret,id=ca \
    if [ -s /run/secrets/ca ]; then export PIP_CERT=/run/secrets/ca; fi \
 && /opt/venv/bin/pip install --require-hashes -r requirements-runtime.lock
COPY pyproject.toml README.md ./
COPY src ./src
RUN --mount=type=secret,id=ca \
    if [ -s /run/secrets/ca ]; then export PIP_CERT=/run/secrets/ca; fi \
 && /opt/venv/bin/pip install --no-deps . \
 && /opt/venv/bin/pip uninstall --yes pip setuptools \
 && find /opt/venv \( -name __pycache__ -o -name '*.c' -o -name '*.cpp' -o -name '*.h' \
        -o -name '*.pyx' -o -name '*.pxd' -o -name '*.pxi' \) -prune -exec rm -rf {} +

# --- runtime: Debian's python3, the virtual environment, the migrations; nothing else ---
FROM ${BASE} AS runtime
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 \
 && apt-get clean && rm -rf /var/lib/apt/lists/* \
 && groupadd --gid 10001 campus \
 && useradd --uid 10001 --gid campus --no-create-home --home-dir /app --shell /usr/sbin/nologin campus
COPY --from=build /opt/venv /opt/venv
WORKDIR /app
# `campus-booking migrate` finds alembic.ini and migrations/ in the working directory.
COPY alembic.ini ./
COPY migrations ./migrations
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    CAMPUS_BOOKING_ENV=production \
    CAMPUS_BOOKING_PORT=8000 \
    CAMPUS_BOOKING_WORKERS=2
USER campus:campus
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python3", "-c", "import os, sys, urllib.request; port = os.environ.get('CAMPUS_BOOKING_PORT', '8000'); sys.exit(urllib.request.urlopen(f'http://127.0.0.1:{port}/health/ready', timeout=4).status != 200)"]
STOPSIGNAL SIGTERM
# exec: granian is PID 1 and gets the SIGTERM itself, so in-flight requests drain (25 s,
# below the 30 s that docker stop and Kubernetes wait before SIGKILL).
CMD ["sh", "-c", "exec campus-booking serve --host 0.0.0.0 --port \"$CAMPUS_BOOKING_PORT\" --workers \"$CAMPUS_BOOKING_WORKERS\""]
