"""A loopback JSON-RPC server that misbehaves on cue, then optionally proxies to a real one."""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import requests

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
