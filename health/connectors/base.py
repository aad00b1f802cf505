"""The interface every bundled connector implements, and the transport and parsing helpers
they share (where several exchanges answer in one shape, it is read here once).

A bundled connector reads an exchange's *public* market data the way Hummingbot's connector
for it does: server time, the market list (mapped to Hummingbot's ``BASE-QUOTE`` pairs), an
order-book snapshot, and the first message of its WebSocket order-book or trade stream.
Nothing here touches the database; ``health.checks`` times and validates each step.

Every network wait is bounded twice: by its own timeout and by the whole check's deadline.
"""

from __future__ import annotations

import json
import math
import time
import uuid
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any, ClassVar

import requests
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus, InvalidURI
from websockets.sync.client import connect
from websockets.sync.connection import Connection

from core.text import is_ascii_digits

Level = tuple[Decimal, Decimal]
Json = Any

# A stream that floods us with messages we do not recognise is broken too.
MAX_STREAM_MESSAGES = 500
MAX_WS_MESSAGE_BYTES = 16 * 1024 * 1024
USER_AGENT = "ConnectorHub-HealthProbe/1.0"


class Fault(StrEnum):
    """Whose side a failed step points at (``health.attribution`` weighs it)."""

    NETWORK = "network"  # no answer at all: DNS, refused, unreachable, connect timeout, TLS
    EXCHANGE = "exchange"  # the exchange answered with an outage: 5xx, 429/418, error page
    CONNECTOR = "connector"  # the exchange answered; our connector could not use the answer


class ProbeError(Exception):
    """A step failed; ``reason`` is shown to people, so it says what went wrong. By default
    the connector is at fault: the exchange answered and the answer did not fit."""

    fault = Fault.CONNECTOR

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class NetworkError(ProbeError):
    """The exchange could not be reached at all."""

    fault = Fault.NETWORK


class ExchangeOutage(ProbeError):
    """The exchange answered that it cannot serve: a server error, a rate limit or ban, an
    error page from its CDN."""

    fault = Fault.EXCHANGE


@dataclass(frozen=True)
class SystemStatus:
    """What an exchange's own status endpoint says (Binance ``/sapi/v1/system/status``,
    OKX ``/api/v5/system/status``, Kraken ``/0/public/SystemStatus``, KuCoin
    ``/api/v1/status``)."""

    normal: bool
    message: str = ""


class StreamKind(StrEnum):
    SNAPSHOT = "snapshot"
    DIFF = "diff"
    TRADE = "trade"


@dataclass(frozen=True)
class Endpoints:
    """Where a connector sends its requests: the REST root its paths are appended to, and
    the WebSocket URL (for KuCoin, the one the bullet token request announces)."""

    rest_url: str
    ws_url: str


@dataclass(frozen=True)
class Timeouts:
    connect: float = 5.0
    read: float = 5.0
    ws_message: float = 10.0


@dataclass(frozen=True)
class Market:
    symbol: str  # the exchange's own name: BTCUSDT, BTC_USDT, XBT/USD, @107, BTC-USDT-SWAP
    trading_pair: str  # Hummingbot's BASE-QUOTE
    active: bool = True
    extra: Mapping[str, Any] = field(default_factory=dict)
    # why an inactive market cannot be traded, where it is more than its status
    inactive_reason: str = ""


@dataclass(frozen=True)
class OrderBook:
    bids: list[Level]
    asks: list[Level]
    timestamp: datetime | None = None

    @property
    def best_bid(self) -> Decimal | None:
        return max((price for price, _ in self.bids), default=None)

    @property
    def best_ask(self) -> Decimal | None:
        return min((price for price, _ in self.asks), default=None)


@dataclass(frozen=True)
class StreamMessage:
    kind: StreamKind
    channel: str
    timestamp: datetime | None = None
    book: OrderBook | None = None  # set for snapshots


def from_millis(value: Any) -> datetime:
    return datetime.fromtimestamp(float(value) / 1000, tz=UTC)


def from_seconds(value: Any) -> datetime:
    return datetime.fromtimestamp(float(value), tz=UTC)


def from_nanos(value: Any) -> datetime:
    return datetime.fromtimestamp(int(value) / 1_000_000_000, tz=UTC)


def from_iso(value: str) -> datetime:
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed


def optional_millis(value: Any) -> datetime | None:
    """An epoch-milliseconds field that an exchange may leave out, null or zero."""
    return from_millis(value) if value else None


def levels(rows: Iterable[Any], *, price: Any = 0, size: Any = 1) -> list[Level]:
    """Order-book rows as (price, size): ``[["1.5", "2"]]`` or ``[{"px": .., "sz": ..}]``."""
    return [(Decimal(str(row[price])), Decimal(str(row[size]))) for row in rows]


def bids_asks(
    book: Mapping[str, Any], *, price: Any = 0, size: Any = 1
) -> tuple[list[Level], list[Level]]:
    """The two sides of the book shape most exchanges answer, ``{"bids": rows, "asks": rows}``
    (rows as ``levels`` reads them): ``OrderBook(*bids_asks(book), timestamp)``."""
    return (
        levels(book["bids"], price=price, size=size),
        levels(book["asks"], price=price, size=size),
    )


def millis_book(book: Mapping[str, Any], *, stamp: str = "ts") -> OrderBook:
    """``{"bids": [[price, size], ..], "asks": [..], stamp: epoch ms}``, the book as OKX,
    Bitget, HTX, BitMart and Gate.io spot answer it."""
    return OrderBook(*bids_asks(book), from_millis(book[stamp]))


def json_text(raw: str | bytes) -> Json:
    if isinstance(raw, bytes):
        raw = raw.decode("utf-8")
    return json.loads(raw)


def pong_or_json(raw: str | bytes) -> Json:
    """A stream whose heartbeat answer is the bare text ``pong`` (OKX, Bitget) and whose
    other frames are JSON."""
    text = raw.decode() if isinstance(raw, bytes) else raw
    return {"pong": True} if text == "pong" else json.loads(text)


def subscription_rejected(message: Mapping[str, Any], key: str) -> ProbeError:
    """The stream refused a subscription: the reason quotes the exchange's own ``key`` field
    (or the whole message)."""
    return ProbeError(f"subscription rejected: {message.get(key, message)}")


def book_push(channel: str, book: OrderBook, *, snapshot: bool) -> StreamMessage:
    """A pushed book: a snapshot carries the book, a diff only its time."""
    if snapshot:
        return StreamMessage(StreamKind.SNAPSHOT, channel, book.timestamp, book)
    return StreamMessage(StreamKind.DIFF, channel, book.timestamp)


def okx_style_message(
    message: Json, *, is_book: Callable[[str], bool], trade_channel: str
) -> StreamMessage | None:
    """A message of OKX's v5 public stream, whose frames Bitget's v2 stream copies: an
    ``error`` event refuses a subscription (``msg`` says why); other events (subscribe acks)
    and frames without ``data`` (pongs) are not market data; a push is
    ``{"arg": {"channel": ..}, "action"?: "snapshot" | "update", "data": [row]}``, its row a
    book (``millis_book``) on a channel ``is_book`` accepts, or a trade stamped ``ts`` on
    ``trade_channel``. Which channels are which is each exchange's own rule."""
    if message.get("event") == "error":
        raise subscription_rejected(message, "msg")
    if "event" in message or "data" not in message:
        return None
    channel = message["arg"]["channel"]
    data = message["data"][0]
    if is_book(channel):
        return book_push(channel, millis_book(data), snapshot=message.get("action") == "snapshot")
    if channel == trade_channel:
        return StreamMessage(StreamKind.TRADE, channel, from_millis(data["ts"]))
    return None


def pair(base: str, quote: str) -> str:
    return f"{base.strip().upper()}-{quote.strip().upper()}"


class ExchangeConnector(ABC):
    """One exchange's public API as a Hummingbot connector sees it."""

    connector_id: ClassVar[str]
    default_rest_url: ClassVar[str]
    default_ws_url: ClassVar[str]
    default_trading_pair: ClassVar[str] = "BTC-USDT"
    # False where the exchange has no server-time endpoint (the step then only proves the
    # exchange answers, and staleness is judged from the book's own timestamp).
    has_server_time: ClassVar[bool] = True
    has_stream: ClassVar[bool] = True

    def __init__(
        self,
        *,
        endpoints: Endpoints | None = None,
        timeouts: Timeouts | None = None,
        deadline: float | None = None,
        session: requests.Session | None = None,
    ) -> None:
        self.endpoints = endpoints or self.default_endpoints()
        self.timeouts = timeouts or Timeouts()
        self.deadline = deadline  # time.monotonic() value; None = only per-call timeouts
        self.session = session or requests.Session()
        self.session.headers.setdefault("User-Agent", USER_AGENT)
        self.session.trust_env = not _is_loopback(self.endpoints.rest_url)

    @classmethod
    def default_endpoints(cls) -> Endpoints:
        return Endpoints(rest_url=cls.default_rest_url, ws_url=cls.default_ws_url)

    # -- the interface -------------------------------------------------------------------
    @abstractmethod
    def server_time(self) -> datetime | None:
        """The exchange's clock (None where it has no time endpoint but answered)."""

    @abstractmethod
    def markets(self) -> list[Market]:
        """Every market the exchange lists, with Hummingbot's pair name."""

    @abstractmethod
    def order_book(self, market: Market) -> OrderBook:
        """A REST order-book snapshot."""

    @abstractmethod
    def stream_first_message(self, market: Market) -> StreamMessage:
        """Subscribe to the order-book (and trade) stream; the first data message."""

    def system_status(self) -> SystemStatus | None:
        """What the exchange's own status endpoint says; None where it has none."""
        return None

    def close(self) -> None:
        self.session.close()

    # -- REST ----------------------------------------------------------------------------
    def remaining(self, limit: float) -> float:
        """``limit`` seconds, or what is left of the check's deadline if that is less."""
        if self.deadline is None:
            return limit
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise ExchangeOutage("the check ran out of time before this step finished")
        return min(limit, left)

    def url(self, path: str) -> str:
        return self.endpoints.rest_url.rstrip("/") + "/" + path.lstrip("/")

    def get_json(self, path: str, params: Mapping[str, Any] | None = None) -> Json:
        return self.request_json("GET", path, params=params)

    def post_json(self, path: str, body: Json = None) -> Json:
        return self.request_json("POST", path, body=body)

    def request_json(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        body: Json = None,
    ) -> Json:
        connect_timeout = self.remaining(self.timeouts.connect)
        read_timeout = self.remaining(self.timeouts.read)
        try:
            response = self.session.request(
                method,
                self.url(path),
                params=params,
                json=body,
                timeout=(connect_timeout, read_timeout),
                allow_redirects=False,
            )
        except requests.ConnectTimeout as exc:
            raise NetworkError(f"{method} {path} could not connect within the timeout") from exc
        except requests.Timeout as exc:
            raise ExchangeOutage(f"{method} {path} timed out after {read_timeout:.1f} s") from exc
        except requests.RequestException as exc:
            raise NetworkError(
                f"{method} {path} failed to connect: {_connection_reason(exc, self.url(path))}"
            ) from exc
        return _decode_response(response, method=method, path=path)

    # -- WebSocket -----------------------------------------------------------------------
    def first_stream_message(
        self,
        url: str,
        *,
        subscribe: Sequence[Json],
        parse: Callable[[Json], StreamMessage | None],
        decode: Callable[[str | bytes], Json] = json_text,
        reply: Callable[[Json], str | None] | None = None,
        subscribe_after: Callable[[Json], bool] | None = None,
    ) -> StreamMessage:
        """Connect, subscribe, and return the first message ``parse`` recognises.

        ``reply`` answers application-level pings; ``subscribe_after`` delays subscribing
        until a greeting arrives (KuCoin's welcome, dYdX's connected).
        """
        open_timeout = self.remaining(self.timeouts.connect)
        try:
            with connect(
                url,
                open_timeout=open_timeout,
                close_timeout=1,
                max_size=MAX_WS_MESSAGE_BYTES,
                user_agent_header=USER_AGENT,
                proxy=None if _is_loopback(url) else True,
            ) as ws:
                if subscribe_after is None:
                    _send_all(ws, subscribe)
                return self._read_first(
                    ws,
                    subscribe=subscribe,
                    parse=parse,
                    decode=decode,
                    reply=reply,
                    subscribe_after=subscribe_after,
                )
        except ConnectionClosed as exc:
            code = exc.rcvd.code if exc.rcvd else 1006
            why = f": {exc.rcvd.reason}" if exc.rcvd and exc.rcvd.reason else ""
            raise ProbeError(
                f"the WebSocket was closed by the server (code {code}{why}) "
                "before the first market-data message"
            ) from exc
        except InvalidStatus as exc:
            status = exc.response.status_code
            error = ExchangeOutage if status >= 500 or status in (418, 429) else ProbeError
            raise error(f"WebSocket handshake failed: {_short(exc)}") from exc
        except (InvalidHandshake, InvalidURI) as exc:
            raise ProbeError(f"WebSocket handshake failed: {_short(exc)}") from exc
        except TimeoutError as exc:
            raise NetworkError(
                f"WebSocket connection timed out after {open_timeout:.1f} s"
            ) from exc
        except OSError as exc:
            raise NetworkError(f"WebSocket connection failed: {_short(exc)}") from exc

    def _read_first(
        self,
        ws: Connection,
        *,
        subscribe: Sequence[Json],
        parse: Callable[[Json], StreamMessage | None],
        decode: Callable[[str | bytes], Json],
        reply: Callable[[Json], str | None] | None,
        subscribe_after: Callable[[Json], bool] | None,
    ) -> StreamMessage:
        wait = self.remaining(self.timeouts.ws_message)
        until = time.monotonic() + wait
        subscribed = subscribe_after is None
        for _ in range(MAX_STREAM_MESSAGES):
            left = until - time.monotonic()
            if left <= 0:
                break
            try:
                raw = ws.recv(timeout=left)
            except TimeoutError:
                break
            try:
                message = decode(raw)
            except (ValueError, OSError, EOFError) as exc:
                raise ProbeError(f"malformed stream message: {_short(exc)}") from exc
            if reply is not None and (answer := reply(message)) is not None:
                ws.send(answer)
                continue
            if not subscribed and subscribe_after is not None and subscribe_after(message):
                _send_all(ws, subscribe)
                subscribed = True
                continue
            parsed = parse(message)
            if parsed is not None:
                return parsed
        raise ProbeError(f"no order-book or trade message on the stream within {wait:.1f} s")


def new_request_id() -> str:
    return uuid.uuid4().hex[:16]


def _send_all(ws: Connection, messages: Sequence[Json]) -> None:
    for message in messages:
        ws.send(message if isinstance(message, str) else json.dumps(message))


def _decode_response(response: requests.Response, *, method: str, path: str) -> Json:
    body = response.text
    looks_html = body.lstrip()[:1] == "<" or "html" in response.headers.get("Content-Type", "")
    if response.status_code in (429, 418):  # 418: Binance's answer once an IP is banned
        what = "rate limited" if response.status_code == 429 else "IP banned"
        wait = _retry_after_seconds(response.headers.get("Retry-After"))
        after = f", retry after {wait} s" if wait is not None else " (no Retry-After given)"
        raise ExchangeOutage(
            f"{method} {path} answered HTTP {response.status_code}: {what} by the exchange{after}"
        )
    if response.status_code >= 400:
        # A server error or a CDN's error page is the exchange's outage; any other 4xx
        # (404: the path moved, 400: a parameter changed) is ours to fix.
        error = ExchangeOutage if response.status_code >= 500 or looks_html else ProbeError
        if looks_html:
            raise error(
                f"{method} {path} answered HTTP {response.status_code} with an HTML error page"
            )
        raise error(f"{method} {path} answered HTTP {response.status_code}: {body[:160]!r}")
    if response.status_code >= 300:
        location = response.headers.get("Location", "?")
        raise ProbeError(f"{method} {path} redirected (HTTP {response.status_code}) to {location}")
    if looks_html:
        raise ProbeError(
            f"{method} {path} answered an HTML page instead of JSON (HTTP {response.status_code})"
        )
    try:
        return json.loads(body)
    except ValueError as exc:
        raise ProbeError(f"{method} {path} answered malformed JSON: {_short(exc)}") from exc


def _retry_after_seconds(value: str | None) -> int | None:
    """``Retry-After`` as whole seconds from now: delta-seconds or an HTTP date."""
    if not value or not value.strip():
        return None
    text = value.strip()
    if is_ascii_digits(text):
        return int(text)
    from email.utils import parsedate_to_datetime

    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0, math.ceil((when - datetime.now(tz=UTC)).total_seconds()))


def _short(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return text if len(text) <= 200 else text[:197] + "..."


def _connection_reason(exc: BaseException, url: str) -> str:
    """The cause a person can act on, not urllib3's nested repr."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    host = parts.hostname or "?"
    text = str(exc)
    dns_failures = ("NameResolutionError", "Name or service not known", "Failed to resolve")
    if any(marker in text for marker in dns_failures):
        return f"DNS lookup of {host} failed"
    if "Connection refused" in text:
        return f"{host}:{parts.port or 443} refused the connection"
    if isinstance(exc, requests.exceptions.SSLError):
        return f"TLS handshake with {host} failed"
    if isinstance(exc, requests.exceptions.ProxyError):
        return f"the proxy refused the request to {host}"
    return _short(exc)


def _is_loopback(url: str) -> bool:
    from urllib.parse import urlsplit

    host = urlsplit(url).hostname or ""
    return host in {"localhost", "::1"} or host.startswith("127.")


def unwrap_envelope(
    payload: Json, *, ok: Callable[[dict[str, Any]], bool], message_key: str
) -> dict[str, Any]:
    """An answer wrapped in a status envelope (``{"code": 0, "msg": ..., "data": ...}``),
    checked: anything but a dict for which ``ok`` holds is an exchange error quoting the
    envelope's ``message_key`` (or the whole answer)."""
    if not isinstance(payload, dict) or not ok(payload):
        message = payload.get(message_key, payload) if isinstance(payload, dict) else payload
        raise ProbeError(f"exchange error: {message}")
    return payload


def raise_code_msg_error(payload: Json) -> None:
    """Binance-style APIs answer a refusal as ``{"code": ..., "msg": ...}``."""
    if isinstance(payload, dict) and "code" in payload and "msg" in payload:
        raise ProbeError(f"exchange error {payload['code']}: {payload['msg']}")


def require(condition: bool, reason: str) -> None:
    """An exchange-level error inside a 200 answer (``{"code": ..., "msg": ...}``)."""
    if not condition:
        raise ProbeError(reason)


def now_ms() -> int:
    return int(time.time() * 1000)
