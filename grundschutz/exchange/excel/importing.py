"""Import an edited workbook back into the assessment's CSV files.

:func:`plan_import` reads the editable columns of a workbook written by
:func:`grundschutz.exchange.excel.export.export_workbook` and works out what they change:

- assessed needs with their reasons and values set by hand (level, effect,
  reason) -> ``needs.csv``;
- Bausteine removed (Zuordnung ``entfernt``) or added (a new row) ->
  ``modelling.csv``;
- status, note, responsible, due date and date checked -> ``check.csv``;
- risk ratings and treatment -> ``risks.csv`` (when the risk analysis is installed).

Rows are matched by their keys (object; object + requirement; object +
Baustein; object + threat), never by position; columns by their header
(:mod:`grundschutz.exchange.excel.reading`). Values are read, never formulas:
a formula cell is an error, as are a renamed sheet or column and a number in a
date cell. A workbook of another assessment is refused. Everything is checked
first and every problem is reported at once
(:class:`~grundschutz.model.errors.AssessmentError`, with the sheet as
``file``); nothing is written unless :func:`apply_import` is called.

Only cells that were edited are written, never one the user did not touch (a
text longer than a cell, line ends, control characters stay as they are);
untouched files are not rewritten and edited files keep their form
(:class:`~grundschutz.io.csv_edit.CsvDocument`). So export followed by import
without edits leaves every file byte for byte as it was.

:func:`apply_import` writes under the folder's lock
(:func:`grundschutz.io.files.folder_lock`), after checking that no file
changed since the plan was made (a second import at the same time is refused,
not merged), and all files together or none
(:func:`grundschutz.io.files.replace_files`).
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from grundschutz.exchange.excel.export import SOURCE_FILES, assessment_fingerprint, source_hashes, terminate_as_exit
from grundschutz.exchange.excel.layout import LAYOUT_VERSION, RISK_SHEET, TITLE_SEPARATOR, Column, Sheet, edition_sheets
from grundschutz.exchange.excel.reading import Edited, base_title, exporter, match_rows, read_sheets, refuse, show
from grundschutz.exchange.excel.rows import sheet_rows
from grundschutz.exchange.excel.writer import excel_text
from grundschutz.io.csv_edit import CsvDocument
from grundschutz.io.files import JOURNAL_FILE, TEMP_PREFIX, folder_lock, recover_interrupted, replace_files
from grundschutz.io.folder import read_assessment
from grundschutz.io.workbook import WorkbookLimits
from grundschutz.method.analysis import analyse
from grundschutz.model.errors import AssessmentError, GrundschutzError, Problem
from grundschutz.model.progress import Progress, report

#: The CSV file each editable sheet writes to.
FILES = {"needs": "needs.csv", "modelling": "modelling.csv", "check": "check.csv", "risks": "risks.csv"}
NEW_FILE_COLUMNS = {
    "modelling.csv": ["object", "baustein", "action", "reason"],
    "check.csv": ["object", "requirement", "status", "note", "responsible", "due", "checked_on"],
    "risks.csv": ["object", "threat", "title", "frequency", "impact", "treatment", "note", "accepted_by",
                  "accepted_on", "residual_frequency", "residual_impact"],
}


@dataclass(frozen=True)
class Change:
    """One cell of the workbook that changes the assessment."""

    sheet: str
    row: int
    key: str
    column: str
    old: str
    new: str
    file: str


@dataclass
class ImportPlan:
    """What an import would change: the changes cell by cell, the new content
    of every file that changes, notes (ignored edits of read-only cells), and
    the SHA-256 sums of the files the plan was made from (``base``)."""

    folder: Path
    workbook: Path
    changes: list[Change] = field(default_factory=list)
    files: dict[str, bytes] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    base: dict[str, str] = field(default_factory=dict)

    def counts(self) -> dict[str, int]:
        """Number of changed values per sheet (split parts counted together)."""
        counts: dict[str, int] = {}
        for change in self.changes:
            base = base_title(change.sheet)
            counts[base] = counts.get(base, 0) + 1
        return counts


# --------------------------------------------------------------------------- planning


class _Context:
    """The state of one import: documents by file, problems, changes."""

    def __init__(self, folder: Path, base: dict[str, str]) -> None:
        self.folder = folder
        self.base = base
        self.documents: dict[str, CsvDocument] = {}
        self.problems: list[Problem] = []
        self.changes: list[Change] = []
        self.notes: list[str] = []

    def document(self, name: str) -> CsvDocument:
        if name not in self.documents:
            path = self.folder / name
            if path.is_file():
                data = path.read_bytes()
                if hashlib.sha256(data).hexdigest() != self.base.get(name):
                    raise GrundschutzError(_changed_meanwhile([name]))
                self.documents[name] = CsvDocument.parse(data, name)
            else:
                self.documents[name] = CsvDocument.new(name, list(NEW_FILE_COLUMNS[name]))
        return self.documents[name]

    def bad(self, edited: Edited, column: Column, value: object, message: str) -> None:
        self.problems.append(Problem(edited.sheet, edited.number, column.header, show(value), message))

    def record(self, sheet: Sheet, edited: Edited, file: str) -> None:
        shown = " / ".join(k for k in edited.key if k)
        for column in edited.changed(sheet):
            self.changes.append(Change(edited.sheet, edited.number, shown, column.header,
                                       show(edited.old.get(column.key, "")), show(edited.new[column.key]), file))


def _changed_meanwhile(names: list[str]) -> str:
    return (f"{', '.join(names)} wurde während des Imports geändert (ein anderer Vorgang, z. B. ein zweiter "
            "Import?); nichts geschrieben. Bitte den Import erneut ausführen")


def plan_import(analysis, workbook: str | Path, *, force: bool = False,
                limits: WorkbookLimits | None = None, progress: Progress | None = None) -> ImportPlan:
    """Work out what importing ``workbook`` into the assessment of ``analysis`` changes.

    ``analysis`` is the :class:`~grundschutz.method.analysis.Analysis` of an
    assessment folder with CSV files (the import writes to them). Raises
    :class:`AssessmentError` listing every problem (sheet, row, column,
    value) and changes nothing. ``force`` accepts a workbook whose assessment
    changed since the export (objects or the files the import writes); the
    workbook's values then win. ``limits`` bound what is read of the workbook
    (:class:`~grundschutz.io.workbook.WorkbookLimits`). ``progress``
    (:data:`~grundschutz.model.progress.Progress`) hears of reading the
    workbook, of every table compared and of the check of the result.
    """
    folder, workbook = analysis.path, Path(workbook)
    if not workbook.is_file():
        raise GrundschutzError(f"{workbook}: Arbeitsmappe nicht gefunden")
    if not folder.is_dir():
        raise GrundschutzError(f"{folder}: Bewertungsordner nicht gefunden")
    if not (folder / "needs.csv").is_file():
        raise GrundschutzError(f"{folder}: keine CSV-Bewertung (needs.csv fehlt); der Import schreibt in CSV-Dateien")
    sheets = edition_sheets(analysis.assessment.settings.edition)
    from grundschutz.exchange.excel.sheets import risk_available

    if risk_available(analysis):
        sheets["risks"] = RISK_SHEET
    editable = [s for name, s in sheets.items() if s.editable
                and (analysis.modelling is not None or name not in ("modelling", "check", "risks"))]

    def expected(meta: dict[str, str]) -> list[str]:
        if "sheets" not in meta:  # exported before the list was recorded: all it could hold
            return [s.title for s in editable]
        titles = {s.title for s in editable}
        return [t for t in meta["sheets"].split(TITLE_SEPARATOR) if base_title(t) in titles]

    problems: list[Problem] = []
    plan = ImportPlan(folder, workbook)
    steps = [name for name in ("objects", "dependencies", "needs", "modelling", "check", "risks") if name in sheets]
    total = len(steps) + 2
    report(progress, "lesen", 0, total)
    meta, rows = read_sheets(workbook, sheets, expected, problems, plan.notes, limits)
    plan.base = _check_identity(meta, analysis, folder, workbook, force, plan.notes)
    refuse(problems, workbook.name)
    ctx = _Context(folder, plan.base)
    ctx.problems, ctx.notes = problems, plan.notes
    from grundschutz.exchange.excel import applying as excel_apply

    for step, name in enumerate(steps, start=1):
        report(progress, sheets[name].title, step, total)
        if name not in rows or (name in ("modelling", "check") and analysis.modelling is None):
            continue
        sheet = sheets[name]
        keys, (values, as_written) = [c.key for c in sheet.keys], exporter(sheet)
        exported = {tuple(str(row[k] or "") for k in keys): values(row) for row in sheet_rows(analysis, name)}
        edited = match_rows(rows[name], exported, as_written, problems, plan.notes,
                            excel_apply.new_row_rule(name, analysis))
        del exported
        if name in FILES and sheet.editable:
            getattr(excel_apply, f"apply_{name}")(ctx, sheet, [e for e in edited if e.changed(sheet)], analysis)
    refuse(problems, workbook.name)
    plan.files = {name: doc.to_bytes() for name, doc in ctx.documents.items() if doc.changed}
    plan.changes = ctx.changes
    report(progress, "Ergebnis prüfen", total - 1, total)
    _validate_result(plan, analysis)
    report(progress, "fertig", total, total)
    return plan


def _check_identity(meta, analysis, folder: Path, workbook: Path, force: bool, notes: list[str]) -> dict[str, str]:
    """Refuse a workbook of another assessment, layout or state; the SHA-256 sums of the files now."""
    def refuse(message: str) -> None:
        raise AssessmentError([Problem(workbook.name, None, None, None, message)], workbook.name)

    if meta is None:
        refuse("Arbeitsmappe stammt nicht aus 'grundschutz export' (verstecktes Blatt _grundschutz fehlt); "
               "nur exportierte Arbeitsmappen können importiert werden")
    if meta.get("layout") != LAYOUT_VERSION:
        refuse(f"Arbeitsmappe hat das Format {meta.get('layout')!r}, erwartet {LAYOUT_VERSION!r}; bitte neu exportieren")
    name = excel_text(analysis.assessment.settings.name)
    if meta.get("name", "").strip() != name.strip():
        refuse(f"Arbeitsmappe gehört zur Bewertung '{meta.get('name')}', nicht zu '{name}'")
    fingerprint = assessment_fingerprint(analysis.assessment.objects)
    if meta.get("fingerprint") != fingerprint:
        message = (f"die Zielobjekte der Bewertung stimmen nicht mit der Arbeitsmappe überein (Kennung "
                   f"{meta.get('fingerprint')} in der Arbeitsmappe, {fingerprint} in {folder.name}): die Arbeitsmappe "
                   "stammt aus einer anderen Bewertung oder die Zielobjekte wurden seit dem Export geändert")
        if not force:
            refuse(message + "; neu exportieren oder mit --force übernehmen")
        notes.append("Achtung: " + message + ".")
    current = source_hashes(folder)
    changed = [f for f in SOURCE_FILES if f"sha256:{f}" in meta and meta[f"sha256:{f}"] != current[f]]
    if changed:
        message = (f"{', '.join(changed)} wurde nach dem Export geändert; die Werte der Arbeitsmappe würden "
                   "neuere Werte überschreiben")
        if not force:
            refuse(message + ". Bitte neu exportieren oder mit --force übernehmen")
        notes.append("Achtung: " + message + " (--force).")
    return current


def _validate_result(plan: ImportPlan, analysis) -> None:
    """Check the assessment as it would be after the import (in a temporary copy)."""
    sheets = ", ".join(dict.fromkeys(base_title(c.sheet) for c in plan.changes))
    validate_in_copy(plan.folder, plan.files, analysis, plan.workbook.name, Problem(
        plan.workbook.name, None, None, None,
        f"diese Fehler entstehen erst aus den Änderungen zusammen ({sheets}), z. B. ein gesenkter Schutzbedarf, "
        "dessen Anforderungen noch in check.csv stehen; Arbeitsmappe oder CSV-Dateien anpassen"))


def validate_in_copy(folder: Path, files: dict[str, bytes], analysis, source: str,
                     explanation: Problem | None = None) -> None:
    """Validate the assessment of ``folder`` as it would be with ``files`` (name -> new content) written.

    Works in a temporary copy of the folder's files (their content only: a
    read-only file stays writable there), analysed with the catalog and
    variant of ``analysis``. Raises :class:`AssessmentError` naming ``source``
    with every problem marked "(nach dem Import)", and ``explanation`` after
    them; nothing in ``folder`` is touched.
    """
    if not files:
        return
    with terminate_as_exit(), tempfile.TemporaryDirectory(prefix="grundschutz-import-") as temp:
        copy = Path(temp) / folder.name
        copy.mkdir()
        for path in folder.iterdir():
            if path.is_file() and not path.name.startswith("."):
                shutil.copyfile(path, copy / path.name)
            elif path.is_dir() and not path.name.startswith("."):
                shutil.copytree(path, copy / path.name, copy_function=shutil.copyfile)
        for name, data in files.items():
            (copy / name).write_bytes(data)
        try:
            after = analyse(read_assessment(copy), analysis.catalog, variant=analysis.variant,
                            catalog_note=analysis.catalog_note)
            after.validate()
        except AssessmentError as exc:
            problems = [Problem(f"{p.file} (nach dem Import)", p.row, p.column, p.value, p.message)
                        for p in exc.problems]
            raise AssessmentError(problems + ([explanation] if explanation else []), source) from None


def apply_import(plan: ImportPlan) -> dict[str, int]:
    """Write the changed files of ``plan``, all together or none; the changes per sheet.

    Under the folder's lock: a file changed since the plan was made (e.g. by
    a second import of the same export) refuses the import; nothing is
    written then. A read-only file, a full disk or a missing right is a
    :class:`~grundschutz.io.files.WriteError` naming the file, with every
    file as it was.
    """
    if not plan.files:
        return plan.counts()
    with terminate_as_exit(), folder_lock(plan.folder, purpose=f"grundschutz import {plan.workbook.name}"):
        recover_interrupted(plan.folder)
        now = source_hashes(plan.folder)
        changed = [name for name in SOURCE_FILES if plan.base and now.get(name) != plan.base.get(name)]
        if changed:
            raise GrundschutzError(_changed_meanwhile(changed))
        replace_files(plan.folder, plan.files)  # refuses a read-only file before anything is written
    return plan.counts()


def complete_interrupted(folder: str | Path) -> bool:
    """Finish a change of the assessment's files that a crash interrupted (under the folder's
    lock), before the assessment is read, and remove what a writer killed before its journal
    staged; True if a change was completed."""
    folder = Path(folder)
    if not folder.is_dir() or not ((folder / JOURNAL_FILE).is_file() or any(
            p.name.startswith(TEMP_PREFIX) and p.name.endswith(".new") for p in folder.iterdir())):
        return False
    with folder_lock(folder, purpose="Abschluss eines unterbrochenen Imports"):
        return recover_interrupted(folder)


def import_workbook(analysis, workbook: str | Path, *, apply: bool = False, force: bool = False) -> ImportPlan:
    """:func:`plan_import`, then :func:`apply_import` if ``apply``."""
    plan = plan_import(analysis, workbook, force=force)
    if apply:
        apply_import(plan)
    return plan


def render_plan(plan: ImportPlan, applied: bool = False) -> str:
    """The German listing of an import: the changes per sheet, notes, and what was written."""
    out = [f"Import aus {plan.workbook.name} in {plan.folder}"]
    if not plan.changes:
        out.append("Keine Änderungen zu übernehmen (siehe Hinweise)." if plan.notes else
                   "Keine Änderungen: die Arbeitsmappe stimmt mit der Bewertung überein.")
    by_sheet: dict[str, list[Change]] = {}
    for change in plan.changes:
        by_sheet.setdefault(base_title(change.sheet), []).append(change)
    for sheet, changes in by_sheet.items():
        files = ", ".join(dict.fromkeys(c.file for c in changes))
        out += ["", f"{sheet} ({files}): {_values(len(changes))}"]
        for c in changes:
            where = c.sheet if c.sheet != sheet else ""
            prefix = f"{where}, " if where else ""
            out.append(f"  {prefix}Zeile {c.row} · {c.key} · {c.column}: '{c.old}' → '{c.new}'")
    counts = ", ".join(f"{sheet} {_values(n)}" for sheet, n in plan.counts().items())
    return "\n".join(out + listing_end(plan.notes, len(plan.changes), list(plan.files), applied, counts))


def listing_end(notes: list[str], changes: int, files: list[str], applied: bool, counts: str = "") -> list[str]:
    """The end of an import listing (Excel, OSCAL): the notes, then what was or would be written."""
    out = ["", "Hinweise:"] + [f"  {note}" for note in notes] if notes else []
    out.append("")
    if not changes:
        out.append("Nichts geschrieben.")
    elif applied:
        out.append(f"Übernommen: {counts or _values(changes)}. Geschrieben: {', '.join(files)}.")
    else:
        out.append(f"Nichts geschrieben: {_values(changes)} in {', '.join(files)}; mit --apply übernehmen.")
    return out


def _values(n: int) -> str:
    return f"{n} Wert" if n == 1 else f"{n} Werte"


__all__ = ["Change", "ImportPlan", "apply_import", "complete_interrupted", "import_workbook", "plan_import",
           "render_plan"]
