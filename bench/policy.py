"""Policy decisions per second with the shipped packs, on one core (target >= 5,000/s).

Run: ``uv run python bench/policy.py``. Pins itself to one CPU, then measures:

* ``Engine.evaluate``: a full decision (PolicySubject in, Decision out, Cedar call on
  the pre-parsed policy set) over a mix of realistic drafts (allowed, conditioned,
  blocked: a block costs a second Cedar call to list every rule that applied),
  **uncached**: every subject has a distinct context (a unique MLAT reference), so
  each decision is a real Cedar evaluation;
* the same mix repeated: the engine remembers Cedar's answer per context (cached);
* the same with ``explain=True`` (always two Cedar calls);
* ``service.evaluate`` with the active packs looked up in a SQLite database (once per
  transaction);
* the Cedar floor: ``cedarpy.is_authorized`` on the pre-parsed set, one call, and
  ``is_authorized_batch`` of 1,000 requests per call;
* the peer figure: naive cedarpy use that passes the policy text on every call
  (re-parsed each time), i.e. what this engine avoids by parsing once per pack set.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import cedarpy

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from liaison.kit.db import make_engine, make_session_factory, unit_of_work
from liaison.kit.migrate import upgrade
from liaison.policy import service
from liaison.policy.engine import Engine
from liaison.policy.packs import cedar_policy, context_of, shipped_packs
from liaison.policy.schemas import PolicySubject
from liaison.policy.store import ensure_shipped_packs

BASE: dict[str, Any] = {
    "direction": "outbound",
    "kind": "message",
    "sender_party": "CA",
    "recipient_party": "IN",
    "originator_party": "CA",
    "message_type": "disclosure",
    "tlp": "AMBER",
    "handling_code": "intelligence_only",
    "legal_basis": "police_cooperation",
}
MIX = [
    {},
    {"contains_personal_data": True},
    {"offences": ["ndps_31a_repeat", "drug_trafficking"]},
    {"handling_code": "evidence", "mlat_reference": "MLAT/2026/7"},
    {"direction": "inbound", "sender_party": "IN", "recipient_party": "CA", "tlp": "RED"},
    {"kind": "cyber_object", "cyber_incident": True},
    {"protection_status": "refugee_claimant", "feared_country": "IN"},  # blocked
    {"activity_basis": ["protest"]},  # blocked
]
SUBJECTS = [PolicySubject.model_validate(BASE | change) for change in MIX]


def rate(label: str, fn: Callable[[], Any], n: int, per_call: int = 1) -> float:
    fn()  # warm
    started = time.perf_counter()
    for _ in range(n):
        fn()
    elapsed = time.perf_counter() - started
    per_second = n * per_call / elapsed
    print(f"{label:<62} {per_second:>11,.0f} /s")
    return per_second


def cycling(fn: Callable[[PolicySubject], Any]) -> Callable[[], Any]:
    state = {"i": 0}

    def call() -> Any:
        state["i"] = (state["i"] + 1) % len(SUBJECTS)
        return fn(SUBJECTS[state["i"]])

    return call


def main() -> None:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    engine = Engine(shipped_packs())
    print(f"shipped packs: {len(engine.rules)} rules in {len(engine.packs)} packs; one core\n")
    distinct = [
        s.model_copy(update={"mlat_reference": f"MLAT/2026/{i}"})
        for i in range(2_500)
        for s in SUBJECTS
    ]
    it = iter(distinct)
    full = rate(
        "Engine.evaluate uncached (distinct contexts, 2 in 8 blocked)",
        lambda: engine.evaluate(next(it)),
        len(distinct) - 1,
    )
    cached = rate(
        "Engine.evaluate cached (mix of 8 drafts repeated)", cycling(engine.evaluate), 20_000
    )
    allowed = SUBJECTS[1]
    rate(
        "Engine.evaluate (allowed with obligations only)", lambda: engine.evaluate(allowed), 20_000
    )
    rate(
        "Engine.evaluate(explain=True) (mix)",
        cycling(lambda s: engine.evaluate(s, explain=True)),
        10_000,
    )
    with tempfile.TemporaryDirectory() as tmp:
        db_engine = make_engine(f"sqlite:///{tmp}/bench.db")
        upgrade(db_engine)
        factory = make_session_factory(db_engine)
        with unit_of_work(factory) as db:
            ensure_shipped_packs(db)
        with unit_of_work(factory) as db:
            rate(
                "service.evaluate (SQLite; packs looked up per transaction; mix)",
                cycling(lambda s: service.evaluate(db, s)),
                10_000,
            )
        db_engine.dispose()
    request = {
        "principal": 'Party::"CA"',
        "action": 'Action::"decide"',
        "resource": 'Item::"item"',
        "context": engine.context_json(allowed),
    }
    rate(
        "cedarpy.is_authorized, pre-parsed set (floor)",
        lambda: cedarpy.is_authorized(request, engine.decide_set, []),
        20_000,
    )
    batch = [request] * 1000
    rate(
        "cedarpy.is_authorized_batch x1000, pre-parsed set",
        lambda: cedarpy.is_authorized_batch(batch, engine.decide_set, []),
        20,
        per_call=1000,
    )
    request = request | {"context": context_of(allowed)}
    text = '@id("b")\npermit(principal, action == Action::"decide", resource);\n' + "".join(
        cedar_policy(r.spec) for r in engine.rules.values()
    )
    peer = rate(
        "peer: cedarpy.is_authorized with policy text each call",
        lambda: cedarpy.is_authorized(request, text, []),
        5_000,
    )
    print(f"\nuncached decisions vs naive cedarpy: {full / peer:.1f}x")
    for label, figure in (("uncached", full), ("cached", cached)):
        verdict = "met" if figure >= 5000 else "NOT met"
        print(f"5,000/s target, {label}: {verdict} ({figure:,.0f}/s)")
    print(f"load average now: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
