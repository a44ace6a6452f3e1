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

The rows of the editable sheets come from
:func:`~grundschutz.exchange.excel.rows.sheet_rows`, which the import uses
too: what the export shows is what the import compares with. The cells,
styles and the splitting of long sheets are in
:mod:`grundschutz.exchange.excel.writer`; this module puts the workbook
together (Übersicht, the table sheets, the identity sheet) and saves it.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from grundschutz.exchange.excel.layout import (
    COLOURS,
    EXCEL_MAX_ROWS,
    HEADER_FILL,
    LAYOUT_VERSION,
    META_SHEET,
    READONLY_FILL,
    READONLY_FONT,
    READONLY_HEADER_FILL,
    SHEETS,
    Sheet,
    edition_sheets,
)
from grundschutz.exchange.excel.rows import _ROWS
from grundschutz.exchange.excel.writer import _append, _cell, _prebuilt_rows, _Writer, excel_value, text_lines
from grundschutz.model import BASIC_VALUES
from grundschutz.model.errors import GrundschutzError
from grundschutz.model.progress import Progress, report

#: The table sheets :func:`export_workbook` can write, in order.
SHEET_NAMES = ("objects", "dependencies", "needs", "modelling", "check", "risks", "plan", "scenarios")
#: Files the import may write; their SHA-256 sums are recorded at export.
SOURCE_FILES = ("needs.csv", "check.csv", "modelling.csv", "risks.csv")


# --------------------------------------------------------------------------- identity


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


def export_workbook(analysis, path: str | Path, *, max_rows: int = EXCEL_MAX_ROWS,
                    exported: datetime | None = None, sheets: Iterable[str] | None = None,
                    progress: Progress | None = None) -> ExportResult:
    """Write the workbook of an :class:`~grundschutz.method.analysis.Analysis` to ``path``.

    ``max_rows`` is the row limit per sheet, header included (Excel's
    1,048,576 by default; smaller in tests). ``exported`` is the time shown
    on Übersicht (default: now). ``sheets`` chooses the table sheets (names
    of :data:`SHEET_NAMES`; default all). Sheets whose data is not available
    (no catalog, risk analysis, work plan or scenarios not installed) are
    left out and listed in :attr:`ExportResult.skipped`. ``progress``
    (:data:`~grundschutz.model.progress.Progress`) hears of every sheet.
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
        for index, (sheet, rows) in enumerate(plan):
            report(progress, sheet.title, index, len(plan) + 1)
            rows_per_sheet[sheet.title] = writer.table(sheet, rows())
        report(progress, "speichern", len(plan), len(plan) + 1)
        result.sheets = dict(writer.counts)
        _write_overview(overview, writer, analysis, plan, rows_per_sheet, result.skipped, exported, __version__)
        _write_meta(workbook, writer, analysis, exported, __version__)
        workbook.properties.title = f"IT-Grundschutz: {analysis.assessment.settings.name}"
        workbook.properties.creator = f"grundschutz {__version__}"
        _save_atomically(workbook, path)
        report(progress, "fertig", len(plan) + 1, len(plan) + 1)
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
