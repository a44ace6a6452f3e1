"""Risikoanalyse (BSI 200-3): flagging, threat overview, matrix, risks.csv, results, CLI."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import analysed

from grundschutz import AssessmentError, GrundschutzError, UnknownObjectError, read_assessment
from grundschutz.cli import main
from grundschutz.io.settings import parse_risk_matrix
from grundschutz.method import analyse
from grundschutz.method.risk import FlagReason, flag_objects, flag_reasons, threat_overview
from grundschutz.model import DEFAULT_MATRIX, Frequency, Impact, RiskCategory, Treatment
from grundschutz.views.risk_tables import (
    risk_frame,
    risk_records,
    risk_summary_frame,
    risk_summary_records,
    threat_overview_frame,
    threat_overview_records,
)

HEADER = "object,threat,title,frequency,impact,treatment,note,accepted_by,residual_frequency,residual_impact\n"
OBJECTS = """id,type,name,description,tags,count
GP-1,process,Meldewesen,,,
APP-1,application,Fachverfahren,,,
APP-2,application,Normalverfahren,,,
APP-3,application,Register,,,
APP-4,application,Herstellerbetrieb,,atypisch=Betrieb beim Hersteller,
APP-5,application,Sonderfall,,Atypisch,
SRV-1,server,Linux-Server,,os=linux,
CL-P,client,Signaturtablett,,peripherie,
"""
DEPENDENCIES = """object,depends_on,redundancy_group,note
GP-1,APP-1,,
APP-1,SRV-1,,
APP-2,SRV-1,,
APP-3,SRV-1,,
"""
NEEDS = """object,confidentiality,integrity,availability
GP-1,hoch,normal,normal
APP-1,normal,normal,normal
APP-2,normal,normal,normal
APP-3,normal,sehr hoch,normal
APP-4,normal,normal,normal
APP-5,normal,normal,normal
CL-P,normal,normal,normal
"""
#: The default matrix exactly as docs/method.md ("Rating, matrix, treatment, residual risk", the example of
#: BSI 200-3) gives it (rows: impact, columns: frequency).
MATRIX_TABLE = """
| vernachlässigbar | gering | gering | gering | gering |
| begrenzt | gering | gering | mittel | hoch |
| beträchtlich | mittel | mittel | hoch | sehr hoch |
| existenzbedrohend | mittel | hoch | sehr hoch | sehr hoch |
"""
FREQUENCIES = ("selten", "mittel", "häufig", "sehr häufig")
MATRIX_CELLS = [
    (impact, frequency, category)
    for line in MATRIX_TABLE.strip().splitlines()
    for impact, *row in [[c.strip() for c in line.strip("|").split("|")]]
    for frequency, category in zip(FREQUENCIES, row)
]


def make(folder: Path, risks: str | None = None, settings: str = "name: Test\n") -> Path:
    """A small assessment folder (see OBJECTS) with an optional risks.csv."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in (("assessment.yaml", settings), ("objects.csv", OBJECTS),
                       ("dependencies.csv", DEPENDENCIES), ("needs.csv", NEEDS)):
        (folder / name).write_text(text, encoding="utf-8")
    if risks is not None:
        (folder / "risks.csv").write_text(HEADER + risks, encoding="utf-8")
    return folder


@pytest.fixture()
def small(tmp_path, shared_catalogs):
    return analysed(make(tmp_path / "small"), shared_catalogs)


@pytest.fixture(scope="module")
def haan_risks(haan_analysis):
    return haan_analysis.risks


# --------------------------------------------------------------------------- flagging


def test_each_flagging_rule_with_its_reason(small):
    flagged = flag_objects(small)
    assert list(flagged) == ["APP-1", "APP-3", "APP-4", "APP-5", "SRV-1", "CL-P"]
    assert flagged["APP-1"].reasons == (FlagReason("hoch", "Schutzbedarf hoch in Vertraulichkeit"),)
    assert flagged["APP-3"].reasons == (
        FlagReason("sehr hoch", "Schutzbedarf sehr hoch in Integrität: Risikoanalyse immer erforderlich"),)
    assert flagged["CL-P"].reasons == (FlagReason("ohne Baustein", "kein passender Baustein in der Modellierung"),)
    assert flagged["APP-4"].reasons == (
        FlagReason("atypisch", "atypischer Einsatz (Tag 'atypisch'): Betrieb beim Hersteller"),)
    assert flagged["APP-5"].reasons == (FlagReason("atypisch", "atypischer Einsatz (Tag 'atypisch')"),)
    assert flagged["SRV-1"].kinds == ("sehr hoch", "hoch")
    assert flagged["SRV-1"].why == ("Schutzbedarf sehr hoch in Integrität: Risikoanalyse immer erforderlich; "
                                    "Schutzbedarf hoch in Vertraulichkeit")
    assert [i for i, f in flagged.items() if f.pressing] == ["APP-3", "APP-4", "APP-5", "SRV-1", "CL-P"]


def test_processes_normal_objects_and_the_informationsverbund_are_not_flagged(small):
    from grundschutz.model import BasicValue

    assert small.propagation.level("GP-1", BasicValue.CONFIDENTIALITY).label == "hoch"
    for object_id in ("GP-1", "APP-2", "IV"):
        assert flag_reasons(small, object_id) == ()


def test_grundschutz_plus_plus_flags_hoch_and_sehr_hoch(small):
    settings = replace(small.assessment.settings, edition="grundschutz++")
    gspp = analyse(replace(small.assessment, settings=settings), small.catalog)
    assert flag_reasons(gspp, "APP-1") == (FlagReason(
        "hoch", "Schutzbedarf hoch in Vertraulichkeit: dedizierte Risikobetrachtung bei hohem Schutzbedarf "
                "(Grundschutz++ Methodik GC.7.2, STM.4.1)"),)
    assert flag_reasons(gspp, "APP-3") == (FlagReason(
        "sehr hoch", "Schutzbedarf sehr hoch in Integrität: Risikoanalyse immer erforderlich (Grundschutz++: zählt "
                     "als hoch; dedizierte Risikobetrachtung nach Methodik GC.7.2, STM.4.1)"),)
    assert flag_reasons(gspp, "CL-P")[0].kind == "ohne Baustein"


def test_grundschutz_plus_plus_assessment_end_to_end(tmp_path, shared_catalogs):
    rows = "APP-3,G 0.18,,mittel,beträchtlich,,,,,\nCL-P,Z-1,Treiber mit Adminrechten,häufig,beträchtlich,,,,,\n"
    analysis = analysed(make(tmp_path / "gspp", rows, "name: Test\nedition: grundschutz++\n"), shared_catalogs)
    risks = analysis.risks
    assert {o.flagged.object: o.flagged.kinds for o in risks} == {
        "GP-1": ("hoch",), "APP-1": ("hoch",), "APP-3": ("sehr hoch",), "APP-4": ("atypisch",),
        "APP-5": ("atypisch",), "SRV-1": ("sehr hoch", "hoch"), "CL-P": ("ohne Baustein",)}
    assert {i for i, o in risks.objects.items() if {"sehr hoch", "hoch"} & set(o.flagged.kinds)} == set(
        analysis.selection.risk_analysis)
    controls = analysis.modelling.catalog.controls
    for entry in risks:  # the G0 props of the selected controls (none in the pinned catalogs)
        selected = analysis.selection.for_object(entry.flagged.object)
        linked = {t for r in selected for t in controls[r.requirement].threats}
        assert {r.threat for r in entry.risks if r.source == "G0"} == linked
    assert [(r.threat, r.category.label) for r in risks["APP-3"].risks] == [("G 0.18", "mittel")]
    # an asset without matching control: all 47 elementary threats proposed, plus the own one
    assert len(risks["CL-P"].risks) == 48 and risks["CL-P"].proposed
    assert risks["CL-P"].status == "offen: 47 von 48 Gefährdungen nicht bewertet"


def test_haan_flags_every_object_with_high_need_no_baustein_or_atypical_use(haan_analysis):
    from grundschutz.model import BASIC_VALUES, Level

    flagged = flag_objects(haan_analysis)
    modelling = haan_analysis.modelling
    # BSI 200-2, 8.5: high need, no fitting Baustein, atypical use; business processes covered by the
    # Informationsverbund are not flagged for their need (docs/method.md, Choice), other covered objects are
    expected = {
        i for i, m in modelling.objects.items()
        if i != "IV" and (m.needs_risk_analysis or not (m.object.type.value == "process" and m.covered
                                                        and not m.assignments) and any(
            (haan_analysis.propagation.level(i, v) or 0) >= Level.HOCH for v in BASIC_VALUES))
    }
    assert set(flagged) == expected
    assert len(flagged) == 179
    assert set(modelling.unmodelled) == {i for i, f in flagged.items() if "ohne Baustein" in f.kinds}
    assert sum("sehr hoch" in f.kinds for f in flagged.values()) == 73


# --------------------------------------------------------------------------- threat overview


def test_threat_overview_lists_the_threats_of_the_bausteine_with_the_linking_requirements(haan_analysis,
                                                                                           haan_risks):
    kompendium = haan_analysis.kompendium
    expected: dict[str, dict[str, list[str]]] = {}
    for object_id, entry in haan_analysis.modelling.objects.items():
        for baustein in entry.bausteine or entry.covered_by:
            for threat in kompendium.bausteine[baustein].elementary_threats:
                expected.setdefault(object_id, {}).setdefault(threat, [])
    for item in haan_analysis.selection.requirements:
        for threat in kompendium.requirement(item.requirement).threats:
            expected.setdefault(item.object, {}).setdefault(threat, []).append(item.requirement)
    assert len(haan_risks) == 179
    for entry in haan_risks:
        object_id = entry.flagged.object
        krt = {r.threat: list(r.requirements) for r in entry.risks if r.source == "KRT"}
        assert krt == expected.get(object_id, {}), object_id
        for r in entry.risks:
            if r.threat.startswith("G 0."):
                assert r.title == kompendium.threat(r.threat).title
                assert 1 <= int(r.threat.split(".")[1]) <= 47
    overview = threat_overview(haan_analysis, "SRV-01")
    numbers = [int(t.threat.split(".")[1]) for t in overview]
    assert numbers == sorted(numbers) and len(overview) == len(expected["SRV-01"])
    assert [t.threat for t in overview] == [r.threat for r in haan_risks["SRV-01"].risks if r.source == "KRT"]


def test_risk_analysis_needs_the_catalog(tmp_path):
    with pytest.raises(GrundschutzError, match="Die Risikoanalyse braucht den Katalog"):
        analysed(make(tmp_path / "ohne")).risks


def test_object_without_baustein_gets_every_elementary_threat_proposed(small):
    entry = small.risks["CL-P"]
    assert [r.threat for r in entry.risks] == list(small.kompendium.threats)
    assert {r.source for r in entry.risks} == {"vorgeschlagen"}
    assert entry.status == "offen: 47 von 47 Gefährdungen nicht bewertet"
    assert not entry.complete


# --------------------------------------------------------------------------- matrix


@pytest.mark.parametrize(("impact", "frequency", "category"), MATRIX_CELLS)
def test_default_matrix_cell_by_cell_as_documented(impact, frequency, category):
    assert DEFAULT_MATRIX.category(Frequency.parse(frequency), Impact.parse(impact)) is RiskCategory.parse(category)


def test_default_matrix_has_16_cells_and_is_what_default_means():
    assert len(MATRIX_CELLS) == 16 and len(DEFAULT_MATRIX.cells) == 16
    assert parse_risk_matrix("default") == (DEFAULT_MATRIX, []) and parse_risk_matrix(None) == (DEFAULT_MATRIX, [])
    assert parse_risk_matrix("default")[0] is DEFAULT_MATRIX and parse_risk_matrix(None)[0] is DEFAULT_MATRIX


def test_custom_matrix_as_lists_and_as_mappings(tmp_path, shared_catalogs):
    lists = ("risk_matrix:\n"
             "  vernachlässigbar: [gering, gering, mittel, mittel]\n"
             "  begrenzt: [gering, mittel, mittel, hoch]\n"
             "  betraechtlich: [mittel, hoch, hoch, sehr hoch]\n"
             "  Existenzbedrohend: [hoch, sehr hoch, sehr hoch, sehr hoch]\n")
    mappings = ("risk_matrix:\n"
                "  vernachlässigbar: {selten: gering, mittel: gering, häufig: mittel, sehr häufig: mittel}\n"
                "  begrenzt: {selten: gering, mittel: mittel, haeufig: mittel, sehr_häufig: hoch}\n"
                "  beträchtlich: {selten: mittel, mittel: hoch, häufig: hoch, sehr häufig: sehr hoch}\n"
                "  existenzbedrohend: {selten: hoch, mittel: sehr hoch, häufig: sehr hoch, sehr häufig: sehr hoch}\n")
    for n, settings in enumerate((lists, mappings)):
        folder = make(tmp_path / f"m{n}", "APP-1,G 0.18,,selten,existenzbedrohend,,,,,\n"
                                          "APP-1,G 0.20,,häufig,vernachlässigbar,,,,,\n",
                      "name: Test\n" + settings)
        risks = analysed(folder, shared_catalogs).risks
        assert risks.matrix.source == "assessment.yaml"
        rated = {r.threat: r.category.label for r in risks["APP-1"].risks if r.rated}
        assert rated == {"G 0.18": "hoch", "G 0.20": "mittel"}  # default would say mittel and gering
        assert risks.matrix.rows()[1] == (Impact.BEGRENZT, tuple(RiskCategory.parse(c) for c in
                                                                 ("gering", "mittel", "mittel", "hoch")))


ROWS = {"vernachlässigbar": ["gering"] * 4, "begrenzt": ["gering", "gering", "mittel", "hoch"],
        "beträchtlich": ["mittel", "mittel", "hoch", "sehr hoch"],
        "existenzbedrohend": ["mittel", "hoch", "sehr hoch", "sehr hoch"]}
MATRIX_HINT = ("muss 'default' oder eine 4x4-Tabelle sein (Zeilen: Auswirkung vernachlässigbar .. existenzbedrohend, "
               "Spalten: Häufigkeit selten .. sehr häufig)")


@pytest.mark.parametrize(("raw", "messages"), [
    ("streng", [f"assessment.yaml, Spalte 'risk_matrix', Wert 'streng': {MATRIX_HINT}"]),
    (["gering"], [f"assessment.yaml, Spalte 'risk_matrix', Wert 'gering': {MATRIX_HINT}"]),
    ({**ROWS, "katastrophal": ["hoch"] * 4},
     ["assessment.yaml, Spalte 'risk_matrix.katastrophal': unbekannte Auswirkung (erlaubt: vernachlässigbar, "
      "begrenzt, beträchtlich, existenzbedrohend)"]),
    ({k: v for k, v in ROWS.items() if k != "begrenzt"},
     ["assessment.yaml, Spalte 'risk_matrix.begrenzt': Zeile fehlt"]),
    ({**ROWS, "begrenzt": ["gering", "mittel"]},
     ["assessment.yaml, Spalte 'risk_matrix.begrenzt', Wert 'gering, mittel': braucht 4 Kategorien (selten, "
      "mittel, häufig, sehr häufig), hat 2"]),
    ({**ROWS, "begrenzt": "hoch"},
     ["assessment.yaml, Spalte 'risk_matrix.begrenzt', Wert 'hoch': muss eine Liste von 4 Kategorien oder eine "
      "Zuordnung Häufigkeit -> Kategorie sein"]),
    ({**ROWS, "begrenzt": {"selten": "gering", "oft": "mittel", "mittel": "gering", "häufig": "mittel"}},
     ["assessment.yaml, Spalte 'risk_matrix.begrenzt.oft': unbekannte Häufigkeit (erlaubt: selten, mittel, häufig, "
      "sehr häufig)",
      "assessment.yaml, Spalte 'risk_matrix.begrenzt.sehr häufig': Angabe fehlt"]),
    ({**ROWS, "beträchtlich": ["mittel", "extrem", "hoch", "sehr hoch"]},
     ["assessment.yaml, Spalte 'risk_matrix.beträchtlich.mittel', Wert 'extrem': unbekannte Risikokategorie "
      "(erlaubt: gering, mittel, hoch, sehr hoch)"]),
    ({**ROWS, "begrenzt": ["mittel", "gering", "mittel", "hoch"]},
     ["assessment.yaml, Spalte 'risk_matrix.begrenzt.mittel', Wert 'gering': Kategorie sinkt mit steigender "
      "Häufigkeit (selten: mittel)"]),
    ({**ROWS, "existenzbedrohend": ["gering", "hoch", "sehr hoch", "sehr hoch"]},
     ["assessment.yaml, Spalte 'risk_matrix.existenzbedrohend.selten', Wert 'gering': Kategorie sinkt mit "
      "steigender Auswirkung (beträchtlich: mittel)"]),
    ({**ROWS, "betraechtlich": ROWS["beträchtlich"]},
     ["assessment.yaml, Spalte 'risk_matrix.betraechtlich': Auswirkung 'beträchtlich' doppelt angegeben"]),
])
def test_invalid_matrix_gives_every_problem_with_its_place(raw, messages):
    _, problems = parse_risk_matrix(raw)
    assert [str(p) for p in problems] == messages


# --------------------------------------------------------------------------- risks.csv validation

BAD_ROWS = """,G 0.18,,,,,,,,
NIX-1,G 0.18,,,,,,,,
APP-1,,,,,,,,,
APP-1,G 0.99,,,,,,,,
APP-1,Z-1,,,,,,,,
APP-1,G 0.18,,oft,schlimm,,,,,
APP-1,G 0.19,,mittel,,,,,,
APP-1,G 0.20,,,begrenzt,,,,,
APP-1,G 0.21,,,,reduzieren,Maßnahme,,,
APP-1,G 0.22,,mittel,begrenzt,ignorieren,,,,
APP-1,G 0.23,,mittel,begrenzt,akzeptieren,,,,
APP-1,G 0.25,,mittel,begrenzt,,,ISB,,
APP-1,G 0.26,,mittel,begrenzt,,,,selten,begrenzt
APP-1,G 0.27,,mittel,begrenzt,reduzieren,x,,häufig,
APP-1,G 0.28,,mittel,begrenzt,reduzieren,x,,selten,beträchtlich
APP-1,g0.18,,,,,,,,
APP-1,G 0.29,,mittel,begrenzt,,,,,,zuviel
"""
BAD_MESSAGES = [
    "risks.csv, Zeile 2, Spalte 'object', Wert '': leere Objekt-ID",
    "risks.csv, Zeile 3, Spalte 'object', Wert 'NIX-1': unbekannte Objekt-ID",
    "risks.csv, Zeile 4, Spalte 'threat', Wert '': leere Gefährdungs-ID",
    "risks.csv, Zeile 5, Spalte 'threat', Wert 'G 0.99': elementare Gefährdung gibt es im Kompendium nicht "
    "(G 0.1 bis G 0.47)",
    "risks.csv, Zeile 6, Spalte 'title', Wert '': eigene Gefährdung 'Z-1' braucht einen Titel in 'title'",
    "risks.csv, Zeile 7, Spalte 'frequency', Wert 'oft': unbekannte Häufigkeit (erlaubt: selten, mittel, häufig, "
    "sehr häufig)",
    "risks.csv, Zeile 7, Spalte 'impact', Wert 'schlimm': unbekannte Auswirkung (erlaubt: vernachlässigbar, "
    "begrenzt, beträchtlich, existenzbedrohend)",
    "risks.csv, Zeile 8, Spalte 'impact', Wert '': Auswirkung fehlt (Häufigkeit ist angegeben)",
    "risks.csv, Zeile 9, Spalte 'frequency', Wert '': Häufigkeit fehlt (Auswirkung ist angegeben)",
    "risks.csv, Zeile 10, Spalte 'treatment', Wert 'reduzieren': Behandlung ohne Bewertung: zuerst Häufigkeit und "
    "Auswirkung angeben",
    "risks.csv, Zeile 11, Spalte 'treatment', Wert 'ignorieren': unbekannte Behandlung (erlaubt: vermeiden, "
    "reduzieren, transferieren, akzeptieren)",
    "risks.csv, Zeile 12, Spalte 'accepted_by', Wert '': Risikoübernahme ('akzeptieren') braucht in 'accepted_by', "
    "wer das Risiko übernommen hat",
    "risks.csv, Zeile 12, Spalte 'note', Wert '': Risikoübernahme ('akzeptieren') braucht eine Begründung in 'note'",
    "risks.csv, Zeile 13, Spalte 'accepted_by', Wert 'ISB': 'accepted_by' braucht eine Behandlung: wer das Risiko "
    "trägt, übernimmt es ('akzeptieren') oder das Restrisiko nach 'reduzieren', 'transferieren' oder 'vermeiden'",
    "risks.csv, Zeile 14, Spalte 'residual_frequency', Wert 'selten': Restrisiko ohne Behandlung: zuerst "
    "'treatment' angeben",
    "risks.csv, Zeile 15, Spalte 'residual_frequency', Wert 'häufig': Rest-Häufigkeit höher als die Häufigkeit "
    "ohne Behandlung (mittel)",
    "risks.csv, Zeile 15, Spalte 'residual_impact', Wert '': Rest-Auswirkung fehlt (Rest-Häufigkeit ist angegeben)",
    "risks.csv, Zeile 16, Spalte 'residual_impact', Wert 'beträchtlich': Rest-Auswirkung höher als die Auswirkung "
    "ohne Behandlung (begrenzt)",
    "risks.csv, Zeile 17, Spalte 'threat', Wert 'g0.18': doppelte Zeile für APP-1/G 0.18 (bereits in Zeile 7)",
    "risks.csv, Zeile 18, Wert 'zuviel': mehr Zellen als Spalten in der Kopfzeile",
]


#: The one problem of BAD_ROWS that needs the catalog (which elementary threats exist).
UNKNOWN_THREAT = BAD_MESSAGES[3]
#: The problems of BAD_ROWS that read_assessment finds without a catalog.
READ_MESSAGES = [m for m in BAD_MESSAGES if m != UNKNOWN_THREAT]


def test_every_problem_of_risks_csv_at_once_with_row_column_and_value(tmp_path, shared_catalogs):
    # Without catalog read_assessment reports every problem of the rows at once ...
    folder = make(tmp_path / "bad", BAD_ROWS)
    with pytest.raises(AssessmentError) as info:
        read_assessment(folder)
    assert [str(p) for p in info.value.problems] == READ_MESSAGES
    assert str(info.value).startswith(f"{len(READ_MESSAGES)} Fehler in {folder}:\n  risks.csv, Zeile 2")
    # ... the unknown elementary threat (G 0.99, line 5) shows when the risk analysis asks the catalog
    folder = make(tmp_path / "threat", "APP-1,G 0.18,,,,,,,,\nAPP-1,G 0.19,,,,,,,,\nAPP-1,G 0.20,,,,,,,,\n"
                                        "APP-1,G 0.99,,,,,,,,\n")
    analysis = analysed(folder, shared_catalogs)
    with pytest.raises(AssessmentError) as info:
        analysis.risks
    assert [str(p) for p in info.value.problems] == [UNKNOWN_THREAT]
    assert str(info.value) == f"1 Fehler in {folder}:\n  {UNKNOWN_THREAT}"


def test_matrix_and_risks_csv_problems_are_reported_together(tmp_path):
    folder = make(tmp_path / "both", "APP-1,G 0.18,,oft,begrenzt,,,,,\n", "name: Test\nrisk_matrix: streng\n")
    with pytest.raises(AssessmentError) as info:
        read_assessment(folder)
    assert [p.file for p in info.value.problems] == ["assessment.yaml", "risks.csv"]


@pytest.mark.parametrize(("text", "message"), [
    ("", "risks.csv: Datei ist leer (keine Kopfzeile)"),
    ("object,title\nAPP-1,x\n", "risks.csv, Spalte 'threat': Pflichtspalte fehlt"),
])
def test_risks_csv_without_header_or_required_column(tmp_path, text, message):
    folder = make(tmp_path / "hdr")
    (folder / "risks.csv").write_text(text, encoding="utf-8")
    with pytest.raises(AssessmentError) as info:
        read_assessment(folder)
    assert [str(p) for p in info.value.problems] == [message]


def test_object_that_needs_no_analysis_and_reduce_without_measures_are_warnings(tmp_path, shared_catalogs):
    folder = make(tmp_path / "warn", "APP-2,G 0.18,,mittel,begrenzt,,,,,\nAPP-2,G 0.20,,selten,begrenzt,,,,,\n"
                                     "APP-1,G 0.25,,häufig,beträchtlich,reduzieren,,,,\n")
    risks = analysed(folder, shared_catalogs).risks
    assert [str(w) for w in risks.warnings] == [
        "risks.csv, Zeile 2, Spalte 'object', Wert 'APP-2': Zielobjekt braucht keine Risikoanalyse (kein hoher "
        "Schutzbedarf, Baustein vorhanden, nicht atypisch); die Bewertung wird als freiwillige Risikoanalyse geführt",
        "risks.csv, Zeile 4, Spalte 'note', Wert '': 'reduzieren' sollte in 'note' die zusätzlichen Maßnahmen nennen",
    ]
    voluntary = risks["APP-2"]
    assert voluntary.flagged.kinds == ("freiwillig",) and not voluntary.flagged.pressing
    assert [r.threat for r in voluntary.risks if r.rated] == ["G 0.18", "G 0.20"]
    # a high risk reduced without residual rating: the residual risk counts as high until it is rated
    assert next(r for r in risks["APP-1"].risks if r.threat == "G 0.25").status == "Restrisiko nicht übernommen"


# --------------------------------------------------------------------------- results

RATED = """APP-1,G 0.28,,häufig,existenzbedrohend,,,,,
APP-1,G 0.18,,mittel,existenzbedrohend,akzeptieren,Fachlich vertretbar,Bürgermeisterin,,
APP-1,G 0.25,,häufig,beträchtlich,reduzieren,Zweiter Server,,selten,begrenzt
APP-1,G 0.20,,selten,vernachlässigbar,,,,,
APP-1,Z-9,Eigenes Risiko,mittel,begrenzt,,,,,
"""


@pytest.fixture()
def rated(tmp_path, shared_catalogs):
    return analysed(make(tmp_path / "rated", RATED), shared_catalogs).risks


def test_ratings_categories_treatments_and_residual_risk(rated):
    entry = rated["APP-1"]
    by_threat = {r.threat: r for r in entry.risks}
    assert [r.threat for r in entry.risks][-1] == "Z-9"
    assert (by_threat["Z-9"].source, by_threat["Z-9"].title, by_threat["Z-9"].requirements) == (
        "ergänzt", "Eigenes Risiko", ())
    assert by_threat["G 0.28"].category is RiskCategory.SEHR_HOCH and by_threat["G 0.28"].status == "unbehandelt"
    accepted = by_threat["G 0.18"]
    assert (accepted.category, accepted.treatment, accepted.accepted_by) == (
        RiskCategory.HOCH, Treatment.AKZEPTIEREN, "Bürgermeisterin")
    assert (accepted.residual_frequency, accepted.residual_impact, accepted.residual_category) == (
        Frequency.MITTEL, Impact.EXISTENZBEDROHEND, RiskCategory.HOCH)
    reduced = by_threat["G 0.25"]
    assert (reduced.category, reduced.residual_category, reduced.status) == (
        RiskCategory.HOCH, RiskCategory.GERING, "behandelt")
    assert by_threat["G 0.20"].status == "bewertet" and by_threat["G 0.45"].status == "nicht bewertet"
    assert entry.by_category() == {"gering": 2, "mittel": 0, "hoch": 2, "sehr hoch": 1}
    assert [r.threat for r in entry.untreated] == ["G 0.28"]
    total = len(entry.risks)
    assert len(entry.open) == total - 5
    assert entry.status == f"offen: {total - 5} von {total} Gefährdungen nicht bewertet"
    assert [(r.object, r.threat) for r in rated.untreated] == [("APP-1", "G 0.28")]
    assert "APP-1" in rated.open_objects


def test_complete_analysis_status(tmp_path, shared_catalogs):
    proposed = [t for t in analysed(make(tmp_path / "o"), shared_catalogs).kompendium.threats if t != "G 0.16"]
    rows = ("CL-P,G 0.16,,mittel,begrenzt,,,,,\nCL-P,Z-1,Treiber mit Adminrechten,häufig,beträchtlich,,,,,\n"
            + "".join(f"CL-P,{t},,selten,vernachlässigbar,,,,,\n" for t in proposed))
    risks = analysed(make(tmp_path / "c", rows), shared_catalogs).risks
    assert risks["CL-P"].status == "bewertet, 1 hohes Risiko unbehandelt"
    avoided = rows.replace("beträchtlich,,,", "beträchtlich,vermeiden,Tablett wird ersetzt,")
    risks = analysed(make(tmp_path / "d", avoided), shared_catalogs).risks
    assert risks["CL-P"].status == "bewertet, 1 hohes Restrisiko nicht übernommen"
    rated = avoided.replace("Tablett wird ersetzt,,,", "Tablett wird ersetzt,,selten,begrenzt")
    risks = analysed(make(tmp_path / "e", rated), shared_catalogs).risks
    assert risks["CL-P"].status == "abgeschlossen" and risks["CL-P"].complete


def test_records_and_frames(rated):
    records = risk_records(rated, "APP-1")
    assert records[0].keys() == {"object", "threat", "title", "source", "requirements", "relevant", "frequency",
                                 "impact", "category", "treatment", "note", "accepted_by", "accepted_on",
                                 "residual_frequency", "residual_impact", "residual_category", "status", "row"}
    g028 = next(r for r in records if r["threat"] == "G 0.28")
    assert (g028["category"], g028["status"], g028["row"]) == ("sehr hoch", "unbehandelt", 2)
    assert all(g028["requirements"]) and g028["requirements"][0].startswith("APP.6.")
    frame = risk_frame(rated)
    assert len(frame) == len(rated.risks)
    assert frame["category"].cat.ordered and frame["category"].max() == "sehr hoch"
    assert frame["frequency"].isna().sum() == sum(not r.rated for r in rated.risks)
    overview = threat_overview_records(rated, "APP-1")
    assert [r["threat"] for r in overview] == [r["threat"] for r in records]
    assert sum(r["rated"] for r in overview) == 5
    assert list(threat_overview_frame(rated).columns) == ["object", "threat", "title", "source", "requirements",
                                                          "rated"]
    summary = {r["object"]: r for r in risk_summary_records(rated)}
    assert (summary["APP-1"]["rated"], summary["APP-1"]["sehr hoch"], summary["APP-1"]["untreated"]) == (5, 1, 1)
    assert summary["CL-P"]["reasons"] == ["ohne Baustein"]
    assert risk_summary_frame(rated).loc["APP-1", "need"] == "hoch"
    with pytest.raises(UnknownObjectError, match="braucht keine Risikoanalyse"):
        rated["APP-2"]


# --------------------------------------------------------------------------- worked example


def test_haan_worked_example_figures(haan_risks):
    assert haan_risks.warnings == ()
    assert haan_risks.matrix is DEFAULT_MATRIX
    assert haan_risks.by_category() == {"gering": 8, "mittel": 30, "hoch": 10, "sehr hoch": 1}
    assert sum(r.rated for r in haan_risks.risks) == 49
    assert [(r.object, r.threat) for r in haan_risks.untreated] == [("SRV-01", "G 0.30"), ("DL-08", "G 0.40")]
    status = {o.flagged.object: o.status for o in haan_risks}
    assert status["APP-03"] == "abgeschlossen"
    assert status["SRV-01"] == "offen: 13 von 25 Gefährdungen nicht bewertet"
    assert status["DL-08"] == "offen: 43 von 47 Gefährdungen nicht bewertet"
    assert status["DL-15"] == "offen: 47 von 47 Gefährdungen nicht bewertet"
    accepted = [r for r in haan_risks.risks if r.treatment is Treatment.AKZEPTIEREN]
    assert {(r.object, r.threat) for r in accepted} == {("APP-03", "G 0.31"), ("APP-36", "G 0.25"),
                                                        ("DL-12", "G 0.11")}
    assert all(r.note and r.accepted_by for r in accepted)
    for object_id in ("CL-03", "CL-04", "R-08", "DL-08", "DL-12"):  # no Baustein: all 47 proposed
        sources = {r.threat: r.source for r in haan_risks[object_id].risks}
        assert [t for t, source in sources.items() if source == "vorgeschlagen"] == [f"G 0.{n}" for n in
                                                                                       range(1, 48)]
        assert set(sources.values()) <= {"vorgeschlagen", "ergänzt"}


# --------------------------------------------------------------------------- CLI


@pytest.fixture()
def run(shared_catalogs):
    runner = CliRunner()

    def invoke(*args):
        return runner.invoke(main, ["risk", *map(str, args), "--catalogs", str(shared_catalogs)])

    return invoke


def test_cli_risk_summary(run, haan):
    result = run(haan)
    assert result.exit_code == 0, result.output
    out = result.output
    assert out.startswith("Risikoanalyse (BSI-Standard 200-3): Informationsverbund Stadtverwaltung Haan\n"
                          "179 Zielobjekte mit Risikoanalyse (Gründe: sehr hoch 73, ohne Baustein 8, hoch 171)\n"
                          "Gefährdungen: 2956, bewertet 49, offen 2907; Analysen offen: 178\n"
                          "Risiken nach Kategorie: gering 8, mittel 30, hoch 10, sehr hoch 1 "
                          "(Risikomatrix: Beispiel aus BSI-Standard 200-3)\n")
    assert "Unbehandelte hohe Risiken (hoch/sehr hoch ohne Behandlung)" in out
    untreated = out.split("Unbehandelte hohe Risiken")[1]
    assert "SRV-01      G 0.30      Unberechtigte Nutzung oder Administration von Geräten und  hoch" in untreated
    assert "DL-08       G 0.40" in untreated


def test_cli_risk_one_object(run, haan):
    out = run(haan, "--object", "APP-03").output
    assert out.startswith("APP-03 – AUTISTA (elektronisches Personenstandsregister)\n"
                          "Risikoanalyse: Schutzbedarf sehr hoch in Integrität: Risikoanalyse immer erforderlich; "
                          "Schutzbedarf hoch in Vertraulichkeit, Verfügbarkeit\nStand: abgeschlossen\n")
    assert "G 0.31      Fehlerhafte Nutzung oder Administration von" in out
    assert "(übernommen von: Bürgermeisterin)" in out


def test_cli_risk_csv_and_json(run, haan):
    rows = list(csv.DictReader(io.StringIO(run(haan, "--format", "csv").output)))
    assert len(rows) == 179 and rows[0]["object"] == "APP-01"
    rows = list(csv.DictReader(io.StringIO(run(haan, "--object", "SRV-01", "-f", "csv").output)))
    assert [r["threat"] for r in rows if r["status"] == "unbehandelt"] == ["G 0.30"]
    data = json.loads(run(haan, "-f", "json").output)
    assert data["by_category"] == {"gering": 8, "mittel": 30, "hoch": 10, "sehr hoch": 1}
    assert [r["threat"] for r in data["untreated"]] == ["G 0.30", "G 0.40"]
    data = json.loads(run(haan, "--object", "DL-12", "-f", "json").output)
    assert data["reasons"] == ["ohne Baustein", "hoch"] and len(data["risks"]) == 47


def test_cli_risk_errors(run, haan, tmp_path):
    result = run(haan, "--object", "SRV-99")
    assert result.exit_code == 1
    assert result.output == f"Fehler: Zielobjekt 'SRV-99' gibt es in {haan} nicht\n"
    result = run(haan, "--object", "APP-09")
    assert result.exit_code == 1
    assert result.output == ("Fehler: Zielobjekt 'APP-09' braucht keine Risikoanalyse und hat keine Zeilen in "
                             "risks.csv\n")
    folder = make(tmp_path / "bad", BAD_ROWS)  # read_assessment: every problem found without catalog
    result = run(folder)
    assert result.exit_code == 1
    assert result.output == "\n".join([f"Fehler: {len(READ_MESSAGES)} Fehler in {folder}:",
                                       *(f"  {m}" for m in READ_MESSAGES)]) + "\n"
    folder = make(tmp_path / "threat", "APP-1,G 0.18,,,,,,,,\nAPP-1,G 0.19,,,,,,,,\nAPP-1,G 0.20,,,,,,,,\n"
                                        "APP-1,G 0.99,,,,,,,,\n")  # the catalog: unknown elementary threat
    result = run(folder)
    assert result.exit_code == 1
    assert result.output == f"Fehler: 1 Fehler in {folder}:\n  {UNKNOWN_THREAT}\n"


def test_cli_risk_warnings(run, tmp_path):
    folder = make(tmp_path / "w", "APP-2,G 0.18,,mittel,begrenzt,,,,,\n")
    table = run(folder).output
    assert "\nHinweise\n  risks.csv, Zeile 2, Spalte 'object', Wert 'APP-2': Zielobjekt braucht keine" in table
    result = run(folder, "-f", "csv")
    assert result.stderr.startswith("Hinweis: risks.csv, Zeile 2")
    assert "Hinweis" not in result.stdout
