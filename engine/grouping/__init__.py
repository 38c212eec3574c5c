"""Dinner grouping: from raw participants to valid, scored groups, by stage.

- `survey/`: reading each participant's answers (age, kosher, diet, allergies) into a profile;
- `search/`: splitting the readable into pools and solving each pool under the hard rules;
- `report/`: numbering the groups, giving reasons for the left out, and the diagnostics;
- `run.py`: `run_grouping`, the entry point that chains them; `baseline.py`: the naive
  pool solver the benchmark compares against.

`models`, `options` and `errors` are the public types every stage shares. This file
imports nothing, so that importing one of them (say `engine.grouping.options`) does not
load the whole pipeline; the public names are re-exported lazily by `engine`.
"""
