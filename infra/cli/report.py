"""A grouping result as readable terminal tables (and JSON): groups, the unassigned, diagnostics.

People are shown by name, or by their input id when they gave none; each unassigned person
gets the engine's plain sentence for their reason (`engine.grouping.report.reasons`), in
English or Hebrew. Tables read in natural order: groups by number (their pools go by age
band), age bands by age, diets and allergens by how many people have them. The groups and
unassigned tables show the first `limit` rows (a caption says how many more), since
drawing thousands of rows is what made a large run slow; `--all` shows every row.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from engine.grouping.models import (
    REASON_ORDER,
    SEVERITY_RANK,
    Diagnostics,
    Group,
    GroupingResult,
    UnassignedParticipant,
)
from engine.grouping.report.reasons import Lang, allergen_name, explain, explain_details

DEFAULT_LIMIT = 100
SEVERITIES = ("mild", "moderate", "severe")


def add_plain_row(table: Table, *cells: object) -> None:
    """A row of plain text: names and answers are shown as written, never read as markup."""
    table.add_row(*(Text(str(cell)) for cell in cells))


def render_result(
    result: GroupingResult,
    console: Console,
    *,
    names: Mapping[str, str] | None = None,
    lang: Lang = "en",
    limit: int | None = DEFAULT_LIMIT,
) -> None:
    """Print the result's tables; `limit` None shows every group and unassigned person."""
    names = names or {}
    console.print(groups_table(result.groups, names, limit=limit))
    if result.unassigned:
        console.print(unassigned_table(result.unassigned, names, lang=lang, limit=limit))
    for table in diagnostics_tables(result.diagnostics):
        console.print(table)


def result_json(
    result: GroupingResult, names: Mapping[str, str], *, lang: Lang = "en"
) -> dict[str, Any]:
    """The result as JSON, with each person's name beside their id and each reason explained.

    Groups gain `member_names` (in the order of `members`); unassigned entries gain `name`,
    `explanation` (one sentence) and `details_explained` (a sentence per details key).
    """
    data = result.model_dump(mode="json")
    for group in data["groups"]:
        group["member_names"] = [names.get(pid, pid) for pid in group["members"]]
    for entry in data["unassigned"]:
        entry["name"] = names.get(entry["participant_id"], entry["participant_id"])
        entry["explanation"] = explain(entry["reason"], entry["details"], lang)
        entry["details_explained"] = explain_details(entry["details"], lang)
    return data


def groups_table(
    groups: list[Group], names: Mapping[str, str], *, limit: int | None = DEFAULT_LIMIT
) -> Table:
    table = Table(title=f"Groups ({len(groups)})", caption=_shown(len(groups), limit, "groups"))
    for column in ("#", "Size", "Score", "Kosher", "Age", "Diets", "Allergens", "Members"):
        table.add_column(column, justify="right" if column in {"#", "Size", "Score"} else "left")
    for group in groups[:limit]:
        add_plain_row(
            table,
            str(group.number),
            str(group.size),
            f"{group.score:.3f}",
            "yes" if group.kosher else "no",
            _age_label(group),
            _counts(group.diets.items()),
            _allergens(group),
            ", ".join(names.get(pid, pid) for pid in group.members),
        )
    return table


def unassigned_table(
    entries: list[UnassignedParticipant],
    names: Mapping[str, str],
    *,
    lang: Lang = "en",
    limit: int | None = DEFAULT_LIMIT,
) -> Table:
    """Who is left out and why, by reason (in the spec's order), then by name."""
    rank = {reason: index for index, reason in enumerate(REASON_ORDER)}
    ordered = sorted(
        entries,
        key=lambda e: (rank[e.reason], names.get(e.participant_id, e.participant_id)),
    )
    table = Table(
        title=f"Unassigned ({len(entries)})", caption=_shown(len(entries), limit, "people")
    )
    for column in ("Person", "Reason", "Why"):
        table.add_column(column)
    for entry in ordered[:limit]:
        person = names.get(entry.participant_id, entry.participant_id)
        add_plain_row(table, person, entry.reason, explain(entry.reason, entry.details, lang))
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
        key_value_table("Participants by age", dict(sorted(ages.by_band.items(), key=_band_key))),
        key_value_table("Participants by diet", dict(_by_count(diagnostics.diets.items()))),
        allergen_table(allergies.by_allergen),
        key_value_table("Engine", _engine_rows(diagnostics)),
    ]


def key_value_table(title: str, rows: Mapping[str, object]) -> Table:
    table = Table(title=title, show_header=False, min_width=len(title) + 4)
    table.add_column("key")
    table.add_column("value", justify="right")
    for key, value in rows.items():
        add_plain_row(table, key, value)
    return table


def allergen_table(by_allergen: Mapping[str, Mapping[str, int]]) -> Table:
    """Participants per allergen and severity, the most common first: counts only, never who."""
    table = Table(title="Allergens among the assigned (participants)")
    table.add_column("Allergen")
    for severity in SEVERITIES:
        table.add_column(severity, justify="right")
    totals = {allergen: sum(counts.values()) for allergen, counts in by_allergen.items()}
    for allergen, _ in _by_count(totals.items()):
        counts = by_allergen[allergen]
        name = allergen_name(allergen, "en")
        add_plain_row(table, name, *(counts.get(s, 0) for s in SEVERITIES))
    return table


def _shown(total: int, limit: int | None, what: str) -> str | None:
    if limit is None or total <= limit:
        return None
    return f"the first {limit} of {total} {what}; --all shows every one"


def _by_count(items: Iterable[tuple[str, int]]) -> list[tuple[str, int]]:
    return sorted(items, key=lambda item: (-item[1], item[0]))


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


def _band_key(item: tuple[str, object]) -> tuple[float, str]:
    """Bands by age, whatever order they arrive in (a stored run's JSON keeps none):
    "under 18" first, then by each band's lower edge ("18-24", "60+")."""
    label = item[0]
    digits = "".join(itertools.takewhile(str.isdigit, label))
    return (float(digits) if digits else -1.0, label)


def _age_label(group: Group) -> str:
    if group.age_band is not None:
        return group.age_band
    if group.age_range is not None:
        return f"{group.age_range.min}-{group.age_range.max}"
    return "-"


def _counts(items: Iterable[tuple[str, int]]) -> str:
    return ", ".join(f"{name} {count}" for name, count in _by_count(items))


def _allergens(group: Group) -> str:
    """The group's allergens, the most severe first."""
    ordered = sorted(
        group.allergy_summary.allergens.items(), key=lambda a: (-SEVERITY_RANK[a[1]], a[0])
    )
    return ", ".join(f"{allergen_name(a, 'en')} ({severity})" for a, severity in ordered)
