"""Fault injection: what each simulated exchange does wrong, and where.

A fault has a kind and an optional scope: ``server_time``, ``markets``, ``order_book`` (the
REST endpoints of those steps) or ``stream`` (the WebSocket, and KuCoin's token request).
Without a scope it applies wherever it can. Latency is added to every REST answer, to the
WebSocket handshake and before each streamed data message.
"""

from __future__ import annotations

import threading
from dataclasses import asdict, dataclass
from typing import Any

FAULTS = (
    "http_500",
    "rate_limited",
    "ip_banned",
    "html_error",
    "malformed_json",
    "empty_book",
    "crossed_book",
    "stale_timestamp",
    "ws_close",
    "ws_silent",
    # the exchange is down for maintenance: its REST answers 503 and its status endpoint
    # (Binance, OKX, Kraken, KuCoin) says maintenance
    "maintenance",
)
SCOPES = ("server_time", "markets", "order_book", "stream")
STALE_BY_MS = 10 * 60 * 1000  # timestamps ten minutes old
# rate_limited answers HTTP 429 and ip_banned HTTP 418 (Binance's ban), each with Retry-After
RATE_LIMIT_RETRY_AFTER_S = 30
IP_BAN_RETRY_AFTER_S = 120


@dataclass(frozen=True)
class Faults:
    latency_ms: int = 0
    fault: str | None = None
    scope: str | None = None

    def __post_init__(self) -> None:
        if self.fault is not None and self.fault not in FAULTS:
            raise ValueError(f"unknown fault {self.fault!r}; choose from {', '.join(FAULTS)}")
        if self.scope is not None and self.scope not in SCOPES:
            raise ValueError(f"unknown scope {self.scope!r}; choose from {', '.join(SCOPES)}")
        if not 0 <= self.latency_ms <= 120_000:
            raise ValueError("latency_ms must be between 0 and 120000")

    def active(self, fault: str, scope: str) -> bool:
        return self.fault == fault and self.scope in (None, scope)

    def as_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Faults:
        unknown = set(data) - {"latency_ms", "fault", "scope"}
        if unknown:
            raise ValueError(f"unknown keys: {', '.join(sorted(unknown))}")
        return cls(
            latency_ms=int(data.get("latency_ms") or 0),
            fault=data.get("fault") or None,
            scope=data.get("scope") or None,
        )


class FaultBook:
    """The faults of every exchange, shared by the server's loop and its controllers."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: dict[str, Faults] = {}

    def get(self, exchange: str) -> Faults:
        with self._lock:
            return self._faults.get(exchange, Faults())

    def set(self, exchange: str, faults: Faults) -> None:
        with self._lock:
            self._faults[exchange] = faults

    def clear(self, exchange: str | None = None) -> None:
        with self._lock:
            if exchange is None:
                self._faults.clear()
            else:
                self._faults.pop(exchange, None)

    def snapshot(self) -> dict[str, dict[str, Any]]:
        with self._lock:
            return {name: faults.as_json() for name, faults in sorted(self._faults.items())}
