"""Name, address and phone normalisation, and the sort key that orders Hebrew and Latin names.

normalise_name: `fold` (folding.py: NFKD, accents removed, full case folding), then each run of
whitespace and hyphens (ASCII, Unicode dashes and the Hebrew maqaf) collapsed into one space,
trimmed. "  JOSÉ-María " and "jose maria" are equal; "BenDavid" and "Ben David" are not (a
missing separator is a different spelling). Every step is spelled out (the whitespace is the
characters Python's `str.isspace` accepts, listed) so that the database computes the same
function: sql/migrations/0017_households_in_the_database.sql holds the same classes, and a
database test compares the two on every code point of the Basic Multilingual Plane.

name_sort_key: (normalised with Hebrew final letters mapped to their ordinary forms, normalised).
Comparison is by code point, so: space, digits, Latin a-z, then Hebrew alef-tav in alphabetical
order (final forms sort with their ordinary letter; the second element breaks that tie, so the
order is total and deterministic). Latin names therefore precede Hebrew names.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from engine.wards.folding import fold

# Whitespace: every character Python's str.isspace accepts, as a regular-expression bracket body.
SPACES = r"\u0009-\u000d\u001c-\u0020\u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
# The same characters one by one, as str.strip and PostgreSQL's btrim take them.
WHITESPACE = (
    "\u0009\u000a\u000b\u000c\u000d\u001c\u001d\u001e\u001f\u0020\u0085\u00a0\u1680"
    "\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f"
    "\u205f\u3000"
)
# Hyphens: ASCII, the Unicode hyphens and dashes, the minus sign, the Hebrew maqaf.
DASHES = r"\u002d\u2010-\u2015\u2212\u05be"
NAME_SEPARATORS = SPACES + DASHES
# Addresses also drop the punctuation people add or omit freely ("12 Main St." / "12 Main St").
ADDRESS_SEPARATORS = NAME_SEPARATORS + r"\u002c\u002e\u003b"

_NAME_SEPARATORS = re.compile(f"[{NAME_SEPARATORS}]+")
_ADDRESS_SEPARATORS = re.compile(f"[{ADDRESS_SEPARATORS}]+")
_FINAL_TO_ORDINARY = str.maketrans("ךםןףץ", "כמנפצ")
_ASCII_DIGITS = frozenset("0123456789")


@lru_cache(maxsize=65536)
def normalise_name(text: str) -> str:
    """The comparable form of a first or last name (see the module docstring)."""
    return _NAME_SEPARATORS.sub(" ", fold(text)).strip(" ")


@lru_cache(maxsize=65536)
def normalise_address(text: str) -> str:
    """Like a name, and commas, full stops and semicolons count as separators too."""
    return _ADDRESS_SEPARATORS.sub(" ", fold(text)).strip(" ")


@lru_cache(maxsize=65536)
def normalise_phone(text: str) -> str:
    """The phone's digits only (NFKD turns full-width digits into ASCII); "" when none."""
    return "".join(c for c in unicodedata.normalize("NFKD", text) if c in _ASCII_DIGITS)


@lru_cache(maxsize=65536)
def name_sort_key(text: str) -> tuple[str, str]:
    """The deterministic sort key of a name: Latin before Hebrew, each alphabetical."""
    normalised = normalise_name(text)
    return (normalised.translate(_FINAL_TO_ORDINARY), normalised)
