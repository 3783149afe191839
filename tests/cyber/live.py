"""Live nodes for the cyber tests, patient with a loaded machine (2 shared cores)."""

from __future__ import annotations

import time

import httpx

from tests.federation.nodes import Node

START_SECONDS = 240


class PatientNode(Node):
    """A ``liaison serve`` process given up to four minutes to become healthy."""

    def start(self, *, with_worker: bool = True) -> None:
        args = ["serve", "--port", str(self.port)]
        if not with_worker:
            args.append("--no-worker")
        self.server = self._spawn(*args)
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            assert self.server.poll() is None, self.log("serve")
            try:
                if httpx.get(f"{self.url}/healthz", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        raise AssertionError(f"{self.party} not healthy: {self.log('serve')}")
