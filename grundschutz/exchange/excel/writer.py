"""The styled sheet writer of the Excel export: cells, styles, splitting, printing.

- Streaming: openpyxl's write-only mode; every sheet goes to its own temporary
  stream, so memory stays flat however many rows a sheet has. A sheet longer
  than the row limit continues on ``"<Blatt> (2)"``, ``(3)``, ... .
- Look: bold frozen header rows, autofilter, column widths, wrapped text with
  row heights, conditional formatting for levels, statuses and risks (edits
  recolour), drop-down lists where a cell takes a fixed set of values,
  read-only columns in grey, page setup for printing.
- Safety: every text cell is written as text, never as a formula
  (:func:`excel_text` drops what XML does not allow); text beginning with
  ``=``, ``+``, ``-`` or ``@`` also gets Excel's quote prefix so that editing
  the cell keeps it text.

:mod:`grundschutz.exchange.excel.export` puts the sheets together.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Iterable, Mapping
from datetime import date, datetime

from grundschutz.exchange.excel.layout import (
    COLOURS,
    EXCEL_MAX_TEXT,
    HEADER_FILL,
    READONLY_FILL,
    READONLY_FONT,
    READONLY_HEADER_FILL,
    Column,
    Sheet,
    split_title,
)
from grundschutz.model.errors import GrundschutzError

FONT = "Calibri"  # Excel's default; LibreOffice shows a metric-compatible font
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")  # not allowed in XML 1.0
_FORMULA_START = ("=", "+", "-", "@")


def excel_text(text: str) -> str:
    """A text as a cell keeps it: control characters dropped, line ends as
    ``\\n``, cut at Excel's 32,767 characters.

    >>> excel_text("a\\r\\nb\\x07")
    'a\\nb'
    """
    text = _ILLEGAL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    return text[:EXCEL_MAX_TEXT]


# --------------------------------------------------------------------------- styles


class _Styles:
    """Cell style templates (openpyxl ``StyleArray``), built once per workbook."""

    def __init__(self, workbook) -> None:
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

        self._cell = WriteOnlyCell
        self._workbook = workbook
        self.scratch = workbook.create_sheet("_styles")  # never saved: removed again at once
        workbook.remove(self.scratch)
        thin = Side(style="thin", color="BFBFBF")
        self.border = Border(bottom=thin)
        self.font_bold = Font(bold=True)
        self.Alignment, self.Font, self.PatternFill = Alignment, Font, PatternFill
        self._cache: dict[tuple, object] = {}

    def array(self, *, bold=False, size=None, colour=None, fill=None, wrap=False, date=False, quote=False,
              header=False):
        """The ``StyleArray`` of a combination of formats (cached)."""
        key = (bold, size, colour, fill, wrap, date, quote, header)
        if key not in self._cache:
            cell = self._cell(self.scratch)
            cell.font = self.Font(name=FONT, bold=bold, size=size or 11, color=colour)
            if fill:
                cell.fill = self.PatternFill("solid", start_color=fill, end_color=fill)
            cell.alignment = self.Alignment(wrap_text=wrap or header, vertical="center" if header else "top")
            if header:
                cell.border = self.border
            if date:
                cell.number_format = "DD.MM.YYYY"
            if quote:
                cell.quotePrefix = True
            self._cache[key] = cell._style
        return self._cache[key]

    def body(self, column: Column, quote: bool = False):
        readonly = not column.editable
        return self.array(colour=READONLY_FONT if readonly else None, fill=READONLY_FILL if readonly else None,
                          wrap=column.wrap, date=column.kind == "date", quote=quote)

    def header(self, column: Column):
        fill = HEADER_FILL if column.editable else READONLY_HEADER_FILL
        return self.array(bold=True, colour="FFFFFF", fill=fill, header=True)


def _cell(ws, value, style):
    """A write-only cell; text is always text (never a formula or an error code).

    Built directly (value and type set, no type guessing): a third of the
    export's time goes into cells.
    """
    from openpyxl.cell import Cell

    cell = Cell(ws, row=1, column=1, style_array=style)
    if isinstance(value, str):
        if value:
            cell._value = value
            cell.data_type = "s"
    elif isinstance(value, datetime | date):
        cell._value = value
        cell.data_type = "d"
    elif value is not None:
        cell._value = value
        cell.data_type = "n"
    return cell


def _prebuilt_rows(values, row_idx):
    """Replacement for openpyxl's ``WriteOnlyWorksheet._values_to_row`` for rows of
    ready cells: openpyxl's own tries to assign each cell as a value first and
    catches the error, which costs more than writing the cell."""
    for col_idx, cell in enumerate(values, 1):
        if cell is not None:
            cell.row, cell.column = row_idx, col_idx
            yield cell


def text_lines(text: str, width: float) -> int:
    r"""How many lines a wrapped text takes in a column ``width`` characters wide (an estimate).

    >>> text_lines("kurz", 10), text_lines("x" * 25, 10), text_lines("a\nb", 10)
    (1, 3, 2)
    >>> text_lines("Zugriff Ausländerzentralregister (AZR)", 24)
    3
    """
    capacity = max(int(width) - 1, 1)
    lines = 0
    for part in text.split("\n"):
        if len(part) <= capacity:
            lines += 1
            continue
        count, used = 1, 0  # greedy word wrap, as Excel and LibreOffice break lines
        for word in part.split(" "):
            if used and used + 1 + len(word) <= capacity:
                used += 1 + len(word)
            else:
                count, used = count + (1 if used else 0), len(word)
                while used > capacity:
                    count, used = count + 1, used - capacity
        lines += count
    return lines


def _append(ws, cells: list, row: int, lines: int) -> None:
    """Append a row; a row of wrapped text gets its height (set just for this
    row and dropped after, so that memory stays flat), because LibreOffice and
    Excel do not grow rows when they open a file."""
    if lines > 1:
        ws.row_dimensions[row].height = min(_LINE * lines + 3, 409)
    ws.append(cells)
    if lines > 1:
        del ws.row_dimensions[row]


_LINE = 15  # points per line of 11-point text
_PRINT_WIDTH = 260  # characters of column width that still print legibly on A4 across


def excel_value(value: object) -> object:
    """A record value as it goes into a cell."""
    if value is None or isinstance(value, bool | int | float | date):
        if isinstance(value, bool):
            return "ja" if value else "nein"
        return value
    if isinstance(value, list | tuple | set | frozenset):
        value = ", ".join(map(str, value))
    return excel_text(str(value))


# --------------------------------------------------------------------------- sheets


class _Writer:
    def __init__(self, workbook, max_rows: int) -> None:
        if max_rows < 2:
            raise GrundschutzError("max_rows muss mindestens 2 sein (Kopfzeile und eine Datenzeile)")
        self.workbook = workbook
        self.max_rows = max_rows
        self.styles = _Styles(workbook)
        self.counts: dict[str, int] = {}

    def table(self, sheet: Sheet, rows: Iterable[Mapping[str, object]]) -> int:
        """Write a table sheet, split into parts at ``max_rows``; the number of data rows."""
        part, ws, written, total = 1, None, 0, 0
        columns = sheet.columns
        bodies = [self.styles.body(c) for c in columns]
        quoted = [self.styles.body(c, quote=True) for c in columns]
        for row in rows:
            if ws is None or written == self.max_rows - 1:
                if ws is not None:
                    self._finish(ws, sheet, written)
                    self.counts[ws.title] = written
                    part += 1
                ws, written = self._start(sheet, part), 0
            cells, lines = [], 1
            for i, column in enumerate(columns):
                value = excel_value(row.get(column.key))
                if value is None or value == "":
                    cells.append(None)  # the column's style gives the empty cell its look
                    continue
                quote = isinstance(value, str) and value[0] in _FORMULA_START
                cells.append(_cell(ws, value, quoted[i] if quote else bodies[i]))
                if column.wrap and isinstance(value, str) and len(value) > column.width:
                    lines = max(lines, text_lines(value, column.width))
            _append(ws, cells, written + 2, lines)
            written += 1
            total += 1
        if ws is None:
            ws = self._start(sheet, 1)
        self._finish(ws, sheet, written)
        self.counts[ws.title] = written
        return total

    def _start(self, sheet: Sheet, part: int):
        from openpyxl.styles.cell_style import StyleArray
        from openpyxl.utils import get_column_letter

        ws = self.workbook.create_sheet(split_title(sheet.title, part))
        ws._values_to_row = _prebuilt_rows
        for i, column in enumerate(sheet.columns, start=1):
            dimension = ws.column_dimensions[get_column_letter(i)]
            dimension.width = column.width
            dimension._style = StyleArray(self.styles.body(column))  # empty cells: grey if read-only
        lines = max(len(textwrap.wrap(c.header, max(int(c.width) - 1, 1), break_on_hyphens=False))
                    for c in sheet.columns)
        ws.row_dimensions[1].height = 15 * max(lines, 1) + 4
        ws.freeze_panes = "B2"
        ws.print_title_rows = "1:1"
        ws.page_setup.orientation = "landscape"
        # whole rows on every page: one page across, A3 for the wide sheets
        ws.page_setup.paperSize = "9" if sum(c.width for c in sheet.columns) <= _PRINT_WIDTH else "8"
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.append([_cell(ws, c.header, self.styles.header(c)) for c in sheet.columns])
        return ws

    def _finish(self, ws, sheet: Sheet, written: int) -> None:
        from openpyxl.formatting.rule import CellIsRule
        from openpyxl.styles import Font, PatternFill
        from openpyxl.utils import get_column_letter
        from openpyxl.worksheet.datavalidation import DataValidation

        last = get_column_letter(len(sheet.columns))
        ws.auto_filter.ref = f"A1:{last}{written + 1}"
        for i, column in enumerate(sheet.columns, start=1):
            letter = get_column_letter(i)
            area = f"{letter}2:{letter}{self.max_rows}"
            for value, (fill, font) in COLOURS.get(column.kind, {}).items():
                ws.conditional_formatting.add(area, CellIsRule(
                    operator="equal", formula=[f'"{value}"'], fill=PatternFill("solid", start_color=fill, end_color=fill),
                    font=Font(name=FONT, color=font)))
            if not column.editable:
                continue
            if column.choices:
                shown = ", ".join(column.choices)
                validation = DataValidation(type="list", formula1='"' + ",".join(column.choices) + '"',
                                            allow_blank=True, showErrorMessage=True, errorStyle="stop",
                                            errorTitle="Ungültiger Wert", error=f"Erlaubt: {shown}",
                                            promptTitle=column.header, prompt=f"Auswahl: {shown}",
                                            showInputMessage=False)
            elif column.kind == "date":
                validation = DataValidation(type="date", operator="greaterThan", formula1="1", allow_blank=True,
                                            showErrorMessage=True, errorTitle="Kein Datum",
                                            error="Bitte ein Datum eingeben, z. B. 31.12.2025.")
            else:
                continue
            validation.add(area)
            ws.data_validations.append(validation)
