"""Transport security: trusted Host headers, absolute links from PUBLIC_BASE_URL, headers."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, Response

# No inline scripts or styles anywhere (static/js/app.js, static/css/app.css); Bootstrap's CSS
# draws its select arrows and close buttons from data: SVG images.
CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "img-src 'self' data:",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])


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


def _add_security_headers(response: Response, hsts: str | None) -> Response:
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    if hsts:
        response.headers.setdefault("Strict-Transport-Security", hsts)
    return response


def register_security_headers(app: Flask) -> None:
    """Send the security headers on every response (HSTS only where SECURITY_HSTS_SECONDS > 0)."""
    seconds = int(app.config.get("SECURITY_HSTS_SECONDS") or 0)
    hsts = f"max-age={seconds}; includeSubDomains" if seconds > 0 else None
    app.after_request(lambda response: _add_security_headers(response, hsts))
