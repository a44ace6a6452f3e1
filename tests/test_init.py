"""``grundschutz init``: an assessment folder from an application list in Excel."""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from grundschutz import read_assessment
from grundschutz.cli.excel import init
from grundschutz.exchange.excel.init import init_assessment, render_init
from grundschutz.model.errors import AssessmentError, GrundschutzError

REPO = Path(__file__).resolve().parents[1]
MAPPING = REPO / "examples" / "inventar" / "mapping.yaml"
HEADERS = ["Fachanwendung", "Beschreibung", "Fachbereich", "Server", "Verantwortlich", "Hersteller",
           "Vertraulichkeit", "Integrität", "Verfügbarkeit", "Begründung Verfügbarkeit", "Lizenzkosten"]
ROWS = [
    ["MESO", "Einwohnermeldewesen", "Bürgerservice", "SRV-DB01, SRV-APP01", "Frau Adler", "HSH", "hoch", "hoch",
     "hoch", "Pflichtaufgabe mit Publikumsverkehr", 12000],
    ["AUTISTA", "Personenstandswesen", "Standesamt", "srv-db01", "Herr Berg", "Hersteller; GmbH", "hoch",
     "sehr hoch", "Hoch", "Beurkundungen sind terminiert", 8000],
    ["PROSOZ 14+", "Soziale Leistungen\nmit Kreis", "Soziales", "SRV-APP02 / SRV-DB01", "Frau Cem", "PROSOZ",
     "sehr hoch", "mittel", None, None, None],
    [None, "Zeile ohne Namen", "Ordnung", "SRV-APP01", None, None, None, None, None, None, None],
    ["Ratsinfo", "=B2&\" online\"", "Bürgerservice", None, None, None, None, None, None, None, None],
]


def write_inventory(path: Path, rows=ROWS, headers=HEADERS, sheet="Anwendungen") -> Path:
    """An application list as an administration keeps it (generated, not shipped)."""
    workbook = openpyxl.Workbook()
    ws = workbook.active
    ws.title = sheet
    ws.append(headers)
    for row in rows:
        ws.append(row)
    workbook.save(path)
    return path


def test_init_creates_a_valid_assessment_from_the_list(tmp_path):
    inventory = write_inventory(tmp_path / "anwendungen.xlsx")
    folder = tmp_path / "musterstadt"
    report = init_assessment(folder, inventory, MAPPING)
    assessment = read_assessment(folder)
    # written under the folder's lock (docs/reliability.md), whose file stays by design
    assert sorted(p.name for p in folder.iterdir()) == [".grundschutz.lock", "assessment.yaml", "dependencies.csv",
                                                       "needs.csv", "objects.csv"]
    assert assessment.settings.name == "Informationsverbund Stadtverwaltung Musterstadt"
    assert assessment.settings.organisation == "Stadt Musterstadt"
    apps = {o.name: o for o in assessment.objects.values() if o.type.value == "application"}
    assert sorted(apps) == ["AUTISTA", "MESO", "PROSOZ 14+", "Ratsinfo"]
    meso = apps["MESO"]
    assert meso.id == "APP-001"
    assert dict(meso.tags) == {"fachbereich": "Bürgerservice", "verantwortlich": "Frau Adler", "hersteller": "HSH"}
    assert apps["AUTISTA"].tags["hersteller"] == "Hersteller, GmbH"
    servers = {o.name: o.id for o in assessment.objects.values() if o.type.value == "server"}
    assert servers == {"SRV-DB01": "SRV-01", "SRV-APP01": "SRV-02", "SRV-APP02": "SRV-03"}  # srv-db01 is SRV-DB01
    processes = {o.name for o in assessment.objects.values() if o.type.value == "process"}
    assert processes == {"Aufgaben Bürgerservice", "Aufgaben Standesamt", "Aufgaben Soziales"}
    edges = {(d.source, d.target, d.note) for d in assessment.dependencies}
    assert ("APP-001", "SRV-01", "läuft auf") in edges and ("APP-002", "SRV-01", "läuft auf") in edges
    assert ("GP-01", "APP-001", "nutzt") in edges and ("GP-01", "APP-004", "nutzt") in edges
    needs = assessment.needs
    assert needs["APP-002"]["integrity"].level.label == "sehr hoch"
    assert needs["APP-001"]["availability"].reason == "Pflichtaufgabe mit Publikumsverkehr"
    assert "integrity" not in needs["APP-003"] and "APP-004" not in needs
    assert apps["Ratsinfo"].description == ""  # a formula never calculated has no value to take
    assert report.objects == {"application": 4, "server": 3, "process": 3}
    assert report.unmapped_columns == ["Lizenzkosten"]
    assert report.notes == [
        "anwendungen.xlsx[Anwendungen], Zeile 4: Integrität 'mittel' ist keine Schutzbedarfskategorie "
        "(normal, hoch, sehr hoch); nicht übernommen.",
        "anwendungen.xlsx[Anwendungen], Zeile 5: 'Fachanwendung' ist leer; Zeile übersprungen.",
        "anwendungen.xlsx[Anwendungen], Zeile 6: 'Beschreibung' enthält eine Formel ohne gespeicherten Wert "
        "(Liste in Excel öffnen und speichern); nicht übernommen.",
    ]
    text = render_init(report)
    assert text.splitlines()[0] == (
        f"Bewertung angelegt in {folder}: 10 Zielobjekte (4 Anwendung, 3 Server, 3 Geschäftsprozess), "
        "9 Abhängigkeiten, 3 Zeilen mit festgestelltem Schutzbedarf.")
    assert "Nicht zugeordnete Spalten (nicht übernommen): Lizenzkosten" in text


def test_init_never_overwrites_an_assessment(tmp_path, haan):
    inventory = write_inventory(tmp_path / "anwendungen.xlsx")
    folder = tmp_path / "haan"
    shutil.copytree(haan, folder)
    before = {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}
    with pytest.raises(GrundschutzError, match="enthält bereits eine Bewertung .*init überschreibt nichts"):
        init_assessment(folder, inventory, MAPPING)
    assert {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()} == before


def test_init_into_an_existing_empty_folder(tmp_path):
    inventory = write_inventory(tmp_path / "anwendungen.xlsx")
    folder = tmp_path / "leer"
    folder.mkdir()
    init_assessment(folder, inventory, MAPPING)
    assert len(read_assessment(folder).objects) == 10


def test_a_mapping_that_does_not_fit_the_list_is_reported_in_full(tmp_path):
    inventory = write_inventory(tmp_path / "anwendungen.xlsx", headers=["Anwendung", *HEADERS[1:]])
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text("objects:\n  name: Fachanwendung\n  farbe: Blau\n  tags: {fach: Fachbereich}\n"
                       "related:\n  - {column: Server, type: rechner, direction: seitwärts}\n", encoding="utf-8")
    with pytest.raises(AssessmentError) as caught:
        init_assessment(tmp_path / "neu", inventory, mapping)
    messages = [str(p) for p in caught.value.problems]
    assert messages[0].startswith("mapping.yaml, Spalte 'objects.farbe': unbekannter Schlüssel")
    assert any(m.startswith("mapping.yaml, Spalte 'objects.name', Wert 'Fachanwendung': Spalte gibt es in "
                            "anwendungen.xlsx[Anwendungen] nicht (vorhanden: Anwendung, Beschreibung,") for m in messages)
    assert any("'related[1].type', Wert 'rechner': unbekannter Objekttyp" in m for m in messages)
    assert any("'related[1].direction', Wert 'seitwärts'" in m for m in messages)
    assert not (tmp_path / "neu").exists()


def test_duplicate_ids_are_errors_with_the_rows(tmp_path):
    inventory = write_inventory(tmp_path / "liste.xlsx", headers=["Nr", "Fachanwendung"],
                                rows=[["A1", "MESO"], ["A2", "AUTISTA"], ["A1", "PROSOZ"]], sheet="Tabelle1")
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text("objects:\n  id: Nr\n  name: Fachanwendung\n", encoding="utf-8")
    with pytest.raises(AssessmentError) as caught:
        init_assessment(tmp_path / "neu", inventory, mapping)
    assert [str(p) for p in caught.value.problems] == [
        "liste.xlsx[Tabelle1], Zeile 4, Spalte 'Nr', Wert 'A1': Kennung doppelt (bereits Zeile 2)"]


def test_a_csv_list_works_too(tmp_path):
    inventory = tmp_path / "liste.csv"
    inventory.write_text("Fachanwendung;Server\nMESO;SRV-1\nAUTISTA;SRV-1\n", encoding="utf-8")
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text("name: Probe\nobjects:\n  name: Fachanwendung\nrelated:\n  - {column: Server, type: server}\n",
                       encoding="utf-8")
    report = init_assessment(tmp_path / "neu", inventory, mapping)
    assert report.objects == {"application": 2, "server": 1} and report.dependencies == 2


def test_cli_init_then_export_and_import(tmp_path, shared_catalogs):
    from grundschutz.cli.excel import export, import_

    inventory = write_inventory(tmp_path / "anwendungen.xlsx")
    folder = tmp_path / "musterstadt"
    runner = CliRunner()
    result = runner.invoke(init, [str(folder), "--from", str(inventory), "--map", str(MAPPING)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"Bewertung angelegt in {folder}: 10 Zielobjekte")
    book = tmp_path / "musterstadt.xlsx"
    assert runner.invoke(export, [str(folder), str(book), "--catalogs", str(shared_catalogs)]).exit_code == 0
    again = runner.invoke(import_, [str(folder), str(book), "--catalogs", str(shared_catalogs)])
    assert again.exit_code == 0 and "Keine Änderungen" in again.output
    refused = runner.invoke(init, [str(folder), "--from", str(inventory), "--map", str(MAPPING)])
    assert refused.exit_code == 1 and "init überschreibt nichts" in refused.output
