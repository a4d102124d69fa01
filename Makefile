# CityMatch: `make run` sets up and serves the demo; `make test` sets up and runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
HOST ?= 127.0.0.1
PORT ?= 5000
QUEUE_WORKERS ?= 2
# Tests run in parallel (pytest-xdist), one process per core; TEST_WORKERS=0 runs them serially.
TEST_WORKERS ?= auto
PYTEST := $(BIN)/python -m pytest -n $(TEST_WORKERS) --dist worksteal
# An idle consumer polls the SQLite queue at least every second (a job starts within a second).
QUEUE_CONSUMER := $(BIN)/huey_consumer app.tasks.huey --workers $(QUEUE_WORKERS) --max-delay 1

.PHONY: setup browser db demo run serve require-secret-key test test-sqlite test-postgres clean

$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

setup: $(VENV)/.installed
	$(BIN)/pybabel -q compile -d app/translations

db: setup
	$(FLASK) db upgrade
	$(FLASK) load-reference-data

demo: db
	$(FLASK) seed-demo
	$(FLASK) rematch

# The queue consumer (jobs and the periodic schedule) runs beside the dev server and stops with it.
run: demo
	$(QUEUE_CONSUMER) --quiet & consumer=$$!; trap 'kill $$consumer 2>/dev/null' EXIT INT TERM; \
		$(FLASK) run --host $(HOST) --port $(PORT)

.PHONY: worker
# The queue consumer with its scheduler (run `flask db upgrade` first); one per machine or more.
worker: setup
	$(QUEUE_CONSUMER)

# Production: gunicorn (gunicorn.conf.py) on DATABASE_URL after migrating and loading reference
# data. Needs SECRET_KEY; no demo data.
serve: require-secret-key setup
	CITYMATCH_ENV=production $(FLASK) db upgrade
	CITYMATCH_ENV=production $(FLASK) load-reference-data
	CITYMATCH_ENV=production exec $(BIN)/gunicorn --config gunicorn.conf.py wsgi:app

require-secret-key:
	@test -n "$$SECRET_KEY" || { echo "make serve: set SECRET_KEY first (환경 변수 SECRET_KEY가 필요합니다), e.g. export SECRET_KEY=\$$(python3 -c 'import secrets; print(secrets.token_hex(32))')" >&2; exit 1; }

test: test-sqlite

browser:
	scripts/install-browser.sh

test-sqlite: setup browser
	$(PYTEST)

# The database-independent suites (matching library, browser journeys on their own SQLite file)
# already ran in test-sqlite.
test-postgres: setup
	TEST_DATABASE_URL=$$(scripts/postgres-test-server.sh) $(PYTEST) \
		--ignore=tests/matching --ignore=tests/browser

clean:
	rm -rf $(VENV) instance .pytest_cache
