"""The modelling rules (``catalogs/modelling.yaml``) against the Kompendium 2023 XML.

One test per rule in the style of OWASP pytm: a minimal assessment that the
rule matches (with the neighbours its graph conditions ask for) must get the
rule's Bausteine, and without those neighbours it must not get them from the
rule. The Kompendium's modelling table (chapter "Schichtenmodell und
Modellierung", DocBook ``informaltable``: Baustein | Reihenfolge |
Zielobjekttyp) is read straight from the official XML: every one of its 111
Bausteine is reached by a rule on its Zielobjekttyp, or on one its
"Abgrenzung und Modellierung" allows with the quote in the rule file.
"""

from __future__ import annotations

import re
from pathlib import Path

import defusedxml.ElementTree as DefusedET
import pytest

from grundschutz import Dependency, ObjectType, Settings, TargetObject, load_catalog
from grundschutz.catalog import parse_gspp_rules, parse_modelling_rules, read_modelling_rules, table_deviations
from grundschutz.method.modelling import model_assessment
from grundschutz.model import INFORMATIONSVERBUND_ID, Assessment, RulesError
from grundschutz.model.rules import ObjectSelector, TagSelector

XML = "sec-6_bsi-gefaehrdungen/XML_Kompendium_2023.xml"
DB = "{http://docbook.org/ns/docbook}"
RULES = read_modelling_rules()


@pytest.fixture(scope="module")
def kompendium(shared_catalogs: Path):
    return load_catalog(shared_catalogs).kompendium


def _text(element) -> str:
    return " ".join("".join(element.itertext()).split())


def _title(element) -> str:
    title = element.find(DB + "title")
    return _text(title) if title is not None else ""


@pytest.fixture(scope="module")
def xml_book(shared_catalogs: Path):
    """The official Kompendium XML, parsed here with defusedxml (not with the toolkit's parser)."""
    return DefusedET.fromstring((shared_catalogs / XML).read_bytes(), forbid_dtd=True)


@pytest.fixture(scope="module")
def xml_table(xml_book) -> list[tuple[str, str, str]]:
    """The rows (Baustein id, Reihenfolge, Zielobjekttyp) of the modelling table."""
    chapter = next(c for c in xml_book.findall(DB + "chapter") if _title(c) == "Schichtenmodell und Modellierung")
    for table in chapter.iter(DB + "informaltable"):
        rows = [[_text(cell) for cell in row] for row in table.iter(DB + "tr")]
        if rows and rows[0][:3] == ["Baustein", "Reihenfolge", "Anzuwenden auf Zielobjekttyp"]:
            return [(row[0].split()[0], row[1], row[2]) for row in rows[1:] if any(row)]
    raise AssertionError("modelling table not found in the XML")


@pytest.fixture(scope="module")
def xml_scopes(xml_book) -> dict[str, str]:
    """Per Baustein id the text of its section "Abgrenzung und Modellierung", from the XML."""
    scopes = {}
    for section in xml_book.iter(DB + "section"):
        match = re.match(r"^([A-Z]{3,4}(?:\.\d+)+) ", _title(section))
        if match is None:
            continue
        for sub in section.iter(DB + "section"):
            if _title(sub) == "Abgrenzung und Modellierung":
                scopes[match.group(1)] = _text(sub)
    return scopes


# --------------------------------------------------------------------------- building examples


def _concrete(selector: TagSelector) -> tuple[str, str]:
    value = "" if selector.pattern is None else selector.pattern.replace("*", "x").replace("?", "x")
    return selector.key, value


def build(selector: ObjectSelector, object_id: str, objects: list, edges: list, graph: bool = True) -> TargetObject:
    """Add an object matching ``selector`` to ``objects`` (its first type, all ``all`` tags, the first
    ``any`` tag) and, with ``graph``, the neighbours its ``depends_on``/``used_by`` ask for."""
    object_type = min(selector.types, key=lambda t: t.value) if selector.types else ObjectType.APPLICATION
    obj = TargetObject(object_id, object_type, object_id,
                       tags=dict(_concrete(s) for s in (*selector.all, *selector.any[:1])))
    objects.append(obj)
    if graph and selector.depends_on is not None:
        edges.append(Dependency(object_id, build(selector.depends_on, object_id + "-D", objects, edges).id))
    if graph and selector.used_by is not None:
        edges.append(Dependency(build(selector.used_by, object_id + "-U", objects, edges).id, object_id))
    return obj


def example(rule, graph: bool = True, absent: bool = False):
    """The minimal assessment for ``rule`` and the id of the object it is about.

    ``graph=False`` leaves out the neighbours of the rule's own selector; ``absent``
    adds an object that matches the rule's ``when_absent``.
    """
    objects: list[TargetObject] = []
    edges: list[Dependency] = []
    if rule.when_present is not None:
        build(rule.when_present, "TRIGGER", objects, edges)
    if absent:
        build(rule.when_absent, "ABSENT", objects, edges)
    if ObjectType.INFORMATIONSVERBUND in rule.selector.types:
        target = INFORMATIONSVERBUND_ID
    else:
        target = build(rule.selector, "OBJ", objects, edges, graph).id
    assessment = Assessment(Settings(name="Beispiel"), {o.id: o for o in objects}, tuple(edges))
    return assessment, target


def from_rule(modelling, target: str, rule) -> set[str]:
    """The Bausteine of ``target`` that ``rule`` gave."""
    return {a.baustein for a in modelling[target].assignments if a.rule == rule.id}


# --------------------------------------------------------------------------- one test per rule


@pytest.mark.parametrize("rule", RULES.rules, ids=[rule.id for rule in RULES.rules])
def test_every_rule(kompendium, rule):
    """pytm style: the rule's minimal example gets its Bausteine (or is covered/uncovered as it says);
    without the neighbours of its graph conditions, or with an object its ``when_absent`` names, it does not."""
    assessment, target = example(rule)
    modelling = model_assessment(assessment, kompendium, RULES)
    entry = modelling[target]
    assert set(rule.bausteine) <= set(entry.bausteine)
    if rule.covered:
        assert entry.covered and target in modelling.covered and target not in modelling.unmodelled
    if rule.uncovered:
        assert entry.uncovered == rule.reason and target in modelling.unmodelled
    if rule.selector.uses_graph:
        alone, target = example(rule, graph=False)
        assert not from_rule(model_assessment(alone, kompendium, RULES), target, rule)
    if rule.when_absent is not None:
        blocked, target = example(rule, absent=True)
        assert not from_rule(model_assessment(blocked, kompendium, RULES), target, rule)


# --------------------------------------------------------------------------- the Kompendium's modelling table


def test_the_modelling_table_is_read_from_the_xml(kompendium, xml_table):
    """Kompendium 2023, chapter "Schichtenmodell und Modellierung": the table has 111 rows, and the
    toolkit's parser exposes the same rows in the same order."""
    assert len(xml_table) == 111
    assert [(r.baustein, r.order, r.target_type) for r in kompendium.modelling_table] == xml_table
    assert {t for _, _, t in xml_table} == {"Informationsverbund/übergeordnete Aspekte", "Anwendung", "IT-System",
                                            "Netz", "Gebäude/Raum"}
    assert set(RULES.target_types.values()) == {t for _, _, t in xml_table}


@pytest.mark.parametrize("number", range(111))
def test_every_baustein_of_the_table_is_reached_on_its_target_type(kompendium, xml_table, xml_scopes, number):
    """Each Baustein of the modelling table (XML ``informaltable``) is assigned by at least one rule, and
    every rule that assigns it puts it on the Zielobjekttyp the table names, or on a type the quoted
    sentence of an "Abgrenzung und Modellierung" (checked in the XML) allows."""
    baustein, _, target_type = xml_table[number]
    rules = [rule for rule in RULES if baustein in rule.bausteine]
    assert rules, f"{baustein}: keine Regel"
    for rule in rules:
        assessment, target = example(rule)
        assert baustein in model_assessment(assessment, kompendium, RULES).bausteine(target), rule.id
        quotes = [q for q in rule.scope if q.baustein == baustein]
        for quote in quotes:
            assert quote.quote in xml_scopes[quote.quoted_from], (rule.id, quote.quote)
        for object_type in rule.selector.types:
            assert RULES.target_types.get(object_type) == target_type or quotes, (rule.id, object_type)
    assert not [p for p in table_deviations(RULES, kompendium) if f" {baustein} auf " in p.message]


# --------------------------------------------------------------------------- graph rules (issue 10, item 8)


def model(kompendium, *objects, edges=()):
    assessment = Assessment(Settings(name="Test"), {o.id: o for o in objects},
                            tuple(Dependency(a, b) for a, b in edges))
    return model_assessment(assessment, kompendium, RULES)


def test_wlan_use_follows_the_dependency_on_a_wlan(kompendium):
    """NET.2.2, Abgrenzung: "Der Baustein NET.2.2 WLAN-Nutzung ist auf alle IT-Systeme (WLAN-Clients)
    anzuwenden, die WLANs nutzen." Every IT system with an edge to a WLAN gets it, whatever its tags."""
    wlan = TargetObject("N", ObjectType.NETWORK, "Dienst-WLAN", tags={"wlan": ""})
    printer = TargetObject("P", ObjectType.PRINTER, "Etagendrucker")
    wired = TargetObject("C", ObjectType.CLIENT, "PC", tags={"os": "windows11"})
    m = model(kompendium, wlan, printer, wired, edges=[("P", "N")])
    assert "NET.2.2" in m.bausteine("P") and "NET.2.2" not in m.bausteine("C")
    assert m["P"].assignments[-1].rule == "wlan-nutzung-netz"


def test_terminal_server_clients(kompendium):
    """SYS.1.9, Abgrenzung: "… sowohl auf den Terminalserver selbst als auch auf die zugreifenden Fat
    Clients und Thin Clients mit Terminal-Client-Software anzuwenden." A client reaches the terminal
    server directly or through an application that runs on both; an agent on both does not count."""
    ts = TargetObject("TS", ObjectType.SERVER, "RDS", tags={"terminalserver": ""})
    app = TargetObject("A", ObjectType.APPLICATION, "Finanzwesen")
    agent = TargetObject("V", ObjectType.APPLICATION, "Virenschutz", tags={"infrastruktur": ""})
    direct, via, other = (TargetObject(i, ObjectType.CLIENT, i) for i in ("C1", "C2", "C3"))
    m = model(kompendium, ts, app, agent, direct, via, other,
              edges=[("C1", "TS"), ("A", "TS"), ("A", "C2"), ("V", "TS"), ("V", "C3")])
    assert [("SYS.1.9" in m.bausteine(c)) for c in ("TS", "C1", "C2", "C3")] == [True, True, True, False]


def test_mobile_work_puts_inf9_on_the_informationsverbund(kompendium):
    """Modelling table: INF.9 Mobiler Arbeitsplatz has the Zielobjekttyp "Informationsverbund/übergeordnete
    Aspekte"; it applies as soon as there is mobile work (mobile devices, notebooks, Telearbeit), once."""
    for obj in (TargetObject("M", ObjectType.MOBILE, "Smartphones"),
                TargetObject("L", ObjectType.CLIENT, "Notebooks", tags={"notebook": ""}),
                TargetObject("R", ObjectType.ROOM, "Telearbeitsplätze", tags={"telearbeit": ""})):
        m = model(kompendium, obj)
        assert "INF.9" in m.bausteine("IV") and "INF.9" not in m.bausteine(obj.id)
    assert "INF.9" not in model(kompendium, TargetObject("P", ObjectType.CLIENT, "PC")).bausteine("IV")


def test_net11_once_for_the_whole_network(kompendium):
    """NET.1.1, Abgrenzung: "… ist auf das Gesamtnetz einer Institution inklusive aller Teilnetze
    anzuwenden." Once on the Informationsverbund; the networks are covered; a private network
    (home networks of teleworkers) is not part of it and has no fitting Baustein."""
    lan, dmz = (TargetObject(i, ObjectType.NETWORK, i) for i in ("LAN", "DMZ"))
    home = TargetObject("HOME", ObjectType.NETWORK, "Heimnetze", tags={"privat": ""})
    m = model(kompendium, lan, dmz, home)
    assert m.bausteine("IV").count("NET.1.1") == 1
    assert not m.bausteine("LAN") and {"LAN", "DMZ"} <= set(m.covered) and "HOME" in m.unmodelled


def test_net21_on_the_wlan_not_on_its_components(kompendium):
    """Modelling table: NET.2.1 WLAN-Betrieb has the Zielobjekttyp "Netz". A network that runs on access
    points gets it; the access points and controllers themselves are covered by it."""
    ap = TargetObject("AP", ObjectType.NETWORK_DEVICE, "Access Points", tags={"wlan": ""})
    net = TargetObject("N", ObjectType.NETWORK, "Schulnetz")
    m = model(kompendium, ap, net, edges=[("N", "AP")])
    assert "NET.2.1" in m.bausteine("N") and not m.bausteine("AP") and "AP" in m.covered


# --------------------------------------------------------------------------- assignments (issue 10, item 9)


def test_services_outsourcing_exchange_telecommunication(kompendium):
    """OPS.2.3, Abgrenzung: "… für jede oder jeden Anbietenden von Outsourcing … einmal anzuwenden" and
    "Dieser Baustein behandelt nicht die Übertragungswege zu Anbietenden von Outsourcing."; CON.9: "…
    einmal auf den gesamten Informationsverbund anzuwenden, wenn Informationen mit Kommunikationspartnern,
    die nicht dem Informationsverbund angehören, ausgetauscht werden sollen." """
    services = {i: TargetObject(i, ObjectType.SERVICE, i, tags=tags) for i, tags in (
        ("RZ", {"outsourcing": ""}), ("MELDUNG", {"datenaustausch": ""}), ("TK", {"telekommunikation": ""}),
        ("X", {}))}
    m = model(kompendium, *services.values())
    assert m.bausteine("RZ") == ("OPS.2.3",) and "CON.9" in m.bausteine("IV")
    assert "MELDUNG" in m.covered and not m.bausteine("MELDUNG")
    assert "TK" in m.unmodelled and "Telekommunikationsdienstleistung" in m["TK"].uncovered
    assert "X" in m.unmodelled and not m["X"].uncovered
    assert "CON.9" not in model(kompendium, services["RZ"]).bausteine("IV")


def test_nas_gets_server_and_fileserver(kompendium):
    """SYS.1.8, Abgrenzung: "Für NAS-Systeme sind daher auch zusätzlich zu diesem Baustein die Bausteine
    SYS.1.1 Allgemeiner Server sowie APP.3.3 Fileserver anzuwenden." A SAN storage system does not."""
    nas = TargetObject("NAS", ObjectType.SERVER, "NAS", tags={"speicher": "", "nas": ""})
    san = TargetObject("SAN", ObjectType.SERVER, "SAN", tags={"speicher": ""})
    m = model(kompendium, nas, san)
    assert set(m.bausteine("NAS")) == {"APP.3.3", "SYS.1.1", "SYS.1.8"} and m.bausteine("SAN") == ("SYS.1.8",)


def test_browser_on_every_client(kompendium):
    """SYS.2.2.3, Abgrenzung: "Für Anwendungsprogramme, die auf den Windows-Clients verwendet werden, sind
    die Anforderungen der entsprechenden Bausteine zu erfüllen, beispielsweise … APP.1.2 Webbrowser."
    Peripherals and kiosk terminals are no workplaces with a browser."""
    pc = TargetObject("PC", ObjectType.CLIENT, "PC", tags={"os": "windows11"})
    pad = TargetObject("PAD", ObjectType.CLIENT, "Unterschriftenpad", tags={"peripherie": ""})
    kiosk = TargetObject("K", ObjectType.CLIENT, "Terminal", tags={"kiosk": ""})
    m = model(kompendium, pc, pad, kiosk)
    assert "APP.1.2" in m.bausteine("PC") and "APP.1.2" not in m.bausteine("PAD") + m.bausteine("K")


def test_ntp_on_time_servers_and_their_clients(kompendium):
    """OPS.1.2.6, Abgrenzung: "… ist auf jedes IT-System des Informationsverbundes anzuwenden, das NTP nutzt."
    The time server and every IT system that depends on it."""
    ntp = TargetObject("T", ObjectType.NETWORK_DEVICE, "Zeitserver", tags={"zeitserver": ""})
    srv = TargetObject("S", ObjectType.SERVER, "Server", tags={"os": "linux"})
    m = model(kompendium, ntp, srv, edges=[("S", "T")])
    assert "OPS.1.2.6" in m.bausteine("T") and "OPS.1.2.6" in m.bausteine("S")


def test_process_bausteine_no_rule_assigned_before(kompendium):
    """OPS.3.2 ("… aus Sicht der Anbietenden auf jede oder jeden Nutzenden … einmal anzuwenden"), DER.2.3
    ("… immer dann anzuwenden, wenn nach einem APT-Vorfall die IT-Systeme bereinigt werden sollen") and
    DER.3.2 ("Institutionen, die den vorliegenden Baustein umsetzen, müssen den Baustein DER.3.1 Audits und
    Revisionen nicht mehr umsetzen")."""
    customer = TargetObject("K", ObjectType.SERVICE, "Stadt X", tags={"outsourcing-kunde": ""})
    verbund = TargetObject("V", ObjectType.INFORMATIONSVERBUND, "KRZ", tags={"is-revision": "", "apt-vorfall": ""})
    m = model(kompendium, customer, verbund)
    assert m.bausteine("K") == ("OPS.3.2",)
    assert {"DER.2.3", "DER.3.2"} <= set(m.bausteine("V")) and "DER.3.1" not in m.bausteine("V")
    assert "DER.3.1" in model(kompendium, customer).bausteine("IV")


# --------------------------------------------------------------------------- name hints (item 10)


@pytest.mark.parametrize("number", range(len(RULES.hints)), ids=[h.tag.text for h in RULES.hints])
def test_every_hint(kompendium, number):
    """pytm style: an object of the hint's type named with its first word and without tags is told
    the tag, and the tag changes something (Bausteine on it or the Informationsverbund, or covered)."""
    hint = RULES.hints[number]
    object_type = min(hint.types, key=lambda t: t.value) if hint.types else ObjectType.APPLICATION
    obj = TargetObject("OBJ", object_type, f"{hint.words[0].title()} Nord")
    (found,) = [h for h in model(kompendium, obj)["OBJ"].hints if h.tag == hint.tag.text]
    assert found.word == hint.words[0] and (found.bausteine or found.verbund or found.covered or found.uncovered)
    tagged = TargetObject("OBJ", object_type, obj.name, tags={hint.tag.key: hint.tag.pattern or ""})
    assert not [h for h in model(kompendium, tagged)["OBJ"].hints if h.tag == hint.tag.text]


def test_a_server_room_named_so_is_never_a_silent_risk_analysis(kompendium):
    """The example of the issue: "Serverraum" → tag serverraum / INF.2 (Zielobjekttyp Gebäude/Raum)."""
    room = TargetObject("R", ObjectType.ROOM, "Hauptserverraum Nord")
    entry = model(kompendium, room)["R"]
    assert entry.needs_risk_analysis
    (hint,) = entry.hints
    assert (hint.tag, hint.bausteine) == ("serverraum", ("INF.2",))
    assert hint.text == "Tag 'serverraum' (Name: 'serverraum') ergäbe INF.2"


def test_short_words_match_whole_words_only(kompendium):
    assert not model(kompendium, TargetObject("S", ObjectType.SERVER, "Nasszellen-Steuerung"))["S"].hints
    (hint,) = [h for h in model(kompendium, TargetObject("S", ObjectType.SERVER, "NAS Archiv"))["S"].hints
               if h.tag == "nas"]
    assert set(hint.bausteine) == {"APP.3.3", "SYS.1.8"} and hint.replaces == ()


# --------------------------------------------------------------------------- the rule file's format


def test_rule_file_errors_of_the_new_keys(kompendium):
    """Unknown keys anywhere (with the nearest known one), a quote of a Baustein the rule does not name,
    covered and uncovered together, unknown types and Zielobjekttypen, broken hints: all at once."""
    text = (
        "target_types:\n  server: IT-System\n  toaster: Gerät\n  client: Rechner\n"
        "hints:\n  - {words: [x], tag: serverraum, typ: room}\n  - {words: [], tag: 'os='}\n"
        "rules:\n"
        "  - id: a\n    type: client\n    depends_on: {type: network, anyy: [wlan]}\n"
        "    bausteine: [NET.2.2]\n    reason: r\n"
        "  - id: b\n    type: service\n    bausteine: [OPS.2.3]\n    reason: r\n"
        "    scope:\n      - {baustein: OPS.2.2, quote: x}\n"
        "  - id: c\n    type: service\n    uncovered: true\n    covered: true\n    reason: r\n"
        "  - id: d\n    type: service\n    bausteine: [OPS.2.3]\n    reason: r\n"
        "    scope:\n      - {baustein: OPS.2.3, quote: Das steht nicht im Kompendium.}\n"
    )
    with pytest.raises(RulesError) as info:
        parse_modelling_rules(text, "modelling.yaml", kompendium)
    assert [str(p) for p in info.value.problems] == [
        "modelling.yaml, Spalte 'target_types.client', Wert 'Rechner': Zielobjekttyp der Modellierungstabelle "
        "unbekannt: 'Rechner' (erlaubt: Anwendung, Gebäude/Raum, IT-System, Informationsverbund/übergeordnete "
        "Aspekte, Netz)",
        "modelling.yaml, Zeile 2, Spalte 'target_types.toaster': unbekannter Objekttyp 'toaster' (erlaubt: process, "
        "application, server, client, mobile, network_device, printer, telephony, ics, iot, network, room, "
        "building, service, informationsverbund)",
        "modelling.yaml, Zeile 6, Spalte 'hints[1].typ': Hinweis 1: unbekannter Schlüssel 'typ' – meinten Sie 'type'?",
        "modelling.yaml, Zeile 7, Spalte 'hints[2].tag', Wert 'os=': Hinweis 2: Wert nach '=' fehlt (für 'Tag "
        "vorhanden' nur den Namen angeben)",
        "modelling.yaml, Zeile 7, Spalte 'hints[2].words', Wert '[]': Hinweis 2: muss eine nicht leere Liste von "
        "Wörtern sein",
        "modelling.yaml, Zeile 9, Spalte 'rules[1].depends_on.anyy': Regel 1 'a': unbekannter Schlüssel 'anyy' – "
        "meinten Sie 'any'?",
        "modelling.yaml, Zeile 14, Spalte 'rules[2].scope[1].baustein', Wert 'OPS.2.2': Regel 2 'b': muss einer "
        "der Bausteine der Regel sein",
        "modelling.yaml, Zeile 20, Spalte 'rules[3].uncovered', Wert 'True': Regel 3 'c': covered: true und "
        "uncovered: true schließen einander aus",
        "modelling.yaml, Zeile 25, Spalte 'rules[4].scope', Wert 'Das steht nicht im Kompendium.': Regel 4 'd': das "
        "Zitat steht nicht im Abschnitt 'Abgrenzung und Modellierung' von OPS.2.3",
    ]


def test_covered_by_names_existing_bausteine_of_a_covered_rule(kompendium):
    """``covered_by`` (docs/format.md, rule files): the Bausteine that cover the objects of a ``covered``
    rule, checked against the Kompendium XML; only with ``covered: true``."""
    rules = ["{id: a, type: network, covered: true, covered_by: [NET.1.1], reason: r}",
             "{id: b, type: service, bausteine: [OPS.2.3], covered_by: [CON.9], reason: r}",
             "{id: c, type: service, covered: true, covered_by: [XYZ.9], reason: r}",
             "{id: d, type: service, covered: true, covered_by: CON.9, reason: r}"]
    problems = []
    try:
        parse_modelling_rules("rules:\n" + "".join(f"  - {r}\n" for r in rules), "modelling.yaml", kompendium)
    except RulesError as error:
        problems = [str(p) for p in error.problems]
    assert problems == [
        "modelling.yaml, Zeile 3, Spalte 'rules[2].covered_by', Wert 'CON.9': Regel 2 'b': nur mit covered: true "
        "(die Bausteine, die die Objekte abdecken)",
        "modelling.yaml, Zeile 4, Spalte 'rules[3].covered_by', Wert 'XYZ.9': Regel 3 'c': Baustein gibt es im "
        "Kompendium nicht",
        "modelling.yaml, Zeile 5, Spalte 'rules[4].covered_by', Wert 'CON.9': Regel 4 'd': muss eine Liste von "
        "Baustein-IDs sein",
    ]
    assert [r.covered_by for r in RULES if r.id in ("teilnetz", "datenaustausch")] == [("NET.1.1",), ("CON.9",)]


def test_a_rule_off_the_table_without_quote_is_a_deviation(kompendium):
    """Modelling table: APP.3.2 Webserver has the Zielobjekttyp "Anwendung"; on a printer without a quote
    from "Abgrenzung und Modellierung" that is a deviation the test of the rule file would catch."""
    rules = parse_modelling_rules(
        "target_types: {printer: IT-System}\nrules:\n"
        "  - id: w\n    type: printer\n    bausteine: [APP.3.2]\n    reason: r\n", "modelling.yaml", kompendium)
    assert [p.message for p in table_deviations(rules, kompendium)] == [
        "Regel 1 'w': APP.3.2 auf Drucker/Multifunktionsgerät (IT-System), laut Modellierungstabelle Anwendung; "
        "Zitat aus 'Abgrenzung und Modellierung' fehlt (scope)"]
    assert not table_deviations(RULES, kompendium)


def test_grundschutz_plus_plus_rules_have_no_graph_conditions():
    with pytest.raises(RulesError, match="unbekannter Schlüssel 'depends_on'"):
        parse_gspp_rules("edition: grundschutz++\nrules:\n  - id: x\n    type: client\n    general: true\n"
                         "    depends_on: {type: network}\n    reason: r\n")


# --------------------------------------------------------------------------- the worked example and the commands


def test_model_command_shows_hints(tmp_path, haan, shared_catalogs):
    """Issue 12 (item 7): an object without the tag its name implies is shown with the tag and what it
    would add, in the table and as column ``hint`` of csv/json, instead of a bare "kein passender Baustein"."""
    import csv
    import io
    import json

    from click.testing import CliRunner

    from grundschutz.cli import main

    for name in ("assessment.yaml", "objects.csv", "dependencies.csv", "needs.csv", "modelling.csv"):
        (tmp_path / name).write_bytes((haan / name).read_bytes())
    objects = (tmp_path / "objects.csv").read_text(encoding="utf-8")
    untagged = objects.replace('Zutrittsschutz.","serverraum",', 'Zutrittsschutz.",,')
    assert untagged != objects
    (tmp_path / "objects.csv").write_text(untagged, encoding="utf-8")
    runner = CliRunner()
    args = ["model", str(tmp_path), "--catalogs", str(shared_catalogs)]
    rows = list(csv.DictReader(io.StringIO(runner.invoke(main, [*args, "-f", "csv"]).output)))
    (row,) = [r for r in rows if r["object"] == "R-01"]
    assert row["status"] == "ohne Baustein"
    assert row["hint"] == "Tag 'serverraum' (Name: 'serverraum') ergäbe INF.2"
    assert all(r["hint"] == "" for r in rows if r["object"] != "R-01")
    assert json.loads(runner.invoke(main, [*args, "-f", "json"]).output)[0]["hint"] == ""
    table = runner.invoke(main, args, env={"COLUMNS": "200"}).output
    line = next(i for i, text in enumerate(table.splitlines()) if text.startswith("R-01"))
    block = " ".join(" ".join(table.splitlines()[line:line + 4]).split())
    assert "kein passender Baustein: Risikoanalyse nötig; Name passt zu: Tag 'serverraum'" in block


def test_scenario_entries_the_rules_already_meet_are_warnings(haan, shared_catalogs):
    """A scenario's ``bausteine`` entry that the rules already meet (INF.9 on the Informationsverbund,
    which Haan gets for its smartphones and notebooks) changes nothing and is reported, not refused;
    in modelling.csv the same entry stays an error (the file holds only real departures)."""
    import textwrap

    from conftest import analysed

    from grundschutz.io import parse_scenario
    from grundschutz.method.scenario import run_scenario
    from grundschutz.views.render_scenario import render_scenario

    baseline = analysed(haan, shared_catalogs)
    text = textwrap.dedent("""\
        applications: [APP-43]
        bausteine:
          - {object: IV, baustein: INF.9, reason: mobiles Arbeiten}
          - {object: NET-01, baustein: NET.1.1, action: remove, reason: Teilnetz}
        """)
    scenario = parse_scenario(text, "scenarios/test.yaml", assessment=baseline.assessment)
    result = run_scenario(baseline, scenario)
    assert [str(w) for w in result.result.modelling.warnings] == [
        "scenarios/test.yaml, Zeile 3, Spalte 'baustein', Wert 'INF.9': INF.9 ist IV bereits durch Regel "
        "'mobiles-arbeiten-geraete' zugeordnet; der Eintrag ändert nichts",
        "scenarios/test.yaml, Zeile 4, Spalte 'baustein', Wert 'NET.1.1': NET.1.1 ist NET-01 durch keine Regel "
        "zugeordnet; der Eintrag ändert nichts",
    ]
    assert not result.bausteine_added and not result.bausteine_removed
    assert "Hinweise zur Modellierung" in render_scenario(result)
