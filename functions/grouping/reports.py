"""A stored run as a page to share (HTML) and a spreadsheet (CSV), for GET /runs/{id}/report
and GET /runs/{id}/export.csv.

Built from what the API may show (`views`): group names and group-level allergy notes,
and each unassigned person's sentence written from the safe details only, so no one's
allergies reach a report. The rendering is the engine's (`engine.grouping.report.page`,
`engine.grouping.report.sheet`), the same the CLI's --html and --csv use.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from engine.grouping.report.page import (
    TITLES,
    Report,
    ReportGroup,
    ReportUnassigned,
    label,
    order_unassigned,
    render_html,
)
from engine.grouping.report.reasons import Lang
from engine.grouping.report.sheet import render_csv
from functions.grouping.schemas import RunDetail, RunGroup
from functions.grouping.views import unassigned_view

HTML_MEDIA_TYPE: Final = "text/html; charset=utf-8"
CSV_MEDIA_TYPE: Final = "text/csv; charset=utf-8"
# The page needs nothing but its own inline styles; no script runs in it.
REPORT_CSP: Final = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"


def report_from_run(
    detail: RunDetail, lang: Lang = "en", venues: Mapping[int, str] | None = None
) -> Report:
    run = detail.run
    unassigned = []
    for entry in detail.unassigned:
        view = unassigned_view(
            str(entry.participant_id), entry.full_name, entry.reason, entry.details, lang
        )
        unassigned.append(
            ReportUnassigned(
                name=view.full_name or entry.input_id or view.participant_id,
                reason=view.reason,
                explanation=view.explanation,
            )
        )
    facts = [
        (label("run", lang), f"#{run.run_number} · {run.started_at:%Y-%m-%d %H:%M} UTC"),
        (label("policy", lang), run.policy_name),
        (label("participants", lang), str(run.participant_count)),
        (label("placed", lang), str(run.assigned_count)),
        (label("groups", lang), str(run.group_count)),
        (label("unassigned", lang), str(run.unassigned_count)),
    ]
    return Report(
        title=f"{TITLES[lang]} · {label('run', lang)} {run.run_number}",
        lang=lang,
        facts=facts,
        groups=[
            _group(group, (venues or {}).get(group.group_number))
            for group in sorted(detail.groups, key=lambda g: g.group_number)
        ],
        unassigned=order_unassigned(unassigned),
        diagnostics=run.diagnostics,
    )


def _group(group: RunGroup, venue: str | None = None) -> ReportGroup:
    summary: dict[str, Any] = group.allergy_summary
    allergens = summary.get("allergens")
    with_allergies = summary.get("members_with_allergies")
    age = group.age_band
    if age is None and group.age_min is not None and group.age_max is not None:
        age = f"{group.age_min}-{group.age_max}"
    return ReportGroup(
        number=group.group_number,
        member_names=[
            name or input_id or str(pid)
            for pid, name, input_id in zip(
                group.member_ids, group.member_names, group.member_input_ids, strict=False
            )
        ],
        score=group.score,
        kosher=group.kosher,
        age=age,
        diets=group.diets,
        allergens={str(a): str(s) for a, s in allergens.items()}
        if isinstance(allergens, dict)
        else {},
        members_with_allergies=with_allergies if isinstance(with_allergies, int) else 0,
        venue=venue,
    )


def run_report_html(
    detail: RunDetail, lang: Lang = "en", venues: Mapping[int, str] | None = None
) -> str:
    """The run's page; `venues` (group number -> venue name) adds each group's venue."""
    return render_html(report_from_run(detail, lang, venues))


def run_export_csv(detail: RunDetail, lang: Lang = "en") -> bytes:
    """The CSV as UTF-8 bytes (with the BOM Excel needs to read Hebrew)."""
    return render_csv(report_from_run(detail, lang)).encode("utf-8")


def export_filename(detail: RunDetail) -> str:
    return f"run-{detail.run.run_number}.csv"
