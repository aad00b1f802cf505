"""Racing calls against each other, each in its own thread and database connection."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

from django.db import connections

T = TypeVar("T")


def race(calls: list[Callable[[], T]], *, timeout: float = 120) -> list[T | Exception]:
    """Run every call in its own thread, all released at once by a barrier; each outcome is
    the call's value or the exception it raised, in the order of ``calls``."""
    barrier = threading.Barrier(len(calls), timeout=60)
    outcomes: list[T | Exception] = [RuntimeError("did not run")] * len(calls)

    def run(index: int, call: Callable[[], T]) -> None:
        try:
            barrier.wait()
            outcomes[index] = call()
        except Exception as exc:  # the test inspects what each thread got
            outcomes[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    assert not any(thread.is_alive() for thread in threads), "a racing call never finished"
    return outcomes
