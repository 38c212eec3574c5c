"""The report page's charts: a run's diagnostics as horizontal bar charts in inline SVG.

`charts_section(diagnostics, lang)` is the page's "Diagnostics" section (participants by age
band, allergies among the placed by allergen and severity, group scores), read leniently from
the diagnostics as JSON: a missing or malformed figure is nothing to show, never an error.
`bar_chart(rows)` draws one chart. Every text is escaped. Pure: no I/O.
"""

# The en dash between a score range's ends is the point, not a look-alike of a hyphen.
# ruff: noqa: RUF001

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final

from engine.grouping.report.labels import SEVERITIES, label
from engine.grouping.report.labels import escaped as _e
from engine.grouping.report.reasons import Lang, allergen_name

Segment = tuple[float, str]  # (value, colour)
CHART_WIDTH: Final = 640
LABEL_WIDTH: Final = 170
ROW_HEIGHT: Final = 22


def charts_section(diagnostics: Mapping[str, Any], lang: Lang) -> str:
    """The page's section of charts, from the run's diagnostics (as JSON)."""
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
