"""Figures of an analysis as matplotlib :class:`~matplotlib.figure.Figure` objects.

This module is the one place to get every figure from (``from grundschutz.views
import plots``). It draws the heatmap, the check coverage, the risk matrix and
the scenario; the dependency graph comes from
:mod:`~grundschutz.views.figures_graph`, the colours, the canvas and the PNG/SVG
output (:func:`figure_bytes`, :func:`save_figure`) from
:mod:`~grundschutz.views.figures`, and both are importable here too.
matplotlib is imported only inside the functions, so that the rest of the
toolkit (and ``grundschutz --help``) does not need it; figures are drawn by
the Agg canvas and work without a display.

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

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence

from grundschutz.model import BASIC_VALUES, ObjectType
from grundschutz.views.figures import (
    LEVEL_COLOURS,
    LEVEL_NAMES,
    RISK_COLOURS,
    STATUS_COLOURS,
    _clip,
    _label,
    _level_legend,
    _propagation,
    figure_bytes,
    highest_levels,
    new_figure,
    save_figure,
)
from grundschutz.views.figures_graph import LAYERS, dependency_graph_figure, graph_layout

#: Tick marks of length 0 are still drawn (as empty markers); these switch them off, the labels stay.
_NO_TICK_MARKS = {"left": False, "right": False, "top": False, "bottom": False}
# Texts inside the axes (the cells of a table-like figure) are drawn with ``clip_on=True``: the layout
# engine leaves artists clipped to the axes out of its measurements.

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
                ax.text(c, r, text, ha="center", va="center", fontsize=7, clip_on=True,
                        color="white" if code == 3 else "#111111")
        ax.set_yticks(range(len(chunk)),
                      [f"{i} {_clip(assessment.objects[i].name, 30)}" for i in chunk], fontsize=7)
        ax.set_xticks(range(3), [v.label for v in BASIC_VALUES], fontsize=8)
        ax.xaxis.tick_top()
        ax.tick_params(length=0, **_NO_TICK_MARKS)
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
        _bars(ax, rows, values, left, 0.75, STATUS_COLOURS[status], label=status, gid=f"status-{status}")
        left = [a + b for a, b in zip(left, values)]
    ax.set_xlim(0, max(left, default=0) * 1.05 or 1)
    ax.set_yticks(rows, names, fontsize=7)
    ax.set_ylim(len(records) - 0.5, -0.5)
    ax.tick_params(axis="x", labelsize=7)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def _bars(ax, positions: Sequence[float], widths: Sequence[float], lefts: Sequence[float], height: float,
         colour: str, **style) -> object:
    """Horizontal bars (one per position, from ``lefts`` by ``widths``) as one collection, edged in white.

    What :meth:`~matplotlib.axes.Axes.barh` draws, without an artist per bar
    (hundreds of those cost a report a tenth of a second). The limits of
    the axes are left to the caller. ``style``: ``label``, ``gid``, ...
    """
    from matplotlib.collections import PolyCollection

    half = height / 2
    corners = [((x, y - half), (x + w, y - half), (x + w, y + half), (x, y + half))
               for y, w, x in zip(positions, widths, lefts)]
    collection = PolyCollection(corners, facecolors=colour, edgecolors="white", linewidths=0.3, **style)
    ax.add_collection(collection, autolim=False)
    return collection


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
            ax.text(j + 0.5, i + 0.58, str(count) if count else "–", ha="center", va="center", clip_on=True,
                    fontsize=16 if count else 11, fontweight="bold" if count else "normal",
                    color="white" if category == "sehr hoch" else "#111111", gid=f"count-{i}-{j}")
            ax.text(j + 0.5, i + 0.22, category, ha="center", va="center", fontsize=7, clip_on=True,
                    color="white" if category == "sehr hoch" else "#333333")
    ax.set_xlim(0, len(frequencies))
    ax.set_ylim(0, len(impacts))
    ax.set_xticks([j + 0.5 for j in range(len(frequencies))], frequencies, fontsize=8)
    ax.set_yticks([i + 0.5 for i in range(len(impacts))], impacts, fontsize=8)
    ax.set_xlabel("Eintrittshäufigkeit", fontsize=9)
    ax.set_ylabel("Auswirkungen", fontsize=9)
    ax.tick_params(length=0, **_NO_TICK_MARKS)
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
                left.text(c, r, text, ha="center", va="center", fontsize=6.5, clip_on=True,
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
    left.tick_params(length=0, **_NO_TICK_MARKS)
    for spine in left.spines.values():
        spine.set_visible(False)
    left.set_title("Schutzbedarf im Szenario (neu oder geändert)", fontsize=9, loc="left", pad=22)
    names = [f"{v.application} {_clip(v.name, 24)}" for v in verdicts]
    positions = range(len(verdicts))
    start = [0.0] * len(verdicts)
    for status in [s for s in STATUSES if s not in ("ja", "entbehrlich")]:
        values = [blocked[v.application][status] for v in verdicts]
        _bars(right, positions, values, start, 0.6, STATUS_COLOURS[status], label=status, gid=f"blocking-{status}")
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


__all__ = [
    "LAYERS", "LEVEL_COLOURS", "LEVEL_NAMES", "RISK_COLOURS", "STATUS_COLOURS", "coverage_figure",
    "dependency_graph_figure", "draw_risk_matrix", "figure_bytes", "graph_layout", "highest_levels",
    "needs_heatmap_figure", "new_figure", "risk_matrix_figure", "risk_matrix_grid", "save_figure",
    "scenario_figure",
]
