"""Export an analysis as one German Excel workbook for the KRZ and the departments.

:func:`export_workbook` writes the BSI's reference documents as sheets:
Übersicht, Strukturanalyse, Abhängigkeiten, Schutzbedarfsfeststellung,
Modellierung, IT-Grundschutz-Check and, where the modules that compute them
are installed, Risikoanalyse, Realisierungsplan and one sheet per scenario.

- Streaming: XlsxWriter in constant-memory mode; every sheet goes to its own
  temporary file, so memory stays flat however many rows a sheet has. A sheet
  longer than Excel's row limit continues on ``"<Blatt> (2)"``, ``(3)``, ... .
- Look and print: see :mod:`grundschutz.exchange.excel.writer`,
  :mod:`grundschutz.exchange.excel.formats` and
  :mod:`grundschutz.exchange.excel.printing`.
- Safety: the workbook and XlsxWriter's temporary files are written into a
  private temporary folder next to the target (``.~<name>.<random>.<pid>.tmp``),
  and the finished workbook is moved into place atomically: an interrupted
  export leaves no broken file. The folder is removed on success, on every
  error and on Ctrl-C or SIGTERM; what a killed export left behind (its process
  is gone) is removed by the next export into that folder.
- Identity: the hidden sheet ``_grundschutz`` carries the assessment's name,
  a fingerprint of its object ids, the toolkit version, the sheets written and
  SHA-256 sums of the files the import writes to, so that
  :mod:`grundschutz.exchange.excel.importing` can refuse a workbook of another
  assessment and notice a renamed sheet.

The rows of the editable sheets come from
:func:`~grundschutz.exchange.excel.rows.sheet_rows`, which the import uses
too: what the export shows is what the import compares with. Übersicht is in
:mod:`grundschutz.exchange.excel.overview`.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import shutil
import signal
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from grundschutz.exchange.excel.formats import Formats
from grundschutz.exchange.excel.layout import (
    EXCEL_MAX_ROWS,
    LAYOUT_VERSION,
    META_SHEET,
    OVERVIEW_TITLE,
    SHEETS,
    TITLE_SEPARATOR,
    Sheet,
    edition_sheets,
)
from grundschutz.exchange.excel.overview import assessment_fingerprint, write_overview
from grundschutz.exchange.excel.rows import _ROWS
from grundschutz.exchange.excel.writer import FastRows, RowSink, TableWriter, excel_value
from grundschutz.io.files import TEMP_PREFIX, atomic_output, process_running, write_error
from grundschutz.model.errors import GrundschutzError
from grundschutz.model.progress import Progress, report

#: The table sheets :func:`export_workbook` can write, in order.
SHEET_NAMES = ("objects", "dependencies", "needs", "modelling", "check", "risks", "plan", "scenarios")
#: Files the import may write; their SHA-256 sums are recorded at export.
SOURCE_FILES = ("needs.csv", "check.csv", "modelling.csv", "risks.csv")
#: What :func:`~grundschutz.io.files.atomic_output` and the export's private folder are called.
_STALE = re.compile(r"^" + re.escape(TEMP_PREFIX) + r".+\.pid(\d+)\.[a-z0-9_]{8}(\.[^.]*)?$")
_LEGACY = re.compile(r"^\.~.+\.xlsx\.tmp$")  # an export's temporary file before the private folder
_LEGACY_AGE = 3600  # seconds after which a legacy temporary file is taken for a leftover


# --------------------------------------------------------------------------- identity


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
    separately), the sheets left out with the reason, and notes (leftovers of
    an earlier, killed export removed or found)."""

    path: Path
    sheets: dict[str, int] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

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
    left out and listed in :attr:`ExportResult.skipped`. A full disk, a
    missing or read-only folder is a :class:`~grundschutz.io.files.WriteError`
    naming the path. ``progress`` (:data:`~grundschutz.model.progress.Progress`)
    hears of every sheet.
    """
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
    if max_rows < 2:
        raise GrundschutzError("max_rows muss mindestens 2 sein (Kopfzeile und eine Datenzeile)")
    exported = exported or datetime.now().replace(microsecond=0)
    result = ExportResult(path)
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
    result.notes = remove_leftovers(path.parent)
    with _private_space(path) as (scratch, temp):
        import xlsxwriter
        from xlsxwriter.exceptions import FileCreateError

        workbook = xlsxwriter.Workbook(str(temp), {
            "constant_memory": True, "tmpdir": str(scratch), "strings_to_numbers": False,
            "strings_to_formulas": False, "strings_to_urls": False})
        try:
            formats = Formats(workbook)
            overview = RowSink(workbook.add_worksheet(OVERVIEW_TITLE, worksheet_class=FastRows))
            writer = TableWriter(workbook, max_rows, formats)
            rows_per_sheet: dict[str, int] = {}
            for index, (sheet, rows) in enumerate(plan):
                report(progress, sheet.title, index, len(plan) + 1)
                rows_per_sheet[sheet.title] = writer.table(sheet, rows())
            report(progress, "speichern", len(plan), len(plan) + 1)
            result.sheets = dict(writer.counts)
            write_overview(overview, formats, analysis, plan, rows_per_sheet, result.skipped, exported, __version__)
            _write_meta(workbook, formats, analysis, exported, __version__, list(result.sheets))
            workbook.set_properties({"title": f"IT-Grundschutz: {analysis.assessment.settings.name}",
                                     "author": f"grundschutz {__version__}"})
            try:
                workbook.close()
            except FileCreateError as exc:  # XlsxWriter wraps the OSError of a full disk
                raise exc.args[0] if exc.args and isinstance(exc.args[0], OSError) else OSError(str(exc)) from None
        except BaseException:
            _discard(workbook)
            raise
    report(progress, "fertig", len(plan) + 1, len(plan) + 1)
    return result


@contextlib.contextmanager
def _private_space(path: Path) -> Iterator[tuple[Path, Path]]:
    """A private folder next to ``path`` for XlsxWriter's temporary files, and the temporary
    path of the workbook (:func:`~grundschutz.io.files.atomic_output`); the workbook is moved onto
    ``path`` when the block ends without error. Both are removed on any error, on Ctrl-C and on
    SIGTERM; both are named ``.~<name>.pid<process id>.<random>…``, so that what a killed export
    left is recognised (:func:`remove_leftovers`)."""
    with terminate_as_exit(), atomic_output(path) as temp:
        try:
            scratch = Path(tempfile.mkdtemp(prefix=f"{TEMP_PREFIX}{path.name}.pid{os.getpid()}.", dir=path.parent))
        except OSError as exc:
            raise write_error(path, exc) from None
        try:
            yield scratch, temp
        except OSError as exc:
            raise write_error(path, exc) from None
        finally:
            shutil.rmtree(scratch, ignore_errors=True)


@contextlib.contextmanager
def terminate_as_exit() -> Iterator[None]:
    """While the block runs, SIGTERM (and SIGHUP) end the process like Ctrl-C does: through
    the ``finally`` blocks that remove temporary files (exit code 128 + signal)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def leave(signum, frame):
        raise SystemExit(128 + signum)

    previous = {}
    for name in ("SIGTERM", "SIGHUP"):
        number = getattr(signal, name, None)
        if number is not None:
            previous[number] = signal.signal(number, leave)
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


def remove_leftovers(folder: Path) -> list[str]:
    """Remove what an export that was killed left in ``folder``: the temporary workbook and the
    private folder (``.~*.pid<process id>.<random>…``) whose process is gone, and an older
    version's ``.~*.xlsx.tmp`` more than an hour old; a German note for each."""
    notes = []
    try:
        entries = list(folder.iterdir())
    except OSError:
        return notes
    for entry in entries:
        match = _STALE.match(entry.name)
        try:
            gone = (not process_running(int(match.group(1)))) if match else (
                _LEGACY.match(entry.name) is not None and time.time() - entry.stat().st_mtime > _LEGACY_AGE)
        except OSError:
            continue
        if not gone:
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            with contextlib.suppress(OSError):
                entry.unlink()
        if not entry.exists():
            notes.append(f"Hinweis: Reste eines abgebrochenen Exports entfernt: {entry.name}")
    return notes


def _discard(workbook) -> None:
    """Close the sheets' temporary row files of a workbook that will not be saved."""
    for ws in workbook.worksheets():
        handle = getattr(ws, "row_data_fh", None)
        if handle is not None:
            with contextlib.suppress(Exception):
                handle.close()


def _write_meta(workbook, formats: Formats, analysis, exported: datetime, version: str, titles: list[str]) -> None:
    sink = RowSink(workbook.add_worksheet(META_SHEET, worksheet_class=FastRows))
    sink.ws.hide()
    settings = analysis.assessment.settings
    rows = [("key", "value"), ("layout", LAYOUT_VERSION), ("name", settings.name),
            ("fingerprint", assessment_fingerprint(analysis.assessment.objects)),
            ("objects", str(len(analysis.assessment.objects))), ("version", version),
            ("exported", exported.isoformat()), ("edition", settings.edition),
            ("variant", analysis.selection.variant if analysis.selection is not None else settings.variant),
            ("sheets", TITLE_SEPARATOR.join(titles))]
    rows += [(f"sha256:{name}", digest) for name, digest in source_hashes(assessment_folder(analysis)).items()]
    plain = formats.get()
    for number, (key, value) in enumerate(rows):
        sink.row(number, [(0, key, plain), (1, excel_value(value), plain)])


__all__ = ["SHEET_NAMES", "SOURCE_FILES", "ExportResult", "assessment_fingerprint", "assessment_folder",
           "export_workbook", "remove_leftovers", "source_hashes", "terminate_as_exit"]
