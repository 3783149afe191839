"""Exports of the graph a caller sees: GraphML, CSV (one row per link), and a STIX 2.1
bundle of identities (one per entity) and relationships (one per link), each marked
with the strictest TLP of the messages it comes from (TLP 2.0 marking ids)."""

from __future__ import annotations

import csv
import io
import json
import uuid
from typing import Any

import networkx as nx  # type: ignore[import-untyped]

from liaison.cyber.tlp import MARKING_FOR, Tlp
from liaison.kit import clock
from liaison.networks.graph import strictest

NAMESPACE = uuid.UUID("6f3f8a4e-2d0b-4c39-9d36-1f0e6a3c5b21")
IDENTITY_CLASS = {"person": "individual", "organisation": "organization"}


def graphml(graph: nx.Graph) -> str:
    flat = nx.Graph()
    for node, data in graph.nodes(data=True):
        flat.add_node(
            node,
            label=data["label"],
            kind=data["kind"],
            parties=",".join(sorted(data["parties"])),
            tlp=strictest(data["tlps"]),
        )
    for a, b, data in graph.edges(data=True):
        flat.add_edge(
            a,
            b,
            type=data["type"],
            messages=data["messages"],
            tlp=strictest(data["tlps"]),
            first=data["first"].isoformat(),
            last=data["last"].isoformat(),
        )
    return "\n".join(nx.generate_graphml(flat))


def links_csv(graph: nx.Graph) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "source",
            "source_label",
            "target",
            "target_label",
            "type",
            "messages",
            "tlp",
            "first",
            "last",
        ]
    )
    for a, b, data in graph.edges(data=True):
        writer.writerow(
            [
                a,
                graph.nodes[a]["label"],
                b,
                graph.nodes[b]["label"],
                data["type"],
                data["messages"],
                strictest(data["tlps"]),
                data["first"].date().isoformat(),
                data["last"].date().isoformat(),
            ]
        )
    return out.getvalue()


def _stix_time() -> str:
    return clock.now().strftime("%Y-%m-%dT%H:%M:%S.000Z")


def stix_bundle(graph: nx.Graph) -> dict[str, Any]:
    at = _stix_time()
    objects: list[dict[str, Any]] = []
    ids: dict[str, str] = {}
    for node, data in graph.nodes(data=True):
        ids[node] = f"identity--{uuid.uuid5(NAMESPACE, node)}"
        objects.append(
            {
                "type": "identity",
                "spec_version": "2.1",
                "id": ids[node],
                "created": at,
                "modified": at,
                "name": data["label"],
                "identity_class": IDENTITY_CLASS.get(data["kind"], "unknown"),
                "description": f"{data['kind']} reported by {', '.join(sorted(data['parties']))}",
                "object_marking_refs": [MARKING_FOR[Tlp(strictest(data["tlps"]))]],
            }
        )
    for a, b, data in graph.edges(data=True):
        objects.append(
            {
                "type": "relationship",
                "spec_version": "2.1",
                "id": f"relationship--{uuid.uuid5(NAMESPACE, f'{a}|{b}')}",
                "created": at,
                "modified": at,
                "relationship_type": "related-to",
                "description": f"{data['type']} link, {data['messages']} message(s)",
                "source_ref": ids[a],
                "target_ref": ids[b],
                "start_time": data["first"].strftime("%Y-%m-%dT%H:%M:%S.000Z"),
                "object_marking_refs": [MARKING_FOR[Tlp(strictest(data["tlps"]))]],
            }
        )
    return {"type": "bundle", "id": f"bundle--{uuid.uuid4()}", "objects": objects}


def stix_json(graph: nx.Graph) -> str:
    return json.dumps(stix_bundle(graph), ensure_ascii=False)
