"""The print setup of each sheet: landscape A4 or A3, header row on every page, legible text.

A sheet is printed one page wide, scaled down as Excel and LibreOffice do for
"fit to one page wide", but only as far as the text stays at least
:data:`MIN_FONT_PT` (8 pt) large:

- all columns on landscape A4 if they fit there at 8 pt or more, else on A3;
- a sheet too wide even for A3 prints its leading columns marked
  ``printed`` in the layout (the print area), e.g. the Schutzbedarfsfeststellung
  its results, assessed values and reasons; the other columns stay in the
  workbook.

Column widths are converted as Excel does (a character is 7 pixels, plus 5
pixels of padding; 96 pixels to the inch). LibreOffice converts the same
widths wider (measured with LibreOffice Calc 7 and Carlito on the worked
example: 4-9 % wider), so it scales "fit to width" further down; the font
size computed here is the smaller of the two (:data:`LIBREOFFICE_WIDTH`), and
8 pt holds in both.

>>> setup = print_setup([12, 20, 32, 60, 30, 8], [12, 20, 32, 60, 30, 8])
>>> setup.paper, setup.columns, round(setup.font_pt, 1)
('A4', 6, 9.1)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from grundschutz.exchange.excel.formats import FONT_SIZE

#: The smallest font size a printed sheet may have.
MIN_FONT_PT = 8.0
#: How much wider LibreOffice prints the columns of an xlsx than Excel (at most 9 % measured, 10 % assumed).
LIBREOFFICE_WIDTH = 1.1
#: Paper sizes: name -> (XlsxWriter/Excel paper code, landscape width in mm).
PAPERS = {"A4": (9, 297.0), "A3": (8, 420.0)}
#: Page margins in inches (left and right; top and bottom leave room for the footer).
SIDE_MARGIN = 0.3
TOP_MARGIN = 0.6
BOTTOM_MARGIN = 0.7
#: The footer of every page: the sheet's name on the left, "Seite 3 von 12" on the right.
FOOTER = "&L&8&A&R&8Seite &P von &N"


@dataclass(frozen=True)
class PrintSetup:
    """How a sheet prints: paper, the number of leading columns printed, scale and resulting font size
    (``scale``: the smaller of Excel's and LibreOffice's "fit to width")."""

    paper: str
    columns: int
    scale: float

    @property
    def font_pt(self) -> float:
        return FONT_SIZE * self.scale

    @property
    def paper_code(self) -> int:
        return PAPERS[self.paper][0]


def column_points(width: float) -> float:
    """The printed width in points of a column ``width`` characters wide (at 100 %)."""
    return (int(width * 7 + 0.5) + 5) * 0.75


def printable_points(paper: str) -> float:
    """The width in points a landscape page of ``paper`` leaves between its margins."""
    return PAPERS[paper][1] / 25.4 * 72 - 2 * SIDE_MARGIN * 72


def print_setup(widths: Sequence[float], printed: Sequence[float]) -> PrintSetup:
    """The print setup of a sheet with column ``widths``; ``printed`` are the widths of the
    leading columns to print when not all fit. :class:`ValueError` if even those do not fit
    on A3 at :data:`MIN_FONT_PT` (a layout error)."""
    for candidate in (widths, printed):
        content = sum(column_points(w) for w in candidate) * LIBREOFFICE_WIDTH
        for paper in PAPERS:
            scale = min(1.0, printable_points(paper) / content)
            if FONT_SIZE * scale >= MIN_FONT_PT:
                return PrintSetup(paper, len(candidate), scale)
    raise ValueError(f"Spalten zu breit für A3 bei {MIN_FONT_PT:g} pt: {sum(printed):g} Zeichen")


def apply_print_setup(ws, setup: PrintSetup, total_columns: int, rows: int | None = None) -> None:
    """Set up worksheet ``ws`` (XlsxWriter) for printing with ``setup``; ``rows`` (header included)
    bound the print area of a sheet that prints only its leading columns."""
    ws.set_landscape()
    ws.set_paper(setup.paper_code)
    ws.set_margins(left=SIDE_MARGIN, right=SIDE_MARGIN, top=TOP_MARGIN, bottom=BOTTOM_MARGIN)
    ws.set_footer(FOOTER, {"margin": 0.3})
    ws.repeat_rows(0)
    ws.fit_to_pages(1, 0)
    if setup.columns < total_columns:
        ws.print_area(0, 0, max((rows or 1) - 1, 1), setup.columns - 1)
