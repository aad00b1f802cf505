"""A loopback JSON-RPC server that misbehaves on cue, then optionally proxies to a real one."""

from __future__ import annotations

import json
import select
import socket
import threading
import time
from collections import deque
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import requests
from web3 import Web3

# Behaviours, one per incoming request, in order: "429", "500", "503", "html", "garbage",
# "rpc-error", "hang", "close", "proxy". When the script runs out, the last one repeats.


class MisbehavingRpc(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, script: list[str], *, upstream: str | None = None, hang: float = 2.0):
        self.script = deque(script)
        self.last = script[-1]
        self.upstream = upstream
        self.hang = hang
        self.requests = 0
        self.lock = threading.Lock()
        super().__init__(("127.0.0.1", 0), _Handler)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def next_behaviour(self) -> str:
        with self.lock:
            self.requests += 1
            return self.script.popleft() if self.script else self.last

    def __enter__(self) -> MisbehavingRpc:
        threading.Thread(target=self.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()
        self.server_close()


class _Handler(BaseHTTPRequestHandler):
    server: MisbehavingRpc
    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        behaviour = self.server.next_behaviour()
        if behaviour in {"429", "500", "502", "503"}:
            self._send(int(behaviour), b'{"error": "busy"}', "application/json")
        elif behaviour == "html":
            self._send(200, b"<html><body>Bad gateway</body></html>", "text/html")
        elif behaviour == "garbage":
            self._send(200, b'{"jsonrpc": "2.0", "id": ', "application/json")
        elif behaviour == "rpc-error":
            request = json.loads(body)
            answer = {
                "jsonrpc": "2.0",
                "id": request.get("id") if isinstance(request, dict) else None,
                "error": {"code": -32000, "message": "header not found"},
            }
            self._send(200, json.dumps(answer).encode(), "application/json")
        elif behaviour == "hang":
            time.sleep(self.server.hang)
            self.close_connection = True
        elif behaviour == "close":
            self.close_connection = True
        elif behaviour == "proxy":
            assert self.server.upstream, "proxy needs an upstream"
            answer = requests.post(
                self.server.upstream,
                data=body,
                headers={"Content-Type": "application/json"},
                timeout=30,
            )
            self._send(200, answer.content, "application/json")

    def _send(self, status: int, payload: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: object) -> None:
        return


AGGREGATE3_SELECTOR = "0x" + Web3.keccak(text="aggregate3((address,bool,bytes)[])")[:4].hex()


def count_reads(payload: Any) -> int:
    """Balance reads in a JSON-RPC request: the calls inside an ``aggregate3`` ``eth_call``,
    or one per other ``eth_call`` (also within a JSON-RPC batch)."""
    reads = 0
    for item in payload if isinstance(payload, list) else [payload]:
        if not isinstance(item, dict) or item.get("method") != "eth_call":
            continue
        call = item.get("params", [{}])[0]
        data = str(call.get("data") or call.get("input") or "0x")
        if data[:10].lower() == AGGREGATE3_SELECTOR:
            reads += int(data[10 + 64 : 10 + 128], 16)  # the array length after its offset
        else:
            reads += 1
    return reads


@dataclass
class SlowCall:
    reads: int
    outcome: str  # "answered", or "abandoned" when the client hung up first
    waited: float  # seconds spent queued behind other requests before work began
    held: float  # seconds from arrival to answer or hang-up


class SlowRpc(ThreadingHTTPServer):
    """A node that takes ``per_read`` seconds per balance read and answers from ``upstream``.

    A request of N reads (see ``count_reads``) is answered ``per_read * N`` seconds after work
    on it began (the upstream's own time included); other requests at once. Like a busy node
    with one worker it works on one request at a time, and like geth it stops working on a
    request whose client hung up. So a client that kept the connection of an abandoned call
    open would make its next calls queue behind it (``SlowCall.waited``).
    """

    daemon_threads = True

    def __init__(self, upstream: str, *, per_read: float, poll: float = 0.005) -> None:
        self.upstream = upstream
        self.per_read = per_read
        self.poll = poll
        self.worker = threading.Lock()
        self.lock = threading.Lock()
        self.calls: list[SlowCall] = []
        self.other_requests = 0
        self.in_progress = 0
        self.session = requests.Session()
        super().__init__(("127.0.0.1", 0), _SlowHandler)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    @property
    def abandoned(self) -> list[int]:
        return [c.reads for c in self.calls if c.outcome == "abandoned"]

    @property
    def answered(self) -> list[int]:
        return [c.reads for c in self.calls if c.outcome == "answered"]

    def record(self, call: SlowCall) -> None:
        with self.lock:
            self.calls.append(call)

    def settle(self, timeout: float = 2.0) -> None:
        """Wait (bounded) until no request is in progress, e.g. until the hang-up of the last
        abandoned call has been noticed and recorded."""
        deadline = time.monotonic() + timeout
        while self.in_progress and time.monotonic() < deadline:
            time.sleep(self.poll)

    def __enter__(self) -> SlowRpc:
        threading.Thread(target=self.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()
        self.server_close()
        self.session.close()


class _SlowHandler(BaseHTTPRequestHandler):
    server: SlowRpc
    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:
        with self.server.lock:
            self.server.in_progress += 1
        try:
            self._answer()
        finally:
            with self.server.lock:
                self.server.in_progress -= 1

    def _answer(self) -> None:
        arrived = time.monotonic()
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        reads = count_reads(json.loads(body))
        if not reads:
            with self.server.lock:
                self.server.other_requests += 1
            self._send(self._forward(body))
            return
        while not self.server.worker.acquire(timeout=self.server.poll):
            if self._client_gone():
                self._abandon(reads, arrived, time.monotonic() - arrived)
                return
        try:
            started = time.monotonic()
            answer = self._forward(body)
            finish = started + self.server.per_read * reads
            while time.monotonic() < finish:
                if self._client_gone():
                    self._abandon(reads, arrived, started - arrived)
                    return
        finally:
            self.server.worker.release()
        self.server.record(
            SlowCall(reads, "answered", started - arrived, time.monotonic() - arrived)
        )
        self._send(answer)

    def _forward(self, body: bytes) -> bytes:
        return self.server.session.post(
            self.server.upstream,
            data=body,
            headers={"Content-Type": "application/json"},
            timeout=30,
        ).content

    def _client_gone(self) -> bool:
        """Whether the client closed its connection; waits up to ``poll`` seconds."""
        readable, _, _ = select.select([self.connection], [], [], self.server.poll)
        if not readable:
            return False
        try:
            gone = self.connection.recv(1, socket.MSG_PEEK) == b""
        except OSError:
            return True
        if not gone:
            time.sleep(self.server.poll)  # the client sent more: not a hang-up
        return gone

    def _abandon(self, reads: int, arrived: float, waited: float) -> None:
        self.server.record(SlowCall(reads, "abandoned", waited, time.monotonic() - arrived))
        self.close_connection = True

    def _send(self, payload: bytes) -> None:
        try:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
        except OSError:  # the client hung up meanwhile
            self.close_connection = True

    def log_message(self, format: str, *args: object) -> None:
        return
