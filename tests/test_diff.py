"""Differences between two states of an assessment: folders and git revisions."""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import analysed

from grundschutz import BasicValue, GrundschutzError, Level
from grundschutz.catalog import load_catalog, read_krt
from grundschutz.cli import main
from grundschutz.io.revisions import resolve_folder
from grundschutz.method.diff import FieldChange, diff_assessments, natural_key
from grundschutz.views.diff_tables import diff_frame, diff_records

KRT = "sarnold0322_BSI-Grundschutz-Tools/xlsx/krt2023_Excel.xlsx"
NEEDS_HEADER = ("object,confidentiality,integrity,availability,confidentiality_reason,integrity_reason,"
                "availability_reason,effect\n")


def diff_paths(old, new, catalogs):
    """The differences between the states ``old`` and ``new`` (folders, ``REV:FOLDER`` or a bare revision),
    composed as ``grundschutz diff OLD NEW`` does: export git revisions, analyse each side, compare."""
    with tempfile.TemporaryDirectory(prefix="grundschutz-diff-test-") as tmp:
        sides = []
        for index, (spec, other) in enumerate(((str(old), str(new)), (str(new), str(old)))):
            folder, label = resolve_folder(spec, other, Path(tmp) / str(index))
            sides.append((analysed(folder, catalogs), label))
        (before, old_label), (after, new_label) = sides
        return diff_assessments(before, after, old_label, new_label)


def diff_command(args: list[str]):
    """``grundschutz diff ARGS`` through the CLI entry point."""
    return CliRunner().invoke(main, ["diff", *args])


def write(folder: Path, *, objects: str, dependencies: str, needs: str, check: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "assessment.yaml").write_text("name: Klein\nedition: kompendium-2023\n", encoding="utf-8")
    (folder / "objects.csv").write_text("id,type,name,description,tags,count\n" + objects, encoding="utf-8")
    (folder / "dependencies.csv").write_text("object,depends_on,redundancy_group,note\n" + dependencies,
                                             encoding="utf-8")
    (folder / "needs.csv").write_text(NEEDS_HEADER + needs, encoding="utf-8")
    (folder / "check.csv").write_text("object,requirement,status,note,responsible,due,checked_on\n" + check,
                                      encoding="utf-8")
    return folder


def old_state(folder: Path) -> Path:
    return write(
        folder,
        objects="APP-H,application,Sozialakte,,,\nAPP-N,application,Bauakte,,,\nAPP-R,application,Bücherei,,,\n"
                "SRV-1,server,Anwendungsserver,,os=linux,\n",
        dependencies="APP-H,SRV-1,,\nAPP-N,SRV-1,,\nAPP-R,SRV-1,,\n",
        needs="APP-H,hoch,normal,normal,Sozialdaten,,,\nAPP-N,normal,normal,normal,,,,\n"
              "APP-R,normal,normal,normal,,,,\n",
        check="SRV-1,SYS.1.1.A1,nein,,,,\nAPP-N,APP.6.A1,teilweise,,,,\n",
    )


def new_state(folder: Path) -> Path:
    """The hand-made changes: PRN-1 added, APP-R removed, SRV-1 renamed and
    counted twice, APP-N hoch in confidentiality, SYS.1.1.A1 of SRV-1 done."""
    return write(
        folder,
        objects="APP-H,application,Sozialakte,,,\nAPP-N,application,Bauakte,,,\n"
                "SRV-1,server,Linux-Server,,os=linux,2\nPRN-1,printer,Drucker Bauamt,,,\n",
        dependencies="APP-H,SRV-1,,\nAPP-N,SRV-1,,\nAPP-N,PRN-1,,Planausgabe\n",
        needs="APP-H,hoch,normal,normal,Sozialdaten,,,\nAPP-N,hoch,normal,normal,Bauherrendaten,,,\n",
        check="SRV-1,SYS.1.1.A1,ja,Härtung abgeschlossen,,,\nAPP-N,APP.6.A1,teilweise,,,,\n",
    )


@pytest.fixture(scope="module")
def states(tmp_path_factory):
    root = tmp_path_factory.mktemp("diff")
    return old_state(root / "alt"), new_state(root / "neu")


@pytest.fixture(scope="module")
def expected_requirements(shared_catalogs):
    """Requirements by hand from the Kompendium and the KRT: (added, dropped)."""
    kompendium = load_catalog(shared_catalogs).kompendium
    krt = read_krt(shared_catalogs / KRT)

    def hoch_c(baustein: str) -> set[str]:
        return {r.id for r in kompendium.requirements_of(baustein, include_withdrawn=False)
                if r.level in "BS" or "C" in krt.cia[r.id]}

    def normal(baustein: str) -> set[str]:
        return {r.id for r in kompendium.requirements_of(baustein, include_withdrawn=False) if r.level in "BS"}

    added = {("PRN-1", r) for r in hoch_c("SYS.4.1")} | {("APP-N", r) for r in hoch_c("APP.6") - normal("APP.6")}
    dropped = {("APP-R", r) for r in normal("APP.6")}
    return added, dropped


def test_diff_of_two_folders(states, shared_catalogs, expected_requirements):
    old, new = states
    result = diff_paths(old, new, shared_catalogs)
    assert (result.old_label, result.new_label) == (str(old), str(new))
    assert [o.id for o in result.objects_added] == ["PRN-1"]
    assert [o.id for o in result.objects_removed] == ["APP-R"]
    assert list(result.objects_changed) == [
        FieldChange("SRV-1", "name", "Anwendungsserver", "Linux-Server"),
        FieldChange("SRV-1", "count", "1", "2"),
    ]
    assert [(d.source, d.target, d.note) for d in result.dependencies_added] == [("APP-N", "PRN-1", "Planausgabe")]
    assert [(d.source, d.target) for d in result.dependencies_removed] == [("APP-R", "SRV-1")]
    assert [(n.object, n.basic_value, n.old, n.new) for n in result.needs_changed] == [
        ("APP-N", BasicValue.CONFIDENTIALITY, Level.NORMAL, Level.HOCH)]
    assert result.needs_changed[0].explanation == ("Regel: festgestellt für dieses Zielobjekt. "
                                                   "Begründung: Bauherrendaten")
    assert [b[:2] for b in result.bausteine_added] == [("PRN-1", "SYS.4.1")]
    assert [b[:2] for b in result.bausteine_dropped] == [("APP-R", "APP.6")]
    added, dropped = expected_requirements
    assert {r[:2] for r in result.requirements_added} == added
    assert {r[:2] for r in result.requirements_dropped} == dropped
    # in natural id order: APP-N before PRN-1, SYS.4.1.A3 before SYS.4.1.A12
    assert [r[:2] for r in result.requirements_added] == sorted(added, key=lambda p: (natural_key(p[0]),
                                                                                      natural_key(p[1])))
    assert [(s.object, s.requirement, s.old, s.new, s.note) for s in result.status_changes] == [
        ("SRV-1", "SYS.1.1.A1", "nein", "ja", "Härtung abgeschlossen")]


def test_diff_records_and_frame(states, shared_catalogs):
    result = diff_paths(*states, shared_catalogs)
    records = diff_records(result)
    kinds = [r["kind"] for r in records]
    assert kinds == sorted(kinds, key=["Zielobjekt", "Abhängigkeit", "Schutzbedarf", "Baustein", "Anforderung",
                                       "Check"].index)
    assert records[0] == {"kind": "Zielobjekt", "change": "hinzugefügt", "object": "PRN-1", "item": "printer",
                          "title": "Drucker Bauamt", "old": "", "new": "1", "detail": ""}
    assert {"kind": "Check", "change": "geändert", "object": "SRV-1", "item": "SYS.1.1.A1",
            "title": records[-1]["title"], "old": "nein", "new": "ja", "detail": "Härtung abgeschlossen"} == records[-1]
    frame = diff_frame(result)
    assert len(frame) == len(records)
    assert list(frame.columns) == ["kind", "change", "object", "item", "title", "old", "new", "detail"]


def test_without_catalog_only_the_structure(states):
    old, new = (analysed(p) for p in states)
    result = diff_assessments(old, new, "alt", "neu")
    assert [o.id for o in result.objects_added] == ["PRN-1"]
    assert not result.bausteine_added and not result.requirements_added and not result.status_changes


def test_same_state_is_empty(states, shared_catalogs):
    result = diff_paths(states[0], states[0], shared_catalogs)
    assert result.empty
    out = diff_command([str(states[0]), str(states[0]), "--catalogs", str(shared_catalogs)])
    assert out.output == f"Unterschiede: {states[0]} → {states[0]}\n  keine Unterschiede\n"


# --------------------------------------------------------------------------- git revisions


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), "-c", "user.name=Test", "-c", "user.email=test@example.org", *args],
                   check=True, capture_output=True)


@pytest.fixture()
def repo(tmp_path):
    """A git repository with the old state committed and the new state in the working tree."""
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q")
    folder = old_state(root / "assessments" / "klein")
    (folder / "scenarios").mkdir()
    (folder / "scenarios" / "x.yaml").write_text("applications: [APP-N]\n", encoding="utf-8")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "alt")
    shutil.rmtree(folder)
    new_state(folder)
    return root, folder


def test_diff_against_a_git_revision(repo, shared_catalogs, monkeypatch):
    root, folder = repo
    monkeypatch.chdir(root)
    result = diff_paths("HEAD:assessments/klein", "assessments/klein", shared_catalogs)
    assert (result.old_label, result.new_label) == ("HEAD:assessments/klein", "assessments/klein")
    assert [o.id for o in result.objects_added] == ["PRN-1"]
    assert [(s.requirement, s.old, s.new) for s in result.status_changes] == [("SYS.1.1.A1", "nein", "ja")]
    # a bare revision means that revision of the folder on the other side
    bare = diff_paths("HEAD", folder, shared_catalogs)
    assert bare.old_label == "HEAD:assessments/klein"
    assert bare.objects_changed == result.objects_changed
    # after committing, the two revisions differ in the same way
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "neu")
    both = diff_paths("HEAD~1:assessments/klein", "HEAD:assessments/klein", shared_catalogs)
    assert both.requirements_added == result.requirements_added
    assert diff_paths("HEAD", folder, shared_catalogs).empty


def test_git_errors(repo, tmp_path, shared_catalogs, monkeypatch):
    root, folder = repo
    monkeypatch.chdir(root)
    with pytest.raises(GrundschutzError) as caught:
        diff_paths("v9.9:assessments/klein", folder, shared_catalogs)
    assert str(caught.value) == f"Git-Revision 'v9.9' ist unbekannt (in {root})"
    with pytest.raises(GrundschutzError) as caught:
        diff_paths("assessments/kleinx", folder, shared_catalogs)
    assert str(caught.value) == (f"'assessments/kleinx' ist weder ein Bewertungsordner noch eine bekannte "
                                 f"Git-Revision (in {root})")
    with pytest.raises(GrundschutzError) as caught:
        diff_paths("HEAD:assessments/gross", folder, shared_catalogs)
    assert str(caught.value) == "Ordner 'assessments/gross' gibt es in Revision 'HEAD' nicht"
    outside = old_state(tmp_path / "ohne-git")
    with pytest.raises(GrundschutzError) as caught:
        diff_paths("HEAD", outside, shared_catalogs)
    assert str(caught.value) == (f"'HEAD' ist weder ein Bewertungsordner noch eine Git-Revision "
                                 f"({outside} liegt nicht in einem Git-Repository)")
    with pytest.raises(GrundschutzError) as caught:
        diff_paths("alt", "neu", shared_catalogs)
    assert str(caught.value) == (
        "'alt' ist weder ein Bewertungsordner noch eine Git-Revision eines Ordners (Formen: ORDNER, "
        "REVISION:ORDNER, oder REVISION zusammen mit einem ORDNER auf der anderen Seite)")


# --------------------------------------------------------------------------- the command


def test_command_table(states, shared_catalogs):
    out = diff_command([str(states[0]), str(states[1]), "--catalogs", str(shared_catalogs)])
    assert out.exit_code == 0, out.output
    text = out.output
    assert text.startswith(f"Unterschiede: {states[0]} → {states[1]}\n")
    sections = ["Zielobjekte hinzugefügt", "Zielobjekte entfernt", "Zielobjekte geändert",
                "Abhängigkeiten hinzugefügt", "Abhängigkeiten entfernt", "Schutzbedarf geändert",
                "Bausteine hinzugefügt", "Bausteine entfallen", "Anforderungen hinzugefügt",
                "Anforderungen entfallen", "Statusänderungen im IT-Grundschutz-Check"]
    assert [text.index("\n" + s + "\n") for s in sections] == sorted(text.index("\n" + s + "\n") for s in sections)
    assert "  APP-N Vertraulichkeit: normal → hoch\n    Regel: festgestellt für dieses Zielobjekt." in text
    assert "  SRV-1       SYS.1.1.A1   nein  ja   Härtung abgeschlossen" in text


def test_command_json_csv_and_errors(repo, shared_catalogs, monkeypatch):
    root, folder = repo
    monkeypatch.chdir(root)
    args = ["HEAD", "assessments/klein", "--catalogs", str(shared_catalogs), "--format"]
    data = json.loads(diff_command([*args, "json"]).output)
    assert (data["old"], data["new"]) == ("HEAD:assessments/klein", "assessments/klein")
    assert data["differences"][0]["object"] == "PRN-1"
    csv = diff_command([*args, "csv"]).output.splitlines()
    assert csv[0] == "kind,change,object,item,title,old,new,detail"
    assert csv[1] == "Zielobjekt,hinzugefügt,PRN-1,printer,Drucker Bauamt,,1,"
    out = diff_command(["v9.9", "assessments/klein"])
    assert out.exit_code == 1
    assert out.output == f"Fehler: 'v9.9' ist weder ein Bewertungsordner noch eine bekannte Git-Revision (in {root})\n"
