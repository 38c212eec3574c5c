"""The report page's one stylesheet: screen and A4 print, inline in the page (no external file).

`severity` colours (--mild, --moderate, --severe) and the bar colour are the charts' too.
"""

from __future__ import annotations

from typing import Final

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
