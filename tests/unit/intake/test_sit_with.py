"""The "I'd like to sit with…" column: its own field, matched to people, the rest reported."""

from __future__ import annotations

from datetime import date

import pytest

from engine.intake import read_export
from engine.intake.headers import match_header
from engine.intake.together import sit_with_requests

AS_OF = date(2026, 9, 1)


@pytest.mark.parametrize(
    "header",
    ["I'd like to sit with…", "Who would you like to sit with?", "Sit with", "עם מי תרצה לשבת?"],
)
def test_sit_with_headers_are_recognised(header: str) -> None:
    assert match_header(header).field == "sit_with"


def _people(*rows: str) -> list[dict[str, object]]:
    text = "Email,Name,Age,I'd like to sit with…\n" + "\n".join(rows) + "\n"
    return read_export(text.encode(), as_of=AS_OF).participants


def test_names_emails_and_unique_first_names_match_registrations() -> None:
    participants = _people(
        'dana@x.org,Dana Levi,30,"AVI  cohen; rina@X.org"',
        "avi@x.org,Avi Cohen,31,Dana",
        "rina@x.org,Rina Shalev,29,",
    )
    found = sit_with_requests(participants)
    assert found.pairs == (
        ("dana@x.org", "avi@x.org"),
        ("dana@x.org", "rina@x.org"),
        ("avi@x.org", "dana@x.org"),
    )
    assert found.unmatched == []


def test_unknown_and_ambiguous_names_are_reported_as_written() -> None:
    participants = _people(
        "a@x.org,Noa Bar,30,Noa Gal and Dan",
        "b@x.org,Dan One,30,",
        "c@x.org,Dan Two,30,",
        "d@x.org,Noa Gal,30,myself & Noa Gal",
    )
    found = sit_with_requests(participants)
    assert found.pairs == (("a@x.org", "d@x.org"),)
    assert found.unmatched == [
        {"participant_id": "a@x.org", "name": "Dan"},
        {"participant_id": "d@x.org", "name": "myself"},
    ]
