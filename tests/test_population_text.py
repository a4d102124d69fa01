"""A need's target population reads "12,000명" in Korean and "12,000 people" in English."""
from __future__ import annotations

import re

ENGLISH = {"Accept-Language": "en"}


def test_target_population_is_spaced_in_english(client, official_client, need):
    public_english = client.get(f"/needs/{need.id}", headers=ENGLISH).get_data(as_text=True)
    assert "12,000 people" in public_english and "12,000people" not in public_english
    assert "12,000명" in client.get(f"/needs/{need.id}").get_data(as_text=True)

    official_client.post("/locale", data={"locale": "en", "next": "/"})
    own = official_client.get(f"/my/needs/{need.id}").get_data(as_text=True)
    assert re.search(r"12,000 people", own) and "12,000people" not in own
