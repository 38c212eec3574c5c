"""Groups people can rely on: a run from an earlier grouping, locks, together/apart requests.

- `requests.py`: what a run is asked to keep (`StartingGrouping`, `PairRequests`);
- `pairs.py`: together requests as components, and which of them cannot be met;
- `board.py`: one pool's grouping as people, with every hard rule, pairs and locks included;
- `settle.py`: the changes new, withdrawn or changed people force on a starting grouping;
- `improve.py`: moves and swaps within a budget, each moved person costing the policy's
  `stability_weight`; `exact.py`: small pools solved exactly under the requests;
- `stable.py`: `run_stable`, the entry point; `account.py`: who moved and why.
"""
