"""The work plan (Realisierungsplan): order, reasons, scenarios, Grundschutz++ hook, CLI."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import analysed

from grundschutz import AssessmentError, read_assessment
from grundschutz.cli import main
from grundschutz.method.plan import GROUPS, role_of, work_plan
from grundschutz.views.plan_tables import plan_frame, plan_records

OBJECTS = """id,type,name,description,tags,count
GP-1,process,Meldewesen,,,
APP-1,application,Fachverfahren,,,
APP-S,application,Register,,,
APP-U1,application,Neues Verfahren,,,
APP-U2,application,Heimarbeitsportal,,,
APP-U3,application,Geplantes DMS,,,
SRV-1,server,Anwendungsserver,,os=linux,
SRV-2,server,Projektserver,,os=linux,
CL-P,client,Signaturtablett,,peripherie,
"""
DEPENDENCIES = """object,depends_on,redundancy_group,note
GP-1,APP-1,,
APP-1,SRV-1,,
APP-S,SRV-1,,
APP-U1,SRV-1,,
APP-U1,SRV-2,,
APP-U2,SRV-2,,
"""
NEEDS = """object,confidentiality,integrity,availability
GP-1,hoch,normal,normal
APP-1,normal,normal,normal
APP-S,normal,sehr hoch,normal
CL-P,normal,normal,normal
"""
RISKS = """object,threat,title,frequency,impact,treatment,note,accepted_by,residual_frequency,residual_impact
APP-S,G 0.28,,häufig,beträchtlich,,,,,
SRV-1,G 0.39,,häufig,existenzbedrohend,,,,,
SRV-1,G 0.8,,selten,begrenzt,,,,,
"""
NOT_FOUND = ("Schutzbedarf nicht festgestellt (Vertraulichkeit, Integrität, Verfügbarkeit); ")


def make(folder: Path, scenario: str | None = None, risks: str | None = RISKS, check: str | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in (("assessment.yaml", "name: Plan\n"), ("objects.csv", OBJECTS),
                       ("dependencies.csv", DEPENDENCIES), ("needs.csv", NEEDS), ("risks.csv", risks),
                       ("check.csv", check)):
        if text is not None:
            (folder / name).write_text(text, encoding="utf-8")
    if scenario is not None:
        (folder / "scenarios").mkdir(exist_ok=True)
        (folder / "scenarios" / "homeoffice.yaml").write_text(scenario, encoding="utf-8")
    return folder


#: A scenario about an existing application and one it adds (NEU-1 is not in the baseline).
HOMEOFFICE = ("name: Homeoffice\napplications: [APP-U2, NEU-1]\n"
              "add:\n  objects:\n    - {id: NEU-1, type: application, name: Neue Anwendung}\n")


@pytest.fixture()
def small(tmp_path, shared_catalogs):
    return analysed(make(tmp_path / "p", HOMEOFFICE), shared_catalogs)


@pytest.fixture(scope="module")
def haan_plan(haan_analysis):
    return haan_analysis.plan


def _undecided(analysis, object_id: str) -> int:
    return sum(1 for u in analysis.selection.undecided if u.object == object_id)


# --------------------------------------------------------------------------- order


def test_groups_come_in_order_and_ranks_count_up(small, haan_plan):
    for result in (small.plan, haan_plan):
        assert [i.rank for i in result] == list(range(1, len(result) + 1))
        groups = [i.group for i in result]
        assert groups == sorted(groups)
        assert {i.group_title for i in result} <= set(GROUPS.values())


def test_unrated_applications_first_scenario_then_weight(small):
    result = small.plan
    assert result.scenarios == {"homeoffice": ("APP-U2", "NEU-1")}
    first = result.group(1)
    assert [i.object for i in first] == ["APP-U2", "APP-U1", "APP-U3", "SRV-2"]
    assert [i.rank for i in first] == [1, 2, 3, 4]
    assert first[0].reason == (
        NOT_FOUND + "Szenario 'homeoffice' braucht die Anwendung; die Bewertung fließt in 1 Zielobjekt, das davon "
        f"genutzt wird (SRV-2); kein Zielobjekt hängt davon ab; {_undecided(small, 'APP-U2')} H-Anforderung bleibt "
        "bis dahin unentschieden.")
    assert first[1].reason == (
        NOT_FOUND + "die Bewertung fließt in 2 Zielobjekte, die davon genutzt werden (SRV-1, SRV-2); kein Zielobjekt "
        "hängt davon ab; 1 H-Anforderung bleibt bis dahin unentschieden.")
    assert first[3].reason.endswith("2 Zielobjekte hängen davon ab (APP-U1, APP-U2); "
                                    f"{_undecided(small, 'SRV-2')} H-Anforderungen bleiben bis dahin unentschieden; "
                                    "kein bewertetes Objekt hängt davon ab: Abhängigkeiten prüfen oder direkt "
                                    "feststellen.")
    assert (first[0].title, first[0].kind, first[0].need) == (
        "Schutzbedarf feststellen: Vertraulichkeit, Integrität, Verfügbarkeit", "schutzbedarf", "nicht bewertet")


def test_several_scenarios_are_named(small):
    result = work_plan(small, scenarios={"homeoffice": ("APP-U2",), "dms": ("APP-U2", "APP-U3")})
    assert [i.object for i in result.group(1)] == ["APP-U2", "APP-U3", "APP-U1", "SRV-2"]
    assert "; Szenarien 'homeoffice', 'dms' brauchen die Anwendung; " in result.group(1)[0].reason
    assert "; Szenario 'dms' braucht die Anwendung; " in result.group(1)[1].reason


def test_without_scenario_the_weight_decides(small):
    result = work_plan(small, scenarios={})
    assert [i.object for i in result.group(1)] == ["APP-U1", "APP-U2", "APP-U3", "SRV-2"]
    assert "Szenario" not in result.group(1)[1].reason


def test_pressing_risk_analyses_then_treatments_then_requirements_then_the_rest(small):
    result = small.plan
    assert [i.object for i in result.group(2)] == ["SRV-1", "APP-S", "CL-P"]
    srv = result.group(2)[0]
    assert srv.title == f"Risikoanalyse: {len(small.risks['SRV-1'].risks) - 2} von " \
                        f"{len(small.risks['SRV-1'].risks)} Gefährdungen bewerten"
    assert srv.reason == (
        "Schutzbedarf sehr hoch in Integrität: Risikoanalyse immer erforderlich; Schutzbedarf hoch in "
        "Vertraulichkeit; Vorrang vor den Anforderungen: bei sehr hohem Schutzbedarf genügen die Anforderungen des "
        "Kompendiums nicht (BSI 200-3); 3 Zielobjekte hängen direkt davon ab.")
    assert result.group(2)[2].reason == (
        "kein passender Baustein in der Modellierung; Vorrang vor den Anforderungen: ohne Baustein gibt es keine "
        "Anforderungen, die das Zielobjekt absichern; kein Zielobjekt hängt direkt davon ab.")
    assert result.group(2)[2].title == ("Risikoanalyse: 47 von 47 vorgeschlagenen elementaren Gefährdungen "
                                        "bewerten oder als nicht relevant ausschließen")
    treatments = result.group(3)
    assert [(i.object, i.subject) for i in treatments] == [("SRV-1", "G 0.39"), ("APP-S", "G 0.28")]
    assert treatments[0].title == "Risiko behandeln: G 0.39 Schadprogramme"
    assert treatments[0].reason == (
        "Risiko sehr hoch (Häufigkeit häufig, Auswirkung existenzbedrohend) ohne Behandlung; hohe und sehr hohe "
        "Risiken verlangen eine Entscheidung: vermeiden, reduzieren (mit zusätzlichen Maßnahmen), transferieren oder "
        "akzeptieren (mit Begründung, durch die Leitung).")
    last = result.group(5)
    assert [i.object for i in last] == ["APP-1"]
    assert last[0].reason == (
        "Schutzbedarf hoch in Vertraulichkeit; nach den Anforderungen: bei hohem Schutzbedarf decken die "
        "H-Anforderungen einen Teil ab, die Risikoanalyse prüft, ob das reicht; 1 Zielobjekt hängt direkt davon ab.")


def _requirement_keys(result, analysis):
    from grundschutz.model import Level

    ranks = {None: 0, **{level: int(level) for level in Level}}
    keys = []
    for item in result.group(4):
        needs = analysis.selection.needs[item.object].values()
        need = max((v for v in needs if v is not None), default=None)
        keys.append(("BSH".index(item.level), -ranks[need], (item.role == "", item.role.casefold())))
    return keys


def test_requirements_b_before_s_before_h_then_need_then_role(small, haan_analysis, haan_plan):
    for result, analysis in ((small.plan, small), (haan_plan, haan_analysis)):
        keys = _requirement_keys(result, analysis)
        assert keys == sorted(keys)
        assert [k[0] for k in keys].count(0) > 0 and [k[0] for k in keys].count(2) > 0
        for item in result.group(4):
            assert item.role == role_of(analysis.kompendium, item.subject)


def test_requirement_reason_text(small):
    item = next(i for i in small.plan.group(4) if i.object == "APP-S" and i.level == "S")
    assert item.reason == (f"Standard-Anforderung (B vor S vor H); Schutzbedarf von APP-S sehr hoch; zuständig laut "
                           f"Kompendium: {item.role}; Status unbearbeitet.")
    assert item.title == small.kompendium.requirement(item.subject).title


def test_implemented_requirements_are_not_in_the_plan(tmp_path, shared_catalogs):
    base = analysed(make(tmp_path / "a"), shared_catalogs)
    first, second, third = [r.requirement for r in base.selection.for_object("APP-1")][:3]
    check = (f"object,requirement,status,note\nAPP-1,{first},ja,\nAPP-1,{second},entbehrlich,Nicht im Einsatz\n"
             f"APP-1,{third},teilweise,\n")
    analysis = analysed(make(tmp_path / "b", check=check), shared_catalogs)
    subjects = {(i.object, i.subject): i for i in analysis.plan.group(4)}
    assert ("APP-1", first) not in subjects and ("APP-1", second) not in subjects
    assert subjects[("APP-1", third)].status == "teilweise"
    assert len(subjects) == sum(not e.status.implemented for e in analysis.check.entries)


def test_grundschutz_plus_plus_normal_sdt_before_erhoeht_then_need_then_effort(tmp_path, shared_catalogs):
    folder = make(tmp_path / "gspp", risks=None)
    (folder / "assessment.yaml").write_text("name: Plan\nedition: grundschutz++\n", encoding="utf-8")
    analysis = analysed(folder, shared_catalogs)
    efforts = analysis.selection.effort_levels
    result = work_plan(analysis, scenarios={})
    items = result.group(4)
    assert {i.level for i in items} == {"normal-SdT", "erhöht"}
    keys = []
    for item in items:
        need = max((int(v) for v in analysis.selection.needs[item.object].values() if v is not None), default=0)
        keys.append(({"normal-SdT": 0, "erhöht": 1}[item.level], -need, efforts[item.subject]))
    assert keys == sorted(keys)
    assert len({k[2] for k in keys}) > 1  # the effort levels differ, so the order is tested
    first = items[0]
    assert first.role == ""
    assert first.reason == (f"Control normal-SdT (normal-SdT vor erhöht); Schutzbedarf von {first.object} "
                            f"{first.need}; zuständig: keine Rolle im Grundschutz++-Katalog; Aufwand "
                            f"{efforts[first.subject]} (effort_level, niedriger Aufwand zuerst); Status unbearbeitet.")
    assert [i.object for i in result.group(2)] == ["SRV-1", "APP-S", "CL-P"]
    # Grundschutz++ Methodik GC.7.2: hoch flags a risk consideration too, business processes included
    assert [i.object for i in result.group(5)] == ["APP-1", "GP-1"]


# --------------------------------------------------------------------------- scenarios


def test_plan_needs_the_catalog(tmp_path):
    from grundschutz import GrundschutzError

    with pytest.raises(GrundschutzError, match="Der Arbeitsplan braucht den Katalog"):
        analysed(make(tmp_path / "ohne")).plan


def _applications(folder: Path) -> dict[str, tuple[str, ...]]:
    return {name: s.applications for name, s in read_assessment(folder).scenarios.items()}


def test_scenario_files(tmp_path):
    folder = make(tmp_path / "s", "applications:\n  - APP-U1\n  - APP-S\n")
    assert _applications(folder) == {"homeoffice": ("APP-U1", "APP-S")}
    assert _applications(make(tmp_path / "ohne")) == {}
    # by design a scenario without applications is an error of the assessment (read_assessment), not a note
    (folder / "scenarios" / "leer.yaml").write_text("name: leer\napplications: []\n", encoding="utf-8")
    with pytest.raises(AssessmentError) as info:
        read_assessment(folder)
    assert [str(p) for p in info.value.problems] == [
        "scenarios/leer.yaml, Zeile 1, Spalte 'applications': Angabe fehlt: mindestens eine Anwendung, um die es im "
        "Szenario geht"]


def test_a_broken_scenario_file_stops_reading_with_its_problems(tmp_path, shared_catalogs):
    # by design (no longer a note of the plan): read_assessment, and so every command, fails with file and line
    folder = make(tmp_path / "bad", "name: x\napplications: [APP-U2\n")
    (folder / "scenarios" / "gut.yaml").write_text("applications: [APP-U3]\n", encoding="utf-8")
    message = ("scenarios/homeoffice.yaml: YAML fehlerhaft (Zeile 3, Spalte 1): Liste in [ ] nicht geschlossen")
    with pytest.raises(AssessmentError) as info:
        read_assessment(folder)
    assert [str(p) for p in info.value.problems] == [message]
    assert (info.value.problems[0].file, info.value.problems[0].row) == ("scenarios/homeoffice.yaml", None)
    assert str(info.value) == f"1 Fehler in {folder}:\n  {message}"
    (folder / "scenarios" / "homeoffice.yaml").unlink()
    result = analysed(folder, shared_catalogs).plan
    assert [i.object for i in result.group(1)] == ["APP-U3", "APP-U1", "APP-U2", "SRV-2"]


# --------------------------------------------------------------------------- worked example


def test_haan_plan_figures(haan_analysis, haan_plan):
    assert haan_plan.counts() == {"Schutzbedarf feststellen": 3, "Risikoanalyse (vorrangig)": 78,
                                  "Risiko behandeln": 2, "Anforderung umsetzen": 4682, "Risikoanalyse": 100}
    assert [i.object for i in work_plan(haan_analysis, scenarios={}).group(1)] == ["APP-53", "APP-56", "APP-59"]
    in_scenario = {a for apps in haan_plan.scenarios.values() for a in apps}
    needed = [i.object in in_scenario for i in haan_plan.group(1)]
    assert needed == sorted(needed, reverse=True)  # applications a scenario needs come first
    assert [(i.object, i.subject) for i in haan_plan.group(3)] == [("SRV-01", "G 0.30"), ("DL-08", "G 0.40")]
    risks = haan_analysis.risks
    open_pressing = {o.flagged.object for o in risks if not o.complete and o.flagged.pressing}
    assert {i.object for i in haan_plan.group(2)} == open_pressing
    assert "APP-03" not in {i.object for i in haan_plan.group(2)}  # analysis complete
    assert {i.object for i in haan_plan.group(5)} == {o.flagged.object for o in risks
                                                      if not o.complete and not o.flagged.pressing}
    assert len(haan_plan.group(4)) == sum(not e.status.implemented for e in haan_analysis.check.entries)


def test_records_and_frame(haan_plan):
    records = plan_records(haan_plan, 5)
    assert len(records) == 5 and list(records[0]) == ["rank", "group", "group_title", "kind", "object", "name",
                                                      "subject", "title", "level", "need", "role", "status",
                                                      "reason"]
    assert len(plan_records(haan_plan)) == len(plan_records(haan_plan, 0)) == len(haan_plan)
    frame = plan_frame(haan_plan)
    assert frame.index.name == "rank" and frame["group_title"].cat.ordered
    assert frame.loc[1, "object"] == haan_plan.items[0].object


# --------------------------------------------------------------------------- CLI


@pytest.fixture()
def run(shared_catalogs):
    runner = CliRunner()

    def invoke(*args):
        return runner.invoke(main, ["plan", *map(str, args), "--catalogs", str(shared_catalogs)])

    return invoke


def test_cli_plan_table(run, haan, haan_plan):
    result = run(haan, "--limit", "4")
    assert result.exit_code == 0, result.output
    out = result.output
    counts = list(haan_plan.counts().values())
    assert counts == [3, 78, 2, 4682, 100]
    assert out.startswith(
        "Arbeitsplan (Realisierungsplan): Informationsverbund Stadtverwaltung Haan\n"
        f"{len(haan_plan)} offene Aufgaben: 1. Schutzbedarf feststellen 3, 2. Risikoanalyse (vorrangig) 78, "
        "3. Risiko behandeln 2, 4. Anforderung umsetzen 4682, 5. Risikoanalyse 100\n")
    assert f"1    Schutzbedarf feststellen   {haan_plan.items[0].object}" in out
    assert "4    Risikoanalyse (vorrangig)" in out and "\n5 " not in out
    assert out.endswith(f"… {len(haan_plan) - 4} weitere Einträge (--limit 0 zeigt alle).\n")


def test_cli_plan_csv_json_and_scenarios(run, tmp_path):
    folder = make(tmp_path / "c", "applications: [APP-U2]\n")
    rows = list(csv.DictReader(io.StringIO(run(folder, "--limit", "0", "-f", "csv").output)))
    assert rows[0]["object"] == "APP-U2" and rows[0]["group_title"] == "Schutzbedarf feststellen"
    assert [int(r["rank"]) for r in rows] == list(range(1, len(rows) + 1))
    data = json.loads(run(folder, "-n", "2", "-f", "json").output)
    assert [d["object"] for d in data] == ["APP-U2", "APP-U1"]
    assert "Szenarien: homeoffice (APP-U2)" in run(folder).output


def test_cli_plan_errors(run, tmp_path):
    # by design a broken scenario file is an error of the assessment (no longer a note of the plan)
    folder = make(tmp_path / "e", "applications: APP-U2\n")
    error = (f"Fehler: 1 Fehler in {folder}:\n  scenarios/homeoffice.yaml, Zeile 1, Spalte 'applications': muss "
             "eine Liste sein\n")
    for args in (("-n", "1"), ("-n", "1", "-f", "csv")):
        result = run(folder, *args)
        assert result.exit_code == 1
        assert result.stderr == error and result.stdout == ""
    result = run(folder, "--limit", "-1")
    assert result.exit_code == 2
    (folder / "scenarios" / "homeoffice.yaml").write_text("applications: [APP-U2]\n", encoding="utf-8")
    (folder / "risks.csv").write_text(RISKS + "APP-S,G 0.99,,,,,,,,\n", encoding="utf-8")
    result = run(folder)
    assert result.exit_code == 1
    assert result.output == (f"Fehler: 1 Fehler in {folder}:\n  risks.csv, Zeile 5, Spalte 'threat', Wert 'G 0.99': "
                             "elementare Gefährdung gibt es im Kompendium nicht (G 0.1 bis G 0.47)\n")
