"""The HTTP/1.1 protocol ``liaison serve`` runs: uvicorn's httptools one, with a bound on
the request head.

httptools (C) parses far faster than h11, but unlike uvicorn's h11 protocol it holds a
request line and headers of any size in memory until they end: a client sending one
endless header made the node hold all of it (20 MB of header: +52 MiB of memory). Here
the bytes fed to the parser while a request's head is incomplete are counted, and past
``MAX_REQUEST_HEAD_BYTES`` the client is answered 431 and the connection closed. Bodies
are not counted (the API's own body limits apply to them).
"""

from __future__ import annotations

from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

MAX_REQUEST_HEAD_BYTES = 64 * 1024  # request line and headers; h11's default was 16 KiB
# Fed this much at a time while a head is incomplete: a pipelined request's head may
# begin inside a slice, and the bytes of it there are not counted (at most this many).
_SLICE = 1024
_TOO_LARGE = (
    f"The request's line and headers are larger than this node accepts "
    f"({MAX_REQUEST_HEAD_BYTES // 1024} KiB)."
)


class BoundedHttpToolsProtocol(HttpToolsProtocol):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._in_head = True  # the connection starts with a request's head
        self._head_bytes = 0

    def on_message_complete(self) -> None:
        super().on_message_complete()
        self._in_head = True  # what follows is the next request's head (keep-alive)
        self._head_bytes = 0

    def on_headers_complete(self) -> None:
        self._in_head = False
        super().on_headers_complete()

    def data_received(self, data: bytes) -> None:
        start = 0
        while self._in_head and start < len(data):
            piece = data[start : start + _SLICE]
            self._head_bytes += len(piece)
            if self._head_bytes > MAX_REQUEST_HEAD_BYTES:
                self._refuse_head()
                return
            super().data_received(piece)
            if self.transport.is_closing():
                return
            start += len(piece)
        if start < len(data):
            super().data_received(data[start:] if start else data)

    def _refuse_head(self) -> None:
        self.logger.warning("request head over %d bytes refused", MAX_REQUEST_HEAD_BYTES)
        body = _TOO_LARGE.encode("ascii")
        self.transport.write(
            b"HTTP/1.1 431 Request Header Fields Too Large\r\n"
            b"content-type: text/plain; charset=utf-8\r\n"
            b"content-length: " + str(len(body)).encode("ascii") + b"\r\n"
            b"connection: close\r\n\r\n" + body
        )
        self.transport.close()
