#!/usr/bin/env bash
# Refresh the zh_Hans catalogues from the code: one for the project (loanwatch/ and templates/)
# and one per domain app, each app's strings in its own catalogue. Nested apps
# (customers/records, customers/feed, visits/schedule) are left out of their parent's catalogue.
# Translate what comes out empty, then `make messages` compiles.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
export DEBUG=1
MM=("$ROOT/.venv/bin/python" "$ROOT/manage.py" makemessages -l zh_Hans --add-location=file
    --no-obsolete)

"${MM[@]}" --ignore=.venv --ignore=node_modules --ignore=tests --ignore=scripts --ignore=.data \
  --ignore=customers --ignore=visits --ignore=reports
(cd customers && "${MM[@]}" --ignore=records --ignore=feed)
(cd customers/records && "${MM[@]}")
(cd customers/feed && "${MM[@]}")
(cd visits && "${MM[@]}" --ignore=schedule)
# The visit form's script has strings of its own (served by /jsi18n/).
(cd visits && "${MM[@]}" -d djangojs --ignore=schedule)
(cd visits/schedule && "${MM[@]}")
(cd reports && "${MM[@]}")
