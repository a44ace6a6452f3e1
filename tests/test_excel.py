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
def haan_book(haan, shared_catalogs, tmp_path_factory):
    """The worked example, exported once."""
    path = tmp_path_factory.mktemp("haan-export") / "haan.xlsx"
    result = export_workbook(analysed(haan, shared_catalogs), path)
    return path, result


def headers(ws) -> list[str]:
    return [c.value for c in next(ws.iter_rows(min_row=1, max_row=1))]


def test_the_worked_example_has_the_reference_documents_as_german_sheets(haan_book, haan):
    path, result = haan_book
    workbook = openpyxl.load_workbook(path)
    visible = [ws.title for ws in workbook.worksheets if ws.sheet_state == "visible"]
    assert visible == ["Übersicht", "Strukturanalyse", "Abhängigkeiten", "Schutzbedarfsfeststellung",
                       "Modellierung", "IT-Grundschutz-Check", "Risikoanalyse", "Realisierungsplan",
                       "Szenario digitale-ratsarbeit", "Szenario dms-erechnung", "Szenario neue-serverlandschaft",
                       "Szenario teleheimarbeit"]
    assert result.skipped == {}
    assert workbook[META_SHEET].sheet_state == "hidden"
    assert result.sheets["Strukturanalyse"] == 219
    assert result.sheets["IT-Grundschutz-Check"] == 5516
    check = workbook["IT-Grundschutz-Check"]
    assert headers(check) == ["Zielobjekt", "Name", "Baustein", "Anforderung", "Stufe", "Titel", "Status",
                              "Anmerkung", "Verantwortlich", "Umsetzung bis", "Geprüft am"]
    first = [c.value for c in check[2]]
    assert first[:4] == ["IV", "Informationsverbund Stadtverwaltung Haan", "ISMS.1", "ISMS.1.A1"]
    assert first[6] == "ja" and first[10].date().isoformat() == "2024-03-05"


def test_identity_of_the_assessment_is_in_the_hidden_sheet(haan_book, haan):
    path, _ = haan_book
    meta = {r[0]: r[1] for r in openpyxl.load_workbook(path)[META_SHEET].iter_rows(values_only=True)}
    assessment = analysed(haan).assessment
    assert meta["name"] == "Informationsverbund Stadtverwaltung Haan"
    assert meta["fingerprint"] == assessment_fingerprint(assessment.objects)
    assert meta["version"] == "0.1.0" and meta["layout"] == "1"
    assert meta["sha256:check.csv"] == source_hashes(haan)["check.csv"]
    assert meta["sha256:risks.csv"] == source_hashes(haan)["risks.csv"]
    assert meta["sha256:modelling.csv"] == source_hashes(haan)["modelling.csv"]


def test_headers_are_bold_frozen_filtered_and_columns_have_widths(haan_book):
    path, _ = haan_book
    workbook = openpyxl.load_workbook(path)
    for sheet in SHEETS.values():
        ws = workbook[sheet.title]
        assert ws.freeze_panes == "B2"
        assert ws.auto_filter.ref == f"A1:{ws.cell(1, len(sheet.columns)).column_letter}{ws.max_row}"
        assert headers(ws) == [c.header for c in sheet.columns]
        assert all(ws.cell(1, i).font.b for i in range(1, len(sheet.columns) + 1))
        for i, column in enumerate(sheet.columns, start=1):
            assert ws.column_dimensions[ws.cell(1, i).column_letter].width == column.width


def test_read_only_columns_are_grey_and_editable_ones_white(haan_book):
    path, _ = haan_book
    ws = openpyxl.load_workbook(path)["Schutzbedarfsfeststellung"]
    sheet = SHEETS["needs"]
    for i, column in enumerate(sheet.columns, start=1):
        cell = ws.cell(2, i)
        fill = cell.fill.fgColor.rgb if cell.fill.fill_type == "solid" else None
        assert (fill == "00" + READONLY_FILL) == (not column.editable), column.header
    assert ws.cell(2, 5).alignment.wrap_text  # Vertraulichkeit: Begründung


def test_levels_and_statuses_are_coloured_by_conditional_formatting(haan_book):
    path, _ = haan_book
    workbook = openpyxl.load_workbook(path)
    needs = workbook["Schutzbedarfsfeststellung"]
    rules = {str(r.sqref): [rule.formula[0] for rule in r.rules] for r in needs.conditional_formatting}
    assert rules["D2:D1048576"] == ['"normal"', '"hoch"', '"sehr hoch"']  # Vertraulichkeit: festgestellt
    assert rules["I2:I1048576"] == ['"normal"', '"hoch"', '"sehr hoch"']  # Vertraulichkeit: Ergebnis
    check = workbook["IT-Grundschutz-Check"]
    rules = {str(r.sqref): [rule.formula[0] for rule in r.rules] for r in check.conditional_formatting}
    assert rules == {"G2:G1048576": ['"ja"', '"teilweise"', '"nein"', '"entbehrlich"']}


def test_fixed_value_columns_have_drop_down_lists(haan_book):
    path, _ = haan_book
    workbook = openpyxl.load_workbook(path)
    check = {str(v.sqref): (v.type, v.formula1) for v in workbook["IT-Grundschutz-Check"].data_validations.dataValidation}
    assert check["G2:G1048576"] == ("list", '"ja,teilweise,nein,entbehrlich,unbearbeitet"')
    assert check["J2:J1048576"][0] == "date" and check["K2:K1048576"][0] == "date"
    needs = {str(v.sqref): v.formula1 for v in workbook["Schutzbedarfsfeststellung"].data_validations.dataValidation}
    assert needs["D2:D1048576"] == '"normal,hoch,sehr hoch"'
    assert needs["G2:G1048576"] == '"manuell,Kumulationseffekt,Verteilungseffekt"'
    modelling = {str(v.sqref): v.formula1 for v in workbook["Modellierung"].data_validations.dataValidation}
    assert modelling == {"I2:I1048576": '"zugeordnet,entfernt"'}


def test_needs_sheet_gives_rule_source_and_reason_in_words(haan_book):
    path, _ = haan_book
    ws = openpyxl.load_workbook(path)["Schutzbedarfsfeststellung"]
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


def test_overview_has_counts_and_a_legend(haan_book):
    path, result = haan_book
    ws = openpyxl.load_workbook(path)["Übersicht"]
    cells = {r[0]: r[1:] for r in ws.iter_rows(values_only=True) if r[0]}
    assert cells["Informationsverbund"][0] == "Informationsverbund Stadtverwaltung Haan"
    assert cells["IT-Grundschutz-Check"][0] == 5516
    assert cells["Risikoanalyse"][0] == result.sheets["Risikoanalyse"]
    assert cells["Check: ja"][0] == 251
    texts = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert "schreibgeschützt: berechnet oder Stammdaten; wird beim Import nicht übernommen." in texts
    grey = next(c for row in ws.iter_rows() for c in row if c.value == "grau")
    assert grey.fill.fgColor.rgb == "00" + READONLY_FILL
    legend = {c.value: c.fill.fgColor.rgb for row in ws.iter_rows() for c in row
              if c.value in ("sehr hoch", "nein", "gering")}
    assert legend == {"sehr hoch": "00FFC7CE", "nein": "00FFC7CE", "gering": "00C6EFCE"}


def test_sheets_without_data_are_left_out_and_named(tmp_path, shared_catalogs):
    folder = write_small(tmp_path / "a")
    book = tmp_path / "a.xlsx"
    result = export_workbook(analysed(folder, shared_catalogs), book)
    assert result.skipped == {"Szenarien": "keine Szenarien (scenarios/*.yaml) in der Bewertung"}
    cells = {r[0]: r[1:] for r in openpyxl.load_workbook(book)["Übersicht"].iter_rows(values_only=True) if r[0]}
    assert cells["Szenarien"][:2] == ("–", "nicht enthalten: keine Szenarien (scenarios/*.yaml) in der Bewertung")


def test_one_sheet_per_scenario_with_verdicts_changes_and_blockers(haan_book):
    path, result = haan_book
    ws = openpyxl.load_workbook(path)["Szenario teleheimarbeit"]
    names = headers(ws)
    rows = [dict(zip(names, r)) for r in ws.iter_rows(min_row=2, values_only=True)]
    kinds = [r["Art"] for r in rows]
    assert kinds[0] == "Urteil" and {"Schutzbedarf", "Baustein", "blockierende Anforderung"} <= set(kinds)
    verdict = next(r for r in rows if r["Art"] == "Urteil" and r["Zielobjekt"] == "APP-43")
    assert verdict["Titel / Urteil"].startswith("nicht vor einer Risikoanalyse für CL-20")
    need = next(r for r in rows if r["Art"] == "Schutzbedarf")
    assert need["Gegenstand"] in ("Vertraulichkeit", "Integrität", "Verfügbarkeit")


def test_risk_sheet_and_work_plan(haan_book):
    path, _ = haan_book
    workbook = openpyxl.load_workbook(path)
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
    assert (app2[13].value, app2[13].data_type) == ("+ Korrekturen möglich", "s")
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


def test_export_is_atomic(tmp_path, shared_catalogs, monkeypatch):
    folder = write_small(tmp_path / "a")
    book = tmp_path / "out.xlsx"
    book.write_bytes(b"previous workbook")
    import openpyxl.workbook.workbook as wbmod

    def broken_save(self, filename):
        Path(filename).write_bytes(b"half a zip")
        raise OSError("disk full")

    monkeypatch.setattr(wbmod.Workbook, "save", broken_save)
    with pytest.raises(OSError, match="disk full"):
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
