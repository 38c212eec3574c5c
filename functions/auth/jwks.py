"""The Supabase project's public signing keys (JWKS), cached for at most ten minutes.

A token whose `kid` is not in the cache causes one refetch (keys rotate), and no more
than one per `refetch_cooldown_seconds`, so that a stream of forged `kid`s cannot turn
every request into a call to Supabase. The fetch and the clock are injected: tests
serve their own key set and move time by hand.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from jwt import PyJWK, PyJWTError

from functions.auth.errors import SigningKeysUnavailableError

if TYPE_CHECKING:
    import httpx

FetchJwks = Callable[[], Mapping[str, Any]]
Clock = Callable[[], float]
MAX_AGE_SECONDS = 600.0
REFETCH_COOLDOWN_SECONDS = 30.0
ASYMMETRIC_KEY_TYPES = frozenset({"RSA", "EC", "OKP"})


def http_jwks_fetcher(url: str, client: httpx.Client | None = None) -> FetchJwks:
    """A fetch that GETs `url`; any failure becomes `SigningKeysUnavailableError`."""
    # Imported here: it costs a tenth of a second at cold start, and a project still on
    # the HS256 secret never fetches keys.
    import httpx

    http = client or httpx.Client(timeout=httpx.Timeout(5.0, connect=2.0))

    def fetch() -> Mapping[str, Any]:
        try:
            response = http.get(url)
            response.raise_for_status()
            document = response.json()
        except (httpx.HTTPError, ValueError):
            raise SigningKeysUnavailableError() from None
        if not isinstance(document, dict):
            raise SigningKeysUnavailableError()
        return document

    return fetch


def parse_key_set(document: Mapping[str, Any]) -> dict[str, PyJWK]:
    """kid -> key for each usable public signing key; symmetric and odd entries are skipped."""
    keys: dict[str, PyJWK] = {}
    entries = document.get("keys")
    for entry in entries if isinstance(entries, list) else []:
        if not isinstance(entry, dict) or not isinstance(entry.get("kid"), str):
            continue
        if entry.get("kty") not in ASYMMETRIC_KEY_TYPES or entry.get("use", "sig") != "sig":
            continue
        try:
            keys[entry["kid"]] = PyJWK(entry)
        except PyJWTError:
            continue
    return keys


class JwksCache:
    def __init__(
        self,
        fetch: FetchJwks,
        *,
        clock: Clock = time.monotonic,
        max_age_seconds: float = MAX_AGE_SECONDS,
        refetch_cooldown_seconds: float = REFETCH_COOLDOWN_SECONDS,
    ) -> None:
        self._fetch = fetch
        self._clock = clock
        self._max_age = max_age_seconds
        self._cooldown = refetch_cooldown_seconds
        self._keys: dict[str, PyJWK] = {}
        self._fetched_at: float | None = None
        self._lock = threading.Lock()

    def key(self, kid: str) -> PyJWK | None:
        """The key named `kid`, or None when even a fresh key set lacks it."""
        with self._lock:
            if self._is_stale():
                self._refresh()
            found = self._keys.get(kid)
            if found is None and self._may_refetch():
                self._refresh()
                found = self._keys.get(kid)
            return found

    def _is_stale(self) -> bool:
        return self._fetched_at is None or self._clock() - self._fetched_at >= self._max_age

    def _may_refetch(self) -> bool:
        return self._fetched_at is None or self._clock() - self._fetched_at >= self._cooldown

    def _refresh(self) -> None:
        self._keys = parse_key_set(self._fetch())
        self._fetched_at = self._clock()
