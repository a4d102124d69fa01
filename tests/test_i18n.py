"""Korean and English: locale selection, the language switch, translated pages and formatting."""
from __future__ import annotations

import contextvars
import html
import re
from datetime import date, datetime, timezone
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask_babel import get_babel

from app.extensions import babel
from app.formatting import format_date, format_krw, format_krw_range
from app.i18n import TRANSLATIONS_DIR
from app.korean import PLACEHOLDER_SUFFIXES
from app.models import Maturity, SizeClass, User
from tests import factories

PROJECT_ROOT = Path(__file__).resolve().parent.parent
ENGLISH_PO = TRANSLATIONS_DIR / "en" / "LC_MESSAGES" / "messages.po"
PLACEHOLDER = re.compile(r"%\((\w+)\)[sdfr]")
ENGLISH = {"Accept-Language": "en-US,en;q=0.9"}


def page(response) -> str:
    """The response body with HTML entities decoded."""
    return html.unescape(response.get_data(as_text=True))


def html_lang(response) -> str:
    found = re.search(r'<html lang="([^"]+)"', response.get_data(as_text=True))
    return found.group(1) if found else ""


def in_request(app, check, headers=None):
    """Run `check` inside a fresh request (and app) context, as a real request would be."""
    def run():
        with app.test_request_context(headers=headers or {}):
            return check()

    return contextvars.Context().run(run)


@pytest.fixture(scope="module", autouse=True)
def english_catalogue(app, tmp_path_factory):
    """Use the compiled catalogue, or compile the .po into a temporary directory when it is stale."""
    compiled = ENGLISH_PO.with_suffix(".mo")
    if compiled.exists() and compiled.stat().st_mtime >= ENGLISH_PO.stat().st_mtime:
        babel.domain_instance.cache.clear()
        yield
        return
    target = tmp_path_factory.mktemp("translations")
    (target / "en" / "LC_MESSAGES").mkdir(parents=True)
    with ENGLISH_PO.open("rb") as source:
        catalog = read_po(source, locale="en")
    with (target / "en" / "LC_MESSAGES" / "messages.mo").open("wb") as out:
        write_mo(out, catalog)
    config = get_babel(app)
    saved = config.translation_directories
    config.translation_directories = [str(target)]
    babel.domain_instance.cache.clear()
    yield
    config.translation_directories = saved
    babel.domain_instance.cache.clear()


# --- locale selection ---------------------------------------------------------------------------

def test_korean_is_the_default(client):
    response = client.get("/")
    assert response.status_code == 200
    assert html_lang(response) == "ko"
    text = page(response)
    assert "본문 바로가기" in text and "로그인" in text
    assert "Skip to content" not in text


def test_accept_language_english_gives_an_english_page_to_a_visitor(client):
    response = client.get("/", headers=ENGLISH)
    assert html_lang(response) == "en"
    text = page(response)
    assert "Skip to content" in text and "Sign in" in text and "Sign up" in text
    assert "본문 바로가기" not in text
    assert '<option value="en" selected>' in response.get_data(as_text=True)


@pytest.mark.parametrize("header, expected", [
    ("fr-FR,fr;q=0.9", "ko"),
    ("fr-FR,en;q=0.5", "en"),
    ("ko-KR,ko;q=0.9,en;q=0.8", "ko"),
    ("", "ko"),
])
def test_accept_language_picks_the_best_supported_locale(client, header, expected):
    assert html_lang(client.get("/", headers={"Accept-Language": header})) == expected


def test_visitor_switch_is_remembered_in_the_session(client):
    response = client.post("/locale", data={"locale": "en", "next": "/solutions?sort=title"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/solutions?sort=title"
    with client.session_transaction() as session:
        assert session["locale"] == "en"
    # Later requests without any Accept-Language are English; the session beats the header.
    assert html_lang(client.get("/")) == "en"
    assert html_lang(client.get("/", headers={"Accept-Language": "ko"})) == "en"
    client.post("/locale", data={"locale": "ko", "next": "/"})
    assert html_lang(client.get("/", headers=ENGLISH)) == "ko"


def test_signed_in_switch_is_saved_on_the_user_and_wins_over_accept_language(app, db, login,
                                                                              company_user):
    client = login(company_user)
    response = client.post("/locale", data={"locale": "en", "next": "/my/company/"})
    assert response.status_code == 302 and response.headers["Location"] == "/my/company/"
    db.session.expire_all()
    assert db.session.get(User, company_user.id).locale == "en"

    # A fresh sign-in from a Korean browser still gets English: the choice is on the account.
    other_device = login(company_user)
    response = other_device.get("/", headers={"Accept-Language": "ko-KR,ko"})
    assert html_lang(response) == "en"
    assert "Sign out" in page(response)


def test_user_choice_beats_a_session_locale(db, login, company_user):
    company_user.locale = "ko"
    db.session.commit()
    client = login(company_user)
    with client.session_transaction() as session:
        session["locale"] = "en"
    assert html_lang(client.get("/", headers=ENGLISH)) == "ko"


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)",
                                    "", "\\\\evil.example"])
def test_unsafe_or_missing_next_goes_home(client, target):
    response = client.post("/locale", data={"locale": "en", "next": target})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


@pytest.mark.parametrize("data", [{"locale": "fr"}, {"locale": ""}, {}, {"locale": "EN"},
                                  {"locale": "ko-KR"}])
def test_unknown_locale_is_refused(db, login, company_user, data):
    client = login(company_user)
    response = client.post("/locale", data={**data, "next": "/"})
    assert response.status_code == 400
    db.session.expire_all()
    assert db.session.get(User, company_user.id).locale is None
    with client.session_transaction() as session:
        assert "locale" not in session


def test_locale_switch_only_accepts_post(client):
    assert client.get("/locale?locale=en").status_code == 405


def test_locale_switch_requires_the_csrf_token(csrf_app):
    response = csrf_app.test_client().post("/locale", data={"locale": "en", "next": "/"})
    assert response.status_code == 400


# --- translated messages ------------------------------------------------------------------------

def test_login_form_errors_are_english_when_english_is_selected(db, client, company_user):
    client.post("/locale", data={"locale": "en", "next": "/"})
    response = client.post("/auth/login", data={"email": company_user.email, "password": "wrong-pass"})
    assert response.status_code == 400
    text = page(response)
    assert "The e-mail address or password is incorrect." in text
    assert "이메일 또는 비밀번호가 올바르지 않습니다." not in text
    assert '<label class="form-label" for="password">Password</label>' in text

    empty = page(client.post("/auth/login", data={"email": "", "password": ""}))
    assert "Enter your e-mail address." in empty and "Enter your password." in empty


def test_login_form_errors_stay_korean_by_default(db, client, company_user):
    response = client.post("/auth/login", data={"email": company_user.email, "password": "wrong-pass"})
    assert response.status_code == 400
    assert "이메일 또는 비밀번호가 올바르지 않습니다." in page(response)


def test_flash_messages_follow_the_locale(db, login, company_user):
    client = login(company_user)
    client.post("/locale", data={"locale": "en", "next": "/"})
    text = page(client.post("/auth/logout", follow_redirects=True))
    assert "You have signed out." in text and "로그아웃했습니다." not in text


def test_login_required_message_is_translated(client):
    client.post("/locale", data={"locale": "en", "next": "/"})
    response = client.get("/my/needs/", follow_redirects=True)
    text = page(response)
    assert "Please sign in." in text and "로그인이 필요합니다" not in text


def test_error_pages_show_one_language(client):
    korean = page(client.get("/no-such-page"))
    assert "요청한 페이지를 찾을 수 없습니다." in korean and "not found" not in korean
    english = client.get("/no-such-page", headers=ENGLISH)
    assert english.status_code == 404
    text = page(english)
    assert "The page you requested was not found." in text
    assert "요청한 페이지를 찾을 수 없습니다." not in text


def test_category_names_and_enum_labels_are_translated(db, client, company):
    factories.make_solution(company, title="번역 확인 솔루션", maturity=Maturity.PILOT)
    db.session.commit()

    english = page(client.get("/solutions", headers=ENGLISH))
    assert "번역 확인 솔루션" in english
    assert "Transport" in english and "Pilot" in english
    assert "All sizes" in english and ">Startup<" in english  # filter options (lazy labels)
    korean = page(client.get("/solutions"))
    assert "교통" in korean and "실증" in korean and ">스타트업<" in korean
    assert "Transport" not in korean


def test_amounts_and_dates_on_pages_follow_the_locale(db, client, official):
    need = factories.make_need(official, title="형식 확인 수요", budget=(20_000_000, 80_000_000))
    db.session.commit()
    url = f"/needs/{need.id}"

    korean = page(client.get(url))
    assert "2,000만 원 ~ 8,000만 원" in korean
    assert need.application_deadline.isoformat() in korean

    english = page(client.get(url, headers=ENGLISH))
    assert "KRW 20,000,000 – KRW 80,000,000" in english
    deadline = need.application_deadline
    assert f"{deadline:%b} {deadline.day}, {deadline.year}" in english
    assert "만 원" not in english


# --- formatting ---------------------------------------------------------------------------------

@pytest.mark.parametrize("amount, korean, english", [
    (15_000_000, "1,500만 원", "KRW 15,000,000"),
    (150_000_000, "1억 5,000만 원", "KRW 150,000,000"),
    (100_000_000, "1억 원", "KRW 100,000,000"),
    (9_000, "9,000원", "KRW 9,000"),
    (0, "0원", "KRW 0"),
    (-5_000_000, "-500만 원", "-KRW 5,000,000"),
])
def test_krw_per_locale(amount, korean, english):
    assert format_krw(amount, "ko") == korean
    assert format_krw(amount, "en") == english
    assert format_krw(None, "en") == ""


def test_krw_ranges_per_locale(app):
    def check():
        assert format_krw_range(None, None, "ko") == "협의"
        assert format_krw_range(None, None, "en") == "Negotiable"
        assert format_krw_range(10_000_000, None, "ko") == "1,000만 원 이상"
        assert format_krw_range(10_000_000, None, "en") == "KRW 10,000,000 or more"
        assert format_krw_range(None, 5_000_000, "en") == "KRW 5,000,000 or less"
        assert format_krw_range(10_000_000, 50_000_000, "ko") == "1,000만 원 ~ 5,000만 원"
        assert format_krw_range(10_000_000, 50_000_000, "en") == "KRW 10,000,000 – KRW 50,000,000"
        assert format_krw_range(7, 7, "en") == "KRW 7"
        # Without an explicit locale the request's locale is used.
        assert format_krw_range(None, None) == "Negotiable"
        assert format_krw(15_000_000) == "KRW 15,000,000"

    in_request(app, check, headers=ENGLISH)
    assert in_request(app, lambda: format_krw_range(None, 10_000)) == "1만 원 이하"


def test_dates_per_locale_in_seoul_time():
    assert format_date(date(2026, 11, 22), "ko") == "2026-11-22"
    assert format_date(date(2026, 11, 22), "en") == "Nov 22, 2026"
    late_utc = datetime(2026, 11, 21, 23, 30, tzinfo=timezone.utc)  # 08:30 next day in Seoul
    assert format_date(late_utc, "ko") == "2026-11-22 08:30"
    assert format_date(late_utc, "en") == "Nov 22, 2026, 8:30 AM"
    assert format_date(datetime(2026, 11, 22, 5, 0), "en") == "Nov 22, 2026, 2:00 PM"  # naive = UTC
    assert format_date(None, "en") == ""


def test_labels_translate_at_render_time(app):
    from app.labels import choices, label

    def english():
        assert label(SizeClass.LARGE) == "Large enterprise"
        assert dict(choices(SizeClass))["startup"] == "Startup"

    def korean():
        assert label(SizeClass.LARGE) == "대기업"
        assert str(dict(choices(SizeClass))["startup"]) == "스타트업"

    in_request(app, english, headers=ENGLISH)
    in_request(app, korean)
    assert label(None) == ""


# --- catalogue completeness ---------------------------------------------------------------------

def current_msgids() -> dict[str, str]:
    """Every msgid in the code and templates now, with one place it comes from (babel API)."""
    with (PROJECT_ROOT / "babel.cfg").open() as config:
        method_map, options_map = parse_mapping_cfg(config)
    keywords = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None}
    found: dict[str, str] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
            str(PROJECT_ROOT), method_map, options_map, keywords=keywords):
        for msgid in (message if isinstance(message, tuple) else (message,)):
            if msgid:
                found.setdefault(msgid, f"{filename}:{lineno}")
    return found


def test_every_msgid_has_an_english_translation():
    msgids = current_msgids()
    assert len(msgids) > 300  # extraction really ran over app/ and templates/
    with ENGLISH_PO.open("rb") as source:
        catalog = read_po(source, locale="en")
    missing = []
    for msgid, where in sorted(msgids.items(), key=lambda item: item[1]):
        entry = catalog.get(msgid)
        if entry is None or not entry.string or entry.fuzzy:
            missing.append(f"{where}: {msgid!r}")
    assert not missing, ("msgids without an English translation — run scripts/update-translations.sh "
                         "and translate them in app/translations/en/LC_MESSAGES/messages.po:\n"
                         + "\n".join(missing))


def _without_particles(names: list[str]) -> set[str]:
    """The placeholders except Korean particles (`place_ga` beside `place`, app/korean.py),
    which other languages leave out."""
    return {name for name in names
            if not (name.rpartition("_")[0] in names
                    and name.rpartition("_")[2] in PLACEHOLDER_SUFFIXES)}


def test_translations_keep_the_placeholders():
    with ENGLISH_PO.open("rb") as source:
        catalog = read_po(source, locale="en")
    wrong = [entry.id for entry in catalog if entry.id and entry.string
             and _without_particles(PLACEHOLDER.findall(entry.id))
             != _without_particles(PLACEHOLDER.findall(entry.string))]
    assert not wrong, f"placeholders differ: {wrong}"


# --- place names --------------------------------------------------------------------------------

def test_place_names_are_english_on_english_pages(db, client, official):
    need = factories.make_need(official, title="지명 확인 수요")
    db.session.commit()
    url = f"/needs/{need.id}"

    english = page(client.get(url, headers=ENGLISH))
    assert "지명 확인 수요" in english  # user content stays as written
    assert "Jongno-gu, Seoul" in english
    assert "서울특별시 종로구" not in english

    korean = page(client.get(url))
    assert "서울특별시 종로구" in korean
    assert "Jongno-gu" not in korean


def test_region_filter_and_municipality_pages_use_english_names(db, client):
    english = page(client.get("/needs", headers=ENGLISH))
    assert ">Gyeonggi-do<" in english and ">Gangwon State<" in english
    assert ">경기도<" not in english
    assert ">경기도<" in page(client.get("/needs"))

    listing = page(client.get("/municipalities", headers=ENGLISH))
    assert "Jeonbuk State" in listing and "Gunwi-gun" in listing
    assert "군위군" not in listing


def test_registration_municipality_select_is_english(db, client):
    english = page(client.get("/auth/register", headers=ENGLISH))
    assert 'label="Daegu"' in english
    assert ">Gunwi-gun, Daegu<" in english
    korean = page(client.get("/auth/register"))
    assert 'label="대구광역시"' in korean and ">대구광역시 군위군<" in korean
    assert "Gunwi-gun" not in korean


def test_notifications_name_the_municipality_in_the_recipients_language(app, db, official):
    from flask_babel import lazy_gettext

    from app.services import notifications
    from app.templating import lazy_place_name

    korean_reader = factories.make_user(role=official.role)
    official.locale = "en"
    db.session.commit()  # the notifications are written from another session (a request)
    title = lazy_gettext("%(requester)s의 매칭 요청: %(need)s ↔ %(solution)s",
                         requester=lazy_place_name(official.municipality), need="N", solution="S")
    english = in_request(app, lambda: notifications.notify(official, "match_request", title))
    korean = in_request(app, lambda: notifications.notify(korean_reader, "match_request", title))
    assert english.title == "Match request from Jongno-gu, Seoul: N ↔ S"
    assert korean.title.startswith("서울특별시 종로구의 매칭 요청")


def test_dashboard_province_breakdown_follows_the_locale(app, db):
    from app.services import analytics

    english = analytics.matches_by_province("en")
    korean = analytics.matches_by_province()
    assert [row.name for row in english][:2] == ["Seoul", "Busan"]
    assert "Gangwon State" in {row.name for row in english}
    assert [row.name for row in korean][:2] == ["서울특별시", "부산광역시"]
    assert [row.key for row in english] == [row.key for row in korean]  # sorted and keyed alike
