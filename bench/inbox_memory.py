"""Memory of a node under junk posted to its federation inbox.

Starts one real node (``liaison serve``, SQLite, no worker), then posts ~50 MiB junk
bodies to ``/federation/v1/inbox`` and ``/federation/v1/inbox/batch`` and prints, for
each, how far the server's peak RSS (VmHWM, reset between runs) rose above its RSS at
rest. The budget (issue 13, DESIGN §5b) is < 20 MiB for a 50 MiB junk body.

Run from this tree: ``uv run python bench/inbox_memory.py``. To print the figure of
another build beside it (e.g. main before this change), run the same script with that
build's interpreter: ``cd ../main && uv run python ../wt-harden/bench/inbox_memory.py``.
"""

from __future__ import annotations

import base64
import concurrent.futures
import json
import os
import sys
import tempfile
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.support.nodes import LiveNode as Node

import liaison

MIB = 1024 * 1024
SIZE = 50 * MIB - 64 * 1024  # under the default 50 MiB request limit


def _status(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    raise KeyError(field)


def _reset_peak(pid: int) -> None:
    Path(f"/proc/{pid}/clear_refs").write_text("5")  # resets VmHWM to the current RSS


def _bodies() -> dict[str, tuple[str, bytes]]:
    header = {
        "v": 1,
        "id": "01900000-0000-7000-8000-000000000001",
        "type": "federation.ping",
        "sender": {"party": "FR", "node": "liaison-fr", "key": "0" * 16},
        "recipient": {"party": "CA", "node": "liaison-ca", "key": "0" * 16},
        "seq": 1,
        "created_at": "2026-12-06T00:00:00Z",
        "sent_at": "2026-12-06T00:00:00Z",
    }
    protected = base64.urlsafe_b64encode(json.dumps(header).encode()).decode().rstrip("=")
    envelope = {"protected": protected, "ciphertext": "A" * SIZE, "signature": "A" * 86}
    shaped = json.dumps({"envelopes": [envelope]}).encode()
    return {
        "random bytes to /inbox/batch": ("/federation/v1/inbox/batch", os.urandom(SIZE)),
        "random bytes to /inbox": ("/federation/v1/inbox", os.urandom(SIZE)),
        "well-formed batch, unknown sender": ("/federation/v1/inbox/batch", shaped),
        "a JSON string of 50 MiB": ("/federation/v1/inbox", b'"' + b"x" * SIZE + b'"'),
    }


def _post(url: str, body: bytes) -> int:
    return httpx.post(url, content=body, timeout=300).status_code


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        quiet = {"LIAISON_FEDERATION_REFUSALS_PER_MINUTE": "1000"}
        node = Node("CA", Path(tmp) / "ca", extra_env=quiet)
        node.prepare()
        node.start(with_worker=False)
        assert node.server is not None
        pid = node.server.pid
        try:
            for _ in range(3):
                httpx.get(f"{node.url}/federation/v1/keys", timeout=10)
            rest = _status(pid, "VmRSS")
            print(f"liaison {liaison.__version__} from {Path(liaison.__file__).parent}")
            print(f"node at rest: {rest / MIB:.0f} MiB RSS")
            print(f"{'body (~50 MiB)':<40} {'HTTP':>5} {'peak RSS rise':>14}")
            for name, (path, body) in _bodies().items():
                _reset_peak(pid)
                before = _status(pid, "VmRSS")
                code = _post(node.url + path, body)
                rise = _status(pid, "VmHWM") - before
                print(f"{name:<40} {code:>5} {rise / MIB:>11.1f} MiB")
            _reset_peak(pid)
            before = _status(pid, "VmRSS")
            junk = os.urandom(SIZE)
            with concurrent.futures.ThreadPoolExecutor(6) as pool:
                codes = list(
                    pool.map(
                        lambda _: _post(node.url + "/federation/v1/inbox/batch", junk), range(6)
                    )
                )
            rise = _status(pid, "VmHWM") - before
            label = "6 concurrent random bodies to /batch"
            print(f"{label:<40} {codes[0]:>5} {rise / MIB:>11.1f} MiB")
            print(f"node after: {_status(pid, 'VmRSS') / MIB:.0f} MiB RSS")
        finally:
            node.stop()


if __name__ == "__main__":
    main()
