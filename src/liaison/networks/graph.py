"""The link graph (networkx) over what the caller may see, and its analytics.

Nodes are resolved entities (clusters); two entities reported in one message are
linked, the link typed by what they are (a phone: communication; an account or a
wallet: financial; a flight or vehicle: travel; a shipment or vessel: shipment; two
persons: co-offending; otherwise association). Analytics: connected components,
degree and betweenness centrality, brokers (betweenness on paths between entities
reported by one country and entities reported by the other), communities (Louvain;
label propagation past ``LOUVAIN_UP_TO`` nodes) and a timeline of link dates.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

import networkx as nx  # type: ignore[import-untyped]

from liaison.networks.repository import SeenRecord

LOUVAIN_UP_TO = 50_000
EXACT_BETWEENNESS_UP_TO = 2_000
SAMPLES = 200
TLP_ORDER = ("CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED")


def link_type(a: str, b: str) -> str:
    kinds = {a, b}
    if kinds & {"bank_account", "crypto_wallet"}:
        return "financial"
    if kinds & {"shipment", "vessel"}:
        return "shipment"
    if kinds & {"flight", "vehicle"}:
        return "travel"
    if kinds & {"phone", "email"}:
        return "communication"
    if kinds == {"person"}:
        return "co-offending"
    return "association"


def strictest(markings: Iterable[str]) -> str:
    ranked = [m for m in markings if m in TLP_ORDER]
    return max(ranked, key=TLP_ORDER.index) if ranked else "CLEAR"


def build(records: list[SeenRecord], labels: dict[str, str] | None = None) -> nx.Graph:
    graph = nx.Graph()
    by_message: dict[str, list[SeenRecord]] = {}
    for record in records:
        by_message.setdefault(record.message_id, []).append(record)
        if record.cluster_id not in graph:
            label = (labels or {}).get(record.cluster_id, record.label)
            graph.add_node(
                record.cluster_id,
                kind=record.kind,
                label=label,
                parties=set(),
                tlps=set(),
                records=0,
            )
        node = graph.nodes[record.cluster_id]
        node["parties"].add(record.party)
        node["tlps"].add(record.tlp)
        node["records"] += 1
    for message_records in by_message.values():
        first = message_records[0]
        clusters = {r.cluster_id: r.kind for r in message_records}
        for (a, kind_a), (b, kind_b) in combinations(sorted(clusters.items()), 2):
            if graph.has_edge(a, b):
                edge = graph.edges[a, b]
                edge["messages"] += 1
                edge["tlps"].add(first.tlp)
                edge["first"] = min(edge["first"], first.at)
                edge["last"] = max(edge["last"], first.at)
            else:
                graph.add_edge(
                    a,
                    b,
                    type=link_type(kind_a, kind_b),
                    messages=1,
                    tlps={first.tlp},
                    first=first.at,
                    last=first.at,
                )
    return graph


def neighbourhood(graph: nx.Graph, centre: str, depth: int) -> nx.Graph:
    if centre not in graph:
        return nx.Graph()
    return nx.ego_graph(graph, centre, radius=depth)


@dataclass
class Analytics:
    components: list[list[str]]
    degree: dict[str, float]
    betweenness: dict[str, float]
    brokers: list[tuple[str, float]]
    communities: list[list[str]]
    timeline: list[tuple[str, int]]
    link_types: dict[str, int] = field(default_factory=dict)


def analyse(graph: nx.Graph, *, seed: int = 1) -> Analytics:
    n = graph.number_of_nodes()
    k = None if n <= EXACT_BETWEENNESS_UP_TO else min(SAMPLES, n)
    betweenness = nx.betweenness_centrality(graph, k=k, seed=seed) if n else {}
    sides: dict[str, list[str]] = {}
    for node, data in graph.nodes(data=True):
        if len(data["parties"]) == 1:
            sides.setdefault(next(iter(data["parties"])), []).append(node)
    brokers: list[tuple[str, float]] = []
    if len(sides) >= 2:
        left, right = sorted(sides.values(), key=len)[:2]
        if k is not None:
            left = left[:SAMPLES]
        across = nx.betweenness_centrality_subset(graph, left, right, normalized=True)
        brokers = sorted(((node, v) for node, v in across.items() if v > 0), key=lambda x: -x[1])[
            :20
        ]
    if n <= LOUVAIN_UP_TO:
        communities = nx.community.louvain_communities(graph, seed=seed) if n else []
    else:
        communities = list(nx.community.label_propagation_communities(graph))
    months: Counter[str] = Counter()
    for _, _, data in graph.edges(data=True):
        months[data["first"].strftime("%Y-%m")] += 1
    return Analytics(
        components=sorted(
            (sorted(c) for c in nx.connected_components(graph)), key=len, reverse=True
        ),
        degree=nx.degree_centrality(graph) if n > 1 else dict.fromkeys(graph, 0.0),
        betweenness=betweenness,
        brokers=brokers,
        communities=sorted((sorted(c) for c in communities), key=len, reverse=True),
        timeline=sorted(months.items()),
        link_types=dict(Counter(d["type"] for _, _, d in graph.edges(data=True))),
    )


def to_json(graph: nx.Graph, analytics: Analytics | None = None) -> dict[str, Any]:
    """Cytoscape elements."""
    community = {}
    if analytics:
        for index, members in enumerate(analytics.communities):
            for member in members:
                community[member] = index
    nodes = [
        {
            "data": {
                "id": node,
                "label": data["label"],
                "kind": data["kind"],
                "parties": sorted(data["parties"]),
                "tlp": strictest(data["tlps"]),
                "community": community.get(node, 0),
                "broker": bool(analytics and any(b == node for b, _ in analytics.brokers)),
            }
        }
        for node, data in graph.nodes(data=True)
    ]
    edges = [
        {
            "data": {
                "id": f"{a}|{b}",
                "source": a,
                "target": b,
                "type": data["type"],
                "messages": data["messages"],
                "tlp": strictest(data["tlps"]),
            }
        }
        for a, b, data in graph.edges(data=True)
    ]
    return {"nodes": nodes, "edges": edges}
