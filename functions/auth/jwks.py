"""The Supabase project's public signing keys (JWKS), cached for ten minutes.

The endpoint is asked at most once per `refetch_cooldown_seconds`, whatever happens:
a token whose `kid` is not in the cache causes one refetch (keys rotate), a failed fetch
is not retried before the cooldown ends, so neither a stream of forged `kid`s nor an
outage turns every request into a call to Supabase. The fetch runs outside the lock:
a request whose key is cached never waits for it, and while one request fetches the
others answer from the keys at hand (or fail fast with `SigningKeysUnavailableError`,
503, when there are none). Keys past their age are used only while a refresh is under
way or has just failed, and never once older than `max_age + max_stale`. The fetch and
the clock are injected: tests serve their own key set and move time by hand.
"""

from __future__ import annotations

import logging
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
# How much longer expired keys stand in while the endpoint cannot be read.
MAX_STALE_SECONDS = 600.0
REFETCH_COOLDOWN_SECONDS = 30.0
ASYMMETRIC_KEY_TYPES = frozenset({"RSA", "EC", "OKP"})

logger = logging.getLogger("functions.auth")


def http_jwks_fetcher(url: str, client: httpx.Client | None = None) -> FetchJwks:
    """A fetch that GETs `url`; any failure becomes `SigningKeysUnavailableError`."""
    # Imported here: it costs a tenth of a second at cold start, and a project still on
    # the HS256 secret never fetches keys.
    import httpx

    from functions.web.timeouts import JWKS_TIMEOUT

    http = client or httpx.Client(timeout=JWKS_TIMEOUT)

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
        max_stale_seconds: float = MAX_STALE_SECONDS,
        refetch_cooldown_seconds: float = REFETCH_COOLDOWN_SECONDS,
    ) -> None:
        self._fetch = fetch
        self._clock = clock
        self._max_age = max_age_seconds
        self._max_stale = max_stale_seconds
        self._cooldown = refetch_cooldown_seconds
        # All guarded by `_lock`, which is never held across a fetch.
        self._keys: dict[str, PyJWK] = {}
        self._fetched_at: float | None = None  # the last fetch that worked
        self._attempted_at: float | None = None  # the last fetch, worked or not
        self._refreshing = False
        self._lock = threading.Lock()

    def key(self, kid: str) -> PyJWK | None:
        """The key named `kid`, or None when the keys at hand lack it.

        `SigningKeysUnavailableError` when there are no usable keys: never fetched, or
        too old, and the endpoint cannot be read now.
        """
        with self._lock:
            now = self._clock()
            if self._is_fresh(now) and kid in self._keys:
                return self._keys[kid]
            if not self._claim_refresh(now):
                return self._usable_key(kid, now)
        self._refresh()
        with self._lock:
            return self._usable_key(kid, self._clock())

    def _is_fresh(self, now: float) -> bool:
        return self._fetched_at is not None and now - self._fetched_at < self._max_age

    def _claim_refresh(self, now: float) -> bool:
        """True when this request is to fetch: nobody else is, and the cooldown is over."""
        if self._refreshing:
            return False
        if self._attempted_at is not None and now - self._attempted_at < self._cooldown:
            return False
        self._refreshing = True
        self._attempted_at = now
        return True

    def _usable_key(self, kid: str, now: float) -> PyJWK | None:
        if self._fetched_at is None or now - self._fetched_at >= self._max_age + self._max_stale:
            raise SigningKeysUnavailableError()
        return self._keys.get(kid)

    def _refresh(self) -> None:
        keys: dict[str, PyJWK] | None = None
        try:
            keys = parse_key_set(self._fetch())
        except SigningKeysUnavailableError:
            logger.warning("the JWKS could not be fetched; next try in %.0f s", self._cooldown)
        finally:
            with self._lock:
                self._refreshing = False
                if keys is not None:
                    self._keys = keys
                    self._fetched_at = self._clock()
