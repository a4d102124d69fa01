#!/usr/bin/env bash
# Scan a running CityMatch on loopback with wapiti: anonymous, then signed in as each role.
#
#   scripts/security-scan.sh            # 5 minutes per actor (MAX_SCAN_SECONDS)
#   MAX_SCAN_SECONDS=900 scripts/security-scan.sh
#
# It serves the demo data from a throw-away SQLite file with gunicorn on 127.0.0.1:$PORT (never
# another host), signs in with the demo accounts, and writes one JSON and one text report per actor
# to $OUT plus a summary table (summary.md). wapiti runs from its own virtualenv (.venv-scan,
# requirements-scan.txt) so its pins never mix with the app's. Findings and what was done about
# them are recorded in docs/security.md.
set -euo pipefail
cd "$(dirname "$0")/.."

PORT=${PORT:-5077}
MAX_SCAN_SECONDS=${MAX_SCAN_SECONDS:-300}
MAX_ATTACK_SECONDS=${MAX_ATTACK_SECONDS:-60}
OUT=${OUT:-scan-reports/$(date -u +%Y%m%dT%H%M%SZ)}
BASE="http://127.0.0.1:${PORT}"
ACTORS=${ACTORS:-"anonymous official company admin"}

if [[ ! -x .venv-scan/bin/wapiti ]]; then
  python3 -m venv .venv-scan
  .venv-scan/bin/pip install -q -r requirements-scan.txt
fi
make -s setup

WORK=$(mktemp -d)
mkdir -p "$OUT"
export CITYMATCH_ENV=development DATABASE_URL="sqlite:///${WORK}/scan.sqlite3" \
  QUEUE_URL="sqlite:///${WORK}/queue.sqlite3" \
  PUBLIC_BASE_URL="$BASE" TRUSTED_HOSTS="127.0.0.1" GUNICORN_BIND="127.0.0.1:${PORT}"
FLASK=".venv/bin/flask --app wsgi"
$FLASK db upgrade >/dev/null 2>&1
$FLASK load-reference-data >/dev/null
$FLASK seed-demo >/dev/null
$FLASK rematch >/dev/null

.venv/bin/gunicorn --config gunicorn.conf.py wsgi:app >"$OUT/server.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; rm -rf "$WORK"' EXIT
for _ in $(seq 1 60); do curl -fs "$BASE/healthz" >/dev/null && break; sleep 1; done

sign_in() {  # prints the session cookie of a demo account
  local jar="$WORK/$1.jar" token
  token=$(curl -fs -c "$jar" "$BASE/auth/login" | sed -n 's/.*name="csrf_token" type="hidden" value="\([^"]*\)".*/\1/p' | head -n 1)
  curl -fs -b "$jar" -c "$jar" -o /dev/null --data-urlencode "csrf_token=$token" \
    --data-urlencode "email=$2" --data-urlencode "password=$3" "$BASE/auth/login"
  awk '$6 == "session" {print $7}' "$jar"
}

for actor in $ACTORS; do
  cookie=()
  case $actor in
    anonymous) ;;
    official) cookie=(-C "session=$(sign_in official official@citymatch.kr citymatch-demo!)") ;;
    company) cookie=(-C "session=$(sign_in company company@citymatch.kr citymatch-demo!)") ;;
    admin) cookie=(-C "session=$(sign_in admin admin@citymatch.kr citymatch-admin!)") ;;
    *) echo "unknown actor $actor" >&2; exit 2 ;;
  esac
  echo "== wapiti as $actor (at most ${MAX_SCAN_SECONDS}s)" >&2
  # Signing out (and the account page's sign-out-everywhere and deletion) would end the scan's
  # own session; the crawler must not follow them.
  .venv-scan/bin/wapiti -u "$BASE/" --scope folder "${cookie[@]}" \
    -x "$BASE/auth/logout" -x "$BASE/account/*" -x "$BASE/auth/password" \
    --max-scan-time "$MAX_SCAN_SECONDS" --max-attack-time "$MAX_ATTACK_SECONDS" \
    --flush-session --no-bugreport -f json -o "$OUT/$actor.json" >"$OUT/$actor.log" 2>&1 || true
done

.venv/bin/python - "$OUT" $ACTORS <<'PY'
import json, sys
from pathlib import Path

out, actors = Path(sys.argv[1]), sys.argv[2:]
lines = ["| actor | URLs crawled | vulnerabilities | anomalies | additional |", "|---|---|---|---|---|"]
details = []
for actor in actors:
    path = out / f"{actor}.json"
    if not path.exists():
        lines.append(f"| {actor} | (no report) | | | |")
        continue
    report = json.loads(path.read_text())
    crawled = report.get("infos", {}).get("crawled_pages_nbr", "?")
    def count(section):
        items = {name: len(found) for name, found in report.get(section, {}).items() if found}
        return ", ".join(f"{name}: {n}" for name, n in sorted(items.items())) or "none"
    lines.append(f"| {actor} | {crawled} | {count('vulnerabilities')} | {count('anomalies')} | {count('additionals')} |")
    for section in ("vulnerabilities", "anomalies", "additionals"):
        for name, found in report.get(section, {}).items():
            for item in found:
                details.append(f"- {actor} · {section} · {name}: {item.get('info', '')} "
                               f"({item.get('method', '')} {item.get('path', '')} {item.get('parameter', '')})")
(out / "summary.md").write_text("\n".join(lines + [""] + details) + "\n")
print("\n".join(lines + [""] + details))
PY
