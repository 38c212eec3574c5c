"""Participants built from known facts, so tests know the truth independently of the parser."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from hypothesis import strategies as st

ALLERGENS = ("peanut", "sesame", "milk", "egg", "fish", "soy", "gluten", "mustard")
DIETS = ("omnivore", "vegetarian", "vegan", "pescatarian")
PHRASES = {"severe": "severe {} allergy", "moderate": "allergic to {}", "mild": "mild {} allergy"}


@dataclass(frozen=True)
class Person:
    """The truth about one test participant."""

    id: str
    age: int | None = 30
    kosher: bool = False
    diet: str = "omnivore"
    allergies: dict[str, str] = field(default_factory=dict)
    # The restrictions as the person wrote them, when a test phrases `allergies` itself.
    written: tuple[str, ...] | None = None

    def as_input(self) -> dict[str, Any]:
        # Allergen keys are written as people name them: tree_nut as "tree nut".
        items = [
            PHRASES[severity].format(a.replace("_", " "))
            for a, severity in sorted(self.allergies.items())
        ]
        if self.written is not None:
            items = list(self.written)
        return {
            "id": self.id,
            "age": self.age,
            "responses": {"kosher": self.kosher, "diet": self.diet, "dietary_restrictions": items},
        }

    @property
    def severe(self) -> frozenset[str]:
        return frozenset(a for a, s in self.allergies.items() if s == "severe")


@st.composite
def people(draw: st.DrawFn, *, min_size: int = 0, max_size: int = 30) -> list[Person]:
    count = draw(st.integers(min_size, max_size))
    allergy = st.dictionaries(
        st.sampled_from(ALLERGENS), st.sampled_from(("mild", "moderate", "severe")), max_size=3
    )
    return [
        Person(
            id=f"p{index:03d}",
            age=draw(st.one_of(st.none(), st.integers(10, 80))),
            kosher=draw(st.booleans()),
            diet=draw(st.sampled_from(DIETS)),
            allergies=draw(allergy),
        )
        for index in range(count)
    ]
