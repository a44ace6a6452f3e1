"""Assessment tables as sheets of an ``.xlsx`` workbook (values, never formulas).

A formula is read by the value Excel or LibreOffice stored with it. A
workbook written by another program may hold formulas that were never
calculated: such a cell has no value, and reading it as empty would silently
turn an assessed need into "nicht bewertet". It is an error instead.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from grundschutz.io.text import Table, _table_from_records, file_problem
from grundschutz.model.errors import AssessmentError, Problem
from grundschutz.model.library_errors import workbook_reason

FORMULA_WITHOUT_VALUE = ("Formel ohne gespeicherten Wert: die Arbeitsmappe in Excel oder LibreOffice öffnen und "
                         "speichern, damit die Werte gespeichert werden, oder den Wert eintragen")


def read_workbook_tables(path: Path) -> dict[str, Table]:
    """Read the sheets of an assessment workbook as tables, by sheet name (lower case).

    Raises :class:`AssessmentError` with every problem of every sheet: a
    formula without a stored value, a control character in a cell, a file
    that is no workbook.
    """
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for broken files
        raise AssessmentError(
            [file_problem(path.name, f"Arbeitsmappe nicht lesbar: {workbook_reason(exc)}")]
        ) from None
    tables = {}
    problems: list[Problem] = []
    values: dict[str, list[list[str]]] = {}
    try:
        for sheet in workbook.worksheets:
            values[sheet.title] = [[_cell_text(value) for value in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()
    for title, (number, index, formula) in unsaved_formulas(path, values):
        label = f"{path.name}[{title}]"
        header = values[title][0] if values[title] else []
        column = header[index].strip().lower() if index < len(header) and header[index].strip() else None
        problems.append(Problem(label, number, column, formula, FORMULA_WITHOUT_VALUE))
    for title, rows in values.items():
        label = f"{path.name}[{title}]"
        tables[title.strip().lower()] = _table_from_records(label, rows, problems)
    if problems:
        raise AssessmentError(problems, path.name)
    return tables


def unsaved_formulas(path: Path, values: dict[str, list[list[str]]]) -> Iterable[tuple[str, tuple[int, int, str]]]:
    """``(sheet, (row number, column index, formula))`` for every formula cell of ``path`` whose value
    in ``values`` (the stored values by sheet, as read with ``data_only=True``) is empty."""
    import openpyxl

    formulas = openpyxl.load_workbook(path, read_only=True, data_only=False)
    try:
        for sheet in formulas.worksheets:
            stored = values.get(sheet.title, [])
            for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
                for index, value in enumerate(row):
                    if (isinstance(value, str) and value.startswith("=") and number <= len(stored)
                            and index < len(stored[number - 1]) and not stored[number - 1][index]):
                        yield sheet.title, (number, index, value)
    finally:
        formulas.close()


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
