"""A grouping result as readable terminal tables: groups, the unassigned queue, diagnostics."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping

from rich.console import Console
from rich.table import Table

from engine.grouping.models import Diagnostics, Group, GroupingResult, UnassignedParticipant


def render_result(result: GroupingResult, console: Console) -> None:
    console.print(groups_table(result.groups))
    if result.unassigned:
        console.print(unassigned_table(result.unassigned))
    for table in diagnostics_tables(result.diagnostics):
        console.print(table)


def groups_table(groups: list[Group]) -> Table:
    table = Table(title=f"Groups ({len(groups)})")
    for column in ("#", "Size", "Score", "Kosher", "Age", "Diets", "Allergens", "Members"):
        table.add_column(column, justify="right" if column in {"#", "Size", "Score"} else "left")
    for group in groups:
        table.add_row(
            str(group.number),
            str(group.size),
            f"{group.score:.3f}",
            "yes" if group.kosher else "no",
            _age_label(group),
            _counts(group.diets.items()),
            _allergens(group),
            ", ".join(group.members),
        )
    return table


def unassigned_table(entries: list[UnassignedParticipant]) -> Table:
    table = Table(title=f"Unassigned ({len(entries)})")
    for column in ("Participant", "Reason", "Details"):
        table.add_column(column)
    for entry in entries:
        details = json.dumps(entry.details, ensure_ascii=False, sort_keys=True)
        table.add_row(entry.participant_id, entry.reason, details)
    return table


def diagnostics_tables(diagnostics: Diagnostics) -> list[Table]:
    counts, scores, ages = diagnostics.counts, diagnostics.scores, diagnostics.ages
    allergies, engine = diagnostics.allergies, diagnostics.engine
    summary = {
        "participants": counts.participants,
        "assigned": f"{counts.assigned} of at most {engine.upper_bound}",
        "unassigned": counts.unassigned,
        "groups": counts.groups,
        "mean score": f"{scores.mean:.4f}",
        "min / max group score": f"{scores.min:.3f} / {scores.max:.3f}",
        "kosher participants / groups": f"{diagnostics.kosher.participants} / "
        f"{diagnostics.kosher.groups}",
        "age policy": ages.policy,
        "missing ages": ages.missing,
        "age spread per group (mean / max)": f"{ages.mean_spread:.1f} / {ages.max_spread}",
        "unique allergens (assigned)": allergies.unique_allergens,
        "groups with allergies": allergies.groups_with_allergies,
        "allergens per group (mean)": f"{allergies.mean_allergens_per_group:.2f}",
    }
    histogram = {f"{b.low:.1f}-{b.high:.1f}": b.groups for b in scores.histogram}
    return [
        key_value_table("Summary", summary),
        key_value_table("Unassigned by reason", counts.unassigned_by_reason),
        key_value_table("Group sizes", counts.group_sizes),
        key_value_table("Group scores", histogram),
        key_value_table("Participants by age", ages.by_band),
        key_value_table("Participants by diet", diagnostics.diets),
        allergen_table(allergies.by_allergen),
        key_value_table("Engine", _engine_rows(diagnostics)),
    ]


def key_value_table(title: str, rows: Mapping[str, object]) -> Table:
    table = Table(title=title, show_header=False, min_width=len(title) + 4)
    table.add_column("key")
    table.add_column("value", justify="right")
    for key, value in rows.items():
        table.add_row(key, str(value))
    return table


def allergen_table(by_allergen: Mapping[str, Mapping[str, int]]) -> Table:
    """Participants per allergen and severity: counts only, never who."""
    table = Table(title="Allergens among the assigned (participants)")
    table.add_column("Allergen")
    for severity in ("mild", "moderate", "severe"):
        table.add_column(severity, justify="right")
    for allergen, counts in by_allergen.items():
        table.add_row(allergen, *(str(counts.get(s, 0)) for s in ("mild", "moderate", "severe")))
    return table


def _engine_rows(diagnostics: Diagnostics) -> dict[str, object]:
    engine = diagnostics.engine
    return {
        "version": engine.version,
        "seed": engine.seed,
        "effort": engine.effort,
        "elapsed ms": engine.elapsed_ms,
        "upper bound": engine.upper_bound,
        "stopped early": "yes" if engine.stopped_early else "no",
    }


def _age_label(group: Group) -> str:
    if group.age_band is not None:
        return group.age_band
    if group.age_range is not None:
        return f"{group.age_range.min}-{group.age_range.max}"
    return "-"


def _counts(items: Iterable[tuple[str, int]]) -> str:
    return ", ".join(f"{name} {count}" for name, count in items)


def _allergens(group: Group) -> str:
    summary = group.allergy_summary
    return ", ".join(f"{allergen} ({severity})" for allergen, severity in summary.allergens.items())
