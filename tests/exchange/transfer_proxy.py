"""A man in the middle between two live nodes: it forwards every request to the real
peer, and can tamper with, or hold, the answers to attachment range requests."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx

from liaison.exchange import transfer_wire


class Proxy:
    def __init__(self, target: str) -> None:
        self.target = target.rstrip("/")
        self.tamper = 0  # answers still to tamper with
        self.hold_after: int | None = None  # range answers to let through, then hold
        self.passed = 0
        self.holding = threading.Event()
        self.release = threading.Event()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                return

            def do_GET(self) -> None:
                proxy.forward(self, "GET")

            def do_POST(self) -> None:
                proxy.forward(self, "POST")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def forward(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length) if length else b""
        headers = {"Content-Type": handler.headers.get("Content-Type", "application/json")}
        answer = httpx.request(
            method, self.target + handler.path, content=body, headers=headers, timeout=60
        )
        content = answer.content
        if handler.path == transfer_wire.PATH and answer.status_code == 200:
            if self.hold_after is not None and self.passed >= self.hold_after:
                self.holding.set()
                self.release.wait(timeout=60)
                return  # the asker has been killed meanwhile: nothing to answer
            self.passed += 1
            if self.tamper:
                self.tamper -= 1
                middle = len(content) // 2  # inside the ciphertext: one base64url letter
                flipped = b"A" if content[middle : middle + 1] != b"A" else b"B"
                content = content[:middle] + flipped + content[middle + 1 :]
        handler.send_response(answer.status_code)
        handler.send_header("Content-Type", answer.headers.get("content-type", "text/plain"))
        handler.send_header("Content-Length", str(len(content)))
        handler.end_headers()
        handler.wfile.write(content)

    def close(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()
