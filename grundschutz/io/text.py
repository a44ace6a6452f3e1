"""Tables as the officer writes them: CSV text in UTF-8 (with or without BOM), ``;``, ``,`` or tab.

:func:`parse_csv` turns text into a :class:`Table` (column names in lower
case, cells stripped, every row with its spreadsheet row number); problems
are :class:`~grundschutz.model.errors.AssessmentError` naming file, row,
column and value.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from grundschutz.model.errors import AssessmentError, Problem


@dataclass(frozen=True)
class Table:
    """A table as read from a CSV file or a sheet: its file label, its column
    names (lower case) and its rows with their spreadsheet row numbers."""

    file: str
    columns: tuple[str, ...]
    rows: tuple[tuple[int, Mapping[str, str]], ...]


def decode_text(data: bytes, file: str) -> str:
    """Decode a file as UTF-8 (with or without BOM), or explain why not.

    >>> decode_text("\\ufeffid".encode("utf-8"), "x.csv")
    'id'
    >>> decode_text("Straße".encode("cp1252"), "x.csv")
    Traceback (most recent call last):
    ...
    grundschutz.model.errors.AssessmentError: 1 Fehler:
      x.csv: Datei ist nicht UTF-8-kodiert (Byte 0xdf an Position 4, Zeile 1; vermutlich Windows-1252/ANSI). Bitte als 'CSV UTF-8' speichern.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise AssessmentError(
            [file_problem(file, "Datei ist UTF-16-kodiert. Bitte als 'CSV UTF-8' speichern.")]
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise AssessmentError(
            [
                file_problem(
                    file,
                    f"Datei ist nicht UTF-8-kodiert (Byte 0x{data[exc.start]:02x} an "
                    f"Position {exc.start}, Zeile {line}; vermutlich Windows-1252/ANSI). "
                    "Bitte als 'CSV UTF-8' speichern.",
                )
            ]
        ) from None


def sniff_delimiter(header_line: str) -> str:
    """The separator of a CSV file from its header line: ``;``, ``,`` or tab.

    >>> sniff_delimiter("id;type;name")
    ';'
    >>> sniff_delimiter("id,type,name")
    ','
    """
    counts = {sep: header_line.count(sep) for sep in (",", ";", "\t")}
    best = max(counts, key=lambda sep: counts[sep])
    return best if counts[best] else ","


def parse_csv(text: str, file: str) -> Table:
    """Parse the text of a CSV table (``;``, ``,`` or tab separated, header row).

    Column names are compared in lower case; cells are stripped. Completely
    empty lines are skipped.

    >>> table = parse_csv("ID;Type\\nA;server\\n", "objects.csv")
    >>> table.columns, table.rows[0]
    (('id', 'type'), (2, {'id': 'A', 'type': 'server'}))
    """
    if text.startswith("\ufeff"):
        text = text[1:]
    first_line = text.split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(first_line))
    try:
        # records are consumed as they are read, not listed first: half the
        # objects alive at once, which matters for tables of 100,000 rows
        return _table_from_records(file, reader)
    except csv.Error as exc:
        raise AssessmentError([file_problem(file, f"CSV nicht lesbar: {exc}")]) from None


def _table_from_records(file: str, records: Iterable[list[str]]) -> Table:
    iterator = iter(records)
    header: list[str] | None = None
    for header in iterator:
        if any(cell.strip() for cell in header):
            break
    else:
        return Table(file, (), ())
    columns = tuple(cell.strip().lower() for cell in header)
    rows = []
    for number, record in enumerate(iterator, start=2):
        cells = [cell.strip() for cell in record]
        if not any(cells):
            continue
        row = dict(zip(columns, cells))
        for column in columns[len(cells):]:
            row[column] = ""
        if len(cells) > len(columns) and any(cells[len(columns):]):
            row["\0extra"] = ";".join(c for c in cells[len(columns):] if c)
        rows.append((number, row))
    return Table(file, columns, tuple(rows))


def read_csv_table(path: Path, file: str | None = None) -> Table:
    """Read one CSV table from ``path``; ``file`` is the label used in messages."""
    label = file or path.name
    return parse_csv(decode_text(path.read_bytes(), label), label)


def file_problem(file: str, message: str) -> Problem:
    """A problem of a whole file (no row, column or value)."""
    return Problem(file, None, None, None, message)
