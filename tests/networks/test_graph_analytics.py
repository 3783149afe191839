"""Graph analytics in igraph: exact betweenness on small graphs equals networkx's, the
sampled estimate on large ones stays close, and communities are the same run to run."""

from __future__ import annotations

from datetime import UTC, datetime

import networkx as nx
import pytest

from liaison.networks import graph


def _network(parties: bool = True) -> nx.Graph:
    g = nx.connected_watts_strogatz_graph(300, 6, 0.1, seed=3)
    at = datetime(2026, 1, 1, tzinfo=UTC)
    for node in g:
        party = ("IN" if node % 2 else "CA") if parties else "CA"
        g.nodes[node].update(kind="person", label=str(node), parties={party}, tlps={"AMBER"})
    for a, b in g.edges:
        g.edges[a, b].update(type="communication", first=at, messages=1, tlps={"AMBER"})
    return g


def test_betweenness_is_exact_on_small_graphs_and_close_when_sampled(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    g = _network()
    exact = nx.betweenness_centrality(g)
    found = graph.analyse(g)
    assert max(abs(exact[n] - found.betweenness[n]) for n in g) < 1e-9
    assert found.timeline == [("2026-01", g.number_of_edges())]
    assert found.brokers
    assert found.communities == graph.analyse(g).communities

    monkeypatch.setattr(graph, "EXACT_BETWEENNESS_UP_TO", 10)
    sampled = graph.analyse(g).betweenness
    top = sorted(exact, key=lambda n: -exact[n])[:10]
    mean = sum(sampled.values()) / len(sampled)
    assert abs(mean - sum(exact.values()) / len(exact)) < 0.2 * mean
    assert set(top) & set(sorted(sampled, key=lambda n: -sampled[n])[:30])


def test_no_brokers_when_one_country_reported_everything() -> None:
    assert graph.analyse(_network(parties=False)).brokers == []
