"""The grouping store (bound to the caller's transport for routes, or the service role's),
and the language a request asks its sentences in (`Accept-Language`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header

from engine.grouping.report.reasons import LANGS, Lang
from functions.database.deps import TransportDep, service_role_transport
from functions.grouping.store import GroupingStore
from functions.web.settings import Settings


def get_store(transport: TransportDep) -> GroupingStore:
    return GroupingStore(transport)


StoreDep = Annotated[GroupingStore, Depends(get_store)]


def service_role_store(settings: Settings) -> GroupingStore:
    """The nightly job's store: the service role, which RLS lets write grouping runs."""
    return GroupingStore(service_role_transport(settings))


DEFAULT_LANG: Lang = "en"
# Primary language subtags taken for each language: "iw" is Hebrew's old code.
LANG_TAGS: dict[str, Lang] = {"en": "en", "he": "he", "iw": "he"}


def preferred_lang(accept_language: str | None) -> Lang:
    """The language of `Accept-Language` (RFC 9110) this API writes: the supported one of
    the highest weight, the first listed on a tie; English when none is (or `*` is first).

    "he-IL,he;q=0.9,en;q=0.8" → "he"; "en-US,he;q=0.5" → "en"; "he;q=0" → "en".
    """
    best: tuple[float, int, Lang] | None = None
    for index, item in enumerate((accept_language or "").split(",")):
        tag, _, params = item.partition(";")
        tag = tag.strip().lower()
        weight = _weight(params)
        if weight is None or weight <= 0:
            continue
        lang = DEFAULT_LANG if tag == "*" else LANG_TAGS.get(tag.split("-")[0])
        if lang is None or lang not in LANGS:
            continue
        if best is None or weight > best[0]:
            best = (weight, index, lang)
    return DEFAULT_LANG if best is None else best[2]


def _weight(params: str) -> float | None:
    """The `q` of a language range's parameters (1 when absent), None when malformed."""
    for param in params.split(";"):
        name, _, value = param.partition("=")
        if name.strip().lower() != "q":
            continue
        try:
            weight = float(value.strip())
        except ValueError:
            return None
        return weight if 0 <= weight <= 1 else None
    return 1.0


def request_lang(
    accept_language: Annotated[str | None, Header(alias="Accept-Language", max_length=500)] = None,
) -> Lang:
    return preferred_lang(accept_language)


LangDep = Annotated[Lang, Depends(request_lang)]
