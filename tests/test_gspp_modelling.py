"""Grundschutz++ mode: Zielobjekt-Kategorien, control selection, check, analyse()."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import analysed

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
    propagate,
    read_assessment,
)
from grundschutz.catalog import GsppCatalog, gspp_catalog, load_catalog, parse_gspp_rules, read_gspp_rules
from grundschutz.io.values import parse_tags
from grundschutz.method.check import check_coverage
from grundschutz.method.gspp import GENERAL, GsppModelling, GsppSelection, model_gspp, select_gspp
from grundschutz.method.modelling import model_assessment
from grundschutz.model import Assessment, RulesError, Status
from grundschutz.views.requirements_tables import check_records, modelling_records, requirement_records

LIB = "BSI-Bund_Stand-der-Technik-Bibliothek"
KERNEL = f"{LIB}/control_layer/Grundschutz++/sources/catalogs/Kernel/BSI-Stand-der-Technik-Kernel-catalog.json"
C, I, A = BasicValue.CONFIDENTIALITY, BasicValue.INTEGRITY, BasicValue.AVAILABILITY


@pytest.fixture(scope="module")
def catalog(shared_catalogs: Path):
    return load_catalog(shared_catalogs)


@pytest.fixture(scope="module")
def gcat(catalog) -> GsppCatalog:
    return gspp_catalog(catalog)


@pytest.fixture(scope="module")
def rules(gcat):
    return read_gspp_rules(catalog=gcat)


@pytest.fixture(scope="module")
def kernel_controls(shared_catalogs: Path) -> dict[str, tuple[str, tuple[str, ...]]]:
    """Straight from the Kernel JSON (not through the parser): id -> (sec_level, categories)."""
    data = json.loads((shared_catalogs / KERNEL).read_text(encoding="utf-8"))["catalog"]
    result = {}

    def walk(controls):
        for control in controls:
            props = {p["name"]: p["value"] for p in control.get("props", [])}
            statement = next(p for p in control["parts"] if p["name"] == "statement")
            cats = {p["name"]: p["value"] for p in statement.get("props", [])}.get("target_object_categories", "")
            result[control["id"]] = (props["sec_level"], tuple(c.strip() for c in cats.split(",") if c.strip()))
            walk(control.get("controls", []))

    def groups(items):
        for group in items:
            walk(group.get("controls", []))
            groups(group.get("groups", []))

    groups(data["groups"])
    return result


def obj(object_id: str, type_: str, tags: str = "") -> TargetObject:
    return TargetObject(object_id, ObjectType.parse(type_), object_id, tags=parse_tags(tags))


def assessment_of(*objects: TargetObject, needs=None, variant="standard") -> Assessment:
    levels = {o: {v: Need(level) for v, level in values.items()} for o, values in (needs or {}).items()}
    return Assessment(Settings(name="Test", edition="grundschutz++", variant=variant),
                      {o.id: o for o in objects}, needs=levels)


def select(gcat, rules, assessment, variant=None) -> GsppSelection:
    modelling = model_gspp(assessment, gcat, rules)
    return select_gspp(modelling, propagate(assessment), gcat, variant)


# --------------------------------------------------------------------------- catalog


def test_profile_is_resolved_against_the_source_catalogs(gcat, catalog):
    assert gcat.title == "Anwenderkatalog Grundschutz++"
    ids = list(gcat.controls)
    methodik = catalog.oscal_catalog("gspp-methodik").controls
    kernel = catalog.oscal_catalog("gspp-kernel").controls
    assert len(methodik) == 95 and len(kernel) == 901
    # import order of the profile: Methodik (all), RISK.1.1/1.3/1.5/1.10, Kernel (all, for Kernel-G0)
    assert ids[:95] == list(methodik)
    assert ids[95:99] == ["RISK.1.1", "RISK.1.3", "RISK.1.5", "RISK.1.10"]
    assert ids[99:] == list(kernel) and len(gcat) == 1000
    assert any("Kernel-G0" in note and "ohne G0" in note for note in gcat.notes)
    user = gspp_catalog(catalog, "user-catalog")
    assert len(user) == 989 and user.notes == ()
    with pytest.raises(GrundschutzError, match="unbekannte Quelle"):
        gspp_catalog(catalog, "kernel")


def test_category_hierarchy_from_the_bsi_vocabulary(gcat):
    assert len(gcat.categories) == 39
    assert gcat.ancestors("Serverräume") == ("Räume für technische Infrastruktur", "Räume", "Standorte")
    assert gcat.ancestors("Hostsysteme") == ("IT-Systeme",)
    assert gcat.ancestors("Institutionsleitung") == ("Führungskräfte", "Mitarbeitende", "Nutzende")
    assert gcat.ancestors("IT-Systeme") == ()
    assert gcat.path("WLANs") == "Netze > Interne Netzsegmente > WLANs"


def test_missing_grundschutz_plus_plus_files_say_how_to_install(tmp_path, shared_catalogs):
    folder = tmp_path / "catalogs"
    for rel in ("sec-6_bsi-gefaehrdungen/XML_Kompendium_2023.xml",
                "sarnold0322_BSI-Grundschutz-Tools/xlsx/krt2023_Excel.xlsx"):
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel).symlink_to(shared_catalogs / rel)
    with pytest.raises(GrundschutzError, match="nicht installiert.*grundschutz catalog install"):
        gspp_catalog(load_catalog(folder))


# --------------------------------------------------------------------------- rules, one small assessment per rule

#: rule id -> an object it applies to and the category it adds (first rule naming it for that object).
RULE_EXAMPLES = {
    "geschaeftsprozess": ("process", "", "Daten"),
    "anwendung": ("application", "fachanwendung", "Anwendungen"),
    "office": ("application", "office", "Office-Anwendungen"),
    "webbrowser": ("client", "browser;os=windows10", "Webbrowser"),
    "verzeichnisdienst": ("server", "active-directory", "Verzeichnisdienste"),
    "webanwendung": ("application", "webanwendung", "Webanwendungen"),
    "webserver": ("server", "webserver", "Webserver"),
    "dateiserver": ("server", "dateiablage", "Dateiserver"),
    "dns": ("application", "dns", "DNS-Server"),
    "e-mail": ("application", "groupware", "E-Mail"),
    "videokonferenz": ("application", "videokonferenz", "VK-Anwendungen"),
    "messenger": ("application", "messenger", "Interpersonelle Kommunikation"),
    "server": ("server", "os=linux", "Hostsysteme"),
    "virtualisierung": ("server", "os=vmware-esxi7", "Virtualisierungslösungen"),
    "terminalserver": ("server", "terminalserver", "Virtualisierungslösungen"),
    "client": ("client", "os=windows10", "Endgeräte"),
    "mobilgeraet": ("mobile", "mdm", "Endgeräte"),
    "drucker": ("printer", "mfp", "IT-Systeme"),
    "fax": ("printer", "fax", "Faxe"),
    "netzkomponente": ("network_device", "", "IT-Systeme"),
    "netz-bildend": ("network_device", "switch", "Netze"),
    "netzuebergang": ("network_device", "firewall", "Externe Netzanschlüsse"),
    "tk-anlage": ("telephony", "voip", "TK-Anwendungen"),
    "tk-endgeraet": ("telephony", "telefon", "Endgeräte"),
    "ics-iot": ("iot", "usv", "IT-Systeme"),
    "netz-intern": ("network", "lan", "Interne Netzsegmente"),
    "netz-extern": ("network", "internet", "Externe Netzanschlüsse"),
    "wlan": ("network", "wlan", "WLANs"),
    "gebaeude": ("building", "", "Gebäude"),
    "raum": ("room", "büro", "Räume"),
    "serverraum": ("room", "serverraum", "Serverräume"),
    "technikraum": ("room", "verteiler", "Räume für technische Infrastruktur"),
    "datentraegerarchiv": ("room", "archivraum", "Datenträgerarchiv"),
    "dienstleistung": ("service", "", "Dienstleistungen"),
    "outsourcing": ("service", "betrieb=krz", "Outsourcing"),
    "cloud": ("service", "cloud", "Cloud-Dienste"),
}


def test_every_rule_has_an_example(rules):
    assert {r.id for r in rules} == set(RULE_EXAMPLES) | {"informationsverbund"}


@pytest.mark.parametrize("rule_id", sorted(RULE_EXAMPLES))
def test_rule(rule_id, gcat, rules):
    type_, tags, category = RULE_EXAMPLES[rule_id]
    modelling = model_gspp(assessment_of(obj("X", type_, tags)), gcat, rules)
    assignment = {a.baustein: a for a in modelling["X"].assignments}[category]
    assert assignment.rule == rule_id
    assert assignment.reason == next(r.reason for r in rules if r.id == rule_id)
    # parent categories come along, each explained by the category it comes from
    for parent in gcat.ancestors(category):
        assert parent in modelling.categories("X")
    assert not modelling.general("X") and modelling.unmodelled == ()


def test_informationsverbund_rule(gcat, rules):
    modelling = model_gspp(assessment_of(), gcat, rules)
    assert list(modelling.objects) == ["IV"]
    assert modelling.general("IV") and modelling["IV"].assignments[0].baustein == GENERAL
    assert modelling.categories("IV") == ("Institutionsleitung", "Administrierende", "IT-Produkte", "Führungskräfte",
                                          "Mitarbeitende", "Nutzende", "Einkäufe")
    parent = {a.baustein: a for a in modelling["IV"].assignments}["Nutzende"]
    assert parent.rule == "informationsverbund" and parent.reason.startswith("Oberkategorie von Institutionsleitung")


def test_rule_conditions_exclude(gcat, rules):
    modelling = model_gspp(assessment_of(
        obj("PERI", "client", "peripherie"),                   # client: none [peripherie]
        obj("WEB", "application", "webanwendung;betrieb=extern"),  # webanwendung: none [betrieb=extern]
        obj("WAN", "network", "wan"),                          # netz-intern: none [wan, ...]
        obj("SRVRAUM", "room", "serverraum;verteiler"),         # technikraum: none [serverraum]
    ), gcat, rules)
    assert modelling.categories("PERI") == () and modelling.unmodelled == ("PERI",)
    assert "Webanwendungen" not in modelling.categories("WEB")
    assert "Interne Netzsegmente" not in modelling.categories("WAN")
    infra = {a.baustein: a for a in modelling["SRVRAUM"].assignments}["Räume für technische Infrastruktur"]
    assert infra.rule == "serverraum" and infra.reason.startswith("Oberkategorie von Serverräume")


def test_rule_file_is_validated(gcat):
    text = ("edition: grundschutz++\nrules:\n"
            "  - id: a\n    type: server\n    categories: [Hostsysteme, Großrechner]\n    reason: r\n"
            "  - id: b\n    type: serverx\n    categories: [Hostsysteme]\n    covered: true\n")
    with pytest.raises(RulesError) as info:
        parse_gspp_rules(text, catalog=gcat)
    messages = [str(p) for p in info.value.problems]
    assert messages == [
        "gspp_modelling.yaml, Zeile 3, Spalte 'rules[1].categories', Wert 'Großrechner': "
        "Regel 1 'a': Zielobjekt-Kategorie gibt es in den Grundschutz++-Katalogen nicht",
        "gspp_modelling.yaml, Zeile 7, Spalte 'rules[2].covered', Wert 'True': "
        "Regel 2 'b': eine Regel nennt entweder Kategorien (oder general) oder covered: true, nicht beides",
        "gspp_modelling.yaml, Zeile 7, Spalte 'rules[2].reason': Regel 2 'b': Begründung fehlt",
        "gspp_modelling.yaml, Zeile 7, Spalte 'rules[2].type', Wert 'serverx': Regel 2 'b': unbekannter Objekttyp "
        "'serverx' (erlaubt: process, application, server, client, mobile, network_device, printer, telephony, "
        "ics, iot, network, room, building, service, informationsverbund)",
    ]
    with pytest.raises(RulesError, match="Regelsatz für Grundschutz\\+\\+ erwartet"):
        parse_gspp_rules("edition: kompendium-2023\nrules: []\n")
    with pytest.raises(RulesError):
        parse_gspp_rules("rules: !!python/object/apply:os.system ['echo hi']\n")


def test_covered_rule(gcat):
    rules = parse_gspp_rules("edition: grundschutz++\nrules:\n  - id: p\n    type: process\n    covered: true\n"
                             "    reason: über den Informationsverbund\n", catalog=gcat)
    modelling = model_gspp(assessment_of(obj("GP", "process")), gcat, rules)
    assert modelling.covered == ("GP",) and modelling.unmodelled == ("IV",)


def test_haan_every_object_has_categories_or_is_listed(haan, gcat, rules):
    assessment = read_assessment(haan)
    modelling = model_gspp(assessment, gcat, rules)
    assert len(modelling) == len(assessment.objects) + 1
    # only the two peripheral clients (signature tablets, biometric stations) fit no category
    assert modelling.unmodelled == ("CL-03", "CL-04")
    assert modelling.categories("SRV-02") == ("Hostsysteme", "Virtualisierungslösungen", "IT-Systeme", "Anwendungen")
    records = modelling_records(modelling)
    assert {r["status"] for r in records} == {"zugeordnet", "ohne Baustein"}


# --------------------------------------------------------------------------- control selection


def test_raised_controls_by_need_hand_checked(gcat, rules, kernel_controls):
    selection = select(gcat, rules, assessment_of(
        obj("HIGH", "server"), obj("NORMAL", "server"),
        needs={"HIGH": {C: Level.NORMAL, I: Level.NORMAL, A: Level.HOCH},
               "NORMAL": {C: Level.NORMAL, I: Level.NORMAL, A: Level.NORMAL}}))
    mine = {"Hostsysteme", "IT-Systeme"}
    normal = {cid for cid, (level, cats) in kernel_controls.items() if level == "normal-SdT" and mine & set(cats)}
    raised = {cid for cid, (level, cats) in kernel_controls.items() if level == "erhöht" and mine & set(cats)}
    # Kernel JSON: IT-Systeme 93 controls (63 normal-SdT, 30 erhöht), Hostsysteme 9 (4 normal-SdT, 5 erhöht)
    assert len(normal) == 63 + 4 and len(raised) == 30 + 5
    assert {r.requirement for r in selection.for_object("NORMAL")} == normal
    assert {r.requirement for r in selection.for_object("HIGH")} == normal | raised
    arch = selection.get("HIGH", "ARCH.7.2")
    assert arch.level == "erhöht" and arch.baustein == "ARCH.7" and arch.cia == ""
    assert arch.reason == "erhöht, Zielobjekt-Kategorie Hostsysteme, Schutzbedarf Verfügbarkeit hoch"
    assert selection.get("NORMAL", "ARCH.7.2") is None
    assert selection.get("NORMAL", "GEB.6.2.1").reason == "normal-SdT, Zielobjekt-Kategorie Hostsysteme"
    assert selection.risk_analysis == {"HIGH": "Verfügbarkeit hoch: dedizierte Risikobetrachtung bei hohem "
                                               "Schutzbedarf (Methodik GC.7.2, STM.4.1)"}
    # the controls without category outside the ISMS practices wait for the relevance decision (STM.2.1.5)
    assert {r.object for r in selection.undecided} == {"IV"}
    assert all("Relevanzentscheidung offen (Methodik STM.2.1.5)" in r.reason for r in selection.undecided)
    assert selection.effort_levels["ARCH.7.2"] == gcat.controls["ARCH.7.2"].effort_level
    assert selection.modal_verbs["ARCH.7.2"] == "KANN"
    # the Informationsverbund takes the maximum (availability hoch): it gets the erhöht controls without category
    iv = selection.for_object("IV")
    assert any(r.level == "erhöht" and r.reason.endswith("(Maximum über alle Zielobjekte)") for r in iv)
    assert selection.count_by_level() == {"normal-SdT": sum(r.level == "normal-SdT" for r in selection),
                                          "erhöht": sum(r.level == "erhöht" for r in selection)}


def test_sehr_hoch_counts_as_hoch_and_high_need_flags_a_risk_analysis(gcat, rules):
    selection = select(gcat, rules, assessment_of(
        obj("VERY", "server"), obj("HIGH", "server"),
        needs={"VERY": {C: Level.SEHR_HOCH, I: Level.NORMAL, A: Level.NORMAL},
               "HIGH": {C: Level.HOCH, I: Level.NORMAL, A: Level.NORMAL}}))
    very, high = ({r.requirement for r in selection.for_object(o)} for o in ("VERY", "HIGH"))
    assert very == high
    assert selection.risk_analysis == {
        "VERY": "Vertraulichkeit sehr hoch: dedizierte Risikobetrachtung bei hohem Schutzbedarf (Methodik GC.7.2, "
                "STM.4.1)",
        "HIGH": "Vertraulichkeit hoch: dedizierte Risikobetrachtung bei hohem Schutzbedarf (Methodik GC.7.2, "
                "STM.4.1)"}
    assert "Vertraulichkeit sehr hoch (zählt als hoch; Risikoanalyse)" in selection.get("VERY", "ARCH.7.2").reason


def test_unrated_need_leaves_raised_controls_undecided(gcat, rules):
    selection = select(gcat, rules, assessment_of(obj("S", "server"), needs={"S": {C: Level.NORMAL}}))
    assert not any(r.level == "erhöht" for r in selection.for_object("S"))
    open_item = next(r for r in selection.undecided if r.object == "S" and r.requirement == "ARCH.7.2")
    assert open_item.reason.endswith("offen: Integrität nicht bewertet, Verfügbarkeit nicht bewertet")


def test_variants_basis_and_kern_are_refused(gcat, rules):
    needs = {"J": {C: Level.HOCH, I: Level.NORMAL, A: Level.NORMAL},
             "K": {C: Level.NORMAL, I: Level.NORMAL, A: Level.NORMAL}}
    objects = (obj("J", "server"), obj("K", "server", "kronjuwel"))
    # Grundschutz++ has no Basis- or Kern-Absicherung: the security level follows the need
    for variant in ("basis", "kern"):
        with pytest.raises(GrundschutzError, match=f"keine Basis- oder Kern-Absicherung \\(Variante '{variant}'\\)"):
            select(gcat, rules, assessment_of(*objects, needs=needs), variant)


def test_g0_props_restrict_raised_controls_to_their_basic_values(catalog, gcat, rules):
    wlan = catalog.oscal_catalog("gspp-wlan-sample")
    sample = GsppCatalog("WLAN", wlan.version, "Beispiel", wlan.controls, wlan.groups, gcat.categories)
    needs = {"CONF": {C: Level.HOCH, I: Level.NORMAL, A: Level.NORMAL},
             "AVAIL": {C: Level.NORMAL, I: Level.NORMAL, A: Level.HOCH}}
    selection = select(sample, rules, assessment_of(obj("CONF", "network", "lan"), obj("AVAIL", "network", "lan"),
                                                    needs=needs))
    assert selection.get("AVAIL", "ARCH.9.5").cia == "A"  # erhöht, availability only (C 0, I 0, A 1)
    assert selection.get("CONF", "ARCH.9.5") is None
    assert selection.get("CONF", "ARCH.2.2.11").cia == "CIA"
    assert selection.get("AVAIL", "ARCH.2.2.11") is not None


# --------------------------------------------------------------------------- dispatch, check, analyse()


def test_modelling_dispatches_on_the_edition(gcat, catalog):
    assessment = assessment_of(obj("S", "server"), needs={"S": {C: Level.HOCH, I: Level.NORMAL, A: Level.NORMAL}})
    analysis = analyse(assessment, catalog)
    modelling = analysis.modelling
    assert isinstance(modelling, GsppModelling) and modelling.categories("S") == ("Hostsysteme", "IT-Systeme")
    selection = analysis.selection
    assert isinstance(selection, GsppSelection) and selection.get("S", "ARCH.7.2") is not None
    with pytest.raises(GrundschutzError, match="braucht den Grundschutz\\+\\+-Katalog"):
        model_assessment(assessment, catalog.kompendium, catalog.modelling_rules())
    with pytest.raises(GrundschutzError, match="braucht den Grundschutz\\+\\+-Katalog"):
        model_gspp(assessment, catalog.kompendium, catalog.gspp_rules())


OBJECTS = """id,type,name,description,tags,count
GP-1,process,Meldewesen,,,
APP-1,application,Meldeverfahren,,fachanwendung,
SRV-1,server,Anwendungsserver,,os=windows-server,
R-1,room,Serverraum,,serverraum,
"""
DEPENDENCIES = """object,depends_on,redundancy_group,note
GP-1,APP-1,,
APP-1,SRV-1,,
SRV-1,R-1,,
"""
NEEDS = """object,confidentiality,integrity,availability,\
confidentiality_reason,integrity_reason,availability_reason,effect
GP-1,hoch,normal,normal,Meldedaten,,,
"""
CHECK = """object,requirement,status,note,responsible,due,checked_on
IV,GC.1.1,ja,,ISB,,2025-01-10
SRV-1,ARCH.7.2,teilweise,,IT,31.12.2025,
SRV-1,GEB.6.2.1,entbehrlich,steht im Serverraum R-1,IT,,
"""


@pytest.fixture()
def gspp_folder(tmp_path) -> Path:
    folder = tmp_path / "gspp"
    folder.mkdir()
    (folder / "assessment.yaml").write_text("name: Test GS++\nedition: grundschutz++\nvariant: standard\n",
                                            encoding="utf-8")
    for name, text in (("objects", OBJECTS), ("dependencies", DEPENDENCIES), ("needs", NEEDS), ("check", CHECK)):
        (folder / f"{name}.csv").write_text(text, encoding="utf-8")
    return folder


def test_analyse_a_grundschutz_plus_plus_assessment_end_to_end(gspp_folder, shared_catalogs):
    analysis = analysed(gspp_folder, shared_catalogs)
    assert isinstance(analysis.modelling, GsppModelling) and isinstance(analysis.selection, GsppSelection)
    # confidentiality hoch flows GP-1 -> APP-1 -> SRV-1 -> R-1: all get erhöht controls
    assert analysis.selection.get("SRV-1", "ARCH.7.2").reason.endswith("Vertraulichkeit hoch")
    assert analysis.modelling.categories("R-1") == ("Räume", "Serverräume", "Standorte",
                                                    "Räume für technische Infrastruktur")
    entries = {(e.object, e.requirement): e for e in analysis.check}
    assert entries[("IV", "GC.1.1")].status is Status.JA
    assert entries[("SRV-1", "ARCH.7.2")].status is Status.TEILWEISE
    assert entries[("SRV-1", "ARCH.7.2")].due.isoformat() == "2025-12-31"
    assert entries[("SRV-1", "GEB.6.2.1")].status is Status.ENTBEHRLICH
    assert len(analysis.check) == len(analysis.selection)
    counts = analysis.check.counts()
    assert (counts["ja"], counts["teilweise"], counts["entbehrlich"]) == (1, 1, 1)
    row = {r.object: r for r in check_coverage(analysis.check)}["SRV-1"]
    assert (row.total, row.implemented) == (len(analysis.selection.for_object("SRV-1")), 1)
    assert check_records(analysis.check)[0]["requirement"] == analysis.selection.requirements[0].requirement
    assert {r["level"] for r in requirement_records(analysis.selection)} == {"normal-SdT", "erhöht"}


#: Rows of check.csv with one problem each.
ROWS = (
    "SRV-1,SYS.1.1.A1,ja,,,,\n"           # a Kompendium requirement
    "SRV-1,XYZ.1,ja,,,,\n"                # unknown control
    "SRV-1,GC.1.1,ja,,,,\n"               # Methodik control: Informationsverbund only
    "R-1,ARCH.7.2,ja,,,,\n"               # Hostsysteme control on a room
    "SRV-1,GEB.6.2.1,fertig,,,,\n"        # invalid status
    "SRV-1,KONF.9.2,entbehrlich,,,,\n"    # entbehrlich without reason
)


def test_grundschutz_plus_plus_check_errors_by_row(gspp_folder, shared_catalogs):
    header = "object,requirement,status,note,responsible,due,checked_on\n"
    # what needs no catalog (status words, reasons): read_assessment
    (gspp_folder / "check.csv").write_text(header + ROWS, encoding="utf-8")
    with pytest.raises(AssessmentError) as info:
        read_assessment(gspp_folder)
    assert [str(p) for p in info.value.problems] == [
        "check.csv, Zeile 6, Spalte 'status', Wert 'fertig': unbekannter Status (erlaubt: ja, teilweise, nein, "
        "entbehrlich, unbearbeitet)",
        "check.csv, Zeile 7, Spalte 'note', Wert '': Status 'entbehrlich' braucht eine Begründung in 'note'",
    ]
    # what needs the catalog and the selection: the check step (those rows blanked, row numbers kept)
    lines = ROWS.splitlines(keepends=True)
    (gspp_folder / "check.csv").write_text(
        header + "".join("\n" if number in (6, 7) else line for number, line in enumerate(lines, start=2)),
        encoding="utf-8")
    with pytest.raises(AssessmentError) as info:
        analysed(gspp_folder, shared_catalogs).check
    assert [str(p) for p in info.value.problems] == [
        "check.csv, Zeile 2, Spalte 'requirement', Wert 'SYS.1.1.A1': Control gibt es im Grundschutz++-Katalog nicht "
        "(das ist eine Anforderung des Kompendiums 2023; Übertragung mit `grundschutz migrate`)",
        "check.csv, Zeile 3, Spalte 'requirement', Wert 'XYZ.1': Control gibt es im Grundschutz++-Katalog nicht",
        "check.csv, Zeile 4, Spalte 'requirement', Wert 'GC.1.1': Control ist für SRV-1 nicht ausgewählt (Control "
        "ohne Zielobjekt-Kategorie einer ISMS-Praktik, gilt nur für den Informationsverbund)",
        "check.csv, Zeile 5, Spalte 'requirement', Wert 'ARCH.7.2': Control ist für R-1 nicht ausgewählt "
        "(Zielobjekt-Kategorien des Controls (Hostsysteme) passen nicht zu R-1 (Räume, Serverräume, Standorte, "
        "Räume für technische Infrastruktur))",
    ]


def test_kompendium_modelling_csv_is_refused_in_grundschutz_plus_plus_mode(gspp_folder):
    (gspp_folder / "modelling.csv").write_text("object,baustein,action,reason\nSRV-1,SYS.1.2.3,add,\n",
                                               encoding="utf-8")
    with pytest.raises(GrundschutzError, match="modelling.csv ordnet Bausteine des Kompendiums zu"):
        read_assessment(gspp_folder)
