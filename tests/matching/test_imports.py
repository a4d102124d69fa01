"""The library must not pull in the web app, Flask or SQLAlchemy."""
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MODULES = ["matching", "matching.text", "matching.index", "matching.scoring", "matching.explain",
           "matching.records", "matching.recommend", "matching.partnerships",
           "matching.evaluation", "matching.cli"]


def test_no_flask_sqlalchemy_or_app_imports():
    code = ("import importlib, json, sys\n"
            f"for m in {MODULES!r}: importlib.import_module(m)\n"
            "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('flask', 'sqlalchemy', 'app',"
            " 'flask_sqlalchemy', 'werkzeug'))\n"
            "print(json.dumps(bad))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                         timeout=60)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout.strip().splitlines()[-1]) == []
