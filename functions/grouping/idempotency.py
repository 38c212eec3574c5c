"""A run's idempotency key: claimed before the engine runs, released after, replayed.

The engine must never run twice for one key, even when a client retries while its first
request is still running (a Lambda timeout, a dropped connection). So the service claims
the key first (one RPC, migration 0019): a run already saved under it is replayed, and a
second request while the first runs is refused (`RunInProgressError`, 409). Releasing
the claim is best effort, since an unreleased claim only delays a retry until its lease
runs out. A claim's lease can run out mid-run, so after the save the key is looked up
again: when another request saved first, that run is the answer.
"""

from __future__ import annotations

import logging
from datetime import datetime
from uuid import UUID

from functions.grouping.errors import IdempotencyConflictError, RunInProgressError
from functions.grouping.outcomes import RunOutcome, replayed_outcome
from functions.grouping.store import GroupingStore
from functions.web.errors import ServiceError

# The service's logger: a run's log lines read as one, wherever they are written.
logger = logging.getLogger("functions.grouping")


def claim(store: GroupingStore, key: str, asked: str) -> RunOutcome | None:
    """The replayed outcome when a run exists under `key`; None once this request owns it."""
    found = store.claim_run(idempotency_key=key, request_hash=asked)
    if found == "in-progress":
        raise RunInProgressError()
    if found == "claimed":
        return None
    existing = store.find_run_by_idempotency_key(key=key)
    if existing is None:  # the claim saw a run that is not visible now: refuse, do not rerun
        raise RunInProgressError()
    if existing.request_hash != asked:
        raise IdempotencyConflictError()
    logger.info("run %s replayed for its idempotency key", existing.run_id)
    return replayed_outcome(store.get_run(run_id=existing.run_id).run)


def release(store: GroupingStore, key: str) -> None:
    """Ends the claim on `key`, saved or failed; a failure to do so is only logged."""
    # Best effort: an unreleased claim only delays a retry until its lease runs out.
    try:
        store.release_run_claim(idempotency_key=key)
    except ServiceError as error:
        logger.warning("a run's claim stays until it expires: %s", type(error).__name__)


def saved_first(
    store: GroupingStore, key: str, run_id: UUID, started_at: datetime
) -> RunOutcome | None:
    """The replay of the run found under `key` after the save, when another request saved it
    (its start differs from this run's `started_at`); None when the saved run is this one."""
    saved = store.find_run_by_idempotency_key(key=key)
    if saved is None or saved.started_at == started_at:
        return None
    # The save found a run another request had saved under the key first (possible only
    # once a claim's lease ran out): report that run, as a replay.
    logger.info("run %s replayed: the save found it under its key", run_id)
    return replayed_outcome(store.get_run(run_id=run_id).run)
