# Procurement Hub: one image for web (gunicorn), Celery worker and Celery beat.
FROM python:3.12-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PROJECT_ENVIRONMENT=/opt/venv \
    PATH="/opt/venv/bin:$PATH"

RUN pip install --no-cache-dir uv \
    && apt-get update && apt-get install -y --no-install-recommends curl \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml uv.lock ./
RUN uv sync --frozen --no-dev --no-install-project
COPY . .
# collectstatic only needs settings to import: give it throwaway values.
RUN SECRET_KEY=build-only DEBUG=0 python manage.py collectstatic --noinput

RUN useradd --create-home hub && mkdir -p /app/media && chown hub /app/media
USER hub
EXPOSE 8000
CMD ["gunicorn", "procurement_hub.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
