"""Modellierung and requirement selection against the real Kompendium 2023 and KRT."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from grundschutz import (
    AssessmentError,
    BasicValue,
    GrundschutzError,
    Level,
    Need,
    ObjectType,
    Settings,
    TargetObject,
    analyse,
    load_catalog,
    propagate,
    read_assessment,
)
from grundschutz.catalog import (
    Catalog,
    CrossReference,
    Kompendium,
    parse_modelling_rules,
    read_krt,
    read_modelling_rules,
)
from grundschutz.method.modelling import model_assessment
from grundschutz.method.selection import select_requirements
from grundschutz.model import INFORMATIONSVERBUND_ID, Assessment, ModellingChange, RulesError
from grundschutz.views.requirements_tables import modelling_frame, modelling_records, requirement_frame

KRT = "sarnold0322_BSI-Grundschutz-Tools/xlsx/krt2023_Excel.xlsx"
RULES = read_modelling_rules()
#: The files of the worked example without its modelling.csv (and without check, risks, scenarios).
HAAN_FILES = ("assessment.yaml", "objects.csv", "dependencies.csv", "needs.csv")
LETTER = {BasicValue.CONFIDENTIALITY: "C", BasicValue.INTEGRITY: "I", BasicValue.AVAILABILITY: "A"}


@pytest.fixture(scope="module")
def krt(shared_catalogs: Path) -> CrossReference:
    return read_krt(shared_catalogs / KRT)


@pytest.fixture(scope="module")
def catalog(shared_catalogs: Path) -> Catalog:
    return load_catalog(shared_catalogs)


@pytest.fixture(scope="module")
def kompendium(catalog) -> Kompendium:
    """The Kompendium with the KRT's CIA letters (load_catalog), loaded once for this module."""
    return catalog.kompendium


@pytest.fixture(scope="module")
def haan_analysis(haan, catalog):
    return analyse(read_assessment(haan), catalog)


@pytest.fixture(scope="module")
def haan_assessment(haan_analysis):
    return haan_analysis.assessment


@pytest.fixture(scope="module")
def haan_modelling(haan_analysis):
    return haan_analysis.modelling


@pytest.fixture(scope="module")
def haan_propagation(haan_analysis):
    return haan_analysis.propagation


@pytest.fixture(scope="module")
def haan_selection(haan_analysis):
    return haan_analysis.selection


def assessment_of(*objects: TargetObject, needs=None, variant="standard", name="Test") -> Assessment:
    return Assessment(Settings(name=name, variant=variant), {o.id: o for o in objects}, needs=needs or {})


def letters_of(krt: CrossReference, requirement_id: str) -> set[str]:
    """The CIA letters straight from the KRT workbook (independent of the selection code)."""
    return set(krt.cia[requirement_id])


# --------------------------------------------------------------------------- the rule file


def test_rule_file_names_only_bausteine_of_the_catalog(kompendium):
    assert len(RULES) >= 80
    assert RULES.bausteine <= set(kompendium.bausteine)
    read_modelling_rules(kompendium=kompendium)  # validates without error


def test_rules_cover_all_ten_layers(kompendium):
    layers = {kompendium.bausteine[b].layer for b in RULES.bausteine}
    assert layers == {"ISMS", "ORP", "CON", "OPS", "DER", "APP", "SYS", "IND", "NET", "INF"}


@pytest.mark.parametrize(
    ("object_type", "tags", "expected"),
    [
        (ObjectType.SERVER, {"os": "windows-server"}, {"SYS.1.1", "SYS.1.2.3"}),
        (ObjectType.SERVER, {"os": "linux"}, {"SYS.1.1", "SYS.1.3"}),
        (ObjectType.CLIENT, {"os": "windows11"}, {"APP.1.2", "SYS.2.1", "SYS.2.2.3"}),
        (ObjectType.MOBILE, {"os": "android13"}, {"SYS.3.2.1", "SYS.3.2.4"}),
        (ObjectType.PRINTER, {}, {"SYS.4.1"}),
        (ObjectType.TELEPHONY, {"voip": ""}, {"NET.4.1", "NET.4.2"}),
        (ObjectType.ROOM, {"serverraum": ""}, {"INF.2"}),
        (ObjectType.APPLICATION, {"office": ""}, {"APP.1.1", "APP.6"}),
        (ObjectType.APPLICATION, {"groupware": ""}, {"APP.5.3", "APP.6"}),
        (ObjectType.APPLICATION, {"webanwendung": ""}, {"APP.3.1", "APP.6"}),
        (ObjectType.APPLICATION, {"webanwendung": "", "betrieb": "extern"}, {"APP.6"}),
        (ObjectType.NETWORK, {"wlan": ""}, {"NET.2.1"}),
        (ObjectType.SERVER, {"speicher": ""}, {"SYS.1.8"}),
        (ObjectType.SERVER, {"speicher": "", "nas": ""}, {"APP.3.3", "SYS.1.1", "SYS.1.8"}),
        (ObjectType.SERVICE, {"cloud": ""}, {"OPS.2.2"}),
        (ObjectType.SERVICE, {"outsourcing": ""}, {"OPS.2.3"}),
        (ObjectType.SERVICE, {}, set()),
    ],
)
def test_examples_from_the_issue(kompendium, object_type, tags, expected):
    obj = TargetObject("X", object_type, "x", tags=tags)
    assert set(model_assessment(assessment_of(obj), kompendium, RULES).bausteine("X")) == expected


def test_when_present_rule_needs_a_matching_object(kompendium):
    plain = model_assessment(assessment_of(TargetObject("P", ObjectType.PRINTER, "Drucker")), kompendium, RULES)
    assert "SYS.3.2.2" not in plain.bausteine("IV") and "ISMS.1" in plain.bausteine("IV")
    mdm = TargetObject("M", ObjectType.MOBILE, "Tablets", tags={"mdm": ""})
    assert "SYS.3.2.2" in model_assessment(assessment_of(mdm), kompendium, RULES).bausteine("IV")


# --------------------------------------------------------------------------- rule errors


def test_unknown_baustein_in_rules_is_reported_with_the_rule_position(kompendium):
    text = (
        "edition: kompendium-2023\n"
        "rules:\n"
        "  - id: drucker\n"
        "    type: printer\n"
        "    bausteine: [SYS.4.1]\n"
        "    reason: Drucker.\n"
        "  - id: kaffeemaschine\n"
        "    type: iot\n"
        "    bausteine: [SYS.4.9, SYS.4.4]\n"
        "    reason: Kaffee.\n"
    )
    with pytest.raises(RulesError) as info:
        parse_modelling_rules(text, "modelling.yaml", kompendium)
    assert [str(p) for p in info.value.problems] == [
        "modelling.yaml, Zeile 7, Spalte 'rules[2].bausteine', Wert 'SYS.4.9': "
        "Regel 2 'kaffeemaschine': Baustein gibt es im Kompendium nicht"
    ]
    assert isinstance(info.value, GrundschutzError)


def test_rule_errors_are_reported_all_at_once():
    text = (
        "edition: kompendium-2023\n"
        "rules:\n"
        "  - id: a\n"
        "    type: drucker\n"
        "    bausteine: [SYS.4.1]\n"
        "    reason: ok\n"
        "  - id: a\n"
        "    type: printer\n"
        "    bausteine: [SYS.4.1]\n"
        "    reason: doppelt\n"
        "  - id: b\n"
        "    type: toaster\n"
        "    any: [os=]\n"
        "    bausteine: []\n"
        "    colour: red\n"
        "  - id: c\n"
        "    type: process\n"
        "    covered: true\n"
        "    bausteine: [ISMS.1]\n"
        "    reason: beides\n"
    )
    with pytest.raises(RulesError) as info:
        parse_modelling_rules(text)
    assert [str(p) for p in info.value.problems] == [
        "modelling.yaml, Zeile 7, Spalte 'rules[2].id', Wert 'a': Regel 2 'a': doppelte Regel-ID (bereits Regel 1)",
        "modelling.yaml, Zeile 11, Spalte 'rules[3].any', Wert 'os=': Regel 3 'b': Wert nach '=' fehlt "
        "(für 'Tag vorhanden' nur den Namen angeben)",
        "modelling.yaml, Zeile 11, Spalte 'rules[3].bausteine', Wert '[]': Regel 3 'b': leere Liste "
        "(für 'keine eigenen Bausteine' covered: true angeben)",
        "modelling.yaml, Zeile 11, Spalte 'rules[3].colour': Regel 3 'b': unbekannter Schlüssel 'colour' (erlaubt: "
        "all, any, bausteine, covered, covered_by, depends_on, id, none, reason, scope, type, uncovered, used_by, "
        "when_absent, when_present)",
        "modelling.yaml, Zeile 11, Spalte 'rules[3].reason': Regel 3 'b': Begründung fehlt",
        "modelling.yaml, Zeile 11, Spalte 'rules[3].type', Wert 'toaster': Regel 3 'b': unbekannter Objekttyp "
        "'toaster' (erlaubt: process, application, server, client, mobile, network_device, printer, telephony, "
        "ics, iot, network, room, building, service, informationsverbund)",
        "modelling.yaml, Zeile 16, Spalte 'rules[4].covered', Wert 'True': Regel 4 'c': eine Regel nennt "
        "entweder Bausteine oder covered: true, nicht beides",
    ]


def test_rules_yaml_syntax_error_and_other_edition():
    with pytest.raises(RulesError, match="Zeile 3"):
        parse_modelling_rules("rules:\n  - id: a\n   type: [x\n")
    with pytest.raises(RulesError, match="Grundschutz\\+\\+-Regeln"):
        parse_modelling_rules("edition: grundschutz++\nrules: []\n")
    with pytest.raises(RulesError, match="Datei nicht lesbar"):
        read_modelling_rules("/nonexistent/modelling.yaml")


def test_rules_are_data_not_code():
    with pytest.raises(RulesError):
        parse_modelling_rules("rules: !!python/object/apply:os.system ['echo hi']\n")


# --------------------------------------------------------------------------- the worked example


def test_every_object_of_the_worked_example_has_bausteine_or_is_listed(haan_modelling, haan_assessment):
    ids = list(haan_modelling.objects)
    assert ids[0] == INFORMATIONSVERBUND_ID
    assert set(ids) == set(haan_assessment.objects) | {INFORMATIONSVERBUND_ID}
    with_bausteine = set(haan_modelling.modelled)
    without = set(haan_modelling.without_bausteine)
    assert with_bausteine | without == set(ids) and not with_bausteine & without
    networks = {"NET-01", "NET-02", "NET-03", "NET-04", "NET-05", "NET-06", "NET-07", "NET-11", "NET-12", "NET-13"}
    exchange = {"DL-04", "DL-05", "DL-06", "DL-07", "DL-13", "DL-14", "DL-19", "DL-21", "DL-23", "DL-24"}
    processes = {o for o in ids if o.startswith("GP-")}
    assert set(haan_modelling.covered) == processes | networks | exchange | {"NWD-06"}
    assert set(haan_modelling.unmodelled) == {"CL-03", "CL-04", "R-08", "DL-08", "DL-09", "DL-12", "DL-15", "DL-22"}
    assert {o for o in haan_modelling.unmodelled if haan_modelling[o].uncovered} == {
        "DL-08", "DL-09", "DL-12", "DL-15", "DL-22"}
    assert len(with_bausteine) == len(ids) - 17 - 10 - 10 - 1 - 8


def test_informationsverbund_carries_the_process_bausteine(haan_modelling, kompendium):
    verbund = haan_modelling[INFORMATIONSVERBUND_ID]
    assert verbund.object.name == "Informationsverbund Stadtverwaltung Haan"
    assert verbund.object.type is ObjectType.INFORMATIONSVERBUND
    layers = {kompendium.bausteine[b].layer for b in verbund.bausteine}
    assert {"ISMS", "ORP", "CON", "OPS", "DER"} <= layers
    for always in ("ISMS.1", "ORP.4", "CON.3", "OPS.1.1.3", "DER.2.1", "CON.2", "OPS.1.2.5", "SYS.3.2.2", "NET.1.1",
                   "INF.9", "CON.9", "DER.3.1"):
        assert always in verbund.bausteine
    # process Bausteine only at the Informationsverbund
    for object_id, entry in haan_modelling.objects.items():
        if object_id != INFORMATIONSVERBUND_ID:
            assert not {"ISMS.1", "ORP.1", "DER.2.1"} & set(entry.bausteine)


def test_hand_changes_of_the_worked_example(haan_modelling):
    ad = haan_modelling["APP-60"]
    added = next(a for a in ad.assignments if a.baustein == "APP.2.2")
    assert added.manual and added.source == "hand" and added.row == 2 and "Active Directory" in added.reason
    phones = haan_modelling["TK-02"]
    assert "NET.4.1" not in phones.bausteine and "NET.4.2" in phones.bausteine
    (removal,) = phones.removals
    assert removal.baustein == "NET.4.1" and removal.rule == "tk-anlage" and "Endgeräte" in removal.reason
    assert haan_modelling["CL-01"].assignments[0].rule == "webbrowser-client"  # APP.1.2 now by rule
    assert haan_modelling["R-14"].bausteine == ("INF.7", "INF.10")
    srv = haan_modelling["SRV-01"]
    assert srv.bausteine == ("APP.4.3", "SYS.1.1", "SYS.1.2.3")  # Kompendium order
    assert srv.assignments[1].rule == "server-allgemein"


def test_modelling_records_and_frame(haan_modelling):
    records = modelling_records(haan_modelling)
    statuses = {(r["object"], r["baustein"]): r["status"] for r in records}
    assert statuses[("TK-02", "NET.4.1")] == "entfernt"
    assert statuses[("GP-01", "")] == "abgedeckt"
    assert statuses[("CL-03", "")] == "ohne Baustein"
    assert statuses[("IV", "ISMS.1")] == "zugeordnet"
    frame = modelling_frame(haan_modelling)
    assert list(frame.columns) == ["object", "type", "name", "baustein", "title", "status", "source", "rule", "reason",
                                   "hint"]
    assert len(frame) == len(records)
    assert (frame["status"] == "ohne Baustein").sum() == 8
    dl08 = next(r for r in records if r["object"] == "DL-08")
    assert dl08["rule"] == "telekommunikation" and dl08["reason"].startswith("Telekommunikationsdienstleistung")


# --------------------------------------------------------------------------- modelling.csv


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture()
def folder(tmp_path, haan) -> Path:
    """The worked example without its modelling.csv: the tests write their own."""
    for name in HAAN_FILES:
        (tmp_path / name).write_bytes((haan / name).read_bytes())
    return tmp_path


def test_modelling_csv_is_optional(folder):
    assert read_assessment(folder).modelling_changes == ()


#: Rows of modelling.csv with problems (row 7 is fine, row 8 repeats it).
ROWS = (
    "SRV-99,SYS.1.1,add,\n"
    "SRV-01,SYS.9.9,add,\n"
    "SRV-01,SYS.1.1.A6,add,\n"
    "SRV-01,APP.3.2,ergänzen,\n"
    "SRV-01,SYS.1.1,remove,\n"
    "CL-01,APP.1.1,add,Office\n"
    "CL-01,APP.1.1,entfernen,doch nicht\n"
    ",,add,\n"
)


def test_modelling_csv_errors_are_reported_by_row(folder, catalog):
    # what needs no catalog (object ids, action words, reasons, duplicates): read_assessment
    _write(folder / "modelling.csv", "object,baustein,action,reason\n" + ROWS)
    with pytest.raises(AssessmentError) as info:
        read_assessment(folder)
    assert [str(p) for p in info.value.problems] == [
        "modelling.csv, Zeile 2, Spalte 'object', Wert 'SRV-99': unbekannte Objekt-ID",
        "modelling.csv, Zeile 5, Spalte 'action', Wert 'ergänzen': unbekannte Aktion "
        "(erlaubt: add, remove bzw. hinzufügen, entfernen)",
        "modelling.csv, Zeile 6, Spalte 'reason', Wert '': Entfernen eines Bausteins braucht eine Begründung",
        "modelling.csv, Zeile 8, Spalte 'baustein', Wert 'APP.1.1': doppelte Zeile für CL-01/APP.1.1 "
        "(bereits in Zeile 7)",
        "modelling.csv, Zeile 9, Spalte 'baustein', Wert '': leere Baustein-ID",
        "modelling.csv, Zeile 9, Spalte 'object', Wert '': leere Objekt-ID",
    ]
    # what needs the Kompendium: the Modellierung step (those rows blanked, row numbers kept)
    lines = ROWS.splitlines(keepends=True)
    _write(folder / "modelling.csv", "object,baustein,action,reason\n" + "".join(
        "\n" if number in (2, 5, 6, 8, 9) else line for number, line in enumerate(lines, start=2)))
    with pytest.raises(AssessmentError) as info:
        analyse(read_assessment(folder), catalog).modelling
    assert [str(p) for p in info.value.problems] == [
        "modelling.csv, Zeile 3, Spalte 'baustein', Wert 'SYS.9.9': Baustein gibt es im Kompendium nicht",
        "modelling.csv, Zeile 4, Spalte 'baustein', Wert 'SYS.1.1.A6': Baustein gibt es im Kompendium nicht "
        "(das ist eine Anforderung, kein Baustein)",
    ]


def test_modelling_csv_missing_column(folder):
    _write(folder / "modelling.csv", "object,baustein,reason\nSRV-01,APP.3.2,x\n")
    with pytest.raises(AssessmentError) as info:
        read_assessment(folder)
    assert [str(p) for p in info.value.problems] == ["modelling.csv, Spalte 'action': Pflichtspalte fehlt"]


def test_hand_changes_that_do_not_fit_the_rules(folder, catalog, kompendium):
    _write(folder / "modelling.csv", (
        "object,baustein,action,reason\n"
        "SRV-01,SYS.1.1,add,schon da\n"
        "SRV-01,SYS.1.3,remove,nie zugeordnet\n"
        "IV,DER.2.3,add,Bereinigung weitreichender Vorfälle\n"
    ))
    assessment = read_assessment(folder)
    changes = assessment.modelling_changes
    assert changes[2] == ModellingChange("IV", "DER.2.3", "add", "Bereinigung weitreichender Vorfälle", 4)
    with pytest.raises(AssessmentError) as info:
        analyse(assessment, catalog).modelling
    assert [str(p) for p in info.value.problems] == [
        "modelling.csv, Zeile 2, Spalte 'baustein', Wert 'SYS.1.1': SYS.1.1 ist SRV-01 bereits durch Regel "
        "'server-allgemein' zugeordnet",
        "modelling.csv, Zeile 3, Spalte 'baustein', Wert 'SYS.1.3': SYS.1.3 ist SRV-01 durch keine Regel "
        "zugeordnet; Entfernen nicht möglich",
    ]
    fine = model_assessment(assessment, kompendium, RULES, changes[2:])
    assert "DER.2.3" in fine.bausteine("IV")


def test_reserved_id_and_grundschutz_plus_plus(kompendium):
    clash = assessment_of(TargetObject("IV", ObjectType.SERVER, "Server IV"))
    with pytest.raises(GrundschutzError, match="reserviert"):
        model_assessment(clash, kompendium, RULES)
    gspp = Assessment(Settings(edition="grundschutz++"), {})
    with pytest.raises(GrundschutzError, match="braucht den Grundschutz\\+\\+-Katalog"):
        model_assessment(gspp, kompendium, RULES)


def test_explicit_informationsverbund_object_is_used(kompendium):
    verbund = TargetObject("VERBUND", ObjectType.INFORMATIONSVERBUND, "Verbund")
    modelling = model_assessment(assessment_of(verbund), kompendium, RULES)
    assert list(modelling.objects) == ["VERBUND"] and "ISMS.1" in modelling.bausteine("VERBUND")


# --------------------------------------------------------------------------- requirement selection


def _selection(kompendium, *objects, needs=None, variant=None, settings_variant="standard"):
    assessment = assessment_of(*objects, needs=needs, variant=settings_variant)
    modelling = model_assessment(assessment, kompendium, RULES)
    return select_requirements(modelling, propagate(assessment), kompendium, variant)


WINDOWS_SERVER = TargetObject("S", ObjectType.SERVER, "Server", tags={"os": "windows-server"})


def _needs(high: set[BasicValue], level=Level.HOCH) -> dict:
    return {"S": {v: Need(level if v in high else Level.NORMAL, "Test") for v in BasicValue}}


@pytest.mark.parametrize("value", list(BasicValue), ids=lambda v: v.value)
def test_h_requirements_follow_the_krt_letters(kompendium, krt, value):
    """An object 'hoch' in one basic value gets exactly the H requirements whose letters name it."""
    selection = _selection(kompendium, WINDOWS_SERVER, needs=_needs({value}))
    got = {r.requirement for r in selection.for_object("S") if r.level == "H"}
    expected = {
        rid
        for baustein in ("SYS.1.1", "SYS.1.2.3")
        for rid in kompendium.bausteine[baustein].requirement_ids
        if kompendium.requirements[rid].level == "H" and not kompendium.requirements[rid].withdrawn
        and LETTER[value] in letters_of(krt, rid)
    }
    assert got == expected and expected
    for item in selection.for_object("S"):
        if item.level == "H":
            assert item.reason == f"H-Anforderung (CIA: {item.cia}), {value.label} hoch"


def test_availability_hoch_example_in_words(kompendium):
    selection = _selection(kompendium, WINDOWS_SERVER, needs=_needs({BasicValue.AVAILABILITY}))
    item = selection.get("S", "SYS.1.1.A28")
    assert item.reason == "H-Anforderung (CIA: A), Verfügbarkeit hoch" and item.cia == "A"
    assert selection.get("S", "SYS.1.1.A31") is None  # CI only
    assert selection.get("S", "SYS.1.1.A1").reason == "Basis-Anforderung von SYS.1.1"
    assert selection.get("S", "SYS.1.1.A16").reason == "Standard-Anforderung von SYS.1.1"
    several = _selection(kompendium, WINDOWS_SERVER, needs={"S": {
        BasicValue.CONFIDENTIALITY: Need(Level.SEHR_HOCH), BasicValue.INTEGRITY: Need(Level.NORMAL),
        BasicValue.AVAILABILITY: Need(Level.HOCH)}})
    assert several.get("S", "SYS.1.1.A30").reason == (
        "H-Anforderung (CIA: CIA), Vertraulichkeit sehr hoch, Verfügbarkeit hoch")


def test_normal_needs_select_no_h_requirement(kompendium):
    selection = _selection(kompendium, WINDOWS_SERVER, needs=_needs(set()))
    assert selection.count_by_level()["H"] == 0 and selection.undecided == ()


def test_unrated_values_leave_h_requirements_undecided(kompendium):
    selection = _selection(kompendium, WINDOWS_SERVER, needs={"S": {BasicValue.CONFIDENTIALITY: Need(Level.NORMAL)}})
    assert not [r for r in selection.for_object("S") if r.level == "H"]
    open_items = [u for u in selection.undecided if u.object == "S"]
    assert open_items
    a28 = next(u for u in open_items if u.requirement == "SYS.1.1.A28")
    assert a28.reason == "H-Anforderung (CIA: A) offen: Verfügbarkeit nicht bewertet"
    a31 = next(u for u in open_items if u.requirement == "SYS.1.1.A31")  # CI: C is normal, I unrated
    assert a31.reason == "H-Anforderung (CIA: CI) offen: Integrität nicht bewertet"


def test_variants(kompendium):
    def active(level):
        return {rid for b in ("SYS.1.1", "SYS.1.2.3") for rid in kompendium.bausteine[b].requirement_ids
                if kompendium.requirements[rid].level == level and not kompendium.requirements[rid].withdrawn}

    high = _needs({BasicValue.AVAILABILITY})
    basis = _selection(kompendium, WINDOWS_SERVER, needs=high, variant="basis")
    assert {r.requirement for r in basis.for_object("S")} == active("B")
    standard = _selection(kompendium, WINDOWS_SERVER, needs=high, variant="standard")
    assert {r.requirement for r in standard.for_object("S") if r.level != "H"} == active("B") | active("S")
    assert 0 < len([r for r in standard.for_object("S") if r.level == "H"]) < len(active("H"))
    # kern (BSI 200-2, chapter 7): a crown jewel's H requirements follow its need as in standard
    jewel = dataclasses.replace(WINDOWS_SERVER, tags={"os": "windows-server", "kronjuwel": ""})
    kern = _selection(kompendium, jewel, needs=_needs(set()), variant="kern")
    assert kern.count_by_level()["H"] == 0 and kern.get("S", "SYS.1.1.A28") is None
    high_kern = _selection(kompendium, jewel, needs=high, variant="kern")
    assert {r.requirement for r in high_kern} == {r.requirement for r in standard}
    # the variant defaults to assessment.yaml's
    assert _selection(kompendium, WINDOWS_SERVER, needs=high, settings_variant="basis").variant == "basis"
    with pytest.raises(GrundschutzError, match="unbekannte Variante 'voll'"):
        _selection(kompendium, WINDOWS_SERVER, variant="voll")


def test_withdrawn_requirements_are_never_selected(kompendium, haan_selection, haan_modelling, haan_propagation):
    withdrawn = {rid for rid, r in kompendium.requirements.items() if r.withdrawn}
    assert "SYS.1.1.A3" in withdrawn
    for variant in ("basis", "standard", "kern"):
        selection = select_requirements(haan_modelling, haan_propagation, kompendium, variant)
        assert not withdrawn & {r.requirement for r in selection}
        assert not withdrawn & {r.requirement for r in selection.undecided}


def test_selection_needs_the_krt_letters(kompendium):
    bare = dataclasses.replace(kompendium, cross_reference_applied=False)
    with pytest.raises(GrundschutzError, match="Kreuzreferenztabellen"):
        _selection(bare, WINDOWS_SERVER, needs=_needs(set()))
    assert _selection(bare, WINDOWS_SERVER, needs=_needs(set()), variant="basis").count_by_level()["H"] == 0


def test_worked_example_h_selection_per_basic_value(haan_selection, haan_modelling, haan_propagation, kompendium, krt):
    """Every object of the worked example gets exactly the H requirements its needs call for."""
    assessment = haan_modelling.assessment
    verbund_high = {
        v for v in BasicValue
        if any((haan_propagation.level(o, v) or 0) >= Level.HOCH for o in assessment.objects)
    }
    for object_id, entry in haan_modelling.objects.items():
        if object_id == INFORMATIONSVERBUND_ID:
            high = verbund_high
        else:
            high = {v for v in BasicValue if (haan_propagation.level(object_id, v) or 0) >= Level.HOCH}
        expected = {
            rid
            for baustein in entry.bausteine
            for rid in kompendium.bausteine[baustein].requirement_ids
            if kompendium.requirements[rid].level == "H" and not kompendium.requirements[rid].withdrawn
            and {LETTER[v] for v in high} & letters_of(krt, rid)
        }
        got = {r.requirement for r in haan_selection.for_object(object_id) if r.level == "H"}
        assert got == expected, object_id


def test_worked_example_counts(haan_selection, haan_modelling):
    counts = haan_selection.count_by_level()
    assert counts["B"] > 1000 and counts["S"] > counts["B"] and counts["H"] > 500
    assert len(haan_selection) == sum(counts.values())
    # the Informationsverbund is 'sehr hoch' somewhere in every basic value: all its H requirements
    iv = [r for r in haan_selection.for_object("IV") if r.level == "H"]
    assert iv and all(r.reason.endswith("(Maximum über alle Zielobjekte)") for r in iv)
    assert all(v is Level.SEHR_HOCH for v in haan_selection.needs["IV"].values())
    processes = [o for o in haan_modelling.objects if o.startswith("GP-")]
    assert not any(haan_selection.for_object(p) for p in processes)


def test_requirement_frame(haan_selection):
    frame = requirement_frame(haan_selection)
    assert {"object", "baustein", "requirement", "level", "reason", "title", "cia"} <= set(frame.columns)
    assert len(frame) == len(haan_selection)
    assert list(frame["level"].cat.categories) == ["B", "S", "H"]
    assert frame.loc[frame["requirement"] == "ISMS.1.A1", "reason"].iloc[0] == "Basis-Anforderung von ISMS.1"
    with_open = requirement_frame(haan_selection, undecided=True)
    assert len(with_open) == len(haan_selection) + len(haan_selection.undecided)
    assert (~with_open["selected"]).sum() == len(haan_selection.undecided)
