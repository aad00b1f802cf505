"""A cached copy is rebuilt by one request at a time: the others get the stale copy, or wait
(boundedly) for the first copy; a failed rebuild lets the next request try."""

from __future__ import annotations

import threading
import time

import pytest
from django.core.cache import cache

from core import cache as shared_cache
from core.cache import cached_or_rebuilt

KEY = "test:cached-or-rebuilt"


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.delete_many([KEY, f"{KEY}:rebuilding"])
    yield
    cache.delete_many([KEY, f"{KEY}:rebuilding"])


def builder(body: bytes = b"page", *, pause: float = 0.0):  # type: ignore[no-untyped-def]
    calls: list[int] = []

    def build() -> bytes:
        calls.append(1)
        time.sleep(pause)
        return body + str(len(calls)).encode()

    return build, calls


def test_a_fresh_copy_is_served_without_building():
    build, calls = builder()

    first = cached_or_rebuilt(KEY, fresh_seconds=30, stale_seconds=60, build=build)
    second = cached_or_rebuilt(KEY, fresh_seconds=30, stale_seconds=60, build=build)

    assert first == second == b"page1"
    assert len(calls) == 1


def test_a_stale_copy_is_rebuilt_by_the_first_request_that_sees_it(monkeypatch):
    build, calls = builder()
    cached_or_rebuilt(KEY, fresh_seconds=30, stale_seconds=60, build=build)
    later = time.time() + 31
    monkeypatch.setattr(shared_cache.time, "time", lambda: later)

    assert cached_or_rebuilt(KEY, fresh_seconds=30, stale_seconds=60, build=build) == b"page2"
    assert len(calls) == 2


def test_while_one_request_rebuilds_the_others_get_the_stale_copy(monkeypatch):
    build, calls = builder()
    cached_or_rebuilt(KEY, fresh_seconds=30, stale_seconds=60, build=build)
    later = time.time() + 31
    monkeypatch.setattr(shared_cache.time, "time", lambda: later)
    cache.add(f"{KEY}:rebuilding", True, 60)  # another process is rebuilding

    assert cached_or_rebuilt(KEY, fresh_seconds=30, stale_seconds=60, build=build) == b"page1"
    assert len(calls) == 1


def test_a_stampede_on_a_cold_cache_builds_once():
    build, calls = builder(pause=0.3)
    answers: list[bytes] = []

    def request() -> None:
        answers.append(cached_or_rebuilt(KEY, fresh_seconds=30, stale_seconds=60, build=build))

    threads = [threading.Thread(target=request) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)

    assert answers == [b"page1"] * 12
    assert len(calls) == 1


def test_a_cold_wait_is_bounded_then_the_request_builds_its_own(monkeypatch):
    monkeypatch.setattr(shared_cache, "COLD_WAIT_SECONDS", 0.2)
    build, calls = builder()
    cache.add(f"{KEY}:rebuilding", True, 60)  # a builder that never delivers

    started = time.monotonic()
    body = cached_or_rebuilt(KEY, fresh_seconds=30, stale_seconds=60, build=build)

    assert body == b"page1"
    assert len(calls) == 1
    assert time.monotonic() - started < 2


def test_a_failed_rebuild_releases_the_lock():
    def broken() -> bytes:
        raise RuntimeError("database went away")

    with pytest.raises(RuntimeError):
        cached_or_rebuilt(KEY, fresh_seconds=30, stale_seconds=60, build=broken)

    build, _ = builder()
    assert cached_or_rebuilt(KEY, fresh_seconds=30, stale_seconds=60, build=build) == b"page1"
    assert cache.get(f"{KEY}:rebuilding") is None
