"""The portfolio as a figure: shared services × municipalities, coloured by need.

:func:`portfolio_heatmap_figure` draws one row per shared object of the
provider and one column per municipality that uses at least one of them; a
cell is the municipality's final need of that object (the highest over C, I,
A, or one basic value), white where the municipality does not use it. Row
labels carry the inherited need. The colours are those of the other figures
(:data:`~grundschutz.views.figures.LEVEL_COLOURS`), colour-blind safe and
ordered by lightness.
"""

from __future__ import annotations

from grundschutz.method.portfolio import Portfolio
from grundschutz.model import BASIC_VALUES, BasicValue
from grundschutz.views.figures import LEVEL_COLOURS, LEVEL_NAMES, _clip, _label, new_figure

#: Colour of a cell where the municipality does not use the object.
UNUSED_COLOUR = "#F4F4F4"
_CELL_TEXT_LIMIT = 30


def portfolio_heatmap_figure(portfolio: Portfolio, basic_value: BasicValue | str | None = None,
                             max_labels: int = 60):
    """Shared objects (rows) × municipalities (columns) as a heatmap.

    ``basic_value``: one basic value; default the highest of C, I, A. Up to
    ``max_labels`` municipalities are named on the axis (beyond that the
    columns stay unnamed, in name order); cells are labelled while there are
    at most 30 columns. The codes (-1 = not used, 0 = unrated, 1 = normal,
    2 = hoch, 3 = sehr hoch) are the data of the image and are kept in
    ``figure.grundschutz`` with the row and column order.
    """
    from matplotlib.colors import BoundaryNorm, ListedColormap
    from matplotlib.patches import Patch

    value = BasicValue.parse(basic_value) if isinstance(basic_value, str) else basic_value
    values = [value] if value is not None else list(BASIC_VALUES)
    clients = [c for c in portfolio.users]
    column = {c.source: i for i, c in enumerate(clients)}
    matrix = []
    for shared in portfolio.objects:
        row = [-1] * len(clients)
        for use in shared.clients:
            row[column[use.client]] = max(int(use.need(v).level or 0) for v in values)
        matrix.append(row)
    if not matrix or not clients:
        from grundschutz.model.errors import GrundschutzError

        raise GrundschutzError(f"keine gemeinsamen Zielobjekte von {portfolio.provider} für die Heatmap")
    width = min(24.0, 7.0 + 0.32 * len(clients))
    fig = new_figure(width, 1.8 + 0.3 * len(matrix) + (1.6 if len(clients) <= max_labels else 0.4))
    ax = fig.subplots()
    colours = ListedColormap([UNUSED_COLOUR, *(LEVEL_COLOURS[k] for k in ("", "normal", "hoch", "sehr hoch"))])
    norm = BoundaryNorm([-1.5, -0.5, 0.5, 1.5, 2.5, 3.5], colours.N)
    ax.imshow(matrix, cmap=colours, norm=norm, aspect="auto", interpolation="none")
    if len(clients) <= _CELL_TEXT_LIMIT:
        for r, row in enumerate(matrix):
            for c, code in enumerate(row):
                if code >= 0:
                    ax.text(c, r, LEVEL_NAMES[_label(code)] if code else "offen", ha="center", va="center",
                            fontsize=6.5, color="white" if code == 3 else "#111111")
    labels = []
    for shared in portfolio.objects:
        levels = [shared.value(v).level for v in values]
        inherited = max((lv for lv in levels if lv is not None), default=None)
        raised = any(shared.value(v).cumulation for v in values)
        labels.append(f"{shared.id} {_clip(shared.name, 32)} – geerbt: "
                      f"{inherited.label if inherited else 'offen'}{'*' if raised else ''}")
    ax.set_yticks(range(len(matrix)), labels, fontsize=7.5)
    if len(clients) <= max_labels:
        ax.set_xticks(range(len(clients)), [_clip(c.name, 28) for c in clients], fontsize=7, rotation=60,
                      ha="right", rotation_mode="anchor")
    else:
        ax.set_xticks([])
        ax.set_xlabel(f"{len(clients)} Kommunen (nach Name geordnet)", fontsize=8)
    if len(clients) <= 200:
        ax.set_xticks([x - 0.5 for x in range(1, len(clients))], minor=True)
        ax.set_yticks([y - 0.5 for y in range(1, len(matrix))], minor=True)
        ax.grid(which="minor", color="white", linewidth=1.5)
    ax.tick_params(which="both", length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    what = value.label if value is not None else "höchster Schutzbedarf (V, I, A)"
    fig.suptitle(f"Gemeinsame Zielobjekte je Kommune: {what}\n{portfolio.provider_name} "
                 f"({len(matrix)} Zielobjekte, {len(clients)} Kommunen)", fontsize=10, x=0.01, ha="left")
    handles = [Patch(facecolor=LEVEL_COLOURS[k], edgecolor="#444444", label=LEVEL_NAMES[k])
               for k in ("normal", "hoch", "sehr hoch", "")]
    handles.append(Patch(facecolor=UNUSED_COLOUR, edgecolor="#444444", label="nicht genutzt"))
    fig.legend(handles=handles, loc="outside lower center", ncol=5, fontsize=7, frameon=False,
               title="Schutzbedarf der Kommune (* geerbt mit Kumulationseffekt über Kommunen)", title_fontsize=7)
    fig.grundschutz = {"kind": "portfolio", "objects": [s.id for s in portfolio.objects],
                       "clients": [c.source for c in clients], "levels": matrix}
    return fig
