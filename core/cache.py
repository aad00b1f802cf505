"""A cached copy that one process at a time rebuilds: the others serve the stale copy.

Without it, every request that misses an expired entry renders the page at once (a cache
stampede): under load the renders pile up and the page's latency grows with the number of
clients. Here an entry carries the moment it stops being fresh; the first request to see it
stale takes a short lock (``cache.add``, atomic on Redis and on the in-process cache) and
rebuilds while everyone else keeps getting the old copy. With no copy at all (a cold cache)
the others wait, boundedly, for the one being built.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.core.cache import cache

# a rebuild that takes longer than this (or whose process died) lets another one start
REBUILD_LOCK_SECONDS = 60
# how long a request waits for a copy being built when there is none, before building one
COLD_WAIT_SECONDS = 5.0
COLD_POLL_SECONDS = 0.05


def cached_or_rebuilt(
    key: str, *, fresh_seconds: int, stale_seconds: int, build: Callable[[], bytes]
) -> bytes:
    """The copy under ``key`` while fresh; when stale, the stale copy to everyone but the
    one request that rebuilds it; kept ``stale_seconds`` after it stops being fresh."""
    entry = cache.get(key)
    if entry is not None and entry[0] > time.time():
        return bytes(entry[1])
    lock = f"{key}:rebuilding"
    if cache.add(lock, True, timeout=REBUILD_LOCK_SECONDS):
        try:
            body = build()
            cache.set(key, (time.time() + fresh_seconds, body), fresh_seconds + stale_seconds)
            return body
        finally:
            cache.delete(lock)
    if entry is not None:
        return bytes(entry[1])
    deadline = time.monotonic() + COLD_WAIT_SECONDS
    while time.monotonic() < deadline:  # bounded: the builder's copy, or our own after it
        time.sleep(COLD_POLL_SECONDS)
        entry = cache.get(key)
        if entry is not None:
            return bytes(entry[1])
    return build()
