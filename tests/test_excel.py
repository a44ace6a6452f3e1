"""Excel export: sheets, look, text safety, splitting at the row limit, atomic writing."""

from __future__ import annotations

import re
import zipfile
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from conftest import analysed

from grundschutz.cli.excel import export
from grundschutz.exchange.excel.export import assessment_fingerprint, export_workbook, source_hashes
from grundschutz.exchange.excel.layout import META_SHEET, READONLY_FILL, SHEETS
from grundschutz.exchange.excel.writer import excel_text
from grundschutz.io.files import WriteError
from grundschutz.model.errors import GrundschutzError

STAMP = datetime(2025, 3, 14, 9, 30)
NEEDS_HEADER = ("object,confidentiality,integrity,availability,confidentiality_reason,integrity_reason,"
                "availability_reason,effect\n")


def write_small(folder: Path, *, objects: str | None = None, dependencies: str | None = None,
                needs: str | None = None, check: str | None = None, modelling: str | None = None,
                name: str = "Kleine Verwaltung") -> Path:
    """A small assessment folder: a process, two applications, a server, a room."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "assessment.yaml").write_text(f"name: {name}\norganisation: Testamt\n", encoding="utf-8")
    (folder / "objects.csv").write_text(objects or (
        "id,type,name,description,tags,count\n"
        "GP-1,process,Meldewesen,Führung des Melderegisters,fachbereich=Bürgerbüro,\n"
        "APP-1,application,MESO,\"Melderegister, zentral\",,\n"
        "APP-2,application,Ratsinfo,=HYPERLINK(\"http://x\"),,\n"
        "SRV-1,server,Anwendungsserver,-Linux-VM,os=linux,\n"
        "R-1,room,Serverraum,@Keller,,\n"), encoding="utf-8")
    (folder / "dependencies.csv").write_text(dependencies or (
        "object,depends_on,redundancy_group,note\n"
        "GP-1,APP-1,,nutzt\nAPP-1,SRV-1,,läuft auf\nAPP-2,SRV-1,,\nSRV-1,R-1,,steht in\n"), encoding="utf-8")
    (folder / "needs.csv").write_text(needs or (
        NEEDS_HEADER
        + "GP-1,hoch,hoch,normal,Meldedaten,Register mit Beweiskraft,Ausfall einen Tag tragbar,\n"
        + "APP-2,normal,normal,normal,öffentlich,+ Korrekturen möglich,\"Ausfall, eine Woche\",\n"
        + "R-1,,,normal,,,Reservestrom vorhanden,manual\n"), encoding="utf-8")
    if check is not None:
        (folder / "check.csv").write_text(check, encoding="utf-8")
    if modelling is not None:
        (folder / "modelling.csv").write_text(modelling, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def haan_book(haan_workbook):
    """The worked example, exported once (per test process, :func:`conftest.haan_workbook`)."""
    return haan_workbook


@pytest.fixture(scope="module")
def haan_opened(haan_book):
    """The exported worked example opened once with openpyxl, for the tests that read it."""
    return openpyxl.load_workbook(haan_book[0])


def headers(ws) -> list[str]:
    return [c.value for c in next(ws.iter_rows(min_row=1, max_row=1))]


def test_the_worked_example_has_the_reference_documents_as_german_sheets(haan_book, haan_opened, haan):
    path, result = haan_book
    workbook = haan_opened
    visible = [ws.title for ws in workbook.worksheets if ws.sheet_state == "visible"]
    assert visible == ["Übersicht", "Strukturanalyse", "Abhängigkeiten", "Schutzbedarfsfeststellung",
                       "Modellierung", "IT-Grundschutz-Check", "Risikoanalyse", "Realisierungsplan",
                       "Szenario digitale-ratsarbeit", "Szenario dms-erechnung", "Szenario neue-serverlandschaft",
                       "Szenario teleheimarbeit"]
    assert result.skipped == {}
    assert workbook[META_SHEET].sheet_state == "hidden"
    assert result.sheets["Strukturanalyse"] == 219
    assert result.sheets["IT-Grundschutz-Check"] == 4938
    check = workbook["IT-Grundschutz-Check"]
    assert headers(check) == ["Zielobjekt", "Name", "Baustein", "Anforderung", "Stufe", "Titel", "Status",
                              "Anmerkung", "Verantwortlich", "Umsetzung bis", "Geprüft am"]
    first = [c.value for c in check[2]]
    assert first[:4] == ["IV", "Informationsverbund Stadtverwaltung Haan", "ISMS.1", "ISMS.1.A1"]
    assert first[6] == "ja" and first[10].date().isoformat() == "2024-03-05"


def test_identity_of_the_assessment_is_in_the_hidden_sheet(haan_book, haan_opened, haan):
    path, _ = haan_book
    meta = {r[0]: r[1] for r in haan_opened[META_SHEET].iter_rows(values_only=True)}
    assessment = analysed(haan).assessment
    assert meta["name"] == "Informationsverbund Stadtverwaltung Haan"
    assert meta["fingerprint"] == assessment_fingerprint(assessment.objects)
    assert meta["version"] == "0.1.0" and meta["layout"] == "1"
    assert meta["sha256:check.csv"] == source_hashes(haan)["check.csv"]
    assert meta["sha256:risks.csv"] == source_hashes(haan)["risks.csv"]
    assert meta["sha256:modelling.csv"] == source_hashes(haan)["modelling.csv"]


def test_headers_are_bold_frozen_filtered_and_columns_have_widths(haan_book, haan_opened):
    path, _ = haan_book
    workbook = haan_opened
    for sheet in SHEETS.values():
        ws = workbook[sheet.title]
        assert ws.freeze_panes == "B2"
        assert ws.auto_filter.ref == f"A1:{ws.cell(1, len(sheet.columns)).column_letter}{ws.max_row}"
        assert headers(ws) == [c.header for c in sheet.columns]
        assert all(ws.cell(1, i).font.b for i in range(1, len(sheet.columns) + 1))
        for i, column in enumerate(sheet.columns, start=1):
            # the file holds the width with Excel's cell padding (5 pixels of 7 per character);
            # neighbouring columns of the same width and style share one <col> element
            width = next(d.width for d in ws.column_dimensions.values() if d.min <= i <= d.max)
            assert column.width < width <= column.width + 1, (sheet.title, column.header, width)


def fill_of(cell) -> str | None:
    """The solid fill colour of a cell (RGB), ``None`` for none."""
    return cell.fill.fgColor.rgb[-6:] if cell.fill.fill_type == "solid" else None


def test_read_only_cells_are_grey_and_editable_ones_white_empty_ones_too(haan_book, haan_opened):
    """Issue 12: white means editable, so an empty cell of a read-only column is grey as well
    (it is written as a styled empty cell: a cell that is not in the file shows white in LibreOffice)."""
    path, _ = haan_book
    workbook = haan_opened
    ws = workbook["Schutzbedarfsfeststellung"]
    sheet = SHEETS["needs"]
    for i, column in enumerate(sheet.columns, start=1):
        for row in range(2, ws.max_row + 1):
            assert (fill_of(ws.cell(row, i)) == READONLY_FILL) == (not column.editable), (column.header, row)
    assert ws.cell(2, headers(ws).index("Vertraulichkeit: Begründung") + 1).alignment.wrap_text
    scenario = workbook["Szenario teleheimarbeit"]  # view only: every cell of every row grey
    empty = [scenario.cell(row, i) for row in range(2, scenario.max_row + 1)
             for i in range(1, scenario.max_column + 1) if scenario.cell(row, i).value is None]
    assert empty and all(fill_of(cell) == READONLY_FILL for cell in empty)


def test_levels_and_statuses_are_coloured_by_conditional_formatting(haan_book, haan_opened):
    path, _ = haan_book
    workbook = haan_opened
    needs = workbook["Schutzbedarfsfeststellung"]
    rules = {str(r.sqref): [rule.formula[0] for rule in r.rules] for r in needs.conditional_formatting}
    assert rules["D2:D1048576"] == ['"normal"', '"hoch"', '"sehr hoch"']  # Vertraulichkeit: Ergebnis
    assert rules["E2:E1048576"] == ['"normal"', '"hoch"', '"sehr hoch"']  # Vertraulichkeit: festgestellt
    check = workbook["IT-Grundschutz-Check"]
    rules = {str(r.sqref): [rule.formula[0] for rule in r.rules] for r in check.conditional_formatting}
    assert rules == {"G2:G1048576": ['"ja"', '"teilweise"', '"nein"', '"entbehrlich"']}


def test_fixed_value_columns_have_drop_down_lists(haan_book, haan_opened):
    path, _ = haan_book
    workbook = haan_opened
    check = {str(v.sqref): (v.type, v.formula1) for v in workbook["IT-Grundschutz-Check"].data_validations.dataValidation}
    assert check["G2:G1048576"] == ("list", '"ja,teilweise,nein,entbehrlich,unbearbeitet"')
    # dates from 01.01.1990 (serial 32874): a number typed into a date cell is refused by Excel itself
    assert check["J2:J1048576"] == ("date", "32874") and check["K2:K1048576"] == ("date", "32874")
    needs = {str(v.sqref): v.formula1 for v in workbook["Schutzbedarfsfeststellung"].data_validations.dataValidation}
    assert needs["E2:E1048576"] == '"normal,hoch,sehr hoch"'  # Vertraulichkeit: festgestellt
    assert needs["N2:N1048576"] == '"manuell,Kumulationseffekt,Verteilungseffekt"'  # Vertraulichkeit: Effekt
    modelling = {str(v.sqref): v.formula1 for v in workbook["Modellierung"].data_validations.dataValidation}
    assert modelling == {"I2:I1048576": '"zugeordnet,entfernt"'}


def test_needs_sheet_gives_rule_source_and_reason_in_words(haan_book, haan_opened):
    path, _ = haan_book
    ws = haan_opened["Schutzbedarfsfeststellung"]
    names = headers(ws)
    rows = {r[0]: dict(zip(names, r)) for r in ws.iter_rows(min_row=2, values_only=True)}
    gp = rows["GP-01"]
    assert gp["Vertraulichkeit: festgestellt"] == "hoch" and gp["Vertraulichkeit: Regel"] == "festgestellt"
    derived = next(r for r in rows.values()
                   if r["Verfügbarkeit: Regel"] == "Maximumprinzip" and r["Verfügbarkeit: festgestellt"] is None)
    assert derived["Verfügbarkeit: Quelle"] and derived["Verfügbarkeit: Ergebnis"]
    assert "Regel: Maximumprinzip, übernommen von" in derived["Verfügbarkeit: Herleitung"]
    assert "Pfad:" in derived["Verfügbarkeit: Herleitung"]
    manual = [r for r in rows.values() if r["Verfügbarkeit: manuell gesetzt"]]
    assert manual and all(r["Verfügbarkeit: Effekt"] in ("manuell", "Verteilungseffekt", "Kumulationseffekt")
                          and r["Verfügbarkeit: Begründung (manuell)"] for r in manual)


def test_no_column_repeats_another(haan_book, haan_opened):
    """Issue 12: 'Herleitung' repeated 'Begründung'. It now says only what the other columns do not:
    nothing for an assessed value, what would have been computed for a value set by hand."""
    path, _ = haan_book
    ws = haan_opened["Schutzbedarfsfeststellung"]
    names = headers(ws)
    rows = [dict(zip(names, r)) for r in ws.iter_rows(min_row=2, values_only=True)]
    for value in ("Vertraulichkeit", "Integrität", "Verfügbarkeit"):
        for row in rows:
            text = row[f"{value}: Herleitung"] or ""
            for reason in (row[f"{value}: Begründung"], row[f"{value}: Begründung (manuell)"]):
                assert not reason or reason not in text, (row["Zielobjekt"], value)
            if row[f"{value}: Regel"] in ("festgestellt", "manuell gesetzt"):  # rule and reason have columns
                assert not text.startswith("Regel:"), text
    net = next(r for r in rows if r["Zielobjekt"] == "NET-10")
    assert net["Vertraulichkeit: Regel"] == "manuell gesetzt"
    assert net["Vertraulichkeit: Herleitung"].startswith("Berechnet wäre: hoch.")
    for sheet in openpyxl.load_workbook(path, read_only=True).worksheets[1:]:  # no header twice in a table
        names = [c.value for c in next(sheet.iter_rows(max_row=1))]
        assert len(names) == len(set(names)), sheet.title


def test_overview_has_counts_and_a_legend(haan_book, haan_opened):
    path, result = haan_book
    ws = haan_opened["Übersicht"]
    cells = {r[0]: r[1:] for r in ws.iter_rows(values_only=True) if r[0]}
    assert cells["Informationsverbund"][0] == "Informationsverbund Stadtverwaltung Haan"
    assert cells["IT-Grundschutz-Check"][0] == 4938
    assert cells["Risikoanalyse"][0] == result.sheets["Risikoanalyse"]
    assert cells["Check: ja"][0] == 251
    texts = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert "schreibgeschützt: berechnet oder Stammdaten; wird beim Import nicht übernommen." in texts
    grey = next(c for row in ws.iter_rows() for c in row if c.value == "grau")
    assert fill_of(grey) == READONLY_FILL
    legend = {c.value: fill_of(c) for row in ws.iter_rows() for c in row
              if c.value in ("sehr hoch", "nein", "gering")}
    assert legend == {"sehr hoch": "FFC7CE", "nein": "FFC7CE", "gering": "C6EFCE"}


def test_numbers_are_numbers_with_formats_for_the_decimal_comma(haan_book):
    """Issue 12: the share of requirements done is a number shown with a percent format (Excel and
    LibreOffice show it with the reader's decimal comma, 4,6 %), dates have the format TT.MM.JJJJ."""
    path, _ = haan_book
    workbook = openpyxl.load_workbook(path)
    done = next(row[1] for row in workbook["Übersicht"].iter_rows() if row[0].value == "Umgesetzt (ja + entbehrlich)")
    ja, entbehrlich = 251, next(row[1].value for row in workbook["Übersicht"].iter_rows()
                                if row[0].value == "Check: entbehrlich")
    assert done.value == pytest.approx((ja + entbehrlich) / 4938) and done.number_format == "0.0 %"
    check = workbook["IT-Grundschutz-Check"]
    dated = [c for row in check.iter_rows(min_row=2, min_col=10, max_col=11) for c in row if c.value is not None]
    assert dated and {c.number_format for c in dated} == {"DD.MM.YYYY"}


PAPER_MM = {9: 297, 8: 420}  # landscape width of A4 and A3


def test_every_sheet_prints_landscape_with_its_header_row_and_legible_text(haan_book):
    """Issue 12: each sheet has a print setup (landscape A4 or A3, header row on every page, one page
    wide) whose text stays at least 8 pt; a sheet too wide for that prints the columns that matter.
    Read back from the saved workbook; the scale is computed here from the widths in the file."""
    path, _ = haan_book
    workbook = openpyxl.load_workbook(path)
    for ws in workbook.worksheets:
        if ws.sheet_state == "hidden":
            continue
        setup = ws.page_setup
        assert setup.orientation == "landscape" and int(setup.paperSize) in PAPER_MM, ws.title
        # fit to one page wide, as many pages down as needed (fitToWidth=1 is the default the file omits)
        assert ws.sheet_properties.pageSetUpPr.fitToPage and setup.fitToHeight == 0, ws.title
        assert setup.fitToWidth in (None, 1), ws.title
        assert "Seite &P von &N" in ws.oddFooter.right.text, ws.title
        last = ws.max_column
        if ws.title != "Übersicht":
            assert ws.print_title_rows == "$1:$1", ws.title
        if ws.print_area:
            last = openpyxl.utils.column_index_from_string(re.search(r":\$?([A-Z]+)\$?\d*$", ws.print_area).group(1))
        widths = [next((d.width for d in ws.column_dimensions.values() if d.min <= i <= d.max), 8.43)
                  for i in range(1, last + 1)]
        content = sum(w * 7 * 0.75 for w in widths)  # a character is 7 pixels, a pixel 0.75 pt
        printable = (PAPER_MM[int(setup.paperSize)] / 25.4 - ws.page_margins.left - ws.page_margins.right) * 72
        font = 11 * min(1.0, printable / content)
        assert font >= 8, (ws.title, round(font, 2))
    needs = workbook["Schutzbedarfsfeststellung"]
    assert needs.print_area == "'Schutzbedarfsfeststellung'!$A$1:$L$220"
    assert headers(needs)[:12] == ["Zielobjekt", "Name", "Typ"] + [
        f"{v}: {c}" for v in ("Vertraulichkeit", "Integrität", "Verfügbarkeit")
        for c in ("Ergebnis", "festgestellt", "Begründung")]


def test_no_text_is_cut_a_long_text_wraps(haan_book):
    """Issue 12: scenario sheets cut the 'Änderung' text ('nicht vor einer'). Every text longer than
    its column wraps (and its row is high enough for it), in every sheet."""
    from grundschutz.exchange.excel.writer import text_lines

    path, _ = haan_book
    workbook = openpyxl.load_workbook(path)
    for ws in workbook.worksheets[1:]:
        if ws.sheet_state == "hidden":
            continue
        widths = {i: next(d.width for d in ws.column_dimensions.values() if d.min <= i <= d.max)
                  for i in range(1, ws.max_column + 1)}
        for row in ws.iter_rows(min_row=2):
            for cell in row:
                if isinstance(cell.value, str) and len(cell.value) > widths[cell.column]:
                    assert cell.alignment.wrap_text, (ws.title, cell.coordinate, cell.value)
                    lines = text_lines(cell.value, round((widths[cell.column] * 7 - 5) / 7, 2))  # without padding
                    assert ws.row_dimensions[cell.row].height >= 15 * min(lines, 27), (ws.title, cell.coordinate)
    verdict = next(r for r in workbook["Szenario teleheimarbeit"].iter_rows(min_row=2) if r[0].value == "Urteil"
                   and r[1].value == "nicht vor einer Risikoanalyse")
    assert verdict[1].alignment.wrap_text


def test_the_printed_workbook_in_libreoffice(tmp_path, shared_catalogs, missing_prerequisite):
    """Issue 12: converted to PDF by headless LibreOffice (scripts/excel_to_pdf.sh), as the KRZ would
    print it: every page of a table sheet shows the header row and the full width (its first and last
    printed column), the text is at least 8 pt, a sheet of five rows is one page."""
    import shutil
    import subprocess

    tools = {name: shutil.which(name) for name in ("soffice", "pdftotext", "pdftoppm", "pdfinfo")}
    if not all(tools.values()):
        missing_prerequisite(f"LibreOffice and poppler-utils are needed to print the workbook (missing: "
                             f"{', '.join(n for n, found in tools.items() if not found)})")
    folder = write_small(tmp_path / "a")
    book = tmp_path / "druck.xlsx"
    export_workbook(analysed(folder, shared_catalogs), book, sheets=["objects", "needs", "check"])
    script = Path(__file__).resolve().parents[1] / "scripts" / "excel_to_pdf.sh"
    done = subprocess.run(["bash", str(script), str(book), str(tmp_path / "pdf"), "1"], capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    pdf = tmp_path / "pdf" / "druck.pdf"
    pages = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                           check=True).stdout.split("\f")[:-1]
    count = int(re.search(r"Pages:\s+(\d+)", subprocess.run(["pdfinfo", str(pdf)], capture_output=True,
                                                            text=True, check=True).stdout).group(1))
    assert len(pages) == count
    by_sheet: dict[str, list[str]] = {}
    for text in pages:
        footer = [line for line in text.splitlines() if "Seite " in line][-1]
        by_sheet.setdefault(footer.split("Seite ")[0].strip(), []).append(text)
    assert list(by_sheet) == ["Übersicht", "Strukturanalyse", "Schutzbedarfsfeststellung", "IT-Grundschutz-Check"]
    assert len(by_sheet["Strukturanalyse"]) == 1 and len(by_sheet["Schutzbedarfsfeststellung"]) == 1
    assert len(by_sheet["IT-Grundschutz-Check"]) > 1
    for number, text in enumerate(by_sheet["IT-Grundschutz-Check"], start=1):
        assert "Zielobjekt" in text and "Geprüft" in text, number  # header row, full width, every page
    needs = by_sheet["Schutzbedarfsfeststellung"][0]
    assert "Ergebnis" in needs and "Begründung" in needs and "Herleitung" not in needs  # the print area
    # the font size from the geometry: the distance between two header words is the printed column width
    first = count - len(by_sheet["IT-Grundschutz-Check"]) - 1  # the page of Schutzbedarfsfeststellung
    words = subprocess.run(["pdftotext", "-bbox", "-f", str(first + 1), "-l", str(first + 1), str(pdf), "-"],
                           capture_output=True, text=True, check=True).stdout
    x: dict[str, float] = {}
    for m in re.finditer(r'xMin="([\d.]+)"[^>]*>([^<]+)</word>', words):
        x.setdefault(m.group(2), float(m.group(1)))
    column_a = (12 * 7 + 5) * 0.75  # Zielobjekt, 12 characters, in points at 100 %
    scale = (x["Name"] - x["Zielobjekt"]) / column_a
    assert 11 * scale >= 8, 11 * scale


def test_the_widest_sheets_print_at_8_pt_or_more_in_libreoffice(tmp_path, small_assessment, small_catalog,
                                                              missing_prerequisite):
    """Issue 12: text at least 8 pt as LibreOffice prints it (it converts column widths up to 9 % wider
    than Excel, so it scales "fit to width" further down). Measured in the PDF: the printed width of the
    bold header word 'Zielobjekt' on the first page of each sheet against its advance width at 11 pt
    from the metrics of the font LibreOffice embedded (the word's box is about 2 % narrower than the
    advance, so the measured size errs low)."""
    import shutil
    import subprocess

    from matplotlib.ft2font import FT2Font

    tools = {name: shutil.which(name) for name in ("soffice", "pdftotext", "pdfinfo", "pdffonts", "fc-match")}
    if not all(tools.values()):
        missing_prerequisite(f"LibreOffice, poppler-utils and fontconfig are needed to print the workbook "
                             f"(missing: {', '.join(n for n, found in tools.items() if not found)})")
    book = tmp_path / "breit.xlsx"
    export_workbook(analysed(small_assessment, small_catalog), book,
                    sheets=["dependencies", "needs", "risks", "plan", "scenarios"])
    script = Path(__file__).resolve().parents[1] / "scripts" / "excel_to_pdf.sh"
    done = subprocess.run(["bash", str(script), str(book), str(tmp_path / "pdf"), "1"], capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    pdf = str(tmp_path / "pdf" / "breit.pdf")
    fonts = subprocess.run(["pdffonts", pdf], capture_output=True, text=True, check=True).stdout
    bold = next(line.split()[0].split("+")[-1] for line in fonts.splitlines()[2:] if "Bold" in line.split()[0])
    path = subprocess.run(["fc-match", f"{bold.rsplit('-', 1)[0]}:bold", "--format=%{file}"], capture_output=True,
                          text=True, check=True).stdout
    face = FT2Font(path)
    face.set_size(110, 72)
    at_11_pt = sum(face.load_char(ord(c)).linearHoriAdvance for c in "Zielobjekt") / 65536 / 10
    pages = subprocess.run(["pdftotext", "-layout", pdf, "-"], capture_output=True, text=True,
                           check=True).stdout.split("\f")[:-1]
    first: dict[str, int] = {}
    for number, text in enumerate(pages, start=1):
        footer = [line for line in text.splitlines() if "Seite " in line][-1]
        first.setdefault(footer.split("Seite ")[0].strip(), number)
    assert list(first) == ["Übersicht", "Abhängigkeiten", "Schutzbedarfsfeststellung", "Risikoanalyse",
                           "Realisierungsplan", "Szenario homeoffice"]
    sizes = {}
    for sheet, number in list(first.items())[1:]:
        words = subprocess.run(["pdftotext", "-bbox", "-f", str(number), "-l", str(number), pdf, "-"],
                               capture_output=True, text=True, check=True).stdout
        box = re.search(r'xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">Zielobjekt</word>', words)
        sizes[sheet] = round(11 * (float(box.group(2)) - float(box.group(1))) / at_11_pt, 2)
    assert sizes["Abhängigkeiten"] >= 10.5  # printed at 100 %: the measurement itself is right
    assert min(sizes.values()) >= 8, sizes


def test_sheets_without_data_are_left_out_and_named(tmp_path, shared_catalogs):
    folder = write_small(tmp_path / "a")
    book = tmp_path / "a.xlsx"
    result = export_workbook(analysed(folder, shared_catalogs), book)
    assert result.skipped == {"Szenarien": "keine Szenarien (scenarios/*.yaml) in der Bewertung"}
    cells = {r[0]: r[1:] for r in openpyxl.load_workbook(book)["Übersicht"].iter_rows(values_only=True) if r[0]}
    assert cells["Szenarien"][:2] == ("–", "nicht enthalten: keine Szenarien (scenarios/*.yaml) in der Bewertung")


def test_one_sheet_per_scenario_with_verdicts_changes_and_blockers(haan_book, haan_opened):
    path, result = haan_book
    ws = haan_opened["Szenario teleheimarbeit"]
    names = headers(ws)
    rows = [dict(zip(names, r)) for r in ws.iter_rows(min_row=2, values_only=True)]
    kinds = [r["Art"] for r in rows]
    assert kinds[0] == "Urteil" and {"Schutzbedarf", "Baustein", "blockierende Anforderung"} <= set(kinds)
    verdict = next(r for r in rows if r["Art"] == "Urteil" and r["Zielobjekt"] == "APP-43")
    assert verdict["Titel / Urteil"].startswith("nicht vor einer Risikoanalyse für CL-20")
    need = next(r for r in rows if r["Art"] == "Schutzbedarf")
    assert need["Gegenstand"] in ("Vertraulichkeit", "Integrität", "Verfügbarkeit")


def test_risk_sheet_and_work_plan(haan_book, haan_opened):
    path, _ = haan_book
    workbook = haan_opened
    risks = workbook["Risikoanalyse"]
    names = headers(risks)
    assert names[:4] == ["Zielobjekt", "Name", "Gefährdung", "Titel"]
    rows = [dict(zip(names, r)) for r in risks.iter_rows(min_row=2, values_only=True)]
    rated = next(r for r in rows if r["Zielobjekt"] == "SRV-01" and r["Gefährdung"] == "G 0.23")
    assert (rated["Häufigkeit"], rated["Auswirkung"], rated["Risiko"], rated["Behandlung"]) == (
        "mittel", "existenzbedrohend", "hoch", "reduzieren")
    assert rated["Restrisiko"] == "mittel"
    validations = {str(v.sqref): v.formula1 for v in risks.data_validations.dataValidation}
    assert validations["G2:G1048576"] == '"selten,mittel,häufig,sehr häufig"'
    plan = workbook["Realisierungsplan"]
    first = dict(zip(headers(plan), next(plan.iter_rows(min_row=2, values_only=True))))
    assert first["Nr."] == 1 and first["Schritt"] == "Schutzbedarf feststellen"


def test_text_that_looks_like_a_formula_stays_text(tmp_path, shared_catalogs):
    folder = write_small(tmp_path / "a")
    book = tmp_path / "a.xlsx"
    export_workbook(analysed(folder, shared_catalogs), book)
    ws = openpyxl.load_workbook(book)["Strukturanalyse"]
    rows = {r[0].value: r for r in ws.iter_rows(min_row=2)}
    for object_id, column, text in (("APP-2", 3, '=HYPERLINK("http://x")'), ("SRV-1", 3, "-Linux-VM"),
                                    ("R-1", 3, "@Keller")):
        cell = rows[object_id][column]
        assert (cell.value, cell.data_type, cell.quotePrefix) == (text, "s", True)
    assert rows["APP-1"][3].quotePrefix is False
    needs = openpyxl.load_workbook(book)["Schutzbedarfsfeststellung"]
    app2 = next(r for r in needs.iter_rows(min_row=2) if r[0].value == "APP-2")
    reason = app2[headers(needs).index("Integrität: Begründung")]
    assert (reason.value, reason.data_type, reason.quotePrefix) == ("+ Korrekturen möglich", "s", True)
    with zipfile.ZipFile(book) as archive:
        sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/sheet")]
        assert sheets
        for name in sheets:
            xml = archive.read(name).decode("utf-8")
            assert not re.search(r"<(\w+:)?f[ >]", xml), name
    # the same in read-only mode, as the import reads it
    readonly = openpyxl.load_workbook(book, read_only=True)
    types = {c.data_type for row in readonly["Strukturanalyse"].iter_rows() for c in row if c.value is not None}
    readonly.close()
    assert types <= {"s", "n"}


def test_sheet_longer_than_the_row_limit_is_split_not_cut(tmp_path, shared_catalogs):
    folder = write_small(tmp_path / "a")
    analysis = analysed(folder, shared_catalogs)
    book = tmp_path / "split.xlsx"
    result = export_workbook(analysis, book, max_rows=50, exported=STAMP)
    total = len(analysis.check)
    parts = [t for t in result.sheets if t.startswith("IT-Grundschutz-Check")]
    assert parts == ["IT-Grundschutz-Check"] + [f"IT-Grundschutz-Check ({i})" for i in range(2, len(parts) + 1)]
    assert len(parts) == -(-total // 49)
    assert sum(result.sheets[p] for p in parts) == total
    workbook = openpyxl.load_workbook(book)
    seen = []
    for title in parts:
        ws = workbook[title]
        assert headers(ws)[0] == "Zielobjekt" and ws.freeze_panes == "B2"
        assert ws.max_row <= 50
        seen += [(r[0], r[3]) for r in ws.iter_rows(min_row=2, values_only=True)]
    assert seen == [(e.object, e.requirement) for e in analysis.check.entries]


def test_export_is_atomic_and_a_full_disk_is_a_german_error(tmp_path, shared_catalogs, monkeypatch):
    import errno

    import xlsxwriter

    folder = write_small(tmp_path / "a")
    book = tmp_path / "out.xlsx"
    book.write_bytes(b"previous workbook")

    def broken_store(self):
        Path(self.filename).write_bytes(b"half a zip")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(xlsxwriter.Workbook, "_store_workbook", broken_store)
    with pytest.raises(WriteError, match=r"out\.xlsx: nicht geschrieben \(Datenträger voll\)"):
        export_workbook(analysed(folder, shared_catalogs), book)
    assert book.read_bytes() == b"previous workbook"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a", "out.xlsx"]


def test_export_keeps_file_permissions_of_a_normal_file(tmp_path, shared_catalogs):
    import os

    folder = write_small(tmp_path / "a")
    book = tmp_path / "out.xlsx"
    old = os.umask(0o022)
    try:
        export_workbook(analysed(folder, shared_catalogs), book)
    finally:
        os.umask(old)
    assert book.stat().st_mode & 0o777 == 0o644


def test_without_a_catalog_the_schutzbedarf_is_exported_and_the_rest_named(tmp_path):
    folder = write_small(tmp_path / "a")
    result = export_workbook(analysed(folder), tmp_path / "a.xlsx")
    assert list(result.sheets) == ["Strukturanalyse", "Abhängigkeiten", "Schutzbedarfsfeststellung"]
    assert list(result.skipped) == ["Modellierung", "IT-Grundschutz-Check", "Risikoanalyse", "Realisierungsplan",
                                    "Szenarien"]
    assert set(result.skipped.values()) == {"kein BSI-Katalog installiert (grundschutz catalog install)"}


def test_a_choice_of_sheets(tmp_path, shared_catalogs):
    folder = write_small(tmp_path / "a")
    result = export_workbook(analysed(folder, shared_catalogs), tmp_path / "a.xlsx", sheets=["check"])
    assert list(result.sheets) == ["IT-Grundschutz-Check"] and result.skipped == {}
    with pytest.raises(GrundschutzError, match="unbekannte Blätter"):
        export_workbook(analysed(folder, shared_catalogs), tmp_path / "a.xlsx", sheets=["Check"])


def test_export_refuses_a_name_without_xlsx_and_a_missing_folder(tmp_path):
    folder = write_small(tmp_path / "a")
    with pytest.raises(GrundschutzError, match="muss auf .xlsx enden"):
        export_workbook(analysed(folder), tmp_path / "a.xls")
    with pytest.raises(GrundschutzError, match="Ordner gibt es nicht"):
        export_workbook(analysed(folder), tmp_path / "fehlt" / "a.xlsx")


def test_excel_text_drops_what_a_cell_cannot_hold():
    assert excel_text("a\x00b\r\nc") == "ab\nc"
    assert len(excel_text("x" * 40_000)) == 32_767


def test_cli_export(tmp_path, shared_catalogs):
    folder = write_small(tmp_path / "a")
    book = tmp_path / "a.xlsx"
    result = CliRunner().invoke(export, [str(folder), str(book), "--catalogs", str(shared_catalogs)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"Arbeitsmappe geschrieben: {book} (")
    assert "Strukturanalyse 5" in result.output
    bad = CliRunner().invoke(export, [str(tmp_path / "fehlt"), str(book), "--catalogs", str(shared_catalogs)])
    assert bad.exit_code == 1 and "Fehler:" in bad.output
