# One image for web, worker and beat; docker-compose.yml picks the command.
FROM node:20-bookworm-slim AS assets
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error

FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
RUN apt-get update \
    && apt-get install -y --no-install-recommends gettext \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml ./
RUN pip install --no-cache-dir .
COPY . .
# The development tools (demo data, generator, benchmark) stay out of the product.
RUN rm -rf loanwatch/devtools
COPY --from=assets /src/node_modules ./node_modules
RUN python scripts/vendor_assets.py \
    && DEBUG=1 python manage.py compilemessages --ignore=node_modules -v0 \
    && DEBUG=1 python manage.py collectstatic --noinput -v0 \
    && rm -rf node_modules \
    && useradd --system --uid 1000 loanwatch && mkdir -p /app/.data/media /app/.data/beat \
    && chown -R loanwatch /app/.data
USER loanwatch
EXPOSE 8000
CMD ["gunicorn", "loanwatch.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--threads", "4", "--access-logfile", "-"]
