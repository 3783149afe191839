"""``liaison demo`` as a user runs it: started, both nodes healthy, stopped by Ctrl-C."""

from __future__ import annotations

import signal
import subprocess
import threading
import time
from pathlib import Path

import httpx
import pytest

from tests.support.nodes import liaison_env, wait_healthy


def run_demo(command: list[str], env: dict[str, str] | None = None, cwd: Path | None = None) -> str:
    """Runs ``command`` (a ``liaison demo`` with ``--base-port``) until it says it is
    ready, presses Ctrl-C and returns what it printed; fails unless both nodes were
    healthy, it stopped cleanly and nothing still listens."""
    base_port = int(command[command.index("--base-port") + 1])
    process = subprocess.Popen(
        command,
        env=env or liaison_env(),
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: list[str] = []
    assert process.stdout is not None
    reader = threading.Thread(target=lambda: lines.extend(process.stdout or []), daemon=True)
    reader.start()
    try:
        ca = wait_healthy(f"http://127.0.0.1:{base_port}", process)
        india = wait_healthy(f"http://127.0.0.1:{base_port + 1}", process)
        assert (ca["party"], ca["status"]) == ("CA", "ok")
        assert (india["party"], india["status"]) == ("IN", "ok")
        deadline = time.monotonic() + 90
        while not any("Press Ctrl-C" in line for line in lines):
            assert time.monotonic() < deadline, "".join(lines)
            assert process.poll() is None, "".join(lines)
            time.sleep(0.2)
        process.send_signal(signal.SIGINT)
        process.wait(timeout=30)
        reader.join(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
    output = "".join(lines)
    assert process.returncode == 0, output
    assert "Traceback" not in output
    for port in (base_port, base_port + 1):
        with pytest.raises(httpx.TransportError):
            httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
    return output
