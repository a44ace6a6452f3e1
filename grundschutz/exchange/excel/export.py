"""Export an analysis as one German Excel workbook for the KRZ and the departments.

:func:`export_workbook` writes the BSI's reference documents as sheets:
Übersicht, Strukturanalyse, Abhängigkeiten, Schutzbedarfsfeststellung,
Modellierung, IT-Grundschutz-Check and, where the modules that compute them
are installed, Risikoanalyse, Realisierungsplan and one sheet per scenario.

- Streaming: openpyxl's write-only mode; every sheet goes to its own temporary
  stream, so memory stays flat however many rows a sheet has. A sheet longer
  than Excel's row limit continues on ``"<Blatt> (2)"``, ``(3)``, ... .
- Look: bold frozen header rows, autofilter, column widths, wrapped text,
  conditional formatting for levels, statuses and risks (edits recolour),
  drop-down lists where a cell takes a fixed set of values, read-only columns
  in grey with a legend on Übersicht.
- Safety: every text cell is written as text (``t="inlineStr"``), never as a
  formula; text beginning with ``=``, ``+``, ``-`` or ``@`` also gets Excel's
  quote prefix so that editing the cell keeps it text. The workbook is written
  to a temporary file in the target folder and moved into place with
  :func:`os.replace`: an interrupted export leaves no broken file.
- Identity: the hidden sheet ``_grundschutz`` carries the assessment's name,
  a fingerprint of its object ids, the toolkit version and SHA-256 sums of the
  files the import writes to, so that :mod:`grundschutz.exchange.excel.importing` can
  refuse a workbook of another assessment.

The rows of the editable sheets come from :func:`sheet_rows`, which the
import uses too: what the export shows is what the import compares with.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import textwrap
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from grundschutz.model.errors import GrundschutzError
from grundschutz.exchange.excel.layout import (
    COLOURS,
    EFFECT_LABELS,
    EXCEL_MAX_ROWS,
    EXCEL_MAX_TEXT,
    HEADER_FILL,
    LAYOUT_VERSION,
    META_SHEET,
    READONLY_FILL,
    READONLY_FONT,
    READONLY_HEADER_FILL,
    SHEETS,
    Column,
    Sheet,
    edition_sheets,
    split_title,
)
from grundschutz.model import BASIC_VALUES

#: The table sheets :func:`export_workbook` can write, in order.
SHEET_NAMES = ("objects", "dependencies", "needs", "modelling", "check", "risks", "plan", "scenarios")
#: Files the import may write; their SHA-256 sums are recorded at export.
SOURCE_FILES = ("needs.csv", "check.csv", "modelling.csv", "risks.csv")
FONT = "Calibri"  # Excel's default; LibreOffice shows a metric-compatible font
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")  # not allowed in XML 1.0
_FORMULA_START = ("=", "+", "-", "@")


# --------------------------------------------------------------------------- values


def excel_text(text: str) -> str:
    """A text as a cell keeps it: control characters dropped, line ends as
    ``\\n``, cut at Excel's 32,767 characters.

    >>> excel_text("a\\r\\nb\\x07")
    'a\\nb'
    """
    text = _ILLEGAL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    return text[:EXCEL_MAX_TEXT]


def assessment_fingerprint(object_ids: Iterable[str]) -> str:
    """A short SHA-256 fingerprint of a set of object ids (order does not matter).

    >>> assessment_fingerprint(["B", "A"]) == assessment_fingerprint(["A", "B"])
    True
    """
    digest = hashlib.sha256("\n".join(sorted(object_ids)).encode("utf-8"))
    return digest.hexdigest()[:16]


def source_hashes(folder: str | Path) -> dict[str, str]:
    """SHA-256 of each file in :data:`SOURCE_FILES` (``"-"`` where absent)."""
    folder = Path(folder)
    result = {}
    for name in SOURCE_FILES:
        path = folder / name
        result[name] = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "-"
    return result


def assessment_folder(analysis) -> Path:
    """The folder of an analysis' assessment (its ``path`` or the workbook's folder)."""
    path = Path(analysis.path)
    return path if path.is_dir() or path.suffix.lower() != ".xlsx" else path.parent


# --------------------------------------------------------------------------- rows


def _names(analysis) -> dict[str, str]:
    names = {i: o.name for i, o in analysis.assessment.objects.items()}
    if analysis.modelling is not None:
        verbund = analysis.modelling.informationsverbund
        names.setdefault(verbund.id, verbund.name)
    return names


def object_rows(analysis) -> Iterator[dict[str, object]]:
    """Strukturanalyse: one row per object of ``objects.csv``."""
    for obj in analysis.assessment.objects.values():
        tags = "; ".join(f"{k}={v}" if v else k for k, v in obj.tags.items())
        yield {"id": obj.id, "type": obj.type.label, "name": obj.name, "description": obj.description,
               "tags": tags, "count": obj.count}


def dependency_rows(analysis) -> Iterator[dict[str, object]]:
    """Abhängigkeiten: one row per edge of ``dependencies.csv``."""
    names = _names(analysis)
    for d in analysis.assessment.dependencies:
        yield {"object": d.source, "object_name": names.get(d.source, ""), "depends_on": d.target,
               "depends_on_name": names.get(d.target, ""), "redundancy_group": d.redundancy_group, "note": d.note}


def need_rows(analysis) -> Iterator[dict[str, object]]:
    """Schutzbedarfsfeststellung: per object the assessed values and reasons,
    the values set by hand (level, effect, reason) and the final values with
    rule, source and the derivation in words."""
    from grundschutz.method.explanation import explain_text

    assessment, result = analysis.assessment, analysis.propagation
    for obj in assessment.objects.values():
        row: dict[str, object] = {"object": obj.id, "name": obj.name, "type": obj.type.label}
        needs = assessment.needs.get(obj.id, {})
        overrides = assessment.overrides.get(obj.id, {})
        for value, d in result.derivations(obj.id).items():
            v = value.value
            need, override = needs.get(value), overrides.get(value)
            row[v] = need.level.label if need else ""
            row[f"{v}_reason"] = need.reason if need else ""
            row[f"{v}_override"] = override.level.label if override else ""
            row[f"{v}_effect"] = EFFECT_LABELS[override.effect.value] if override else ""
            row[f"{v}_override_reason"] = override.reason if override else ""
            row[f"{v}_final"] = d.level.label if d.level else ""
            row[f"{v}_rule"] = d.rule.label if d.rule else "nicht bewertet"
            row[f"{v}_source"] = d.origin or ""
            row[f"{v}_text"] = explain_text(result, d)
        yield row


def modelling_rows(analysis) -> Iterator[dict[str, object]]:
    """Modellierung: one row per object and Baustein (assigned or removed),
    one row with an empty Baustein for an object without Bausteine.

    ``assignment`` is ``zugeordnet``/``entfernt`` (empty for rows without a
    Baustein), ``reason`` the reason written in ``modelling.csv`` (empty for
    a Baustein assigned by a rule and not changed by hand).
    """
    modelling = analysis.modelling
    raw, rule_reasons = {}, {}
    if analysis.assessment.settings.edition != "grundschutz++":  # Grundschutz++: no hand changes
        rule_reasons = {rule.id: rule.reason for rule in analysis.catalog.modelling_rules()}
        raw = {(c.object, c.baustein): c.reason for c in analysis.assessment.modelling_changes}
    for object_id, entry in modelling.objects.items():
        obj = entry.object
        head = {"object": object_id, "name": obj.name, "type": obj.type.label}
        for a in entry.assignments:
            yield {**head, "baustein": a.baustein, "title": a.title, "source": "von Hand" if a.manual else "Regel",
                   "rule": a.rule, "rule_reason": "" if a.manual else a.reason, "assignment": "zugeordnet",
                   "reason": raw.get((object_id, a.baustein), "") if a.manual else ""}
        for r in entry.removals:
            yield {**head, "baustein": r.baustein, "title": r.title, "source": "Regel", "rule": r.rule,
                   "rule_reason": rule_reasons.get(r.rule, ""), "assignment": "entfernt", "reason": r.reason}
        if not entry.assignments:
            text = entry.covered or "kein passender Baustein: Risikoanalyse nach BSI-Standard 200-3"
            yield {**head, "baustein": "", "title": "", "source": "abgedeckt" if entry.covered else "ohne Baustein",
                   "rule": entry.covered_rule, "rule_reason": text, "assignment": "", "reason": ""}


def check_rows(analysis) -> Iterator[dict[str, object]]:
    """IT-Grundschutz-Check: one row per selected requirement with its status."""
    names = _names(analysis)
    for e in analysis.check.entries:
        yield {"object": e.object, "name": names.get(e.object, ""), "baustein": e.baustein,
               "requirement": e.requirement, "level": e.level, "title": e.title, "status": e.status.value,
               "note": e.note, "responsible": e.responsible, "due": e.due, "checked_on": e.checked_on}


_ROWS: Mapping[str, Callable[[object], Iterator[dict[str, object]]]] = {
    "objects": object_rows, "dependencies": dependency_rows, "needs": need_rows,
    "modelling": modelling_rows, "check": check_rows,
}


def sheet_rows(analysis, name: str) -> Iterator[dict[str, object]]:
    """The rows of sheet ``name`` (a key of :data:`~grundschutz.exchange.excel.layout.SHEETS`
    or ``risks``) as dicts by column key."""
    if name == "risks":
        from grundschutz.exchange.excel.sheets import risk_rows

        return risk_rows(analysis)
    return _ROWS[name](analysis)


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


# --------------------------------------------------------------------------- writing


@dataclass
class ExportResult:
    """What :func:`export_workbook` wrote: rows per sheet (split parts
    separately) and the sheets left out with the reason."""

    path: Path
    sheets: dict[str, int] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)

    @property
    def rows(self) -> int:
        return sum(self.sheets.values())


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
        from openpyxl.utils import get_column_letter

        from openpyxl.styles.cell_style import StyleArray

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


def export_workbook(analysis, path: str | Path, *, max_rows: int = EXCEL_MAX_ROWS,
                    exported: datetime | None = None, sheets: Iterable[str] | None = None) -> ExportResult:
    """Write the workbook of an :class:`~grundschutz.method.analysis.Analysis` to ``path``.

    ``max_rows`` is the row limit per sheet, header included (Excel's
    1,048,576 by default; smaller in tests). ``exported`` is the time shown
    on Übersicht (default: now). ``sheets`` chooses the table sheets (names
    of :data:`SHEET_NAMES`; default all). Sheets whose data is not available
    (no catalog, risk analysis, work plan or scenarios not installed) are
    left out and listed in :attr:`ExportResult.skipped`.
    """
    from openpyxl import Workbook

    from grundschutz import __version__
    from grundschutz.exchange.excel.sheets import extra_sheets

    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        raise GrundschutzError(f"{path}: die Arbeitsmappe muss auf .xlsx enden")
    if not path.parent.is_dir():
        raise GrundschutzError(f"{path.parent}: Ordner gibt es nicht")
    wanted = set(SHEET_NAMES if sheets is None else sheets)
    if wanted - set(SHEET_NAMES):
        raise GrundschutzError(f"unbekannte Blätter {sorted(wanted - set(SHEET_NAMES))} "
                               f"(erlaubt: {', '.join(SHEET_NAMES)})")
    exported = exported or datetime.now().replace(microsecond=0)
    workbook = Workbook(write_only=True)
    writer = _Writer(workbook, max_rows)
    result = ExportResult(path)
    overview = workbook.create_sheet("Übersicht")
    overview._values_to_row = _prebuilt_rows
    plan: list[tuple[Sheet, Callable[[], Iterable[Mapping[str, object]]]]] = []
    tables = edition_sheets(analysis.assessment.settings.edition)
    for name in ("objects", "dependencies", "needs", "modelling", "check"):
        if name not in wanted:
            continue
        if name in ("modelling", "check") and analysis.modelling is None:
            result.skipped[SHEETS[name].title] = "kein BSI-Katalog installiert (grundschutz catalog install)"
        else:
            plan.append((tables[name], lambda name=name: _ROWS[name](analysis)))
    extras, skipped = extra_sheets(analysis, wanted)
    result.skipped.update(skipped)
    plan += extras
    rows_per_sheet: dict[str, int] = {}
    try:
        for sheet, rows in plan:
            rows_per_sheet[sheet.title] = writer.table(sheet, rows())
        result.sheets = dict(writer.counts)
        _write_overview(overview, writer, analysis, plan, rows_per_sheet, result.skipped, exported, __version__)
        _write_meta(workbook, writer, analysis, exported, __version__)
        workbook.properties.title = f"IT-Grundschutz: {analysis.assessment.settings.name}"
        workbook.properties.creator = f"grundschutz {__version__}"
        _save_atomically(workbook, path)
    except BaseException:
        _discard(workbook)
        raise
    return result


def _discard(workbook) -> None:
    """Close the sheets' open streams of a workbook that will not be saved."""
    for ws in workbook._sheets:
        rows = getattr(ws, "_rows", None)
        if rows is not None:
            try:
                rows.close()
            except Exception:  # noqa: BLE001 - the stream may be broken already; the first error is raised
                pass
        writer = getattr(ws, "_writer", None)
        if writer is not None:
            try:
                writer.close()
            except Exception:  # noqa: BLE001
                pass


def _save_atomically(workbook, path: Path) -> None:
    handle, temp = tempfile.mkstemp(prefix=f".~{path.stem}.", suffix=".xlsx.tmp", dir=path.parent)
    os.close(handle)
    try:
        workbook.save(temp)
        os.chmod(temp, _file_mode(path))
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def _file_mode(path: Path) -> int:
    """The mode of the file being replaced, else what the umask gives a new file."""
    if path.exists():
        return path.stat().st_mode & 0o777
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def _write_meta(workbook, writer: _Writer, analysis, exported: datetime, version: str) -> None:
    ws = workbook.create_sheet(META_SHEET)
    ws._values_to_row = _prebuilt_rows
    ws.sheet_state = "hidden"
    settings = analysis.assessment.settings
    rows = [("key", "value"), ("layout", LAYOUT_VERSION), ("name", settings.name),
            ("fingerprint", assessment_fingerprint(analysis.assessment.objects)),
            ("objects", str(len(analysis.assessment.objects))), ("version", version),
            ("exported", exported.isoformat()), ("edition", settings.edition),
            ("variant", analysis.selection.variant if analysis.selection is not None else settings.variant)]
    rows += [(f"sha256:{name}", digest) for name, digest in source_hashes(assessment_folder(analysis)).items()]
    plain = writer.styles.array()
    for key, value in rows:
        ws.append([_cell(ws, key, plain), _cell(ws, excel_value(value), plain)])


_LEVEL_TEXT = {
    "normal": "Die Schadensauswirkungen sind begrenzt und überschaubar.",
    "hoch": "Die Schadensauswirkungen können beträchtlich sein.",
    "sehr hoch": "Die Schadensauswirkungen können ein existenziell bedrohliches, katastrophales Ausmaß erreichen.",
}
_STATUS_TEXT = {
    "ja": "Anforderung vollständig umgesetzt.", "teilweise": "Anforderung teilweise umgesetzt.",
    "nein": "Anforderung nicht umgesetzt.", "entbehrlich": "Nicht nötig; Begründung in der Anmerkung.",
    "unbearbeitet": "Noch nicht geprüft.",
}
_RISK_TEXT = {
    "gering": "Die Maßnahmen des IT-Grundschutzes genügen.",
    "mittel": "Die Maßnahmen genügen möglicherweise nicht.",
    "hoch": "Die Maßnahmen genügen nicht; Risiko behandeln.",
    "sehr hoch": "Die Maßnahmen genügen nicht; Risiko dringend behandeln.",
}
_HOWTO = (
    "Nur die weißen Spalten bearbeiten; graue Spalten werden berechnet und beim Import nicht übernommen.",
    "Blätter, Spaltenüberschriften und die Zielobjekt-/Anforderungsspalten nicht umbenennen; Zeilen werden "
    "über diese Schlüssel zugeordnet, nicht über ihre Position. Sortieren und Filtern ist erlaubt.",
    "Werte mit fester Auswahl über die Auswahlliste setzen; Datumsangaben als Datum (TT.MM.JJJJ).",
    "Manuell gesetzter Schutzbedarf braucht Effekt und Begründung; 'entbehrlich' braucht eine Anmerkung.",
    "Modellierung: Zuordnung 'entfernt' mit Begründung nimmt einen Baustein heraus; eine neue Zeile mit "
    "Zielobjekt, Baustein und Begründung fügt einen hinzu. Gelöschte Zeilen ändern nichts.",
    "Zurückspielen: grundschutz import <Bewertungsordner> <Arbeitsmappe> zeigt die Änderungen; "
    "mit --apply werden sie in die CSV-Dateien geschrieben.",
)


def _write_overview(ws, writer: _Writer, analysis, plan, rows_per_sheet, skipped, exported, version) -> None:
    from grundschutz.views.summary import summarize

    st = writer.styles
    plain, wrapped, bold = st.array(), st.array(wrap=True), st.array(bold=True)
    title, section = st.array(bold=True, size=16), st.array(bold=True, size=12, colour=HEADER_FILL)
    widths = (34, 18, 90)
    for letter, width in zip("ABC", widths):
        ws.column_dimensions[letter].width = width
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = "9"  # A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True  # before the first row: written with the sheet's head
    settings = analysis.assessment.settings
    number = [1]

    def line(*cells):
        values = [excel_value(v) for v, _ in cells]
        lines = max([text_lines(v, widths[i]) for i, (v, (_, s)) in enumerate(zip(values, cells))
                     if isinstance(v, str) and s is wrapped] or [1])
        number[0] += 1
        _append(ws, [_cell(ws, v, s) for v, (_, s) in zip(values, cells)], number[0] - 1, lines)

    line(("IT-Grundschutz – Arbeitsmappe", title))
    line(("Referenzdokumente nach BSI-Standard 200-2 und 200-3, erzeugt mit 'grundschutz export'; "
          "Änderungen werden mit 'grundschutz import' zurückgespielt.", plain))
    line()
    edition = {"kompendium-2023": "IT-Grundschutz-Kompendium Edition 2023", "grundschutz++": "Grundschutz++"}
    variant = analysis.selection.variant if analysis.selection is not None else settings.variant
    for label, value in (("Informationsverbund", settings.name), ("Organisation", settings.organisation),
                         ("Edition", edition.get(settings.edition, settings.edition)),
                         ("Absicherung", {"basis": "Basis-Absicherung", "standard": "Standard-Absicherung",
                                          "kern": "Kern-Absicherung"}.get(variant, variant)),
                         ("Stand (Export)", exported.strftime("%d.%m.%Y %H:%M")),
                         ("Erstellt mit", f"grundschutz {version}"),
                         ("Kennung der Bewertung", assessment_fingerprint(analysis.assessment.objects))):
        line((label, bold), (value, plain))
    line()
    line(("Blätter", section), ("Zeilen", section), ("Inhalt", section))
    for sheet, _ in plan:
        line((sheet.title, bold), (rows_per_sheet.get(sheet.title, 0), plain), (sheet.purpose, wrapped))
    for title_, reason in skipped.items():
        line((title_, bold), ("–", st.array(colour=READONLY_FONT)), (f"nicht enthalten: {reason}", wrapped))
    line()
    summary = summarize(analysis.propagation)
    line(("Kennzahlen", section))
    figures = [("Zielobjekte", summary.objects), ("Abhängigkeiten", summary.dependencies),
               ("Zyklen", len(summary.cycles)), ("Manuell gesetzte Werte", summary.overrides)]
    figures += [(f"Nicht bewertet: {v.label}", len(summary.unrated[v.value])) for v in BASIC_VALUES]
    if analysis.modelling is not None:
        figures += [("Zielobjekte ohne passenden Baustein", len(analysis.modelling.unmodelled))]
        counts = {}
        for item in analysis.selection:
            counts[item.level] = counts.get(item.level, 0) + 1
        shown = " / ".join(f"{level} {n}" for level, n in counts.items())
        figures += [("Ausgewählte Anforderungen", f"{len(analysis.selection)} ({shown})" if counts else 0)]
        status = analysis.check.counts()
        total = sum(status.values())
        done = status["ja"] + status["entbehrlich"]
        figures += [(f"Check: {k}", n) for k, n in status.items()]
        figures += [("Umgesetzt (ja + entbehrlich)", f"{100 * done / total:.1f} %" if total else "–")]
    for label, value in figures:
        line((label, bold), (value, plain))
    line()
    line(("Legende", section))
    for group, texts, kind in (("Schutzbedarf", _LEVEL_TEXT, "level"), ("Umsetzungsstatus", _STATUS_TEXT, "status"),
                               ("Risikokategorie", _RISK_TEXT, "risk")):
        if kind == "risk" and not any(s.title == "Risikoanalyse" for s, _ in plan):
            continue
        for i, (value, text) in enumerate(texts.items()):
            fill, font = COLOURS[kind].get(value, (None, None))
            line((group if i == 0 else "", bold), (value, st.array(fill=fill, colour=font)), (text, wrapped))
    line(("Spalten", bold), ("grau", st.array(fill=READONLY_FILL, colour=READONLY_FONT)),
         ("schreibgeschützt: berechnet oder Stammdaten; wird beim Import nicht übernommen.", wrapped))
    line(("", bold), ("weiß", plain), ("bearbeitbar: wird mit 'grundschutz import' übernommen.", wrapped))
    line(("", bold), ("Kopfzeile", st.array(bold=True, colour="FFFFFF", fill=HEADER_FILL)),
         ("blaue Kopfzeile: bearbeitbare Spalte.", wrapped))
    line(("", bold), ("Kopfzeile", st.array(bold=True, colour="FFFFFF", fill=READONLY_HEADER_FILL)),
         ("graue Kopfzeile: schreibgeschützte Spalte.", wrapped))
    line()
    line(("Bearbeiten und zurückspielen", section))
    for count, text in enumerate(_HOWTO, start=1):
        line((f"{count}.", bold), ("", plain), (text, wrapped))
