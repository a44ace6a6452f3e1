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
Baustein; object + threat), never by position; columns by their header.
Values are read, never formulas: a formula cell is an error. A workbook of
another assessment is refused. Everything is checked first and every problem
is reported at once (:class:`~grundschutz.model.errors.AssessmentError`, with the
sheet as ``file``); nothing is written unless :func:`apply_import` is called.

Only cells whose value differs from what the export would show are written;
untouched files are not rewritten and edited files keep their form
(:class:`~grundschutz.io.csv_edit.CsvDocument`). So export followed by import
without edits leaves every file byte for byte as it was.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path

from grundschutz.exchange.excel.export import SOURCE_FILES, assessment_fingerprint, source_hashes
from grundschutz.exchange.excel.layout import (
    EFFECTS,
    LAYOUT_VERSION,
    META_SHEET,
    RISK_SHEET,
    Column,
    Sheet,
    edition_sheets,
)
from grundschutz.exchange.excel.rows import sheet_rows
from grundschutz.exchange.excel.writer import excel_text, excel_value
from grundschutz.io.csv_edit import CsvDocument
from grundschutz.io.folder import read_assessment
from grundschutz.io.values import parse_date
from grundschutz.method.analysis import analyse
from grundschutz.model import Level
from grundschutz.model.errors import AssessmentError, GrundschutzError, Problem
from grundschutz.model.library_errors import workbook_reason
from grundschutz.model.records import Status

_PART = re.compile(r"^(?P<base>.*) \((?P<part>\d+)\)$")
#: The CSV file each editable sheet writes to.
FILES = {"needs": "needs.csv", "modelling": "modelling.csv", "check": "check.csv", "risks": "risks.csv"}
NEW_FILE_COLUMNS = {
    "modelling.csv": ["object", "baustein", "action", "reason"],
    "check.csv": ["object", "requirement", "status", "note", "responsible", "due", "checked_on"],
    "risks.csv": ["object", "threat", "title", "frequency", "impact", "treatment", "note", "accepted_by",
                  "residual_frequency", "residual_impact"],
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
    of every file that changes, and notes (ignored edits of read-only cells)."""

    folder: Path
    workbook: Path
    changes: list[Change] = field(default_factory=list)
    files: dict[str, bytes] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        """Number of changed values per sheet (split parts counted together)."""
        counts: dict[str, int] = {}
        for change in self.changes:
            base = _base_title(change.sheet)
            counts[base] = counts.get(base, 0) + 1
        return counts


@dataclass
class _Cell:
    value: object
    formula: bool = False
    error: bool = False


@dataclass
class _Row:
    sheet: str
    number: int
    cells: dict[str, _Cell]
    present: frozenset[str] = frozenset()  # keys of the columns the sheet has


# --------------------------------------------------------------------------- reading the workbook


def _base_title(title: str) -> str:
    match = _PART.match(title)
    return match.group("base") if match else title


def _read_workbook(path: Path, sheets: Mapping[str, Sheet], problems: list[Problem], notes: list[str]):
    """The meta values and, per sheet name, the rows of the known sheets."""
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many types for broken files
        raise AssessmentError([Problem(path.name, None, None, None,
                                       f"Arbeitsmappe nicht lesbar: {workbook_reason(exc)}")]) from None
    by_title = {s.title: s for s in sheets.values()}
    meta: dict[str, str] | None = None
    rows: dict[str, list[_Row]] = {}
    found: set[str] = set()
    try:
        for ws in workbook.worksheets:
            if ws.title == META_SHEET:
                meta = {str(r[0]): "" if r[1] is None else str(r[1])
                        for r in ws.iter_rows(min_row=2, values_only=True) if r and r[0] is not None}
                continue
            base = _base_title(ws.title)
            sheet = by_title.get(ws.title) or (by_title.get(base) if base != ws.title else None)
            if sheet is None:
                continue
            found.add(sheet.name)
            ws.reset_dimensions()
            rows.setdefault(sheet.name, []).extend(_sheet_rows(ws, sheet, problems, notes))
    finally:
        workbook.close()
    for sheet in sheets.values():
        if sheet.name not in found and sheet.editable:
            notes.append(f"Blatt '{sheet.title}' fehlt in der Arbeitsmappe: daraus wird nichts übernommen.")
    return meta, rows


def _sheet_rows(ws, sheet: Sheet, problems: list[Problem], notes: list[str]) -> list[_Row]:
    iterator = ws.iter_rows()
    header = next(iterator, None)
    if header is None:
        problems.append(Problem(ws.title, 1, None, None, "Kopfzeile fehlt"))
        return []
    by_header = {c.header: c for c in sheet.columns}
    positions: dict[int, Column] = {}
    for index, cell in enumerate(header):
        text = str(cell.value).strip() if cell.value is not None else ""
        if text in by_header:
            if by_header[text] in positions.values():
                problems.append(Problem(ws.title, 1, text, None, "Spalte kommt doppelt vor"))
            positions[index] = by_header[text]
        elif text:
            notes.append(f"{ws.title}: unbekannte Spalte '{text}' wird nicht übernommen.")
    present = set(positions.values())
    for column in sheet.columns:
        if column not in present:
            if column.is_key:
                problems.append(Problem(ws.title, 1, column.header, None,
                                        "Schlüsselspalte fehlt: Zeilen können nicht zugeordnet werden"))
            elif column.editable:
                notes.append(f"{ws.title}: Spalte '{column.header}' fehlt; ihre Werte bleiben unverändert.")
    if any(c.is_key and c not in present for c in sheet.columns):
        return []
    rows = []
    keys = frozenset(c.key for c in present)
    for number, cells in enumerate(iterator, start=2):
        values: dict[str, _Cell] = {}
        for index, cell in enumerate(cells):
            column = positions.get(index)
            if column is None or cell.value is None:
                continue
            values[column.key] = _Cell(cell.value, cell.data_type == "f", cell.data_type == "e")
        if any(not (isinstance(c.value, str) and not c.value.strip()) for c in values.values()):
            rows.append(_Row(ws.title, number, values, keys))
    return rows


# --------------------------------------------------------------------------- values


def _text(value: object, column: Column) -> object:
    """A cell value as text (a ``date`` for date columns)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        if column.kind == "date":
            return value.date()
        return value.date().isoformat() if value.time() == time() else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value if column.kind == "date" else value.isoformat()
    if isinstance(value, bool):
        return "ja" if value else "nein"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, int | float):
        return str(value)
    return excel_text(str(value)).strip()


def _parse(column: Column, value: object) -> object:
    """The canonical value of a cell of ``column``; ``ValueError`` with a German message."""

    text = _text(value, column)
    if column.kind == "date":
        if isinstance(text, date) or text == "":
            return text or None
        return parse_date(text)
    if column.kind == "level":
        return Level.parse(text).label if text else ""
    if column.kind == "status":
        return Status.parse(text).value
    if column.kind == "effect":
        if not text:
            return ""
        for label, word in EFFECTS.items():
            if text.casefold() in (label.casefold(), word):
                return label
        raise ValueError(f"unbekannter Effekt (erlaubt: {', '.join(EFFECTS)})")
    if column.kind == "int":
        return text
    if column.choices and text:
        key = " ".join(text.casefold().split())
        for choice in column.choices:
            if key in (choice.casefold(), _plain(choice)):
                return choice
        raise ValueError(f"unzulässiger Wert (erlaubt: {', '.join(column.choices)})")
    return text


def _plain(word: str) -> str:
    """A word with umlauts written out, as people type them without a German keyboard."""
    return word.casefold().replace("ä", "ae").replace("ö", "oe").replace("ü", "ue")


def _baseline(sheet: Sheet, row: Mapping[str, object]) -> dict[str, object]:
    """A row of :func:`~grundschutz.exchange.excel.rows.sheet_rows` as the import reads it back."""
    result = {}
    for column in sheet.columns:
        try:
            result[column.key] = _parse(column, excel_value(row.get(column.key)))
        except ValueError:
            result[column.key] = _text(excel_value(row.get(column.key)), column)
    return result


def _show(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.strftime("%d.%m.%Y")
    return str(value)


# --------------------------------------------------------------------------- matching


@dataclass
class _Edited:
    """A workbook row matched to a baseline row: its new values by column key."""

    row: _Row
    key: tuple[str, ...]
    old: dict[str, object]
    new: dict[str, object]
    is_new: bool = False

    def changed(self, sheet: Sheet) -> list[Column]:
        return [c for c in sheet.editable if c.key in self.new and self.new[c.key] != self.old.get(c.key, "")]


def _match(sheet: Sheet, rows: list[_Row], baseline: Mapping[tuple, dict], problems: list[Problem],
           notes: list[str], allow_new) -> list[_Edited]:
    """Match workbook rows to baseline rows by key and parse their values."""
    seen: dict[tuple, int] = {}
    edited = []
    ignored = 0
    for row in rows:
        found = len(problems)
        for key_name, cell in row.cells.items():
            column = sheet.column(key_name)
            if cell.formula:
                problems.append(Problem(row.sheet, row.number, column.header, str(cell.value),
                                        "Formel statt Wert: Formeln werden nicht übernommen, bitte den Wert eintragen"))
            elif cell.error:
                problems.append(Problem(row.sheet, row.number, column.header, str(cell.value),
                                        "Fehlerwert statt Wert"))
        if len(problems) > found:
            continue
        key = tuple(str(_text(row.cells[c.key].value, c) if c.key in row.cells else "") for c in sheet.keys)
        shown = " / ".join(k for k in key if k)
        if key in seen:
            problems.append(Problem(row.sheet, row.number, sheet.keys[-1].header, shown,
                                    f"Zeile doppelt (dieselben Schlüssel wie Zeile {seen[key]})"))
            continue
        seen[key] = row.number
        old = baseline.get(key)
        is_new = old is None
        if is_new:
            why = allow_new(key)
            if why:
                problems.append(Problem(row.sheet, row.number, sheet.keys[0].header, shown, why))
                continue
            old = {}
        new: dict[str, object] = {}
        for column in sheet.columns:
            if column.key not in row.cells or column.is_key:
                continue
            cell = row.cells[column.key]
            if not column.editable:
                if not is_new and _text(cell.value, column) != _show_text(old.get(column.key), column):
                    ignored += 1
                    if ignored <= 10:
                        notes.append(f"{row.sheet}, Zeile {row.number}, Spalte '{column.header}': schreibgeschützt, "
                                     f"Änderung wird nicht übernommen ('{_show(old.get(column.key))}' → "
                                     f"'{_show(_text(cell.value, column))}').")
                continue
            try:
                new[column.key] = _parse(column, cell.value)
            except ValueError as exc:
                problems.append(Problem(row.sheet, row.number, column.header, _show(_text(cell.value, column)),
                                        str(exc)))
        for column in sheet.editable:
            if column.key not in row.cells and column.key in row.present and column.key in old:
                new.setdefault(column.key, _empty(column))  # an emptied cell
            if is_new and column.kind == "assignment" and not new.get(column.key):
                new[column.key] = "zugeordnet"  # a new Modellierung row adds its Baustein
        edited.append(_Edited(row, key, old, new, is_new))
    if ignored > 10:
        notes.append(f"{sheet.title}: … und {ignored - 10} weitere Änderungen in schreibgeschützten Spalten.")
    return edited


def _show_text(value: object, column: Column) -> object:
    return value if column.kind != "int" else str(value)


def _empty(column: Column) -> object:
    return None if column.kind == "date" else ("unbearbeitet" if column.kind == "status" else "")


# --------------------------------------------------------------------------- planning


class _Context:
    """The state of one import: documents by file, problems, changes."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.documents: dict[str, CsvDocument] = {}
        self.problems: list[Problem] = []
        self.changes: list[Change] = []
        self.notes: list[str] = []

    def document(self, name: str) -> CsvDocument:
        if name not in self.documents:
            path = self.folder / name
            if path.is_file():
                self.documents[name] = CsvDocument.parse(path.read_bytes(), name)
            else:
                self.documents[name] = CsvDocument.new(name, list(NEW_FILE_COLUMNS[name]))
        return self.documents[name]

    def bad(self, edited: _Edited, column: Column, value: object, message: str) -> None:
        self.problems.append(Problem(edited.row.sheet, edited.row.number, column.header, _show(value), message))

    def record(self, sheet: Sheet, edited: _Edited, file: str) -> None:
        shown = " / ".join(k for k in edited.key if k)
        for column in edited.changed(sheet):
            self.changes.append(Change(edited.row.sheet, edited.row.number, shown, column.header,
                                       _show(edited.old.get(column.key, "")), _show(edited.new[column.key]), file))


def plan_import(analysis, workbook: str | Path, *, force: bool = False) -> ImportPlan:
    """Work out what importing ``workbook`` into the assessment of ``analysis`` changes.

    ``analysis`` is the :class:`~grundschutz.method.analysis.Analysis` of an
    assessment folder with CSV files (the import writes to them). Raises
    :class:`AssessmentError` listing every problem (sheet, row, column,
    value) and changes nothing. ``force`` accepts a workbook whose assessment
    changed since the export (objects or the files the import writes); the
    workbook's values then win.
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
    problems: list[Problem] = []
    plan = ImportPlan(folder, workbook)
    meta, rows = _read_workbook(workbook, sheets, problems, plan.notes)
    _check_identity(meta, analysis, folder, workbook, force, plan.notes)
    if problems:
        raise AssessmentError(problems, workbook.name)
    ctx = _Context(folder)
    ctx.problems, ctx.notes = problems, plan.notes
    from grundschutz.exchange.excel import applying as excel_apply

    for name in ("objects", "dependencies", "needs", "modelling", "check", "risks"):
        if name not in sheets or name not in rows or (name in ("modelling", "check") and analysis.modelling is None):
            continue
        sheet = sheets[name]
        baseline = {tuple(str(row[c.key] or "") for c in sheet.keys): _baseline(sheet, row)
                    for row in sheet_rows(analysis, name)}
        allow_new = excel_apply.new_row_rule(name, analysis)
        edited = _match(sheet, rows[name], baseline, problems, plan.notes, allow_new)
        del baseline
        if name in FILES and sheet.editable:
            getattr(excel_apply, f"apply_{name}")(ctx, sheet, [e for e in edited if e.changed(sheet)], analysis)
    if problems:
        raise AssessmentError(problems, workbook.name)
    plan.files = {name: doc.to_bytes() for name, doc in ctx.documents.items() if doc.changed}
    plan.changes = ctx.changes
    _validate_result(plan, analysis)
    return plan


def _check_identity(meta, analysis, folder: Path, workbook: Path, force: bool, notes: list[str]) -> None:
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


def _validate_result(plan: ImportPlan, analysis) -> None:
    """Check the assessment as it would be after the import (in a temporary copy)."""
    if not plan.files:
        return

    with tempfile.TemporaryDirectory(prefix="grundschutz-import-") as temp:
        copy = Path(temp) / plan.folder.name
        copy.mkdir()
        for path in plan.folder.iterdir():
            if path.is_file():
                shutil.copy2(path, copy / path.name)
        for name, data in plan.files.items():
            (copy / name).write_bytes(data)
        try:
            after = analyse(read_assessment(copy), analysis.catalog, variant=analysis.variant,
                            catalog_note=analysis.catalog_note)
            after.validate()
        except AssessmentError as exc:
            problems = [Problem(f"{p.file} (nach dem Import)", p.row, p.column, p.value, p.message)
                        for p in exc.problems]
            sheets = ", ".join(dict.fromkeys(_base_title(c.sheet) for c in plan.changes))
            problems.append(Problem(plan.workbook.name, None, None, None,
                                    f"diese Fehler entstehen erst aus den Änderungen zusammen ({sheets}), z. B. "
                                    "ein gesenkter Schutzbedarf, dessen Anforderungen noch in check.csv stehen; "
                                    "Arbeitsmappe oder CSV-Dateien anpassen"))
            raise AssessmentError(problems, plan.workbook.name) from None


def apply_import(plan: ImportPlan) -> dict[str, int]:
    """Write the changed files of ``plan`` (each atomically); the changes per sheet."""
    for name, data in plan.files.items():
        path = plan.folder / name
        handle, temp = tempfile.mkstemp(prefix=f".~{name}.", suffix=".tmp", dir=plan.folder)
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(data)
            if path.exists():
                os.chmod(temp, path.stat().st_mode & 0o777)
            else:
                umask = os.umask(0)
                os.umask(umask)
                os.chmod(temp, 0o666 & ~umask)
            os.replace(temp, path)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
    return plan.counts()


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
        out.append("Keine Änderungen: die Arbeitsmappe stimmt mit der Bewertung überein.")
    by_sheet: dict[str, list[Change]] = {}
    for change in plan.changes:
        by_sheet.setdefault(_base_title(change.sheet), []).append(change)
    for sheet, changes in by_sheet.items():
        files = ", ".join(dict.fromkeys(c.file for c in changes))
        out += ["", f"{sheet} ({files}): {_values(len(changes))}"]
        for c in changes:
            where = c.sheet if c.sheet != sheet else ""
            prefix = f"{where}, " if where else ""
            out.append(f"  {prefix}Zeile {c.row} · {c.key} · {c.column}: '{c.old}' → '{c.new}'")
    if plan.notes:
        out += ["", "Hinweise:"] + [f"  {note}" for note in plan.notes]
    out.append("")
    if not plan.changes:
        out.append("Nichts geschrieben.")
    elif applied:
        counts = ", ".join(f"{sheet} {_values(n)}" for sheet, n in plan.counts().items())
        out.append(f"Übernommen: {counts}. Geschrieben: {', '.join(plan.files)}.")
    else:
        out.append(f"Nichts geschrieben: {_values(len(plan.changes))} in {', '.join(plan.files)}; "
                   "mit --apply übernehmen.")
    return "\n".join(out)


def _values(n: int) -> str:
    return f"{n} Wert" if n == 1 else f"{n} Werte"


__all__ = ["Change", "ImportPlan", "apply_import", "import_workbook", "plan_import", "render_plan"]
