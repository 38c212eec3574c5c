"""Together requests from the survey's "I'd like to sit with…" answers, matched to people.

Each answer (`responses["sit_with"]`) names people by email, id or name, separated by
`,` `;` `|` `/` `&`, new lines, or the word "and" (Hebrew "וגם"). A name matches a
participant whose email-derived id, id or full name it equals (after NFKC, case folding
and collapsing spaces), or, when just one participant has it, their first name. What
matches nobody, or more than one person, is reported as unmatched with the words as
written, and requests nothing. Naming oneself is ignored.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

_SEPARATORS = re.compile(r"[,;|/&\n]|\band\b|\b\u05d5\u05d2\u05dd\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class SitWith:
    """The together pairs the answers ask for, and each name that matched nobody."""

    pairs: tuple[tuple[str, str], ...] = ()
    unmatched: list[dict[str, str]] = field(default_factory=list)


def _key(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def _index(participants: Sequence[Mapping[str, Any]]) -> tuple[dict[str, str], dict[str, set[str]]]:
    exact: dict[str, str] = {}
    first: dict[str, set[str]] = {}
    for person in participants:
        pid = str(person["id"])
        exact.setdefault(_key(pid), pid)
        name = person.get("full_name")
        if isinstance(name, str) and name.strip():
            exact.setdefault(_key(name), pid)
            first.setdefault(_key(name).split()[0], set()).add(pid)
    return exact, first


def sit_with_requests(participants: Sequence[Mapping[str, Any]]) -> SitWith:
    """Together pairs from every participant's `sit_with` answer."""
    exact, first = _index(participants)
    pairs: list[tuple[str, str]] = []
    unmatched: list[dict[str, str]] = []
    for person in participants:
        answer = (person.get("responses") or {}).get("sit_with")
        if not isinstance(answer, str):
            continue
        pid = str(person["id"])
        for part in _SEPARATORS.split(answer):
            wanted = _key(part.strip(" .\t\"'"))
            if not wanted:
                continue
            match = exact.get(wanted)
            if match is None and len(first.get(wanted, ())) == 1:
                match = next(iter(first[wanted]))
            if match is None:
                unmatched.append({"participant_id": pid, "name": part.strip()})
            elif match != pid:
                pairs.append((pid, match))
    return SitWith(tuple(pairs), unmatched)
