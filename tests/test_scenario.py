"""Scenarios: the YAML format, overlays that never touch the baseline, the
comparison with verdicts per application, the worked example and the command."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import analysed

from grundschutz import AssessmentError, BasicValue, Level, ScenarioError, read_assessment
from grundschutz.catalog import read_krt
from grundschutz.cli import main
from grundschutz.io import parse_scenario
from grundschutz.method.scenario import analyse_scenario, apply_scenario, compare, run_scenario
from grundschutz.views.scenario_tables import (
    blocking_frame,
    scenario_change_frame,
    scenario_change_records,
    scenario_list_records,
    verdict_frame,
    verdict_records,
)

KRT = "sarnold0322_BSI-Grundschutz-Tools/xlsx/krt2023_Excel.xlsx"
FILE = "scenarios/test.yaml"
HAAN_SCENARIOS = ("teleheimarbeit", "neue-serverlandschaft", "digitale-ratsarbeit", "dms-erechnung")


@pytest.fixture(scope="module")
def baseline(haan_analysis):
    return haan_analysis


@pytest.fixture(scope="module")
def krt(shared_catalogs):
    return read_krt(shared_catalogs / KRT)


def run(baseline, text: str):
    """Parse ``text`` against the baseline, analyse and compare it (as ``Analysis.scenario`` does for a file)."""
    scenario = parse_scenario(textwrap.dedent(text), FILE, assessment=baseline.assessment)
    return run_scenario(baseline, scenario)


def problems_of(baseline, text: str) -> str:
    """The problems of ``text`` found when reading it (no catalog needed)."""
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(textwrap.dedent(text), FILE, assessment=baseline.assessment)
    return str(caught.value)


def catalog_problems_of(baseline, text: str) -> list[str]:
    """The problems of ``text`` that only the catalog shows: raised when the scenario is analysed."""
    with pytest.raises(AssessmentError) as caught:
        run(baseline, text)
    assert str(caught.value).startswith(f"{len(caught.value.problems)} Fehler in ")
    return [str(p) for p in caught.value.problems]


# --------------------------------------------------------------------------- the check of the issue

NOTEBOOK = """\
    applications: [APP-18]
    add:
      objects:
        - {id: CL-30, type: client, name: Notebook GIS-Auskunft, tags: [os=windows10, notebook], count: 3}
      dependencies:
        - {object: APP-18, depends_on: CL-30, note: GIS-Client unterwegs}
    """


def test_notebook_for_an_application_with_high_confidentiality(baseline, krt):
    """IRIS is hoch in confidentiality only: the notebook becomes hoch in
    confidentiality and gets exactly the H requirements whose KRT letters name C."""
    result = run(baseline, NOTEBOOK)
    after = result.result
    assert [after.propagation.level("CL-30", v) for v in BasicValue] == [Level.HOCH, Level.NORMAL, Level.NORMAL]
    derivation = after.propagation.derivation("CL-30", BasicValue.CONFIDENTIALITY)
    assert (derivation.origin, derivation.path) == ("APP-18", ("APP-18", "CL-30"))
    bausteine = after.modelling.bausteine("CL-30")
    assert bausteine == ("APP.1.2", "SYS.2.1", "SYS.2.2.3", "SYS.3.1")
    kompendium = after.kompendium
    h_requirements = [r for b in bausteine for r in kompendium.requirements_of(b, include_withdrawn=False)
                      if r.level == "H"]
    with_c = {r.id for r in h_requirements if "C" in krt.cia[r.id]}
    without_c = {r.id for r in h_requirements if "C" not in krt.cia[r.id]}
    assert with_c and without_c  # the check below can fail in both directions
    selected_h = {r.requirement for r in after.selection.for_object("CL-30") if r.level == "H"}
    assert selected_h == with_c
    added = {r.requirement: r for r in result.requirements_added if r.object == "CL-30"}
    assert {i for i, r in added.items() if r.level == "H"} == with_c
    assert all("Vertraulichkeit hoch" in added[i].reason for i in with_c)
    need = [n for n in result.needs if n.object == "CL-30" and n.basic_value is BasicValue.CONFIDENTIALITY]
    assert need[0].new_object and need[0].after is Level.HOCH
    assert "übernommen von APP-18 (IRIS (GIS-Auskunftssystem))" in need[0].explanation


def test_the_baseline_is_never_changed(haan, baseline):
    before = read_assessment(haan)
    scenario = parse_scenario(textwrap.dedent(NOTEBOOK), FILE, assessment=baseline.assessment)
    snapshot = (dict(baseline.assessment.objects), baseline.assessment.dependencies,
                {k: dict(v) for k, v in baseline.assessment.needs.items()})
    changed = apply_scenario(baseline.assessment, scenario)
    assert changed is not baseline.assessment
    assert changed != baseline.assessment
    assert "CL-30" in changed.objects and "CL-30" not in baseline.assessment.objects
    assert baseline.assessment == before
    assert snapshot == (dict(baseline.assessment.objects), baseline.assessment.dependencies,
                        {k: dict(v) for k, v in baseline.assessment.needs.items()})
    result = baseline.scenario("teleheimarbeit")
    assert result.baseline.assessment == before
    assert result.result.assessment is not result.baseline.assessment


# --------------------------------------------------------------------------- bad files


def test_unknown_objects_are_reported_with_their_lines(baseline):
    text = """\
    applications: [APP-18, APP-99]
    add:
      dependencies:
        - {object: APP-18, depends_on: CL-99}
    remove:
      objects: [SRV-99]
    change:
      needs:
        - {object: GP-99, confidentiality: hoch, confidentiality_reason: x}
    """
    assert problems_of(baseline, text) == (
        f"4 Fehler in {FILE}:\n"
        f"  {FILE}, Zeile 1, Spalte 'applications', Wert 'APP-99': unbekannte Objekt-ID\n"
        f"  {FILE}, Zeile 4, Spalte 'depends_on', Wert 'CL-99': unbekannte Objekt-ID\n"
        f"  {FILE}, Zeile 6, Spalte 'objects', Wert 'SRV-99': unbekannte Objekt-ID\n"
        f"  {FILE}, Zeile 9, Spalte 'object', Wert 'GP-99': unbekannte Objekt-ID"
    )


def test_unknown_baustein(baseline):
    text = """\
    applications: [APP-18]
    bausteine:
      - {object: APP-18, baustein: SYS.9.9, reason: gibt es nicht}
      - {object: APP-18, baustein: APP.1.4.A1, reason: Anforderung statt Baustein}
    """
    assert catalog_problems_of(baseline, text) == [
        f"{FILE}, Zeile 3, Spalte 'baustein', Wert 'SYS.9.9': Baustein gibt es im Kompendium nicht",
        f"{FILE}, Zeile 4, Spalte 'baustein', Wert 'APP.1.4.A1': Baustein gibt es im Kompendium nicht "
        "(das ist eine Anforderung, kein Baustein)",
    ]


def test_malformed_yaml_gives_line_and_column(baseline):
    text = "applications: [APP-18\nadd:\n  objects: []\n"
    assert problems_of(baseline, text) == (
        f"1 Fehler in {FILE}:\n"
        f"  {FILE}: YAML fehlerhaft (Zeile 2, Spalte 4): Liste in [ ] nicht geschlossen"
    )


def test_every_problem_at_once(baseline):
    text = """\
    name: kaputt
    colour: blau
    add:
      objects:
        - {id: CL-31, type: laptop, name: Notebook}
        - {id: CL-32, type: client, name: Notebook, count: 0}
        - {id: CL-32, type: client, name: Doppelt}
        - {id: APP-18, type: application, name: gibt es schon}
      needs:
        - {object: CL-32, confidentiality: mittel}
        - {object: APP-18, integrity: hoch}
    """
    assert problems_of(baseline, text) == (
        f"8 Fehler in {FILE}:\n"
        f"  {FILE}, Zeile 1, Spalte 'applications': Angabe fehlt: mindestens eine Anwendung, um die es im "
        "Szenario geht\n"
        f"  {FILE}, Zeile 2: unbekannter Schlüssel 'colour' (erlaubt: name, description, applications, "
        "add, remove, change, bausteine, check)\n"
        f"  {FILE}, Zeile 5, Spalte 'type', Wert 'laptop': unbekannter Objekttyp 'laptop' (erlaubt: process, "
        "application, server, client, mobile, network_device, printer, telephony, ics, iot, network, room, "
        "building, service, informationsverbund)\n"
        f"  {FILE}, Zeile 6, Spalte 'count', Wert '0': muss eine ganze Zahl >= 1 sein\n"
        f"  {FILE}, Zeile 7, Spalte 'id', Wert 'CL-32': doppelte Objekt-ID (bereits in Zeile 6)\n"
        f"  {FILE}, Zeile 8, Spalte 'id', Wert 'APP-18': Objekt-ID gibt es bereits in der Bewertung (zum Ändern "
        "change.objects verwenden)\n"
        f"  {FILE}, Zeile 10, Spalte 'confidentiality', Wert 'mittel': 'mittel' ist keine "
        "Schutzbedarfskategorie (normal, hoch, sehr hoch)\n"
        f"  {FILE}, Zeile 11, Spalte 'integrity', Wert 'hoch': integrity von APP-18 ist bereits festgestellt "
        "(needs.csv); zum Ändern change.needs verwenden"
    )


def test_a_baustein_the_rules_assign_already_is_a_warning(baseline):
    """In a scenario (unlike modelling.csv) adding what a rule assigns changes nothing and is reported."""
    text = """\
    applications: [APP-43]
    bausteine:
      - {object: APP-43, baustein: APP.5.3, reason: doppelt}
    """
    result = run(baseline, text)
    assert [str(w) for w in result.result.modelling.warnings] == [
        f"{FILE}, Zeile 3, Spalte 'baustein', Wert 'APP.5.3': APP.5.3 ist APP-43 bereits durch Regel 'e-mail' "
        "zugeordnet; der Eintrag ändert nichts"]
    assert not result.bausteine_added


def test_check_rows_of_the_scenario_are_validated(baseline):
    # the status is checked when the file is read, the selection when the scenario is analysed with the catalog
    text = """\
    applications: [APP-18]
    check:
      - {object: APP-18, requirement: APP.6.A1, status: vielleicht}
      - {object: APP-18, requirement: SYS.2.1.A1, status: ja}
    """
    message = problems_of(baseline, text)
    assert message.startswith(f"1 Fehler in {FILE}:")
    assert (f"{FILE}, Zeile 3, Spalte 'status', Wert 'vielleicht': unbekannter Status (erlaubt: ja, teilweise, "
            "nein, entbehrlich, unbearbeitet)") in message
    problems = catalog_problems_of(baseline, text.replace("vielleicht", "ja"))
    assert len(problems) == 1
    assert problems[0].startswith(f"{FILE}, Zeile 4, Spalte 'requirement', Wert 'SYS.2.1.A1': Anforderung ist für "
                                  "APP-18 nicht ausgewählt")


def test_unknown_scenario_name(haan):
    with pytest.raises(ScenarioError) as caught:
        analysed(haan).scenario("gibtsnicht")
    assert str(caught.value) == (
        "1 Fehler in scenarios/gibtsnicht.yaml:\n  scenarios/gibtsnicht.yaml: Szenario 'gibtsnicht' nicht gefunden "
        "(vorhanden: digitale-ratsarbeit, dms-erechnung, neue-serverlandschaft, teleheimarbeit)"
    )


# --------------------------------------------------------------------------- a small hand-built case


def write_small(folder: Path, scenario: str = "") -> Path:
    """Four applications on one Linux server; APP-U is not rated yet."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "assessment.yaml").write_text("name: Klein\nedition: kompendium-2023\nvariant: standard\n",
                                            encoding="utf-8")
    (folder / "objects.csv").write_text(
        "id,type,name,description,tags,count\n"
        "APP-H,application,Sozialakte,,,\n"
        "APP-N,application,Bauakte,,,\n"
        "APP-R,application,Bücherei,,,\n"
        "APP-U,application,Neues Verfahren,,,\n"
        "SRV-1,server,Anwendungsserver,,os=linux,\n", encoding="utf-8")
    (folder / "dependencies.csv").write_text(
        "object,depends_on,redundancy_group,note\n"
        "APP-H,SRV-1,,\nAPP-N,SRV-1,,\nAPP-R,SRV-1,,\nAPP-U,SRV-1,,\n", encoding="utf-8")
    (folder / "needs.csv").write_text(
        "object,confidentiality,integrity,availability,confidentiality_reason,integrity_reason,"
        "availability_reason,effect\n"
        "APP-H,hoch,normal,normal,Sozialdaten,,,\n"
        "APP-N,normal,normal,normal,,,,\n"
        "APP-R,normal,normal,normal,,,,\n", encoding="utf-8")
    if scenario:
        (folder / "scenarios").mkdir(exist_ok=True)
        (folder / "scenarios" / "drucken.yaml").write_text(scenario, encoding="utf-8")
    return folder


def printer_requirements(shared_catalogs: Path, krt) -> list[str]:
    """SYS.4.1 for an object that is hoch in confidentiality only, from the Kompendium and the KRT."""
    from grundschutz.catalog import load_catalog

    catalog = load_catalog(shared_catalogs)
    return [r.id for r in catalog.kompendium.requirements_of("SYS.4.1", include_withdrawn=False)
            if r.level in "BS" or "C" in krt.cia[r.id]]


def small_scenario(done: list[str]) -> str:
    rows = "".join(f"  - {{object: PRN-1, requirement: {r}, status: ja}}\n" for r in done)
    return (
        "name: drucken\n"
        "description: Ein Drucker für zu Hause.\n"
        "applications: [APP-H, APP-N, APP-R, APP-U]\n"
        "add:\n"
        "  objects:\n"
        "    - {id: PRN-1, type: printer, name: Drucker Telearbeit}\n"
        "  dependencies:\n"
        "    - {object: APP-H, depends_on: PRN-1}\n"
        "    - {object: APP-N, depends_on: PRN-1}\n"
        "    - {object: APP-U, depends_on: PRN-1}\n"
        + ("check:\n" + rows if rows else "")
    )


def test_verdicts_of_a_small_case(tmp_path, shared_catalogs, krt):
    required = printer_requirements(shared_catalogs, krt)
    folder = write_small(tmp_path / "klein", small_scenario(required[:-2]))
    analysis = analysed(folder, shared_catalogs)
    result = analysis.scenario("drucken")
    verdicts = {v.application: (v.verdict, v.text) for v in result.verdicts}
    # bereit names the Basis-Anforderungen of APP-R's own chain that are open in the baseline already
    basis = sum(e.level == "B" and not e.status.implemented
                for o in ("SRV-1", "APP-R") for e in result.baseline.check.for_object(o))
    assert basis > 1
    assert verdicts == {
        "APP-H": ("risikoanalyse", "nicht vor einer Risikoanalyse für PRN-1 (Drucker Telearbeit)"),
        "APP-N": ("bereit-sobald", f"bereit, sobald 2 Anforderungen umgesetzt sind: {required[-2]} (PRN-1), "
                                   f"{required[-1]} (PRN-1)"),
        "APP-R": ("bereit", f"bereit aus Sicht des Szenarios; im Bestand offen: {basis} Basis-Anforderungen"),
        "APP-U": ("schutzbedarf-offen", "nicht vor der Schutzbedarfsfeststellung (Vertraulichkeit nicht bewertet, "
                                        "Integrität nicht bewertet, Verfügbarkeit nicht bewertet)"),
    }
    assert [(b.object, b.requirement, b.status, b.applications) for b in result.blocking] == [
        ("PRN-1", required[-2], "unbearbeitet", ("APP-H", "APP-N", "APP-U")),
        ("PRN-1", required[-1], "unbearbeitet", ("APP-H", "APP-N", "APP-U")),
    ]
    assert [(r.object, r.applications) for r in result.risk_analyses] == [("PRN-1", ("APP-H",))]
    assert [(b.object, b.baustein) for b in result.bausteine_added] == [("PRN-1", "SYS.4.1")]
    assert [r.requirement for r in result.requirements_added] == required
    # the server's open requirements were open before: counted, not blocking; with include_baseline they block
    base = result.baseline.check
    assert result.verdict("APP-R").baseline_open == len(base.for_object("SRV-1")) + len(base.for_object("APP-R"))
    strict = analysis.scenario("drucken", include_baseline=True)
    assert strict.verdict("APP-R").verdict == "bereit-sobald"
    assert {r.split(" ")[1] for r in strict.verdict("APP-R").requirements} == {"(SRV-1)", "(APP-R)", "(IV)"}


def test_one_requirement_is_singular(tmp_path, shared_catalogs, krt):
    required = printer_requirements(shared_catalogs, krt)
    folder = write_small(tmp_path / "klein", small_scenario(required[:-1]))
    result = analysed(folder, shared_catalogs).scenario("drucken")
    assert result.verdict("APP-N").text == f"bereit, sobald 1 Anforderung umgesetzt ist: {required[-1]} (PRN-1)"


def test_remove_and_change(tmp_path, shared_catalogs):
    folder = write_small(tmp_path / "klein", textwrap.dedent("""\
        applications: [APP-N]
        remove:
          objects: [APP-R]
          dependencies:
            - {object: APP-U, depends_on: SRV-1}
        change:
          objects:
            - {id: SRV-1, name: Linux-Server, tags: "os=linux;atypisch=beim Hersteller", count: 2}
          needs:
            - {object: APP-H, confidentiality: "", integrity: hoch, integrity_reason: Bescheide}
            - {object: SRV-1, availability: normal, availability_reason: Abweichung zum Test, effect: manual}
        """))
    baseline = analysed(folder, shared_catalogs)
    scenario = baseline.assessment.scenarios["drucken"]
    changed = apply_scenario(baseline.assessment, scenario)
    assert sorted(changed.objects) == ["APP-H", "APP-N", "APP-U", "SRV-1"]
    assert [(d.source, d.target) for d in changed.dependencies] == [("APP-H", "SRV-1"), ("APP-N", "SRV-1")]
    server = changed.objects["SRV-1"]
    assert (server.name, dict(server.tags), server.count) == ("Linux-Server", {"os": "linux",
                                                                              "atypisch": "beim Hersteller"}, 2)
    assert dict(changed.needs["APP-H"]) == {BasicValue.AVAILABILITY: baseline.assessment.needs["APP-H"][
        BasicValue.AVAILABILITY], BasicValue.INTEGRITY: changed.needs["APP-H"][BasicValue.INTEGRITY]}
    assert changed.needs["APP-H"][BasicValue.INTEGRITY].reason == "Bescheide"
    assert changed.overrides["SRV-1"][BasicValue.AVAILABILITY].reason == "Abweichung zum Test"
    result = compare(baseline, analyse_scenario(baseline, scenario), scenario)
    # SRV-1 needed a risk analysis before (hoch); the tag atypisch is a new reason, which holds up every user
    assert [(r.object, r.newly, r.new_kinds, r.why_new, r.applications) for r in result.risk_analyses] == [
        ("SRV-1", False, ("atypisch",), "neuer Grund: atypisch", ("APP-N",))]
    assert result.verdict("APP-N").text == "nicht vor einer Risikoanalyse für SRV-1 (Linux-Server)"
    assert not result.bausteine_added
    assert [(b.object, b.baustein, b.reason) for b in result.bausteine_removed] == [
        ("APP-R", "APP.6", "Zielobjekt entfällt im Szenario")]
    # APP-H is hoch in integrity now: SRV-1 and the Informationsverbund get the H requirements that name I
    assert {r.object for r in result.requirements_added} == {"SRV-1", "IV"}  # IV: maximum of all
    assert all("Integrität hoch" in r.reason for r in result.requirements_added)


# --------------------------------------------------------------------------- the worked example


def test_teleheimarbeit_verdicts_differ(baseline):
    result = baseline.scenario("teleheimarbeit")
    verdicts = {v.application: v for v in result.verdicts}
    assert {v.verdict for v in verdicts.values()} == {"bereit", "bereit-sobald", "risikoanalyse"}
    assert verdicts["APP-49"].verdict == "bereit"
    assert verdicts["APP-49"].text.startswith("bereit aus Sicht des Szenarios; im Bestand offen: ")
    assert verdicts["APP-50"].verdict == "bereit-sobald"
    assert {r.split(" ")[0].rsplit(".", 1)[0] for r in verdicts["APP-50"].requirements} == {"APP.1.4"}
    assert len(verdicts["APP-50"].requirements) == 9
    assert verdicts["APP-43"].risk_objects == ("CL-20", "NET-20", "NWD-20", "R-20")
    # WS LANDCAD is normal: only the home networks without fitting Baustein hold it up
    assert verdicts["APP-16"].risk_objects == ("NET-20",)
    assert verdicts["APP-13"].text.startswith("nicht vor einer Risikoanalyse für CL-20 (Telearbeits-Notebooks)")
    added = {(b.object, b.baustein) for b in result.bausteine_added}
    assert {("IV", "OPS.1.2.4"), ("R-20", "INF.8"), ("CL-20", "SYS.3.1"), ("NWD-20", "NET.3.3"),
            ("CL-20", "NET.2.2"), ("CL-20", "SYS.2.1"), ("CL-20", "SYS.1.9")} <= added
    level = result.result.propagation.level
    assert level("CL-20", BasicValue.CONFIDENTIALITY) is Level.SEHR_HOCH  # PROSOZ 14+
    assert result.result.modelling["NET-20"].needs_risk_analysis


@pytest.mark.parametrize("name", HAAN_SCENARIOS)
def test_every_haan_scenario_runs(baseline, name):
    result = baseline.scenario(name)
    assert result.scenario.name == name
    assert len(result.verdicts) == len(result.scenario.applications) >= 3
    assert result.bausteine_added and result.requirements_added and result.risk_analyses
    for record in scenario_change_records(result):
        if record["kind"] == "Schutzbedarf":
            assert record["detail"].startswith("Regel:")


def test_frames(baseline):
    result = baseline.scenario("teleheimarbeit")
    verdicts = verdict_frame(result)
    assert list(verdicts["application"]) == list(result.scenario.applications)
    assert verdicts["verdict"].cat.ordered and verdicts.loc[verdicts.application == "APP-49", "blocking"].item() == 0
    assert len(blocking_frame(result)) == len(result.blocking)
    changes = scenario_change_frame(result)
    assert set(changes["kind"]) == {"Schutzbedarf", "Baustein", "Anforderung", "Risikoanalyse"}
    assert len(changes[(changes.kind == "Schutzbedarf") & (changes.object == "CL-20")]) == 3
    assert verdict_records(result)[-1]["verdict"] == "bereit"


def test_list_scenarios_gives_what_the_plan_reads(haan):
    assessment = read_assessment(haan)  # every file is valid: read_assessment raises otherwise
    found = {s["name"]: s for s in scenario_list_records(assessment)}
    assert sorted(found) == sorted(HAAN_SCENARIOS)
    assert found["teleheimarbeit"]["applications"][:2] == ["APP-43", "APP-30"]
    for name in HAAN_SCENARIOS:
        assert assessment.scenarios[name].applications == tuple(found[name]["applications"])


# --------------------------------------------------------------------------- the command


def test_command_lists_scenarios(haan, shared_catalogs):
    out = CliRunner().invoke(main, ["scenario", str(haan), "--catalogs", str(shared_catalogs)])
    assert out.exit_code == 0, out.output
    lines = out.output.splitlines()
    assert lines[0].split() == ["Szenario", "Beschreibung", "Anwendungen"]
    assert [line.split()[0] for line in lines[2:] if line and not line.startswith(" ")] == sorted(HAAN_SCENARIOS)
    data = json.loads(CliRunner().invoke(main, ["scenario", str(haan), "--format", "json"]).output)
    assert [d["name"] for d in data] == sorted(HAAN_SCENARIOS)


def test_command_report(haan, shared_catalogs):
    out = CliRunner().invoke(main, ["scenario", str(haan), "teleheimarbeit", "--catalogs", str(shared_catalogs),
                                    "--details"])
    assert out.exit_code == 0, out.output
    text = out.output
    sections = ["Antwort je Anwendung", "Nötige Risikoanalysen (BSI-Standard 200-3)",
                "Blockierende Anforderungen (nicht ja/entbehrlich)\n", "Urteil je Anwendung", "Geänderter Schutzbedarf", "Bausteine hinzugefügt",
                "Anforderungen hinzugefügt (je Zielobjekt und Baustein)",
                "Blockierende Anforderungen (nicht ja/entbehrlich), je Zielobjekt",
                "Risikoanalysen, die das Szenario nötig macht (BSI-Standard 200-3)"]
    assert [text.index(s) for s in sections] == sorted(text.index(s) for s in sections)
    assert "  APP-49     Ratsinformationssystem (SessionNet, digitale Ratsarbeit)  bereit" in text
    assert "  CL-20 – Telearbeits-Notebooks (neu)\n    Vertraulichkeit: — → sehr hoch\n" in text
    assert "    APP.1.4.A1 (B) Anforderungsanalyse für die Nutzung von Apps – unbearbeitet – hält auf: APP-50" in text


def test_command_json_and_csv(haan, shared_catalogs):
    args = [str(haan), "teleheimarbeit", "--catalogs", str(shared_catalogs), "--format"]
    data = json.loads(CliRunner().invoke(main, ["scenario", *args, "json"]).output)
    assert data["scenario"] == "teleheimarbeit"
    assert {v["application"]: v["verdict"] for v in data["verdicts"]}["APP-49"] == "bereit"
    assert {"changes", "blocking", "applications", "description"} <= set(data)
    import csv
    import io

    rows = list(csv.DictReader(io.StringIO(CliRunner().invoke(main, ["scenario", *args, "csv"]).output)))
    assert list(rows[0])[:7] == ["section", "application", "name", "verdict", "text", "blocking", "requirements"]
    assert {r["section"] for r in rows} == {"Urteil", "Änderung", "blockiert"}
    assert {r["application"]: r["verdict"] for r in rows if r["section"] == "Urteil"}["APP-49"] == "bereit"


def test_command_errors(haan, tmp_path):
    out = CliRunner().invoke(main, ["scenario", str(haan), "gibtsnicht"])  # fails before the catalog is needed
    assert out.exit_code == 1
    assert out.output.startswith("Fehler: 1 Fehler in scenarios/gibtsnicht.yaml:\n")
    # by design a broken scenario file is an error of the assessment: reading it fails, with file and line
    folder = write_small(tmp_path / "klein", "applications: [APP-N\n")
    out = CliRunner().invoke(main, ["scenario", str(folder), "drucken"])
    assert out.exit_code == 1
    assert out.output == (
        f"Fehler: 1 Fehler in {folder}:\n"
        "  scenarios/drucken.yaml: YAML fehlerhaft (Zeile 2, Spalte 1): Liste in [ ] nicht geschlossen\n"
    )
