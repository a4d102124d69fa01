"""The world the authorization walk runs in: two municipalities, three companies, and their data.

Every private field carries a marker (`SECRET-…`) with the actors allowed to see it, so the walk
can assert that no body shows a marker to anyone outside its audience.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

from flask import Flask
from sqlalchemy import delete

from app.extensions import db
from app.models import (
    Base,
    Job,
    MembershipStatus,
    OutcomeStage,
    ModerationStatus,
    Notification,
    OfficialStatus,
    Role,
    SavedSearch,
    SearchTarget,
    SizeClass,
    SolutionStatus,
)
from app.models.user import AccountStatus
from app.services import (
    companies,
    conversation,
    joint,
    meetings,
    outcomes,
    questions,
    unit_of_work,
    verification,
    workflow,
)
from tests import factories
from tests.authorization_table import Actor, Target

MUNICIPALITY_A = "서울특별시 종로구"
MUNICIPALITY_B = "부산광역시 해운대구"
REFERENCE_TABLES = {"municipality", "category", "population_decline_area"}

# Who is who: key → (role, organisation, verified/approved).
ACTORS = {
    "anonymous": Actor("anonymous", None, None, False),
    "staff": Actor("staff", Role.COMPANY, "X", True),
    "colleague": Actor("colleague", Role.COMPANY, "X", True),
    "other_staff": Actor("other_staff", Role.COMPANY, "Y", True),
    "pending_staff": Actor("pending_staff", Role.COMPANY, "P", False),
    "official": Actor("official", Role.MUNICIPALITY, "A", True),
    "official_colleague": Actor("official_colleague", Role.MUNICIPALITY, "A", True),
    "other_official": Actor("other_official", Role.MUNICIPALITY, "B", True),
    "pending_official": Actor("pending_official", Role.MUNICIPALITY, "A", False),
    "suspended": Actor("suspended", None, None, False),  # X's staff, suspended after signing in
    "admin": Actor("admin", Role.ADMIN, None, True),
}

X_STAFF = {"staff", "colleague"}
A_OFFICIALS = {"official", "official_colleague"}
# The members of each organisation who may see its private data.
MEMBERS = {"A": A_OFFICIALS, "B": {"other_official"}, "X": X_STAFF, "Y": {"other_staff"},
           "P": {"pending_staff"}}


def _with_admins(audience) -> set[str]:
    """Actor keys from keys and sets of keys, plus the admins (who may see everything)."""
    members = {"admin"}
    for item in audience:
        members |= {item} if isinstance(item, str) else set(item)
    return members


@dataclass
class World:
    """The objects of the walk by name, and each marker's audience."""

    users: dict = field(default_factory=dict)
    targets: dict[str, dict[str, Target]] = field(default_factory=dict)
    markers: dict[str, set[str]] = field(default_factory=dict)
    links: dict[str, set[str]] = field(default_factory=dict)
    dirty: bool = False

    def add(self, kind: str, name: str, value, **facts) -> None:
        self.targets.setdefault(kind, {})[name] = Target(kind, name, value, **facts)

    def secret(self, text: str, *audience: str | set[str]) -> str:
        """A marker only `audience` (and admins) may see."""
        self.markers[text] = _with_admins(audience)
        return text

    def private_link(self, path: str, *audience: str | set[str]) -> None:
        """A link (href or form action, also with a query or sub-path) only `audience` may see."""
        self.links[path] = _with_admins(audience)

    def add_private_links(self) -> None:
        """Links to every non-public object, for the members of its organisations."""
        def members(orgs):
            return set().union(*(MEMBERS[org] for org in orgs))

        for target in self.targets["match"].values():
            self.private_link(f"/matches/{target.value.id}", members(target.parties))
        for target in self.targets["proposal"].values():
            self.private_link(f"/matches/consortia/{target.value.id}", members(target.parties))
        for target in self.targets["match"].values():
            self.private_link(f"/conversations/matches/{target.value.id}",
                              members(target.parties))
        for target in self.targets["proposal"].values():
            self.private_link(f"/conversations/consortia/{target.value.id}",
                              members(target.parties))
        for target in self.targets["attachment"].values():
            self.private_link(f"/conversations/attachments/{target.value.id}",
                              members(target.parties))
        for target in self.targets["meeting"].values():
            self.private_link(f"/conversations/meetings/{target.value.id}",
                              members(target.parties))
        for target in self.targets["notification"].values():
            self.private_link(f"/notifications/{target.value.id}", target.owner)
        for target in self.targets["need"].values():
            if not target.public:
                for path in (f"/needs/{target.value.id}", f"/my/needs/{target.value.id}"):
                    self.private_link(path, MEMBERS[target.org], target.author)
        for target in self.targets["solution"].values():
            if not target.public:
                for path in (f"/solutions/{target.value.id}", f"/my/solutions/{target.value.id}"):
                    self.private_link(path, MEMBERS[target.org])
        company_p = self.targets["company"]["P"].value
        self.private_link(f"/companies/{company_p.id}", MEMBERS["P"])


def build_world(app: Flask) -> World:
    """Create the world's data (committed) and return it."""
    world = World()
    s = world.secret

    company_x = factories.make_company(name="엑스스타트업", size_class=SizeClass.STARTUP)
    company_y = factories.make_company(name="와이대기업", size_class=SizeClass.LARGE)
    company_p = factories.make_company(name=s("SECRET-COMP-NAME 신청기업", "pending_staff"),
                                       membership=MembershipStatus.PENDING)
    users = world.users
    users["staff"] = factories.make_user(role=Role.COMPANY, company=company_x,
                                         email="walk.staff@example.kr")
    users["staff"].phone = s("SECRET-PHONE-X1", X_STAFF, A_OFFICIALS)
    users["colleague"] = factories.make_user(role=Role.COMPANY, company=company_x,
                                             email="walk.colleague@example.kr")
    users["other_staff"] = factories.make_user(role=Role.COMPANY, company=company_y,
                                               email="walk.other@example.kr")
    users["pending_staff"] = factories.make_user(role=Role.COMPANY, company=company_p,
                                                 email="walk.pending@example.kr")
    users["suspended"] = factories.make_user(role=Role.COMPANY, company=company_x,
                                             email="walk.suspended@example.kr")
    users["official"] = factories.make_user(
        role=Role.MUNICIPALITY, municipality_name=MUNICIPALITY_A, email="walk.official@example.kr")
    users["official"].phone = s("SECRET-PHONE-A1", X_STAFF, A_OFFICIALS)
    users["official_colleague"] = factories.make_user(
        role=Role.MUNICIPALITY, municipality_name=MUNICIPALITY_A,
        email="walk.official2@example.kr")
    users["other_official"] = factories.make_user(
        role=Role.MUNICIPALITY, municipality_name=MUNICIPALITY_B, email="walk.busan@example.kr")
    users["pending_official"] = factories.make_user(
        role=Role.MUNICIPALITY, municipality_name=MUNICIPALITY_A,
        official_status=OfficialStatus.PENDING, email="walk.unverified@example.kr")
    users["admin"] = factories.make_user(role=Role.ADMIN, email="walk.admin@example.kr")

    def solution(name, company, org, title, public, **kwargs):
        made = factories.make_solution(company, title=title, **kwargs)
        world.add("solution", name, made, org=org, public=public)
        return made

    sx_pub = solution("X-public", company_x, "X", "엑스 공개 DRT 배차 플랫폼", True)
    # a second public solution and need for the approved match (public: not walked separately)
    sx_pub2 = factories.make_solution(company_x, title="엑스 공개 교통 정보 플랫폼")
    solution("X-draft", company_x, "X", s("SECRET-COMX-DRAFT 솔루션", X_STAFF), False,
             status=SolutionStatus.DRAFT)
    sx_susp = solution("X-suspended", company_x, "X", s("SECRET-COMX-SUSPENDED 솔루션", X_STAFF),
                       False)
    sx_susp.moderation_status = ModerationStatus.SUSPENDED
    sx_susp.moderation_reason = s("SECRET-COMX-MODREASON", X_STAFF)
    sy_pub = solution("Y-public", company_y, "Y", "와이 공개 통합 교통 관제", True)
    solution("Y-draft", company_y, "Y", s("SECRET-COMY-DRAFT 솔루션", "other_staff"), False,
             status=SolutionStatus.DRAFT)
    solution("P-unapproved", company_p, "P", s("SECRET-COMP-SOLUTION", "pending_staff"), False)

    for key, made in (("X-public", sx_pub), ("Y-public", sy_pub)):
        reference = factories.make_reference(made)
        world.add("reference", key, {"solution_id": made.id, "reference_id": reference.id},
                  org=key[0], public=True)

    def need(name, author_key, org, title, public, **kwargs):
        made = factories.make_need(users[author_key], title=title, **kwargs)
        world.add("need", name, made, org=org, public=public, author=author_key)
        return made

    na_pub = need("A-public", "official", "A", "종로 공개 수요응답형 교통", True)
    na_pub2 = factories.make_need(users["official"], title="종로 공개 교통 정보 안내")
    na_susp = need("A-suspended", "official", "A", s("SECRET-MUNA-SUSPENDED 수요", A_OFFICIALS),
                   False)
    na_susp.moderation_status = ModerationStatus.SUSPENDED
    na_susp.moderation_reason = s("SECRET-MUNA-MODREASON", A_OFFICIALS)
    need("A-unverified-draft", "pending_official", "A",
         s("SECRET-MUNA-UNVERIFIED-DRAFT 수요", A_OFFICIALS, "pending_official"), False)
    nb_pub = need("B-public", "other_official", "B", "해운대 공개 교통 수요", True)
    nb_susp = need("B-suspended", "other_official", "B",
                   s("SECRET-MUNB-SUSPENDED 수요", "other_official"), False)
    nb_susp.moderation_status = ModerationStatus.SUSPENDED
    unit_of_work.commit()

    ax = X_STAFF | A_OFFICIALS

    def match(name, actor_key, need_obj, solution_obj, message, parties, state):
        made = workflow.express_interest(users[actor_key], need_obj, solution_obj, message)
        world.add("match", name, made, parties=frozenset(parties), state=state,
                  initiator=actor_key)
        return made

    match("A-X-pending", "official", na_pub, sx_pub, s("SECRET-MATCH-AX-PENDING", ax),
          {"A", "X"}, "pending")
    mutual = match("A-X-mutual", "staff", na_pub2, sx_pub, s("SECRET-MATCH-AX-MUTUAL", ax),
                   {"A", "X"}, "mutual")
    workflow.accept(users["official"], mutual)
    approved = match("A-X-approved", "staff", na_pub, sx_pub2, s("SECRET-MATCH-AX-APPROVED", ax),
                     {"A", "X"}, "approved")
    workflow.accept(users["official"], approved)
    workflow.approve(users["admin"], approved)
    # an outcome step the company proposed, waiting for the municipality (its note is private)
    outcomes.propose_step(users["staff"], approved, outcomes.StepInput(
        OutcomeStage.POC, date.today(), None, 10_000_000, s("SECRET-OUTCOME-NOTE-AX", ax)))
    match("A-Y-pending", "official", na_pub2, sy_pub,
          s("SECRET-MATCH-AY-PENDING", A_OFFICIALS, "other_staff"), {"A", "Y"}, "pending")
    declined = match("B-Y-declined", "other_official", nb_pub, sy_pub,
                     s("SECRET-MATCH-BY-DECLINED", "other_official", "other_staff"),
                     {"B", "Y"}, "declined")
    workflow.decline(users["other_staff"], declined, s("SECRET-DECLINE-REASON-BY",
                                                       "other_official", "other_staff"))

    proposal = workflow.propose_consortium(
        users["other_staff"], na_pub, sy_pub, [sx_pub], None,
        s("SECRET-CONSORTIUM-YXA", "other_staff", X_STAFF, A_OFFICIALS))
    partner = next(m for m in proposal.members if not m.is_lead)
    workflow.respond_to_consortium(users["staff"], partner, True)
    world.add("proposal", "Y+X-for-A-submitted", proposal, parties=frozenset({"A", "X", "Y"}),
              lead="Y", state="submitted")
    awaiting = workflow.propose_consortium(
        users["other_staff"], nb_pub, sy_pub, [sx_pub], None,
        s("SECRET-CONSORTIUM-YXB-AWAITING", "other_staff", X_STAFF))
    world.add("proposal", "Y+X-for-B-awaiting", awaiting, parties=frozenset({"X", "Y"}),
              lead="Y", state="awaiting_partners")

    approved_proposal = workflow.propose_consortium(
        users["other_staff"], na_pub2, sy_pub, [sx_pub], None,
        s("SECRET-CONSORTIUM-YXA-APPROVED", "other_staff", X_STAFF, A_OFFICIALS))
    partner = next(m for m in approved_proposal.members if not m.is_lead)
    # colleagues answer, so the contacts shown to Y carry no phone marker meant for A and X only
    workflow.respond_to_consortium(users["colleague"], partner, True)
    workflow.answer_consortium(users["official_colleague"], approved_proposal, True)
    workflow.approve(users["admin"], approved_proposal)
    world.add("proposal", "Y+X-for-A-approved", approved_proposal,
              parties=frozenset({"A", "X", "Y"}), lead="Y", state="approved")
    add_conversations(world, users, approved, approved_proposal)

    with app.test_request_context():  # the invitation e-mails link to the site
        invitation_x = companies.invite_colleague(
            users["staff"], s("secret-invitee-comx@example.kr", X_STAFF))
        invitation_y = companies.invite_colleague(
            users["other_staff"], s("secret-invitee-comy@example.kr", "other_staff"))
    world.add("invitation", "X", invitation_x, org="X")
    world.add("invitation", "Y", invitation_y, org="Y")
    world.add("token", "X-invitation", invitation_x.token, org="X")
    world.add("token", "Y-invitation", invitation_y.token, org="Y")
    world.add("token", "invalid", "not-a-valid-token", org=None)

    for key in ("official", "staff", "pending_official"):
        note = Notification(user=users[key], kind="walk", title=s(f"SECRET-NOTE-{key}", key),
                            body="", link=None)
        db.session.add(note)
        db.session.flush()
        world.add("notification", key, note, owner=key)

    for key, target in (("staff", SearchTarget.NEED), ("official", SearchTarget.SOLUTION)):
        search = SavedSearch(user_id=users[key].id, target=target,
                             category_id=factories.category("transport").id)
        db.session.add(search)
        db.session.flush()
        world.add("search", key, search, owner=key)
    world.add("search", "missing", 999_999, missing=True)

    job = Job(id="walkjob0000000000000000000000001", kind="walk", status=Job.FAILED,
              label=s("SECRET-ADMIN-JOB", set()), error=s("SECRET-ADMIN-JOB-ERROR", set()),
              started_by_id=users["admin"].id)
    db.session.add(job)
    world.add("job", "failed", job.id)
    world.add("job", "missing", "missingjob", missing=True)
    world.add("export", "matches", "matches_by_status")
    world.add("export", "consortia", "consortia")
    world.add("export", "missing", "no-such-table", missing=True)
    world.add("raw_export", "matches", "matches")
    world.add("raw_export", "missing", "no-such-data", missing=True)

    for key in ("X", "Y", "P"):
        company = {"X": company_x, "Y": company_y, "P": company_p}[key]
        world.add("company", key, company, org=key, public=key != "P")
    for key, name in (("A", MUNICIPALITY_A), ("B", MUNICIPALITY_B)):
        world.add("municipality", key, factories.municipality(name), org=key, public=True)
    for key in ("official", "pending_official", "staff", "suspended", "admin"):
        world.add("user", key, users[key], owner=key, org=ACTORS[key].org)
    world.add("static", "stylesheet", "css/app.css", public=True)
    document = verification.add_document(
        users["pending_official"], "재직증명서.pdf",
        b"%PDF-1.4\n" + s("SECRET-EVIDENCE-DOCUMENT", set()).encode() + b"\n%%EOF\n")
    world.add("evidence", "document", {"user_id": users["pending_official"].id,
                                       "evidence_id": document.id}, org="A")
    unit_of_work.commit()
    _add_joint_and_questions(world, na_pub, nb_pub)
    world.add_private_links()
    return world


def _add_joint_and_questions(world: World, na_pub, nb_pub) -> None:
    """A joint procurement group led by A inviting B's need; questions on A's public need."""
    users, s = world.users, world.secret
    invited = joint.invite(users["official"], na_pub, nb_pub.id)
    group = invited.group
    world.add("joint_group", "A-leads-B", group, parties=frozenset({"A", "B"}))
    world.add("joint_member", "A-lead", group.lead_member, org="A", state="lead")
    world.add("joint_member", "B-invited", invited, org="B", state="pending")
    world.private_link(f"/joint/{group.id}", A_OFFICIALS, "other_official")
    for path in (f"/joint/invitations/{invited.id}", f"/joint/invitations/{group.lead_member.id}"):
        world.private_link(path, "other_official")
    open_question = questions.ask(users["staff"], na_pub,
                                  s("SECRET-QUESTION-OPEN", "staff", A_OFFICIALS))
    answered = questions.ask(users["other_staff"], na_pub, "배차 시스템 연동 범위가 궁금합니다")
    questions.answer(users["official"], answered, "기존 버스정보시스템과 연동합니다")
    # hidden from every page but the admins' (tests/test_questions.py); the asker's data export
    # still holds it
    hidden = questions.ask(users["other_staff"], na_pub,
                           s("SECRET-QUESTION-HIDDEN", "other_staff"))
    questions.set_hidden(users["admin"], hidden, True)
    for name, made in (("A-open", open_question), ("A-answered", answered), ("A-hidden", hidden)):
        world.add("question", name, made, org="A")
    world.private_link(f"/questions/{open_question.id}", "staff", A_OFFICIALS)
    world.private_link(f"/questions/{hidden.id}", set())
    unit_of_work.commit()


def add_conversations(world: World, users: dict, match, proposal) -> None:
    """Messages with attachments on the approved match and consortium, and an accepted meeting."""
    s = world.secret
    ax = X_STAFF | A_OFFICIALS
    consortium = ax | {"other_staff"}
    pdf = b"%PDF-1.4\n" + s("SECRET-ATTACHMENT-AX", ax).encode() + b"\n%%EOF\n"
    message = conversation.post_message(users["staff"], match, s("SECRET-CONVERSATION-AX", ax),
                                        [conversation.Upload("제안서.pdf", pdf)])
    world.add("attachment", "A-X", message.attachments[0], parties=frozenset({"A", "X"}))
    # PDF again: the walk reads every body as text
    brochure = b"%PDF-1.7\n" + s("SECRET-ATTACHMENT-YXA", consortium).encode() + b"\n%%EOF\n"
    message = conversation.post_message(users["official"], proposal,
                                        s("SECRET-CONVERSATION-YXA", consortium),
                                        [conversation.Upload("안내서.pdf", brochure)])
    world.add("attachment", "Y+X-A", message.attachments[0], parties=frozenset({"A", "X", "Y"}))
    soon = datetime.now(timezone.utc) + timedelta(days=7)
    meeting = meetings.propose(users["official"], match, [meetings.SlotInput(
        soon, soon + timedelta(hours=1), s("SECRET-MEETING-PLACE 종로구청 3층 회의실", ax))])
    meetings.accept(users["staff"], meeting, meeting.slots[0].id)
    world.add("meeting", "A-X-accepted", meeting, parties=frozenset({"A", "X"}),
              state="accepted")


def suspend(user) -> None:
    """Suspend the account (its sessions end with the new session token)."""
    user.account_status = AccountStatus.SUSPENDED
    unit_of_work.commit()


def clear_world(app: Flask) -> None:
    """Empty every table but the reference data (as the `db` fixture does after each test)."""
    db.session.rollback()
    for table in reversed(Base.metadata.sorted_tables):
        if table.name not in REFERENCE_TABLES:
            db.session.execute(delete(table))
    db.session.commit()
    db.session.remove()
    app.extensions.pop("citymatch_outbox", None)
    app.extensions.pop("citymatch_matching", None)

