"""The dependency graph of an analysis in layers: its layout and its figure.

- :func:`graph_layout`: nodes, positions and edges of the layered graph (no drawing);
- :func:`dependency_graph_figure`: the graph drawn, nodes coloured by their
  highest need, an object's explanation path highlighted.

The shared colours and the canvas are in :mod:`~grundschutz.views.figures`.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping

from grundschutz.model import BASIC_VALUES, BasicValue, ObjectType
from grundschutz.views.figures import (
    LEVEL_COLOURS,
    LEVEL_NAMES,
    _clip,
    _level_legend,
    _propagation,
    highest_levels,
    new_figure,
)

#: The layers of the dependency graph, left to right: title and object types.
LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Geschäftsprozesse", ("informationsverbund", "process")),
    ("Anwendungen", ("application",)),
    ("IT-Systeme", ("server", "client", "mobile", "network_device", "printer", "telephony", "ics", "iot")),
    ("Netze", ("network",)),
    ("Räume und Gebäude", ("room", "building")),
    ("Dienstleistungen", ("service",)),
)
_LAYER_OF = {t: i for i, (_, types) in enumerate(LAYERS) for t in types}
_MARKERS = {"server": "s", "client": "o", "mobile": "^", "network_device": "D", "printer": "P",
            "telephony": "p", "ics": "h", "iot": "v", "room": "s", "building": "H", "process": "o",
            "application": "o", "network": "o", "service": "o", "informationsverbund": "*"}
_PATH_STYLES = {BasicValue.CONFIDENTIALITY: "solid", BasicValue.INTEGRITY: (0, (5, 2)),
                BasicValue.AVAILABILITY: (0, (1, 1.5))}
_PATH_COLOUR = "#000000"
_PATH_OFFSETS = {BasicValue.CONFIDENTIALITY: 0.14, BasicValue.INTEGRITY: 0.0, BasicValue.AVAILABILITY: -0.14}
#: Processes and applications carry the assessed needs and are known by name:
#: ``collapse="auto"`` bundles them only beyond this multiple of ``max_per_layer``.
_ASSESSED_LAYERS = (0, 1)
_ASSESSED_LAYER_FACTOR = 2.5


def _partly_unrated(propagation) -> set[str]:
    levels = propagation.levels
    return {
        object_id for i, object_id in enumerate(propagation.index.ids)
        if any(levels[v][i] == 0 for v in BASIC_VALUES) and any(levels[v][i] for v in BASIC_VALUES)
    }


# --------------------------------------------------------------------------- dependency graph


def graph_layout(propagation, collapse: bool | str = "auto", max_per_layer: int = 40,
                 keep: Iterable[str] = ()) -> dict[str, object]:
    """Nodes, positions and edges of the layered dependency graph (no drawing).

    Objects go to the layers of :data:`LAYERS`; within a layer the order
    follows the neighbours (a few barycentre sweeps) so that edges cross
    less. With ``collapse`` true, or ``"auto"`` for a layer of more than
    ``max_per_layer`` objects, the objects of a layer are bundled per type
    and highest need into one node with a count; objects in ``keep`` (e.g.
    an explanation path) stay single.

    Returns a dict with ``nodes`` (id -> dict with ``layer``, ``x``, ``y``,
    ``label``, ``level``, ``members``, ``type``, ``group``), ``edges``
    (``(source node, target node) -> number of dependencies``) and ``node_of``
    (object id -> node id).
    """
    assessment = propagation.assessment
    highest = highest_levels(propagation)
    keep = set(keep)
    layers: dict[int, list[str]] = defaultdict(list)
    for object_id in propagation.index.ids:
        layers[_LAYER_OF.get(assessment.objects[object_id].type.value, 2)].append(object_id)
    node_of: dict[str, str] = {}
    nodes: dict[str, dict] = {}
    level_rank = {"sehr hoch": 0, "hoch": 1, "normal": 2, "": 3}
    for layer, members in layers.items():
        limit = max_per_layer * (_ASSESSED_LAYER_FACTOR if layer in _ASSESSED_LAYERS else 1)
        bundle = collapse is True or (collapse == "auto" and len(members) > limit)
        for object_id in members:
            obj = assessment.objects[object_id]
            if bundle and object_id not in keep:
                node_id = f"{obj.type.value}|{highest[object_id]}"
                node = nodes.setdefault(node_id, {
                    "layer": layer, "type": obj.type.value, "level": highest[object_id], "members": [],
                    "group": True})
                node["members"].append(object_id)
            else:
                node_id = object_id
                nodes[node_id] = {"layer": layer, "type": obj.type.value, "level": highest[object_id],
                                  "members": [object_id], "group": False}
            node_of[object_id] = node_id
    for node_id, node in nodes.items():
        if node["group"]:
            count = sum(assessment.objects[m].count for m in node["members"])
            type_label = ObjectType(node["type"]).label
            word = LEVEL_NAMES[node["level"]]
            node["label"] = f"{type_label} · {word} ({len(node['members'])} Obj." + (
                f", {count} Stück)" if count != len(node["members"]) else ")")
            node["count"] = count
        else:
            obj = assessment.objects[node_id]
            node["label"] = f"{obj.id} {_clip(obj.name, 21 if obj.count > 1 else 23)}" + (f" ×{obj.count}" if obj.count > 1 else "")
            node["count"] = obj.count
    edges: Counter = Counter()
    for d in assessment.dependencies:
        a, b = node_of[d.source], node_of[d.target]
        if a != b:
            edges[(a, b)] += 1
    # order within layers: type, need, then barycentre sweeps over the neighbours
    by_layer: dict[int, list[str]] = defaultdict(list)
    for node_id, node in nodes.items():
        by_layer[node["layer"]].append(node_id)
    type_rank = {t: k for _, types in LAYERS for k, t in enumerate(types)}
    for layer, members in by_layer.items():
        members.sort(key=lambda n: (type_rank.get(nodes[n]["type"], 0), level_rank[nodes[n]["level"]], n))
    neighbours: dict[str, list[str]] = defaultdict(list)
    for a, b in edges:
        if nodes[a]["layer"] != nodes[b]["layer"]:
            neighbours[a].append(b)
            neighbours[b].append(a)
    position = _relative_positions(by_layer)
    for _ in range(6):
        for layer in sorted(by_layer):
            members = by_layer[layer]
            current = {n: position[n] for n in members}

            def barycentre(n: str, current=current) -> tuple:
                found = [position[m] for m in neighbours[n]]
                return (type_rank.get(nodes[n]["type"], 0),
                        sum(found) / len(found) if found else current[n], n)

            members.sort(key=barycentre)
            position.update(_relative_positions({layer: members}))
    height = max(len(m) for m in by_layer.values()) if by_layer else 1
    for layer, members in by_layer.items():
        step = (height - 1) / max(len(members) - 1, 1) if len(members) > 1 else 0
        offset = 0 if len(members) > 1 else (height - 1) / 2
        for i, node_id in enumerate(members):
            nodes[node_id]["x"] = float(layer)
            nodes[node_id]["y"] = float(height - 1 - (offset + i * step))
    return {"nodes": nodes, "edges": dict(edges), "node_of": node_of, "height": height,
            "layers": sorted(by_layer)}


def _relative_positions(by_layer: Mapping[int, list[str]]) -> dict[str, float]:
    return {n: (i + 0.5) / len(members) for members in by_layer.values() for i, n in enumerate(members)}


def _edge_path(x0: float, y0: float, x1: float, y1: float, gap: float, shift: float = 0.0):
    """A smooth cubic curve from one node to another; within a layer it bulges left.

    ``shift`` moves the curve up or down (parallel paths of several basic values).
    """
    from matplotlib.path import Path

    y0, y1 = y0 + shift, y1 + shift
    if abs(x0 - x1) < 1e-9:
        bulge = 0.12 + 0.02 * min(abs(y1 - y0), 12)
        vertices = [(x0, y0), (x0 - bulge, y0), (x1 - bulge, y1), (x1, y1)]
    else:
        direction = 1 if x1 > x0 else -1
        start, end = x0 + direction * gap, x1 - direction * gap
        middle = (start + end) / 2
        vertices = [(start, y0), (middle, y0), (middle, y1), (end, y1)]
    return Path(vertices, [Path.MOVETO, Path.CURVE4, Path.CURVE4, Path.CURVE4])


def dependency_graph_figure(source, object_id: str | None = None, basic_value: BasicValue | str | None = None,
                            collapse: bool | str = "auto", max_per_layer: int = 40, labels: str = "auto"):
    """The dependency graph in layers, coloured by highest need.

    Layers left to right: Geschäftsprozesse, Anwendungen, IT-Systeme, Netze,
    Räume und Gebäude, Dienstleistungen (:data:`LAYERS`). Each node is an
    object (or, collapsed, a bundle of objects of one type and need) filled
    with the colour of its highest final need over C, I, A; a dashed outline
    marks objects with at least one unrated basic value. Edges run from the
    dependent object to the object it depends on (the direction needs flow).

    With ``object_id``, the object is ringed and its explanation path (see
    :attr:`~grundschutz.method.propagation.Derivation.path`) is drawn in black for
    ``basic_value`` (all three if ``None``: solid C, dashed I, dotted A);
    the path's objects stay single even when their layer is collapsed.

    ``collapse``: ``"auto"`` bundles layers with more than ``max_per_layer``
    objects, ``True`` every layer, ``False`` none. ``labels``: ``"all"``,
    ``"auto"`` (all single objects when collapsed, else the objects of the
    path, with ``sehr hoch`` or with many dependencies, and every object of
    a layer that ``collapse="auto"`` would keep) or ``"none"``.
    """
    from matplotlib.collections import PatchCollection
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch, PathPatch

    propagation = _propagation(source)
    assessment = propagation.assessment
    values = _basic_values(basic_value)
    paths: dict[BasicValue, tuple[str, ...]] = {}
    if object_id is not None:
        assessment.object(object_id)
        for value in values:
            derivation = propagation.derivation(object_id, value)
            paths[value] = derivation.path if derivation.level is not None else (object_id,)
    keep = {o for path in paths.values() for o in path}
    layout = graph_layout(propagation, collapse, max_per_layer, keep)
    nodes, edges, node_of = layout["nodes"], layout["edges"], layout["node_of"]
    height = layout["height"]
    partly = _partly_unrated(propagation)
    layer_count = Counter(n["layer"] for n in nodes.values())
    grouped = any(n["group"] for n in nodes.values())

    # at least 7 inches wide: the legend below needs the room even for a single layer
    fig = new_figure(max(2.15 * len(layout["layers"]) + 0.6, 7.0), max(4.5, 0.2 * height + 2.2))
    ax = fig.add_subplot()
    ax.set_axis_off()
    dependents = Counter(b for (_, b) in edges)
    gap = 0.06
    patches, widths = [], []
    for (a, b), n in sorted(edges.items()):
        na, nb = nodes[a], nodes[b]
        patches.append(PathPatch(_edge_path(na["x"], na["y"], nb["x"], nb["y"], gap)))
        widths.append(min(0.4 + 0.6 * math.sqrt(n), 6.0) if grouped else 0.5)
    ax.add_collection(PatchCollection(patches, facecolor="none", edgecolor="#8C8C8C", linewidths=widths,
                                      alpha=0.45, zorder=1, label="Abhängigkeiten"))
    for value, path in paths.items():
        steps = [(node_of[path[i]], node_of[path[i + 1]]) for i in range(len(path) - 1)]
        if not steps:
            continue
        shift = _PATH_OFFSETS[value] if len(paths) > 1 else 0.0
        highlighted = [PathPatch(_edge_path(nodes[a]["x"], nodes[a]["y"], nodes[b]["x"], nodes[b]["y"], gap, shift))
                       for a, b in steps]
        ax.add_collection(PatchCollection(
            highlighted, facecolor="none", edgecolor=_PATH_COLOUR, linewidths=2.2, linestyle=_PATH_STYLES[value],
            zorder=3, label=f"Herleitungspfad {value.label}", gid=f"path-{value.value}"))
    # nodes: one scatter per marker shape
    by_marker: dict[str, list[str]] = defaultdict(list)
    for node_id, node in nodes.items():
        by_marker[_MARKERS.get(node["type"], "o")].append(node_id)
    for marker, members in sorted(by_marker.items()):
        sizes = [min(45 + 18 * math.log2(nodes[m]["count"]), 190) if nodes[m]["count"] > 1 else 45
                 for m in members]
        ax.scatter([nodes[m]["x"] for m in members], [nodes[m]["y"] for m in members], s=sizes, marker=marker,
                   c=[LEVEL_COLOURS[nodes[m]["level"]] for m in members],
                   edgecolors="#333333", linewidths=[_outline(nodes[m], partly) for m in members],
                   linestyles=["--" if _is_partly(nodes[m], partly) else "-" for m in members],
                   zorder=4, gid="nodes")
    if object_id is not None:
        target = nodes[node_of[object_id]]
        ax.scatter([target["x"]], [target["y"]], s=330, marker="o", facecolors="none", edgecolors=_PATH_COLOUR,
                   linewidths=2.0, zorder=5, gid="selected")
    important = {node_of[o] for o in keep}
    for node_id, node in nodes.items():
        if _show_label(node_id, node, labels, important, layer_count, max_per_layer, dependents, grouped):
            bold = node_id in important
            ax.annotate(node["label"], (node["x"], node["y"]), xytext=(7, 0), textcoords="offset points",
                        va="center", ha="left", fontsize=7, zorder=6,
                        fontweight="bold" if bold else "normal", color="#111111",
                        bbox={"boxstyle": "round,pad=0.1", "facecolor": "white", "edgecolor": "none",
                              "alpha": 0.75})
    for layer in layout["layers"]:
        title, _ = LAYERS[layer]
        count = sum(len(n["members"]) for n in nodes.values() if n["layer"] == layer)
        ax.text(layer, height - 0.2, f"{title}\n({count})", ha="center", va="bottom", fontsize=10,
                fontweight="bold")
    ax.set_xlim(-0.45, max(layout["layers"], default=0) + 0.95)
    ax.set_ylim(-0.8, height + 1.6)
    extra = [Line2D([], [], color="#8C8C8C", lw=1, label="hängt ab von →")]
    if partly:
        extra.append(Patch(facecolor="white", edgecolor="#333333", linestyle="--",
                           label="gestrichelter Rand: ein Grundwert offen"))
    for value in paths:
        extra.append(Line2D([], [], color=_PATH_COLOUR, lw=2, linestyle=_PATH_STYLES[value],
                            label=f"Pfad {value.label}"))
    used = {n["level"] for n in nodes.values()}
    _level_legend(ax, used, extra, loc="upper center", bbox_to_anchor=(0.5, 0.0), ncol=4 + len(extra),
                  fontsize=8, title_fontsize=8, frameon=False)
    title = f"Abhängigkeiten und Schutzbedarf: {assessment.settings.name or 'Bewertung'}"
    if object_id is not None:
        title += f" – Herleitung für {object_id}"
    ax.set_title(title, fontsize=12, loc="left")
    if grouped:
        ax.text(0.0, -0.04, "Große Ebenen sind nach Typ und Schutzbedarf gebündelt (Anzahl in Klammern).",
                transform=ax.transAxes, fontsize=7, color="#444444")
    fig.grundschutz = {"kind": "graph", "nodes": len(nodes), "objects": len(node_of), "edges": len(edges),
                       "paths": {v.value: p for v, p in paths.items()}}
    return fig


def _basic_values(basic_value) -> tuple[BasicValue, ...]:
    if basic_value is None:
        return BASIC_VALUES
    return (basic_value if isinstance(basic_value, BasicValue) else BasicValue.parse(basic_value),)


def _is_partly(node: dict, partly: set[str]) -> bool:
    return not node["group"] and node["members"][0] in partly


def _outline(node: dict, partly: set[str]) -> float:
    return 1.1 if _is_partly(node, partly) else 0.6


def _show_label(node_id, node, labels, important, layer_count, max_per_layer, dependents, grouped) -> bool:
    if labels == "none":
        return False
    if labels == "all" or node["group"] or node_id in important:
        return True
    limit = max_per_layer * (_ASSESSED_LAYER_FACTOR if node["layer"] in _ASSESSED_LAYERS else 1)
    if grouped or layer_count[node["layer"]] <= limit:
        return True
    return node["level"] == "sehr hoch" or dependents[node_id] >= 5
