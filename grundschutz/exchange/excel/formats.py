"""The cell formats of the workbook, defined once and shared by every cell.

XlsxWriter keeps one ``Format`` per combination of font, fill, alignment and
number format; :class:`Formats` builds each combination the first time it is
asked for and hands out the same object after that, so a million cells use a
handful of styles. The colours are those of
:mod:`grundschutz.exchange.excel.layout`; numbers are shown by number formats
(dates ``TT.MM.JJJJ``, percentages with one decimal), so that Excel and
LibreOffice show them with the reader's decimal comma.
"""

from __future__ import annotations

from grundschutz.exchange.excel.layout import (
    COLOURS,
    HEADER_FILL,
    READONLY_FILL,
    READONLY_FONT,
    READONLY_HEADER_FILL,
    Column,
)

FONT = "Calibri"  # Excel's default; LibreOffice shows the metric-compatible Carlito
FONT_SIZE = 11
#: Points per line of wrapped 11-point text (row heights are set for wrapped cells).
LINE_HEIGHT = 15
#: Number formats: the codes are locale-neutral, the reader's Excel shows its decimal comma.
DATE_FORMAT = "DD.MM.YYYY"
PERCENT_FORMAT = "0.0 %"
HEADER_BORDER = "BFBFBF"


class Formats:
    """The shared XlsxWriter formats of one workbook (see the module docstring)."""

    def __init__(self, workbook) -> None:
        self.workbook = workbook
        self._cache: dict[tuple, object] = {}
        self._conditional: dict[tuple[str, str], object] = {}

    def get(self, *, bold: bool = False, size: int | None = None, colour: str | None = None,
            fill: str | None = None, wrap: bool = False, date: bool = False, percent: bool = False,
            quote: bool = False, header: bool = False):
        """The format of a combination of properties (built once)."""
        key = (bold, size, colour, fill, wrap, date, percent, quote, header)
        found = self._cache.get(key)
        if found is None:
            spec: dict[str, object] = {"font_name": FONT, "font_size": size or FONT_SIZE,
                                       "valign": "vcenter" if header else "top"}
            if bold:
                spec["bold"] = True
            if colour:
                spec["font_color"] = f"#{colour}"
            if fill:
                spec.update(pattern=1, bg_color=f"#{fill}")
            if wrap or header:
                spec["text_wrap"] = True
            if header:
                spec.update(bottom=1, bottom_color=f"#{HEADER_BORDER}")
            if date:
                spec["num_format"] = DATE_FORMAT
            if percent:
                spec["num_format"] = PERCENT_FORMAT
            if quote:
                spec["quote_prefix"] = True
            found = self._cache[key] = self.workbook.add_format(spec)
        return found

    def body(self, column: Column, *, quote: bool = False, wrap: bool | None = None, readonly: bool | None = None):
        """A cell of ``column``: grey if read-only (``readonly`` overrides the column, e.g. for a cut
        text), wrapped if the column wraps (or ``wrap``), a date format for dates, Excel's quote
        prefix for text that would otherwise be read as a formula."""
        grey = not column.editable if readonly is None else readonly
        return self.get(colour=READONLY_FONT if grey else None, fill=READONLY_FILL if grey else None,
                        wrap=column.wrap if wrap is None else wrap, date=column.kind == "date", quote=quote)

    def header(self, column: Column):
        """The header of ``column``: white on dark blue if editable, on dark grey if not."""
        return self.get(bold=True, colour="FFFFFF", fill=HEADER_FILL if column.editable else READONLY_HEADER_FILL,
                        header=True)

    def conditional(self, kind: str, value: str):
        """The conditional format (fill and font colour) of ``value`` in a column of ``kind``."""
        key = (kind, value)
        if key not in self._conditional:
            fill, font = COLOURS[kind][value]
            self._conditional[key] = self.workbook.add_format(
                {"font_name": FONT, "font_color": f"#{font}", "pattern": 1, "bg_color": f"#{fill}"})
        return self._conditional[key]
