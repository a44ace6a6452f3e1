"""Excel import: edited workbooks back into the CSV files, without losing a cell."""

from __future__ import annotations

import csv
import hashlib
import io
import shutil
import tempfile
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from conftest import analysed, examples
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_excel import NEEDS_HEADER, write_small

from grundschutz.cli.excel import import_
from grundschutz.exchange.excel.export import export_workbook
from grundschutz.exchange.excel.importing import apply_import, import_workbook, plan_import, render_plan
from grundschutz.exchange.excel.layout import RISK_SHEET, SHEETS, edition_sheets
from grundschutz.exchange.excel.rows import sheet_rows
from grundschutz.exchange.excel.writer import excel_text
from grundschutz.io.csv_edit import CsvDocument
from grundschutz.io.files import LOCK_FILE
from grundschutz.model.errors import AssessmentError, GrundschutzError

BY_TITLE = {s.title: s for s in (*SHEETS.values(), RISK_SHEET)}
GSPP_BY_TITLE = {s.title: s for s in edition_sheets("grundschutz++").values()}


def digest(folder: Path) -> dict[str, str]:
    """SHA-256 of every file of an assessment folder (recursively), but the lock file, which a writer
    leaves in the folder (empty; listed in .gitignore)."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and not p.name.startswith(LOCK_FILE)}


def edit_book(source: Path, target: Path, edits, append=()) -> None:
    """Set cells of a workbook by row key and header, as a user in Excel would.

    ``edits``: (sheet title, key tuple, header, value); text is typed as text
    (like Excel's leading apostrophe). ``append``: (sheet title, {header: value}).
    """
    workbook = openpyxl.load_workbook(source)
    for title, key, header, value in edits:
        ws = workbook[title]
        names = [c.value for c in ws[1]]
        sheet = next(s for s in (BY_TITLE[title.split(" (")[0]], GSPP_BY_TITLE.get(title.split(" (")[0]))
                     if s is not None and all(c.header in names for c in s.keys))
        keys = [names.index(c.header) for c in sheet.keys]
        for row in ws.iter_rows(min_row=2):
            if tuple("" if row[i].value is None else str(row[i].value) for i in keys) == tuple(key):
                _set(row[names.index(header)], value)
                break
        else:
            raise KeyError((title, key))
    for title, values in append:
        ws = workbook[title]
        names = [c.value for c in ws[1]]
        number = ws.max_row + 1
        for header, value in values.items():
            _set(ws.cell(number, names.index(header) + 1), value)
    workbook.save(target)


def _set(cell, value) -> None:
    cell.value = value
    if isinstance(value, str) and value:
        cell.data_type = "s"


def changed_lines(before: str, after: str) -> tuple[list[str], list[str]]:
    """Lines only in ``before`` and lines only in ``after`` (order kept)."""
    old, new = before.splitlines(keepends=True), after.splitlines(keepends=True)
    return [line for line in old if line not in new], [line for line in new if line not in old]


@pytest.fixture(scope="module")
def haan_export(haan_workbook):
    """The worked example exported once (per test process); tests import into copies of the folder."""
    return haan_workbook[0]


@pytest.fixture
def haan_copy(haan, tmp_path):
    copy = tmp_path / "haan"
    shutil.copytree(haan, copy)
    return copy


# --------------------------------------------------------------------------- round trips


def test_export_then_import_without_edits_leaves_every_byte(haan_copy, haan_export, shared_catalogs):
    before = digest(haan_copy)
    plan = import_workbook(analysed(haan_copy, shared_catalogs), haan_export, apply=True)
    assert plan.changes == [] and plan.files == {} and plan.notes == []
    assert digest(haan_copy) == before
    assert render_plan(plan, applied=True).splitlines()[1] == (
        "Keine Änderungen: die Arbeitsmappe stimmt mit der Bewertung überein.")


def test_the_issue_case_one_clear_error_then_exactly_the_intended_changes(
        haan_copy, haan_export, shared_catalogs, tmp_path):
    edited = tmp_path / "bearbeitet.xlsx"
    edits = [
        ("IT-Grundschutz-Check", ("IV", "ISMS.1.A2"), "Status", "teilweise"),
        ("Schutzbedarfsfeststellung", ("GP-09",), "Verfügbarkeit: manuell gesetzt", "normal"),
        ("Schutzbedarfsfeststellung", ("GP-09",), "Verfügbarkeit: Effekt", "manuell"),
        ("Schutzbedarfsfeststellung", ("GP-09",), "Verfügbarkeit: Begründung (manuell)",
         "Ersatzverfahren auf Papier ist erprobt."),
    ]
    edit_book(haan_export, edited, [*edits, ("IT-Grundschutz-Check", ("IV", "ISMS.1.A4"), "Status", "vielleicht")])
    before = digest(haan_copy)
    with pytest.raises(AssessmentError) as caught:
        plan_import(analysed(haan_copy, shared_catalogs), edited)
    assert [str(p) for p in caught.value.problems] == [
        "IT-Grundschutz-Check, Zeile 5, Spalte 'Status', Wert 'vielleicht': unbekannter Status "
        "(erlaubt: ja, teilweise, nein, entbehrlich, unbearbeitet)"]
    assert digest(haan_copy) == before

    edit_book(haan_export, edited, edits)  # the bad cell fixed
    old_check = (haan_copy / "check.csv").read_text(encoding="utf-8")
    old_needs = (haan_copy / "needs.csv").read_text(encoding="utf-8")
    plan = import_workbook(analysed(haan_copy, shared_catalogs), edited, apply=True)
    assert plan.counts() == {"Schutzbedarfsfeststellung": 3, "IT-Grundschutz-Check": 1}
    assert changed_lines(old_check, (haan_copy / "check.csv").read_text(encoding="utf-8")) == (
        ["IV,ISMS.1.A2,ja,,Verwaltungsvorstand,,2024-03-05\n"],
        ["IV,ISMS.1.A2,teilweise,,Verwaltungsvorstand,,2024-03-05\n"])
    assert changed_lines(old_needs, (haan_copy / "needs.csv").read_text(encoding="utf-8")) == (
        [], ["GP-09,,,normal,,,Ersatzverfahren auf Papier ist erprobt.,manual\n"])
    changed = {name for name, value in digest(haan_copy).items() if before[name] != value}
    assert changed == {"check.csv", "needs.csv"}
    # and the assessment reads back with exactly these values
    after = analysed(haan_copy, shared_catalogs)
    assert after.check.entry("IV", "ISMS.1.A2").status.value == "teilweise"
    override = after.assessment.overrides["GP-09"]
    assert [(v.value, o.level.label, o.effect.value) for v, o in override.items()] == [
        ("availability", "normal", "manual")]


def test_rows_are_matched_by_key_not_position(tmp_path, shared_catalogs):
    folder = write_small(tmp_path / "a")
    book = tmp_path / "a.xlsx"
    export_workbook(analysed(folder, shared_catalogs), book)
    workbook = openpyxl.load_workbook(book)
    for title in ("Schutzbedarfsfeststellung", "IT-Grundschutz-Check"):
        ws = workbook[title]
        rows = [[c.value for c in row] for row in ws.iter_rows(min_row=2)]
        for number, values in enumerate(reversed(rows), start=2):
            for column, value in enumerate(values, start=1):
                _set(ws.cell(number, column), value)
    workbook.save(book)
    plan = plan_import(analysed(folder, shared_catalogs), book)
    assert plan.changes == [] and plan.notes == []


def test_a_split_workbook_is_read_across_its_parts(tmp_path, shared_catalogs):
    folder = write_small(tmp_path / "a")
    book = tmp_path / "a.xlsx"
    analysis = analysed(folder, shared_catalogs)
    export_workbook(analysis, book, max_rows=40)
    last = analysis.check.entries[-1]
    part = [t for t in openpyxl.load_workbook(book, read_only=True).sheetnames
            if t.startswith("IT-Grundschutz-Check (")][-1]
    edit_book(book, book, [(part, (last.object, last.requirement), "Status", "nein")])
    plan = import_workbook(analysed(folder, shared_catalogs), book, apply=True)
    assert [(c.sheet, c.key, c.new) for c in plan.changes] == [(part, f"{last.object} / {last.requirement}", "nein")]
    assert (folder / "check.csv").read_text(encoding="utf-8") == (
        "object,requirement,status,note,responsible,due,checked_on\n"
        f"{last.object},{last.requirement},nein,,,,\n")


# --------------------------------------------------------------------------- refusals


def test_a_workbook_of_another_assessment_is_refused(haan_copy, tmp_path, shared_catalogs):
    other = write_small(tmp_path / "andere")
    book = tmp_path / "andere.xlsx"
    export_workbook(analysed(other, shared_catalogs), book)
    with pytest.raises(AssessmentError, match="Arbeitsmappe gehört zur Bewertung 'Kleine Verwaltung', nicht zu "
                                              "'Informationsverbund Stadtverwaltung Haan'"):
        plan_import(analysed(haan_copy, shared_catalogs), book)


def test_same_name_but_other_objects_is_refused_unless_forced(tmp_path, shared_catalogs):
    folder = write_small(tmp_path / "a")
    book = tmp_path / "a.xlsx"
    export_workbook(analysed(folder, shared_catalogs), book)
    with open(folder / "objects.csv", "a", encoding="utf-8") as handle:
        handle.write("CL-1,client,Arbeitsplatz,,,\n")
    with pytest.raises(AssessmentError, match="die Zielobjekte der Bewertung stimmen nicht mit der Arbeitsmappe "
                                              "überein .*; neu exportieren oder mit --force übernehmen"):
        plan_import(analysed(folder, shared_catalogs), book)
    plan = plan_import(analysed(folder, shared_catalogs), book, force=True)
    assert plan.changes == [] and plan.notes[0].startswith("Achtung: die Zielobjekte")


def test_files_changed_since_the_export_are_not_overwritten_unless_forced(tmp_path, shared_catalogs):
    folder = write_small(tmp_path / "a")
    book = tmp_path / "a.xlsx"
    export_workbook(analysed(folder, shared_catalogs), book)
    needs = (folder / "needs.csv").read_text(encoding="utf-8")
    (folder / "needs.csv").write_text(needs.replace("Meldedaten", "Meldedaten (neu)"), encoding="utf-8")
    with pytest.raises(AssessmentError, match="needs.csv wurde nach dem Export geändert"):
        plan_import(analysed(folder, shared_catalogs), book)
    plan = plan_import(analysed(folder, shared_catalogs), book, force=True)
    assert [(c.column, c.old, c.new) for c in plan.changes] == [
        ("Vertraulichkeit: Begründung", "Meldedaten (neu)", "Meldedaten")]


def test_a_workbook_not_written_by_the_export_is_refused(tmp_path, shared_catalogs):
    folder = write_small(tmp_path / "a")
    book = tmp_path / "fremd.xlsx"
    workbook = openpyxl.Workbook()
    workbook.active.title = "IT-Grundschutz-Check"
    workbook.save(book)
    with pytest.raises(AssessmentError, match="verstecktes Blatt _grundschutz fehlt"):
        plan_import(analysed(folder, shared_catalogs), book)


def test_a_formula_is_an_error_naming_sheet_row_and_column(tmp_path, shared_catalogs):
    folder = write_small(tmp_path / "a")
    book = tmp_path / "a.xlsx"
    export_workbook(analysed(folder, shared_catalogs), book)
    first = analysed(folder, shared_catalogs).check.entries[0]
    workbook = openpyxl.load_workbook(book)
    ws = workbook["IT-Grundschutz-Check"]
    ws["H2"] = "=B2&\" geprüft\""  # Anmerkung
    workbook.save(book)
    with pytest.raises(AssessmentError) as caught:
        plan_import(analysed(folder, shared_catalogs), book)
    assert [str(p) for p in caught.value.problems] == [
        "IT-Grundschutz-Check, Zeile 2, Spalte 'Anmerkung', Wert '=B2&\" geprüft\"': Formel statt Wert: "
        "Formeln werden nicht übernommen, bitte den Wert eintragen"]
    assert first.object == ws["A2"].value


def test_rows_that_match_nothing_and_duplicate_rows_are_errors(tmp_path, shared_catalogs):
    folder = write_small(tmp_path / "a")
    book = tmp_path / "a.xlsx"
    export_workbook(analysed(folder, shared_catalogs), book)
    first = analysed(folder, shared_catalogs).check.entries[0]
    edit_book(book, book, [], append=[
        ("IT-Grundschutz-Check", {"Zielobjekt": "XY-9", "Anforderung": "SYS.1.1.A1", "Status": "ja"}),
        ("IT-Grundschutz-Check", {"Zielobjekt": "SRV-1", "Anforderung": "SYS.2.1.A1", "Status": "ja"}),
        ("IT-Grundschutz-Check", {"Zielobjekt": first.object, "Anforderung": first.requirement, "Status": "ja"}),
        ("Strukturanalyse", {"Zielobjekt": "NEU-1", "Name": "Neues Objekt"}),
    ])
    with pytest.raises(AssessmentError) as caught:
        plan_import(analysed(folder, shared_catalogs), book)
    messages = [(p.file, p.column, p.message) for p in caught.value.problems]
    assert ("IT-Grundschutz-Check", "Zielobjekt",
            "Zielobjekt 'XY-9' gibt es in der Bewertung nicht; Zeile kann nicht zugeordnet werden") in messages
    assert any(m.startswith("Anforderung SYS.2.1.A1 ist für SRV-1 nicht ausgewählt") for _, _, m in messages)
    assert any(m.startswith("Zeile doppelt (dieselben Schlüssel wie Zeile 2)") for _, _, m in messages)
    assert ("Strukturanalyse", "Zielobjekt", "Zielobjekt 'NEU-1' gibt es in der Bewertung nicht; neue Zielobjekte "
            "bitte in objects.csv anlegen") in messages
    assert len(messages) == 4


def test_edits_of_read_only_cells_are_listed_not_taken(tmp_path, shared_catalogs):
    folder = write_small(tmp_path / "a")
    book = tmp_path / "a.xlsx"
    export_workbook(analysed(folder, shared_catalogs), book)
    edit_book(book, book, [("Strukturanalyse", ("APP-1",), "Name", "MESO neu"),
                           ("Schutzbedarfsfeststellung", ("GP-1",), "Integrität: Ergebnis", "normal")])
    plan = plan_import(analysed(folder, shared_catalogs), book)
    assert plan.changes == []
    assert plan.notes == [
        "Strukturanalyse, Zeile 3, Spalte 'Name': schreibgeschützt, Änderung wird nicht übernommen "
        "('MESO' → 'MESO neu').",
        "Schutzbedarfsfeststellung, Zeile 2, Spalte 'Integrität: Ergebnis': schreibgeschützt, Änderung wird nicht "
        "übernommen ('hoch' → 'normal')."]


def test_a_deleted_or_renamed_column_is_an_error(tmp_path, shared_catalogs):
    """Issue 11, item 9: a renamed column dropped that column's edits with only a hint and exit 0."""
    folder = write_small(tmp_path / "a")
    first = analysed(folder, shared_catalogs).check.entries[0]
    (folder / "check.csv").write_text("object,requirement,status,note\n"
                                      f"{first.object},{first.requirement},nein,bis Herbst\n", encoding="utf-8")
    book = tmp_path / "a.xlsx"
    export_workbook(analysed(folder, shared_catalogs), book)
    workbook = openpyxl.load_workbook(book)
    workbook["IT-Grundschutz-Check"].delete_cols(8)  # Anmerkung
    workbook.save(tmp_path / "geloescht.xlsx")
    workbook = openpyxl.load_workbook(book)
    workbook["IT-Grundschutz-Check"]["H1"] = "Bemerkung"
    workbook["IT-Grundschutz-Check"]["H2"] = "erst im Herbst"
    workbook.save(tmp_path / "umbenannt.xlsx")
    before = digest(folder)
    with pytest.raises(AssessmentError) as caught:
        plan_import(analysed(folder, shared_catalogs), tmp_path / "geloescht.xlsx")
    assert [str(p) for p in caught.value.problems] == [
        "IT-Grundschutz-Check, Zeile 1, Spalte 'Anmerkung': Spalte fehlt (umbenannt oder gelöscht?): ihre Werte "
        "können nicht übernommen werden; die Überschrift wiederherstellen"]
    result = CliRunner().invoke(import_, [str(folder), str(tmp_path / "umbenannt.xlsx"), "--apply",
                                          "--catalogs", str(shared_catalogs)])
    assert result.exit_code == 1
    assert ("IT-Grundschutz-Check, Zeile 1, Spalte 'Anmerkung': Spalte fehlt (umbenannt oder gelöscht?): ihre Werte "
            "können nicht übernommen werden; die Überschrift wiederherstellen; unbekannte Spalten: 'Bemerkung'"
            in result.output)
    assert digest(folder) == before


def test_a_renamed_or_deleted_sheet_is_an_error(tmp_path, shared_catalogs):
    """Issue 11, item 9: a renamed sheet dropped that sheet's edits with only a hint and exit 0."""
    folder = write_small(tmp_path / "a")
    book = tmp_path / "a.xlsx"
    export_workbook(analysed(folder, shared_catalogs), book)
    first = analysed(folder, shared_catalogs).check.entries[0]
    edit_book(book, book, [("IT-Grundschutz-Check", (first.object, first.requirement), "Status", "ja")])
    workbook = openpyxl.load_workbook(book)
    workbook["IT-Grundschutz-Check"].title = "Check KRZ"
    workbook.save(book)
    before = digest(folder)
    result = CliRunner().invoke(import_, [str(folder), str(book), "--apply", "--catalogs", str(shared_catalogs)])
    assert result.exit_code == 1
    assert ("a.xlsx, Wert 'IT-Grundschutz-Check': Blatt 'IT-Grundschutz-Check' fehlt (umbenannt oder gelöscht?): "
            "seine Werte können nicht übernommen werden; den alten Namen wiederherstellen; Blätter, die es im Export "
            "nicht gab: Check KRZ") in result.output
    assert digest(folder) == before
    # a sheet the export left out (only Strukturanalyse and the check chosen) is not missing
    export_workbook(analysed(folder, shared_catalogs), book, sheets=["objects", "check"])
    assert plan_import(analysed(folder, shared_catalogs), book).changes == []


def test_an_emptied_cell_empties_the_value(tmp_path, shared_catalogs):
    folder = write_small(tmp_path / "a")
    first = analysed(folder, shared_catalogs).check.entries[0]
    (folder / "check.csv").write_text("object,requirement,status,note\n"
                                      f"{first.object},{first.requirement},nein,bis Herbst\n", encoding="utf-8")
    book = tmp_path / "a.xlsx"
    export_workbook(analysed(folder, shared_catalogs), book)
    edit_book(book, book, [("IT-Grundschutz-Check", (first.object, first.requirement), "Anmerkung", None)])
    import_workbook(analysed(folder, shared_catalogs), book, apply=True)
    assert (folder / "check.csv").read_text(encoding="utf-8") == (
        f"object,requirement,status,note\n{first.object},{first.requirement},nein,\n")


# --------------------------------------------------------------------------- needs.csv


def test_needs_assessed_values_and_overrides(tmp_path, shared_catalogs):
    folder = write_small(tmp_path / "a")
    book = tmp_path / "a.xlsx"
    export_workbook(analysed(folder, shared_catalogs), book)
    sheet = "Schutzbedarfsfeststellung"
    edit_book(book, book, [
        (sheet, ("R-1",), "Verfügbarkeit: Effekt", "Verteilungseffekt"),          # effect of an override changed
        (sheet, ("SRV-1",), "Integrität: festgestellt", "hoch"),                  # SRV-1 has no assessed row yet
        (sheet, ("SRV-1",), "Integrität: Begründung", "Datenbank der Register"),
        (sheet, ("APP-2",), "Verfügbarkeit: festgestellt", "Hoch"),              # any case
        (sheet, ("GP-1",), "Vertraulichkeit: manuell gesetzt", "sehr hoch"),      # new override
        (sheet, ("GP-1",), "Vertraulichkeit: Effekt", "Kumulationseffekt"),
        (sheet, ("GP-1",), "Vertraulichkeit: Begründung (manuell)", "viele Register zusammen"),
    ])
    plan = import_workbook(analysed(folder, shared_catalogs), book, apply=True)
    assert len(plan.changes) == 7
    assert (folder / "needs.csv").read_text(encoding="utf-8") == (
        NEEDS_HEADER
        + "GP-1,hoch,hoch,normal,Meldedaten,Register mit Beweiskraft,Ausfall einen Tag tragbar,\n"
        + "APP-2,normal,normal,hoch,öffentlich,+ Korrekturen möglich,\"Ausfall, eine Woche\",\n"
        + "R-1,,,normal,,,Reservestrom vorhanden,distribution\n"
        + "GP-1,sehr hoch,,,viele Register zusammen,,,cumulation\n"
        + "SRV-1,,hoch,,,Datenbank der Register,,\n")
    # removing an override takes its row out when nothing is left in it
    export_workbook(analysed(folder, shared_catalogs), book)
    edit_book(book, book, [(sheet, ("R-1",), h, None) for h in (
        "Verfügbarkeit: manuell gesetzt", "Verfügbarkeit: Effekt", "Verfügbarkeit: Begründung (manuell)")])
    import_workbook(analysed(folder, shared_catalogs), book, apply=True)
    assert "R-1" not in (folder / "needs.csv").read_text(encoding="utf-8")


def test_needs_errors_name_the_cell(tmp_path, shared_catalogs):
    folder = write_small(tmp_path / "a")
    book = tmp_path / "a.xlsx"
    export_workbook(analysed(folder, shared_catalogs), book)
    sheet = "Schutzbedarfsfeststellung"
    edit_book(book, book, [
        (sheet, ("SRV-1",), "Vertraulichkeit: manuell gesetzt", "hoch"),           # no effect, no reason
        (sheet, ("APP-1",), "Integrität: Begründung", "ohne Wert"),                # reason without level
        (sheet, ("APP-2",), "Verfügbarkeit: festgestellt", "mittel"),              # not a level
        (sheet, ("R-1",), "Verfügbarkeit: Effekt", "irgendwie"),                   # not an effect
    ])
    with pytest.raises(AssessmentError) as caught:
        plan_import(analysed(folder, shared_catalogs), book)
    assert [(p.row, p.column, p.message.split(":")[0]) for p in caught.value.problems] == [
        (3, "Integrität: Begründung", "Begründung ohne festgestellten Schutzbedarf"),
        (4, "Verfügbarkeit: festgestellt", "'mittel' ist keine Schutzbedarfskategorie (normal, hoch, sehr hoch)"),
        (5, "Vertraulichkeit: Begründung (manuell)", "Begründung fehlt"),
        (5, "Vertraulichkeit: Effekt", "Effekt fehlt"),
        (6, "Verfügbarkeit: Effekt", "unbekannter Effekt (erlaubt"),
    ]


# --------------------------------------------------------------------------- modelling.csv


def test_bausteine_added_removed_and_restored(tmp_path, shared_catalogs):
    folder = write_small(tmp_path / "a")
    book = tmp_path / "a.xlsx"
    analysis = analysed(folder, shared_catalogs)
    rule_assigned = analysis.modelling.bausteine("SRV-1")[0]
    export_workbook(analysis, book)
    edit_book(book, book, [("Modellierung", ("SRV-1", rule_assigned), "Zuordnung", "entfernt"),
                           ("Modellierung", ("SRV-1", rule_assigned), "Begründung von Hand", "wird abgelöst")],
              append=[("Modellierung", {"Zielobjekt": "APP-1", "Baustein": "APP.4.3",
                                        "Begründung von Hand": "Datenbank im Fachverfahren"})])
    plan = import_workbook(analysed(folder, shared_catalogs), book, apply=True)
    assert plan.counts() == {"Modellierung": 4}
    assert (folder / "modelling.csv").read_text(encoding="utf-8") == (
        "object,baustein,action,reason\n"
        f"SRV-1,{rule_assigned},remove,wird abgelöst\n"
        "APP-1,APP.4.3,add,Datenbank im Fachverfahren\n")
    after = analysed(folder, shared_catalogs)
    assert rule_assigned not in after.modelling.bausteine("SRV-1")
    assert "APP.4.3" in after.modelling.bausteine("APP-1")
    # exported again, nothing changes; restoring and dropping the added one empties the file
    export_workbook(after, book)
    assert plan_import(analysed(folder, shared_catalogs), book).changes == []
    edit_book(book, book, [("Modellierung", ("SRV-1", rule_assigned), "Zuordnung", "zugeordnet"),
                           ("Modellierung", ("APP-1", "APP.4.3"), "Zuordnung", "entfernt")])
    import_workbook(analysed(folder, shared_catalogs), book, apply=True)
    assert (folder / "modelling.csv").read_text(encoding="utf-8") == "object,baustein,action,reason\n"


def test_modelling_errors(tmp_path, shared_catalogs):
    folder = write_small(tmp_path / "a")
    analysis = analysed(folder, shared_catalogs)
    first = analysis.check.entries[0]
    (folder / "check.csv").write_text("object,requirement,status\n"
                                      f"{first.object},{first.requirement},ja\n", encoding="utf-8")
    book = tmp_path / "a.xlsx"
    export_workbook(analysed(folder, shared_catalogs), book)
    other = next(b for b in analysis.modelling.bausteine("SRV-1") if b != first.baustein or first.object != "SRV-1")
    edit_book(book, book, [
        ("Modellierung", (first.object, first.baustein), "Zuordnung", "entfernt"),
        ("Modellierung", (first.object, first.baustein), "Begründung von Hand", "weg damit"),
        ("Modellierung", ("SRV-1", other), "Zuordnung", "entfernt"),                  # without reason
    ], append=[("Modellierung", {"Zielobjekt": "APP-1", "Baustein": "XYZ.9"})])
    with pytest.raises(AssessmentError) as caught:
        plan_import(analysed(folder, shared_catalogs), book)
    messages = sorted(p.message for p in caught.value.problems)
    assert messages == sorted([
        f"{first.object} hat in check.csv 1 Eintrag zu {first.baustein} (Zeile 2); der Baustein kann erst "
        "entfernt werden, wenn sie dort gelöscht sind",
        "Entfernen eines Bausteins braucht eine Begründung von Hand",
        "Baustein 'XYZ.9' gibt es im Kompendium nicht",
    ])


# --------------------------------------------------------------------------- check.csv


def test_check_edits_keep_the_form_of_the_file(tmp_path, shared_catalogs):
    folder = write_small(tmp_path / "a")
    entries = analysed(folder, shared_catalogs).check.entries
    a, b, c = entries[0], entries[1], entries[2]
    text = ('\ufeff"requirement";"object";"status";"note";"due";"checked_on"\r\n'
            f'"{a.requirement}";"{a.object}";"nein";"Erst; dann";"01.02.2026";""\r\n'
            f'"{b.requirement}";"{b.object}";"teilweise";"";"";""\r\n')
    (folder / "check.csv").write_bytes(text.encode("utf-8"))
    book = tmp_path / "a.xlsx"
    export_workbook(analysed(folder, shared_catalogs), book)
    edit_book(book, book, [
        ("IT-Grundschutz-Check", (a.object, a.requirement), "Umsetzung bis", datetime(2026, 6, 30)),
        ("IT-Grundschutz-Check", (b.object, b.requirement), "Status", "ja"),
        ("IT-Grundschutz-Check", (c.object, c.requirement), "Verantwortlich", "IT-Leitung"),
        ("IT-Grundschutz-Check", (c.object, c.requirement), "Geprüft am", "03.03.2026"),
    ])
    import_workbook(analysed(folder, shared_catalogs), book, apply=True)
    assert (folder / "check.csv").read_bytes().decode("utf-8") == (
        '\ufeff"requirement";"object";"status";"note";"due";"checked_on";"responsible"\r\n'
        f'"{a.requirement}";"{a.object}";"nein";"Erst; dann";"30.06.2026";""\r\n'
        f'"{b.requirement}";"{b.object}";"ja";"";"";""\r\n'
        f'"{c.requirement}";"{c.object}";"unbearbeitet";"";"";"03.03.2026";"IT-Leitung"\r\n')


def test_entbehrlich_needs_a_note(tmp_path, shared_catalogs):
    folder = write_small(tmp_path / "a")
    book = tmp_path / "a.xlsx"
    export_workbook(analysed(folder, shared_catalogs), book)
    first = analysed(folder, shared_catalogs).check.entries[0]
    edit_book(book, book, [("IT-Grundschutz-Check", (first.object, first.requirement), "Status", "entbehrlich")])
    with pytest.raises(AssessmentError, match="Zeile 2, Spalte 'Anmerkung', Wert '': Status 'entbehrlich' braucht "
                                              "eine Begründung in 'Anmerkung'"):
        plan_import(analysed(folder, shared_catalogs), book)


# --------------------------------------------------------------------------- risks.csv


def test_risk_ratings_treatment_and_an_own_threat(tmp_path, shared_catalogs):
    folder = write_small(tmp_path / "a")
    book = tmp_path / "a.xlsx"
    export_workbook(analysed(folder, shared_catalogs), book)
    rows = list(openpyxl.load_workbook(book, read_only=True)["Risikoanalyse"].iter_rows(min_row=2, values_only=True))
    obj, threat = rows[0][0], rows[0][2]
    sheet = "Risikoanalyse"
    edits = [(sheet, (obj, threat), "Häufigkeit", "haeufig"), (sheet, (obj, threat), "Auswirkung", "beträchtlich"),
             (sheet, (obj, threat), "Behandlung", "akzeptieren"),
             (sheet, (obj, threat), "Maßnahmen / Begründung", "Ablösung 2026")]
    own = {"Zielobjekt": obj, "Gefährdung": "Z-1", "Titel": "Fernwartung durch den Hersteller",
           "Häufigkeit": "selten", "Auswirkung": "begrenzt"}
    pristine = tmp_path / "export.xlsx"
    shutil.copy(book, pristine)
    edit_book(pristine, book, edits, append=[(sheet, own)])
    with pytest.raises(AssessmentError) as caught:
        plan_import(analysed(folder, shared_catalogs), book)
    assert [str(p) for p in caught.value.problems] == [
        "Risikoanalyse, Zeile 2, Spalte 'Risiko übernommen von', Wert '': Risikoübernahme ('akzeptieren') braucht "
        "in 'Risiko übernommen von', wer das Risiko übernommen hat"]
    edit_book(pristine, book, [*edits, (sheet, (obj, threat), "Risiko übernommen von", "Bürgermeister")],
              append=[(sheet, own)])
    import_workbook(analysed(folder, shared_catalogs), book, apply=True)
    assert (folder / "risks.csv").read_text(encoding="utf-8") == (
        "object,threat,title,frequency,impact,treatment,note,accepted_by,accepted_on,residual_frequency,"
        "residual_impact\n"
        f"{obj},{threat},,häufig,beträchtlich,akzeptieren,Ablösung 2026,Bürgermeister,,,\n"
        f"{obj},Z-1,Fernwartung durch den Hersteller,selten,begrenzt,,,,,,\n")


# --------------------------------------------------------------------------- command line


def test_cli_import_shows_then_applies(tmp_path, shared_catalogs):
    folder = write_small(tmp_path / "a")
    book = tmp_path / "a.xlsx"
    export_workbook(analysed(folder, shared_catalogs), book)
    first = analysed(folder, shared_catalogs).check.entries[0]
    edit_book(book, book, [("IT-Grundschutz-Check", (first.object, first.requirement), "Status", "ja")])
    runner = CliRunner()
    args = [str(folder), str(book), "--catalogs", str(shared_catalogs)]
    shown = runner.invoke(import_, args)
    assert shown.exit_code == 0, shown.output
    assert shown.output == (
        f"Import aus a.xlsx in {folder}\n\n"
        "IT-Grundschutz-Check (check.csv): 1 Wert\n"
        f"  Zeile 2 · {first.object} / {first.requirement} · Status: 'unbearbeitet' → 'ja'\n\n"
        "Nichts geschrieben: 1 Wert in check.csv; mit --apply übernehmen.\n")
    assert not (folder / "check.csv").exists()
    applied = runner.invoke(import_, [*args, "--apply"])
    assert applied.exit_code == 0, applied.output
    assert applied.output.splitlines()[-1] == "Übernommen: IT-Grundschutz-Check 1 Wert. Geschrieben: check.csv."
    assert (folder / "check.csv").is_file()
    again = runner.invoke(import_, [*args, "--apply"])
    assert again.exit_code == 1
    assert "check.csv wurde nach dem Export geändert" in again.output


def test_cli_import_reports_errors_with_exit_code_1(tmp_path, shared_catalogs):
    folder = write_small(tmp_path / "a")
    book = tmp_path / "a.xlsx"
    export_workbook(analysed(folder, shared_catalogs), book)
    first = analysed(folder, shared_catalogs).check.entries[0]
    edit_book(book, book, [("IT-Grundschutz-Check", (first.object, first.requirement), "Status", "fertig")])
    result = CliRunner().invoke(import_, [str(folder), str(book), "--catalogs", str(shared_catalogs), "--apply"])
    assert result.exit_code == 1
    assert result.output == (
        "Fehler: 1 Fehler in a.xlsx:\n"
        "  IT-Grundschutz-Check, Zeile 2, Spalte 'Status', Wert 'fertig': unbekannter Status "
        "(erlaubt: ja, teilweise, nein, entbehrlich, unbearbeitet)\n")


def test_import_needs_a_csv_assessment(tmp_path, shared_catalogs):
    folder = write_small(tmp_path / "a")
    with pytest.raises(GrundschutzError, match="Arbeitsmappe nicht gefunden"):
        plan_import(analysed(folder, shared_catalogs), tmp_path / "fehlt.xlsx")


# --------------------------------------------------------------------------- properties

_NASTY = ["", "=SUMME(A1:A3)", "+49 2129 911-0", "-", "@admin", "#NV", "Komma, Semikolon; \"Zitat\"",
          "zwei\nZeilen", "Straße äöü ß €", "  Leerzeichen  ", "1.5", "2024-01-01", "0815", "x" * 120,
          "Tabulator\tund \uffff"]
#: Any text a valid file may hold: no surrogates, no control characters but tab and line ends (see
#: docs/format.md, "Strict input").
_TEXT = st.one_of(st.sampled_from(_NASTY),
                  st.text(st.characters(codec="utf-8", exclude_categories=("Cs",),
                                        exclude_characters="".join(map(chr, [*range(0, 9), 11, 12,
                                                                             *range(14, 32), 127]))),
                          max_size=25))
_IDS = st.lists(st.from_regex(r"[A-Z]{1,3}-[0-9]{1,2}", fullmatch=True), min_size=2, max_size=5, unique=True)
_TYPES = ["application", "server", "client", "process", "room", "network"]
_LEVEL_SPELLINGS = ["", "normal", "hoch", "sehr hoch", "HOCH", "Sehr_Hoch"]


@st.composite
def assessments(draw):
    """Small assessments in varied CSV form (delimiter, BOM, line ends, quoting, column order)."""
    ids = draw(_IDS)
    form = {"delimiter": draw(st.sampled_from([",", ";"])), "bom": draw(st.booleans()),
            "newline": draw(st.sampled_from(["\n", "\r\n"])), "quote_all": draw(st.booleans()),
            "final_newline": draw(st.booleans()), "shuffle": draw(st.randoms())}
    objects = [{"id": i, "type": draw(st.sampled_from(_TYPES)), "name": draw(_TEXT), "description": draw(_TEXT),
                "tags": draw(st.sampled_from(["", "os=linux", "fachbereich=Ordnung;pflicht"])), "count": ""}
               for i in ids]
    pairs = [(a, b) for a in ids for b in ids if a != b]
    deps = [{"object": a, "depends_on": b, "redundancy_group": "", "note": draw(_TEXT)}
            for a, b in draw(st.lists(st.sampled_from(pairs), unique=True, max_size=6))]
    needs = []
    for object_id in ids:
        if draw(st.booleans()):
            row = {"object": object_id, "effect": ""}
            for v in ("confidentiality", "integrity", "availability"):
                row[v] = draw(st.sampled_from(_LEVEL_SPELLINGS))
                row[f"{v}_reason"] = draw(_TEXT) if row[v] else ""
            needs.append(row)
        if draw(st.integers(0, 3)) == 0:
            v = draw(st.sampled_from(("confidentiality", "integrity", "availability")))
            needs.append({"object": object_id, v: draw(st.sampled_from(_LEVEL_SPELLINGS[1:])),
                          f"{v}_reason": draw(_TEXT.filter(lambda t: t.strip())),
                          "effect": draw(st.sampled_from(["manual", "cumulation", "distribution"]))})
    check_picks = draw(st.lists(st.tuples(st.integers(0, 10_000), st.sampled_from(
        ["ja", "teilweise", "nein", "entbehrlich", "unbearbeitet", ""]), _TEXT, _TEXT,
        st.sampled_from(["", "2025-12-31", "31.12.2025"])), max_size=5))
    return {"objects": objects, "dependencies": deps, "needs": needs, "check": check_picks, "form": form}


def write_generated(folder: Path, data, catalogs) -> None:
    form = data["form"]
    folder.mkdir()
    (folder / "assessment.yaml").write_text("name: Generiert\n", encoding="utf-8")
    for name, columns in (("objects", ["id", "type", "name", "description", "tags", "count"]),
                          ("dependencies", ["object", "depends_on", "redundancy_group", "note"]),
                          ("needs", NEEDS_HEADER.strip().split(","))):
        _write_csv(folder / f"{name}.csv", columns, data[name], form)
    entries = analysed(folder, catalogs).check.entries
    rows, seen = [], set()
    for pick, status, note, responsible, due in data["check"]:
        if not entries:
            break
        entry = entries[pick % len(entries)]
        if (entry.object, entry.requirement) in seen:
            continue
        seen.add((entry.object, entry.requirement))
        note = note if status != "entbehrlich" or note.strip() else "nicht nötig"
        rows.append({"object": entry.object, "requirement": entry.requirement, "status": status, "note": note,
                     "responsible": responsible, "due": due, "checked_on": ""})
    if rows:
        _write_csv(folder / "check.csv", ["object", "requirement", "status", "note", "responsible", "due",
                                          "checked_on"], rows, form)


def _write_csv(path: Path, columns: list[str], rows, form) -> None:
    columns = list(columns)
    form["shuffle"].shuffle(columns)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=form["delimiter"], lineterminator=form["newline"],
                        quoting=csv.QUOTE_ALL if form["quote_all"] else csv.QUOTE_MINIMAL)
    writer.writerow(columns)
    for row in rows:
        values = [row.get(c, "") for c in columns]
        if form["newline"] == "\n":  # csv.writer quotes a lone \r only when it ends lines itself
            values = [v.replace("\r", "") for v in values]
        writer.writerow(values)
    text = out.getvalue()
    if not form["final_newline"]:
        text = text[: -len(form["newline"])]
    path.write_bytes((("\ufeff" if form["bom"] else "") + text).encode("utf-8"))


@settings(max_examples=examples(25), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=assessments())
def test_property_export_and_import_without_edits_changes_no_byte(data, shared_catalogs):
    with tempfile.TemporaryDirectory() as temp:
        folder = Path(temp) / "bewertung"
        write_generated(folder, data, shared_catalogs)
        before = digest(folder)
        book = Path(temp) / "mappe.xlsx"
        analysis = analysed(folder, shared_catalogs)
        export_workbook(analysis, book)
        plan = plan_import(analysis, book)
        assert plan.changes == [] and plan.files == {} and plan.notes == []
        apply_import(plan)
        assert digest(folder) == before


@settings(max_examples=examples(20), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=assessments(), choices=st.data())
def test_property_edited_cells_change_exactly_those_values(data, choices, shared_catalogs):
    with tempfile.TemporaryDirectory() as temp:
        folder = Path(temp) / "bewertung"
        write_generated(folder, data, shared_catalogs)
        before_files = {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}
        assert not any(name.startswith(LOCK_FILE) for name in before_files)
        analysis = analysed(folder, shared_catalogs)
        book = Path(temp) / "mappe.xlsx"
        export_workbook(analysis, book)
        before = {name: {_key(SHEETS[name], r): r for r in sheet_rows(analysis, name)} for name in ("needs", "check")}
        edits, expected = [], {}
        # check edits or needs edits: a changed need changes which requirements are selected,
        # and a status set for a requirement that the same import deselects is rightly refused
        on_check = choices.draw(st.booleans()) and bool(before["check"])
        for _ in range(choices.draw(st.integers(1, 4))):
            if on_check:
                key = choices.draw(st.sampled_from(sorted(before["check"])))
                column = choices.draw(st.sampled_from(["status", "note", "responsible", "due"]))
                value = {"status": st.sampled_from(["ja", "teilweise", "nein", "unbearbeitet"]),
                         "note": _TEXT.filter(lambda t: t.strip()), "responsible": _TEXT,
                         "due": st.dates(date(2020, 1, 1), date(2030, 12, 31))}[column]
                new = choices.draw(value)
                new = excel_text(new) if isinstance(new, str) else new  # what a cell can hold
                if column == "note" and before["check"][key]["status"] == "entbehrlich":
                    continue
                edits.append(("IT-Grundschutz-Check", key, SHEETS["check"].column(column).header,
                              datetime.combine(new, datetime.min.time()) if column == "due" else new))
                expected[("check", key, column)] = new
            else:
                key = choices.draw(st.sampled_from(sorted(before["needs"])))
                row = before["needs"][key]
                v = choices.draw(st.sampled_from(["confidentiality", "integrity", "availability"]))
                header = SHEETS["needs"].column
                if row[f"{v}_override"]:
                    cells = {f"{v}_override": "", f"{v}_effect": "", f"{v}_override_reason": ""}
                else:
                    cells = {f"{v}_override": choices.draw(st.sampled_from(["normal", "hoch", "sehr hoch"])),
                             f"{v}_effect": choices.draw(st.sampled_from(["manuell", "Verteilungseffekt"])),
                             f"{v}_override_reason": excel_text(choices.draw(_TEXT.filter(
                                 lambda t: excel_text(t).strip())))}
                for column, new in cells.items():
                    edits.append(("Schutzbedarfsfeststellung", key, header(column).header, new or None))
                    expected[("needs", key, column)] = new
        edit_book(book, book, edits)
        try:
            plan = import_workbook(analysed(folder, shared_catalogs), book, apply=True)
        except AssessmentError as exc:
            # a lowered need deselects H requirements that check.csv still lists: refused, nothing written
            assert not on_check
            assert {p.file for p in exc.problems} <= {"check.csv (nach dem Import)", "mappe.xlsx"}
            assert all("nicht ausgewählt" in p.message for p in exc.problems if p.file != "mappe.xlsx")
            assert {p.name: p.read_bytes() for p in folder.iterdir()
                    if p.is_file() and not p.name.startswith(LOCK_FILE)} == before_files
            return
        after_analysis = analysed(folder, shared_catalogs)
        for name in ("needs", "check"):
            sheet = SHEETS[name]
            after = {_key(sheet, r): r for r in sheet_rows(after_analysis, name)}
            if name == "needs" or on_check:
                assert after.keys() == before[name].keys()
            for key, row in after.items():
                if key not in before[name]:  # newly selected through a changed need: not in check.csv
                    assert row["status"] == "unbearbeitet" and not any(expected_key[1] == key
                                                                       for expected_key in expected)
                    continue
                for column in sheet.editable:
                    want = expected.get((name, key, column.key), before[name][key][column.key])
                    assert _same(row[column.key], want), (name, key, column.key, row[column.key], want)
        touched = {change.file for change in plan.changes}
        for path in folder.iterdir():
            if path.is_file() and path.name not in touched and not path.name.startswith(LOCK_FILE):
                assert path.read_bytes() == before_files.get(path.name), path.name


def _key(sheet, row) -> tuple[str, ...]:
    return tuple(str(row[c.key]) for c in sheet.keys)


def _same(actual, wanted) -> bool:
    """Equal as the workbook shows them (text as a cell holds it)."""
    if isinstance(wanted, str) or wanted is None:
        return excel_text(actual or "").strip() == excel_text(wanted or "").strip()
    return actual == wanted


def test_csv_document_rewrites_only_changed_rows():
    data = 'a;b;c\r\n1;"x;y";3\r\n\r\n4;5;6'.encode()
    doc = CsvDocument.parse(data, "t.csv")
    assert doc.to_bytes() == data
    doc.set(doc.find(a="4"), "c", "neu\nzeile")
    doc.append({"a": "7", "b": "8", "d": "9"})
    assert doc.to_bytes().decode() == 'a;b;c;d\r\n1;"x;y";3\r\n\r\n4;5;"neu\nzeile"\r\n7;8;;9'


def test_a_grundschutz_plus_plus_assessment_round_trips_and_takes_check_edits(tmp_path, shared_catalogs):
    folder = write_small(tmp_path / "gspp")
    (folder / "assessment.yaml").write_text("name: GS++\nedition: grundschutz++\n", encoding="utf-8")
    book = tmp_path / "gspp.xlsx"
    analysis = analysed(folder, shared_catalogs)
    export_workbook(analysis, book)
    names = openpyxl.load_workbook(book, read_only=True)
    assert [c.value for c in next(names["Modellierung"].iter_rows(max_row=1))][3] == "Zielobjekt-Kategorie"
    names.close()
    before = digest(folder)
    assert import_workbook(analysed(folder, shared_catalogs), book, apply=True).changes == []
    assert digest(folder) == before
    first = analysis.check.entries[0]
    edited = tmp_path / "bearbeitet.xlsx"
    status = ("IT-Grundschutz-Check", (first.object, first.requirement), "Status", "ja")
    edit_book(book, edited, [status], append=[("Modellierung", {"Zielobjekt": "SRV-1",
                                                                  "Zielobjekt-Kategorie": "Räume"})])
    with pytest.raises(AssessmentError, match="Grundschutz\\+\\+ modelliert nur über die Regeln"):
        plan_import(analysed(folder, shared_catalogs), edited)
    edit_book(book, edited, [status])
    import_workbook(analysed(folder, shared_catalogs), edited, apply=True)
    assert (folder / "check.csv").read_text(encoding="utf-8") == (
        "object,requirement,status,note,responsible,due,checked_on\n"
        f"{first.object},{first.requirement},ja,,,,\n")


def test_deleted_rows_are_reported_and_change_nothing(small_assessment, small_catalog, tmp_path):
    """Issue 12: ``import`` ignored deleted rows without a word and said "Keine Änderungen" next to hints.
    A row deleted in the workbook is named in a note; nothing is deleted from the CSV files."""
    book = tmp_path / "klein.xlsx"
    export_workbook(analysed(small_assessment, small_catalog), book)
    workbook = openpyxl.load_workbook(book)
    gone = {}
    for title, count, second in (("IT-Grundschutz-Check", 2, "Anforderung"), ("Risikoanalyse", 1, "Gefährdung")):
        ws = workbook[title]
        headers = [cell.value for cell in ws[1]]
        a, b = headers.index("Zielobjekt") + 1, headers.index(second) + 1
        gone[title] = [(ws.cell(r, a).value, ws.cell(r, b).value) for r in range(2, 2 + count)]
        ws.delete_rows(2, count)
    workbook.save(book)
    before = digest(small_assessment)
    result = CliRunner().invoke(import_, [str(small_assessment), str(book), "--apply", "--catalogs",
                                          str(small_catalog)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[1] == "Keine Änderungen zu übernehmen (siehe Hinweise)."
    check = next(line for line in lines if line.startswith("  IT-Grundschutz-Check: "))
    assert check.startswith("  IT-Grundschutz-Check: 2 exportierte Zeilen fehlen in der Arbeitsmappe (gelöscht?): ")
    assert all(f"{a} / {b}" in check for a, b in gone["IT-Grundschutz-Check"]), (check, gone)
    assert check.endswith("gelöschte Zeilen werden nicht übernommen, in check.csv wird nichts gelöscht.")
    (a, b), = gone["Risikoanalyse"]
    assert (f"  Risikoanalyse: 1 exportierte Zeile fehlt in der Arbeitsmappe (gelöscht?): {a} / {b}; gelöschte "
            "Zeilen werden nicht übernommen, in risks.csv wird nichts gelöscht.") in lines
    assert lines[-1] == "Nichts geschrieben." and digest(small_assessment) == before


def test_the_import_reports_its_progress(tmp_path, shared_catalogs):
    """Issue 12: a long import shows a progress bar; the library tells each step, in order, to the end."""
    folder = write_small(tmp_path / "a")
    book = tmp_path / "a.xlsx"
    export_workbook(analysed(folder, shared_catalogs), book)
    heard = []
    plan_import(analysed(folder, shared_catalogs), book, progress=lambda what, done, total: heard.append(
        (what, done, total)))
    total = heard[0][2]
    assert heard[0] == ("lesen", 0, total) and heard[-2:] == [("Ergebnis prüfen", total - 1, total),
                                                              ("fertig", total, total)]
    assert [done for _, done, _ in heard] == list(range(total + 1))
    assert {"Schutzbedarfsfeststellung", "IT-Grundschutz-Check"} <= {what for what, _, _ in heard}
