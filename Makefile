# Libranet: `make run` serves the demo, `make test` checks everything. See README.md.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
WORKERS ?= 2
export LIBRANET_DATA_DIR ?= $(CURDIR)/data
# The local ESIA provider that `make run` starts for "Sign in with Gosuslugi" (README);
# ESIA_KEYS=gost uses GOST keys (needs libengine-gost-openssl), rsa works anywhere.
ESIA_HOST ?= 127.0.0.1
ESIA_PORT ?= 8001
ESIA_KEYS ?= rsa
ESIA_DEV_DIR = $(LIBRANET_DATA_DIR)/esia_dev
# The local OAI-PMH provider of the demo's partner catalogs that `make run` starts (README).
CATALOG_PROVIDER_HOST ?= 127.0.0.1
CATALOG_PROVIDER_PORT ?= 8765

.PHONY: install compile-messages run prepare test test-later lint bench screenshots messages clean vendor

$(VENV)/.installed: pyproject.toml requirements.lock
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check --no-deps -r requirements.lock
	touch $@

install: $(VENV)/.installed

# Catalogs compiled with Babel, so no system gettext is needed.
compile-messages: install
	$(VENV)/bin/pybabel -q compile -D django -d locale

prepare: install compile-messages
	$(PY) manage.py migrate --noinput
	$(PY) manage.py collectstatic --noinput -v 0

# The demo's ESIA settings point at the local provider here, explicitly, and nowhere else:
# a server configured by its own environment never talks to the development provider.
run: export LIBRANET_ESIA_BASE_URL = http://$(ESIA_HOST):$(ESIA_PORT)
run: export LIBRANET_ESIA_ISSUER = http://$(ESIA_HOST):$(ESIA_PORT)/
run: export LIBRANET_ESIA_CLIENT_ID = LIBRANET-DEMO
run: export LIBRANET_ESIA_KEY = $(ESIA_DEV_DIR)/client.key
run: export LIBRANET_ESIA_CERT = $(ESIA_DEV_DIR)/client.crt
run: export LIBRANET_ESIA_PROVIDER_CERT = $(ESIA_DEV_DIR)/provider.crt
# Links in mail (invitations, password reset) point at the server `make run` starts.
run: export LIBRANET_SITE_URL ?= http://$(HOST):$(PORT)
run: export LIBRANET_ESIA_SIGNER = $(if $(filter gost,$(ESIA_KEYS)),openssl,rsa)
# The demo registers its partner catalogs at the provider started below.
run: export LIBRANET_CATALOG_PROVIDER_URL = http://$(CATALOG_PROVIDER_HOST):$(CATALOG_PROVIDER_PORT)
run: prepare
	$(PY) manage.py seed_demo --if-empty
	$(PY) manage.py esia_dev_keys $(if $(filter gost,$(ESIA_KEYS)),--gost,)
	@echo ""
	@echo "Libranet: http://$(HOST):$(PORT)/  (back office: http://$(HOST):$(PORT)/ru/office/)"
	@echo "Demo sign-ins: admin, network, international, head.tver, head.penza, operator.tarkhany"
	@echo "Password: $$(cat $(LIBRANET_DATA_DIR)/demo_password)"
	@echo "(admin and network set up two-step sign-in at their first sign-in; mail, such as invitations, is printed below)"
	@echo "Readers: \"Sign in with Gosuslugi\" goes to the local ESIA provider at http://$(ESIA_HOST):$(ESIA_PORT)/"
	@echo "Partner catalogs (OAI-PMH): http://$(CATALOG_PROVIDER_HOST):$(CATALOG_PROVIDER_PORT)/"
	@echo ""
	@# The providers, the task worker (it applies the search index's changes, sends mail, loads
	@# usage) and the schedule (it queues the periodic jobs) run beside gunicorn under a small
	@# supervisor (README "The task worker: supervision, heartbeat, takeover"): each is started
	@# again when it exits; everything stops on Ctrl-C, or when gunicorn exits.
	$(PY) -m libranet.worker.supervisor \
	  --keep "esia-provider=$(PY) manage.py esia_dev_provider --host $(ESIA_HOST) --port $(ESIA_PORT)" \
	  --keep "catalog-provider=$(PY) manage.py catalog_provider --host $(CATALOG_PROVIDER_HOST) --port $(CATALOG_PROVIDER_PORT)" \
	  --keep "worker=$(PY) manage.py run_worker --interval 0.5 --no-reload" \
	  --keep "schedule=$(PY) manage.py run_schedule" \
	  -- $(VENV)/bin/gunicorn libranet.wsgi --bind $(HOST):$(PORT) --workers $(WORKERS) --access-logfile -

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(PY) manage.py makemigrations --check --dry-run -v 0

# The suite on SQLite, then again on PostgreSQL when LIBRANET_TEST_POSTGRES=1, spread over every
# core (pytest-xdist, a test database per worker); TEST_WORKERS=0 runs it in one process.
TEST_WORKERS ?= auto
PYTEST = $(VENV)/bin/pytest -q -n $(TEST_WORKERS)
test: lint compile-messages
	$(PYTEST)
	@if [ "$$LIBRANET_TEST_POSTGRES" = "1" ]; then \
	  echo "== PostgreSQL =="; \
	  DATABASE_URL=$${LIBRANET_TEST_DATABASE_URL:-postgres://libranet:libranet@127.0.0.1:5432/libranet} \
	    $(PYTEST) -m "not browser"; \
	fi

# The suite again with the wall clock five years ahead, subprocesses included (CI runs it):
# a test that reads "now" without fixing the clock fails today, not on the day its date passes.
CLOCK_SHIFT_DAYS ?= 1830
test-later: install compile-messages
	LIBRANET_TEST_CLOCK_SHIFT_DAYS=$(CLOCK_SHIFT_DAYS) PYTHONPATH=libranet/tests/clock_shift \
	  $(PYTEST) -m "not browser" \
	  -W "ignore:Module already imported so cannot be rewritten:pytest.PytestAssertRewriteWarning"

bench: prepare
	$(PY) bench/run.py

# A picture of every page type at 390 and 1366 px, from a throwaway seeded demo, into
# screenshots/ (git-ignored); ONLY=regex takes some page types only.
screenshots: install compile-messages
	$(PY) bench/screenshots.py $(if $(ONLY),--only "$(ONLY)",)

# Refresh the Russian catalog after changing strings (needs GNU gettext's xgettext).
messages: install
	$(PY) manage.py makemessages -l ru --no-obsolete --no-location -i ".venv/*" -i "data/*" -i "frontend/node_modules/*"

# Refresh the self-hosted front-end libraries from the npm registry (frontend/package-lock.json pins
# them); the copies in libranet/static/vendor are committed, so nothing else needs npm.
vendor: install
	cd frontend && npm ci --ignore-scripts --no-audit --no-fund
	$(PY) frontend/vendor.py
	$(PY) frontend/russia_subjects.py

clean:
	rm -rf $(VENV) data
