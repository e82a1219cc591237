# The two set-up commands: `make run` (the demo newsroom at http://127.0.0.1:8000) and `make test` (the suite).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export BULLETIN_DATA_DIR ?= $(CURDIR)/var
# The suite runs in two pytest-xdist workers, a test file each at a time: most tests wait on servers, browsers and
# the database as much as they compute, so two workers fill two cores. `make test WORKERS=0` runs in one process.
WORKERS ?= 2
PYTEST := $(BIN)/pytest $(if $(filter 0,$(WORKERS)),,-n $(WORKERS) --dist loadfile)

.PHONY: run lint test test-fast test-postgresql clean

$(BIN)/bulletin: pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

$(VENV)/.test-installed: $(BIN)/bulletin requirements-test.lock
	$(BIN)/pip install --quiet -r requirements-test.lock
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

run: $(BIN)/bulletin
	$(BIN)/bulletin demo --if-empty
	$(BIN)/bulletin build
	$(BIN)/bulletin serve

# ruff's rules and formatting (pyproject.toml), before any test runs.
lint: $(VENV)/.test-installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# The whole suite, browser tests included; set DATABASE_URL to run it on PostgreSQL.
test: lint node_modules/.installed
	$(PYTEST) --e2e

# Without the browser tests, for a quick loop while editing.
test-fast: lint
	$(PYTEST)

# The suite on PostgreSQL (CI runs it after `make test`): the tests that use the database (tests/conftest.py leaves
# out the others there). The browser tests and the tests of real `bulletin serve` processes give each server a
# SQLite database of its own whatever DATABASE_URL says, so here they would only repeat the SQLite run; they are
# left out.
SQLITE_SERVER_TESTS := tests/e2e tests/publishing/test_crash.py tests/publishing/test_second_process.py tests/web/test_serve.py \
	tests/web/test_nginx.py tests/live/test_stream.py tests/live/test_redis.py tests/front/test_supervision.py \
	tests/publishing/test_failures_serve.py tests/hostile
test-postgresql: $(VENV)/.test-installed
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test} \
		$(PYTEST) $(addprefix --ignore=,$(SQLITE_SERVER_TESTS))

clean:
	rm -rf $(VENV) node_modules
