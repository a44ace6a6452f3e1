"""Excel import, issue 11: nothing the user did not edit changes; hostile and odd workbooks are refused.

Each test names the defect of the issue it guards. The process-level faults (kills, a full disk,
two imports at once) are in ``tests/faults/test_workbook_faults.py``.
"""

from __future__ import annotations

import os
import struct
import zipfile
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from conftest import analysed
from test_excel import NEEDS_HEADER, fill_of, write_small
from test_excel_import import digest, edit_book

from grundschutz.cli.excel import import_
from grundschutz.exchange.excel.export import export_workbook
from grundschutz.exchange.excel.importing import apply_import, import_workbook, plan_import
from grundschutz.exchange.excel.layout import EXCEL_MAX_TEXT, READONLY_FILL
from grundschutz.io.files import WriteError
from grundschutz.io.workbook import WorkbookLimits
from grundschutz.model.errors import AssessmentError

SHEET = "Schutzbedarfsfeststellung"


def needs_with(reason: str) -> str:
    """needs.csv of the small example whose first row has ``reason`` as its confidentiality reason."""
    quoted = '"' + reason.replace('"', '""') + '"'
    return (NEEDS_HEADER
            + f"GP-1,hoch,hoch,normal,{quoted},Register mit Beweiskraft,\"Ausfall\r\nein Tag tragbar\",\n"
            + "APP-2,normal,normal,normal,öffentlich,+ Korrekturen möglich,\"Ausfall, eine Woche\",\n")


# --------------------------------------------------------------------------- item 2: never change what was not edited


def test_a_text_longer_than_a_cell_is_exported_marked_and_read_only_and_never_cut(tmp_path, shared_catalogs):
    """Item 2: a reason longer than 32,767 characters was cut to 32,767 when only the level was
    edited; the same path rewrote CRLF to LF in a reason nobody edited."""
    long = "Melderegister mit Auskunftssperren; " * 1200  # 43,200 characters
    folder = write_small(tmp_path / "a", needs=needs_with(long))
    book = tmp_path / "a.xlsx"
    export_workbook(analysed(folder, shared_catalogs), book)
    ws = openpyxl.load_workbook(book)[SHEET]
    names = [c.value for c in ws[1]]
    cell = ws.cell(2, names.index("Vertraulichkeit: Begründung") + 1)
    assert len(cell.value) == EXCEL_MAX_TEXT
    assert cell.value.endswith(" … [gekürzt – Originaltext in needs.csv]")
    assert fill_of(cell) == READONLY_FILL  # grey although the column is editable
    before = (folder / "needs.csv").read_bytes()

    edit_book(book, tmp_path / "stufe.xlsx", [(SHEET, ("GP-1",), "Vertraulichkeit: festgestellt", "sehr hoch"),
                                              (SHEET, ("GP-1",), "Integrität: festgestellt", "normal")])
    plan = import_workbook(analysed(folder, shared_catalogs), tmp_path / "stufe.xlsx", apply=True)
    assert [(c.column, c.old, c.new) for c in plan.changes] == [
        ("Vertraulichkeit: festgestellt", "hoch", "sehr hoch"), ("Integrität: festgestellt", "hoch", "normal")]
    after = (folder / "needs.csv").read_bytes()
    assert after == before.replace(b"GP-1,hoch,hoch,normal,", b"GP-1,sehr hoch,normal,normal,")
    assert long.encode() in after and b"Ausfall\r\nein Tag tragbar" in after

    export_workbook(analysed(folder, shared_catalogs), book)
    edit_book(book, tmp_path / "text.xlsx", [(SHEET, ("GP-1",), "Vertraulichkeit: Begründung", "kürzer")])
    with pytest.raises(AssessmentError) as caught:
        plan_import(analysed(folder, shared_catalogs), tmp_path / "text.xlsx")
    assert [str(p) for p in caught.value.problems] == [
        f"{SHEET}, Zeile 2, Spalte 'Vertraulichkeit: Begründung', Wert 'kürzer': der Text ist länger als eine "
        "Excel-Zelle und wurde gekürzt exportiert; bitte in needs.csv bearbeiten, nicht in der Arbeitsmappe"]
    assert (folder / "needs.csv").read_bytes() == after


def test_a_moved_override_keeps_its_reason_as_written(tmp_path, shared_catalogs):
    """Item 2: a value set by hand whose effect changes moves to another row of needs.csv; its reason,
    not edited, moves as the file holds it (line end included), not as the cell showed it."""
    needs = (NEEDS_HEADER + "GP-1,hoch,hoch,normal,a,b,c,\n"
             + "R-1,sehr hoch,,normal,\"Tresor\r\nund Zutritt\",,Reservestrom,manual\n")
    folder = write_small(tmp_path / "a", needs=needs)
    book = tmp_path / "a.xlsx"
    export_workbook(analysed(folder, shared_catalogs), book)
    edit_book(book, book, [(SHEET, ("R-1",), "Vertraulichkeit: Effekt", "Kumulationseffekt")])
    import_workbook(analysed(folder, shared_catalogs), book, apply=True)
    text = (folder / "needs.csv").read_bytes().decode()
    assert 'R-1,,,normal,,,Reservestrom,manual\n' in text
    assert 'R-1,sehr hoch,,,"Tresor\r\nund Zutritt",,,cumulation\n' in text


# --------------------------------------------------------------------------- item 9: odd values are errors


def test_a_number_in_a_date_cell_is_an_error(tmp_path, shared_catalogs):
    """Item 9: a number typed into a date cell became a date (1 -> 01.01.1900, -5 -> 25.12.1899)."""
    folder = write_small(tmp_path / "a")
    entries = analysed(folder, shared_catalogs).check.entries
    (folder / "check.csv").write_text(
        "object,requirement,status,due\n" + "".join(f"{e.object},{e.requirement},nein,2026-01-31\n"
                                                    for e in entries[:4]), encoding="utf-8")
    book = tmp_path / "a.xlsx"
    export_workbook(analysed(folder, shared_catalogs), book)
    workbook = openpyxl.load_workbook(book)
    ws = workbook["IT-Grundschutz-Check"]
    for row, value in ((2, 1), (3, -5), (4, datetime(1905, 7, 17))):  # 2025 typed into a date cell
        assert ws.cell(row, 10).number_format == "DD.MM.YYYY"  # the cell shows a date
        ws.cell(row, 10).value = value
    ws.cell(5, 10).value = datetime(2026, 6, 30)  # a real date
    workbook.save(book)
    before = digest(folder)
    result = CliRunner().invoke(import_, [str(folder), str(book), "--apply", "--catalogs", str(shared_catalogs)])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0] == "Fehler: 3 Fehler in a.xlsx:"
    early = ": Datum vor dem 01.01.1990: vermutlich eine Zahl statt eines Datums; bitte ein Datum eingeben, z. B. 31.12.2025"
    assert lines[1] == "  IT-Grundschutz-Check, Zeile 2, Spalte 'Umsetzung bis', Wert '01.01.1900'" + early
    assert lines[2].startswith("  IT-Grundschutz-Check, Zeile 3, Spalte 'Umsetzung bis', Wert '")
    assert lines[2].endswith(": Zahl statt Datum: bitte ein Datum eingeben, z. B. 31.12.2025")
    assert lines[3] == "  IT-Grundschutz-Check, Zeile 4, Spalte 'Umsetzung bis', Wert '17.07.1905'" + early
    assert digest(folder) == before


def test_an_old_date_nobody_edited_stays(tmp_path, shared_catalogs):
    """The date rule judges edited cells only: an early date check.csv holds is exported and comes
    back unchanged, also when another cell of its row is edited."""
    folder = write_small(tmp_path / "a")
    first = analysed(folder, shared_catalogs).check.entries[0]
    (folder / "check.csv").write_text(f"object,requirement,status,checked_on\n{first.object},{first.requirement},"
                                      "nein,1985-05-01\n", encoding="utf-8")
    book = tmp_path / "a.xlsx"
    export_workbook(analysed(folder, shared_catalogs), book)
    edit_book(book, book, [("IT-Grundschutz-Check", (first.object, first.requirement), "Status", "ja")])
    import_workbook(analysed(folder, shared_catalogs), book, apply=True)
    assert (folder / "check.csv").read_text(encoding="utf-8") == (
        f"object,requirement,status,checked_on\n{first.object},{first.requirement},ja,1985-05-01\n")


def test_an_error_value_is_an_error(tmp_path, shared_catalogs):
    folder = write_small(tmp_path / "a")
    book = tmp_path / "a.xlsx"
    export_workbook(analysed(folder, shared_catalogs), book)
    workbook = openpyxl.load_workbook(book)
    cell = workbook["IT-Grundschutz-Check"]["I2"]  # Verantwortlich
    cell.value, cell.data_type = "#N/A", "e"  # Excel's #NV
    text = workbook["IT-Grundschutz-Check"]["I3"]
    text.value, text.data_type = "#N/A", "s"  # the same typed as text is text
    workbook.save(book)
    with pytest.raises(AssessmentError) as caught:
        plan_import(analysed(folder, shared_catalogs), book)
    assert [str(p) for p in caught.value.problems] == [
        "IT-Grundschutz-Check, Zeile 2, Spalte 'Verantwortlich', Wert '#N/A': Fehlerwert statt Wert"]


# --------------------------------------------------------------------------- item 13c: messages


def test_a_duplicate_row_in_another_part_names_the_sheet(tmp_path, shared_catalogs):
    """Item 13c: "Zeile doppelt (… wie Zeile 6)" across split sheets did not name the sheet."""
    folder = write_small(tmp_path / "a")
    book = tmp_path / "a.xlsx"
    export_workbook(analysed(folder, shared_catalogs), book, max_rows=40)
    first = analysed(folder, shared_catalogs).check.entries[0]
    part = [t for t in openpyxl.load_workbook(book, read_only=True).sheetnames
            if t.startswith("IT-Grundschutz-Check (")][-1]
    edit_book(book, book, [], append=[(part, {"Zielobjekt": first.object, "Anforderung": first.requirement,
                                              "Status": "ja"})])
    with pytest.raises(AssessmentError) as caught:
        plan_import(analysed(folder, shared_catalogs), book)
    [problem] = caught.value.problems
    assert problem.file == part
    assert problem.message == "Zeile doppelt (dieselben Schlüssel wie 'IT-Grundschutz-Check', Zeile 2)"


# --------------------------------------------------------------------------- item 5: read-only files


@pytest.fixture
def unprivileged(monkeypatch):
    """Writing into a file without write permission fails, as for every user but root (the tests may
    run as root, who may write anyway)."""
    if os.geteuid() != 0:
        return
    real_open = open

    def guarded(file, mode="r", *args, **kwargs):
        if any(c in mode for c in "wa+") and isinstance(file, str | os.PathLike) and os.path.exists(file) \
                and not os.stat(file).st_mode & 0o222:
            raise PermissionError(13, "Permission denied", str(file))
        return real_open(file, mode, *args, **kwargs)

    monkeypatch.setattr("builtins.open", guarded)
    monkeypatch.setattr("io.open", guarded)


def test_a_read_only_csv_is_no_traceback(tmp_path, shared_catalogs, unprivileged):
    """Item 5: import (even without --apply) crashed with PermissionError when a CSV to be edited was
    read-only. The dry run shows the changes; --apply refuses in German and changes nothing."""
    folder = write_small(tmp_path / "a")
    first = analysed(folder, shared_catalogs).check.entries[0]
    (folder / "check.csv").write_text(f"object,requirement,status\n{first.object},{first.requirement},nein\n",
                                      encoding="utf-8")
    book = tmp_path / "a.xlsx"
    export_workbook(analysed(folder, shared_catalogs), book)
    edit_book(book, book, [("IT-Grundschutz-Check", (first.object, first.requirement), "Status", "ja")])
    (folder / "check.csv").chmod(0o444)
    plan = plan_import(analysed(folder, shared_catalogs), book)
    assert [c.new for c in plan.changes] == ["ja"]
    before = digest(folder)
    with pytest.raises(WriteError, match=r"check\.csv: nicht geschrieben \(Datei ist schreibgeschützt\)"):
        apply_import(plan)
    assert digest(folder) == before
    result = CliRunner().invoke(import_, [str(folder), str(book), "--apply", "--catalogs", str(shared_catalogs)])
    assert result.exit_code == 1 and result.output.startswith("Fehler: ") and "schreibgeschützt" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


# --------------------------------------------------------------------------- item 4: zip bombs


def _with_sheet_part(book: Path, target: Path, size: int) -> str:
    """A copy of ``book`` whose IT-Grundschutz-Check part unpacks to ``size`` bytes (mostly blanks)."""
    titles = openpyxl.load_workbook(book, read_only=True).sheetnames
    part = f"xl/worksheets/sheet{titles.index('IT-Grundschutz-Check') + 1}.xml"  # the export's parts in order
    with zipfile.ZipFile(book) as source, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for name in source.namelist():
            data = source.read(name)
            if name == part:
                head, tail = data.split(b"</sheetData>")
                data = head + b" " * (size - len(data)) + b"</sheetData>" + tail
            out.writestr(name, data)
    return part


def _declare(book: Path, part: str, size: int) -> None:
    """Make the zip directory declare ``size`` unpacked bytes for ``part`` (what a bomb may do)."""
    data = bytearray(book.read_bytes())
    start = 0
    while (start := data.find(b"PK\x01\x02", start)) >= 0:
        length = struct.unpack_from("<H", data, start + 28)[0]
        if data[start + 46:start + 46 + length].decode() == part:
            struct.pack_into("<I", data, start + 24, size)
        start += 4
    book.write_bytes(bytes(data))


def test_a_zip_bomb_is_refused_from_the_zip_directory(tmp_path, shared_catalogs):
    """Item 4: a 9 MB workbook unpacking to 8 GiB was read to the end (134 s, 8.6 GB). A part declared
    larger than the limit is refused before anything is unpacked, naming the limit."""
    folder = write_small(tmp_path / "a")
    book = tmp_path / "a.xlsx"
    export_workbook(analysed(folder, shared_catalogs), book)
    bomb = tmp_path / "bombe.xlsx"
    part = _with_sheet_part(book, bomb, 3_000_000)
    _declare(bomb, part, 0xFFFF_FFF0)  # 4 GiB
    assert bomb.stat().st_size < 200_000
    before = digest(folder)
    result = CliRunner().invoke(import_, [str(folder), str(bomb), "--apply", "--catalogs", str(shared_catalogs)])
    assert result.exit_code == 1
    assert result.output == ("Fehler: 1 Fehler in bombe.xlsx:\n  bombe.xlsx: Arbeitsmappe zu groß: die zu lesenden "
                             "Teile sind entpackt 4.096 MB groß, erlaubt sind 1.024 MB (GRUNDSCHUTZ_MAX_WORKBOOK_MB "
                             "setzt eine andere Grenze)\n")
    # the fault suite's guarantee: the assessment unchanged, no temporary file of the toolkit left
    assert digest(folder) == before
    assert [p.name for p in (*folder.iterdir(), *tmp_path.iterdir()) if p.name.startswith(".~")] == []


def test_a_zip_bomb_that_lies_about_its_size_is_stopped(tmp_path, shared_catalogs):
    """Item 4: a part that declares a small size but unpacks to more is stopped while unpacking,
    and one that declares its size honestly is stopped at the limit."""
    folder = write_small(tmp_path / "a")
    book = tmp_path / "a.xlsx"
    export_workbook(analysed(folder, shared_catalogs), book)
    liar = tmp_path / "luege.xlsx"
    part = _with_sheet_part(book, liar, 5_000_000)
    _declare(liar, part, 50_000)
    with pytest.raises(AssessmentError, match=f"luege.xlsx.IT-Grundschutz-Check.: Arbeitsmappe beschädigt: "
                                              f"{part} ist entpackt größer als angegeben"):
        plan_import(analysed(folder, shared_catalogs), liar)
    honest = tmp_path / "gross.xlsx"
    _with_sheet_part(book, honest, 5_000_000)
    with pytest.raises(AssessmentError, match="Arbeitsmappe zu groß: die zu lesenden Teile sind entpackt 5 MB groß, "
                                              "erlaubt sind 2 MB"):
        plan_import(analysed(folder, shared_catalogs), honest, limits=WorkbookLimits(unpacked_bytes=2 * 2**20))
    with pytest.raises(AssessmentError, match=r"mehr als 100 Zeilen \(Grenze\)"):
        plan_import(analysed(folder, shared_catalogs), book, limits=WorkbookLimits(rows=100))


def test_the_limit_can_be_raised(tmp_path, shared_catalogs, monkeypatch):
    folder = write_small(tmp_path / "a")
    book = tmp_path / "a.xlsx"
    export_workbook(analysed(folder, shared_catalogs), book)
    big = tmp_path / "gross.xlsx"
    _with_sheet_part(book, big, 3_000_000)
    monkeypatch.setenv("GRUNDSCHUTZ_MAX_WORKBOOK_MB", "2")
    with pytest.raises(AssessmentError, match="erlaubt sind 2 MB"):
        plan_import(analysed(folder, shared_catalogs), big)
    monkeypatch.setenv("GRUNDSCHUTZ_MAX_WORKBOOK_MB", "10")
    assert plan_import(analysed(folder, shared_catalogs), big).changes == []
