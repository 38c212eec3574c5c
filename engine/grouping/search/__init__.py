"""Pools and their solving: triage, the score, the hard rules, construction, repair, search."""
