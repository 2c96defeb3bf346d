# Provider portal image: one image for the web server (default CMD), the Celery worker and celery beat.
# Build: docker build -t provider-portal .    Run everything: docker compose up (see docker-compose.yml).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore \
    DJANGO_ENV=production \
    STATIC_ROOT=/app/staticfiles \
    MEDIA_ROOT=/app/media \
    CLINICAL_UPLOAD_ROOT=/app/media/clinical-uploads \
    PORTAL_VAR_DIR=/app/var \
    WEB_CONCURRENCY=3

# Shared libraries the app needs at run time: Pango/HarfBuzz and a font for WeasyPrint PDFs,
# libmagic for upload type checks.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 \
        libpangoft2-1.0-0 \
        libharfbuzz-subset0 \
        fonts-dejavu-core \
        libmagic1 \
    && rm -rf /var/lib/apt/lists/*

# A numeric UID so that orchestrators can verify "runAsNonRoot" without reading /etc/passwd. The home
# directory is writable: gunicorn puts its control socket there, fontconfig its cache.
RUN groupadd --system --gid 10001 portal \
    && useradd --system --uid 10001 --gid portal --create-home --home-dir /home/portal \
        --shell /usr/sbin/nologin portal

WORKDIR /app

# Dependencies first, so that a code change does not reinstall them.
COPY requirements.txt ./
RUN pip install --no-cache-dir -r requirements.txt

# The code stays owned by root (read-only for the app); see .dockerignore for what is left out.
COPY . ./

# Hashed, compressed static files for WhiteNoise. The values below exist only for this step:
# collectstatic needs production settings to load but never touches the database or the broker.
RUN DJANGO_ENV=production \
    SECRET_KEY=collectstatic-build-only-not-a-secret \
    ALLOWED_HOSTS=localhost \
    DATABASE_URL=sqlite:////tmp/collectstatic.sqlite3 \
    python manage.py collectstatic --noinput \
    && rm -f /tmp/collectstatic.sqlite3

# The only writable places: uploaded documents and the beat schedule. Compose mounts named volumes
# here; a new named volume copies this ownership, so the app user can write to it.
RUN mkdir -p "$MEDIA_ROOT" "$PORTAL_VAR_DIR" \
    && chown portal:portal "$MEDIA_ROOT" "$PORTAL_VAR_DIR"

USER 10001:10001

EXPOSE 8000

# Gunicorn reads its worker count from WEB_CONCURRENCY, and its log formats from docker/gunicorn.conf.py
# (no query strings: they can name a patient). Migrations are not run here: compose's web service runs
# them before starting gunicorn (elsewhere, run them as a release step).
CMD ["gunicorn", "portal.wsgi:application", \
     "--config", "docker/gunicorn.conf.py", \
     "--bind", "0.0.0.0:8000", \
     "--access-logfile", "-", \
     "--error-logfile", "-", \
     "--worker-tmp-dir", "/dev/shm"]
