"""``grundschutz catalog`` through CliRunner, on the official files."""

from __future__ import annotations

import json

from click.testing import CliRunner

from grundschutz.cli.app import main


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_show_requirement_with_krt_letters_and_threats(shared_catalogs):
    result = run("catalog", "show", "APP.1.1.A15", "--catalogs", shared_catalogs)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "APP.1.1.A15 Einsatz von Verschlüsselung und Digitalen Signaturen"
    assert lines[1] == "Baustein APP.1.1, erhöhter Schutzbedarf"
    assert lines[2] == "Grundwerte (KRT): CI"
    assert "G 0.19 Offenlegung schützenswerter Informationen" in lines[3]


def test_show_baustein_lists_its_requirements(shared_catalogs):
    result = run("catalog", "show", "APP.1.1", "--catalogs", shared_catalogs, "-f", "json")
    data = json.loads(result.output)
    assert data["title"] == "Office-Produkte"
    ids = [r["id"] for r in data["requirements"]]
    assert "APP.1.1.A15" in ids and len(ids) == len(set(ids))


def test_show_unknown_id_is_a_clean_error(shared_catalogs):
    result = run("catalog", "show", "APP.9.9", "--catalogs", shared_catalogs)
    assert result.exit_code == 1
    assert result.output.startswith("Fehler: ") and "APP.9.9" in result.output


def test_search_finds_by_title_words(shared_catalogs):
    result = run("catalog", "search", "Verschlüsselung digitale Signaturen", "--catalogs", shared_catalogs)
    assert result.exit_code == 0
    assert result.output.splitlines()[2].startswith("APP.1.1.A15  Anforderung")


def test_without_catalog_the_command_says_how_to_install(tmp_path):
    result = run("catalog", "show", "APP.1.1", "--catalogs", tmp_path / "leer")
    assert result.exit_code == 1
    assert "grundschutz catalog install" in result.output


def test_install_and_status(shared_catalogs, tmp_path):
    target = tmp_path / "kataloge"
    result = run("catalog", "install", shared_catalogs, "--catalogs", target)
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"Katalogverzeichnis: {target}\ninstalliert (")
    status = run("catalog", "status", "--catalogs", target, "-f", "json")
    assert {r["status"] for r in json.loads(status.output)} == {"in Ordnung"}
