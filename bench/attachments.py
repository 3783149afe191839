"""A 25 MiB attachment between two real nodes: peak memory of each node and the time
from "send" to "visible, checked, in the peer's case", beside plain ``cp`` and a
loopback HTTP download of the same file.

Starts Canada and India (``liaison serve`` with its worker, SQLite, tests/support's
live-node helpers), peers them, sends a 1 MiB attachment to warm both up, then per run
uploads a 25 MiB file on Canada, resets both servers' peak RSS (VmHWM), sends the
message and waits until India shows the attachment; it prints each node's peak RSS
above its RSS at rest. The target (issue 18) is < 10 MiB on either node.

Run from this tree: ``uv run python bench/attachments.py [--runs 2]``.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.exchange import payloads
from tests.support.nodes import LiveNode, free_port, peer, wait_for

MIB = 1024 * 1024
SIZE = 25 * MIB


def _status(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    raise KeyError(field)


def _reset_peak(pid: int) -> None:
    Path(f"/proc/{pid}/clear_refs").write_text("5")  # VmHWM back to the current RSS


def _agencies(node: LiveNode, party: str) -> dict[str, str]:
    with node.api(f"{node.party.lower()}-officer") as api:
        rows = api.get("/api/v1/agencies", params={"party": party, "limit": 100}).json()
    return {f"{party}:{row['acronym']}": row["id"] for row in rows}


def _upload(canada: LiveNode, path: Path) -> str:
    with canada.api("ca-officer") as api, path.open("rb") as handle:
        answer = api.post(
            "/api/v1/exchange/attachments",
            files={"file": (path.name, handle, "application/pdf")},
            timeout=300,
        )
    answer.raise_for_status()
    return str(answer.json()["id"])


def _send(canada: LiveNode, agencies: dict[str, str], attachment_id: str) -> str:
    with canada.api("ca-officer") as api:
        sent = api.post(
            "/api/v1/exchange/cases",
            json=payloads.compose(agencies, attachment_ids=[attachment_id]),
            timeout=120,
        )
    sent.raise_for_status()
    return str(sent.json()["id"])


def _visible(india: LiveNode, message_id: str) -> dict[str, object] | None:
    with india.api("in-officer") as api:
        answer = api.get(f"/api/v1/exchange/messages/{message_id}")
    if answer.status_code != 200 or not answer.json()["attachments"]:
        return None
    attachment: dict[str, object] = answer.json()["attachments"][0]
    return attachment


def _file(path: Path, size: int) -> str:
    digest = hashlib.sha256()
    with path.open("wb") as handle:
        head = b"%PDF-1.4\n"
        handle.write(head)
        digest.update(head)
        left = size - len(head)
        while left:
            block = os.urandom(min(MIB, left))
            handle.write(block)
            digest.update(block)
            left -= len(block)
    return digest.hexdigest()


def _transfer(canada: LiveNode, india: LiveNode, path: Path, sha: str) -> tuple[float, int, int]:
    """(seconds, Canada's peak growth, India's peak growth) for one attachment."""
    agencies = {**_agencies(canada, "CA"), **_agencies(canada, "IN")}
    attachment_id = _upload(canada, path)
    pids = [canada.server.pid, india.server.pid]  # type: ignore[union-attr]
    time.sleep(1.0)  # let both settle after the upload
    rest = []
    for pid in pids:
        _reset_peak(pid)
        rest.append(_status(pid, "VmRSS"))
    start = time.perf_counter()
    message_id = _send(canada, agencies, attachment_id)
    seen: list[dict[str, object]] = []

    def arrived() -> bool:
        found = _visible(india, message_id)
        if found is not None:
            seen.append(found)
        return found is not None

    wait_for(arrived, timeout=900, what="the attachment in India")
    elapsed = time.perf_counter() - start
    assert seen[0]["sha256"] == sha, "the attachment arrived altered"
    growth = [_status(pid, "VmHWM") - base for pid, base in zip(pids, rest, strict=True)]
    return elapsed, growth[0], growth[1]


def _baselines(path: Path, tmp: Path) -> tuple[float, float]:
    """Seconds for ``cp`` of the file, and for a loopback HTTP download of it."""
    start = time.perf_counter()
    subprocess.run(["cp", str(path), str(tmp / "copy.bin")], check=True)
    copied = time.perf_counter() - start
    (tmp / "copy.bin").unlink()
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"],
        cwd=path.parent,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for(lambda: _up(port), timeout=30, what="the loopback HTTP server")
        start = time.perf_counter()
        with (
            httpx.stream("GET", f"http://127.0.0.1:{port}/{path.name}", timeout=300) as answer,
            (tmp / "download.bin").open("wb") as out,
        ):
            for block in answer.iter_bytes(64 * 1024):
                out.write(block)
        downloaded = time.perf_counter() - start
    finally:
        server.terminate()
        server.wait()
    return copied, downloaded


def _up(port: int) -> bool:
    try:
        return httpx.get(f"http://127.0.0.1:{port}/", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        files = tmp / "files"
        files.mkdir()
        canada = LiveNode("CA", tmp / "ca").prepare()
        india = LiveNode("IN", tmp / "in").prepare()
        try:
            canada.start()
            india.start()
            peer(canada, india)
            wait_for(lambda: "IN:NCB" in _agencies(canada, "IN"), what="India's agencies")
            warm = files / "warm-up.pdf"
            warm_sha = _file(warm, MIB)
            _transfer(canada, india, warm, warm_sha)
            print("25 MiB attachment, CA -> IN, SQLite; target: peak RSS growth < 10 MiB")
            for run in range(1, args.runs + 1):
                path = files / f"evidence-{run}.pdf"
                sha = _file(path, SIZE)
                seconds, ca_growth, in_growth = _transfer(canada, india, path, sha)
                copied, downloaded = _baselines(path, tmp)
                print(
                    f"run {run}: send -> visible in IN {seconds:6.2f} s "
                    f"({SIZE / MIB / seconds:5.1f} MiB/s); peak RSS growth CA "
                    f"{ca_growth / MIB:5.2f} MiB, IN {in_growth / MIB:5.2f} MiB | "
                    f"cp {copied:5.3f} s, loopback HTTP download {downloaded:5.3f} s | "
                    f"load {os.getloadavg()}"
                )
                path.unlink()
        finally:
            canada.stop()
            india.stop()
            shutil.rmtree(tmp / "ca", ignore_errors=True)


if __name__ == "__main__":
    main()
