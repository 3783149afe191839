"""The envelope path on one core, beside bare libsodium, in the same run.

Ours: build the header (``new_header``, as the deliverer does), ``seal`` (canonical
header, Box encrypt, Ed25519 sign, JSON), then ``parse`` + ``verify`` + ``decrypt`` at
the receiver, 1 KiB payload. Bare:
the same libsodium calls with no format around them (sign + Box encrypt, verify + Box
decrypt). Rounds alternate so both see the same machine load.
Run: ``uv run python bench/envelope.py [--seconds 6]``. Target (issue 18): ours >= 70% of bare.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import nacl.public
import nacl.signing
import nacl.utils

from liaison.federation import envelope as env
from liaison.kit.crypto import NodeKeyPair

PAYLOAD = b'{"data":"' + b"x" * 1024 + b'"}'


def ours() -> Callable[[], None]:
    now = datetime.now(UTC)
    sender = NodeKeyPair.generate(now, now + timedelta(days=1))
    recipient = NodeKeyPair.generate(now, now + timedelta(days=1))
    ref_s = env.NodeRef(party="CA", node="liaison-ca", key=sender.public.key_id)
    ref_r = env.NodeRef(party="IN", node="liaison-in", key=recipient.public.key_id)
    seq = iter(range(1, 1 << 62))

    def one() -> None:
        header = env.new_header(
            str(uuid.uuid4()), "federation.ping", ref_s, ref_r, next(seq), now, now
        )
        parsed = env.parse(env.seal(header, PAYLOAD, sender, recipient.public), 1 << 20)
        env.verify(parsed, sender.public)
        env.decrypt(parsed, recipient, sender.public)

    return one


def bare() -> Callable[[], None]:
    signing = nacl.signing.SigningKey.generate()
    verify = signing.verify_key
    a, b = nacl.public.PrivateKey.generate(), nacl.public.PrivateKey.generate()
    seal_box, open_box = nacl.public.Box(a, b.public_key), nacl.public.Box(b, a.public_key)

    def one() -> None:
        sealed = seal_box.encrypt(PAYLOAD, nacl.utils.random(24))
        signed = signing.sign(bytes(sealed))
        open_box.decrypt(verify.verify(signed))

    return one


def rate(run: Callable[[], None], seconds: float) -> tuple[int, float]:
    done, began = 0, time.perf_counter()
    while time.perf_counter() - began < seconds:
        run()
        done += 1
    return done, time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=6.0)
    args = parser.parse_args()
    runners = {"ours": ours(), "bare": bare()}
    totals = {name: [0, 0.0] for name in runners}
    for _ in range(6):  # alternate, so a busy moment hurts both alike
        for name, run in runners.items():
            done, spent = rate(run, args.seconds / 6)
            totals[name][0] += done
            totals[name][1] += spent
    speeds = {name: done / spent for name, (done, spent) in totals.items()}
    print(f"load average (1, 5, 15 min): {os.getloadavg()}")
    print(f"bare libsodium (sign + Box, verify + open, 1 KiB): {speeds['bare']:9,.0f} /s")
    print(f"envelope seal + parse + verify + decrypt:          {speeds['ours']:9,.0f} /s")
    print(f"ours / bare: {speeds['ours'] / speeds['bare']:.0%} (target >= 70%)")


if __name__ == "__main__":
    main()
