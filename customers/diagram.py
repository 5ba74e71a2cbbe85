"""Layout of a guarantee circle for a server-rendered SVG: members on a ring, guarantees as arrows
(guarantor → borrower), mutual-guarantee edges flagged. No JavaScript, no external library."""

from __future__ import annotations

import math
from dataclasses import dataclass

from .selectors import Circle

SIZE = 420
RADIUS = 150
NODE_RADIUS = 22
# Beyond this many members a ring of circles is unreadable; the list alone is shown.
MAX_NODES = 24


@dataclass(frozen=True)
class Node:
    id: int
    label: str
    x: float
    y: float
    centre: bool
    on_cycle: bool
    visible: bool


@dataclass(frozen=True)
class Edge:
    x1: float
    y1: float
    x2: float
    y2: float
    on_cycle: bool


@dataclass(frozen=True)
class Layout:
    size: int
    nodes: list[Node]
    edges: list[Edge]


def circle_svg(*, circle: Circle, centre_id: int) -> Layout | None:
    if not 2 <= len(circle.members) <= MAX_NODES:
        return None
    cycle = circle.cycle_ids
    # The customer whose page this is sits first (at the top), the others clockwise by name.
    members = sorted(circle.members, key=lambda c: (c.pk != centre_id, c.name))
    count = len(members)
    positions = {}
    nodes = []
    for index, member in enumerate(members):
        angle = 2 * math.pi * index / count - math.pi / 2
        x = round(SIZE / 2 + RADIUS * math.cos(angle), 1)
        y = round(SIZE / 2 + RADIUS * math.sin(angle), 1)
        positions[member.pk] = (x, y)
        label = member.name if len(member.name) <= 8 else member.name[:7] + "…"
        nodes.append(Node(id=member.pk, label=label, x=x, y=y, centre=member.pk == centre_id,
                          on_cycle=member.pk in cycle, visible=member.pk in circle.visible_ids))
    edges = []
    for src, dst, on_cycle in circle.edges:
        (x1, y1), (x2, y2) = positions[src], positions[dst]
        length = math.hypot(x2 - x1, y2 - y1) or 1
        # Stop short of the circles so the arrow heads show.
        dx, dy = (x2 - x1) / length * NODE_RADIUS, (y2 - y1) / length * NODE_RADIUS
        edges.append(Edge(x1=round(x1 + dx, 1), y1=round(y1 + dy, 1), x2=round(x2 - dx * 1.3, 1),
                          y2=round(y2 - dy * 1.3, 1), on_cycle=on_cycle))
    return Layout(size=SIZE, nodes=nodes, edges=edges)
