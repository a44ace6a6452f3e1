"""Reading an edited workbook back: its sheets, columns and rows, matched to what the export wrote.

Used by :mod:`grundschutz.exchange.excel.importing`. The workbook is read with
:func:`grundschutz.io.workbook.open_workbook` (values by python-calamine, formula
and error cells by a streaming pass over the sheet XML, size limits first).

- Sheets by title, split parts (``"IT-Grundschutz-Check (2)"``) together; an
  editable sheet the export wrote that is missing (renamed, deleted) is an
  error, as is a missing editable or key column (renamed columns are named).
- Rows by their keys, never by position: each workbook row is compared with
  the row the export wrote for the same key, cell by cell *as written*; a row
  that equals it is done without parsing anything. Only cells that differ are
  parsed and checked, so a value the user did not touch is never judged or
  rewritten (a date before 1990 that ``check.csv`` holds stays; a typed ``1``
  in a date cell is an error).
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path

from grundschutz.exchange.excel.layout import (
    EARLIEST_DATE,
    EFFECTS,
    META_SHEET,
    OVERVIEW_TITLE,
    TITLE_SEPARATOR,
    Column,
    Sheet,
)
from grundschutz.exchange.excel.writer import cell_text, excel_text, excel_value, is_truncated
from grundschutz.io.values import parse_date
from grundschutz.io.workbook import WorkbookLimits, open_workbook
from grundschutz.model import Level
from grundschutz.model.errors import AssessmentError, Problem
from grundschutz.model.records import Status

_PART = re.compile(r"^(?P<base>.*) \((?P<part>\d+)\)$")
_NUMBER_IN_DATE = "Zahl statt Datum: bitte ein Datum eingeben, z. B. 31.12.2025"


def base_title(title: str) -> str:
    """The title of the sheet a split part belongs to.

    >>> base_title("IT-Grundschutz-Check (2)"), base_title("Modellierung")
    ('IT-Grundschutz-Check', 'Modellierung')
    """
    match = _PART.match(title)
    return match.group("base") if match else title


@dataclass
class SheetRows:
    """The rows of one sheet (all its parts): per row the sheet title, the row number and the
    values of the sheet's columns in column order (``""`` for an empty or missing cell);
    ``present`` the columns the sheet has; ``flagged`` the rows with a formula or an error value
    (reported already, not matched)."""

    sheet: Sheet
    present: tuple[bool, ...]
    rows: list[tuple[str, int, tuple]] = field(default_factory=list)
    flagged: set[tuple[str, int]] = field(default_factory=set)


@dataclass
class Edited:
    """A workbook row matched to the row the export wrote: its new values by column key."""

    sheet: str
    number: int
    key: tuple[str, ...]
    old: dict[str, object]
    new: dict[str, object]
    is_new: bool = False

    @property
    def row(self) -> Edited:  # the applying functions name the row as ``e.row.sheet``, ``e.row.number``
        return self

    def changed(self, sheet: Sheet) -> list[Column]:
        return [c for c in sheet.editable if c.key in self.new and self.new[c.key] != self.old.get(c.key, "")]


# --------------------------------------------------------------------------- the workbook


def read_sheets(path: Path, sheets: Mapping[str, Sheet], expected: Callable[[dict[str, str]], Iterable[str]],
                problems: list[Problem], notes: list[str], limits: WorkbookLimits | None = None
                ) -> tuple[dict[str, str] | None, dict[str, SheetRows]]:
    """The meta values (``None`` without the identity sheet) and the rows of the known sheets.

    ``expected(meta)`` gives the titles of the editable sheets the workbook
    must have; a missing one is a problem naming the sheets that are not known.
    """
    by_title = {s.title: s for s in sheets.values()}

    def wanted(title: str) -> bool:
        return title == META_SHEET or base_title(title) in by_title

    book = open_workbook(path, wanted, limits=limits)
    meta = None
    if META_SHEET in book.sheets:
        meta = {_cell(r[0]): _cell(r[1]) if len(r) > 1 else "" for r in book.sheets[META_SHEET].rows[1:]
                if r and _cell(r[0])}
    result: dict[str, SheetRows] = {}
    for title, data in book.sheets.items():
        if title == META_SHEET:
            continue
        sheet = by_title[base_title(title)]
        found = _sheet_rows(title, data, sheet, problems, notes)
        if found is not None:
            rows = result.setdefault(sheet.name, SheetRows(sheet, found.present))
            rows.present = tuple(a and b for a, b in zip(rows.present, found.present))
            rows.rows += found.rows
            rows.flagged |= found.flagged
    if meta is not None:
        written = set(meta.get("sheets", "").split(TITLE_SEPARATOR)) | {OVERVIEW_TITLE}
        unknown = [t for t in book.titles if t not in written and t not in book.hidden] if "sheets" in meta else []
        for title in expected(meta):
            if title not in book.titles:
                hint = f"; Blätter, die es im Export nicht gab: {', '.join(unknown)}" if unknown else ""
                problems.append(Problem(path.name, None, None, title,
                                        f"Blatt '{title}' fehlt (umbenannt oder gelöscht?): seine Werte können nicht "
                                        f"übernommen werden; den alten Namen wiederherstellen{hint}"))
    return meta, result


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _sheet_rows(title: str, data, sheet: Sheet, problems: list[Problem], notes: list[str]) -> SheetRows | None:
    if not data.rows:
        problems.append(Problem(title, 1, None, None, "Kopfzeile fehlt"))
        return None
    header = [str(v).strip() if v not in (None, "") else "" for v in data.rows[0]]
    by_header = {c.header: i for i, c in enumerate(sheet.columns)}
    positions = [-1] * len(sheet.columns)
    unknown = []
    for index, text in enumerate(header):
        if text in by_header:
            if positions[by_header[text]] >= 0:
                problems.append(Problem(title, 1, text, None, "Spalte kommt doppelt vor"))
            positions[by_header[text]] = index
        elif text:
            unknown.append(text)
    missing = False
    for i, column in enumerate(sheet.columns):
        if positions[i] >= 0:
            continue
        renamed = f"; unbekannte Spalten: {', '.join(repr(u) for u in unknown)}" if unknown else ""
        if column.is_key:
            problems.append(Problem(title, 1, column.header, None,
                                    f"Schlüsselspalte fehlt (umbenannt oder gelöscht?): Zeilen können nicht zugeordnet "
                                    f"werden{renamed}"))
            missing = True
        elif column.editable:
            problems.append(Problem(title, 1, column.header, None,
                                    f"Spalte fehlt (umbenannt oder gelöscht?): ihre Werte können nicht übernommen "
                                    f"werden; die Überschrift wiederherstellen{renamed}"))
            missing = True
    for text in unknown:
        notes.append(f"{title}: unbekannte Spalte '{text}' wird nicht übernommen.")
    result = SheetRows(sheet, tuple(p >= 0 for p in positions))
    for (number, index), cell in sorted(data.special.items()):
        if number > 1 and index in positions:
            column = sheet.columns[positions.index(index)]
            message = ("Formel statt Wert: Formeln werden nicht übernommen, bitte den Wert eintragen"
                       if cell.kind == "f" else "Fehlerwert statt Wert")
            problems.append(Problem(title, number, column.header, cell.text, message))
            result.flagged.add((title, number))
    if missing:
        return None
    width = max(positions) + 1
    if all(p >= 0 for p in positions):
        pick = operator.itemgetter(*positions)  # the usual case, at C speed
    else:
        def pick(row):
            return tuple(row[p] if p >= 0 else "" for p in positions)
    for number, row in enumerate(data.rows[1:], start=2):
        if len(row) < width:
            row = [*row, *([""] * (width - len(row)))]
        values = pick(row)
        if any(v != "" and v is not None and not (type(v) is str and v.isspace()) for v in values):
            result.rows.append((title, number, values))
    return result


# --------------------------------------------------------------------------- values


def exporter(sheet: Sheet) -> tuple[Callable[[Mapping[str, object]], tuple], Callable[[tuple], tuple]]:
    """Two functions for the rows of :func:`~grundschutz.exchange.excel.rows.sheet_rows`: the first
    gives a row's values in column order (``""`` for none), cheaply, to keep for every row; the
    second turns such a tuple into the cells as the export wrote them (text through
    :func:`~grundschutz.exchange.excel.writer.excel_text`): what a workbook row is compared with.
    Most rows equal the first already; the second runs for the others."""
    source = sheet.source
    keys = [c.key for c in sheet.columns]

    def values(row: Mapping[str, object]) -> tuple:
        return tuple(["" if value is None else value for value in map(row.get, keys)])

    def written(values: tuple) -> tuple:
        return tuple([value if value == "" else cell_text(value, source) if type(value) is str
                      else excel_value(value, source) for value in values])

    return values, written


def _same(cell: object, written: object) -> bool:
    """Whether a workbook cell holds what the export wrote (a number reads back as a float, a
    date as a date; an empty cell as ``""``)."""
    if cell == written:
        return not (isinstance(cell, bool) or isinstance(written, bool)) or type(cell) is type(written)
    return isinstance(cell, datetime) and isinstance(written, date) and not isinstance(written, datetime) and \
        cell.time() == time() and cell.date() == written


def text_of(value: object, column: Column) -> object:
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
    if isinstance(value, int | float | time | timedelta):
        return str(value)
    return excel_text(str(value)).strip()


def parse_cell(column: Column, value: object) -> object:
    """The canonical value of a cell of ``column``; ``ValueError`` with a German message."""
    if column.kind == "date":
        if isinstance(value, int | float | time | timedelta) and not isinstance(value, bool):
            raise ValueError(_NUMBER_IN_DATE)  # Excel shows 1 in a date cell as 01.01.1900
        text = text_of(value, column)
        if text == "":
            return None
        day = text if isinstance(text, date) else parse_date(text)
        if day < EARLIEST_DATE:
            raise ValueError(f"Datum vor dem {EARLIEST_DATE:%d.%m.%Y}: vermutlich eine Zahl statt eines Datums; "
                             "bitte ein Datum eingeben, z. B. 31.12.2025")
        return day
    text = text_of(value, column)
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


def baseline(sheet: Sheet, written: tuple) -> dict[str, object]:
    """The values of an exported row as the import reads them (column key -> canonical value)."""
    result = {}
    for column, value in zip(sheet.columns, written):
        value = None if value == "" else value
        try:
            result[column.key] = parse_cell(column, value) if column.kind != "date" or value is not None else None
        except ValueError:
            result[column.key] = text_of(value, column)
    return result


def show(value: object) -> str:
    """A value as a message shows it (dates German)."""
    if value is None:
        return ""
    if isinstance(value, date):
        return value.strftime("%d.%m.%Y")
    return str(value)


# --------------------------------------------------------------------------- matching


def match_rows(found: SheetRows, exported: Mapping[tuple, tuple], as_written: Callable[[tuple], tuple],
               problems: list[Problem], notes: list[str], allow_new: Callable[[tuple[str, ...]], str | None]
               ) -> list[Edited]:
    """The workbook rows of a sheet that differ from what the export wrote, matched by key.

    ``exported`` holds the exported rows by key as values; ``as_written`` turns those into the cells
    as written (see :func:`exporter`)."""
    sheet = found.sheet
    columns = sheet.columns
    keys = [i for i, c in enumerate(columns) if c.is_key]
    seen: dict[tuple, tuple[str, int]] = {}
    edited = []
    ignored = 0
    complete = all(found.present)
    for title, number, values in found.rows:
        if (title, number) in found.flagged:
            continue
        key = tuple(_key_text(values[i], columns[i]) for i in keys)
        shown = " / ".join(k for k in key if k)
        if key in seen:
            where_title, where = seen[key]
            place = f"Zeile {where}" if where_title == title else f"'{where_title}', Zeile {where}"
            problems.append(Problem(title, number, columns[keys[-1]].header, shown,
                                    f"Zeile doppelt (dieselben Schlüssel wie {place})"))
            continue
        seen[key] = (title, number)
        before = exported.get(key)
        if before is not None:
            if complete and values == before:
                continue  # the row as exported
            before = as_written(before)
            if all(_same(v, w) for v, w, p in zip(values, before, found.present) if p):
                continue
        if before is None:
            why = allow_new(key)
            if why:
                problems.append(Problem(title, number, columns[keys[0]].header, shown, why))
                continue
            old: dict[str, object] = {}
        else:
            old = baseline(sheet, before)
        new: dict[str, object] = {}
        for i, column in enumerate(columns):
            if column.is_key or not found.present[i]:
                continue
            value = values[i]
            if before is not None and _same(value, before[i]):
                new[column.key] = old[column.key]  # unchanged: taken as exported, never judged again
                continue
            if value == "" or value is None:
                if before is not None and column.editable:
                    new[column.key] = _empty(column)  # an emptied cell
                continue
            if not column.editable:
                if before is not None:
                    ignored += 1
                    if ignored <= 10:
                        notes.append(f"{title}, Zeile {number}, Spalte '{column.header}': schreibgeschützt, "
                                     f"Änderung wird nicht übernommen ('{show(old.get(column.key))}' → "
                                     f"'{show(text_of(value, column))}').")
                continue
            if before is not None and is_truncated(before[i]):
                problems.append(Problem(title, number, column.header, show(text_of(value, column))[:60],
                                        f"der Text ist länger als eine Excel-Zelle und wurde gekürzt exportiert; "
                                        f"bitte in {sheet.source} bearbeiten, nicht in der Arbeitsmappe"))
                continue
            try:
                new[column.key] = parse_cell(column, value)
            except ValueError as exc:
                problems.append(Problem(title, number, column.header, show(text_of(value, column)), str(exc)))
        for column in sheet.editable:
            if before is None and column.kind == "assignment" and not new.get(column.key):
                new[column.key] = "zugeordnet"  # a new Modellierung row adds its Baustein
        edited.append(Edited(title, number, key, old, new, before is None))
    if ignored > 10:
        notes.append(f"{sheet.title}: … und {ignored - 10} weitere Änderungen in schreibgeschützten Spalten.")
    if not found.flagged:
        notes.extend(deleted_rows_note(sheet, [key for key in exported if key not in seen]))
    return edited


def deleted_rows_note(sheet: Sheet, keys: list[tuple]) -> list[str]:
    """The note on exported rows missing from the workbook: a deleted row changes nothing (the
    values stay in the file), the import says so instead of ignoring it silently.

    >>> from grundschutz.exchange.excel.layout import RISK_SHEET
    >>> note, = deleted_rows_note(RISK_SHEET, [("SRV-01", "G 0.8"), ("SRV-01", "G 0.14")])
    >>> note.split("; ")  # doctest: +NORMALIZE_WHITESPACE
    ['Risikoanalyse: 2 exportierte Zeilen fehlen in der Arbeitsmappe (gelöscht?): SRV-01 / G 0.8, SRV-01 / G 0.14',
     'gelöschte Zeilen werden nicht übernommen, in risks.csv wird nichts gelöscht.']
    """
    if not keys:
        return []
    shown = ", ".join(" / ".join(k for k in key if k) for key in keys[:5])
    more = f" und {len(keys) - 5} weitere" if len(keys) > 5 else ""
    rows = "1 exportierte Zeile fehlt" if len(keys) == 1 else f"{len(keys)} exportierte Zeilen fehlen"
    keep = f"in {sheet.source} wird nichts gelöscht" if sheet.source else "es wird nichts gelöscht"
    return [f"{sheet.title}: {rows} in der Arbeitsmappe (gelöscht?): {shown}{more}; gelöschte Zeilen werden nicht "
            f"übernommen, {keep}."]


def _key_text(value: object, column: Column) -> str:
    if type(value) is str:
        return value.strip()
    return "" if value is None else str(text_of(value, column))


def _empty(column: Column) -> object:
    return None if column.kind == "date" else ("unbearbeitet" if column.kind == "status" else "")


def refuse(problems: list[Problem], label: str) -> None:
    """Raise the problems found so far, if any."""
    if problems:
        raise AssessmentError(problems, label)
