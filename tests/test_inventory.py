"""Reading assessments: what German office software writes is accepted, every
class of bad input gets its exact message, all problems at once."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from conftest import problems_of

from grundschutz import (
    BasicValue,
    Level,
    needs_records,
    propagate,
    read_assessment,
)


def replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def append(path: Path, line: str) -> None:
    with path.open("a", encoding="utf-8") as f:
        f.write(line + "\n")


def test_small_example_reads(folder):
    a = read_assessment(folder)
    assert len(a) == 14 and len(a.dependencies) == 19
    assert a.objects["CL-1"].count == 120
    assert a.objects["APP-1"].tags == {"source": "vorlage", "kronjuwel": ""}
    assert a.needs["GP-1"][BasicValue.CONFIDENTIALITY].reason == "Meldedaten sind personenbezogen"
    assert a.overrides["NET-1"][BasicValue.CONFIDENTIALITY].level is Level.NORMAL


def test_semicolons_bom_and_level_spellings_are_accepted(folder):
    baseline = needs_records(propagate(read_assessment(folder)))
    for name in ("objects.csv", "dependencies.csv", "needs.csv"):
        path = folder / name
        rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
        out = io.StringIO()
        csv.writer(out, delimiter=";", lineterminator="\r\n").writerows(rows)
        path.write_bytes(out.getvalue().encode("utf-8-sig"))
    replace(folder / "needs.csv", "APP-1;hoch;sehr hoch", "APP-1;HOCH;Sehr_Hoch")
    assert needs_records(propagate(read_assessment(folder))) == baseline


def test_workbook_is_an_equivalent_input(folder):
    import openpyxl

    baseline = needs_records(propagate(read_assessment(folder)))
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for name in ("objects", "dependencies", "needs"):
        sheet = workbook.create_sheet(name)
        csv_path = folder / f"{name}.csv"
        for row in csv.reader(io.StringIO(csv_path.read_text(encoding="utf-8"))):
            sheet.append(row)
        csv_path.unlink()
    workbook.save(folder / "assessment.xlsx")
    assert needs_records(propagate(read_assessment(folder))) == baseline
    assert needs_records(propagate(read_assessment(folder / "assessment.xlsx"))) == baseline


def test_other_encoding_is_named(folder):
    path = folder / "objects.csv"
    path.write_bytes(path.read_text(encoding="utf-8").encode("cp1252"))
    assert problems_of(folder) == [
        "objects.csv: Datei ist nicht UTF-8-kodiert (Byte 0xfc an Position 77, Zeile 3; "
        "vermutlich Windows-1252/ANSI). Bitte als 'CSV UTF-8' speichern."
    ]


def test_unknown_type_duplicate_and_empty_id(folder):
    objects = folder / "objects.csv"
    replace(objects, "SRV-2,server", "SRV-2,sever")
    append(objects, "APP-1,application,Doppelt,,,")
    append(objects, ",server,Ohne ID,,,")
    append(objects, "X-1,server,Zähler,,,null")
    assert problems_of(folder) == [
        "objects.csv, Zeile 9, Spalte 'type', Wert 'sever': unbekannter Objekttyp 'sever' (erlaubt: "
        "process, application, server, client, mobile, network_device, printer, telephony, ics, iot, "
        "network, room, building, service, informationsverbund)",
        "objects.csv, Zeile 16, Spalte 'id', Wert 'APP-1': doppelte Objekt-ID (bereits in Zeile 4)",
        "objects.csv, Zeile 17, Spalte 'id', Wert '': leere Objekt-ID",
        "objects.csv, Zeile 18, Spalte 'count', Wert 'null': muss eine ganze Zahl sein",
    ]


def test_dependency_problems(folder):
    deps = folder / "dependencies.csv"
    append(deps, "APP-9,SRV-1,,")
    append(deps, "APP-1,SRV-9,,")
    append(deps, "SRV-1,SRV-1,,")
    append(deps, "GP-1,APP-1,,")
    assert problems_of(folder) == [
        "dependencies.csv, Zeile 21, Spalte 'object', Wert 'APP-9': unbekannte Objekt-ID",
        "dependencies.csv, Zeile 22, Spalte 'depends_on', Wert 'SRV-9': unbekannte Objekt-ID",
        "dependencies.csv, Zeile 23, Spalte 'depends_on', Wert 'SRV-1': Objekt hängt von sich selbst ab",
        "dependencies.csv, Zeile 24, Spalte 'depends_on', Wert 'APP-1': doppelte Abhängigkeit "
        "GP-1 -> APP-1 (bereits in Zeile 2)",
    ]


def test_needs_problems(folder):
    needs = folder / "needs.csv"
    replace(needs, "GP-2,normal,normal,hoch", "GP-2,normal,mittel,hoch")
    append(needs, "SRV-3,,,hoch,,,,manual")
    append(needs, "SRV-2,,,hoch,,,Grund,irgendwie")
    append(needs, "GP-1,hoch,hoch,hoch,a,b,c,")
    append(needs, "SRV-9,hoch,,,,,,")
    append(needs, "SRV-1,,,,,,,manual")
    assert problems_of(folder) == [
        "needs.csv, Zeile 3, Spalte 'integrity', Wert 'mittel': 'mittel' ist keine "
        "Schutzbedarfskategorie (normal, hoch, sehr hoch)",
        "needs.csv, Zeile 9, Spalte 'availability_reason', Wert '': Überschreibung von "
        "availability ohne Begründung",
        "needs.csv, Zeile 10, Spalte 'effect', Wert 'irgendwie': unbekannter Effekt (erlaubt: manual, "
        "cumulation, distribution; leer = festgestellt)",
        "needs.csv, Zeile 11, Spalte 'effect', Wert '': zweite Zeile für GP-1 ohne effect (festgestellt "
        "bereits in Zeile 2); eine Überschreibung braucht effect und Begründung",
        "needs.csv, Zeile 12, Spalte 'object', Wert 'SRV-9': unbekannte Objekt-ID",
        "needs.csv, Zeile 13, Spalte 'effect', Wert 'manual': Überschreibung ohne Schutzbedarf: "
        "mindestens ein Grundwert muss gesetzt sein",
    ]


def test_missing_column_and_missing_file(folder):
    replace(folder / "objects.csv", "id,type,name", "id,typ,name")
    (folder / "needs.csv").unlink()
    assert problems_of(folder) == [
        "needs.csv: Datei fehlt",
        "objects.csv, Spalte 'type': Pflichtspalte fehlt",
        "objects.csv, Zeile 1, Spalte 'typ': unbekannte Spalte 'typ' – meinten Sie 'type'?",
    ]


def test_malformed_yaml(folder):
    (folder / "assessment.yaml").write_text("name: [Haan\nedition: x\n", encoding="utf-8")
    [message] = problems_of(folder)
    assert message.startswith("assessment.yaml: YAML fehlerhaft (Zeile 2, Spalte 8): ")


def test_invalid_settings_are_all_reported(folder):
    (folder / "assessment.yaml").write_text(
        "edition: kompendium-2021\n"
        "cumulation:\n"
        "  - basic_value: verfuegbar\n"
        "    min_dependents: 0\n"
        "    raise_to: hoch\n"
        "distribution:\n"
        "  basic_values: [confidentiality]\n",
        encoding="utf-8",
    )
    assert problems_of(folder) == [
        "assessment.yaml, Zeile 1, Spalte 'edition', Wert 'kompendium-2021': unbekannte Edition (erlaubt: "
        "kompendium-2023, grundschutz++)",
        "assessment.yaml, Zeile 3, Spalte 'cumulation[1].basic_value', Wert 'verfuegbar': 'verfuegbar' ist kein "
        "Grundwert (confidentiality, integrity, availability)",
        "assessment.yaml, Zeile 4, Spalte 'cumulation[1].min_dependents', Wert '0': muss eine ganze Zahl >= 1 sein",
        "assessment.yaml, Zeile 7, Spalte 'distribution.basic_values', Wert 'confidentiality': Verteilungseffekt "
        "für confidentiality (Vertraulichkeit) nur mit Begründung: unter 'distribution.confidentiality' die "
        "Redundanzgruppen ('groups'), die die Daten aufteilen, und die Begründung ('reason') angeben – eine Kopie "
        "ist so vertraulich und so integritätskritisch wie das Original",
    ]


def test_problems_of_all_files_come_together(folder):
    replace(folder / "objects.csv", "SRV-2,server", "SRV-2,sever")
    append(folder / "dependencies.csv", "SRV-1,SRV-1,,")
    append(folder / "needs.csv", "SRV-9,hoch,,,,,,")
    (folder / "assessment.yaml").write_text("variant: gross\n", encoding="utf-8")
    files = [p.split(",")[0] for p in problems_of(folder)]
    assert files == ["assessment.yaml", "dependencies.csv", "needs.csv", "objects.csv"]


def test_missing_folder(tmp_path):
    assert problems_of(tmp_path / "nirgends") == [
        f"{tmp_path / 'nirgends'}: Bewertungsordner oder Arbeitsmappe nicht gefunden"
    ]
