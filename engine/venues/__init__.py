"""Venue planning: which restaurant or host feeds which dinner group, and why not.

`plan_venues(PlanRequest(groups=..., venues=...))` assigns each group of a run to at
most one venue (kosher groups to kosher venues, every severe allergen kept out, group
places and seats respected), optimally under the organiser's order of preference
(matching.py: a min-cost flow with branch and bound for seats), and explains every
group left out (explain.py). Pure: no I/O, no clock.
"""
