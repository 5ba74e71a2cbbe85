# LoanWatch — the two commands:
#   make run    set everything up and run web + Celery worker + Celery beat on 127.0.0.1:8000
#   make test   run the whole test suite against real PostgreSQL, Redis and a Celery worker
# With DATABASE_URL / REDIS_URL unset both use embedded servers kept under .data/.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
SERVICES := $(PY) scripts/services.py

.PHONY: run test install assets catalogs messages services-stop lint clean-data screenshots bench help

help:
	@echo "make run    - install, migrate, load demo data, start web + worker + beat"
	@echo "make test   - run the whole test suite"
	@echo "make lint   - ruff, mypy and the import contracts (lint-imports)"

run: install
	$(SERVICES) run -- bash scripts/run.sh

test: install
	$(SERVICES) run -- bash scripts/test.sh $(ARGS)

install: $(VENV)/.installed assets messages

# Re-install only when the pinned dependencies change.
$(VENV)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "LoanWatch needs Python >= 3.11")'
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e '.[dev,local]'
	touch $@

assets: node_modules/.package-lock.json static/vendor/.copied

node_modules/.package-lock.json: package.json package-lock.json
	@command -v npm >/dev/null || { echo "npm (Node.js) is needed to fetch the front-end libraries"; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

static/vendor/.copied: node_modules/.package-lock.json scripts/vendor_assets.py
	$(PY) scripts/vendor_assets.py
	touch $@

# Refresh the catalogues from the code (then translate the new entries; see README).
catalogs: $(VENV)/.installed
	bash scripts/catalogs.sh

messages: $(VENV)/.installed
	@DEBUG=1 $(PY) manage.py compilemessages --ignore=.venv --ignore=node_modules -v0

# Regenerate docs/screenshots/ (needs Chromium and a Chinese font:
# apt-get install chromium fonts-wqy-microhei).
screenshots: install
	@fc-list :lang=zh | grep -q . || { echo "no Chinese font: apt-get install fonts-wqy-microhei"; exit 1; }
	$(SERVICES) run -- $(PY) scripts/screenshots.py

# Timings of the key pages against a bare-view floor, in the same run (see README).
bench: install
	$(SERVICES) run -- env DEBUG=true $(PY) manage.py bench $(ARGS)

services-stop:
	$(SERVICES) stop

# mypy's Django plugin imports the settings; DEBUG=1 lets them load without a SECRET_KEY.
lint: install
	$(VENV)/bin/ruff check .
	DEBUG=1 $(VENV)/bin/mypy
	$(VENV)/bin/lint-imports --no-cache

clean-data: services-stop
	rm -rf .data
