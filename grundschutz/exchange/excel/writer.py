"""The sheet writer of the Excel export: cells, splitting, look and print setup of a table sheet.

- Streaming: XlsxWriter in constant-memory mode; every sheet's rows go to a
  temporary file as they are written, so memory stays flat however many rows a
  sheet has. A sheet longer than the row limit continues on ``"<Blatt> (2)"``,
  ``(3)``, ... . The cells of a row are serialised here (:class:`RowSink`):
  XlsxWriter's own per-cell path costs about ten times as much; everything
  else of the file (styles, columns, validations, print setup, the package)
  is XlsxWriter's.
- Look: bold frozen header rows, autofilter, column widths, wrapped text with
  row heights (a text longer than its column wraps, so nothing is cut),
  conditional formatting for levels, statuses and risks (edits recolour),
  drop-down lists where a cell takes a fixed set of values, read-only cells in
  grey (empty ones too: white means editable), shared formats
  (:mod:`grundschutz.exchange.excel.formats`), print setup
  (:mod:`grundschutz.exchange.excel.printing`).
- Safety: every text cell is an inline string, never a formula, and escaped
  (``&``, ``<``, ``>``, Excel's ``_xHHHH_``); text beginning with ``=``, ``+``,
  ``-`` or ``@`` also gets Excel's quote prefix so that editing the cell keeps
  it text. A text longer than a cell is cut, marked (:data:`~grundschutz.exchange.excel.layout.TRUNCATED`)
  and read-only.

:mod:`grundschutz.exchange.excel.export` puts the sheets together.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime

from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.worksheet import Worksheet

from grundschutz.exchange.excel.formats import LINE_HEIGHT, Formats
from grundschutz.exchange.excel.layout import (
    COLOURS,
    EARLIEST_DATE,
    EXCEL_MAX_TEXT,
    TRUNCATED,
    Sheet,
    split_title,
)
from grundschutz.exchange.excel.printing import apply_print_setup, print_setup
from grundschutz.model.errors import GrundschutzError

_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")  # not allowed in XML 1.0
_CLEAN = re.compile("[\x00-\x08\x0b-\x1f\ufffe\uffff]")  # what excel_text changes (\r included)
_EXCEL_ESCAPE = re.compile("_(x[0-9A-Fa-f]{4}_)")  # Excel reads _xHHHH_ as a character
_FORMULA_START = ("=", "+", "-", "@")
_SPACES = frozenset(" \t\n\r\u00a0\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u3000")
_TRUNCATED_TAIL = re.compile(re.escape(TRUNCATED).replace(r"\{file\}", ".*") + r"\Z")
_EPOCH = datetime(1899, 12, 30)
#: Rows of wrapped text are at most this high (Excel's limit is 409 points).
_MAX_ROW_HEIGHT = 409


def excel_text(text: str, source: str = "") -> str:
    """A text as a cell keeps it: control characters dropped, line ends as
    ``\\n``; longer than Excel's 32,767 characters it is cut and marked as cut,
    naming ``source``, the file that holds the whole text.

    >>> excel_text("a\\r\\nb\\x07")
    'a\\nb'
    >>> cut = excel_text("x" * 40_000, "needs.csv")
    >>> len(cut), cut[-45:]
    (32767, 'xxxxx … [gekürzt – Originaltext in needs.csv]')
    """
    text = _ILLEGAL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    if len(text) > EXCEL_MAX_TEXT:
        mark = TRUNCATED.format(file=source or "der Bewertung")
        text = text[:EXCEL_MAX_TEXT - len(mark)] + mark
    return text


def cell_text(text: str, source: str = "") -> str:
    """:func:`excel_text`, at no cost for the usual text it leaves as it is."""
    if _CLEAN.search(text) or len(text) > EXCEL_MAX_TEXT:
        return excel_text(text, source)
    return text


def is_truncated(text: object) -> bool:
    """Whether a cell's text is a text cut by :func:`excel_text`."""
    return isinstance(text, str) and len(text) == EXCEL_MAX_TEXT and bool(_TRUNCATED_TAIL.search(text[-200:]))


def excel_value(value: object, source: str = "") -> object:
    """A record value as it goes into a cell (text through :func:`excel_text`)."""
    if value is None or isinstance(value, bool | int | float | date):
        if isinstance(value, bool):
            return "ja" if value else "nein"
        return value
    if isinstance(value, list | tuple | set | frozenset):
        value = ", ".join(map(str, value))
    return excel_text(str(value), source)


@functools.lru_cache(maxsize=8192)
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


def row_height(lines: int) -> float:
    """The height in points of a row with ``lines`` lines of text."""
    return min(LINE_HEIGHT * lines + 3, _MAX_ROW_HEIGHT)


def excel_serial(value: date) -> float | int | None:
    """A date as Excel's serial number (1900 date system), ``None`` before 1900.

    >>> excel_serial(date(2024, 3, 5)), excel_serial(datetime(1900, 3, 1, 12))
    (45356, 61.5)
    """
    if isinstance(value, datetime):
        days: float = (value.replace(tzinfo=None) - _EPOCH).total_seconds() / 86400
    else:
        days = (value - _EPOCH.date()).days
    if days < 2:
        return None
    return days - 1 if days < 61 else days  # Excel counts a 29 February 1900


# --------------------------------------------------------------------------- rows


class FastRows(Worksheet):
    """An XlsxWriter worksheet that also takes whole rows of prepared cells (:class:`RowSink`)."""


class RowSink:
    """Writes rows of cells into a worksheet in constant-memory mode.

    ``row(index, cells, height)``: ``index`` counts from 0, ``cells`` are
    ``(column, value, format)`` with ``value`` a text (already through
    :func:`excel_text`), a number, a date or ``None`` (a styled empty cell).
    Rows must come in order. The cells are serialised directly into the
    worksheet's row stream (:meth:`cell` gives one cell, :meth:`put` a row,
    buffered until :meth:`flush`); where XlsxWriter's internals are not what
    this expects (another version), XlsxWriter's public API writes them
    instead.
    """

    def __init__(self, ws) -> None:
        self.ws = ws
        self.fast = (isinstance(ws, FastRows) and ws.constant_memory and getattr(ws, "row_data_fh", None) is not None
                     and hasattr(ws, "_check_dimensions"))
        self._letters = [xl_col_to_name(i) for i in range(64)]
        self._attrs: dict[object, str] = {}
        self._buffer: list[str] = []
        self._last: tuple[int, int] | None = None

    def _attr(self, fmt) -> str:
        """The ``s`` attribute of a cell of format ``fmt`` (registers the format with XlsxWriter)."""
        style = fmt._get_xf_index() if fmt is not None else 0
        self._attrs[fmt] = found = f' s="{style}"' if style else ""
        return found

    def cell(self, column: int, number: int, value: object, fmt):
        """Cell ``column`` of row ``number`` (counting from 1), ready for :meth:`put`."""
        if not self.fast:
            return column, value, fmt
        letters = self._letters
        if column >= len(letters):
            letters.extend(xl_col_to_name(i) for i in range(len(letters), column + 1))
        s = self._attrs.get(fmt)
        if s is None:
            s = self._attr(fmt)
        if value is None:
            return f'<c r="{letters[column]}{number}"{s}/>'
        if type(value) is str:
            if "&" in value or "<" in value or ">" in value:
                value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            if "_x" in value:
                value = _EXCEL_ESCAPE.sub(r"_x005F_\1", value)
            space = ' xml:space="preserve"' if value[0] in _SPACES or value[-1] in _SPACES else ""
            return f'<c r="{letters[column]}{number}"{s} t="inlineStr"><is><t{space}>{value}</t></is></c>'
        if isinstance(value, date):
            value = excel_serial(value)
        return f'<c r="{letters[column]}{number}"{s}><v>{value!r}</v></c>'

    def put(self, index: int, cells: list, height: float | None, last: int) -> None:
        """Row ``index`` (from 0) of cells from :meth:`cell`, ``last`` its last column (buffered)."""
        if not self.fast:
            self._api_row(index, cells, height)
            return
        number = index + 1
        start = f'<row r="{number}" ht="{height:g}" customHeight="1">' if height else f'<row r="{number}">'
        self._buffer.append(start + "".join(cells) + "</row>")
        self._last = (index, max(last, self._last[1]) if self._last else last)
        if len(self._buffer) >= 256:
            self.flush()

    def flush(self) -> None:
        """Write the buffered rows into the worksheet's row stream."""
        if self._buffer:
            self.ws.row_data_fh.write("".join(self._buffer))
            self._buffer.clear()
            self.ws._check_dimensions(0, 0)
            self.ws._check_dimensions(*self._last)

    def row(self, index: int, cells: Sequence[tuple[int, object, object]], height: float | None = None) -> None:
        """Write one row of ``(column, value, format)`` cells at once."""
        self.put(index, [self.cell(c, index + 1, v, f) for c, v, f in cells], height,
                 max((c for c, _, _ in cells), default=0))
        self.flush()

    def _api_row(self, index: int, cells, height) -> None:
        ws = self.ws
        if height:
            ws.set_row(index, height)
        for column, value, fmt in cells:
            if value is None:
                ws.write_blank(index, column, None, fmt)
            elif isinstance(value, str):
                ws.write_string(index, column, value, fmt)
            elif isinstance(value, date):
                ws.write_number(index, column, excel_serial(value), fmt)
            else:
                ws.write_number(index, column, value, fmt)


def text_cell(column: int, value: object, fmt, quoted) -> tuple[int, object, object]:
    """A cell of a record value; text that looks like a formula gets the ``quoted`` format,
    a date before 1900 (which Excel cannot show) is written as text."""
    if isinstance(value, str) and value[:1] in _FORMULA_START:
        return column, value, quoted
    if isinstance(value, date) and excel_serial(value) is None:
        return column, value.strftime("%d.%m.%Y"), fmt
    return column, value, fmt


# --------------------------------------------------------------------------- table sheets


def sheet_print_setup(sheet: Sheet):
    """The :class:`~grundschutz.exchange.excel.printing.PrintSetup` of a table sheet."""
    return print_setup([c.width for c in sheet.columns], [c.width for c in sheet.printed])


class TableWriter:
    """Writes the table sheets of one workbook (see the module docstring); ``counts`` are the
    data rows per written sheet (split parts separately)."""

    def __init__(self, workbook, max_rows: int, formats: Formats) -> None:
        if max_rows < 2:
            raise GrundschutzError("max_rows muss mindestens 2 sein (Kopfzeile und eine Datenzeile)")
        self.workbook = workbook
        self.max_rows = max_rows
        self.formats = formats
        self.counts: dict[str, int] = {}

    def table(self, sheet: Sheet, rows: Iterable[Mapping[str, object]]) -> int:
        """Write a table sheet, split into parts at ``max_rows``; the number of data rows."""
        f = self.formats
        columns = sheet.columns
        keys = [c.key for c in columns]
        widths = [c.width for c in columns]
        wraps = [c.wrap for c in columns]
        body = [f.body(c) for c in columns]
        quoted = [f.body(c, quote=True) for c in columns]
        quoted_wrapped = [f.body(c, quote=True, wrap=True) for c in columns]
        wrapped = [f.body(c, wrap=True) for c in columns]  # a text too long for a column that does not wrap
        cut = [f.body(c, wrap=True, readonly=True) for c in columns]
        blank = [None if c.editable else f.body(c) for c in columns]  # empty read-only cells stay grey
        source = sheet.source
        last = len(columns) - 1
        part, sink, written, total = 1, None, 0, 0
        for row in rows:
            if sink is None or written == self.max_rows - 1:
                if sink is not None:
                    self._finish(sink, sheet, written)
                    part += 1
                sink, written = self._start(sheet, part), 0
                cell = sink.cell
            number, cells, lines = written + 2, [], 1
            for i, key in enumerate(keys):
                value = row.get(key)
                if value is None or value == "":
                    if blank[i] is not None:
                        cells.append(cell(i, number, None, blank[i]))
                    continue
                if type(value) is str:
                    if _CLEAN.search(value) or len(value) > EXCEL_MAX_TEXT:
                        value = excel_text(value, source)
                else:
                    value = excel_value(value, source)
                if type(value) is str:
                    fmt = body[i]
                    if len(value) > widths[i]:
                        lines = max(lines, text_lines(value, widths[i]))
                        if len(value) == EXCEL_MAX_TEXT and is_truncated(value):
                            fmt = cut[i]
                        elif not wraps[i]:
                            fmt = wrapped[i]
                    if value[0] in _FORMULA_START:
                        fmt = quoted_wrapped[i] if fmt is wrapped[i] else quoted[i]
                    cells.append(cell(i, number, value, fmt))
                elif isinstance(value, date) and excel_serial(value) is None:  # before 1900: Excel has no date
                    cells.append(cell(i, number, value.strftime("%d.%m.%Y"), body[i]))
                else:
                    cells.append(cell(i, number, value, body[i]))
            sink.put(number - 1, cells, row_height(lines) if lines > 1 else None, last)
            written += 1
            total += 1
        if sink is None:
            sink = self._start(sheet, 1)
        self._finish(sink, sheet, written)
        return total

    def _start(self, sheet: Sheet, part: int) -> RowSink:
        f = self.formats
        ws = self.workbook.add_worksheet(split_title(sheet.title, part), worksheet_class=FastRows)
        for i, column in enumerate(sheet.columns):
            ws.set_column(i, i, column.width, f.body(column))  # empty cells below the data: grey if read-only
        ws.freeze_panes(1, 1)
        lines = max(text_lines(c.header, c.width) for c in sheet.columns)
        sink = RowSink(ws)
        sink.row(0, [(i, c.header, f.header(c)) for i, c in enumerate(sheet.columns)], LINE_HEIGHT * lines + 4)
        return sink

    def _finish(self, sink: RowSink, sheet: Sheet, written: int) -> None:
        sink.flush()
        ws, f = sink.ws, self.formats
        self.counts[ws.name] = written
        last = self.max_rows - 1
        ws.autofilter(0, 0, written, len(sheet.columns) - 1)
        apply_print_setup(ws, sheet_print_setup(sheet), len(sheet.columns), written + 1)
        for i, column in enumerate(sheet.columns):
            for value in COLOURS.get(column.kind, {}):
                ws.conditional_format(1, i, last, i, {"type": "cell", "criteria": "equal to", "value": f'"{value}"',
                                                      "format": f.conditional(column.kind, value)})
            if not column.editable:
                continue
            title = column.header[:32]
            if column.choices:
                shown = ", ".join(column.choices)
                ws.data_validation(1, i, last, i, {
                    "validate": "list", "source": list(column.choices), "ignore_blank": True,
                    "error_type": "stop", "error_title": "Ungültiger Wert", "error_message": f"Erlaubt: {shown}",
                    "input_title": title, "input_message": f"Auswahl: {shown}", "show_input": False})
            elif column.kind == "date":
                ws.data_validation(1, i, last, i, {
                    "validate": "date", "criteria": ">=", "value": datetime.combine(EARLIEST_DATE, datetime.min.time()),
                    "ignore_blank": True, "error_type": "stop", "error_title": "Kein Datum",
                    "error_message": f"Bitte ein Datum ab {EARLIEST_DATE:%d.%m.%Y} eingeben, z. B. 31.12.2025."})
