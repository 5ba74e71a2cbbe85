#!/usr/bin/env bash
# Prepare the database and start web, worker and beat. Called by `make run` inside
# scripts/services.py, which has already started the embedded servers when needed.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
mkdir -p .data

# A local run signs with the key kept under .data/ unless SECRET_KEY is given, also when
# DATABASE_URL names another server (the settings alone would then ask for SECRET_KEY).
if [ -z "${SECRET_KEY:-}" ]; then
  SECRET_KEY=$("$PY" -c 'from loanwatch.local_secret import local_secret_key
from loanwatch.local_servers import data_dir
print(local_secret_key(data_dir() / "secret_key"))')
  export SECRET_KEY
fi
export DEBUG="${DEBUG:-false}"
export PORT="${PORT:-8000}"
# honcho gives each process its own PORT (web PORT, worker PORT+100, beat PORT+200): fix the
# address mails link to here, where PORT is still the web server's.
export SITE_URL="${SITE_URL:-http://127.0.0.1:${PORT}}"

"$PY" manage.py migrate --noinput -v0
"$PY" manage.py collectstatic --noinput -v0
# Demo users (published password) go into the embedded database only, or wherever DEMO_DATA=true
# says a demo runs; the command decides, and says so when it loads nothing.
"$PY" manage.py demo_data --if-enabled

cat <<MSG

  LoanWatch is running at http://127.0.0.1:${PORT}/
  Ctrl-C stops web, worker, beat and the embedded servers.

MSG
exec .venv/bin/honcho -f Procfile start
