"""The development secret key: random per instance, kept in instance/ (never committed)."""
from __future__ import annotations

import os
import secrets
from pathlib import Path

from flask import Flask


def configure_secret_key(app: Flask) -> None:
    """Use SECRET_KEY (config or environment), else the instance key where one is allowed."""
    key = app.config.get("SECRET_KEY") or os.environ.get("SECRET_KEY")
    if not key:
        key_file = app.config.get("SECRET_KEY_FILE")
        if not key_file:
            raise RuntimeError("SECRET_KEY must be set (환경 변수 SECRET_KEY 필요)")
        key = instance_secret_key(Path(key_file))
    app.config["SECRET_KEY"] = key


def instance_secret_key(path: Path) -> str:
    """Read the key stored at `path`, creating it (owner-only, 0600) on first use."""
    try:
        return path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process created it first: use theirs
        return path.read_text(encoding="ascii").strip()
    with os.fdopen(descriptor, "w", encoding="ascii") as handle:
        handle.write(key + "\n")
    return key
