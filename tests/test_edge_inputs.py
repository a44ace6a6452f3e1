"""Inputs at the edges (issue 11, items 11, 12, 13a and 13b).

- Item 12: every valid assessment gives a report, also one without
  applications, with a single unrated object or with no object at all.
- Item 11: scenario names resolve only inside the assessment's
  ``scenarios/``; a missing assessment folder is an error.
- Item 13a: a CSV file in UTF-16 without byte order mark is named as UTF-16.
- Item 13b: ``diff <missing> <folder outside git>`` names the missing side.
"""

from __future__ import annotations

import shutil
import warnings
from pathlib import Path

import pytest
from click.testing import CliRunner

from grundschutz import AssessmentError, ScenarioError, read_assessment
from grundschutz.catalog import load_catalog
from grundschutz.cli import main
from grundschutz.io import decode_text
from grundschutz.method import analyse
from grundschutz.views.report import build_report

SMALL = Path(__file__).parent / "data" / "small"
SETTINGS = "name: Randfall\norganisation: Testgemeinde\n"


def run(*args: object):
    return CliRunner().invoke(main, [str(a) for a in args])


def make(folder: Path, objects: str, dependencies: str = "", needs: str = "") -> Path:
    folder.mkdir(parents=True)
    (folder / "assessment.yaml").write_text(SETTINGS, encoding="utf-8")
    (folder / "objects.csv").write_text("id,type,name,tags\n" + objects, encoding="utf-8")
    (folder / "dependencies.csv").write_text("object,depends_on\n" + dependencies, encoding="utf-8")
    (folder / "needs.csv").write_text("object,confidentiality,integrity,availability\n" + needs, encoding="utf-8")
    return folder


# --------------------------------------------------------------------------- item 12: a report for every assessment

SHAPES = {
    "ohne Anwendungen": ("SRV-1,server,Server,\nR-1,room,Serverraum,\n", "SRV-1,R-1\n", "SRV-1,hoch,normal,normal\n"),
    "ein Zielobjekt ohne Schutzbedarf": ("N-1,network,Netz,\n", "", ""),
    "nur ein atypisches Netz": ("N-1,network,Netz,atypisch\n", "", "N-1,sehr hoch,hoch,hoch\n"),
    "keine Zielobjekte": ("", "", ""),
}


@pytest.mark.parametrize("shape", list(SHAPES))
def test_every_valid_assessment_gives_a_report(tmp_path, shared_catalogs, shape):
    """Before: "keine Zielobjekte vom Typ application für die Heatmap", no report."""
    folder = make(tmp_path / "bewertung", *SHAPES[shape])
    analysis = analyse(read_assessment(folder), load_catalog(shared_catalogs))
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)  # no figure squeezed to nothing either
        page = build_report(analysis)
    assert "Die Bewertung enthält keine Anwendungen" in page
    assert 'id="abb-heatmap"' not in page


def test_the_report_command_without_applications(tmp_path, shared_catalogs):
    folder = make(tmp_path / "bewertung", *SHAPES["ohne Anwendungen"])
    target = tmp_path / "r.html"
    result = run("report", folder, "-o", target, "--catalogs", shared_catalogs)
    assert result.exit_code == 0, result.output
    assert "Die Bewertung enthält keine Anwendungen" in target.read_text(encoding="utf-8")
    heatmap = run("plot", folder, "heatmap", "-o", tmp_path / "h.png")  # the figure alone has nothing to show
    assert heatmap.exit_code == 1 and "keine Zielobjekte vom Typ application" in heatmap.output
    assert not (tmp_path / "h.png").exists()


# --------------------------------------------------------------------------- item 11: scenario names


@pytest.fixture()
def with_outside_scenario(tmp_path, haan) -> Path:
    """A copy of Haan, and next to it (outside scenarios/) a valid scenario that must never be read."""
    folder = tmp_path / "haan"
    shutil.copytree(haan, folder)
    evil = (folder / "scenarios" / "teleheimarbeit.yaml").read_text(encoding="utf-8").replace(
        "name: teleheimarbeit", "name: draussen\ndescription: AUSSERHALB GELESEN", 1)
    (tmp_path / "draussen.yaml").write_text(evil, encoding="utf-8")
    (folder / "draussen.yaml").write_text(evil, encoding="utf-8")
    return folder


@pytest.mark.parametrize("name", ["../draussen", "../../draussen.yaml", "{outside}", "./../draussen", "..", ""])
def test_a_scenario_name_with_a_path_is_refused(with_outside_scenario, shared_catalogs, name):
    folder = with_outside_scenario
    name = name.format(outside=folder.parent / "draussen.yaml")
    result = run("scenario", folder, name, "--catalogs", shared_catalogs)
    assert result.exit_code == 1
    assert "AUSSERHALB" not in result.output
    assert "Szenario nur mit seinem Namen angeben, ohne Ordner" in result.output
    assert "vorhanden: digitale-ratsarbeit, dms-erechnung, neue-serverlandschaft, teleheimarbeit" in result.output
    with pytest.raises(ScenarioError):
        read_assessment(folder).scenario(name)


def test_plot_takes_scenario_names_only_from_scenarios(with_outside_scenario, shared_catalogs, tmp_path):
    result = run("plot", with_outside_scenario, "scenario", "--scenario", "../draussen", "-o", tmp_path / "s.png",
                 "--catalogs", shared_catalogs)
    assert result.exit_code == 1 and "ohne Ordner" in result.output
    assert not (tmp_path / "s.png").exists()


@pytest.mark.parametrize("args", [["scenario", "{missing}"], ["scenario", "{missing}", "teleheimarbeit"],
                                  ["validate", "{missing}"], ["report", "{missing}", "-o", "{out}"],
                                  ["plot", "{missing}", "graph", "-o", "{out}.png"]])
def test_a_missing_assessment_folder_is_an_error(tmp_path, shared_catalogs, args):
    missing, out = tmp_path / "gibt-es-nicht", tmp_path / "r.html"
    result = run(*[a.format(missing=missing, out=out) for a in args], "--catalogs", shared_catalogs)
    assert result.exit_code == 1
    assert f"{missing}: Bewertungsordner oder Arbeitsmappe nicht gefunden" in result.output
    assert list(tmp_path.iterdir()) == []


# --------------------------------------------------------------------------- item 13a: UTF-16 without BOM


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_without_bom_is_named_as_utf16(encoding):
    """Before: little endian with an umlaut was diagnosed as Windows-1252, plain ASCII as control characters."""
    for text in ("id;type;name\nAPP-1;application;Straßenverkehr\n", "id;type;name\nAPP-1;application;MESO\n"):
        with pytest.raises(AssessmentError) as caught:
            decode_text(text.encode(encoding), "objects.csv")
        assert str(caught.value.problems[0]) == (
            "objects.csv: Datei ist UTF-16-kodiert. Bitte als 'CSV UTF-8' speichern.")


def test_utf16_without_bom_in_a_folder(folder):
    text = (folder / "objects.csv").read_text(encoding="utf-8")
    (folder / "objects.csv").write_bytes(text.encode("utf-16-le"))
    with pytest.raises(AssessmentError) as caught:
        read_assessment(folder)
    assert [str(p) for p in caught.value.problems if p.file == "objects.csv"] == [
        "objects.csv: Datei ist UTF-16-kodiert. Bitte als 'CSV UTF-8' speichern."]


def test_utf8_and_windows_1252_are_still_told_apart():
    assert decode_text("id;name\nA;Straße\n".encode("utf-8"), "x.csv") == "id;name\nA;Straße\n"
    with pytest.raises(AssessmentError, match="vermutlich Windows-1252"):
        decode_text("id;name\nA;Straße\n".encode("cp1252"), "x.csv")


# --------------------------------------------------------------------------- item 13b: diff names the right side


def test_diff_names_the_missing_side(tmp_path, shared_catalogs):
    """Before: ``diff <missing> <folder outside git>`` said "<folder> liegt nicht in einem Git-Repository"."""
    outside = tmp_path / "ohne-git"
    shutil.copytree(SMALL, outside)
    missing = tmp_path / "tippfehler"
    for args in ([missing, outside], [outside, missing]):
        result = run("diff", *args, "--catalogs", shared_catalogs)
        assert result.exit_code == 1
        assert f"'{missing}' ist weder ein Bewertungsordner noch eine Git-Revision " \
               f"({outside} liegt nicht in einem Git-Repository)" in result.output
