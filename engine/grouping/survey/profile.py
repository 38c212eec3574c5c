"""A participant's answers, read into the typed facts the optimiser works with."""

from __future__ import annotations

from dataclasses import dataclass

from engine.grouping.models import AllergyProfile, Diet


@dataclass(frozen=True, slots=True)
class ParticipantProfile:
    """What the engine knows of one readable participant.

    `restrictions` keeps the non-allergy answers ("gluten free", "ללא גלוטן"):
    they are readable and kept, but no rule uses them.
    """

    participant_id: str
    age: int | None
    kosher: bool
    diet: Diet
    allergies: AllergyProfile
    restrictions: tuple[str, ...] = ()
