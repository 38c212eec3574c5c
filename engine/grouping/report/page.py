"""A run as one page to share: groups, the unassigned and charts, self-contained HTML.

`Report` is what the page shows, built from either side: `report_from_result` takes an
engine `GroupingResult` and the people's names (the CLI), and the API builds one from a
stored run (`functions.grouping.reports`). `render_html(report)` gives one HTML document
with no external resource (inline CSS, charts as inline SVG, a Content-Security-Policy
that allows nothing else and no script), which prints on A4; `render_csv` (in
`engine.grouping.report.sheet`) gives the same people as a spreadsheet.

What a report holds is what a kitchen may know: each group's names, kosher, diets and its
group-level allergy notes (allergens at their highest severity, never who has them), and
each unassigned person's sentence. Every text is escaped: names are user input. Pure: no
I/O.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from engine.grouping.models import REASON_ORDER, SEVERITY_RANK, GroupingResult
from engine.grouping.report.charts import charts_section
from engine.grouping.report.labels import DIET_NAMES
from engine.grouping.report.labels import TITLES as TITLES
from engine.grouping.report.labels import escaped as _e
from engine.grouping.report.labels import label as label
from engine.grouping.report.reasons import Lang, allergen_name, explain
from engine.grouping.report.style import STYLE


class ReportGroup(BaseModel):
    """One group as the page shows it: names in member order, group-level notes only."""

    model_config = ConfigDict(frozen=True)

    number: int
    member_names: list[str]
    score: float
    kosher: bool
    age: str | None = None
    diets: dict[str, int] = Field(default_factory=dict)
    # The group's allergy summary: allergen → its highest severity in the group.
    allergens: dict[str, str] = Field(default_factory=dict)
    members_with_allergies: int = 0
    # Where the group eats, once a venue plan placed it.
    venue: str | None = None


class ReportUnassigned(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str
    reason: str
    explanation: str


class Report(BaseModel):
    """What a report shows; `facts` are (label, value) lines under the title."""

    model_config = ConfigDict(frozen=True)

    title: str
    lang: Lang = "en"
    facts: list[tuple[str, str]] = Field(default_factory=list)
    groups: list[ReportGroup]
    unassigned: list[ReportUnassigned]
    # The run's diagnostics as the engine writes them (`Diagnostics`, as JSON); read leniently.
    diagnostics: dict[str, Any] = Field(default_factory=dict)


def report_from_result(
    result: GroupingResult,
    names: Mapping[str, str] | None = None,
    *,
    lang: Lang = "en",
    title: str | None = None,
) -> Report:
    """An engine result as a report: people by name (their id when they gave none)."""
    names = names or {}
    groups = [
        ReportGroup(
            number=group.number,
            member_names=[names.get(pid) or pid for pid in group.members],
            score=group.score,
            kosher=group.kosher,
            age=group.age_band
            or (f"{group.age_range.min}-{group.age_range.max}" if group.age_range else None),
            diets=group.diets,
            allergens=dict(group.allergy_summary.allergens),
            members_with_allergies=group.allergy_summary.members_with_allergies,
        )
        for group in result.groups
    ]
    unassigned = [
        ReportUnassigned(
            name=names.get(entry.participant_id) or entry.participant_id,
            reason=entry.reason,
            explanation=explain(entry.reason, entry.details, lang),
        )
        for entry in result.unassigned
    ]
    counts = result.diagnostics.counts
    facts = [
        (label("participants", lang), str(counts.participants)),
        (label("placed", lang), str(counts.assigned)),
        (label("groups", lang), str(counts.groups)),
        (label("unassigned", lang), str(counts.unassigned)),
    ]
    return Report(
        title=title or TITLES[lang],
        lang=lang,
        facts=facts,
        groups=groups,
        unassigned=order_unassigned(unassigned),
        diagnostics=result.diagnostics.model_dump(mode="json"),
    )


def order_unassigned(entries: Sequence[ReportUnassigned]) -> list[ReportUnassigned]:
    """By reason (the spec's order), then by name."""
    rank: dict[str, int] = {reason: index for index, reason in enumerate(REASON_ORDER)}
    return sorted(entries, key=lambda e: (rank.get(e.reason, len(rank)), e.name))


def kosher_note(kosher: bool, lang: Lang) -> str:
    return label("kosher" if kosher else "not_kosher", lang)


def diets_note(diets: Mapping[str, int], lang: Lang) -> str:
    ordered = sorted(diets.items(), key=lambda item: (-item[1], item[0]))
    return ", ".join(f"{DIET_NAMES[lang].get(d, d)} {n}" for d, n in ordered)


def allergy_note(group: ReportGroup, lang: Lang) -> str:
    """The group's allergens, the most severe first: "peanut (severe), sesame (mild)"."""
    if not group.allergens:
        return label("no_allergies", lang)
    ordered = sorted(group.allergens.items(), key=lambda a: (-SEVERITY_RANK.get(a[1], 0), a[0]))
    return ", ".join(f"{allergen_name(a, lang)} ({label(s, lang)})" for a, s in ordered)


def render_html(report: Report) -> str:
    """The report as one self-contained HTML document (UTF-8)."""
    lang = report.lang
    direction = "rtl" if lang == "he" else "ltr"
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{lang}" dir="{direction}">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'; img-src data:\">",
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(report.title)}</title>",
        f"<style>{STYLE}</style>",
        "</head>",
        "<body>",
        f'<header><h1 dir="auto">{_e(report.title)}</h1>',
        _facts(report.facts),
        "</header>",
        _groups(report),
        _unassigned(report),
        charts_section(report.diagnostics, report.lang),
        "</body>",
        "</html>",
    ]
    return "\n".join(part for part in parts if part) + "\n"


def _facts(facts: Sequence[tuple[str, str]]) -> str:
    if not facts:
        return ""
    items = "".join(
        f'<li><span dir="auto">{_e(k)}</span>: <b dir="auto">{_e(v)}</b></li>' for k, v in facts
    )
    return f'<ul class="facts">{items}</ul>'


def _groups(report: Report) -> str:
    lang = report.lang
    cards = []
    for group in report.groups:
        # Each name isolated in its own direction, so a Hebrew name in an English page (or the
        # other way round) shows right and the list's numbers stay on the page's side.
        members = "".join(f"<li><bdi>{_e(name)}</bdi></li>" for name in group.member_names)
        age = f" · {_e(label('age', lang))} {_e(group.age)}" if group.age else ""
        allergy_class = ' class="allergy"' if group.allergens else ""
        cards.append(
            f'<article class="group" id="group-{group.number}">'
            f"<h3>{_e(label('group', lang))} {group.number}</h3>"
            '<p class="meta">'
            f"{len(group.member_names)} {_e(label('people', lang))} · "
            f"{_e(label('score', lang))} {group.score:.2f}</p>"
            f"<ol>{members}</ol>"
            f'<dl class="notes"><dd>{_e(kosher_note(group.kosher, lang))}{age}</dd>'
            f"<dt>{_e(label('diets', lang))}</dt><dd>{_e(diets_note(group.diets, lang))}</dd>"
            f"<dt>{_e(label('allergy_notes', lang))}</dt>"
            f"<dd{allergy_class}>{_e(allergy_note(group, lang))}</dd>{_venue(group, lang)}</dl>"
            "</article>"
        )
    heading = f"<h2>{_e(label('groups', lang))} ({len(report.groups)})</h2>"
    return f'<section>{heading}<div class="groups">{"".join(cards)}</div></section>'


def _venue(group: ReportGroup, lang: Lang) -> str:
    if group.venue is None:
        return ""
    return f"<dt>{_e(label('venue', lang))}</dt><dd><bdi>{_e(group.venue)}</bdi></dd>"


def _unassigned(report: Report) -> str:
    lang = report.lang
    heading = f"<h2>{_e(label('unassigned', lang))} ({len(report.unassigned)})</h2>"
    if not report.unassigned:
        return f"<section>{heading}<p>{_e(label('none_unassigned', lang))}</p></section>"
    rows = "".join(
        f'<tr><td><bdi>{_e(entry.name)}</bdi></td><td dir="auto">{_e(entry.explanation)}</td></tr>'
        for entry in report.unassigned
    )
    head = f"<tr><th>{_e(label('name', lang))}</th><th>{_e(label('why', lang))}</th></tr>"
    return f'<section class="unassigned">{heading}<table><thead>{head}</thead><tbody>{rows}</tbody></table></section>'  # noqa: E501
