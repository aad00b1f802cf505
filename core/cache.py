"""A cached copy that one process at a time rebuilds: the others serve the stale copy.

Without it, every request that misses an expired entry renders the page at once (a cache
stampede): under load the renders pile up and the page's latency grows with the number of
clients. Here an entry carries the moment it stops being fresh; the first request to see it
stale takes a short lock (``cache.add``, atomic on Redis and on the in-process cache) and
rebuilds while everyone else keeps getting the old copy. With no copy at all (a cold cache)
the others wait, boundedly, for the one being built.

``visitor_copy`` applies it to a page: visitors without a session share one copy per path.
"""

from __future__ import annotations

import gzip
import re
import time
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.utils.cache import patch_vary_headers

# a rebuild that takes longer than this (or whose process died) lets another one start
REBUILD_LOCK_SECONDS = 60
# how long a request waits for a copy being built when there is none, before building one
COLD_WAIT_SECONDS = 5.0
COLD_POLL_SECONDS = 0.05

T = TypeVar("T")


def cached_or_rebuilt(
    key: str, *, fresh_seconds: int, stale_seconds: int, build: Callable[[], T]
) -> T:
    """The copy under ``key`` while fresh; when stale, the stale copy to everyone but the
    one request that rebuilds it; kept ``stale_seconds`` after it stops being fresh."""
    entry = cache.get(key)
    if entry is not None and entry[0] > time.time():
        return entry[1]
    lock = f"{key}:rebuilding"
    if cache.add(lock, True, timeout=REBUILD_LOCK_SECONDS):
        try:
            value = build()
            cache.set(key, (time.time() + fresh_seconds, value), fresh_seconds + stale_seconds)
            return value
        finally:
            cache.delete(lock)
    if entry is not None:
        return entry[1]
    deadline = time.monotonic() + COLD_WAIT_SECONDS
    while time.monotonic() < deadline:  # bounded: the builder's copy, or our own after it
        time.sleep(COLD_POLL_SECONDS)
        entry = cache.get(key)
        if entry is not None:
            return entry[1]
    return build()


class _NotShareable(Exception):
    """The page built for the cache turned out to be this visitor's own."""

    def __init__(self, response: HttpResponseBase) -> None:
        super().__init__()
        self.response = response


ViewFunction = Callable[..., HttpResponseBase]


def visitor_copy_key(path: str) -> str:
    """Where the visitors' shared copy of the page at ``path`` is kept."""
    return f"visitor-copy:{path}"


ACCEPTS_GZIP = re.compile(r"\bgzip\b")


def _shared_response(request: HttpRequest, content_type: str, compressed: bytes) -> HttpResponse:
    """The shared copy, gzipped for a client that accepts it (a shared copy holds nothing
    of any visitor's, no CSRF token nor session, so compression leaks nothing: BREACH needs
    a secret in the page)."""
    if ACCEPTS_GZIP.search(request.META.get("HTTP_ACCEPT_ENCODING", "")):
        response = HttpResponse(compressed, content_type=content_type)
        response["Content-Encoding"] = "gzip"
    else:
        response = HttpResponse(gzip.decompress(compressed), content_type=content_type)
    patch_vary_headers(response, ["Accept-Encoding"])
    return response


def visitor_copy(
    *, fresh: Callable[[], int], stale: Callable[[], int] = lambda: 300
) -> Callable[[ViewFunction], ViewFunction]:
    """Visitors share one copy of the page per path (``cached_or_rebuilt``), ``fresh()``
    seconds fresh. Only a plain GET without a query string, a session or a signed-in user is
    served from it, and only a 200 that used no CSRF token is stored: anything of one
    visitor's own (a form, a message, a cursor) is rendered for them alone."""

    def decorator(view: ViewFunction) -> ViewFunction:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            seconds = fresh()
            if (
                seconds <= 0
                or request.method != "GET"
                or request.GET
                or settings.SESSION_COOKIE_NAME in request.COOKIES
                or "HTTP_AUTHORIZATION" in request.META  # an API token or credentials
                or request.user.is_authenticated
            ):
                return view(request, *args, **kwargs)
            key = visitor_copy_key(request.path)
            if cache.get(f"{key}:own"):  # last built, it was a visitor's own: no waiting
                return view(request, *args, **kwargs)

            def build() -> tuple[str, bytes]:
                response = view(request, *args, **kwargs)
                render = getattr(response, "render", None)
                if render is not None and not getattr(response, "is_rendered", True):
                    render()
                if (
                    not isinstance(response, HttpResponse)  # streamed or a file
                    or response.status_code != 200
                    or request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
                    or response.cookies
                ):
                    raise _NotShareable(response)
                # kept compressed: a tenth of the bytes to fetch from the cache per request
                return response["Content-Type"], gzip.compress(response.content, mtime=0)

            try:
                content_type, compressed = cached_or_rebuilt(
                    key,
                    fresh_seconds=seconds,
                    stale_seconds=stale(),
                    build=build,
                )
            except _NotShareable as refused:
                cache.set(f"{key}:own", True, seconds)
                return refused.response
            return _shared_response(request, content_type, compressed)

        return wrapped

    return decorator
