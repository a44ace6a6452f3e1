"""The provider's Excel workbook of a portfolio, written with XlsxWriter.

Sheets: ``Übersicht`` (one row per shared object: the inherited need per
basic value, who sets it, the cumulation across clients; each id links to its
sheet), one sheet per shared object (its municipalities, their needs, where
each value comes from and why; values at the maximum in bold), and where
there are any ``Kumulation`` (rules across clients that fired, candidates),
``Nicht berücksichtigt`` (folders with errors) and ``Hinweise``.

Everything is written as values, text always as text (a cell beginning with
``=``, ``+``, ``-`` or ``@`` keeps Excel's quote prefix, so it never becomes a
formula), row by row in XlsxWriter's constant-memory mode, into a temporary
file that replaces the target only when complete
(:func:`~grundschutz.io.files.atomic_output`).
"""

from __future__ import annotations

import datetime as _dt
import re
from pathlib import Path

from grundschutz.io.files import atomic_output
from grundschutz.method.portfolio import ClientCumulation, Portfolio
from grundschutz.model import BASIC_VALUES, Level
from grundschutz.model.errors import GrundschutzError
from grundschutz.views.portfolio_tables import headline

#: Fill colours of the levels (as in the figures and the report).
LEVEL_FILLS = {"normal": "#D5ECFA", "hoch": "#F8DEA4", "sehr hoch": "#882255", "": "#E6E6E6"}
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_SHEET_CHARACTERS = re.compile(r"[\[\]:*?/\\]")
_MAX_TEXT = 32767


def _text(value: object) -> str:
    text = "" if value is None else str(value)
    return _ILLEGAL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))[:_MAX_TEXT]


def _label(level: Level | None) -> str:
    return level.label if level is not None else ""


class _Writer:
    """Formats and the cell writing of one workbook."""

    def __init__(self, book) -> None:
        self.book = book
        base = {"font_name": "Calibri", "font_size": 10, "valign": "top"}
        self.plain = book.add_format(base)
        self.quoted = book.add_format({**base, "quote_prefix": True})
        self.wrap = book.add_format({**base, "text_wrap": True})
        self.bold = book.add_format({**base, "bold": True})
        self.title = book.add_format({**base, "bold": True, "font_size": 14, "font_color": "#1F4E79"})
        self.header = book.add_format({**base, "bold": True, "bg_color": "#DCE6F1", "bottom": 1, "text_wrap": True})
        self.link = book.add_format({**base, "font_color": "#1F4E79", "underline": 1})
        self.levels = {}
        for label, fill in LEVEL_FILLS.items():
            colour = "#FFFFFF" if label == "sehr hoch" else "#111111"
            for bold in (False, True):
                self.levels[(label, bold)] = book.add_format({**base, "bg_color": fill, "font_color": colour,
                                                             "bold": bold})

    def text(self, sheet, row: int, column: int, value: object, fmt=None) -> None:
        text = _text(value)
        if fmt is None and text.startswith(("=", "+", "-", "@")):
            fmt = self.quoted
        sheet.write_string(row, column, text, fmt or self.plain)

    def level(self, sheet, row: int, column: int, level: Level | None, bold: bool = False, mark: str = "") -> None:
        label = _label(level)
        sheet.write_string(row, column, (label or "nicht bewertet") + mark, self.levels[(label, bold)])

    def table_header(self, sheet, row: int, headers: list[tuple[str, float]]) -> None:
        for column, (name, width) in enumerate(headers):
            sheet.set_column(column, column, width)
            sheet.write_string(row, column, name, self.header)
        sheet.freeze_panes(row + 1, 0)


def _sheet_names(portfolio: Portfolio) -> dict[str, str]:
    """A unique, valid sheet name (at most 31 characters) for every shared object."""
    taken = {"übersicht", "kumulation", "nicht berücksichtigt", "hinweise"}
    names = {}
    for shared in portfolio.objects:
        base = _SHEET_CHARACTERS.sub("_", shared.id).strip("'")[:31] or "Objekt"
        name, n = base, 2
        while name.casefold() in taken:
            suffix = f" ({n})"
            name, n = base[: 31 - len(suffix)] + suffix, n + 1
        taken.add(name.casefold())
        names[shared.id] = name
    return names


def _overview(w: _Writer, portfolio: Portfolio, names: dict[str, str], date: _dt.date) -> None:
    sheet = w.book.add_worksheet("Übersicht")
    w.text(sheet, 0, 0, f"Portfolio: {portfolio.provider_name} (Anbieter {portfolio.provider})", w.title)
    w.text(sheet, 1, 0, headline(portfolio))
    w.text(sheet, 2, 0, f"Stand: {date.strftime('%d.%m.%Y')}. Geerbter Schutzbedarf = Maximum über die Kommunen; "
                        "* = durch Kumulationseffekt über Kommunen angehoben.")
    headers = [("Zielobjekt", 12), ("Name", 40), ("Typ", 12), ("Kommunen", 10)]
    headers += [(v.label, 15) for v in BASIC_VALUES]
    headers += [(f"{v.label}: gesetzt von", 32) for v in BASIC_VALUES]
    headers += [("Kumulationseffekt über Kommunen", 40)]
    start = 4
    w.table_header(sheet, start, headers)
    for r, shared in enumerate(portfolio.objects, start=start + 1):
        sheet.write_url(r, 0, f"internal:'{names[shared.id]}'!A1", w.link, _text(shared.id))
        w.text(sheet, r, 1, shared.name)
        w.text(sheet, r, 2, shared.type)
        sheet.write_number(r, 3, len(shared.clients), w.plain)
        for c, value in enumerate(shared.values, start=4):
            w.level(sheet, r, c, value.level, mark="*" if value.cumulation else "")
        for c, value in enumerate(shared.values, start=7):
            first = value.drivers[0] if value.drivers else None
            more = f" (+{len(value.drivers) - 1})" if len(value.drivers) > 1 else ""
            w.text(sheet, r, c, f"{first.client_name}: {first.origin or first.object}{more}" if first else "")
        w.text(sheet, r, 10, "; ".join(f"{v.basic_value.label}: {v.cumulation.rule.name} ({v.cumulation.count} "
                                        "Kommunen)" for v in shared.values if v.cumulation))
    if portfolio.objects:
        sheet.autofilter(start, 0, start + len(portfolio.objects), len(headers) - 1)


def _object_sheet(w: _Writer, portfolio: Portfolio, shared, name: str) -> None:
    sheet = w.book.add_worksheet(name)
    w.text(sheet, 0, 0, f"{shared.id} {shared.name}", w.title)
    inherited = ", ".join(f"{v.basic_value.label} {_label(v.level) or 'nicht bewertet'}"
                          + (" (Kumulationseffekt)" if v.cumulation else "") for v in shared.values)
    w.text(sheet, 1, 0, f"Geerbter Schutzbedarf: {inherited}. {len(shared.clients)} Kommunen; fett = höchster Wert.")
    sheet.write_url(2, 0, "internal:'Übersicht'!A1", w.link, "zur Übersicht")
    headers = [("Kommune", 30), ("Ordner", 24), ("Zielobjekt(e) der Kommune", 18)]
    for value in BASIC_VALUES:
        headers += [(value.label, 14), (f"{value.label}: Herkunft", 26), (f"{value.label}: Begründung", 50)]
    start = 4
    w.table_header(sheet, start, headers)
    for r, use in enumerate(shared.clients, start=start + 1):
        w.text(sheet, r, 0, use.client_name)
        w.text(sheet, r, 1, use.client)
        w.text(sheet, r, 2, ", ".join(use.objects))
        for i, value in enumerate(BASIC_VALUES):
            need = use.need(value)
            at_maximum = need.level is not None and need.level == shared.value(value).maximum
            w.level(sheet, r, 3 + 3 * i, need.level, bold=at_maximum)
            w.text(sheet, r, 4 + 3 * i, f"{need.origin} ({need.origin_name})" if need.origin else "")
            w.text(sheet, r, 5 + 3 * i, need.reason)
    if shared.clients:
        sheet.autofilter(start, 0, start + len(shared.clients), len(headers) - 1)


def _cumulation_sheet(w: _Writer, portfolio: Portfolio) -> None:
    sheet = w.book.add_worksheet("Kumulation")
    w.text(sheet, 0, 0, "Kumulationseffekt über Kommunen", w.title)
    headers = [("Art", 14), ("Zielobjekt", 12), ("Grundwert", 16), ("Regel", 36), ("Kommunen", 10),
               ("Schwelle", 10), ("mindestens", 12), ("vorher", 14), ("Ziel", 14), ("Begründung der Regel", 60),
               ("Gezählte Kommunen", 60)]
    w.table_header(sheet, 2, headers)
    events: list[tuple[str, ClientCumulation]] = [("angewendet", c) for c in portfolio.cumulations]
    events += [("Kandidat", c) for c in portfolio.candidates]
    for r, (kind, c) in enumerate(events, start=3):
        w.text(sheet, r, 0, kind)
        w.text(sheet, r, 1, c.object)
        w.text(sheet, r, 2, c.basic_value.label)
        w.text(sheet, r, 3, c.rule.name)
        sheet.write_number(r, 4, c.count, w.plain)
        sheet.write_number(r, 5, c.rule.min_dependents, w.plain)
        w.text(sheet, r, 6, c.rule.at_level.label)
        w.level(sheet, r, 7, c.before)
        w.level(sheet, r, 8, c.rule.raise_to)
        w.text(sheet, r, 9, c.rule.reason)
        w.text(sheet, r, 10, ", ".join(c.client_names))


def _list_sheet(w: _Writer, title: str, intro: str, headers: list[tuple[str, float]], rows: list[list[str]]) -> None:
    sheet = w.book.add_worksheet(title)
    w.text(sheet, 0, 0, intro, w.bold)
    w.table_header(sheet, 2, headers)
    for r, row in enumerate(rows, start=3):
        for c, value in enumerate(row):
            w.text(sheet, r, c, value)


def write_portfolio_workbook(portfolio: Portfolio, path: str | Path, *, date: _dt.date | None = None) -> Path:
    """Write the portfolio workbook (``.xlsx``) to ``path`` atomically and return the path."""
    import xlsxwriter
    from xlsxwriter.exceptions import XlsxWriterException

    target = Path(path)
    names = _sheet_names(portfolio)
    with atomic_output(target, suffix=".xlsx") as temp:
        book = xlsxwriter.Workbook(str(temp), {"constant_memory": True, "strings_to_formulas": False,
                                               "strings_to_urls": False})
        book.set_properties({"title": f"Portfolio {portfolio.provider_name}", "author": "grundschutz",
                             "created": _dt.datetime(2000, 1, 1)})
        try:
            w = _Writer(book)
            _overview(w, portfolio, names, date or _dt.date.today())
            for shared in portfolio.objects:
                _object_sheet(w, portfolio, shared, names[shared.id])
            if portfolio.cumulations or portfolio.candidates:
                _cumulation_sheet(w, portfolio)
            if portfolio.excluded:
                _list_sheet(w, "Nicht berücksichtigt", "Bewertungen mit Fehlern: die Ergebnisse schließen sie aus.",
                            [("Ordner", 40), ("Fehler", 120)],
                            [[s.source, str(p)] for s in portfolio.excluded for p in s.problems])
            if portfolio.notes:
                _list_sheet(w, "Hinweise", "Verweise, die nicht oder nur einmal gezählt werden.",
                            [("Kommune", 30), ("Zielobjekt", 14), ("Verweis", 30), ("Hinweis", 80)],
                            [[n.client_name, n.object, n.value, n.message] for n in portfolio.notes])
            book.close()
        except XlsxWriterException as exc:
            raise GrundschutzError(f"{target}: nicht geschrieben ({exc})") from None
    return target
