"""The shared report in a real headless browser (Debian's chromium, which ./scripts/install
installs): a real run's page renders every group and name, prints to a PDF, screenshots to
a PNG, and logs no console error. Skipped where there is no chromium."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

import pytest

from engine import GroupingOptions, run_grouping
from engine.grouping.report.page import Report, render_html, report_from_result

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
HOSTILE = '"><img src=x onerror=alert(1)><script>alert(2)</script>'
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="no chromium (./scripts/install as root)")


def chromium(profile: Path, *args: str | Path) -> subprocess.CompletedProcess[str]:
    assert CHROMIUM is not None
    command: Sequence[str | Path] = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        f"--user-data-dir={profile}",
        *args,
    ]
    return subprocess.run(
        [str(part) for part in command], capture_output=True, text=True, timeout=30, check=False
    )


@pytest.fixture(scope="module")
def report() -> Report:
    participants = json.loads((EXAMPLES / "participants.json").read_text(encoding="utf-8"))
    if isinstance(participants, dict):
        participants = participants["participants"]
    crowd = participants[:60]
    crowd[0] = {**crowd[0], "full_name": HOSTILE}
    result = run_grouping(crowd, GroupingOptions(seed=7, max_allergy_count=1))
    names = {p["id"]: p["full_name"] for p in crowd if p.get("full_name")}
    return report_from_result(result, names, lang="en")


@pytest.fixture(scope="module")
def page(report: Report, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("report") / "report.html"
    path.write_text(render_html(report), encoding="utf-8")
    return path


def test_the_run_has_what_the_page_must_show(report: Report) -> None:
    names = [n for g in report.groups for n in g.member_names]
    assert any(re.search("[\u0590-\u05ff]", n) for n in names)
    assert any(re.search("[A-Za-z]", n) for n in names)
    assert any(g.allergens for g in report.groups) and report.unassigned


def test_the_dom_holds_every_group_and_name_and_runs_no_script(
    report: Report, page: Path, tmp_path: Path
) -> None:
    done = chromium(
        tmp_path / "profile", "--enable-logging=stderr", "--v=0", "--dump-dom", page.as_uri()
    )
    assert done.returncode == 0, done.stderr[-2000:]
    dom = done.stdout
    for group in report.groups:
        assert f'id="group-{group.number}"' in dom
        for name in group.member_names:
            if name != HOSTILE:
                assert f"<bdi>{name}</bdi>" in dom, name
    for entry in report.unassigned:
        assert entry.name in dom or entry.name == HOSTILE
    assert "<img" not in dom and "<script" not in dom
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in dom
    console = [line for line in done.stderr.splitlines() if "CONSOLE" in line or "Uncaught" in line]
    assert not console, console


def test_it_prints_to_a_pdf_and_screenshots_to_a_png(page: Path, tmp_path: Path) -> None:
    pdf, png = tmp_path / "report.pdf", tmp_path / "report.png"
    printed = chromium(
        tmp_path / "profile", "--no-pdf-header-footer", f"--print-to-pdf={pdf}", page.as_uri()
    )
    assert printed.returncode == 0, printed.stderr[-2000:]
    assert pdf.read_bytes().startswith(b"%PDF-")
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf.read_bytes()))
    assert pages >= 2  # the charts start a page of their own
    shot = chromium(
        tmp_path / "profile", "--hide-scrollbars", "--window-size=1000,1400",
        f"--screenshot={png}", page.as_uri(),
    )  # fmt: skip
    assert shot.returncode == 0, shot.stderr[-2000:]
    assert png.read_bytes().startswith(b"\x89PNG\r\n\x1a\n") and png.stat().st_size > 10_000
