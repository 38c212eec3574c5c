"""Small builders shared by the ward tests."""

from __future__ import annotations

from collections.abc import Sequence

from engine.wards.models import Household


def households_of(sizes: Sequence[int]) -> list[Household]:
    """Households h0, h1, ... with the given member counts; members h<i>m<j>."""
    return [
        Household(key=f"h{index}", members=[f"h{index}m{member}" for member in range(size)])
        for index, size in enumerate(sizes)
    ]
