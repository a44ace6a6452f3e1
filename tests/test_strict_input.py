"""Strict input: a typo, a cut-off file, a stray control character or a rule that cannot
work is an error with file, row, column and value - never a silently different result.

And ``grundschutz validate`` reads every file of the folder and reports every problem
of every file in one run.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import problems_of

from grundschutz import read_assessment
from grundschutz.cli import main


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


# --------------------------------------------------------------------------- typos in keys and columns


@pytest.mark.parametrize("typo, key, line", [
    ("distributon:", "distribution", 14),
    ("cumulaton:", "cumulation", 5),
    ("varaint:", "variant", 4),
])
def test_a_misspelt_key_of_assessment_yaml_is_an_error_with_a_suggestion(folder, typo, key, line):
    edit(folder / "assessment.yaml", f"{key}:", typo)
    problems = problems_of(folder)
    assert (f"assessment.yaml, Zeile {line}: unbekannter Schlüssel '{typo[:-1]}' – meinten Sie '{key}'?"
            in problems)


def test_a_misspelt_key_inside_a_rule_names_the_rule(folder):
    edit(folder / "assessment.yaml", "    candidate_margin: 1", "    candidate_margn: 1")
    edit(folder / "assessment.yaml", "  lower_by: 1", "  lowerby: 1")
    assert problems_of(folder) == [
        "assessment.yaml, Zeile 12, Spalte 'cumulation[1]': unbekannter Schlüssel 'candidate_margn' – meinten Sie "
        "'candidate_margin'?",
        "assessment.yaml, Zeile 17, Spalte 'distribution': unbekannter Schlüssel 'lowerby' – meinten Sie "
        "'lower_by'?",
    ]


def test_an_unknown_key_without_a_near_one_lists_the_keys(folder):
    edit(folder / "assessment.yaml", "variant: standard", "variant: standard\nfarbe: blau")
    assert problems_of(folder) == [
        "assessment.yaml, Zeile 5: unbekannter Schlüssel 'farbe' (erlaubt: name, organisation, edition, variant, "
        "cumulation, distribution, risk_matrix, portfolio)",
    ]


def test_a_misspelt_effect_column_does_not_turn_overrides_into_assessed_needs(folder):
    edit(folder / "needs.csv", ",effect\n", ",effekt\n")
    assert problems_of(folder) == [
        "needs.csv, Zeile 1, Spalte 'effekt': unbekannte Spalte 'effekt' – meinten Sie 'effect'?",
    ]


def test_an_unknown_column_is_an_error_in_every_table(folder):
    edit(folder / "needs.csv", ",effect\n", ",effect,confidentialty\n")
    edit(folder / "objects.csv", "id,type,name,description,tags,count", "id,type,name,description,tags,count,farbe")
    write(folder / "check.csv", "object,requirement,status,notiz\n")
    assert problems_of(folder) == [
        "check.csv, Zeile 1, Spalte 'notiz': unbekannte Spalte 'notiz' – meinten Sie 'note'?",
        "needs.csv, Zeile 1, Spalte 'confidentialty': unbekannte Spalte 'confidentialty' – meinten Sie "
        "'confidentiality'?",
        "objects.csv, Zeile 1, Spalte 'farbe': unbekannte Spalte 'farbe' (erlaubt: id, type, name, description, "
        "tags, count)",
    ]


# --------------------------------------------------------------------------- broken cells


def test_a_file_cut_off_inside_a_quoted_reason_is_an_error(folder):
    needs = folder / "needs.csv"
    needs.write_text(needs.read_text(encoding="utf-8").replace(
        "NET-1,normal,,,Netz ist segmentiert,,,manual\n", 'NET-1,normal,,,"Netz ist segm'), encoding="utf-8")
    assert problems_of(folder) == [
        "needs.csv, Zeile 8, Spalte 'confidentiality_reason', Wert 'Netz ist segm': Anführungszeichen nicht "
        "geschlossen: die Datei endet mitten in diesem Feld (abgeschnitten?)",
    ]


def test_a_quote_in_the_middle_of_a_field_is_an_error(folder):
    edit(folder / "objects.csv", "APP-4,application,Zeiterfassung", 'APP-4,application,"Zeit"erfassung')
    assert problems_of(folder) == [
        "objects.csv, Zeile 7, Spalte 'name', Wert 'Zeiterfassung': Anführungszeichen mitten im Feld: nach dem "
        "schließenden Anführungszeichen muss das Trennzeichen folgen (Anführungszeichen im Text verdoppeln: \"\")",
    ]


def test_nul_and_control_characters_in_a_field_are_errors(folder):
    edit(folder / "objects.csv", "GP-2,process", "GP-\x00 2,process")
    edit(folder / "needs.csv", "Ausleihdaten", "Ausleih\x07daten")
    assert problems_of(folder) == [
        "needs.csv, Zeile 3, Spalte 'confidentiality_reason', Wert 'Ausleih\\x07daten': Steuerzeichen im Feld "
        "(z. B. NUL, sichtbar gemacht als \\x..): entfernen; oft Reste aus einer Kopie aus einem anderen Programm",
        "objects.csv, Zeile 3, Spalte 'id', Wert 'GP-\\x00 2': Steuerzeichen im Feld (z. B. NUL, sichtbar gemacht "
        "als \\x..): entfernen; oft Reste aus einer Kopie aus einem anderen Programm",
    ]


def test_a_line_break_in_an_object_id_is_an_error(folder):
    edit(folder / "objects.csv", "GP-2,process", '"GP-\n2",process')
    assert "objects.csv, Zeile 3, Spalte 'id', Wert 'GP-\\n2': Objekt-ID mit Zeilenumbruch oder Tabulator" in \
        problems_of(folder)


def test_the_id_iv_is_reserved_for_the_informationsverbund(folder):
    edit(folder / "objects.csv", "R-1,room", "IV,room")
    edit(folder / "needs.csv", "R-1,,,hoch", "IV,,,hoch")
    edit(folder / "dependencies.csv", "R-1", "IV")
    problems = problems_of(folder)
    assert ("objects.csv, Zeile 14, Spalte 'id', Wert 'IV': Objekt-ID 'IV' ist für den Informationsverbund "
            "reserviert (Typ informationsverbund), hier aber Typ room: andere ID wählen") in problems


# --------------------------------------------------------------------------- rules that cannot work


def test_a_cumulation_rule_that_raises_to_no_more_than_it_counts_is_an_error(folder):
    edit(folder / "assessment.yaml", "    at_level: normal\n    raise_to: hoch",
         "    at_level: sehr hoch\n    raise_to: normal")
    assert problems_of(folder) == [
        "assessment.yaml, Zeile 11, Spalte 'cumulation[1].raise_to', Wert 'normal': Regel wirkt nie: raise_to "
        "(normal) muss über at_level (sehr hoch) liegen, denn nach dem Maximumprinzip hat das Zielobjekt "
        "mindestens den Wert seiner Abhängigen",
    ]


def test_negative_thresholds_and_a_lowering_beyond_the_scale_are_errors(folder):
    edit(folder / "assessment.yaml", "min_dependents: 3", "min_dependents: -3")
    edit(folder / "assessment.yaml", "candidate_margin: 1", "candidate_margin: -1")
    edit(folder / "assessment.yaml", "lower_by: 1", "lower_by: 99")
    assert problems_of(folder) == [
        "assessment.yaml, Zeile 9, Spalte 'cumulation[1].min_dependents', Wert '-3': darf nicht negativ sein",
        "assessment.yaml, Zeile 12, Spalte 'cumulation[1].candidate_margin', Wert '-1': darf nicht negativ sein",
        "assessment.yaml, Zeile 17, Spalte 'distribution.lower_by', Wert '99': höchstens 2: weiter als von sehr "
        "hoch auf normal lässt sich nicht senken",
    ]


# --------------------------------------------------------------------------- workbooks


def _workbook(folder: Path, path: Path, formula_in: tuple[str, str] | None = None) -> None:
    """The three tables of ``folder`` as sheets of ``path``; ``formula_in`` = (object, column) gets a formula."""
    import csv

    import openpyxl

    book = openpyxl.Workbook()
    book.remove(book.active)
    for name in ("objects", "dependencies", "needs"):
        sheet = book.create_sheet(name)
        with open(folder / f"{name}.csv", encoding="utf-8", newline="") as handle:
            rows = list(csv.reader(handle))
        for row in rows:
            if formula_in and name == "needs" and row[0] == formula_in[0]:
                row[rows[0].index(formula_in[1])] = '=IF(1=1,"hoch","normal")'
            sheet.append(row)
    book.save(path)


def test_a_formula_without_a_stored_value_in_an_input_workbook_is_an_error(folder, tmp_path):
    book = tmp_path / "bewertung.xlsx"
    _workbook(folder, book, formula_in=("GP-2", "availability"))
    assert problems_of(book) == [
        "bewertung.xlsx[needs], Zeile 3, Spalte 'availability', Wert '=IF(1=1,\"hoch\",\"normal\")': Formel ohne "
        "gespeicherten Wert: die Arbeitsmappe in Excel oder LibreOffice öffnen und speichern, damit die Werte "
        "gespeichert werden, oder den Wert eintragen",
    ]


def test_the_same_workbook_without_the_formula_reads(folder, tmp_path):
    book = tmp_path / "bewertung.xlsx"
    _workbook(folder, book)
    assert len(read_assessment(book).objects) == 14


# --------------------------------------------------------------------------- every file, one run


def _checksums(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_validate_lists_the_problems_of_every_file_in_one_run(folder):
    edit(folder / "objects.csv", "APP-4,application", "APP-4,anwendungx")
    write(folder / "modelling.csv", "object,baustein,action,reason\nAPP-1,APP.1.1,ergänzen,\n")
    write(folder / "check.csv", "object,requirement,status\nAPP-1,APP.1.1.A1,vielleicht\n")
    write(folder / "risks.csv", "object,threat,frequency,impact\nAPP-1,G 0.18,oft,begrenzt\n")
    write(folder / "scenarios" / "homeoffice.yaml", "applications: [APP-1]\ncolor: rot\n")
    before = _checksums(folder)
    result = CliRunner().invoke(main, ["validate", str(folder)])
    assert result.exit_code == 1
    lines = [line.strip() for line in result.output.splitlines()]
    assert lines[0].endswith("5 Fehler in " + str(folder) + ":")
    assert lines[1:] == [
        "check.csv, Zeile 2, Spalte 'status', Wert 'vielleicht': unbekannter Status (erlaubt: ja, teilweise, nein, "
        "entbehrlich, unbearbeitet)",
        "modelling.csv, Zeile 2, Spalte 'action', Wert 'ergänzen': unbekannte Aktion (erlaubt: add, remove bzw. "
        "hinzufügen, entfernen)",
        "objects.csv, Zeile 7, Spalte 'type', Wert 'anwendungx': unbekannter Objekttyp 'anwendungx' (erlaubt: "
        "process, application, server, client, mobile, network_device, printer, telephony, ics, iot, network, "
        "room, building, service, informationsverbund)",
        "risks.csv, Zeile 2, Spalte 'frequency', Wert 'oft': unbekannte Häufigkeit (erlaubt: selten, mittel, "
        "häufig, sehr häufig)",
        "scenarios/homeoffice.yaml, Zeile 2: unbekannter Schlüssel 'color' (erlaubt: name, description, "
        "applications, add, remove, change, bausteine, check)",
    ]
    assert _checksums(folder) == before


def test_validate_checks_against_the_catalog_every_file_in_one_run(folder, shared_catalogs):
    write(folder / "modelling.csv", "object,baustein,action,reason\nAPP-1,APP.9.9,add,\n")
    write(folder / "check.csv", "object,requirement,status\nAPP-1,APP.1.1.A99,ja\n")
    write(folder / "risks.csv", "object,threat,frequency,impact\nAPP-1,G 0.99,selten,begrenzt\n")
    write(folder / "scenarios" / "homeoffice.yaml",
          "applications: [APP-1]\nbausteine:\n  - {object: APP-1, baustein: XYZ.1, reason: Test}\n")
    before = _checksums(folder)
    result = CliRunner().invoke(main, ["validate", str(folder), "--catalogs", str(shared_catalogs)])
    assert result.exit_code == 1, result.output
    lines = [line.strip() for line in result.output.splitlines()]
    assert lines[1:] == [
        "modelling.csv, Zeile 2, Spalte 'baustein', Wert 'APP.9.9': Baustein gibt es im Kompendium nicht",
        "scenarios/homeoffice.yaml, Zeile 3, Spalte 'baustein', Wert 'XYZ.1': Baustein gibt es im Kompendium nicht",
    ]
    assert _checksums(folder) == before
    write(folder / "modelling.csv", "object,baustein,action,reason\n")
    write(folder / "scenarios" / "homeoffice.yaml", "applications: [APP-1]\n")
    result = CliRunner().invoke(main, ["validate", str(folder), "--catalogs", str(shared_catalogs)])
    lines = [line.strip() for line in result.output.splitlines()]
    assert lines[1:] == [
        "check.csv, Zeile 2, Spalte 'requirement', Wert 'APP.1.1.A99': Anforderung gibt es im Kompendium nicht",
        "risks.csv, Zeile 2, Spalte 'threat', Wert 'G 0.99': elementare Gefährdung gibt es im Kompendium nicht "
        "(G 0.1 bis G 0.47)",
    ]


def test_validate_of_a_valid_folder_says_what_it_read_and_checked(folder, shared_catalogs):
    write(folder / "check.csv", "object,requirement,status\nAPP-1,APP.6.A1,ja\n")
    result = CliRunner().invoke(main, ["validate", str(folder), "--catalogs", str(shared_catalogs)])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[1:] == [
        "Außerdem geprüft: Check-Einträge 1.",
        "Gegen den Katalog geprüft: Bausteine, Anforderungen und Gefährdungen.",
    ]
