"""Figures of an analysis as matplotlib :class:`~matplotlib.figure.Figure` objects.

matplotlib is imported only in this module, and only inside the functions, so
that the rest of the toolkit (and ``grundschutz --help``) does not need it.
Figures are made without :mod:`matplotlib.pyplot` and drawn by the Agg
canvas, so they work without a display (on a server, in CI) and are not kept
alive by pyplot's figure registry; in Jupyter they display like any figure
(after ``%matplotlib inline``) and :func:`figure_bytes` turns one into PNG or
SVG bytes.

Every function takes an :class:`~grundschutz.method.analysis.Analysis` (the
dependency graph and the heatmap also take a bare
:class:`~grundschutz.method.propagation.Propagation`) and labels everything in
German. Colours are colour-blind safe (Okabe-Ito and Paul Tol); the order of
the protection need levels is also carried by lightness, so the figures stay
readable in greyscale.

- :func:`dependency_graph_figure`: the dependency graph in layers, nodes
  coloured by their highest need, an object's explanation path highlighted.
- :func:`needs_heatmap_figure`: applications by confidentiality, integrity, availability.
- :func:`coverage_figure`: IT-Grundschutz-Check per Baustein and per level, stacked by status.
- :func:`risk_matrix_figure`: the risk matrix with the number of threats per cell.
- :func:`scenario_figure`: what a scenario changes and what blocks it.

Each figure also carries what it shows as plain data in the attribute
``figure.grundschutz`` (a dict: node and edge counts, highlighted paths,
level codes, cell counts), for tests and for checking a figure in Jupyter.
"""

from __future__ import annotations

import io
import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence

from grundschutz.model import BASIC_VALUES, BasicValue, Level, ObjectType

#: Fill colour per level of protection need ("" = unrated). Sky blue, orange
#: and a dark wine red differ in hue *and* lightness (Okabe-Ito / Paul Tol).
LEVEL_COLOURS: dict[str, str] = {
    "": "#D9D9D9",
    "normal": "#56B4E9",
    "hoch": "#E69F00",
    "sehr hoch": "#882255",
}
LEVEL_NAMES: dict[str, str] = {"": "nicht bewertet", "normal": "normal", "hoch": "hoch", "sehr hoch": "sehr hoch"}
#: Colour per status of the IT-Grundschutz-Check (Okabe-Ito).
STATUS_COLOURS: dict[str, str] = {
    "ja": "#009E73",
    "teilweise": "#F0E442",
    "nein": "#D55E00",
    "entbehrlich": "#56B4E9",
    "unbearbeitet": "#D9D9D9",
}
#: Colour per risk category of BSI-Standard 200-3.
RISK_COLOURS: dict[str, str] = {
    "gering": "#CCE8D8",
    "mittel": "#F0E442",
    "hoch": "#E69F00",
    "sehr hoch": "#C0504D",
}
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


# --------------------------------------------------------------------------- helpers


def new_figure(width: float, height: float):
    """A matplotlib Figure with an Agg canvas (works without a display)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(figure)
    return figure


def figure_bytes(figure, fmt: str = "png", dpi: int = 150, text_as_paths: bool = True,
                 salt: str = "grundschutz") -> bytes:
    """The figure as PNG or SVG bytes.

    In an SVG, text is drawn as paths by default (looks the same everywhere,
    no fonts needed); with ``text_as_paths=False`` it stays text (smaller,
    searchable, the viewer's sans-serif font). ``salt`` makes the ids inside
    an SVG differ between figures embedded in one page; the same figure and
    salt give the same file.
    """
    import matplotlib

    out = io.BytesIO()
    with matplotlib.rc_context({"svg.fonttype": "path" if text_as_paths else "none", "svg.hashsalt": salt}):
        figure.savefig(out, format=fmt, dpi=dpi, metadata=_metadata(fmt))
    return out.getvalue()


def save_figure(figure, path, dpi: int = 150) -> None:
    """Write the figure to ``path``; the format follows the suffix (``.png`` or ``.svg``)."""
    from pathlib import Path

    path = Path(path)
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in ("png", "svg"):
        from grundschutz.model.errors import GrundschutzError

        raise GrundschutzError(f"unbekanntes Bildformat '{path.suffix}' (erlaubt: .png, .svg)")
    path.write_bytes(figure_bytes(figure, fmt, dpi))


def _metadata(fmt: str) -> dict:
    # no creation date: the same analysis gives the same file
    return {"Date": None} if fmt == "svg" else {"Software": "grundschutz"}


def _propagation(source):
    return getattr(source, "propagation", source)


def highest_levels(propagation) -> dict[str, str]:
    """Per object id, the label of its highest final need over C, I, A (``""`` if all unrated)."""
    levels = propagation.levels
    return {
        object_id: _label(max(levels[v][i] for v in BASIC_VALUES))
        for i, object_id in enumerate(propagation.index.ids)
    }


def _label(code: int) -> str:
    return Level(code).label if code else ""


def _partly_unrated(propagation) -> set[str]:
    levels = propagation.levels
    return {
        object_id for i, object_id in enumerate(propagation.index.ids)
        if any(levels[v][i] == 0 for v in BASIC_VALUES) and any(levels[v][i] for v in BASIC_VALUES)
    }


def _level_legend(ax, used: Iterable[str], extra: Sequence = (), **kwargs) -> None:
    from matplotlib.patches import Patch

    used = set(used)
    handles = [Patch(facecolor=LEVEL_COLOURS[k], edgecolor="#444444", label=LEVEL_NAMES[k])
               for k in ("normal", "hoch", "sehr hoch", "") if k in used]
    kwargs.setdefault("title", "Höchster Schutzbedarf")
    ax.legend(handles=[*handles, *extra], **kwargs)


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


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

    fig = new_figure(2.15 * max(len(layout["layers"]), 1) + 0.6, max(4.5, 0.2 * height + 2.2))
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


# --------------------------------------------------------------------------- heatmap


def needs_heatmap_figure(source, types: Sequence[str] = ("application",), sort: str = "need",
                         columns: int | None = None):
    """Objects of ``types`` (default: the applications) by C, I, A as a heatmap.

    One row per object, one column per basic value, each cell coloured and
    labelled with the final level; a ``*`` marks values derived from other
    objects (Maximumprinzip, Kumulation, ...), no mark = assessed for the
    object itself. ``sort="need"`` puts the highest needs first (then by id),
    ``sort="id"`` keeps id order. Long lists are split into ``columns``
    side-by-side panels (default: one panel per 40 rows).

    The level codes (0 = unrated, 1 = normal, 2 = hoch, 3 = sehr hoch) of
    each panel are the data of its image (``ax.images[0].get_array()``).
    """
    from matplotlib.colors import BoundaryNorm, ListedColormap

    propagation = _propagation(source)
    assessment = propagation.assessment
    position = propagation.index.position
    ids = [i for i in propagation.index.ids if assessment.objects[i].type.value in set(types)]
    if not ids:
        from grundschutz.model.errors import GrundschutzError

        raise GrundschutzError(f"keine Zielobjekte vom Typ {', '.join(types)} für die Heatmap")
    codes = {i: [propagation.levels[v][position[i]] for v in BASIC_VALUES] for i in ids}
    if sort == "need":
        ids.sort(key=lambda i: (-max(codes[i]), -sum(codes[i]), i))
    panels = columns or max(1, math.ceil(len(ids) / 40))
    per_panel = math.ceil(len(ids) / panels)
    rows = per_panel
    fig = new_figure(4.6 * panels + 0.4, 0.23 * rows + 1.9)
    colour_map = ListedColormap([LEVEL_COLOURS[k] for k in ("", "normal", "hoch", "sehr hoch")])
    norm = BoundaryNorm([-0.5, 0.5, 1.5, 2.5, 3.5], colour_map.N)
    axes = fig.subplots(1, panels, squeeze=False)[0]
    derived_seen = False
    for p, ax in enumerate(axes):
        chunk = ids[p * per_panel:(p + 1) * per_panel]
        data = [codes[i] for i in chunk]
        ax.imshow(data, cmap=colour_map, norm=norm, aspect="auto", interpolation="nearest")
        for r, object_id in enumerate(chunk):
            for c, value in enumerate(BASIC_VALUES):
                code = data[r][c]
                rule = propagation.rules[value][position[object_id]]
                derived = code and rule != 0
                derived_seen = derived_seen or bool(derived)
                text = (LEVEL_NAMES[_label(code)] if code else "offen") + ("*" if derived else "")
                ax.text(c, r, text, ha="center", va="center", fontsize=7,
                        color="white" if code == 3 else "#111111")
        ax.set_yticks(range(len(chunk)),
                      [f"{i} {_clip(assessment.objects[i].name, 30)}" for i in chunk], fontsize=7)
        ax.set_xticks(range(3), [v.label for v in BASIC_VALUES], fontsize=8)
        ax.xaxis.tick_top()
        ax.tick_params(length=0)
        ax.set_ylim(rows - 0.5, -0.5)
        for spine in ax.spines.values():
            spine.set_visible(False)
    kind = "Anwendungen" if tuple(types) == ("application",) else ", ".join(ObjectType(t).label for t in types)
    fig.suptitle(f"Schutzbedarf der {kind} ({len(ids)})", fontsize=11, x=0.02, ha="left")
    note = "* abgeleitet (Maximumprinzip, Kumulation, Verteilung oder manuell gesetzt), ohne * festgestellt" \
        if derived_seen else ""
    if sort == "need":
        note += ("; " if note else "") + "sortiert nach höchstem Schutzbedarf"
    title = "Schutzbedarf" + (f"\n{note[0].upper()}{note[1:]}." if note else "")
    _level_legend(fig, {"", "normal", "hoch", "sehr hoch"}, (), loc="outside lower center", ncol=4, fontsize=7,
                  title_fontsize=7, frameon=False, title=title)
    fig.grundschutz = {"kind": "heatmap", "objects": ids, "levels": [codes[i] for i in ids]}
    return fig


# --------------------------------------------------------------------------- check coverage


def coverage_figure(analysis, normalize: bool = True):
    """The IT-Grundschutz-Check stacked by status: per Baustein (left) and per level B/S/H (right).

    Bars count the selected requirements of all objects. With ``normalize``
    (the default) the Baustein bars show shares in percent, so that small
    Bausteine stay visible next to one modelled on 70 applications; the
    number of requirements stands next to each Baustein's name. The level
    bars always show counts.
    """
    from grundschutz.model import STATUSES
    from grundschutz.views.requirements_tables import coverage_records

    check = _require(analysis, "check", "den IT-Grundschutz-Check")
    by_baustein = coverage_records(check, ("baustein",))
    by_level = coverage_records(check, ("level",))
    bausteine = sorted(by_baustein, key=lambda r: _baustein_key(r["baustein"]))
    fig = new_figure(11, max(4.0, 0.17 * len(bausteine) + 1.8))
    grid = fig.add_gridspec(2, 2, width_ratios=[3, 1.3], height_ratios=[1, 2.2])
    left = fig.add_subplot(grid[:, 0])
    right = fig.add_subplot(grid[0, 1])
    words = {"B": "Basis", "S": "Standard", "H": "erhöhter\nSchutzbedarf"}
    _stacked(left, [f"{r['baustein']} ({r['total']})" for r in bausteine], bausteine, STATUSES, normalize)
    if normalize:
        left.set_xlim(0, 100)
    left.set_title("Anforderungen je Baustein", fontsize=10, loc="left")
    left.set_xlabel("Anteil der Anforderungen in % (Anzahl in Klammern)" if normalize
                    else "Anzahl Anforderungen (alle Zielobjekte)", fontsize=8)
    _stacked(right, [words.get(r["level"], r["level"]) for r in by_level], by_level, STATUSES, False)
    right.set_title("je Anforderungsstufe", fontsize=10, loc="left")
    right.set_xlabel("Anzahl Anforderungen", fontsize=8)
    for record in by_level:
        share = f"{record['percent']:.0f} % umgesetzt" if record["percent"] is not None else ""
        right.annotate(share, (record["total"], by_level.index(record)), xytext=(3, 0),
                       textcoords="offset points", va="center", fontsize=7)
    right.set_xlim(0, max(r["total"] for r in by_level) * 1.35 if by_level else 1)
    total = sum(r["total"] for r in by_level)
    done = sum(r["implemented"] for r in by_level)
    legend = fig.add_subplot(grid[1, 1])
    legend.set_axis_off()
    handles, names = left.get_legend_handles_labels()
    legend.legend(handles, names, title="Umsetzungsstatus", loc="upper left", fontsize=8, title_fontsize=8,
                  frameon=False)
    legend.text(0.03, 0.7, f"{total} ausgewählte Anforderungen\n{done} umgesetzt (ja oder entbehrlich)",
                fontsize=8, transform=legend.transAxes, va="top")
    fig.suptitle("IT-Grundschutz-Check: Umsetzungsstand", fontsize=11, x=0.02, ha="left")
    fig.grundschutz = {"kind": "coverage", "bausteine": [r["baustein"] for r in bausteine], "total": total}
    return fig


_BAUSTEIN_LAYERS = ("ISMS", "ORP", "CON", "OPS", "DER", "APP", "SYS", "IND", "NET", "INF")


def _baustein_key(baustein: str) -> tuple:
    """Kompendium order: process layers ISMS … DER, then APP, SYS, IND, NET, INF; numbers numerically.

    >>> sorted(["NET.1.1", "ISMS.1", "APP.10", "APP.2.1"], key=_baustein_key)
    ['ISMS.1', 'APP.2.1', 'APP.10', 'NET.1.1']
    """
    layer, _, rest = baustein.partition(".")
    rank = _BAUSTEIN_LAYERS.index(layer) if layer in _BAUSTEIN_LAYERS else len(_BAUSTEIN_LAYERS)
    return (rank, layer, tuple(int(p) if p.isdigit() else 0 for p in rest.split(".")), rest)


def _stacked(ax, names: Sequence[str], records: Sequence[Mapping], statuses: Sequence[str],
             normalize: bool) -> None:
    rows = range(len(records))
    left = [0.0] * len(records)
    for status in statuses:
        values = [float(r[status]) for r in records]
        if normalize:
            values = [100.0 * v / r["total"] if r["total"] else 0.0 for v, r in zip(values, records)]
        ax.barh(rows, values, left=left, color=STATUS_COLOURS[status], edgecolor="white", linewidth=0.3,
                label=status, height=0.75, gid=f"status-{status}")
        left = [a + b for a, b in zip(left, values)]
    ax.set_yticks(rows, names, fontsize=7)
    ax.set_ylim(len(records) - 0.5, -0.5)
    ax.tick_params(axis="x", labelsize=7)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def _require(analysis, attribute: str, what: str):
    value = getattr(analysis, attribute, None)
    if value is None:
        from grundschutz.model.errors import GrundschutzError

        raise GrundschutzError(f"Für diese Abbildung wird {what} benötigt; die Analyse wurde ohne Katalog erstellt.")
    return value


# --------------------------------------------------------------------------- risk matrix


def risk_matrix_grid(records: Iterable[Mapping], frequencies: Sequence[str], impacts: Sequence[str]) -> list[list[int]]:
    """Count records per (impact, frequency): rows are ``impacts`` (first = lowest), columns ``frequencies``.

    >>> risk_matrix_grid([{"frequency": "selten", "impact": "begrenzt"}], ["selten", "mittel"],
    ...                  ["vernachlässigbar", "begrenzt"])
    [[0, 0], [1, 0]]
    """
    grid = [[0] * len(frequencies) for _ in impacts]
    for record in records:
        f, i = record.get("frequency"), record.get("impact")
        if f in frequencies and i in impacts:
            grid[list(impacts).index(i)][list(frequencies).index(f)] += 1
    return grid


def draw_risk_matrix(records: Iterable[Mapping], categories: Sequence[Sequence[str]], frequencies: Sequence[str],
                     impacts: Sequence[str], title: str = "Risikomatrix (BSI-Standard 200-3)", subtitle: str = ""):
    """Draw a risk matrix: cells coloured by risk category, the number of threats in each cell.

    ``categories[i][j]`` is the category for ``impacts[i]`` and
    ``frequencies[j]``; impacts are drawn bottom (lowest) to top. The
    counts are :func:`risk_matrix_grid` of ``records`` (mappings with
    ``frequency`` and ``impact``); records without both are not counted.
    """
    from matplotlib.patches import Patch, Rectangle

    records = list(records)
    grid = risk_matrix_grid(records, frequencies, impacts)
    fig = new_figure(7.8, 5.2)
    ax = fig.add_subplot()
    for i, _ in enumerate(impacts):
        for j, _ in enumerate(frequencies):
            category = categories[i][j]
            ax.add_patch(Rectangle((j, i), 1, 1, facecolor=RISK_COLOURS.get(category, "#FFFFFF"),
                                   edgecolor="white", linewidth=2, gid=f"cell-{i}-{j}"))
            count = grid[i][j]
            ax.text(j + 0.5, i + 0.58, str(count) if count else "–", ha="center", va="center",
                    fontsize=16 if count else 11, fontweight="bold" if count else "normal",
                    color="white" if category == "sehr hoch" else "#111111", gid=f"count-{i}-{j}")
            ax.text(j + 0.5, i + 0.22, category, ha="center", va="center", fontsize=7,
                    color="white" if category == "sehr hoch" else "#333333")
    ax.set_xlim(0, len(frequencies))
    ax.set_ylim(0, len(impacts))
    ax.set_xticks([j + 0.5 for j in range(len(frequencies))], frequencies, fontsize=8)
    ax.set_yticks([i + 0.5 for i in range(len(impacts))], impacts, fontsize=8)
    ax.set_xlabel("Eintrittshäufigkeit", fontsize=9)
    ax.set_ylabel("Auswirkungen", fontsize=9)
    ax.tick_params(length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    counted = sum(map(sum, grid))
    missing = len(records) - counted
    text = subtitle or f"{counted} bewertete Gefährdungen" + (
        f"; {missing} noch ohne Häufigkeit oder Auswirkung" if missing else "")
    ax.set_title(f"{title}\n{text}", fontsize=10, loc="left")
    used = [c for c in RISK_COLOURS if any(c in row for row in categories)]
    ax.legend(handles=[Patch(facecolor=RISK_COLOURS[c], label=c) for c in used], title="Risikokategorie",
              loc="upper left", bbox_to_anchor=(1.02, 1.0), fontsize=8,
              title_fontsize=8, frameon=False)
    fig.grundschutz = {"kind": "risk", "grid": grid, "frequencies": list(frequencies), "impacts": list(impacts)}
    return fig


def risk_matrix_figure(source, residual: bool = False):
    """The risk matrix of an analysis (BSI-Standard 200-3) with the number of threats per cell.

    ``source`` is an :class:`~grundschutz.method.analysis.Analysis` (its risk
    analysis, :attr:`Analysis.risks <grundschutz.method.analysis.Analysis.risks>`) or a
    :class:`~grundschutz.method.risk.RiskAnalysis`. The cells are coloured with the
    categories of the assessment's matrix. With ``residual`` the cells count
    the residual risks after treatment instead.
    """
    from grundschutz.method.risk import RiskAnalysis
    from grundschutz.model import Frequency, Impact
    from grundschutz.views.risk_tables import risk_records

    risks = source if isinstance(source, RiskAnalysis) else source.risks
    records = risk_records(risks)
    if residual:
        records = [{"frequency": r["residual_frequency"], "impact": r["residual_impact"]} for r in records]
    categories = [[c.label for c in row] for _, row in risks.matrix.rows()]
    flagged = len(risks)
    rated = sum(1 for r in records if r["frequency"] and r["impact"])
    subtitle = f"{flagged} Zielobjekte mit Risikoanalyse, {rated} von {len(records)} Gefährdungen bewertet"
    title = "Restrisiken nach Behandlung" if residual else "Risikomatrix (BSI-Standard 200-3)"
    return draw_risk_matrix(records, categories, [f.label for f in Frequency], [i.label for i in Impact], title,
                            subtitle)


# --------------------------------------------------------------------------- scenario

_VERDICT_WORDS = {"bereit": "bereit", "bereit-sobald": "bereit, sobald umgesetzt",
                  "risikoanalyse": "erst nach Risikoanalyse", "schutzbedarf-offen": "Schutzbedarf offen"}


def scenario_figure(result):
    """What a scenario changes and what blocks it (a :class:`~grundschutz.method.scenario.ScenarioResult`).

    Left: the objects whose derived needs the scenario sets or changes, by
    C, I, A, coloured by the need in the scenario, labelled ``vorher → nachher``
    (``neu`` for new objects). Right: per application of the scenario the
    requirements that block it, stacked by check status, with the verdict;
    a marker counts the risk analyses that hold it up.
    """
    from matplotlib.colors import BoundaryNorm, ListedColormap

    from grundschutz.model import STATUSES

    scenario = result.scenario
    needs: dict[str, dict[str, object]] = {}
    for n in result.needs:
        needs.setdefault(n.object, {})[n.basic_value] = n
    objects = {**result.baseline.assessment.objects, **result.result.assessment.objects}
    changed = sorted(needs)
    verdicts = list(result.verdicts)
    blocked: dict[str, Counter] = {v.application: Counter() for v in verdicts}
    for b in result.blocking:
        for app in b.applications:
            if app in blocked:
                blocked[app][b.status] += 1
    rows = max(len(changed), len(verdicts), 3)
    fig = new_figure(12.5, 0.3 * rows + 2.4)
    grid = fig.add_gridspec(1, 2, width_ratios=[1, 1.6])
    left, right = fig.add_subplot(grid[0, 0]), fig.add_subplot(grid[0, 1])
    colour_map = ListedColormap([LEVEL_COLOURS[k] for k in ("", "normal", "hoch", "sehr hoch")])
    norm = BoundaryNorm([-0.5, 0.5, 1.5, 2.5, 3.5], colour_map.N)
    data = [[int(needs[o][v].after) if v in needs[o] and needs[o][v].after else 0 for v in BASIC_VALUES]
            for o in changed]
    if changed:
        left.imshow(data, cmap=colour_map, norm=norm, aspect="auto", interpolation="nearest")
        for r, object_id in enumerate(changed):
            for c, value in enumerate(BASIC_VALUES):
                n = needs[object_id].get(value)
                if n is None:
                    text = "unverändert"
                elif n.new_object:
                    text = f"neu: {n.after.label if n.after else 'offen'}"
                else:
                    text = f"{n.before.label if n.before else 'offen'} → {n.after.label if n.after else 'offen'}"
                left.text(c, r, text, ha="center", va="center", fontsize=6.5,
                          color="white" if data[r][c] == 3 else "#111111")
        left.set_yticks(range(len(changed)),
                        [f"{o} {_clip(objects[o].name, 24) if o in objects else ''}" for o in changed], fontsize=7)
        left.set_ylim(len(changed) - 0.5, -0.5)
    else:
        left.text(0.5, 0.5, "Der Schutzbedarf ändert sich nicht.", ha="center", va="center",
                  transform=left.transAxes, fontsize=9)
        left.set_yticks([])
    left.set_xticks(range(3), [v.label for v in BASIC_VALUES], fontsize=8)
    left.xaxis.tick_top()
    left.tick_params(length=0)
    for spine in left.spines.values():
        spine.set_visible(False)
    left.set_title("Schutzbedarf im Szenario (neu oder geändert)", fontsize=9, loc="left", pad=22)
    names = [f"{v.application} {_clip(v.name, 24)}" for v in verdicts]
    positions = range(len(verdicts))
    start = [0.0] * len(verdicts)
    for status in [s for s in STATUSES if s not in ("ja", "entbehrlich")]:
        values = [blocked[v.application][status] for v in verdicts]
        right.barh(positions, values, left=start, color=STATUS_COLOURS[status], edgecolor="white", linewidth=0.3,
                   height=0.6, label=status, gid=f"blocking-{status}")
        start = [a + b for a, b in zip(start, values)]
    width = max(start, default=0) or 1
    for i, v in enumerate(verdicts):
        label = f"{int(start[i])} offen – {_VERDICT_WORDS.get(v.verdict, v.verdict)}"
        if v.risk_objects:
            label += f"\nRisikoanalyse: {_clip(', '.join(v.risk_objects), 34)}"
        right.annotate(label, (start[i], i), xytext=(4, 0), textcoords="offset points", va="center", fontsize=7,
                       linespacing=1.2)
    right.set_yticks(list(positions), names, fontsize=7)
    right.set_ylim(len(verdicts) - 0.5 if verdicts else 0.5, -0.5)
    right.set_xlim(0, width * 2.2)
    right.set_xlabel("blockierende Anforderungen (noch nicht umgesetzt)", fontsize=8)
    right.tick_params(axis="x", labelsize=7)
    for side in ("top", "right"):
        right.spines[side].set_visible(False)
    right.set_title("Was die Entscheidung je Anwendung aufhält", fontsize=9, loc="left")
    right.legend(title="Status", fontsize=7, title_fontsize=7, loc="upper left", bbox_to_anchor=(1.0, 1.0),
                 frameon=False)
    title = getattr(scenario, "name", "Szenario")
    description = getattr(scenario, "description", "")
    fig.suptitle(f"Szenario „{title}“" + (f": {_clip(description, 90)}" if description else ""), fontsize=11,
                 x=0.02, ha="left")
    fig.grundschutz = {"kind": "scenario", "changed": changed,
                       "blocking": {a: sum(c.values()) for a, c in blocked.items()}}
    return fig
