"""Pools and their solving: triage, score, rules, limits, construction, repair, local search."""
