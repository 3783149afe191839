"""``liaison serve`` bounds a request's line and headers (api/http_protocol.py): a client
cannot make the node hold an endless header, and ordinary requests on the same
keep-alive connection, large bodies included, still work."""

from __future__ import annotations

import contextlib
import socket
from collections.abc import Iterator

import httpx
import pytest

from liaison.api.http_protocol import MAX_REQUEST_HEAD_BYTES
from tests.support.fixtures_live import Prepared, new_node
from tests.support.nodes import LiveNode

pytestmark = pytest.mark.live


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory, prepared: Prepared) -> Iterator[LiveNode]:
    live = new_node("sqlite", "CA", tmp_path_factory.mktemp("head"), [], prepared).start()
    yield live
    live.stop()


def _raw(node: LiveNode, request: bytes) -> bytes:
    host, port = node.url.removeprefix("http://").rstrip("/").split(":")
    with socket.create_connection((host, int(port)), timeout=30) as conn:
        with contextlib.suppress(ConnectionError):  # the node may close while it is sent
            conn.sendall(request)
        answer = b""
        while chunk := conn.recv(65536):
            answer += chunk
        return answer


def test_a_request_head_over_the_limit_is_refused_with_431(node: LiveNode) -> None:
    oversized = b"a" * (MAX_REQUEST_HEAD_BYTES + 1)
    answer = _raw(node, b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + oversized + b"\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 431 ")
    assert b"larger than this node accepts" in answer
    assert httpx.get(f"{node.url}/healthz").status_code == 200  # the node is unharmed


def test_large_headers_under_the_limit_and_bodies_of_any_size_pass(node: LiveNode) -> None:
    header = "a" * (MAX_REQUEST_HEAD_BYTES // 2)
    with httpx.Client(base_url=node.url) as client:  # one keep-alive connection
        assert client.get("/healthz", headers={"X-Big": header}).status_code == 200
        big_body = b"x" * (4 * MAX_REQUEST_HEAD_BYTES)  # not counted: 401, not 431
        answer = client.post("/api/v1/exchange/cases", content=big_body)
        assert answer.status_code == 401, answer.text
        assert client.get("/healthz").status_code == 200


def test_the_bound_is_per_request_not_per_connection(node: LiveNode) -> None:
    heads = b"".join(
        b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Pad: "
        + b"p" * (MAX_REQUEST_HEAD_BYTES // 3)
        + b"\r\n\r\n"
        for _ in range(5)  # five pipelined requests: 5/3 of the bound in all
    )
    answer = _raw(node, heads + b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert answer.count(b"HTTP/1.1 200 OK") == 6
