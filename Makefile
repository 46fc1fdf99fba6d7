# Libranet: `make run` serves the demo, `make test` checks everything. See README.md.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
WORKERS ?= 2
export LIBRANET_DATA_DIR ?= $(CURDIR)/data

.PHONY: install compile-messages run prepare test lint bench messages clean

$(VENV)/.installed: pyproject.toml requirements.lock
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check -r requirements.lock
	touch $@

install: $(VENV)/.installed

# Catalogs compiled with Babel, so no system gettext is needed.
compile-messages: install
	$(VENV)/bin/pybabel -q compile -D django -d locale

prepare: install compile-messages
	$(PY) manage.py migrate --noinput
	$(PY) manage.py collectstatic --noinput -v 0

run: prepare
	$(PY) manage.py seed_demo --if-empty
	@echo ""
	@echo "Libranet: http://$(HOST):$(PORT)/  (back office: http://$(HOST):$(PORT)/ru/office/)"
	@echo "Demo sign-ins: admin, network, international, head.tver, head.penza, operator.tarkhany"
	@echo "Password: $$(cat $(LIBRANET_DATA_DIR)/demo_password)"
	@echo ""
	$(VENV)/bin/gunicorn libranet.wsgi --bind $(HOST):$(PORT) --workers $(WORKERS) --access-logfile - 

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(PY) manage.py makemigrations --check --dry-run -v 0

# The suite on SQLite, then again on PostgreSQL when LIBRANET_TEST_POSTGRES=1.
test: lint compile-messages
	$(VENV)/bin/pytest -q
	@if [ "$$LIBRANET_TEST_POSTGRES" = "1" ]; then \
	  echo "== PostgreSQL =="; \
	  DATABASE_URL=$${LIBRANET_TEST_DATABASE_URL:-postgres://libranet:libranet@127.0.0.1:5432/libranet} \
	    $(VENV)/bin/pytest -q -m "not browser"; \
	fi

bench: prepare
	$(PY) bench/run.py

# Refresh the Russian catalog after changing strings (needs GNU gettext's xgettext).
messages: install
	$(PY) manage.py makemessages -l ru --no-obsolete --no-location -i ".venv/*" -i "data/*"

clean:
	rm -rf $(VENV) data
