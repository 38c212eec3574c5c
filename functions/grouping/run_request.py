"""What a grouping run is asked for (`RunRequest`), and its hash: what a retry repeats.

POST /build-groups and the nightly job ask for runs alike, so both build a `RunRequest`
and hand it to `service.run_policy`. Its hash is kept apart from the service because the
idempotency claim (idempotency.py) and the save both compare it: a retry with the same
key must ask the same thing to get the first run back.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from uuid import UUID

from functions.grouping.schemas import TriggerSource


@dataclass(frozen=True)
class RunRequest:
    trigger_source: TriggerSource
    policy_id: UUID | None = None
    overrides: Mapping[str, Any] = field(default_factory=dict)
    dry_run: bool = False
    idempotency_key: str | None = None
    # The day birth dates are read against (default: today); the nightly job's date.
    run_date: date | None = None
    # The event whose registrations are grouped; None: every active participant.
    event_id: UUID | None = None
    # A run of the same event to start from (issue 15); `keep_latest`: the event's latest.
    keep_from_run_id: UUID | None = None
    keep_latest: bool = False


def request_hash(request: RunRequest) -> str:
    """What was asked, as asked: a retry must repeat it to get the first run back.

    The policy is the one named (or "active"), not the one it resolved to, so a retry
    after another policy became active still finds its first run; two concurrent
    retries with one key store one run, since the save compares the same hash.
    """
    policy = str(request.policy_id) if request.policy_id is not None else "active"
    asked: list[Any] = [policy, dict(request.overrides), request.trigger_source]
    if request.event_id is not None:
        # Only then, so a run without an event hashes as it did before events existed.
        asked.append(str(request.event_id))
    if request.keep_from_run_id is not None or request.keep_latest:
        # The latest run is asked for as such: a retry after the first save asks the same.
        asked.append(str(request.keep_from_run_id or "latest"))
    text = json.dumps(asked, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()
