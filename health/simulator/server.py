"""The simulator's HTTP + WebSocket server (aiohttp), one process, every exchange.

Each exchange lives under a path prefix: ``/binance/api/v3/time`` for REST and
``/binance/ws`` for its stream, so a connector points at it with the REST root
``http://HOST:PORT/binance`` and the stream URL ``ws://HOST:PORT/binance/ws``.

Fault control (JSON):
  GET    /_control/faults            every exchange's faults
  PUT    /_control/faults/<exchange> {"fault": "http_500", "scope": "order_book", "latency_ms": 0}
  DELETE /_control/faults/<exchange> (or /_control/faults for all)
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import signal
import threading
import time
from collections.abc import Iterable
from typing import Any

from aiohttp import WSMsgType, web

from health.simulator.exchanges import SIMULATED, Ctx, NotFound, Reply, Req, SimExchange
from health.simulator.faults import (
    IP_BAN_RETRY_AFTER_S,
    RATE_LIMIT_RETRY_AFTER_S,
    FaultBook,
    Faults,
)

logger = logging.getLogger(__name__)

HTML_ERROR_PAGE = (
    "<!DOCTYPE html><html><head><title>503 Service Temporarily Unavailable</title></head>"
    "<body><center><h1>503 Service Temporarily Unavailable</h1></center>"
    "<hr><center>cloudfront</center></body></html>"
)
MALFORMED_JSON = '{"code": 0, "data": [{"ts": "17000'


def _now_ms() -> int:
    return int(time.time() * 1000)


class ExchangeSimulator:
    """Serve the simulated exchanges; ``start_in_thread`` for tests, ``run`` for the command."""

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        exchanges: dict[str, SimExchange] | None = None,
    ) -> None:
        self.host = host
        self.port = port
        self.exchanges = exchanges or SIMULATED
        self.faults = FaultBook()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._runner: web.AppRunner | None = None
        self._thread: threading.Thread | None = None
        self._sockets: set[web.WebSocketResponse] = set()

    # -- addresses -------------------------------------------------------------------------
    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def rest_url(self, exchange: str) -> str:
        return f"{self.url}/{exchange}"

    def ws_url(self, exchange: str) -> str:
        return f"ws://{self.host}:{self.port}/{exchange}/ws"

    # -- lifecycle -------------------------------------------------------------------------
    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/_control/faults", self._faults_list)
        app.router.add_delete("/_control/faults", self._faults_clear_all)
        app.router.add_put("/_control/faults/{exchange}", self._faults_set)
        app.router.add_delete("/_control/faults/{exchange}", self._faults_clear)
        app.router.add_get("/", self._index)
        app.router.add_get("/{exchange}/ws", self._websocket)
        app.router.add_route("*", "/{exchange}", self._rest)
        app.router.add_route("*", "/{exchange}/{tail:.*}", self._rest)
        app.on_shutdown.append(self._close_sockets)
        return app

    async def start(self) -> None:
        self._runner = web.AppRunner(
            self.app(), access_log=None, handle_signals=False, shutdown_timeout=1
        )
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        server = site._server
        if server is not None and self.port == 0:
            sockets = getattr(server, "sockets", None) or []
            self.port = sockets[0].getsockname()[1]

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    def start_in_thread(self) -> ExchangeSimulator:
        """Run on a private event loop in a daemon thread; returns once it listens."""
        ready = threading.Event()
        failure: list[BaseException] = []

        def serve() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            asyncio.set_event_loop(loop)
            try:
                loop.run_until_complete(self.start())
            except BaseException as exc:
                failure.append(exc)
                ready.set()
                return
            ready.set()
            loop.run_forever()
            loop.run_until_complete(self.stop())
            loop.close()

        self._thread = threading.Thread(target=serve, name="exchange-simulator", daemon=True)
        self._thread.start()
        if not ready.wait(timeout=10):
            raise RuntimeError("the exchange simulator did not start within 10 s")
        if failure:
            raise failure[0]
        return self

    def shutdown(self) -> None:
        if self._loop is not None and self._thread is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=10)
            self._loop = None

    def __enter__(self) -> ExchangeSimulator:
        return self.start_in_thread()

    def __exit__(self, *exc: object) -> None:
        self.shutdown()

    async def _close_sockets(self, app: web.Application) -> None:
        for ws in list(self._sockets):
            await ws.close()

    # -- control ---------------------------------------------------------------------------
    async def _index(self, request: web.Request) -> web.Response:
        return web.json_response(
            {
                "exchanges": {
                    name: {"rest": f"/{name}", "ws": f"/{name}/ws"} for name in self.exchanges
                },
                "faults": self.faults.snapshot(),
            }
        )

    async def _faults_list(self, request: web.Request) -> web.Response:
        return web.json_response(self.faults.snapshot())

    async def _faults_set(self, request: web.Request) -> web.Response:
        name = request.match_info["exchange"]
        if name not in self.exchanges:
            return web.json_response({"error": f"unknown exchange {name!r}"}, status=404)
        try:
            faults = Faults.from_json(await request.json())
        except (ValueError, TypeError) as exc:
            return web.json_response({"error": str(exc)}, status=400)
        self.faults.set(name, faults)
        return web.json_response({name: faults.as_json()})

    async def _faults_clear(self, request: web.Request) -> web.Response:
        self.faults.clear(request.match_info["exchange"])
        return web.json_response(self.faults.snapshot())

    async def _faults_clear_all(self, request: web.Request) -> web.Response:
        self.faults.clear()
        return web.json_response({})

    # -- REST ------------------------------------------------------------------------------
    async def _rest(self, request: web.Request) -> web.StreamResponse:
        exchange = self.exchanges.get(request.match_info["exchange"])
        if exchange is None:
            return web.json_response({"error": "unknown exchange"}, status=404)
        path = "/" + request.match_info.get("tail", "")
        for route in exchange.routes():
            params = route.match(request.method, path)
            if params is not None:
                break
        else:
            return web.json_response({"error": f"no route {request.method} {path}"}, status=404)
        body: Any = None
        if request.can_read_body:
            try:
                body = await request.json()
            except ValueError:
                return web.json_response({"error": "the body is not JSON"}, status=400)
        scope = exchange.scope_of(body) if route.scope == "dynamic" else route.scope
        faults = self.faults.get(exchange.name)
        if faults.latency_ms:
            await asyncio.sleep(faults.latency_ms / 1000)
        if faults.active("http_500", scope):
            return web.json_response({"code": 500, "msg": "simulated internal error"}, status=500)
        if faults.active("rate_limited", scope):
            return web.json_response(
                {"code": -1003, "msg": "Too many requests; please use WebSocket Streams."},
                status=429,
                headers={"Retry-After": str(RATE_LIMIT_RETRY_AFTER_S)},
            )
        if faults.active("ip_banned", scope):
            return web.json_response(
                {"code": -1003, "msg": "Way too many requests; IP banned."},
                status=418,
                headers={"Retry-After": str(IP_BAN_RETRY_AFTER_S)},
            )
        if faults.fault == "maintenance" and scope != "status":
            return web.json_response(
                {"code": 503, "msg": "System is under maintenance; please try again later."},
                status=503,
            )
        if faults.active("html_error", scope):
            return web.Response(status=503, text=HTML_ERROR_PAGE, content_type="text/html")
        if faults.active("malformed_json", scope):
            return web.Response(text=MALFORMED_JSON, content_type="application/json")
        ctx = Ctx(faults=faults, scope=scope, real_now_ms=_now_ms(), host=request.host)
        try:
            payload = route.handler(ctx, Req(query=request.query, body=body, params=params))
        except NotFound as exc:
            return web.json_response({"error": f"unknown symbol {exc}"}, status=400)
        return web.json_response(payload)

    # -- WebSocket -------------------------------------------------------------------------
    async def _websocket(self, request: web.Request) -> web.StreamResponse:
        exchange = self.exchanges.get(request.match_info["exchange"])
        if exchange is None:
            return web.json_response({"error": "unknown exchange"}, status=404)
        faults = self.faults.get(exchange.name)
        if faults.latency_ms:
            await asyncio.sleep(faults.latency_ms / 1000)
        ws = web.WebSocketResponse(autoping=True, heartbeat=None, max_msg_size=1 << 20)
        await ws.prepare(request)
        self._sockets.add(ws)
        ctx = Ctx(faults=faults, scope="stream", real_now_ms=_now_ms(), host=request.host)
        ctx.state["token"] = request.query.get("token")
        try:
            await self._send(ws, exchange, exchange.greeting(ctx), faults)
            async for message in ws:
                if message.type not in (WSMsgType.TEXT, WSMsgType.BINARY):
                    continue
                if faults.active("ws_close", "stream"):
                    await ws.close(code=1011, message=b"simulated failure")
                    break
                decoded = _decode_client(message.data)
                if isinstance(decoded, str):  # plain-text heartbeats (OKX, Bitget, BitMart)
                    if decoded == "ping":
                        await ws.send_str("pong")
                    continue
                ctx = Ctx(
                    faults=faults,
                    scope="stream",
                    real_now_ms=_now_ms(),
                    host=request.host,
                    state=ctx.state,
                )
                try:
                    replies = exchange.on_message(decoded, ctx)
                except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
                    replies = [Reply({"error": f"bad request: {type(exc).__name__} {exc}"})]
                await self._send(ws, exchange, replies, faults)
        finally:
            self._sockets.discard(ws)
        return ws

    async def _send(
        self,
        ws: web.WebSocketResponse,
        exchange: SimExchange,
        replies: Iterable[Reply],
        faults: Faults,
    ) -> None:
        for reply in replies:
            if reply.data:
                if faults.active("ws_silent", "stream"):
                    continue
                if faults.latency_ms:
                    await asyncio.sleep(faults.latency_ms / 1000)
            frame = exchange.encode(reply)
            if isinstance(frame, bytes):
                await ws.send_bytes(frame)
            else:
                await ws.send_str(frame)


def _decode_client(data: str | bytes) -> Any:
    text = data.decode() if isinstance(data, bytes) else data
    try:
        return json.loads(text)
    except ValueError:
        return text  # plain-text pings ("ping")


def run(*, host: str, port: int, faults: dict[str, Faults] | None = None) -> None:
    """Serve until SIGTERM or SIGINT (the ``exchange_sim`` command); both exit cleanly."""
    simulator = ExchangeSimulator(host=host, port=port)
    for name, fault in (faults or {}).items():
        simulator.faults.set(name, fault)

    async def main() -> None:
        await simulator.start()
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        # SIGTERM (what process managers and tests send) stops it cleanly, like Ctrl-C; an
        # ignored SIGINT (a backgrounded job) stays ignored.
        signals = [signal.SIGTERM]
        if signal.getsignal(signal.SIGINT) is not signal.SIG_IGN:
            signals.append(signal.SIGINT)
        for signum in signals:
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                loop.add_signal_handler(signum, stop.set)
        print(
            f"Exchange simulator on {simulator.url} ({len(simulator.exchanges)} exchanges)",
            flush=True,
        )
        try:
            await stop.wait()
        finally:
            await simulator.stop()

    asyncio.run(main())
