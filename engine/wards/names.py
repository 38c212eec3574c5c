"""Name, address and phone normalisation, and the sort key that orders Hebrew and Latin names.

normalise_name: casefold, NFKD, drop every nonspacing mark (Latin accents and Hebrew niqqud
and cantillation alike), then collapse each run of whitespace and hyphens (ASCII, Unicode dashes
and the Hebrew maqaf) into one space, trimmed. "  JOSÉ-María " and "jose maria" are equal;
"BenDavid" and "Ben David" are not (a missing separator is a different spelling).

name_sort_key: (normalised with Hebrew final letters mapped to their ordinary forms, normalised).
Comparison is by code point, so: space, digits, Latin a-z, then Hebrew alef-tav in alphabetical
order (final forms sort with their ordinary letter; the second element breaks that tie, so the
order is total and deterministic). Latin names therefore precede Hebrew names.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_NAME_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015\u2212\u05be]+")
# Addresses also drop the punctuation people add or omit freely ("12 Main St." / "12 Main St").
_ADDRESS_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015\u2212\u05be,.;]+")
_FINAL_TO_ORDINARY = str.maketrans("ךםןףץ", "כמנפצ")
_ASCII_DIGITS = frozenset("0123456789")


def _fold(text: str) -> str:
    # casefold first: it can produce combining marks ("İ" -> "i" + dot above) that NFKD keeps.
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if unicodedata.category(char) != "Mn")


@lru_cache(maxsize=65536)
def normalise_name(text: str) -> str:
    """The comparable form of a first or last name (see the module docstring)."""
    return _NAME_SEPARATORS.sub(" ", _fold(text)).strip()


@lru_cache(maxsize=65536)
def normalise_address(text: str) -> str:
    """Like a name, and commas, full stops and semicolons count as separators too."""
    return _ADDRESS_SEPARATORS.sub(" ", _fold(text)).strip()


@lru_cache(maxsize=65536)
def normalise_phone(text: str) -> str:
    """The phone's digits only (NFKD turns full-width digits into ASCII); "" when none."""
    return "".join(c for c in unicodedata.normalize("NFKD", text) if c in _ASCII_DIGITS)


@lru_cache(maxsize=65536)
def name_sort_key(text: str) -> tuple[str, str]:
    """The deterministic sort key of a name: Latin before Hebrew, each alphabetical."""
    normalised = normalise_name(text)
    return (normalised.translate(_FINAL_TO_ORDINARY), normalised)
