"""`GroupingStore` on supabase-py: PostgREST, as the caller.

One `supabase.Client` per cold start (`supabase_client`, cached) holds the project
URL, the API key and the HTTP connection pool. Each store call takes a fresh
PostgREST view of that client carrying the caller's JWT, so RLS applies to every
request and one caller's token never lingers for the next. Only the nightly job
uses the service role (`SupabaseStore.for_service_role`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any, Protocol, TypeVar
from uuid import UUID

import httpx
from postgrest import APIError, SyncPostgrestClient
from postgrest._sync.request_builder import SyncSelectRequestBuilder
from pydantic import BaseModel
from supabase import Client, ClientOptions, create_client

from engine.grouping.models import GroupingResult, Participant
from functions.common.store import (
    EMPTY_RESULT,
    PARTICIPANT_COLUMNS,
    ArchivedPolicyError,
    IdempotentRun,
    NotFoundError,
    PolicyCreate,
    PolicyPublic,
    PolicyRemoval,
    PolicyUpdate,
    ReferentialIntegrityError,
    RunDetail,
    RunGroup,
    RunHistoryRow,
    RunOptionsRow,
    RunRecord,
    RunSummary,
    RunUnassignedEntry,
    StaleVersionError,
    StoreUnavailableError,
    columns_of,
    error_for_code,
    run_payload,
)

# Supabase's PostgREST answers at most this many rows per request (its `max_rows`).
PAGE_SIZE = 1000
Model = TypeVar("Model", bound=BaseModel)


@lru_cache(maxsize=4)
def supabase_client(url: str, api_key: str, http_client: httpx.Client | None = None) -> Client:
    """The project's client, made once per cold start for each key."""
    options = ClientOptions(
        auto_refresh_token=False,
        persist_session=False,
        # A retried read sleeps seconds between tries: better to fail fast in a Lambda.
        postgrest_client_retry=False,
        httpx_client=http_client,
    )
    return create_client(url, api_key, options=options)


class _Response(Protocol):
    @property
    def data(self) -> Any: ...


class _Request(Protocol):
    def execute(self) -> _Response: ...


def _execute(request: _Request) -> Any:
    try:
        return request.execute().data
    except APIError as error:
        raise error_for_code(error.code) from None
    except httpx.HTTPError:
        raise StoreUnavailableError() from None


def _select_all(make_request: Callable[[], SyncSelectRequestBuilder]) -> list[Any]:
    """Every row, page by page (the request must order by a unique key)."""
    rows: list[Any] = []
    while True:
        page = _execute(make_request().range(len(rows), len(rows) + PAGE_SIZE - 1))
        rows.extend(page)
        if len(page) < PAGE_SIZE:
            return rows


def _parse(model: type[Model], rows: list[Any]) -> list[Model]:
    return [model.model_validate(row) for row in rows]


def _rows_of_run(
    rest: SyncPostgrestClient, model: type[Model], relation: str, run: str, *, order: str
) -> list[Model]:
    columns = ",".join(columns_of(model))
    return _parse(
        model,
        _select_all(lambda: rest.table(relation).select(columns).eq("run_id", run).order(order)),
    )


_POLICY_COLUMNS = ",".join(columns_of(PolicyPublic))


class SupabaseStore:
    def __init__(self, client: Client, *, access_token: str) -> None:
        self._client = client
        self._access_token = access_token

    @classmethod
    def for_service_role(cls, service_client: Client) -> SupabaseStore:
        """The nightly job's store: the client made with the service key, as its own bearer."""
        return cls(service_client, access_token=service_client.supabase_key)

    def _rest(self) -> SyncPostgrestClient:
        # schema() copies the headers and shares the HTTP session.
        rest = self._client.postgrest.schema("public")
        rest.auth(self._access_token)
        return rest

    def _policies(self, narrow: Callable[[SyncSelectRequestBuilder], Any]) -> list[PolicyPublic]:
        request = self._rest().table("grouping_policies").select(_POLICY_COLUMNS)
        request = narrow(request).order("created_at").order("id")
        return _parse(PolicyPublic, _execute(request))

    def list_policies(self, *, include_archived: bool = False) -> list[PolicyPublic]:
        if include_archived:
            return self._policies(lambda request: request)
        return self._policies(lambda request: request.is_("archived_at", None))

    def get_policy(self, *, policy_id: UUID) -> PolicyPublic:
        found = self._policies(lambda request: request.eq("id", str(policy_id)))
        if not found:
            raise NotFoundError()
        return found[0]

    def get_active_policy(self) -> PolicyPublic | None:
        found = self._policies(lambda request: request.is_("is_active", True))
        return found[0] if found else None

    def create_policy(self, *, policy: PolicyCreate) -> PolicyPublic:
        table = self._rest().table("grouping_policies")
        rows = _execute(table.insert(policy.model_dump(mode="json")).select(_POLICY_COLUMNS))
        return PolicyPublic.model_validate(rows[0])

    def update_policy(
        self,
        *,
        policy_id: UUID,
        changes: PolicyUpdate,
        expected_updated_at: datetime | None = None,
    ) -> PolicyPublic:
        request = (
            self._rest()
            .table("grouping_policies")
            .update(changes.changed_columns())
            .eq("id", str(policy_id))
            .is_("archived_at", None)
        )
        if expected_updated_at is not None:
            request = request.eq("updated_at", expected_updated_at.isoformat())
        rows = _execute(request.select(_POLICY_COLUMNS))
        if rows:
            return PolicyPublic.model_validate(rows[0])
        if self.get_policy(policy_id=policy_id).archived_at is not None:
            raise ArchivedPolicyError()
        raise StaleVersionError()

    def delete_policy(self, *, policy_id: UUID) -> PolicyRemoval:
        table = self._rest().table("grouping_policies")
        try:
            deleted = _execute(table.delete().eq("id", str(policy_id)).select("id"))
        except ReferentialIntegrityError:
            # Runs refer to it: keep it, archived, so the run history stays whole.
            now = datetime.now(UTC).isoformat()
            update = table.update({"archived_at": now}).eq("id", str(policy_id))
            if _execute(update.is_("archived_at", None).select("id")):
                return "archived"
            self.get_policy(policy_id=policy_id)  # NotFoundError when it is gone
            return "archived"
        if not deleted:
            raise NotFoundError()
        return "deleted"

    def activate_policy(self, *, policy_id: UUID) -> PolicyPublic:
        request = self._rest().rpc("activate_grouping_policy", {"policy_id": str(policy_id)})
        return PolicyPublic.model_validate(_execute(request.select(_POLICY_COLUMNS)))

    def list_active_participants(self) -> list[Participant]:
        columns = ",".join(PARTICIPANT_COLUMNS)
        rest = self._rest()
        rows = _select_all(
            lambda: rest.table("participants").select(columns).is_("active", True).order("id")
        )
        return _parse(Participant, rows)

    def _save(self, params: dict[str, Any]) -> UUID:
        return UUID(str(_execute(self._rest().rpc("save_grouping_run", params))))

    def save_run(
        self,
        *,
        idempotency_key: str | None,
        policy_id: UUID,
        run: RunRecord,
        result: GroupingResult,
        request_hash: str | None = None,
    ) -> UUID:
        return self._save(
            {
                "idempotency_key": idempotency_key,
                "policy_id": str(policy_id),
                "run": run_payload(run, status="succeeded"),
                "result": result.model_dump(mode="json"),
                "request_hash": request_hash,
            }
        )

    def record_failed_run(self, *, policy_id: UUID, run: RunRecord, failure: str) -> UUID:
        return self._save(
            {
                "idempotency_key": None,
                "policy_id": str(policy_id),
                "run": run_payload(run, status="failed", error=failure),
                "result": EMPTY_RESULT,
                "request_hash": None,
            }
        )

    def find_run_by_idempotency_key(self, *, key: str) -> IdempotentRun | None:
        request = self._rest().table("runs").select("id,payload_hash").eq("idempotency_key", key)
        rows = _execute(request)
        if not rows:
            return None
        return IdempotentRun(run_id=rows[0]["id"], request_hash=rows[0]["payload_hash"])

    def get_run(self, *, run_id: UUID) -> RunDetail:
        rest, run = self._rest(), str(run_id)
        history = _execute(
            rest.table("run_history").select(",".join(columns_of(RunHistoryRow))).eq("run_id", run)
        )
        outcome = _execute(
            rest.table("runs").select(",".join(columns_of(RunOptionsRow))).eq("id", run)
        )
        if not history or not outcome:
            raise NotFoundError()
        groups = _rows_of_run(rest, RunGroup, "run_groups", run, order="group_number")
        unassigned = _rows_of_run(
            rest, RunUnassignedEntry, "run_unassigned", run, order="participant_id"
        )
        return RunDetail(
            run=RunSummary.model_validate({**history[0], **outcome[0]}),
            groups=groups,
            unassigned=unassigned,
        )
