"""What a run of an event keeps to (issue 15): the run it starts from, locks, pair requests.

No HTTP here. The starting grouping is a succeeded run of the same event (named by
`keep_from_run_id`, or for the nightly job the event's latest run); the event's locks
(grouping_locks) and apart pairs (event_apart_pairs) come from the database, and together
requests from the registrants' "I'd like to sit with…" answers (matched by name). People
that manual edits of the starting run placed (run_edits) are locked to their groups too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from uuid import UUID

from engine.grouping.continuity.history import edited_people
from engine.grouping.continuity.requests import PairRequests, StartingGrouping
from engine.grouping.models import Participant
from engine.intake.together import sit_with_requests
from functions.grouping.edit_schemas import logged_edits
from functions.grouping.errors import KeepFromOtherEventError
from functions.grouping.store import GroupingStore
from functions.web.errors import NotFoundError


@dataclass(frozen=True, slots=True)
class Keeping:
    """The run's starting grouping (None: a fresh run) and its pair requests."""

    start: StartingGrouping | None
    pairs: PairRequests
    started_from: UUID | None = None


def keeping_for(
    store: GroupingStore,
    *,
    event_id: UUID | None,
    keep_from_run_id: UUID | None,
    keep_latest: bool,
    participants: Sequence[Participant],
) -> Keeping:
    """Everything a run of `event_id` keeps to; a run without an event keeps to nothing."""
    if event_id is None:
        if keep_from_run_id is not None:
            raise KeepFromOtherEventError()
        return Keeping(None, PairRequests())
    run_id = keep_from_run_id
    if run_id is None and keep_latest:
        run_id = store.latest_run_id(event_id=event_id)
    start = None if run_id is None else _start(store, run_id, event_id)
    return Keeping(start, pair_requests(store, event_id, participants), run_id)


def pair_requests(
    store: GroupingStore, event_id: UUID | None, participants: Sequence[Participant]
) -> PairRequests:
    """The event's together requests (from its registrants' answers) and apart pairs; a
    run without an event has none. Runs and manual edits check the same pairs."""
    if event_id is None:
        return PairRequests()
    found = sit_with_requests([p.model_dump() for p in participants])
    apart = tuple(
        (str(pair.first_participant_id), str(pair.second_participant_id))
        for pair in store.requests.list_apart_pairs(event_id=event_id)
    )
    return PairRequests(found.pairs, apart)


def _start(store: GroupingStore, run_id: UUID, event_id: UUID) -> StartingGrouping:
    try:
        detail = store.get_run(run_id=run_id)
    except NotFoundError:
        raise KeepFromOtherEventError() from None
    if detail.run.event_id != event_id or detail.run.status != "succeeded":
        raise KeepFromOtherEventError()
    groups = {g.group_number: [str(m) for m in g.member_ids] for g in detail.groups}
    locks = store.requests.list_locks(event_id=event_id)
    # An edited run's edits are kept as locks: whom they placed stays where they put them.
    now = {member: number for number, members in groups.items() for member in members}
    edited = edited_people(logged_edits(store.edits.list_edits(run_id=run_id)), now)
    people = frozenset(str(lock.participant_id) for lock in locks) | edited
    whole = {str(lock.participant_id) for lock in locks if lock.whole_group}
    numbers = frozenset(n for n, members in groups.items() if whole & set(members))
    return StartingGrouping(groups, people, numbers)
