"""Thin views of the admin dashboard: analytics, charts, CSV exports, import and background jobs."""
from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user

from app.auth.access import role_required
from app.dashboard import charts, tables
from app.dashboard.forms import CompanyImportForm, RematchForm, TrendFilterForm
from app.formatting import SEOUL
from app.i18n import current_language
from app.models import Job, Role
from app.models.base import utcnow
from app.models import PolicyArea
from app.services import company_import, data_export, jobs, policy_share, trends, unit_of_work
from app.services.errors import ServiceError

bp = Blueprint("dashboard", __name__)

REMATCH_JOB = jobs.REMATCH
IMPORT_JOB = jobs.COMPANY_IMPORT


@bp.before_request
@role_required(Role.ADMIN)
def require_admin():
    """Every dashboard page is for administrators only."""
    return None


def _csv_response(filename_key: str, headers: list[str], rows: list[list]) -> Response:
    day = utcnow().astimezone(SEOUL).strftime("%Y%m%d")
    return Response(
        tables.to_csv(headers, rows),
        mimetype="text/csv",
        headers={"Content-Disposition": f"attachment; filename=citymatch-{filename_key}-{day}.csv"},
    )


def _chart_rows(table: tables.Table, value_column: int = 1) -> list[tuple[str, float]]:
    return [(str(row[0]), row[value_column] or 0) for row in table.rows]


def _trend_charts(rows: list[trends.TrendRow], granularity: str) -> list:
    return [charts.bar_chart(str(tables.TREND_LABELS[metric]),
                             [(tables.period_label(row.period, granularity), row.counts[metric])
                              for row in rows], label_width=120)
            for metric in trends.METRICS]


@bp.route("/")
def index():
    """Counts, the funnel, breakdowns, activity trends and charts of the whole market."""
    trend_form = TrendFilterForm(formdata=request.args)
    valid = trend_form.validate()
    date_from, date_to, granularity = trend_form.period(utcnow().astimezone(SEOUL).date())
    trend_rows = trends.activity(date_from, date_to, granularity)
    share = policy_share.report(*policy_share.period(trend_form, utcnow().astimezone(SEOUL).date()))
    data = tables.build_all()
    funnel = data["funnel"]
    chart_svgs = {
        "funnel": charts.funnel_chart(funnel.title, [(row[0], row[1], row[2])
                                                     for row in funnel.rows]),
        "matches_by_category": charts.bar_chart(data["matches_by_category"].title,
                                                _chart_rows(data["matches_by_category"])),
        "matches_by_province": charts.bar_chart(data["matches_by_province"].title,
                                                _chart_rows(data["matches_by_province"])),
        "matches_by_status": charts.bar_chart(data["matches_by_status"].title,
                                              _chart_rows(data["matches_by_status"])),
        "members_by_size": charts.bar_chart(data["members_by_size"].title,
                                            _chart_rows(data["members_by_size"])),
        "response_times": charts.bar_chart(data["response_times"].title,
                                           _chart_rows(data["response_times"], 2),
                                           unit=_("시간")),
    }
    return render_template("dashboard/index.html", tables=data, charts=chart_svgs,
                           rematch_form=RematchForm(), rematch_job=jobs.running(REMATCH_JOB),
                           summary=dict((row[0], row[1]) for row in data["summary"].rows),
                           trend_form=trend_form,
                           trend_table=tables.trend_table(trend_rows, granularity),
                           trend_charts=_trend_charts(trend_rows, granularity),
                           trend_period=(date_from, date_to),
                           policy_share=share, policy_areas=list(PolicyArea)), (200 if valid else 400)


@bp.route("/export/<key>.csv")
def export(key: str):
    """One dashboard table as CSV (UTF-8 with BOM, Korean headers)."""
    table = tables.build(key)
    if table is None:
        abort(404)
    return _csv_response(table.key, table.headers, table.rows)


@bp.route("/data/<kind>.csv")
def export_raw(kind: str):
    """Every need, solution or match as one CSV row each (UTF-8 with BOM), streamed."""
    export = data_export.EXPORTS.get(kind)
    if export is None:
        abort(404)
    day = utcnow().astimezone(SEOUL).strftime("%Y%m%d")
    app, language = current_app._get_current_object(), current_language()
    headers = [str(header) for header in export.headers]

    def stream():
        # Rows are read while the response is sent, after the request's context has ended: each
        # batch in a short context of its own, in the requester's language.
        after: int | None = 0
        yield tables.csv_header(headers)
        while after is not None:
            with app.app_context(), force_locale(language):
                rows, after = export.batch(after)
            yield tables.csv_rows(rows)

    return Response(
        stream(),
        mimetype="text/csv",
        headers={"Content-Disposition": f"attachment; filename=citymatch-{kind}-{day}.csv"},
    )


@bp.route("/rematch", methods=["POST"])
def rematch():
    """Start recomputing the stored recommendations as a background job."""
    form = RematchForm()
    if not form.validate_on_submit():
        abort(400)
    job, created = jobs.start_single(REMATCH_JOB, str(jobs.LABELS[REMATCH_JOB]), {"top_k": 10},
                                     started_by=current_user)
    if not created:
        flash(_("추천을 이미 다시 계산하고 있습니다. 진행 상황을 확인하세요."), "info")
    unit_of_work.commit()  # a new job's task is enqueued once this commit succeeded
    return redirect(url_for("dashboard.job", job_id=job.id))


@bp.route("/import", methods=["GET", "POST"])
def import_companies():
    """Upload a CSV of alliance members: check every row, then import them all as a job."""
    form = CompanyImportForm()
    check = None
    if form.validate_on_submit():
        data = form.file.data.read(company_import.MAX_BYTES + 1)
        try:
            rows = company_import.read_rows(data)
        except ServiceError as error:
            form.file.errors.append(error.message)
        else:
            check = company_import.check_rows(rows)
            if check.ok:
                payload = {"actor_id": current_user.id,
                           "rows": [[line, values] for line, values in rows]}
                job = jobs.start(IMPORT_JOB, str(jobs.LABELS[IMPORT_JOB]), payload,
                                 started_by=current_user)
                unit_of_work.commit()
                return redirect(url_for("dashboard.job", job_id=job.id))
    failed = bool(form.errors) or bool(check and check.errors)
    return render_template("dashboard/import.html", form=form, check=check,
                           columns=company_import.COLUMN_LABELS,
                           required=company_import.REQUIRED_COLUMNS,
                           max_rows=company_import.MAX_ROWS), (400 if failed else 200)


@bp.route("/import/template.csv")
def import_template():
    """A CSV template for the company import (header and one example row)."""
    header, *rows = company_import.template_csv_rows()
    return _csv_response("company-import-template", header, rows)


def _job_or_404(job_id: str) -> Job:
    job = jobs.get(job_id)
    if job is None:
        abort(404)
    return job


@bp.route("/jobs/<job_id>")
def job(job_id: str):
    """A job's progress (read from the database); the page refreshes itself while it runs."""
    job = _job_or_404(job_id)
    return render_template("dashboard/job.html", job=job, label=jobs.display_label(job),
                           message=jobs.status_message(job))


@bp.route("/jobs/<job_id>/status.json")
def job_status(job_id: str):
    """A job's progress as JSON."""
    job = _job_or_404(job_id)
    return jsonify({**job.to_dict(), "label": jobs.display_label(job),
                    "message": jobs.status_message(job)})
