"""What every figure of :mod:`grundschutz.views` shares: colours, the canvas, PNG and SVG output.

matplotlib is imported only in the figure modules, and only inside the
functions, so that the rest of the toolkit (and ``grundschutz --help``) does
not need it. Figures are made without :mod:`matplotlib.pyplot` and drawn by
the Agg canvas (:func:`new_figure`), so they work without a display (on a
server, in CI) and are not kept alive by pyplot's figure registry; in Jupyter
they display like any figure (after ``%matplotlib inline``) and
:func:`figure_bytes` turns one into PNG or SVG bytes, :func:`save_figure`
writes one to a file.

Colours are colour-blind safe (Okabe-Ito and Paul Tol); the order of the
protection need levels is also carried by lightness, so the figures stay
readable in greyscale. The figures themselves are in
:mod:`~grundschutz.views.figures_graph` (the dependency graph) and
:mod:`~grundschutz.views.plots` (the others).
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence

from grundschutz.model import BASIC_VALUES, Level

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
    """Write the figure to ``path``; the format follows the suffix (``.png`` or ``.svg``).

    Written atomically (:func:`grundschutz.io.files.atomic_write`): a missing
    folder, a full disk or a read-only target raise
    :class:`~grundschutz.io.files.WriteError` naming the path, and leave no
    partial file.
    """
    from pathlib import Path

    from grundschutz.io.files import atomic_write

    path = Path(path)
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in ("png", "svg"):
        from grundschutz.model.errors import GrundschutzError

        raise GrundschutzError(f"unbekanntes Bildformat '{path.suffix}' (erlaubt: .png, .svg)")
    atomic_write(path, figure_bytes(figure, fmt, dpi))


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


def _level_legend(ax, used: Iterable[str], extra: Sequence = (), **kwargs) -> None:
    from matplotlib.patches import Patch

    used = set(used)
    handles = [Patch(facecolor=LEVEL_COLOURS[k], edgecolor="#444444", label=LEVEL_NAMES[k])
               for k in ("normal", "hoch", "sehr hoch", "") if k in used]
    kwargs.setdefault("title", "Höchster Schutzbedarf")
    ax.legend(handles=[*handles, *extra], **kwargs)


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"

