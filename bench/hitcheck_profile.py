"""CPU of one hit/no-hit check, both sides in this process and on one thread: Canada's
sign-in by API token and ``HitcheckService.check`` (quota, blind, seal, the round trip,
open, look up, record, audit, commit), India's ``answer.answer`` (authenticate, replay and
quota, evaluate, record, audit, seal, commit) called straight from Canada's HTTP client
(no sockets, no ASGI stack: bench/hitcheck_http.py measures those). CPU per check is
``time.process_time``, which a loaded machine distorts far less than latency. With
``--profile``, a cProfile of the same checks (sorted by cumulative time).

Run: ``uv run python bench/hitcheck_profile.py [--checks 300] [--profile] [--top 40]``.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import shutil
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.hitcheck.test_two_nodes import PHONE, _index, _india_sends
from tests.support.pair import AppNode, make_node, pin_each_other

from liaison.hitcheck import answer
from liaison.hitcheck.schemas import CheckIn
from liaison.hitcheck.service import HitcheckService
from liaison.kit.db import make_engine, unit_of_work
from liaison.kit.migrate import upgrade
from liaison.users import auth

CHECK = {
    "purpose": "bench: CPU of one check",
    "legal_basis": "police_cooperation",
    "identifiers": [{"category": "phone", "value": PHONE["number"]}],
}


def _pair(root: Path) -> tuple[AppNode, AppNode]:
    template = root / "template.db"
    engine = make_engine(f"sqlite:///{template}")
    upgrade(engine)
    engine.dispose()
    nodes = []
    for party in ("CA", "IN"):
        shutil.copy(template, root / f"{party}.db")
        nodes.append(make_node(party, f"sqlite:///{root / party}.db", root))
    canada, india = nodes
    pin_each_other(canada, india)
    for settings in (canada.settings, india.settings):
        settings.hitcheck_officer_daily_quota = 10**9
        settings.hitcheck_agency_daily_quota = 10**9
        settings.hitcheck_peer_daily_quota = 10**9
    return canada, india


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--checks", type=int, default=300)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--top", type=int, default=40)
    args = parser.parse_args()
    canada, india = _pair(Path(tempfile.mkdtemp(prefix="hitcheck-profile-")))
    _india_sends(india, [PHONE])
    _index(india)
    registry = india.client.app.state.registry  # type: ignore[attr-defined]

    def india_answers(request: httpx.Request) -> httpx.Response:
        with unit_of_work(india.factory) as db:
            sealed = answer.answer(db, india.settings, registry, request.content, "127.0.0.1")
        return httpx.Response(200, content=sealed)

    http = httpx.Client(transport=httpx.MockTransport(india_answers))
    token = canada.headers("ca-officer")["Authorization"].split()[1]
    data = CheckIn.model_validate(CHECK)

    def check() -> None:
        with unit_of_work(canada.factory) as db:
            caller = auth.caller_from_token(db, canada.settings, token)
            assert caller is not None
            assert HitcheckService(db, caller, canada.settings, http).check(data).hits == 1

    for _ in range(30):  # warm up: caches, the first sync of India's tags
        check()
    start = time.process_time()
    for _ in range(args.checks):
        check()
    used = (time.process_time() - start) / args.checks
    print(
        f"one-identifier check, Canada and India in this process: {used * 1e3:.2f} ms of CPU"
        f" per check ({args.checks} checks; load average {os.getloadavg()[0]:.1f} on"
        f" {os.cpu_count()} cores)"
    )
    if args.profile:
        profile = cProfile.Profile()
        profile.runcall(lambda: [check() for _ in range(args.checks)])
        pstats.Stats(profile).sort_stats("cumulative").print_stats(args.top)
    canada.close()
    india.close()


if __name__ == "__main__":
    main()
