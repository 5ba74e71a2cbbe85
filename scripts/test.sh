#!/usr/bin/env bash
# The whole test suite. Called by `make test` inside scripts/services.py, which has started the
# embedded PostgreSQL and Redis unless DATABASE_URL / REDIS_URL name other servers.
set -euo pipefail
cd "$(dirname "$0")/.."
# Locally the test database is kept between runs (--reuse-db, see tests/reuse_db.py); CI builds it
# from the migrations every time.
if [ -n "${CI:-}" ]; then
  set -- --create-db "$@"
fi
exec .venv/bin/pytest "$@"
