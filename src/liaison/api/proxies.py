"""Which address a request came from: ``X-Forwarded-For`` only from trusted proxies.

The client address feeds the sign-in throttle, the inbox throttle and the refusal log,
so a client must not choose it. By default no proxy is trusted and the header is
ignored (``liaison serve`` also turns off uvicorn's own handling of it). With
``LIAISON_TRUSTED_PROXIES`` (addresses or networks), a request from one of them takes
as its client the right-most address in ``X-Forwarded-For`` that is not itself a
trusted proxy, and its scheme from ``X-Forwarded-Proto`` (so that URLs the node builds
from the request, e.g. TAXII discovery, say https behind a TLS proxy).
"""

from __future__ import annotations

from ipaddress import IPv4Network, IPv6Network, ip_address, ip_network

from starlette.types import ASGIApp, Receive, Scope, Send


def _networks(trusted: list[str]) -> list[IPv4Network | IPv6Network]:
    return [ip_network(entry.strip(), strict=False) for entry in trusted if entry.strip()]


def _header(scope: Scope, name: bytes) -> str:
    for key, value in scope["headers"]:
        if key == name:
            return str(value.decode("latin-1").split(",")[-1].strip().lower())
    return ""


class TrustedProxies:
    """Pure ASGI middleware: rewrites ``scope["client"]`` for trusted proxies only."""

    def __init__(self, app: ASGIApp, trusted: list[str]) -> None:
        self.app = app
        self.networks = _networks(trusted)

    def _trusted(self, host: str) -> bool:
        try:
            address = ip_address(host)
        except ValueError:
            return False
        return any(address in network for network in self.networks)

    def _forwarded_client(self, scope: Scope) -> str | None:
        values = [v.decode("latin-1") for k, v in scope["headers"] if k == b"x-forwarded-for"]
        hops = [hop.strip() for hop in ",".join(values).split(",") if hop.strip()]
        for hop in reversed(hops):
            if self._trusted(hop):
                continue
            try:
                return str(ip_address(hop))
            except ValueError:
                return None  # garbage from beyond the proxy: keep the proxy's address
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        client = scope.get("client")
        proxied = bool(self.networks) and scope["type"] in ("http", "websocket")
        if proxied and client is not None and self._trusted(client[0]):
            forwarded = self._forwarded_client(scope)
            if forwarded is not None:
                scope = {**scope, "client": (forwarded, client[1])}
            proto = _header(scope, b"x-forwarded-proto")
            if proto in ("http", "https"):
                ws = scope["type"] == "websocket"
                scope = {**scope, "scheme": {"http": "ws", "https": "wss"}[proto] if ws else proto}
        await self.app(scope, receive, send)
