#!/usr/bin/env bash
# Prove that a fresh clone with nothing beside it (no ../shared) sets up and serves the demo with
# `make run`: clone the committed HEAD into an empty temporary folder, start `make run` there on a
# free port, wait for the catalogue and check that it lists demo solutions in every category.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
PORT=${PORT:-5099}
TIMEOUT=${TIMEOUT:-600}

work=$(mktemp -d)
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill -- -"$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

git clone --quiet "$(pwd)" "$work/citymatch"
[ ! -e "$work/shared" ] || { echo "fresh-clone check: $work/shared must not exist" >&2; exit 1; }
cd "$work/citymatch"
echo "fresh-clone check: make run in $work/citymatch (port $PORT, no ../shared)" >&2
setsid env -u TAXONOMY_PATH -u DATABASE_URL PORT="$PORT" make run PYTHON="$PYTHON" \
  >"$work/make-run.log" 2>&1 &
server_pid=$!

deadline=$((SECONDS + TIMEOUT))
until curl -fsS "http://127.0.0.1:$PORT/solutions" -o "$work/solutions.html" 2>/dev/null; do
  if ! kill -0 "$server_pid" 2>/dev/null || [ $SECONDS -ge $deadline ]; then
    echo "fresh-clone check FAILED: make run did not serve the catalogue; its log:" >&2
    tail -n 40 "$work/make-run.log" >&2
    exit 1
  fi
  sleep 2
done
if ! pgrep -g "$server_pid" -f "huey_consumer app.tasks.huey" >/dev/null; then
  echo "fresh-clone check FAILED: make run did not start the queue consumer" >&2
  exit 1
fi
"$PYTHON" - "$work/solutions.html" "$work/make-run.log" <<'PY'
import re, sys
page = open(sys.argv[1], encoding="utf-8").read()
log = open(sys.argv[2], encoding="utf-8").read()
cards = len(re.findall(r'href="/solutions/\d+"', page))
assert "분류 12개" in log, "load-reference-data did not load the 12 shipped categories"
assert cards > 0, "the catalogue lists no demo solution"
print(f"fresh-clone check passed: make run served the catalogue ({cards} solution links) "
      "and started the queue consumer")
PY
