"""The link graph (networkx) over what the caller may see, and its analytics.

Nodes are resolved entities (clusters); two entities reported in one message are
linked, the link typed by what they are (a phone: communication; an account or a
wallet: financial; a flight or vehicle: travel; a shipment or vessel: shipment; two
persons: co-offending; otherwise association). Analytics: connected components,
degree and betweenness centrality, brokers (betweenness on paths between entities
reported by one country and entities reported by the other), communities (Leiden,
seeded) and a timeline of link dates. The analytics run in igraph (C): exact
betweenness up to ``EXACT_BETWEENNESS_UP_TO`` entities, sampled sources beyond.
"""

from __future__ import annotations

import random
import threading
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

import igraph as ig  # type: ignore[import-untyped]
import networkx as nx  # type: ignore[import-untyped]

from liaison.networks.repository import SeenRecord

EXACT_BETWEENNESS_UP_TO = 2_000
SAMPLES = 200  # most sampled sources for betweenness and brokers ...
SAMPLE_WORK = 16_000_000  # ... and at most this many link visits for each estimate
_RNG_LOCK = threading.Lock()
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


def _igraph(graph: nx.Graph) -> tuple[ig.Graph, list[Any], Counter[str], Counter[str]]:
    """The same graph in igraph (C, not Python, for the analytics): vertices 0..n-1;
    with the links counted by month of their first report and by type on the way."""
    nodes = list(graph.nodes)
    index = {node: i for i, node in enumerate(nodes)}
    edges: list[tuple[int, int]] = []
    months: Counter[tuple[int, int]] = Counter()
    types: Counter[str] = Counter()
    for a, b, data in graph.edges(data=True):
        edges.append((index[a], index[b]))
        first = data["first"]
        months[first.year, first.month] += 1
        types[data["type"]] += 1
    timeline: Counter[str] = Counter()
    for (year, month), count in months.items():
        timeline[f"{year:04d}-{month:02d}"] += count
    return ig.Graph(n=len(nodes), edges=edges, directed=False), nodes, timeline, types


def _samples(g: ig.Graph) -> int:
    """Sources to sample: ``SAMPLES``, fewer on a graph with many links (each source is
    one breadth-first search over every link), never fewer than 10."""
    links = int(g.ecount())
    return max(10, min(SAMPLES, SAMPLE_WORK // max(1, links)))


def _sample(items: list[int], k: int, rng: random.Random) -> list[int]:
    return items if len(items) <= k else rng.sample(items, k)


def _betweenness(g: ig.Graph, rng: random.Random) -> list[float]:
    """Normalised betweenness: exact up to ``EXACT_BETWEENNESS_UP_TO`` vertices, else
    estimated from shortest paths out of ``SAMPLES`` random sources (Brandes-Pich),
    scaled to the whole graph."""
    n = g.vcount()
    if n <= 2:
        return [0.0] * n
    scale = 2 / ((n - 1) * (n - 2))
    if n <= EXACT_BETWEENNESS_UP_TO:
        return [v * scale for v in g.betweenness(directed=False)]
    sources = _sample(list(range(n)), _samples(g), rng)
    raw = g.betweenness(directed=False, sources=sources, targets=None)
    factor = scale * n / len(sources)
    return [v * factor for v in raw]


def _brokers(
    graph: nx.Graph, g: ig.Graph, nodes: list[Any], rng: random.Random
) -> list[tuple[str, float]]:
    """Entities on the shortest paths between what one country reported and what the
    other did (sources sampled on large graphs)."""
    sides: dict[str, list[int]] = {}
    for i, node in enumerate(nodes):
        parties = graph.nodes[node]["parties"]
        if len(parties) == 1:
            sides.setdefault(next(iter(parties)), []).append(i)
    if len(sides) < 2:
        return []
    left, right = sorted(sides.values(), key=len)[:2]
    left = _sample(left, _samples(g), rng)
    raw = g.betweenness(directed=False, sources=left, targets=right)
    norm = max(1, len(left) * len(right))
    found = ((nodes[i], v / norm) for i, v in enumerate(raw) if v > 0)
    return sorted(found, key=lambda x: (-x[1], str(x[0])))[:20]


def _communities(g: ig.Graph, seed: int) -> list[list[int]]:
    """Leiden (modularity) with a fixed seed: the same graph, the same communities."""
    if g.vcount() == 0:
        return []
    with _RNG_LOCK:
        ig.set_random_number_generator(random.Random(seed))  # noqa: S311 (not secrets)
        try:
            found = g.community_leiden(objective_function="modularity", n_iterations=2)
        finally:
            ig.set_random_number_generator(random)
    return [list(c) for c in found]


def analyse(graph: nx.Graph, *, seed: int = 1) -> Analytics:
    g, nodes, months, types = _igraph(graph)
    n = len(nodes)
    rng = random.Random(seed)  # noqa: S311 (sampling, not secrets)
    betweenness = dict(zip(nodes, _betweenness(g, rng), strict=True))
    degrees = g.degree()
    degree = {node: (d / (n - 1) if n > 1 else 0.0) for node, d in zip(nodes, degrees, strict=True)}

    def named(groups: Iterable[Iterable[int]]) -> list[list[Any]]:
        return sorted((sorted(nodes[i] for i in c) for c in groups), key=len, reverse=True)

    return Analytics(
        components=named(g.connected_components()),
        degree=degree,
        betweenness=betweenness,
        brokers=_brokers(graph, g, nodes, rng),
        communities=named(_communities(g, seed)),
        timeline=sorted(months.items()),
        link_types=dict(types),
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
