"""Assessment tables as sheets of an ``.xlsx`` workbook (values, never formulas)."""

from __future__ import annotations

from pathlib import Path

from grundschutz.io.text import Table, _table_from_records, file_problem
from grundschutz.model.errors import AssessmentError


def read_workbook_tables(path: Path) -> dict[str, Table]:
    """Read the sheets of an assessment workbook as tables, by sheet name.

    Values are read, never formulas. Sheet names are matched in lower case.
    """
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for broken files
        raise AssessmentError(
            [file_problem(path.name, f"Arbeitsmappe nicht lesbar: {exc}")]
        ) from None
    tables = {}
    try:
        for sheet in workbook.worksheets:
            label = f"{path.name}[{sheet.title}]"
            records = (
                [_cell_text(value) for value in row]
                for row in sheet.iter_rows(values_only=True)
            )
            tables[sheet.title.strip().lower()] = _table_from_records(label, records)
    finally:
        workbook.close()
    return tables


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
