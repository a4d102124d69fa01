"""Thin views of the public API: collections, records, statistics, bulk downloads and the docs."""
from __future__ import annotations

from flask import (
    Response,
    abort,
    current_app,
    make_response,
    render_template,
    request,
    stream_with_context,
    url_for,
)

from werkzeug.exceptions import HTTPException

from app.api import bp, current_spec, schemas
from app.api.errors import handle_http_exception
from app.rate_limits import api_bulk_limits, api_limits
from app.services import public_api

LINK_HEADER = {"Link": {"description": "RFC 8288 links: first, prev, next, last.",
                        "schema": {"type": "string"}}}


bp.register_error_handler(HTTPException, handle_http_exception)
api_limits(bp)


def _page_url(page: int) -> str:
    query = request.args.to_dict(flat=False)
    query["page"] = [str(page)]
    return url_for(request.endpoint, **(request.view_args or {}), **query, _external=True)


def _paged(collection: str, args: dict):
    """One page of a collection as `data`, `meta` and `links`, with a Link header."""
    page = args.pop("page", 1)
    per_page = args.pop("per_page", None) or current_app.config["API_PAGE_SIZE"]
    records, total = public_api.page_of(collection, args, page, per_page)
    pages = max(1, -(-total // per_page))
    links = {"self": _page_url(page), "first": _page_url(1), "last": _page_url(pages),
             "prev": _page_url(page - 1) if page > 1 else None,
             "next": _page_url(page + 1) if page < pages else None}
    header = ", ".join(f'<{url}>; rel="{rel}"' for rel, url in links.items()
                       if url and rel != "self")
    body = {"data": records, "links": links,
            "meta": {"page": page, "per_page": per_page, "total": total, "pages": pages}}
    return body, 200, {"Link": header}


def _found(record: dict | None) -> dict:
    if record is None:
        abort(404)
    return record


@bp.route("/")
@bp.response(200, description="Links to the collections and the documentation.")
def index():
    """The API's entry points."""
    def link(endpoint: str) -> str:
        return url_for(endpoint, _external=True)

    return {"version": "v1",
            "collections": {name: link(f"api.{name}") for name in public_api.COLLECTIONS},
            "statistics": link("api.statistics"),
            "bulk": {f"{name}.{fmt}": link(f"api.bulk_{name}_{fmt}")
                     for name in public_api.COLLECTIONS for fmt in ("csv", "json")},
            "openapi": link("api.openapi_json"), "docs": link("api.docs")}


@bp.route("/solutions")
@bp.arguments(schemas.SolutionQuery, location="query")
@bp.response(200, schemas.SolutionPage, headers=LINK_HEADER)
def solutions(args):
    """Published solutions of approved alliance members."""
    return _paged("solutions", args)


@bp.route("/solutions/<int:solution_id>")
@bp.response(200, schemas.SolutionSchema)
def solution(solution_id: int):
    """One published solution (404 for any other id)."""
    return _found(public_api.public_solution(solution_id))


@bp.route("/needs")
@bp.arguments(schemas.NeedQuery, location="query")
@bp.response(200, schemas.NeedPage, headers=LINK_HEADER)
def needs(args):
    """Public needs of local governments (open ones unless `status` says otherwise)."""
    return _paged("needs", args)


@bp.route("/needs/<int:need_id>")
@bp.response(200, schemas.NeedSchema)
def need(need_id: int):
    """One public need (404 for any other id)."""
    return _found(public_api.public_need(need_id))


@bp.route("/companies")
@bp.arguments(schemas.CompanyQuery, location="query")
@bp.response(200, schemas.CompanyPage, headers=LINK_HEADER)
def companies(args):
    """Approved convergence-alliance members, by name."""
    return _paged("companies", args)


@bp.route("/companies/<int:company_id>")
@bp.response(200, schemas.CompanySchema)
def company(company_id: int):
    """One approved member (404 for any other company)."""
    return _found(public_api.public_company(company_id))


@bp.route("/municipalities")
@bp.arguments(schemas.MunicipalityQuery, location="query")
@bp.response(200, schemas.MunicipalityPage, headers=LINK_HEADER)
def municipalities(args):
    """The 243 local governments with their numbers of open public needs."""
    return _paged("municipalities", args)


@bp.route("/municipalities/<int:municipality_id>")
@bp.response(200, schemas.MunicipalitySchema)
def municipality(municipality_id: int):
    """One local government."""
    return _found(public_api.municipality(municipality_id))


@bp.route("/statistics")
@bp.response(200, schemas.StatisticsSchema)
def statistics():
    """Anonymised market statistics: counts per category, province and size class; a count
    from fewer than `min_organisations` organisations is null (see docs/api.md)."""
    return public_api.market_statistics(current_app.config["API_STATS_MIN_ORGANISATIONS"])


def _download(collection: str, fmt: str, records, item_schema) -> Response:
    if fmt == "csv":
        chunks, mimetype = public_api.csv_chunks(collection, records), "text/csv"
    else:
        chunks = public_api.json_chunks(item_schema.dump(record) for record in records)
        mimetype = "application/json"
    response = Response(stream_with_context(chunks), mimetype=mimetype)
    response.headers["Content-Type"] = f"{mimetype}; charset=utf-8"
    response.headers["Content-Disposition"] = \
        f'attachment; filename="citymatch-{collection}.{fmt}"'
    return response


def _bulk_view(collection: str, fmt: str):
    filters, item = schemas.COLLECTION_SCHEMAS[collection]
    item_schema = item()

    def download(args):
        return _download(collection, fmt, public_api.all_records(collection, args), item_schema)

    download.__name__ = download.__qualname__ = f"bulk_{collection}_{fmt}"
    download.__doc__ = (f"Every public record of `{collection}` matching the filters, as "
                        + ("CSV (UTF-8 with a byte-order mark, for Excel)." if fmt == "csv"
                           else "a JSON array.") + " Streamed; rate limited more tightly.")
    content = "text/csv" if fmt == "csv" else "application/json"
    view = bp.response(200, {"type": "string"} if fmt == "csv" else item(many=True),
                       content_type=content)(download)
    view = bp.arguments(filters, location="query")(view)
    return api_bulk_limits(view)


for _collection in public_api.COLLECTIONS:
    for _fmt in ("csv", "json"):
        bp.route(f"/bulk/{_collection}.{_fmt}", endpoint=f"bulk_{_collection}_{_fmt}")(
            _bulk_view(_collection, _fmt))


@bp.route("/openapi.json")
@bp.response(200, description="This OpenAPI 3 document.")
def openapi_json():
    """The OpenAPI document of this API."""
    return current_spec()


@bp.route("/docs")
@bp.response(200, {"type": "string"}, content_type="text/html",
             description="The interactive documentation page.")
def docs():
    """The interactive documentation (Swagger UI, vendored under static/vendor/swagger-ui/)."""
    return make_response(render_template("api/docs.html"))
