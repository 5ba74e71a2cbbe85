#!/usr/bin/env bash
# Prepare the database and start web, worker and beat. Called by `make run` inside
# scripts/services.py, which has already started the embedded servers when needed.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
mkdir -p .data

# A stable secret for the local run, created once; production sets SECRET_KEY itself.
if [ -z "${SECRET_KEY:-}" ]; then
  [ -s .data/secret_key ] || "$PY" -c 'import secrets; print(secrets.token_urlsafe(50))' > .data/secret_key
  SECRET_KEY=$(cat .data/secret_key)
  export SECRET_KEY
fi
export DEBUG="${DEBUG:-false}"
export PORT="${PORT:-8000}"

"$PY" manage.py migrate --noinput -v0
"$PY" manage.py collectstatic --noinput -v0
"$PY" manage.py demo_data

cat <<MSG

  LoanWatch is running at http://127.0.0.1:${PORT}/
  Demo logins (password LoanWatch-demo-2026):
    admin                    administrator
    supervisor1, supervisor2 supervisors of teams BJ-HD and SH-PD
    officer1 … officer4      officers (1, 2 in BJ-HD; 3, 4 in SH-PD)
  Ctrl-C stops web, worker, beat and the embedded servers.

MSG
exec .venv/bin/honcho -f Procfile start
