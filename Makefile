# Liaison: `make demo` runs two local nodes; `make test` runs everything CI runs.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# Use uv from PATH if present, else bootstrap it from PyPI into .tools/.
UV := $(shell command -v uv 2>/dev/null)
ifeq ($(UV),)
UV := .tools/bin/uv
endif
PG_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
# pytest-xdist workers: live-node and browser tests mostly wait on I/O, so even two cores
# keep three busy (a file per worker at a time: see tests/support/scheduling.py).
PYTEST_WORKERS ?= 3

.PHONY: help demo test setup lint typecheck pytest test-services bench load clean screenshots i18n-check

help:
	@echo "make demo   - start the Canada and India demo nodes (Ctrl-C stops them)"
	@echo "make test   - install what tests need and run lint, types and every test"
	@echo "make screenshots - refresh the French and Hindi screenshots in docs/screenshots/"
	@echo "make load   - the 30-minute scale-out load test on PostgreSQL (LOAD_ARGS=\"--minutes 2 --messages 50000\" for a short one)"

.tools/bin/uv:
	python3 -m venv .tools
	.tools/bin/pip install --quiet --disable-pip-version-check uv

setup: $(if $(filter .tools/bin/uv,$(UV)),.tools/bin/uv)
	$(UV) sync --frozen

demo: setup
	$(UV) run liaison demo

# Debian's Chromium for the browser tests, nginx for the TLS test (tests/release), pg_dump
# and psql (live PostgreSQL nodes copy a prepared schema) and a running PostgreSQL for the
# integration tests; each installed or started only if missing.
test-services:
	@if [ ! -x /usr/bin/chromium ]; then \
		echo "installing Debian chromium for browser tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	fi
	@if ! fc-list 2>/dev/null | grep -q "Noto Sans Devanagari"; then \
		echo "installing Debian fonts-noto-core (Devanagari for Hindi pages and PDF reports)"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-noto-core >/dev/null; \
	fi
	@if [ ! -x /usr/sbin/nginx ]; then \
		echo "installing Debian nginx for the TLS test"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >/dev/null; \
	fi
	@if [ ! -x /usr/bin/pg_dump ] || [ ! -x /usr/bin/psql ]; then \
		echo "installing Debian postgresql-client (pg_dump, psql)"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-client >/dev/null; \
	fi
	@if ! pg_isready -q -h 127.0.0.1 -p 5432; then \
		echo "starting PostgreSQL"; \
		pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql) main start; \
		for i in $$(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done; \
	fi

lint: setup
	$(UV) run ruff check src tests bench migrations tools
	$(UV) run ruff format --check src tests bench migrations tools
	$(UV) run python tools/pip_audit_gate.py

typecheck: setup
	$(UV) run mypy src

# PYTHONDONTWRITEBYTECODE (set in some shells and CI images) makes every Python process
# compile each module it imports again: every `liaison serve`, worker and CLI call a test
# starts (~2 s of CPU each for the app's imports) and each pytest worker. The tests keep
# the bytecode cache (__pycache__/, ignored by git) instead.
pytest: setup test-services
	PYTHONDONTWRITEBYTECODE= LIAISON_TEST_PG_URL=$(PG_URL) $(UV) run pytest -n $(PYTEST_WORKERS) --dist loadfile --no-loadscope-reorder

test: lint typecheck pytest

bench: setup test-services
	LIAISON_TEST_PG_URL=$(PG_URL) $(UV) run python bench/demo_startup.py
	$(UV) run python bench/policy.py

# The scale-out load test (docs/operations.md "Load test"): 30 minutes, 1,000,000 stored
# messages by default; e.g. `make load LOAD_ARGS="--minutes 2 --messages 50000"`.
load: setup test-services
	LIAISON_TEST_PG_URL=$(PG_URL) $(UV) run python bench/load.py $(LOAD_ARGS)

# The French and Hindi inbox, thread, legal review and dashboard in docs/screenshots/
# (the French and Hindi browser tests of tests/e2e/test_web_exchange.py, writing there
# instead of test-artifacts/).
screenshots: setup test-services
	LIAISON_TEST_PG_URL=$(PG_URL) LIAISON_SCREENSHOTS_DIR=$(CURDIR)/docs/screenshots \
		$(UV) run pytest -q -p no:randomly tests/e2e/test_web_exchange.py -k "language or french"

# Every message id translated in French and Hindi, none unused (tools/i18n.py).
i18n-check: setup
	$(UV) run python tools/i18n.py check

clean:
	rm -rf .liaison-demo test-artifacts .pytest_cache .mypy_cache .ruff_cache
