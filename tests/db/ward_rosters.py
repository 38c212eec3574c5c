"""Hypothesis strategies for ward rosters as people write them: Hebrew with niqqud, cantillation
and final letters, Latin with accents (precomposed or combining), any case, hyphens, the maqaf,
dashes and odd spaces, punctuation in addresses, full-width digits in phones, explicit household
ids with spaces around them, and now and then any character at all."""

from __future__ import annotations

from hypothesis import strategies as st

from engine.wards.models import WardMember

HEBREW = [chr(c) for c in range(0x05D0, 0x05EB)]  # alef-tav, final forms included
NIQQUD = [chr(c) for c in (*range(0x05B0, 0x05BD), 0x05BF, 0x05C1, 0x05C2, 0x05C7)]
CANTILLATION = [chr(c) for c in range(0x0591, 0x05B0)]
LATIN = list("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
ACCENTED = list("ÀÁÂÃÄÅÆÇÈÉÊËÌÍÎÏÐÑÒÓÔÕÖØÙÚÛÜÝÞßàáâãäåæçèéêëìíîïðñòóôõöøùúûüýþÿĀāĞğİıŁłŒœŞşẞ")
COMBINING = [chr(c) for c in (0x0300, 0x0301, 0x0302, 0x0303, 0x0308, 0x030A, 0x0327, 0x0345)]
OTHER_LETTERS = list("ΑΒΓΣσςΝίκοςЁЖЯёжяĲĳﬁﬂＡＢｃ")
SEPARATORS = [" ", "-", "\u05be", "\u2010", "\u2013", "\u2014", "\u2212", "\t", "\u00a0", "\u3000"]
PUNCTUATION = [",", ".", ";", "'", '"', "/", "(", ")"]
DIGITS = list("0123456789") + [chr(c) for c in range(0xFF10, 0xFF1A)] + ["٣", "۴"]
# Any character of the Basic Multilingual Plane that this Python's Unicode assigns: NFKD is
# each side's own, and characters one side's Unicode does not have yet may decompose on the
# other (tests/db/test_ward_household_keys.py checks the whole plane, unassigned too).
ANY = st.characters(
    max_codepoint=0xFFFF, exclude_categories=["Cs", "Cn"], exclude_characters="\x00"
)

hebrew = st.lists(st.sampled_from(HEBREW + NIQQUD + CANTILLATION), min_size=1, max_size=8)
latin = st.lists(
    st.sampled_from(LATIN + ACCENTED + COMBINING + OTHER_LETTERS), min_size=1, max_size=8
)
piece = st.one_of(hebrew, latin).map("".join)
separator = st.text(st.sampled_from(SEPARATORS), min_size=1, max_size=2)


def joined(pieces: st.SearchStrategy[str], glue: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """One to three pieces with glue between, before and after (as often as not, none)."""
    return st.tuples(
        st.one_of(st.just(""), glue),
        st.lists(st.tuples(pieces, glue), min_size=0, max_size=2),
        pieces,
        st.one_of(st.just(""), glue),
    ).map(lambda t: t[0] + "".join(p + g for p, g in t[1]) + t[2] + t[3])


name = st.one_of(joined(piece, separator), st.text(ANY, max_size=6))
address_piece = st.one_of(piece, st.text(st.sampled_from(DIGITS), min_size=1, max_size=3))
address = st.one_of(
    st.none(),
    joined(
        address_piece,
        st.one_of(separator, st.text(st.sampled_from(PUNCTUATION), min_size=1, max_size=2)),
    ),
    st.text(ANY, max_size=6),
)
phone = st.one_of(
    st.none(),
    st.text(st.sampled_from([*DIGITS, "+", "-", " ", "(", ")", "x"]), max_size=12),
    st.text(ANY, max_size=6),
)
household_id = st.one_of(
    st.none(),
    st.just(""),
    st.text(st.sampled_from([*SEPARATORS, "\n", "\u2028", "\u0085"]), max_size=3),
    st.tuples(separator, st.text(ANY, min_size=1, max_size=6), separator).map("".join),
)


@st.composite
def rosters(draw: st.DrawFn, *, max_size: int = 12) -> list[WardMember]:
    """A roster whose members often share a last name, an address, a phone or a household."""
    size = draw(st.integers(1, max_size))
    last_names = draw(st.lists(name, min_size=1, max_size=3))
    addresses = draw(st.lists(address, min_size=1, max_size=3))
    phones = draw(st.lists(phone, min_size=1, max_size=2))
    households = draw(st.lists(household_id, min_size=1, max_size=2))
    return [
        WardMember(
            user_hash=f"u{index}",
            first_name=draw(name),
            last_name=draw(st.one_of(st.sampled_from(last_names), name)),
            address=draw(st.sampled_from(addresses)),
            phone=draw(st.sampled_from(phones)),
            household_id=draw(st.one_of(st.none(), st.sampled_from(households))),
        )
        for index in range(size)
    ]
