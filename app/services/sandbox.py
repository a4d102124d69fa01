"""Regulatory sandbox (규제샌드박스): matches that need an exemption, and its progress.

Either side of an approved or mutually accepted match, or an admin, flags the match as needing an
exemption (실증특례 or 임시허가), naming the rule at stake; the parties and admins then record its
progress: 신청 필요 → 신청함 → 심사 중 → 특례 승인 | 불승인, or 신청 철회 from any open progress.
Every change is kept as a SandboxStep. Admins list the flagged matches to bring them to the
sandbox process (and download them as CSV). Functions take the acting user first, flush and
never commit.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.labels import label
from app.models import (
    Match,
    MatchSandbox,
    MatchStatus,
    Need,
    SandboxKind,
    SandboxProgress,
    SandboxStep,
    Side,
    Solution,
    User,
)
from app.models.base import utcnow
from app.models.sandbox import SANDBOX_NOTE_MAX, SANDBOX_RULE_MAX
from app.services.errors import PermissionDenied, Problems, ServiceError
from app.services.workflow import side_of

#: Matches that may be flagged: both sides said yes (waiting for admins) or admins approved.
FLAGGABLE_STATUSES = (MatchStatus.MUTUAL, MatchStatus.APPROVED)

# --- the state machine: progress → the progress it may move to --------------------------------

SANDBOX_TRANSITIONS: dict[SandboxProgress, tuple[SandboxProgress, ...]] = {
    SandboxProgress.NEEDED: (SandboxProgress.APPLIED, SandboxProgress.WITHDRAWN),
    SandboxProgress.APPLIED: (SandboxProgress.UNDER_REVIEW, SandboxProgress.WITHDRAWN),
    SandboxProgress.UNDER_REVIEW: (SandboxProgress.GRANTED, SandboxProgress.REFUSED,
                                   SandboxProgress.WITHDRAWN),
    SandboxProgress.GRANTED: (),
    SandboxProgress.REFUSED: (),
    SandboxProgress.WITHDRAWN: (),
}
PROGRESS_ORDER = tuple(SandboxProgress)
OPEN_PROGRESS = (SandboxProgress.NEEDED, SandboxProgress.APPLIED, SandboxProgress.UNDER_REVIEW)
#: Progress a step may only reach with a note saying why (the decision or the reason).
NOTE_REQUIRED = (SandboxProgress.REFUSED, SandboxProgress.WITHDRAWN)


def next_progress(progress: SandboxProgress) -> list[SandboxProgress]:
    """The progress a step may lead to from `progress`."""
    return list(SANDBOX_TRANSITIONS.get(progress, ()))


def may_move(progress: SandboxProgress, to: SandboxProgress) -> bool:
    """True when the table allows a step from `progress` to `to`."""
    return to in SANDBOX_TRANSITIONS.get(progress, ())


# --- reading -----------------------------------------------------------------------------------


def sandbox_of(match: Match) -> MatchSandbox | None:
    """The match's exemption (None when it was never flagged)."""
    return db.session.scalar(select(MatchSandbox).where(MatchSandbox.match_id == match.id))


def _is_admin(user: User) -> bool:
    return bool(user.is_authenticated and user.is_admin)


def may_act(user: User, match: Match) -> bool:
    """The two sides of the match (vetted) and admins."""
    return _is_admin(user) or side_of(user, match) is not None


def may_flag(user: User, match: Match) -> bool:
    """May the user flag this match now (a party or admin, an approved/mutual match, no flag)."""
    return (may_act(user, match) and match.status in FLAGGABLE_STATUSES
            and sandbox_of(match) is None)


def may_record(user: User, match: Match) -> bool:
    """May the user record the next progress of the match's exemption."""
    sandbox = sandbox_of(match)
    return sandbox is not None and may_act(user, match) and bool(next_progress(sandbox.progress))


def solution_suggestion(match: Match) -> tuple[SandboxKind | None, str]:
    """The kind and rule the solution declares, to pre-fill the flag form."""
    solution = match.solution
    return solution.sandbox_kind, solution.sandbox_rule or ""


# --- cleaning ----------------------------------------------------------------------------------


def clean_kind(raw: str | SandboxKind | None, field: str = "sandbox_kind") -> SandboxKind:
    """A kind from the list, or a refusal naming the field."""
    try:
        return SandboxKind(raw)
    except ValueError as error:
        raise ServiceError(_("규제 특례 종류를 목록에서 고르세요."), field=field) from error


def clean_rule(raw: str | None, field: str = "sandbox_rule") -> str:
    """The rule at stake: required, one line, at most SANDBOX_RULE_MAX characters."""
    rule = re.sub(r"\s+", " ", raw or "").strip()
    if not rule:
        raise ServiceError(_("특례가 필요한 규제(법령·조항)를 입력하세요."), field=field)
    if len(rule) > SANDBOX_RULE_MAX:
        raise ServiceError(_("규제 내용은 %(n)d자 이하로 입력하세요.", n=SANDBOX_RULE_MAX),
                           field=field)
    return rule


def clean_solution_sandbox(kind_raw: str | None, rule_raw: str | None
                           ) -> tuple[SandboxKind | None, str | None]:
    """The solution form's pair: both empty (no exemption needed), or a kind with its rule."""
    kind_raw = (kind_raw or "").strip()
    rule_text = (rule_raw or "").strip()
    if not kind_raw:
        if rule_text:
            raise ServiceError(_("규제 내용을 적었다면 필요한 특례 종류(실증특례·임시허가)도 고르세요."),
                               field="sandbox_kind")
        return None, None
    return clean_kind(kind_raw), clean_rule(rule_text)


def _clean_note(raw: str | None) -> str:
    note = (raw or "").strip()
    if len(note) > SANDBOX_NOTE_MAX:
        raise ServiceError(_("메모는 %(n)d자 이하로 입력하세요.", n=SANDBOX_NOTE_MAX), field="note")
    return note


# --- acting ------------------------------------------------------------------------------------


def _require_party_or_admin(actor: User, match: Match) -> None:
    if not may_act(actor, match):
        raise PermissionDenied()


def _actor_side(actor: User, match: Match) -> Side | None:
    return side_of(actor, match)


def _notify(match: Match, actor: User, title, body="") -> None:
    """Tell the sides of the match other than the actor's (both when an admin acted)."""
    from app.services.outcomes import notify_side

    acting = _actor_side(actor, match)
    for side in (Side.MUNICIPALITY, Side.COMPANY):
        if side != acting:
            notify_side(match, side, "regulatory_sandbox", title, body)


def _names(match: Match) -> dict:
    return {"need": match.need.title, "solution": match.solution.title}


def flag(actor: User, match: Match, kind_raw: str | SandboxKind | None, rule_raw: str | None,
         note: str | None = None) -> MatchSandbox:
    """Flag the match as needing an exemption of `kind`, naming the rule at stake."""
    _require_party_or_admin(actor, match)
    if match.status not in FLAGGABLE_STATUSES:
        raise ServiceError(_("상호 수락했거나 관리자가 승인한 매칭만 규제특례 필요로 표시할 수 있습니다."))
    problems = Problems()
    kind = problems.check(clean_kind, kind_raw, "kind")
    rule = problems.check(clean_rule, rule_raw, "rule")
    text = problems.check(_clean_note, note)
    problems.raise_any()
    if sandbox_of(match) is not None:
        raise ServiceError(_("이 매칭은 이미 규제특례 필요로 표시되어 있습니다."))
    now = utcnow()
    sandbox = MatchSandbox(match_id=match.id, kind=kind, rule=rule,
                           progress=SandboxProgress.NEEDED, progress_since=now,
                           flagged_by_id=actor.id)
    sandbox.steps.append(SandboxStep(from_progress=None, to_progress=SandboxProgress.NEEDED,
                                     actor_id=actor.id, note=text, created_at=now))
    db.session.add(sandbox)
    try:
        with db.session.begin_nested():  # the other side may flag it at the same moment
            db.session.flush()
    except IntegrityError as error:
        raise ServiceError(_("이 매칭은 이미 규제특례 필요로 표시되어 있습니다.")) from error
    _notify(match, actor,
            _l("규제특례 필요 표시: %(need)s ↔ %(solution)s (%(kind)s)", kind=label(kind),
               **_names(match)),
            _l("특례가 필요한 규제: %(rule)s", rule=rule))
    return sandbox


def record_progress(actor: User, match: Match, to_raw: str | SandboxProgress | None,
                    note: str | None = None) -> SandboxStep:
    """Move the match's exemption to its next progress (allowed moves only), with a note."""
    _require_party_or_admin(actor, match)
    sandbox = sandbox_of(match)
    if sandbox is None:
        raise ServiceError(_("이 매칭은 규제특례 필요로 표시되지 않았습니다."))
    try:
        to = SandboxProgress(to_raw)
    except ValueError as error:
        raise ServiceError(_("진행 상황을 목록에서 고르세요."), field="progress") from error
    text = _clean_note(note)
    db.session.refresh(sandbox, with_for_update=True)  # PostgreSQL row lock; elsewhere: version
    if not may_move(sandbox.progress, to):
        raise ServiceError(_("현재 상황(%(now)s)에서는 %(to)s(으)로 바꿀 수 없습니다.",
                             now=label(sandbox.progress), to=label(to)), field="progress")
    if to in NOTE_REQUIRED and not text:
        raise ServiceError(_("%(to)s 사유를 메모에 적어 주세요.", to=label(to)), field="note")
    now = utcnow()
    step = SandboxStep(sandbox=sandbox, from_progress=sandbox.progress, to_progress=to,
                       actor_id=actor.id, note=text, created_at=now)
    sandbox.progress = to
    sandbox.progress_since = now
    db.session.add(step)
    db.session.flush()
    _notify(match, actor,
            _l("규제특례 진행: %(need)s ↔ %(solution)s → %(progress)s", progress=label(to),
               **_names(match)),
            text)
    return step


# --- the admins' list --------------------------------------------------------------------------


@dataclass(frozen=True)
class SandboxFilters:
    """The admins' list filters (None: every value)."""

    progress: SandboxProgress | None = None
    kind: SandboxKind | None = None


def parse_filters(progress_raw: str | None, kind_raw: str | None) -> SandboxFilters:
    """Filters from the query string; an unknown value is a refusal (the page says so)."""
    progress = kind = None
    if progress_raw:
        try:
            progress = SandboxProgress(progress_raw)
        except ValueError as error:
            raise ServiceError(_("진행 상황을 목록에서 고르세요."), field="progress") from error
    if kind_raw:
        kind = clean_kind(kind_raw, field="kind")
    return SandboxFilters(progress, kind)


def list_query(filters: SandboxFilters) -> Select:
    """Flagged matches with their need, municipality, solution and company; oldest open first."""
    query = (select(MatchSandbox)
             .join(Match, Match.id == MatchSandbox.match_id)
             .options(selectinload(MatchSandbox.match).selectinload(Match.need)
                      .selectinload(Need.municipality),
                      selectinload(MatchSandbox.match).selectinload(Match.need)
                      .selectinload(Need.overseas_organisation),
                      selectinload(MatchSandbox.match).selectinload(Match.solution)
                      .selectinload(Solution.company)))
    if filters.progress is not None:
        query = query.where(MatchSandbox.progress == filters.progress)
    if filters.kind is not None:
        query = query.where(MatchSandbox.kind == filters.kind)
    return query.order_by(MatchSandbox.progress_since, MatchSandbox.id)


def progress_counts() -> dict[SandboxProgress, int]:
    """How many flagged matches are at each progress (every progress, zeros included)."""
    counts = {progress: 0 for progress in PROGRESS_ORDER}
    for progress, count in db.session.execute(
            select(MatchSandbox.progress, func.count()).group_by(MatchSandbox.progress)):
        counts[progress] = count
    return counts


CSV_HEADERS = ("match_id", "match_status", "need", "municipality", "solution", "company",
               "kind", "rule", "progress", "progress_since", "flagged_at")


def csv_rows(filters: SandboxFilters) -> list[list]:
    """The list as CSV rows (labels in the request's language), for the sandbox process."""
    from app.templating import place_name

    rows = []
    for sandbox in db.session.scalars(list_query(filters)):
        match = sandbox.match
        rows.append([match.id, label(match.status), match.need.title,
                     place_name(match.need.owner), match.solution.title,
                     match.solution.company.name, label(sandbox.kind), sandbox.rule,
                     label(sandbox.progress), sandbox.progress_since.date().isoformat(),
                     sandbox.created_at.date().isoformat()])
    return rows
