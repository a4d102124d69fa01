"""`flask` CLI commands: reference data, demo data and the first admin."""
from __future__ import annotations

import click
from flask import Flask, current_app

from app.extensions import db
from app.korean import particle
from app.services.admin import create_admin_account
from app.services.errors import ServiceError
from app.services.reference_data import (
    ReferenceDataError,
    load_categories,
    load_decline_areas,
    load_municipalities,
)


@click.command("load-reference-data")
def load_reference_data_command() -> None:
    """Load the 243 local governments, the statutory categories and the decline areas (idempotent)."""
    try:
        municipalities = load_municipalities()
        categories = load_categories(current_app.config.get("TAXONOMY_PATH"))
        decline_areas = load_decline_areas()
    except ReferenceDataError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo(f"지자체 {municipalities}곳, 분류 {categories}개, 인구감소·관심지역 {decline_areas}곳을 "
               f"불러왔습니다. (loaded {municipalities} local governments, {categories} categories, "
               f"{decline_areas} population-decline areas)")


@click.command("create-admin")
@click.option("--email", prompt="이메일 (e-mail)")
@click.option("--name", default="관리자", show_default=True)
@click.option("--password", prompt="비밀번호 (password)", hide_input=True,
              confirmation_prompt=True)
def create_admin_command(email: str, name: str, password: str) -> None:
    """Create a platform administrator (recorded in the audit log)."""
    try:
        user = create_admin_account(email=email, password=password, name=name)
    except ServiceError as error:
        db.session.rollback()
        raise click.ClickException(
            f"관리자 계정을 만들지 못했습니다: {error.message} (admin not created)"
        ) from error
    db.session.commit()
    click.echo(f"관리자 계정을 만들었습니다: {user.email} (admin created)")


@click.command("seed-demo")
def seed_demo_command() -> None:
    """Load the fictional demo data set and demo accounts (idempotent)."""
    from app.services.demo_seed import DemoDataError, demo_accounts, seed_demo

    try:
        report = seed_demo()
    except (ReferenceDataError, DemoDataError) as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from error
    db.session.commit()
    created = report.created
    click.echo("데모 데이터를 불러왔습니다. (demo data loaded)")
    click.echo(f"  지자체 {report.municipalities}곳, 분류 {report.categories}개 "
               f"({report.municipalities} local governments, {report.categories} categories)")
    rows = [
        ("기업", "companies", report.companies),
        ("솔루션", "solutions", report.solutions),
        ("도입 사례", "references", report.references),
        ("수요", "needs", report.needs),
        ("사용자", "users", report.users),
        ("태그", "tags", report.tags),
    ]
    for korean, english, count in rows:
        click.echo(f"  {korean} {count}건, 새로 추가 {created.get(english, 0)}건 "
                   f"({count} {english}, {created.get(english, 0)} new)")
    if report.total_created == 0:
        click.echo("  이미 모두 들어 있어 새로 추가한 항목이 없습니다. (nothing new: already seeded)")
    click.echo("데모 계정 (demo accounts) — 운영 환경에서는 쓰지 마세요 (not for production):")
    for email, password in demo_accounts():
        click.echo(f"  {email} / {password}")


@click.command("rematch")
@click.option("--top-k", default=10, show_default=True, help="추천 수 / recommendations per need")
@click.option("--queue", "on_queue", is_flag=True,
              help="작업 큐에서 실행 / run as a background job on the task queue")
def rematch_command(top_k: int, on_queue: bool) -> None:
    """Recompute and store recommendations for every open need, with a progress bar."""
    from app.services import jobs, unit_of_work
    from app.services.recommendations import rematch

    if on_queue:
        job, created = jobs.start_single(jobs.REMATCH, str(jobs.LABELS[jobs.REMATCH]),
                                         {"top_k": top_k})
        job_id = job.id
        unit_of_work.commit()
        if created:
            click.echo(f"작업 {job_id}{particle(job_id, '을')} 큐에 넣었습니다. (queued job {job_id})")
        else:
            click.echo(f"이미 진행 중인 작업 {job_id}{particle(job_id, '이')} 있습니다. (job {job_id} is already queued or running)")
        return

    def progress(needs):
        with click.progressbar(needs, label="수요별 추천 계산 (matching needs)",
                               show_pos=True, show_percent=True) as bar:
            yield from bar

    report = rematch(top_k=top_k, progress=progress)
    db.session.commit()
    click.echo(f"수요 {report.needs}건에 추천 {report.recommendations}건을 저장했습니다 "
               f"(부분 적합 {report.low_confidence}건). "
               f"({report.recommendations} recommendations for {report.needs} open needs, "
               f"{report.low_confidence} partial fits)")


@click.command("reanalyse")
@click.option("--batch", default=500, show_default=True, type=click.IntRange(min=1),
              help="한 번에 분석·저장할 행 수 / rows analysed and committed together")
@click.option("--rematch/--no-rematch", "then_rematch", default=True, show_default=True,
              help="다시 분석했으면 추천 재계산 작업을 큐에 넣음 / queue a rematch job if rows changed")
def reanalyse_command(batch: int, then_rematch: bool) -> None:
    """Re-analyse listings analysed by another analyser version (safe to interrupt and rerun)."""
    from app.services import jobs, unit_of_work
    from app.services.matching_changes import current_analyser_version
    from app.services.reanalysis import reanalyse_stale, stale_count

    version = current_analyser_version()
    stale = stale_count(version)
    click.echo(f"분석기 버전 {version}: 다시 분석할 솔루션·수요 {stale}건 "
               f"(analyser {version}: {stale} solutions and needs to re-analyse)")

    def progress(kind: str, count: int) -> None:
        korean = "솔루션" if kind == "solution" else "수요"
        click.echo(f"  {korean} {count}건 다시 분석 ({count} {kind}s re-analysed, batch committed)")

    report = reanalyse_stale(batch=batch, progress=progress)
    click.echo(f"솔루션 {report.solutions}건, 수요 {report.needs}건을 다시 분석했습니다 "
               f"(수정 중이라 건너뜀 {report.skipped}건, 남음 {report.remaining}건). "
               f"({report.solutions} solutions and {report.needs} needs re-analysed, "
               f"{report.skipped} skipped as edited meanwhile, {report.remaining} still stale)")
    if not report.reanalysed:
        return
    if not then_rematch:
        click.echo("저장된 추천을 갱신하려면 flask rematch 를 실행하세요. "
                   "(run flask rematch to refresh the stored recommendations)")
        return
    job, created = jobs.start_single(jobs.REMATCH, str(jobs.LABELS[jobs.REMATCH]))
    job_id = job.id
    unit_of_work.commit()
    state = "큐에 넣었습니다" if created else "이미 진행 중입니다"
    click.echo(f"추천 재계산 작업 {job_id}: {state} (rematch job {job_id} "
               f"{'queued' if created else 'already queued or running'}; "
               "the worker runs it: make worker)")


@click.command("notify-matches")
@click.option("--since", type=click.IntRange(min=0), default=None,
              help="이 변경 번호 이후만 / only matching changes after this id")
def notify_matches_command(since: int | None) -> None:
    """Notify the other side of new strong matches (run from cron every few minutes)."""
    from app.services.notifications import notify_new_strong_matches

    report = notify_new_strong_matches(since)
    db.session.commit()
    click.echo(f"변경 {report.changes}건을 확인해 새 유력 매칭 {report.pairs}건을 "
               f"{report.notifications}명에게 알렸습니다. 마지막 변경 번호 {report.last_change_id}. "
               f"({report.changes} changes checked, {report.pairs} new strong matches, "
               f"{report.notifications} notifications; last change id {report.last_change_id})")


@click.command("send-digests")
def send_digests_command() -> None:
    """E-mail the due daily and weekly digests of saved searches (run from cron hourly)."""
    from app.services.digests import send_due_digests

    report = send_due_digests()
    click.echo(f"요약 메일 {report.sent}건을 보냈습니다 (새 게시물 없음 {report.empty}건). "
               f"({report.sent} digests sent, {report.empty} with nothing new, "
               f"{report.skipped} taken by another worker)")


@click.command("expire-requests")
@click.option("--now", "now_text", default=None,
              help="기준 시각 ISO 8601 (기본: 지금) / reference time, e.g. 2030-01-31T09:00:00+09:00")
def expire_requests_command(now_text: str | None) -> None:
    """Expire overdue match requests and consortium proposals, and send reminders (for cron)."""
    from datetime import datetime

    from app.services.workflow import expire_overdue, send_reminders

    now = None
    if now_text:
        try:
            now = datetime.fromisoformat(now_text)
        except ValueError as error:
            raise click.BadParameter("ISO 8601 형식이 아닙니다 (not ISO 8601)",
                                     param_hint="--now") from error
    expired = expire_overdue(now)
    reminded = send_reminders(now)
    db.session.commit()
    click.echo(f"만료 처리: 매칭 요청 {expired.matches}건, 컨소시엄 제안 {expired.consortia}건; "
               f"기한 알림 {reminded}건. ({expired.matches} requests and {expired.consortia} "
               f"consortium proposals expired, {reminded} reminders sent)")


@click.command("remind-meetings")
@click.option("--now", "now_text", default=None,
              help="기준 시각 ISO 8601 (기본: 지금) / reference time, e.g. 2030-01-31T09:00:00+09:00")
def remind_meetings_command(now_text: str | None) -> None:
    """Remind participants of accepted meetings starting soon, once per meeting (for cron)."""
    from datetime import datetime

    from app.services.meetings import send_reminders

    try:
        now = datetime.fromisoformat(now_text) if now_text else None
    except ValueError as error:
        raise click.BadParameter("ISO 8601 형식이 아닙니다 (not ISO 8601)",
                                 param_hint="--now") from error
    reminded = send_reminders(now)
    db.session.commit()
    click.echo(f"미팅 알림 {reminded}건을 보냈습니다. ({reminded} meeting reminders sent)")


def register(app: Flask) -> None:
    """Attach the commands to the app's CLI."""
    app.cli.add_command(load_reference_data_command)
    app.cli.add_command(create_admin_command)
    app.cli.add_command(rematch_command)
    app.cli.add_command(reanalyse_command)
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(notify_matches_command)
    app.cli.add_command(send_digests_command)
    app.cli.add_command(expire_requests_command)
    app.cli.add_command(remind_meetings_command)
