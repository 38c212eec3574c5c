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

# Hebrew letters are the point of the Hebrew labels, not look-alikes of Latin ones.
# ruff: noqa: RUF001

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape
from typing import Any, Final

from pydantic import BaseModel, ConfigDict, Field

from engine.grouping.models import REASON_ORDER, SEVERITY_RANK, GroupingResult
from engine.grouping.report.reasons import Lang, allergen_name, explain

SEVERITIES: Final = ("mild", "moderate", "severe")


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


LABELS: Final[dict[Lang, dict[str, str]]] = {
    "en": {
        "groups": "Groups",
        "group": "Group",
        "people": "people",
        "score": "score",
        "kosher": "kosher",
        "not_kosher": "not kosher",
        "age": "age",
        "diets": "Diets",
        "allergy_notes": "Allergy notes",
        "no_allergies": "no allergies",
        "with_allergies": "with allergies",
        "unassigned": "Not placed",
        "none_unassigned": "Everyone has a group.",
        "name": "Name",
        "why": "Why",
        "charts": "Diagnostics",
        "ages": "Participants by age band",
        "allergies": "Allergies among the placed, by allergen and severity (people)",
        "scores": "Group scores (groups)",
        "no_data": "Nothing to show.",
        "mild": "mild",
        "moderate": "moderate",
        "severe": "severe",
        "run": "Run",
        "policy": "Policy",
        "participants": "Participants",
        "placed": "Placed",
    },
    "he": {
        "groups": "קבוצות",
        "group": "קבוצה",
        "people": "משתתפים",
        "score": "ציון",
        "kosher": "כשר",
        "not_kosher": "לא כשר",
        "age": "גיל",
        "diets": "תזונה",
        "allergy_notes": "הערות אלרגיה",
        "no_allergies": "אין אלרגיות",
        "with_allergies": "עם אלרגיות",
        "unassigned": "לא שובצו",
        "none_unassigned": "כל המשתתפים שובצו.",
        "name": "שם",
        "why": "סיבה",
        "charts": "נתונים",
        "ages": "משתתפים לפי קבוצת גיל",
        "allergies": "אלרגיות בין המשובצים, לפי אלרגן וחומרה (משתתפים)",
        "scores": "ציוני הקבוצות (קבוצות)",
        "no_data": "אין מה להציג.",
        "mild": "קלה",
        "moderate": "בינונית",
        "severe": "חמורה",
        "run": "הרצה",
        "policy": "מדיניות",
        "participants": "משתתפים",
        "placed": "שובצו",
    },
}
DIET_NAMES: Final[dict[Lang, dict[str, str]]] = {
    "en": {
        "omnivore": "omnivore",
        "vegetarian": "vegetarian",
        "vegan": "vegan",
        "pescatarian": "pescatarian",
    },
    "he": {
        "omnivore": "אוכלי הכל",
        "vegetarian": "צמחונים",
        "vegan": "טבעונים",
        "pescatarian": "פסקטריאנים",
    },
}
TITLES: Final[dict[Lang, str]] = {"en": "Dinner groups", "he": "קבוצות ארוחה"}


def label(key: str, lang: Lang) -> str:
    return LABELS[lang].get(key, key)


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
        _charts(report),
        "</body>",
        "</html>",
    ]
    return "\n".join(part for part in parts if part) + "\n"


STYLE: Final = """
:root { color-scheme: light; --ink: #1d2330; --muted: #5b6475; --line: #d5dae3;
  --mild: #f2c14e; --moderate: #f08a3c; --severe: #c8323c; --bar: #3d7bd9; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 64rem; padding: 1.5rem; color: var(--ink);
  font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, Arial, "Noto Sans Hebrew",
    "Noto Sans", "Arial Hebrew", "David", "DejaVu Sans", sans-serif; }
h1 { font-size: 1.7rem; margin: 0 0 .4rem; }
h2 { font-size: 1.25rem; margin: 1.6rem 0 .6rem; border-bottom: 2px solid var(--ink); }
.facts { display: flex; flex-wrap: wrap; gap: .4rem 1.4rem; margin: 0; padding: 0;
  list-style: none; color: var(--muted); }
.facts b { color: var(--ink); }
.groups { display: grid; grid-template-columns: repeat(auto-fill, minmax(14.5rem, 1fr));
  gap: .8rem; }
.group { border: 1px solid var(--line); border-radius: .5rem; padding: .6rem .8rem;
  break-inside: avoid; page-break-inside: avoid; }
.group h3 { margin: 0; font-size: 1.05rem; }
.meta { margin: 0; color: var(--muted); font-size: .85rem; }
.group ol { margin: .4rem 0; padding-inline-start: 1.4rem; }
.notes { margin: 0; font-size: .88rem; color: var(--muted); }
.notes dt { font-weight: 600; color: var(--ink); }
.notes dd { margin: 0 0 .2rem; }
.allergy { color: var(--severe); }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: start; vertical-align: top; padding: .35rem .5rem;
  border-bottom: 1px solid var(--line); }
tr { break-inside: avoid; page-break-inside: avoid; }
.charts { display: grid; gap: 1rem; }
figure { margin: 0; break-inside: avoid; page-break-inside: avoid; }
figcaption { font-weight: 600; margin-bottom: .3rem; }
svg { width: 100%; height: auto; max-width: 44rem; }
svg text { font: 12px system-ui, Arial, "DejaVu Sans", sans-serif; fill: var(--ink); }
.legend { display: flex; gap: 1rem; font-size: .85rem; }
.swatch { display: inline-block; width: .8rem; height: .8rem; margin-inline-end: .3rem;
  vertical-align: middle; }
@page { size: A4; margin: 14mm 12mm; }
@media print {
  body { max-width: none; padding: 0; font-size: 10.5pt; }
  .groups { grid-template-columns: repeat(3, 1fr); gap: 3mm; }
  .charts-section { break-before: page; page-break-before: always; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
"""


def _e(text: object) -> str:
    return escape(str(text), quote=True)


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
            f"<dd{allergy_class}>{_e(allergy_note(group, lang))}</dd></dl>"
            "</article>"
        )
    heading = f"<h2>{_e(label('groups', lang))} ({len(report.groups)})</h2>"
    return f'<section>{heading}<div class="groups">{"".join(cards)}</div></section>'


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


# --- charts -------------------------------------------------------------------------------

Segment = tuple[float, str]  # (value, colour)
CHART_WIDTH: Final = 640
LABEL_WIDTH: Final = 170
ROW_HEIGHT: Final = 22


def _charts(report: Report) -> str:
    lang = report.lang
    diagnostics = report.diagnostics
    figures = [
        _figure(label("ages", lang), bar_chart(_age_rows(diagnostics), lang)),
        _figure(
            label("allergies", lang),
            _severity_legend(lang) + bar_chart(_allergy_rows(diagnostics, lang), lang),
        ),
        _figure(label("scores", lang), bar_chart(_score_rows(diagnostics), lang)),
    ]
    heading = f"<h2>{_e(label('charts', lang))}</h2>"
    return f'<section class="charts-section">{heading}<div class="charts">{"".join(figures)}</div></section>'  # noqa: E501


def _figure(caption: str, body: str) -> str:
    return f"<figure><figcaption>{_e(caption)}</figcaption>{body}</figure>"


def _severity_legend(lang: Lang) -> str:
    items = "".join(
        f'<span><span class="swatch" style="background: var(--{s})"></span>{_e(label(s, lang))}</span>'  # noqa: E501
        for s in SEVERITIES
    )
    return f'<div class="legend">{items}</div>'


def _age_rows(diagnostics: Mapping[str, Any]) -> list[tuple[str, list[Segment]]]:
    by_band = _mapping(_mapping(diagnostics.get("ages")).get("by_band"))
    return [(str(band), [(_number(n), "var(--bar)")]) for band, n in by_band.items()]


def _allergy_rows(diagnostics: Mapping[str, Any], lang: Lang) -> list[tuple[str, list[Segment]]]:
    by_allergen = _mapping(_mapping(diagnostics.get("allergies")).get("by_allergen"))
    counted = []
    for allergen, counts in by_allergen.items():
        severities = _mapping(counts)
        segments = [(_number(severities.get(s)), f"var(--{s})") for s in SEVERITIES]
        counted.append((allergen_name(str(allergen), lang), segments))
    return sorted(counted, key=lambda row: (-sum(v for v, _ in row[1]), row[0]))


def _score_rows(diagnostics: Mapping[str, Any]) -> list[tuple[str, list[Segment]]]:
    histogram = _mapping(diagnostics.get("scores")).get("histogram")
    rows = []
    for item in histogram if isinstance(histogram, list) else []:
        bin_ = _mapping(item)
        low, high = _number(bin_.get("low")), _number(bin_.get("high"))
        rows.append((f"{low:.2f}–{high:.2f}", [(_number(bin_.get("groups")), "var(--bar)")]))
    return rows


def _mapping(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _number(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return 0.0
    return float(value) if value == value and value >= 0 else 0.0  # NaN and negatives: 0


def bar_chart(rows: Sequence[tuple[str, Sequence[Segment]]], lang: Lang = "en") -> str:
    """A horizontal (stacked) bar chart as inline SVG: one row a label, its total at the end."""
    if not rows:
        return f'<p class="notes">{_e(label("no_data", lang))}</p>'
    largest = max((sum(v for v, _ in segments) for _, segments in rows), default=0.0) or 1.0
    span = CHART_WIDTH - LABEL_WIDTH - 50
    height = ROW_HEIGHT * len(rows) + 6
    shapes = []
    for index, (name, segments) in enumerate(rows):
        y = 3 + index * ROW_HEIGHT
        shapes.append(
            f'<text x="{LABEL_WIDTH - 8}" y="{y + 15}" text-anchor="end">{_e(name)}</text>'
        )
        x = float(LABEL_WIDTH)
        for value, colour in segments:
            if value <= 0:
                continue
            width = value / largest * span
            shapes.append(
                f'<rect x="{x:.1f}" y="{y + 3}" width="{width:.1f}" height="{ROW_HEIGHT - 6}"'
                f' style="fill: {colour}"><title>{_e(name)}: {_format(value)}</title></rect>'
            )
            x += width
        total = sum(v for v, _ in segments)
        shapes.append(f'<text x="{x + 6:.1f}" y="{y + 15}">{_format(total)}</text>')
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {CHART_WIDTH} {height}"'
        f' role="img" direction="ltr">{"".join(shapes)}</svg>'
    )


def _format(value: float) -> str:
    return str(int(value)) if value == int(value) else f"{value:.2f}"
