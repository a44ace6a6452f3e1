"""A small HTML builder and the Jupyter representations of results.

Everything that comes from an assessment (ids, names, reasons, notes) is
escaped here, in :func:`esc`, and nowhere else: :func:`table` and the other
helpers take plain values and escape them; only arguments called ``html``
or :class:`Markup` are taken as HTML.

The ``*_html`` functions at the end are what ``_repr_html_`` of
:class:`~grundschutz.method.propagation.Propagation`,
:class:`~grundschutz.method.propagation.Derivation` and
:class:`~grundschutz.method.analysis.Analysis` show in Jupyter.

>>> esc('<script>alert("x")</script>')
'&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;'
>>> str(element("td", "A & B", class_="level"))
'<td class="level">A &amp; B</td>'
"""

from __future__ import annotations

import html as _html
from collections.abc import Iterable, Mapping, Sequence

from grundschutz.model import BASIC_VALUES, Level

#: Sort keys for German scale words, so that "sehr hoch" sorts above "hoch".
SCALE_RANK: dict[str, int] = {
    "": 0, "normal": 1, "hoch": 2, "sehr hoch": 3,
    "gering": 1, "mittel": 2,
    "selten": 1, "häufig": 3, "sehr häufig": 4,
    "vernachlässigbar": 1, "begrenzt": 2, "beträchtlich": 3, "existenzbedrohend": 4,
    "unbearbeitet": 0, "nein": 1, "teilweise": 2, "entbehrlich": 3, "ja": 4,
    "B": 1, "S": 2, "H": 3,
}
LEVEL_CLASSES = {"normal": "lv-normal", "hoch": "lv-hoch", "sehr hoch": "lv-sehrhoch", "": "lv-offen"}


class Markup(str):
    """A string that is already HTML (not escaped again)."""

    def __html__(self) -> str:
        return str(self)


def esc(value: object) -> str:
    """Escape a value for HTML text and attributes (``None`` is empty; lists are joined with ``, ``)."""
    if isinstance(value, Markup):
        return str(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else ""
    if isinstance(value, list | tuple):
        return _html.escape(", ".join(map(str, value)), quote=True)
    return _html.escape(str(value), quote=True)


def number(value: object) -> object:
    """Floats with a German decimal comma; other values unchanged.

    >>> number(14.7), number(3), number(None)
    ('14,7', 3, None)
    """
    if isinstance(value, float):
        return f"{value:.1f}".replace(".", ",")
    return value


def german_date(value: object) -> str:
    """An ISO date (``2024-09-30``, also with a time) as TT.MM.JJJJ; other text unchanged.

    >>> german_date("2024-09-30"), german_date("bald")
    ('30.09.2024', 'bald')
    """
    import datetime

    text = "" if value is None else str(value)
    try:
        return datetime.date.fromisoformat(text[:10]).strftime("%d.%m.%Y")
    except ValueError:
        return text


def element(tag: str, content: object = "", **attributes: object) -> Markup:
    """``<tag attr="…">content</tag>``; ``class_`` stands for ``class``, ``data_x`` for ``data-x``;
    attributes that are ``None`` or ``False`` are left out."""
    attrs = "".join(
        f' {name.rstrip("_").replace("_", "-")}' + ("" if value is True else f'="{esc(value)}"')
        for name, value in attributes.items() if value is not None and value is not False
    )
    return Markup(f"<{tag}{attrs}>{esc(content)}</{tag}>")


def join(parts: Iterable[object]) -> Markup:
    """Concatenate parts, escaping those that are not :class:`Markup`."""
    return Markup("".join(esc(p) for p in parts))


def level_cell(label: str, extra: str = "", title: str | None = None) -> Markup:
    """A table cell for a protection need level, coloured by its class."""
    text = label or "nicht bewertet"
    return Markup(f'<td class="{LEVEL_CLASSES.get(label, "")}" data-sort="{SCALE_RANK.get(label, 0)}"'
                  + (f' title="{esc(title)}"' if title else "") + f">{esc(text)}{esc(extra)}</td>")


def table(records: Sequence[Mapping[str, object]], columns: Mapping[str, str], table_id: str,
          caption: str = "", levels: Iterable[str] = (), html_columns: Iterable[str] = (),
          numeric: Iterable[str] = (), dates: Iterable[str] = ()) -> Markup:
    """A sortable, filterable table (see the script of :mod:`grundschutz.views.report`).

    ``columns`` maps record keys to German headers. Cells of ``levels``
    columns are coloured by level, ``html_columns`` hold :class:`Markup`,
    ``numeric`` columns sort as numbers, ``dates`` columns (ISO dates) are
    shown as TT.MM.JJJJ and sort by date. Scale words (levels, statuses,
    categories) sort by rank, not alphabetically.
    """
    levels, html_columns, numeric, dates = set(levels), set(html_columns), set(numeric), set(dates)
    head = "".join(
        f'<th scope="col" data-type="{"num" if key in numeric else "text"}" tabindex="0">{esc(name)}</th>'
        for key, name in columns.items()
    )
    rows = []
    for record in records:
        cells = []
        for key in columns:
            value = record.get(key)
            if key in levels:
                cells.append(level_cell(str(value or "")))
            elif key in html_columns:
                cells.append(f"<td>{value if isinstance(value, Markup) else esc(value)}</td>")
            elif key in numeric:
                cells.append(f'<td class="num">{esc(number(value))}</td>')
            elif key in dates and value:
                shown = german_date(value)
                order = str(value)[:10].replace("-", "") if shown != str(value) else ""
                cells.append(f'<td data-sort="{order}">{esc(shown)}</td>' if order else f"<td>{esc(shown)}</td>")
            else:
                text = esc(value)
                rank = SCALE_RANK.get(str(value)) if isinstance(value, str) else None
                cells.append(f'<td data-sort="{rank}">{text}</td>' if rank is not None and value else f"<td>{text}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    cap = f"<caption>{esc(caption)}</caption>" if caption else ""
    return Markup(
        f'<div class="table-tools"><label>Filtern: <input type="search" class="filter" data-table="{esc(table_id)}" '
        f'placeholder="Suchbegriff …" aria-label="Tabelle filtern"></label> '
        f'<span class="count" data-table="{esc(table_id)}">{len(records)} Zeilen</span></div>'
        f'<div class="table-wrap"><table class="data sortable" id="{esc(table_id)}">{cap}'
        f'<thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table></div>'
    )


def definition_list(items: Iterable[tuple[str, object]]) -> Markup:
    """``<dl>`` of (term, value) pairs; values are escaped unless :class:`Markup`."""
    return Markup("<dl>" + "".join(f"<dt>{esc(k)}</dt><dd>{esc(v)}</dd>" for k, v in items) + "</dl>")


# --------------------------------------------------------------------------- Jupyter

_REPR_STYLE = (
    "<style>.gs-repr table{border-collapse:collapse;font-size:90%}.gs-repr td,.gs-repr th{padding:2px 8px;"
    "border-bottom:1px solid #ddd;text-align:left;vertical-align:top}.gs-repr .lv-normal{background:#cfe9f8}"
    ".gs-repr .lv-hoch{background:#f6d99a}.gs-repr .lv-sehrhoch{background:#882255;color:#fff}"
    ".gs-repr .lv-offen{background:#e6e6e6}</style>"
)


def _level_text(level: Level | None) -> str:
    return level.label if level is not None else ""


def derivation_html(derivation) -> str:
    """A :class:`~grundschutz.method.propagation.Derivation` as a small HTML table."""
    d = derivation
    rows = [
        ("Zielobjekt", d.object),
        ("Grundwert", d.basic_value.label),
        ("Schutzbedarf", _level_text(d.level) or "nicht bewertet"),
        ("Regel", d.rule.label if d.rule else ""),
        ("Herkunft", d.origin or ""),
        ("Pfad", " → ".join(d.path) if d.level is not None else ""),
        ("Begründung", d.reason),
    ]
    if d.computed is not None and d.computed != d.level:
        rows.append(("Berechnet wäre", d.computed.label))
    if d.deviation:
        rows.append(("Abweichung", "unter dem Maximumprinzip gesetzt"))
    if d.provisional:
        rows.append(("Vorläufig", "ein zuliefernder Wert ist noch nicht bewertet"))
    if d.cycle:
        rows.append(("Zyklus", " ↔ ".join(d.cycle)))
    body = "".join(f"<tr><th>{esc(k)}</th><td>{esc(v)}</td></tr>" for k, v in rows if v)
    return f'{_REPR_STYLE}<div class="gs-repr"><table>{body}</table></div>'


def propagation_html(propagation, limit: int = 25) -> str:
    """A :class:`~grundschutz.method.propagation.Propagation`: counts per level and the first objects."""
    from grundschutz.views.summary import summarize
    from grundschutz.views.tables import needs_records

    summary = summarize(propagation)
    head = "".join(f"<th>{esc(v.label)}</th>" for v in BASIC_VALUES)
    levels = ["normal", "hoch", "sehr hoch", "nicht bewertet"]
    counts = "".join(
        f"<tr><th>{esc(word)}</th>" + "".join(
            f"<td>{summary.per_level[v.value].get(word, 0)}</td>" for v in BASIC_VALUES) + "</tr>"
        for word in levels
    )
    records = needs_records(propagation)
    shown = records[:limit]
    rows = "".join(
        f"<tr><td>{esc(r['object'])}</td><td>{esc(r['name'])}</td>"
        + "".join(level_cell(str(r[v.value]), title=str(r[f"{v.value}_rule"])) for v in BASIC_VALUES) + "</tr>"
        for r in shown
    )
    more = (f"<p>… und {len(records) - limit} weitere; alle mit <code>grundschutz.needs_frame(result)</code>.</p>"
            if len(records) > limit else "")
    return (
        f'{_REPR_STYLE}<div class="gs-repr"><p><b>Schutzbedarfsfeststellung: {esc(summary.name)}</b><br>'
        f"{summary.objects} Zielobjekte, {summary.dependencies} Abhängigkeiten, {len(summary.cycles)} Zyklen, "
        f"{len(summary.cumulations)} Kumulationen, {len(summary.deviations)} Abweichungen vom Maximumprinzip</p>"
        f"<table><tr><th></th>{head}</tr>{counts}</table>"
        f"<table><tr><th>Zielobjekt</th><th>Name</th>{head}</tr>{rows}</table>{more}</div>"
    )


def analysis_html(analysis) -> str:
    """An :class:`~grundschutz.method.analysis.Analysis`: what was computed, in numbers."""
    a = analysis
    settings = a.assessment.settings
    items = [
        ("Bewertung", settings.name or str(a.path)),
        ("Organisation", settings.organisation),
        ("Edition / Variante", f"{settings.edition} / {settings.variant}"),
        ("Zielobjekte", len(a.assessment.objects)),
        ("Abhängigkeiten", len(a.assessment.dependencies)),
    ]
    if a.modelling is not None:
        items.append(("Modellierung", f"{len(a.modelling.modelled)} Zielobjekte mit Bausteinen, "
                                      f"{len(a.modelling.unmodelled)} ohne passenden Baustein"))
    if a.selection is not None:
        counts = a.selection.count_by_level()
        items.append(("Anforderungen", f"{len(a.selection)} (B {counts['B']}, S {counts['S']}, H {counts['H']})"))
    if a.check is not None:
        done = sum(1 for e in a.check.entries if e.status.implemented)
        items.append(("IT-Grundschutz-Check", f"{done} von {len(a.check)} umgesetzt (ja oder entbehrlich)"))
    else:
        items.append(("Katalog", "ohne Katalog: nur Schutzbedarf"))
    body = "".join(f"<tr><th>{esc(k)}</th><td>{esc(v)}</td></tr>" for k, v in items if v != "")
    return f'{_REPR_STYLE}<div class="gs-repr"><table>{body}</table></div>'


def register_notebook_display() -> bool:
    """Show propagations, derivations and analyses as HTML tables in Jupyter.

    The results of :mod:`grundschutz.method` know nothing of HTML; this
    registers the functions above with IPython's HTML formatter when IPython
    is running (it is called when :mod:`grundschutz.views` is imported).
    Returns whether a formatter was registered.
    """
    import sys

    if "IPython" not in sys.modules:
        return False
    from IPython import get_ipython

    shell = get_ipython()
    if shell is None:
        return False
    from grundschutz.method.analysis import Analysis
    from grundschutz.method.propagation import Derivation, Propagation

    formatter = shell.display_formatter.formatters["text/html"]
    formatter.for_type(Propagation, propagation_html)
    formatter.for_type(Derivation, derivation_html)
    formatter.for_type(Analysis, analysis_html)
    return True
