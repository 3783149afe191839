"""Networks use cases: the graph and an entity as the caller may see them (every view
of a person's network audited as a read of personal data), and analysts' decisions
(confirm a cluster, split a record out), kept for every later run and audited."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import networkx as nx  # type: ignore[import-untyped]
from sqlalchemy.orm import Session

from liaison.kit.errors import Forbidden, NotFound, ValidationFailed
from liaison.kit.i18n import Text
from liaison.kit.plugin import N_
from liaison.kit.roles import Caller, Role
from liaison.ledger.service import actor_of, record
from liaison.models import NetworkCluster, NetworkDecision, NetworkRecord
from liaison.networks.graph import Analytics, analyse, build, neighbourhood
from liaison.networks.repository import NetworksRepository, SeenRecord

DECIDERS = frozenset({Role.ANALYST, Role.LIAISON_OFFICER, Role.ADMIN})
MAX_DEPTH = 3


@dataclass(frozen=True)
class EntityView:
    cluster: NetworkCluster
    records: list[SeenRecord]
    why: list[dict[str, Any]]
    graph: nx.Graph


class NetworksService:
    def __init__(self, db: Session, caller: Caller) -> None:
        self.db = db
        self.caller = caller
        self.repo = NetworksRepository(db, caller)

    def _audit(self, action: str, object_id: str, detail: dict[str, Any] | None = None) -> None:
        record(
            self.db,
            actor=actor_of(self.caller),
            action=action,
            object_type="networks.entity",
            object_id=object_id,
            detail=detail,
        )

    def graph(self, centre: str | None = None, depth: int = 2) -> tuple[nx.Graph, Analytics]:
        if not 1 <= depth <= MAX_DEPTH:
            raise ValidationFailed(
                Text(N_("depth must be between 1 and %(MAX_DEPTH)s"), MAX_DEPTH=MAX_DEPTH)
            )
        seen = self.repo.records()
        labels = {c.id: c.label for c in self.repo.clusters({r.cluster_id for r in seen}).values()}
        graph = build(seen, labels)
        if centre is not None:
            if centre not in graph:
                raise NotFound(Text(N_("no network entity %(centre)s"), centre=centre))
            graph = neighbourhood(graph, centre, depth)
        persons = sum(1 for _, d in graph.nodes(data=True) if d["kind"] == "person")
        if persons:
            self._audit(
                "networks.network.read",
                centre or "all",
                {"persons": persons, "entities": graph.number_of_nodes(), "depth": depth},
            )
        return graph, analyse(graph)

    def entity(self, cluster_id: str) -> EntityView:
        cluster, members = self.repo.cluster(cluster_id)
        visible = {m.id for m in members}
        why = [w for w in cluster.why if w["a"] in visible and w["b"] in visible]
        messages = sorted({m.message_id for m in members})
        around = self.repo.records_of_messages(messages)
        labels = {
            c.id: c.label for c in self.repo.clusters({r.cluster_id for r in around}).values()
        }
        graph = neighbourhood(build(around, labels), cluster_id, 1)
        if cluster.kind == "person":
            self._audit("networks.person.read", cluster_id, {"records": len(members)})
        return EntityView(cluster, members, why, graph)

    # decisions ---------------------------------------------------------------
    def _decider(self) -> None:
        if self.caller.role not in DECIDERS:
            raise Forbidden(
                N_("only analysts, liaison officers and administrators decide on entities")
            )

    def _decide(self, a: str, b: str, same: bool, reason: str) -> None:
        self.db.add(
            NetworkDecision(
                record_a=a, record_b=b, same=same, reason=reason, decided_by=actor_of(self.caller)
            )
        )

    def confirm(self, cluster_id: str, reason: str = "") -> NetworkCluster:
        """The cluster's visible records are one entity: every later run keeps them so."""
        self._decider()
        cluster, members = self.repo.cluster(cluster_id)
        for other in members[1:]:
            self._decide(members[0].id, other.id, True, reason)
        cluster.confirmed = True
        self._audit("networks.entity.confirm", cluster_id, {"records": len(members)})
        self.db.flush()
        return cluster

    def split(self, cluster_id: str, record_id: str, reason: str = "") -> NetworkCluster:
        """The record is not the entity of the others: it leaves, now and in every run."""
        self._decider()
        cluster, members = self.repo.cluster(cluster_id)
        if record_id not in {m.id for m in members}:
            raise ValidationFailed(
                Text(
                    N_("record %(record_id)s is not in entity %(cluster_id)s"),
                    record_id=record_id,
                    cluster_id=cluster_id,
                )
            )
        if len(members) < 2:
            raise ValidationFailed(N_("an entity of one record cannot be split"))
        for other in members:
            if other.id != record_id:
                self._decide(record_id, other.id, False, reason)
        moved = self.db.get(NetworkRecord, record_id)
        assert moved is not None
        moved.cluster_id = record_id
        cluster.size -= 1
        cluster.why = [w for w in cluster.why if record_id not in (w["a"], w["b"])]
        alone = NetworkCluster(id=record_id, kind=moved.kind, label=moved.label, size=1, why=[])
        self.db.merge(alone)
        self._audit("networks.entity.split", cluster_id, {"record": record_id})
        self.db.flush()
        return cluster
