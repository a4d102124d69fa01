"""Transport security: trusted Host headers and absolute links from PUBLIC_BASE_URL."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask


def public_url(app: Flask, path: str) -> str:
    """PUBLIC_BASE_URL joined with a site-relative path (never the request's Host)."""
    return app.config["PUBLIC_BASE_URL"].rstrip("/") + "/" + path.lstrip("/")


class PublicUrlFlask(Flask):
    """A Flask app whose external URLs (`url_for(..., _external=True)`) use PUBLIC_BASE_URL."""

    def url_for(self, endpoint: str, *, _anchor: str | None = None, _method: str | None = None,
                _scheme: str | None = None, _external: bool | None = None, **values) -> str:
        if not _external or _scheme is not None:
            return super().url_for(endpoint, _anchor=_anchor, _method=_method, _scheme=_scheme,
                                   _external=_external, **values)
        path = super().url_for(endpoint, _anchor=_anchor, _method=_method, _external=False,
                               **values)
        return public_url(self, path)


def configure_trusted_hosts(app: Flask) -> None:
    """Production without TRUSTED_HOSTS trusts only PUBLIC_BASE_URL's host."""
    if app.config.get("TRUSTED_HOSTS") or app.testing or app.debug:
        return
    host = urlsplit(app.config["PUBLIC_BASE_URL"]).hostname
    if host:
        app.config["TRUSTED_HOSTS"] = [host]
