"""JwksCache under an outage and under load: one fetch per cooldown, none while others wait.

The endpoint is a fake (a `FakeJwksEndpoint`, made to fail or to block on an Event) and
time is a `ManualClock`; the threads only wait on Events, never on the clock.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import pytest

from functions.auth.errors import SigningKeysUnavailableError
from functions.auth.jwks import MAX_AGE_SECONDS, REFETCH_COOLDOWN_SECONDS, JwksCache
from functions.auth.verifier import TokenVerifier
from functions.web.errors import InvalidTokenError
from tests.functions.conftest import FakeJwksEndpoint, ManualClock
from tests.functions.tokens import ISSUER, SigningKey, user_claims

# How long a test waits for a thread that should already be done: only reached on failure.
PROMPTLY = 2.0


@dataclass
class FlakyEndpoint:
    """`endpoint` while `up`, else a failure; optionally held at `gate` until it is set."""

    endpoint: FakeJwksEndpoint
    up: bool = True
    gate: threading.Event | None = None
    entered: threading.Event = field(default_factory=threading.Event)
    calls: int = 0

    def __call__(self) -> Mapping[str, Any]:
        self.calls += 1
        self.entered.set()
        if self.gate is not None:
            assert self.gate.wait(PROMPTLY), "the test never released the fetch"
        if not self.up:
            raise SigningKeysUnavailableError()
        return self.endpoint()


@pytest.fixture
def flaky(jwks_endpoint: FakeJwksEndpoint) -> FlakyEndpoint:
    return FlakyEndpoint(jwks_endpoint)


@pytest.fixture
def cache(flaky: FlakyEndpoint, clock: ManualClock) -> JwksCache:
    return JwksCache(flaky, clock=clock)


@pytest.fixture
def verify(cache: JwksCache) -> Callable[[str], object]:
    return TokenVerifier(issuer=ISSUER, jwt_secret=None, signing_keys=cache).verify


@pytest.fixture
def pool() -> Iterator[ThreadPoolExecutor]:
    with ThreadPoolExecutor(max_workers=4) as executor:
        yield executor


def forged(stranger_signer: SigningKey, n: int) -> str:
    """A token signed with an unpublished key under a made-up kid."""
    return stranger_signer.sign(user_claims(admin=True), kid=f"forged-{n}")


def test_a_down_endpoint_is_called_once_per_cooldown_before_any_key_is_known(
    verify: Callable[[str], object],
    flaky: FlakyEndpoint,
    clock: ManualClock,
    stranger_signer: SigningKey,
) -> None:
    flaky.up = False
    for n in range(50):
        with pytest.raises(SigningKeysUnavailableError):
            verify(forged(stranger_signer, n))
    assert flaky.calls == 1
    clock.advance(REFETCH_COOLDOWN_SECONDS - 0.5)
    with pytest.raises(SigningKeysUnavailableError):
        verify(forged(stranger_signer, 50))
    assert flaky.calls == 1
    clock.advance(0.5)
    with pytest.raises(SigningKeysUnavailableError):
        verify(forged(stranger_signer, 51))
    assert flaky.calls == 2


def test_forged_kids_during_an_outage_reach_the_endpoint_once_per_cooldown(
    verify: Callable[[str], object],
    flaky: FlakyEndpoint,
    clock: ManualClock,
    rsa_signer: SigningKey,
    stranger_signer: SigningKey,
) -> None:
    genuine = rsa_signer.sign(user_claims())
    verify(genuine)
    flaky.up = False
    clock.advance(REFETCH_COOLDOWN_SECONDS)
    for n in range(50):
        with pytest.raises(InvalidTokenError):
            verify(forged(stranger_signer, n))
    assert flaky.calls == 2
    # The cached keys still serve genuine tokens without another fetch.
    verify(genuine)
    assert flaky.calls == 2
    clock.advance(REFETCH_COOLDOWN_SECONDS)
    with pytest.raises(InvalidTokenError):
        verify(forged(stranger_signer, 50))
    assert flaky.calls == 3


def test_forged_kids_refetch_once_per_cooldown_while_the_endpoint_answers(
    verify: Callable[[str], object],
    flaky: FlakyEndpoint,
    clock: ManualClock,
    stranger_signer: SigningKey,
) -> None:
    for window in range(3):
        for n in range(20):
            with pytest.raises(InvalidTokenError):
                verify(forged(stranger_signer, 100 * window + n))
        assert flaky.calls == window + 1
        clock.advance(REFETCH_COOLDOWN_SECONDS)


def test_expired_keys_serve_through_a_short_outage_then_give_way_to_a_503(
    verify: Callable[[str], object],
    flaky: FlakyEndpoint,
    clock: ManualClock,
    rsa_signer: SigningKey,
) -> None:
    genuine = rsa_signer.sign(user_claims())
    verify(genuine)
    flaky.up = False
    clock.advance(MAX_AGE_SECONDS)
    for _ in range(20):
        verify(genuine)
    assert flaky.calls == 2
    # Never older than twice their age: past that, no key is trusted until a fetch works.
    clock.advance(MAX_AGE_SECONDS)
    with pytest.raises(SigningKeysUnavailableError):
        verify(genuine)
    assert flaky.calls == 3
    flaky.up = True
    clock.advance(REFETCH_COOLDOWN_SECONDS)
    verify(genuine)
    assert flaky.calls == 4


def test_a_fetch_in_progress_does_not_hold_up_a_request_whose_key_is_cached(
    verify: Callable[[str], object],
    flaky: FlakyEndpoint,
    clock: ManualClock,
    rsa_signer: SigningKey,
    stranger_signer: SigningKey,
    pool: ThreadPoolExecutor,
) -> None:
    genuine = rsa_signer.sign(user_claims())
    verify(genuine)
    clock.advance(REFETCH_COOLDOWN_SECONDS)
    flaky.gate, flaky.entered = threading.Event(), threading.Event()
    refetching: Future[object] = pool.submit(verify, forged(stranger_signer, 1))
    try:
        assert flaky.entered.wait(PROMPTLY)
        # Both answer while the refetch is still held: one from the cache, one refused.
        assert pool.submit(verify, genuine).result(timeout=PROMPTLY)
        with pytest.raises(InvalidTokenError):
            pool.submit(verify, forged(stranger_signer, 2)).result(timeout=PROMPTLY)
        assert not refetching.done()
    finally:
        flaky.gate.set()
    with pytest.raises(InvalidTokenError):
        refetching.result(timeout=PROMPTLY)
    assert flaky.calls == 2


def test_expired_keys_answer_while_one_request_refreshes_them(
    verify: Callable[[str], object],
    flaky: FlakyEndpoint,
    clock: ManualClock,
    rsa_signer: SigningKey,
    pool: ThreadPoolExecutor,
) -> None:
    genuine = rsa_signer.sign(user_claims())
    verify(genuine)
    clock.advance(MAX_AGE_SECONDS)
    flaky.gate, flaky.entered = threading.Event(), threading.Event()
    refreshing: Future[object] = pool.submit(verify, genuine)
    try:
        assert flaky.entered.wait(PROMPTLY)
        for _ in range(3):
            assert pool.submit(verify, genuine).result(timeout=PROMPTLY)
        assert not refreshing.done()
    finally:
        flaky.gate.set()
    assert refreshing.result(timeout=PROMPTLY)
    assert flaky.calls == 2


def test_without_keys_a_second_request_fails_fast_while_the_first_fetches(
    verify: Callable[[str], object],
    flaky: FlakyEndpoint,
    rsa_signer: SigningKey,
    pool: ThreadPoolExecutor,
) -> None:
    genuine = rsa_signer.sign(user_claims())
    flaky.gate = threading.Event()
    first: Future[object] = pool.submit(verify, genuine)
    try:
        assert flaky.entered.wait(PROMPTLY)
        with pytest.raises(SigningKeysUnavailableError):
            pool.submit(verify, genuine).result(timeout=PROMPTLY)
    finally:
        flaky.gate.set()
    assert first.result(timeout=PROMPTLY)
    assert flaky.calls == 1


def test_a_fetch_that_raises_something_unexpected_still_ends_the_refresh(
    clock: ManualClock, rsa_signer: SigningKey
) -> None:
    calls = 0

    def broken() -> Mapping[str, Any]:
        nonlocal calls
        calls += 1
        raise RuntimeError("a bug in the fetch")

    cache = JwksCache(broken, clock=clock)
    with pytest.raises(RuntimeError):
        cache.key(rsa_signer.kid)
    # Counted as a failed attempt: the cooldown applies, and the next refresh may start.
    with pytest.raises(SigningKeysUnavailableError):
        cache.key(rsa_signer.kid)
    clock.advance(REFETCH_COOLDOWN_SECONDS)
    with pytest.raises(RuntimeError):
        cache.key(rsa_signer.kid)
    assert calls == 2
