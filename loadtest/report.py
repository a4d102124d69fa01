"""Print locust's CSV statistics as one line per page type (stdlib only)."""
from __future__ import annotations

import csv
import sys


def main(path: str) -> None:
    with open(path, encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    print(f"{'page type':48} {'requests':>8} {'fail':>5} {'req/s':>7} {'p50':>6} {'p95':>6} "
          f"{'p99':>6} {'max':>7}")
    for row in sorted(rows, key=lambda r: (r["Name"] == "Aggregated", r["Name"])):
        name = "ALL" if row["Name"] == "Aggregated" else f"{row['Type']} {row['Name']}"
        print(f"{name[:48]:48} {row['Request Count']:>8} {row['Failure Count']:>5} "
              f"{float(row['Requests/s']):7.1f} {row['50%']:>6} {row['95%']:>6} {row['99%']:>6} "
              f"{float(row['Max Response Time']):7.0f}")
    print("(times in ms)")
    exceptions = path.replace("_stats.csv", "_exceptions.csv")
    try:
        with open(exceptions, encoding="utf-8") as handle:
            errors = list(csv.DictReader(handle))
    except FileNotFoundError:
        errors = []
    for error in errors:
        print(f"locust exception x{error['Count']}: {error['Message']}")


if __name__ == "__main__":
    main(sys.argv[1])
