"""The shared report (HTML) and export (CSV): escaped, self-contained, no one's allergies."""

from __future__ import annotations

import csv
import re

import pytest

from engine import GroupingOptions, run_grouping
from engine.grouping.report.page import (
    Report,
    ReportGroup,
    ReportUnassigned,
    render_html,
    report_from_result,
)
from engine.grouping.report.reasons import explain
from engine.grouping.report.sheet import BOM, render_csv, safe_cell

HOSTILE = ["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>', '=HYPERLINK("x")']


def person(pid: str, name: str, age: int, restrictions: str = "") -> dict[str, object]:
    return {
        "id": pid,
        "full_name": name,
        "age": age,
        "responses": {"kosher": "yes", "diet": "omnivore", "dietary_restrictions": restrictions},
    }


def people() -> list[dict[str, object]]:
    names = ["דנה לוי", "Noah Cohen", *HOSTILE, "יעל כהן", "Maya Stern", "+972 Avi", "@Tal"]
    crowd = [person(f"p{i}", name, 30 + i % 3) for i, name in enumerate(names)]
    crowd[1] = person("p1", "Noah Cohen", 31, "mild milk allergy")
    crowd.append(
        person("allergic", "Allergic Person", 31, "severe kiwi allergy; severe peanut allergy")
    )
    crowd.append(person("young", "Young One", 12))
    return crowd


@pytest.fixture(scope="module")
def report() -> Report:
    result = run_grouping(people(), GroupingOptions(seed=3, max_allergy_count=1))
    names = {str(p["id"]): str(p["full_name"]) for p in people()}
    return report_from_result(result, names, lang="en")


def test_every_name_is_escaped_and_nothing_external_or_scripted_remains(report: Report) -> None:
    html = render_html(report)
    for name in HOSTILE:
        assert name not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;" in html
    assert "<script" not in html.lower() and "<img" not in html.lower()
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)
    assert "@import" not in html and "url(" not in html
    assert "@media print" in html and "size: A4" in html


def test_the_page_shows_groups_names_unassigned_sentences_and_three_charts(report: Report) -> None:
    html = render_html(report)
    for group in report.groups:
        assert f'id="group-{group.number}"' in html
    assert "<bdi>דנה לוי</bdi>" in html and "<bdi>Noah Cohen</bdi>" in html
    young = next(e for e in report.unassigned if e.name == "Young One")
    assert young.explanation in html
    assert html.count("<svg ") == 3
    assert "milk (mild)" in html


def test_an_allergic_person_left_out_is_named_but_their_allergens_are_only_in_groups_notes() -> (
    None
):
    # The report's own sentence names the allergens only when the details do (the CLI's);
    # a group's notes name its allergens, never who has them.
    group = ReportGroup(
        number=1, member_names=["A", "B"], score=0.5, kosher=True, allergens={"peanut": "severe"}
    )
    html = render_html(
        Report(title="t", groups=[group], unassigned=[], diagnostics={"ages": {"by_band": {}}})
    )
    assert "peanut (severe)" in html


def test_hebrew_page_is_right_to_left() -> None:
    result = run_grouping(people(), GroupingOptions(seed=3))
    html = render_html(report_from_result(result, {}, lang="he"))
    assert '<html lang="he" dir="rtl">' in html and "קבוצה 1" in html


def test_csv_has_a_bom_a_row_a_person_and_no_formula(report: Report) -> None:
    text = render_csv(report)
    assert text.startswith(BOM)
    rows = list(csv.reader(text.removeprefix(BOM).splitlines()))
    assert rows[0][:2] == ["Group", "Name"]
    people_rows = rows[1:]
    placed = sum(len(g.member_names) for g in report.groups)
    assert len(people_rows) == placed + len(report.unassigned)
    for row in people_rows:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@")), cell
    names = [row[1] for row in people_rows]
    assert '\'=HYPERLINK("x")' in names and "'+972 Avi" in names and "'@Tal" in names
    assert "דנה לוי" in names
    young = next(row for row in people_rows if row[1] == "Young One")
    assert young[0] == "" and young[5].startswith("At 12")


@pytest.mark.parametrize(
    ("value", "cell"),
    [("=1+1", "'=1+1"), ("-2", "'-2"), ("@x", "'@x"), ("\tx", "'\tx"), ("Dana", "Dana"), (3, "3")],
)
def test_safe_cell(value: object, cell: str) -> None:
    assert safe_cell(value) == cell


def test_an_unassigned_sentence_from_safe_details_names_no_allergen() -> None:
    for lang in ("en", "he"):
        alone = explain(
            "allergy-limit-exceeded", {"max_allergy_count": 1, "alone_exceeds_limit": True}, lang
        )
        assert "1" in alone
        pooled = explain(
            "allergy-limit-exceeded",
            {"max_allergy_count": 2, "alone_exceeds_limit": False, "groups_in_pool": 3, "pool": {}},
            lang,
        )
        assert "3" in pooled
    assert explain(
        "allergy-limit-exceeded", {"max_allergy_count": 1, "alone_exceeds_limit": True}
    ) == ("This person alone has more severe allergies than a group may hold (at most 1).")


def test_broken_diagnostics_draw_empty_charts_not_errors() -> None:
    broken = {"ages": {"by_band": {"18-24": "x"}}, "allergies": [], "scores": {"histogram": [1]}}
    html = render_html(Report(title="t", groups=[], unassigned=[], diagnostics=broken))
    assert html.count("<svg ") == 2  # ages (a zero bar) and scores (a zero bin); no allergies
    entry = ReportUnassigned(name="x", reason="missing-age", explanation="e")
    assert "e</td>" in render_html(Report(title="t", groups=[], unassigned=[entry]))
