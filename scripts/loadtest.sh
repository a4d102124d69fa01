#!/usr/bin/env bash
# Load test: PostgreSQL + generated data set + gunicorn + locust (headless, loopback, bounded).
#
#   LOADTEST_DATABASE_URL=postgresql://citymatch:citymatch@127.0.0.1:5432/citymatch_perf \
#     scripts/loadtest.sh [--duration 2m] [--users 120] [--spawn-rate 30] [--port 8765]
#                         [--solutions 10000 --needs 5000 --companies 2000] [--reuse-data]
#
# The database named by LOADTEST_DATABASE_URL is EMPTIED (schema dropped) unless --reuse-data.
# Locust runs from its own virtualenv (.venv-bench, requirements-bench.txt) so it does not
# change the app's. Prints one line per page type (requests/s, p50/p95/p99, failures) and the
# RSS of each gunicorn worker, then stops gunicorn.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=2m USERS=120 SPAWN_RATE=30 PORT=8765 WORKERS=2 THREADS=4
SOLUTIONS=10000 NEEDS=5000 COMPANIES=2000 SEED=1 REUSE=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --duration) DURATION=$2; shift 2 ;;
    --users) USERS=$2; shift 2 ;;
    --spawn-rate) SPAWN_RATE=$2; shift 2 ;;
    --port) PORT=$2; shift 2 ;;
    --workers) WORKERS=$2; shift 2 ;;
    --threads) THREADS=$2; shift 2 ;;
    --solutions) SOLUTIONS=$2; shift 2 ;;
    --needs) NEEDS=$2; shift 2 ;;
    --companies) COMPANIES=$2; shift 2 ;;
    --seed) SEED=$2; shift 2 ;;
    --reuse-data) REUSE=1; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
: "${LOADTEST_DATABASE_URL:?set LOADTEST_DATABASE_URL=postgresql://user:pass@127.0.0.1:5432/dbname}"
case "$LOADTEST_DATABASE_URL" in postgresql://*|postgres://*) ;; *) echo "PostgreSQL only" >&2; exit 2 ;; esac

OUT=${LOADTEST_OUT:-test-artifacts/loadtest}
mkdir -p "$OUT"
export CITYMATCH_ENV=production SECRET_KEY=${SECRET_KEY:-loadtest-only-secret} DATABASE_URL=$LOADTEST_DATABASE_URL
PY=.venv/bin/python FLASK=".venv/bin/flask --app wsgi"

if [[ ! -x .venv-bench/bin/locust ]]; then
  python3 -m venv .venv-bench
  .venv-bench/bin/pip install -q -r requirements-bench.txt
fi

if [[ $REUSE == 0 ]]; then
  echo "== resetting the database and generating ${SOLUTIONS} solutions, ${NEEDS} needs, ${COMPANIES} companies"
  PSQL_URL=${LOADTEST_DATABASE_URL/postgres:\/\//postgresql:\/\/}
  PGOPTIONS="--client-min-messages=warning" psql "$PSQL_URL" -q -v ON_ERROR_STOP=1 \
    -c "DROP SCHEMA public CASCADE; CREATE SCHEMA public;"
  $FLASK db upgrade > "$OUT/db-upgrade.log" 2>&1
  $FLASK generate-load-data --solutions "$SOLUTIONS" --needs "$NEEDS" --companies "$COMPANIES" \
    --seed "$SEED" --quiet
fi
$PY loadtest/manifest.py > "$OUT/manifest.json"

echo "== starting gunicorn (${WORKERS} workers x ${THREADS} threads) on 127.0.0.1:${PORT}"
# The repository's gunicorn.conf.py, as `make serve` runs it; plain HTTP on loopback, so cookies
# may not require HTTPS here. The JSON request log goes to a file (it is part of the cost).
SESSION_COOKIE_SECURE=0 WEB_CONCURRENCY="$WORKERS" GUNICORN_THREADS="$THREADS" \
  GUNICORN_BIND="127.0.0.1:$PORT" GUNICORN_TIMEOUT=120 GUNICORN_LOG_LEVEL=warning \
  .venv/bin/gunicorn -c gunicorn.conf.py 'wsgi:app' --error-logfile "$OUT/gunicorn.log" \
  2> "$OUT/requests.log" &
GUNICORN_PID=$!
cleanup() { kill "$GUNICORN_PID" 2>/dev/null || true; wait "$GUNICORN_PID" 2>/dev/null || true; }
trap cleanup EXIT

for _ in $(seq 1 60); do
  curl -sf -o /dev/null "http://127.0.0.1:$PORT/solutions" && break
  sleep 1
done
echo "== warming up (each worker builds its matching engine on first use)"
NEED_ID=$($PY -c "import json,sys; print(json.load(open(sys.argv[1]))['needs'][0])" "$OUT/manifest.json")
for _ in $(seq 1 3); do
  for _ in $(seq 1 $((WORKERS * THREADS))); do
    curl -s -o /dev/null --max-time 120 "http://127.0.0.1:$PORT/needs/$NEED_ID" &
  done
  wait $(jobs -p | grep -v "^$GUNICORN_PID$") 2>/dev/null || true
done

echo "== locust: ${USERS} users for ${DURATION}"
LOADTEST_MANIFEST="$OUT/manifest.json" .venv-bench/bin/locust -f loadtest/locustfile.py --headless \
  -H "http://127.0.0.1:$PORT" -u "$USERS" -r "$SPAWN_RATE" -t "$DURATION" --reset-stats \
  --csv "$OUT/locust" --only-summary --loglevel WARNING > "$OUT/locust.log" 2>&1 || true

echo "== gunicorn worker memory (RSS, after the run)"
for pid in $(pgrep -P "$GUNICORN_PID"); do
  echo "worker $pid: $(( $(awk '/VmRSS/ {print $2}' "/proc/$pid/status") / 1024 )) MiB"
done
$PY loadtest/report.py "$OUT/locust_stats.csv"
