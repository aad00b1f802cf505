"""Ethereum JSON-RPC over HTTP for the dev chain: single and batch requests, loopback only."""

from __future__ import annotations

import ipaddress
import json
import logging
import socket
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Protocol

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 5 * 1024 * 1024
MAX_BATCH = 2000


class RpcBackend(Protocol):
    def request(self, method: str, params: list[Any]) -> dict[str, Any]: ...


class RpcStats:
    """Counts what clients asked for; the benchmarks read it to count RPC round trips."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.http_requests = 0
        self.calls = 0
        self.by_method: dict[str, int] = {}

    def record(self, methods: list[str]) -> None:
        with self._lock:
            self.http_requests += 1
            self.calls += len(methods)
            for method in methods:
                self.by_method[method] = self.by_method.get(method, 0) + 1

    def reset(self) -> None:
        with self._lock:
            self.http_requests = 0
            self.calls = 0
            self.by_method = {}


def require_loopback(host: str) -> None:
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, None)}
    except socket.gaierror as exc:
        raise ValueError(f"cannot resolve {host!r}: {exc}") from None
    for address in addresses:
        if not ipaddress.ip_address(str(address).split("%")[0]).is_loopback:
            raise ValueError(f"the dev chain listens on loopback only, not {host} ({address})")


class JsonRpcServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, backend: RpcBackend, host: str = "127.0.0.1", port: int = 8545) -> None:
        require_loopback(host)
        if ":" in host:
            self.address_family = socket.AF_INET6
        self.backend = backend
        self.stats = RpcStats()
        super().__init__((host, port), _Handler)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        host = host.decode() if isinstance(host, bytes) else str(host)
        host = f"[{host}]" if ":" in host else host
        return f"http://{host}:{port}"

    def start_in_thread(self) -> threading.Thread:
        thread = threading.Thread(target=self.serve_forever, name="devchain-rpc", daemon=True)
        thread.start()
        return thread

    def answer(self, payload: Any) -> Any:
        if isinstance(payload, list):
            if not payload:
                return _error(None, -32600, "invalid request: empty batch")
            if len(payload) > MAX_BATCH:
                return _error(None, -32600, f"invalid request: batch over {MAX_BATCH} calls")
            self.stats.record(
                [str(item.get("method")) for item in payload if isinstance(item, dict)]
            )
            return [self._answer_one(item) for item in payload]
        if isinstance(payload, dict):
            self.stats.record([str(payload.get("method"))])
        return self._answer_one(payload)

    def _answer_one(self, item: Any) -> dict[str, Any]:
        if not isinstance(item, dict) or not isinstance(item.get("method"), str):
            return _error(
                item.get("id") if isinstance(item, dict) else None,
                -32600,
                "invalid request: expected an object with a method",
            )
        params = item.get("params", [])
        if not isinstance(params, list):
            return _error(item.get("id"), -32602, "invalid params: expected a list")
        try:
            outcome = self.backend.request(item["method"], params)
        except Exception as exc:  # a bug in the backend must not drop the connection
            logger.exception("dev chain failed on %s", item["method"])
            return _error(item.get("id"), -32603, f"internal error: {exc}")
        return {"jsonrpc": "2.0", "id": item.get("id"), **outcome}


def _error(request_id: Any, code: int, message: str) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "id": request_id, "error": {"code": code, "message": message}}


class _Handler(BaseHTTPRequestHandler):
    server: JsonRpcServer
    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY_BYTES:
            self._send(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, _error(None, -32600, "body too large"))
            return
        body = self.rfile.read(length)
        try:
            payload = json.loads(body)
        except (json.JSONDecodeError, UnicodeDecodeError):
            self._send(HTTPStatus.OK, _error(None, -32700, "parse error: body is not JSON"))
            return
        self._send(HTTPStatus.OK, self.server.answer(payload))

    def do_GET(self) -> None:
        self._send(HTTPStatus.METHOD_NOT_ALLOWED, {"error": "POST JSON-RPC requests here"})

    def _send(self, status: HTTPStatus, payload: Any) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("%s " + format, self.address_string(), *args)
