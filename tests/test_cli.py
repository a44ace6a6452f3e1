"""The command line through click's CliRunner: output, formats, errors."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from grundschutz import read_assessment
from grundschutz.cli import main

SMALL = Path(__file__).parent / "data" / "small"


@pytest.fixture()
def run():
    runner = CliRunner()

    def invoke(*args: str):
        return runner.invoke(main, [str(a) for a in args])

    return invoke


def test_assess_csv_matches_the_hand_checked_golden_file(run):
    result = run("assess", SMALL, "--format", "csv")
    assert result.exit_code == 0, result.output
    assert result.output == (SMALL / "expected-needs.csv").read_text(encoding="utf-8")


def test_assess_csv_has_the_documented_columns(run):
    rows = list(csv.DictReader(io.StringIO(run("assess", SMALL, "-f", "csv").output)))
    assert {"object", "type", "name", "confidentiality", "integrity", "availability",
            "availability_rule", "availability_source"} <= set(rows[0])
    by_id = {r["object"]: r for r in rows}
    assert by_id["CL-1"]["availability"] == ""
    assert (by_id["SRV-1"]["availability"], by_id["SRV-1"]["availability_rule"]) == ("hoch", "cumulation")


def test_assess_table_summarises_in_german(run):
    result = run("assess", SMALL)
    assert result.exit_code == 0
    out = result.output
    for expected in (
        "14 Zielobjekte, 19 Abhängigkeiten",
        "Zyklen\n  DC-1 <-> DNS-1",
        "SRV-1       Verfügbarkeit  Verfügbarkeit Server  3 von 3 (mind. normal)  normal  hoch",
        "SRV-2       Verfügbarkeit  hoch             normal    APP-2",
        "NET-1       Vertraulichkeit  hoch            normal   Netz ist segmentiert",
        "Verfügbarkeit    2       APP-4, CL-1",
    ):
        assert expected in out


def test_assess_json(run):
    data = json.loads(run("assess", SMALL, "--format", "json").output)
    assert data["summary"]["cycles"] == [["DC-1", "DNS-1"]]
    assert data["summary"]["per_level"]["integrity"]["sehr hoch"] == 7
    assert len(data["objects"]) == 14


def test_explain_names_rule_source_path_and_reason(run):
    result = run("explain", SMALL, "DNS-1")
    assert result.exit_code == 0
    assert result.output.startswith("DNS-1 – DNS-Server (Server)\n\nVertraulichkeit: hoch\n")
    assert "  Herkunft: APP-1 (MESO) (festgestellt): Register mit Beweiskraft\n" in result.output
    assert "  Pfad: APP-1 → SRV-1 → DC-1 → DNS-1\n" in result.output
    assert "  Zyklus: DC-1 <-> DNS-1" in result.output


def test_explain_marks_a_deviation(run):
    out = run("explain", SMALL, "NET-1").output
    assert "Vertraulichkeit: normal\n  Regel: manuell gesetzt (Effekt: manual). Begründung: Netz ist segmentiert" in out
    assert "ABWEICHUNG vom Maximumprinzip" in out


def test_explain_unrated_is_open_work(run):
    out = run("explain", SMALL, "CL-1").output
    assert "Verfügbarkeit: nicht bewertet\n  Offene Arbeit:" in out


def test_explain_json_and_csv(run):
    records = json.loads(run("explain", SMALL, "SRV-2", "-f", "json").output)
    assert [r["rule"] for r in records] == ["maximum", "maximum", "distribution"]
    rows = list(csv.DictReader(io.StringIO(run("explain", SMALL, "SRV-2", "-f", "csv").output)))
    assert rows[2]["path"] == "GP-2;APP-2;SRV-2"


def test_explain_unknown_object(run):
    result = run("explain", SMALL, "SRV-99")
    assert result.exit_code == 1
    assert result.output == f"Fehler: Zielobjekt 'SRV-99' gibt es in {SMALL} nicht\n"


def test_validate(run, tmp_path, shared_catalogs, haan):
    first = ("Bewertung gültig: 14 Zielobjekte, 19 Abhängigkeiten, 14 festgestellte und "
             "1 manuell gesetzte Schutzbedarfswerte.\n")
    missing = tmp_path / "keine-kataloge"
    result = run("validate", SMALL, "--catalogs", missing)
    assert result.exit_code == 0
    # the first line as ever; then what was (not) checked against the catalog
    assert result.output == first + (
        f"Nicht gegen den Katalog geprüft: Katalog nicht installiert: Verzeichnis {missing} gibt es nicht. "
        "Installieren mit `grundschutz catalog install DIR` oder `grundschutz catalog download`.\n"
    )
    result = run("validate", SMALL, "--catalogs", shared_catalogs)
    assert result.exit_code == 0
    assert result.output == first + "Gegen den Katalog geprüft: Bausteine, Anforderungen und Gefährdungen.\n"
    # every optional file and scenario is read and counted
    result = run("validate", haan, "--catalogs", shared_catalogs)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("Bewertung gültig: ")
    assessment = read_assessment(haan)
    assert lines[1:] == [
        f"Außerdem geprüft: Modellierungsänderungen {len(assessment.modelling_changes)}, Check-Einträge "
        f"{len(assessment.check_records)}, Risikobewertungen {len(assessment.risk_records)}, Szenarien 4 "
        "(digitale-ratsarbeit, dms-erechnung, neue-serverlandschaft, teleheimarbeit).",
        "Gegen den Katalog geprüft: Bausteine, Anforderungen und Gefährdungen.",
    ]


def test_validate_checks_against_the_catalog_when_there_is_one(run, tmp_path, shared_catalogs):
    folder = tmp_path / "gefaehrdung"
    shutil.copytree(SMALL, folder)
    (folder / "risks.csv").write_text("object,threat,frequency,impact\nSRV-1,G 0.99,,\n", encoding="utf-8")
    result = run("validate", folder, "--catalogs", tmp_path / "keine-kataloge")
    assert result.exit_code == 0
    assert result.output.splitlines()[1] == "Außerdem geprüft: Risikobewertungen 1."
    result = run("validate", folder, "--catalogs", shared_catalogs)
    assert result.exit_code == 1
    assert result.output == (
        f"Fehler: 1 Fehler in {folder}:\n"
        "  risks.csv, Zeile 2, Spalte 'threat', Wert 'G 0.99': elementare Gefährdung gibt es im Kompendium nicht "
        "(G 0.1 bis G 0.47)\n"
    )


def test_invalid_assessment_gives_every_error_and_writes_nothing(run, tmp_path):
    folder = tmp_path / "kaputt"
    shutil.copytree(SMALL, folder)
    with (folder / "dependencies.csv").open("a", encoding="utf-8") as f:
        f.write("SRV-1,SRV-1,,\nAPP-1,GIBTS-NICHT,,\n")
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    for command in ("validate", "assess", "explain"):
        args = [command, folder] + (["SRV-1"] if command == "explain" else [])
        result = run(*args)
        assert result.exit_code == 1
        assert result.exception is None or isinstance(result.exception, SystemExit)
        assert result.output == (
            f"Fehler: 2 Fehler in {folder}:\n"
            "  dependencies.csv, Zeile 21, Spalte 'depends_on', Wert 'SRV-1': Objekt hängt von sich selbst ab\n"
            "  dependencies.csv, Zeile 22, Spalte 'depends_on', Wert 'GIBTS-NICHT': unbekannte Objekt-ID\n"
        )
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before


def test_help_and_module_entry_point():
    import subprocess
    import sys

    result = subprocess.run([sys.executable, "-m", "grundschutz", "--help"], capture_output=True, text=True)
    assert result.returncode == 0
    assert "Aufruf: grundschutz" in result.stdout
    for command in ("assess", "explain", "validate"):
        assert command in result.stdout


def test_the_process_entry_point_runs_the_command_with_fewer_collections_and_none_at_the_end(run):
    """``run()`` (console script and ``python -m``) gives what ``main`` gives; it raises the collection
    threshold and freezes what is alive at the end, so that the exit does not walk every object."""
    import subprocess
    import sys

    from grundschutz.cli.app import GC_THRESHOLD

    code = ("import atexit, gc, sys; from grundschutz.cli import run; "
            "atexit.register(lambda: print(gc.get_threshold()[0], gc.get_freeze_count() > 0, file=sys.stderr)); "
            "run(sys.argv[1:])")
    done = subprocess.run([sys.executable, "-c", code, "assess", str(SMALL), "-f", "csv"], capture_output=True,
                          text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout == run("assess", SMALL, "-f", "csv").output
    assert done.stderr.split() == [str(GC_THRESHOLD), "True"]
    failed = subprocess.run([sys.executable, "-m", "grundschutz", "assess", str(SMALL / "fehlt")],
                            capture_output=True, text=True)
    assert failed.returncode == 1 and failed.stderr.startswith("Fehler: ") and "nicht gefunden" in failed.stderr


def test_assess_counts_modelling_and_check_when_a_catalog_is_installed(run, haan, shared_catalogs):
    result = run("assess", haan, "--catalogs", shared_catalogs)
    assert result.exit_code == 0, result.output
    section = result.output.split("Modellierung und IT-Grundschutz-Check\n", 1)[1]
    assert section.startswith("  Variante: standard\n  Zielobjekte mit Bausteinen: ")
    assert "ohne passenden Baustein (Risikoanalyse nötig): CL-03" in section
    data = json.loads(run("assess", haan, "--catalogs", shared_catalogs, "-f", "json").output)
    levels = data["catalog"]["requirements"]
    assert levels["B"] > 0 and levels["S"] > levels["B"] and levels["H"] > 0
    assert sum(data["catalog"]["check"].values()) == sum(levels.values())


def test_assess_without_catalog_still_gives_the_schutzbedarf_and_says_how_to_install(run, tmp_path):
    result = run("assess", SMALL, "--catalogs", tmp_path / "keine-kataloge")
    assert result.exit_code == 0
    assert "Schutzbedarf nach Grundwert" in result.output
    assert result.output.rstrip().endswith(
        "Installieren mit `grundschutz catalog install DIR` oder `grundschutz catalog download`."
    )
