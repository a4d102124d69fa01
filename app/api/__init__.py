"""The public, read-only JSON API under /api/v1/ (flask-smorest; schemas in app/api/schemas.py)."""
from __future__ import annotations

from flask import Flask
from marshmallow import RAISE
from flask_smorest import Api
from flask_smorest import Blueprint as SmorestBlueprint
from webargs.flaskparser import FlaskParser

from app.ids import MAX_ID, RecordIdConverter

API_VERSION = "1.0.0"


class QueryParser(FlaskParser):
    """Bad query parameters are a 400 (webargs' default is 422), and so are unknown ones (a
    misspelt filter would otherwise silently return everything)."""

    DEFAULT_VALIDATION_STATUS = 400
    DEFAULT_UNKNOWN_BY_LOCATION = {**FlaskParser.DEFAULT_UNKNOWN_BY_LOCATION,
                                   "query": RAISE, "querystring": RAISE}


class PublicApi(Api):
    """flask-smorest's Api, without its app-wide JSON error handler: the rest of the site keeps its
    HTML error pages, and the API's errors are answered by app/api/errors.py."""

    def _register_error_handlers(self):
        pass


class ApiBlueprint(SmorestBlueprint):
    """A flask-smorest blueprint whose argument errors are 400s."""

    ARGUMENTS_PARSER = QueryParser()


bp = ApiBlueprint("api", __name__, url_prefix="/api/v1",
                  description="Published solutions, public needs, alliance members, local "
                              "governments and market statistics of CityMatch.")

SPEC = {
    "title": "CityMatch open data API",
    "version": API_VERSION,
    "openapi_version": "3.0.3",
    "info": {
        "description": (
            "Read-only open data of the CityMatch public catalogue: only what the site shows to "
            "every visitor. Pages: `page` and `per_page` (see each list), with `meta`, `links` "
            "and a `Link` header. Errors are JSON (`code`, `status`, `message`, `errors`) in "
            "the language of `Accept-Language` (Korean or English). Requests are rate limited "
            "per client address (429 with `Retry-After`). See docs/api.md."),
    },
}


def _record_id_schema(converter) -> dict:
    return {"type": "integer", "minimum": 1, "maximum": MAX_ID}


def init_app(app: Flask) -> None:
    """Register the API blueprint and its OpenAPI document on the app."""
    from app.api import views  # noqa: F401  (the views add the routes)

    api = PublicApi(app, spec_kwargs=SPEC)
    api.register_converter(RecordIdConverter, _record_id_schema)
    api.register_blueprint(bp)


def current_spec() -> dict:
    """The OpenAPI document of the current app's API."""
    from flask_smorest import current_api

    return current_api.spec.to_dict()
