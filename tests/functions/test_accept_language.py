"""Accept-Language: the language the API writes its sentences in."""

from __future__ import annotations

import pytest

from functions.grouping.deps import preferred_lang


@pytest.mark.parametrize(
    ("header", "lang"),
    [
        (None, "en"),
        ("", "en"),
        ("he", "he"),
        ("he-IL,he;q=0.9,en;q=0.8", "he"),
        ("HE-il", "he"),
        ("iw", "he"),
        ("en-US,he;q=0.5", "en"),
        ("fr-FR,fr;q=0.9,he;q=0.8,en;q=0.7", "he"),
        ("en;q=0.4, he;q=0.6", "he"),
        ("he;q=0", "en"),
        ("he;q=abc,en", "en"),
        ("he;q=2", "en"),
        ("*", "en"),
        ("fr, *;q=0.5, he;q=0.6", "he"),
        ("de", "en"),
        (" he ; q = 0.7 , en ; q=0.7", "he"),
        (",,;;", "en"),
    ],
)
def test_preferred_lang(header: str | None, lang: str) -> None:
    assert preferred_lang(header) == lang
