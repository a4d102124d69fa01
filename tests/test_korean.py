"""Korean particles chosen by the final consonant of the word before them (app/korean.py)."""
from __future__ import annotations

import html

import pytest

from app.korean import particle, particle_args, with_particle
from app.models import NeedStatus
from tests import factories
from tests.test_i18n import ENGLISH, english_catalogue  # noqa: F401  (compiled English catalogue)

PARTICLES = [
    # word, 이/가, 은/는, 을/를, 과/와, 으로/로, 아/야
    ("화성시", "가", "는", "를", "와", "로", "야"),
    ("종로구", "가", "는", "를", "와", "로", "야"),
    ("강남", "이", "은", "을", "과", "으로", "아"),
    ("서울", "이", "은", "을", "과", "로", "아"),       # ㄹ: 로
    ("검토 중", "이", "은", "을", "과", "으로", "아"),
    ("'검토 중'", "이", "은", "을", "과", "으로", "아"),  # the word inside the quotes
    ("(주)스마트", "가", "는", "를", "와", "로", "야"),
    ("매칭 완료", "가", "는", "를", "와", "로", "야"),
    ("1", "이", "은", "을", "과", "로", "아"),           # 일: ㄹ
    ("2", "가", "는", "를", "와", "로", "야"),           # 이
    ("3", "이", "은", "을", "과", "으로", "아"),         # 삼
    ("6", "이", "은", "을", "과", "으로", "아"),         # 육
    ("9", "가", "는", "를", "와", "로", "야"),           # 구
    ("10", "이", "은", "을", "과", "으로", "아"),        # 십
    ("2,000", "이", "은", "을", "과", "으로", "아"),     # 천
    ("50000", "이", "은", "을", "과", "으로", "아"),     # 만
    ("1000000000000", "가", "는", "를", "와", "로", "야"),  # 조
    ("1.5", "가", "는", "를", "와", "로", "야"),         # 오
    ("DRT", "가", "는", "를", "와", "로", "야"),         # 티
    ("URL", "이", "은", "을", "과", "로", "아"),         # 엘: ㄹ
    ("CCTV", "가", "는", "를", "와", "로", "야"),        # 브이
    ("KTX", "가", "는", "를", "와", "로", "야"),         # 엑스
    ("IoT", "가", "는", "를", "와", "로", "야"),         # 티
    ("Seoul", "이", "은", "을", "과", "로", "아"),       # 서울
    ("Samsung", "이", "은", "을", "과", "으로", "아"),   # 삼성
    ("smart", "가", "는", "를", "와", "로", "야"),       # 스마트
    ("jongno.go.kr", "이", "은", "을", "과", "로", "아"),  # 케이알
]


@pytest.mark.parametrize("word,ga,neun,reul,wa,ro,ya", PARTICLES)
def test_particle_follows_the_final_sound(word, ga, neun, reul, wa, ro, ya):
    assert [particle(word, form) for form in ("이", "은", "을", "과", "으로", "아")] \
        == [ga, neun, reul, wa, ro, ya]


@pytest.mark.parametrize("form", ["이", "가", "이/가", "이(가)"])
def test_any_spelling_of_the_pair_is_accepted(form):
    assert particle("화성시", form) == "가"
    assert particle("서울시청", form) == "이"


@pytest.mark.parametrize("word,form,expected", [
    ("학생", "이에요", "이에요"), ("학교", "이에요", "예요"),
    ("서울", "으로서", "로서"), ("대표", "으로서", "로서"), ("시장", "으로써", "으로써"),
])
def test_longer_particles(word, form, expected):
    assert particle(word, form) == expected


@pytest.mark.parametrize("word", ["", "🚀", "—"])
def test_an_unreadable_word_keeps_both_forms(word):
    assert particle(word, "이") == "이(가)"


def test_an_unknown_particle_is_a_programming_error():
    with pytest.raises(ValueError):
        particle("화성시", "에게")


def test_helpers_for_messages():
    assert with_particle("화성시", "이") == "화성시가"
    assert particle_args("place", "화성시", "이", "과") == {
        "place": "화성시", "place_ga": "가", "place_wa": "와"}


def test_filters_render_the_particle(app):
    template = app.jinja_env.from_string("{{ '화성시'|with_particle('이') }} "
                                         "{{ '서울'|particle('으로') }}")
    assert template.render() == "화성시가 로"


def test_status_messages_attach_the_right_particle(db, official_client, official):
    need = factories.make_need(official)
    db.session.commit()
    detail = html.unescape(official_client.get(f"/my/needs/{need.id}").get_data(as_text=True))
    assert "종료로 변경" in detail and "검토 중으로 변경" in detail
    assert "(으)로" not in detail
    done = official_client.post(f"/my/needs/{need.id}/status",
                                data={"status": NeedStatus.IN_REVIEW.value}, follow_redirects=True)
    assert "상태를 '검토 중'으로 바꿨습니다." in html.unescape(done.get_data(as_text=True))


def test_english_messages_carry_no_particle(db, official_client, official):
    need = factories.make_need(official)
    db.session.commit()
    done = official_client.post(f"/my/needs/{need.id}/status", headers=ENGLISH,
                                data={"status": NeedStatus.CLOSED.value}, follow_redirects=True)
    text = html.unescape(done.get_data(as_text=True))
    assert "Status changed to 'Closed'." in text
    assert "로" not in text.split("Status changed to")[1][:20]
