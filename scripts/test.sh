#!/usr/bin/env bash
# The whole test suite. Called by `make test` inside scripts/services.py, which has started the
# embedded PostgreSQL and Redis unless DATABASE_URL / REDIS_URL name other servers.
set -euo pipefail
cd "$(dirname "$0")/.."
exec .venv/bin/pytest "$@"
