"""Method fidelity (issue 10): residual risk acceptance, Grundschutz++ triggers and relevance decisions,
the threat overview of the whole Baustein, the Kern-Absicherung and the Teleheimarbeit scenario.

Every rule is taken from the official source named in the test's docstring and, where the source is
one of the installed BSI files, read from it in the test.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import analysed, problems_of
from test_risk import HEADER, NEEDS, make

from grundschutz import GrundschutzError
from grundschutz.catalog import load_catalog
from grundschutz.cli import main
from grundschutz.method.risk import FlagReason, flag_reasons, threat_overview
from grundschutz.model import BasicValue, Level

GSPP = "name: Test\nedition: grundschutz++\n"


@pytest.fixture(scope="module")
def catalog(shared_catalogs):
    return load_catalog(shared_catalogs)


def statement(catalog, key: str, control: str) -> str:
    """Statement and guidance of a control of an official OSCAL catalog, as one text."""
    found = catalog.oscal_catalog(key).controls[control]
    return f"{found.title} {found.statement_prose} {found.guidance}"


def gspp_analysis(folder: Path, catalogs, relevance: str = ""):
    """The small assessment of test_risk in Grundschutz++ mode, with the rows of relevance.csv."""
    make(folder, None, GSPP)
    if relevance:
        (folder / "relevance.csv").write_text("object,control,relevant,reason\n" + relevance, encoding="utf-8")
    return analysed(folder, catalogs)


# --------------------------------------------------------------------------- 3. residual risk


def _residual_risks(tmp_path, catalogs):
    """An assessment whose APP-3 has two high residual risks nobody took over (G 0.18, G 0.20), one taken
    over (G 0.19), one lowered to mittel (G 0.21) and every other threat rated low."""
    header = HEADER.replace("accepted_by,", "accepted_by,accepted_on,")
    rows = ("APP-3,G 0.18,,sehr häufig,existenzbedrohend,reduzieren,Härtung,,,häufig,beträchtlich\n"
            "APP-3,G 0.19,,sehr häufig,existenzbedrohend,reduzieren,Härtung,Bürgermeisterin,05.03.2024,"
            "häufig,beträchtlich\n"
            "APP-3,G 0.20,,häufig,beträchtlich,transferieren,Versicherung,,,,\n"
            "APP-3,G 0.21,,häufig,beträchtlich,reduzieren,Schulung,,,selten,beträchtlich\n")
    folder = make(tmp_path / "rest")
    others = [t.threat for t in threat_overview(analysed(folder, catalogs), "APP-3")
              if t.threat not in ("G 0.18", "G 0.19", "G 0.20", "G 0.21")]
    rows += "".join(f"APP-3,{t},,selten,vernachlässigbar,,,,,,\n" for t in others)
    (folder / "risks.csv").write_text(header + rows, encoding="utf-8")
    return folder


def test_a_high_residual_risk_after_treatment_needs_someone_who_takes_it_over(tmp_path, shared_catalogs, catalog):
    """BSI-Standard 200-3, Risikobehandlung: the management accepts the residual risk; Grundschutz++ RISK.1.9
    "Bestätigung des Restrisikos" (read from the official Risikomanagement catalog). A high residual risk
    after reduzieren/transferieren/vermeiden without accepted_by is listed by risk and plan; with it, not."""
    assert "Restrisiko" in statement(catalog, "gspp-risikomanagement", "RISK.1.9")
    folder = _residual_risks(tmp_path, shared_catalogs)
    analysis = analysed(folder, shared_catalogs)
    risks = analysis.risks
    by_threat = {r.threat: r for r in risks["APP-3"].risks}
    assert by_threat["G 0.18"].residual_category.label == "hoch" and by_threat["G 0.18"].residual_unaccepted
    assert by_threat["G 0.18"].status == "Restrisiko nicht übernommen"
    assert not by_threat["G 0.19"].residual_unaccepted and by_threat["G 0.19"].status == "behandelt"
    assert by_threat["G 0.19"].accepted_on.isoformat() == "2024-03-05"
    # a high risk treated without residual rating counts as high until rated
    assert by_threat["G 0.20"].residual_category is None and by_threat["G 0.20"].residual_unaccepted
    assert not by_threat["G 0.21"].residual_unaccepted  # residual mittel
    assert [r.threat for r in risks.residual_unaccepted] == ["G 0.18", "G 0.20"]
    assert risks["APP-3"].status == "bewertet, 2 hohe Restrisiken nicht übernommen"
    plan = [i for i in analysis.plan if i.kind == "restrisiko"]
    assert [(i.group, i.subject) for i in plan] == [(3, "G 0.18"), (3, "G 0.20")]
    assert "RISK.1.9" in plan[0].reason and "accepted_by" in plan[0].reason
    out = CliRunner().invoke(main, ["risk", str(folder), "--catalogs", str(shared_catalogs)]).output
    assert "Hohe Restrisiken ohne Übernahme durch die Leitung" in out
    section = out.split("Hohe Restrisiken ohne Übernahme")[1]
    assert "G 0.18" in section and "G 0.20" in section and "G 0.19" not in section


def test_risk_json_lists_the_high_residual_risks_nobody_took_over(tmp_path, shared_catalogs):
    """``risk -f json``: ``residual_unaccepted`` holds the rows the text output lists under "Hohe Restrisiken
    ohne Übernahme durch die Leitung" (200-3, Risikobehandlung)."""
    import json

    folder = _residual_risks(tmp_path, shared_catalogs)
    out = CliRunner().invoke(main, ["risk", str(folder), "-f", "json", "--catalogs", str(shared_catalogs)])
    assert out.exit_code == 0, out.output
    data = json.loads(out.stdout)
    assert [(r["object"], r["threat"]) for r in data["residual_unaccepted"]] == [("APP-3", "G 0.18"),
                                                                               ("APP-3", "G 0.20")]
    assert {r["status"] for r in data["residual_unaccepted"]} == {"Restrisiko nicht übernommen"}


def test_acceptance_columns_are_checked_with_row_and_column(tmp_path):
    """docs/format.md, risks.csv: accepted_by needs a treatment, accepted_on a date and accepted_by; relevant
    'nein' needs the reason and no rating."""
    header = HEADER.replace("title,", "title,relevant,").replace("accepted_by,", "accepted_by,accepted_on,")
    rows = ("APP-3,G 0.18,,,selten,begrenzt,,,ISB,,,\n"
            "APP-3,G 0.19,,,selten,begrenzt,reduzieren,Härtung,,2024-13-01,,\n"
            "APP-3,G 0.20,,vielleicht,,,,,,,,\n"
            "APP-3,G 0.21,,nein,selten,begrenzt,,,,,,\n")
    folder = make(tmp_path / "bad")
    (folder / "risks.csv").write_text(header + rows, encoding="utf-8")
    assert problems_of(folder) == [
        "risks.csv, Zeile 2, Spalte 'accepted_by', Wert 'ISB': 'accepted_by' braucht eine Behandlung: wer das "
        "Risiko trägt, übernimmt es ('akzeptieren') oder das Restrisiko nach 'reduzieren', 'transferieren' oder "
        "'vermeiden'",
        "risks.csv, Zeile 3, Spalte 'accepted_on', Wert '2024-13-01': Datum der Übernahme ohne 'accepted_by' (wer "
        "hat das Risiko übernommen?)",
        "risks.csv, Zeile 3, Spalte 'accepted_on', Wert '2024-13-01': ungültiges Datum (erwartet JJJJ-MM-TT oder "
        "TT.MM.JJJJ)",
        "risks.csv, Zeile 4, Spalte 'relevant', Wert 'vielleicht': unbekannter Wert (erlaubt: ja, nein; leer = ja)",
        "risks.csv, Zeile 5, Spalte 'frequency', Wert 'selten': Gefährdung ist als nicht relevant ausgeschlossen "
        "('relevant' nein): keine Bewertung und keine Behandlung angeben",
        "risks.csv, Zeile 5, Spalte 'note', Wert '': Gefährdung als nicht relevant ausgeschlossen ('relevant' "
        "nein): Begründung in 'note' angeben",
    ]


# --------------------------------------------------------------------------- 5. threat overview


def _krt_header(shared_catalogs: Path) -> dict[str, list[str]]:
    """Row 1 of every sheet of the official Kreuzreferenztabellen: Baustein -> its G 0.x columns."""
    import openpyxl

    path = next(shared_catalogs.rglob("krt2023_Excel.xlsx"))
    workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        headers = {}
        for sheet in workbook.worksheets:
            row = next(sheet.iter_rows(max_row=1, values_only=True))
            headers[str(row[0]).strip()] = [" ".join(str(c).split()) for c in row[3:] if c and str(c).strip()]
        return headers
    finally:
        workbook.close()


def test_the_overview_holds_every_elementary_threat_of_the_bausteine(haan, shared_catalogs):
    """BSI-Standard 200-3, Gefährdungsübersicht: the elementary threats relevant to the Bausteine of the
    object; Kreuzreferenztabellen 2023, row 1 of each Baustein's sheet (read with openpyxl). CL-07 had lacked
    G 0.8 and G 0.27, which no selected requirement links."""
    headers = _krt_header(shared_catalogs)
    analysis = analysed(haan, shared_catalogs)
    risks = analysis.risks
    for entry in risks:
        object_id = entry.flagged.object
        modelled = analysis.modelling[object_id]
        expected = {t for b in modelled.bausteine or modelled.covered_by for t in headers[b]}
        assert {r.threat for r in entry.risks if r.source == "KRT"} == expected, object_id
    client = {r.threat: r for r in risks["CL-07"].risks}
    assert {"G 0.8", "G 0.27"} <= set(client)
    assert client["G 0.8"].requirements == () and client["G 0.8"].source == "KRT"


def test_a_covered_object_with_high_need_still_needs_a_risk_analysis(haan, shared_catalogs):
    """BSI-Standard 200-2, 8.5 and 200-3, chapter 2: a risk analysis is needed for a Zielobjekt with high or
    very high need, for one without a sufficiently fitting Baustein, and for atypical use - three separate
    triggers. A network covered by NET.1.1 on the Informationsverbund (Kompendium 2023, NET.1.1 "Abgrenzung
    und Modellierung": "auf das Gesamtnetz einer Institution inklusive aller Teilnetze") has a fitting
    Baustein, which answers the second trigger only: with high need it is flagged, and its threat overview
    is the header row of NET.1.1's sheet of the Kreuzreferenztabellen. Business processes stay unflagged
    (their need flows to what they use; docs/method.md, Choice)."""
    headers = _krt_header(shared_catalogs)
    analysis = analysed(haan, shared_catalogs)
    assert "Teilnetze" in analysis.kompendium.bausteine["NET.1.1"].scope
    covered = {i: m for i, m in analysis.modelling.objects.items() if m.covered and not m.assignments}
    high = {i for i in covered if any(analysis.propagation.level(i, v) in (Level.HOCH, Level.SEHR_HOCH)
                                      for v in BasicValue)}
    processes = {i for i in covered if covered[i].object.type.value == "process"}
    assert high - processes and processes & high
    assert set(analysis.risks.objects) & covered.keys() == high - processes
    network = analysis.modelling["NET-02"]
    assert network.covered_by == ("NET.1.1",) and not network.bausteine
    kinds = analysis.risks["NET-02"].flagged.kinds
    assert "sehr hoch" in kinds and "ohne Baustein" not in kinds
    assert {r.threat for r in analysis.risks["NET-02"].risks if r.source == "KRT"} == set(headers["NET.1.1"])
    assert analysis.modelling["DL-24"].covered_by == ("CON.9",)
    assert {r.threat for r in analysis.risks["DL-24"].risks if r.source == "KRT"} == set(headers["CON.9"])


def test_an_object_without_baustein_gets_all_47_elementary_threats_proposed(tmp_path, shared_catalogs):
    """BSI-Standard 200-3, Gefährdungsübersicht for a Zielobjekt without fitting Baustein: the elementary
    threats are considered one by one; Kompendium 2023, chapter "Elementare Gefährdungen" and
    basethreats.csv of the Stand-der-Technik-Bibliothek: 47 threats G 0.1 .. G 0.47. The officer rates each
    or rules it out ('relevant' nein with the reason)."""
    import csv

    path = next(shared_catalogs.rglob("basethreats.csv"))
    with open(path, encoding="utf-8") as handle:
        official = [row["ID"] for row in csv.DictReader(handle)]
    assert len(official) == 47
    header = HEADER.replace("title,", "title,relevant,")
    rows = "CL-P,G 0.1,,nein,,,,Tablett ohne Brandlast: trägt nichts bei,,,\nCL-P,G 0.16,,,mittel,begrenzt,,,,,\n"
    folder = make(tmp_path / "proposed")
    (folder / "risks.csv").write_text(header + rows, encoding="utf-8")
    analysis = analysed(folder, shared_catalogs)
    overview = threat_overview(analysis, "CL-P")
    assert [t.threat for t in overview] == official and {t.source for t in overview} == {"vorgeschlagen"}
    entry = analysis.risks["CL-P"]
    assert entry.proposed and len(entry.risks) == 47
    ruled_out = {r.threat: r.status for r in entry.risks if not r.relevant}
    assert ruled_out == {"G 0.1": "nicht relevant"}
    assert entry.status == "offen: 45 von 47 Gefährdungen nicht bewertet"
    item = next(i for i in analysis.plan if i.object == "CL-P" and i.kind == "risikoanalyse")
    assert item.title == ("Risikoanalyse: 45 von 47 vorgeschlagenen elementaren Gefährdungen bewerten oder als "
                          "nicht relevant ausschließen")


# --------------------------------------------------------------------------- 6. Kern-Absicherung


def test_kern_selects_h_requirements_of_crown_jewels_by_need_and_asks_for_a_risk_analysis(haan, shared_catalogs):
    """BSI-Standard 200-2, chapter 7 (Kern-Absicherung): for the Kronjuwelen the requirements follow their
    need as in the Standard-Absicherung, plus a risk analysis. SRV-08 (kronjuwel) has availability normal:
    the H requirements whose KRT CIA letters name only availability are not selected."""
    kern = analysed(haan, shared_catalogs, variant="kern")
    standard = analysed(haan, shared_catalogs)
    assert kern.assessment.objects["SRV-08"].has_tag("kronjuwel")
    assert kern.propagation.level("SRV-08", BasicValue.AVAILABILITY) is Level.NORMAL
    kompendium = kern.kompendium
    h_of_srv08 = [r for r in kern.selection.for_object("SRV-08") if r.level == "H"]
    assert all(set(kompendium.requirement(r.requirement).cia) != {"A"} for r in h_of_srv08)
    assert {(r.object, r.requirement) for r in kern.selection} == {(r.object, r.requirement)
                                                                    for r in standard.selection}
    jewels = sorted(i for i, o in kern.assessment.objects.items() if o.has_tag("kronjuwel"))
    flagged = {i: e.flagged for i, e in kern.risks.objects.items()}
    for jewel in jewels:
        assert FlagReason("kronjuwel", "Kronjuwel in der Kern-Absicherung: Risikoanalyse erforderlich "
                                       "(BSI-Standard 200-2, Kapitel 7)") in flagged[jewel].reasons, jewel
    assert not any("kronjuwel" in f.kinds for f in standard.risks.objects.values() for f in [f.flagged])


def test_grundschutz_plus_plus_refuses_basis_and_kern(tmp_path, shared_catalogs, catalog):
    """Grundschutz++ Methodik (GC.7.1: Schutzbedarf "normal" und "hoch"; the profile knows the security
    levels normal-SdT and erhöht, no variants): basis and kern are refused with a clear message."""
    assert "„normal“ und „hoch“" in statement(catalog, "gspp-methodik", "GC.7.1")
    folder = make(tmp_path / "kern", None, GSPP + "variant: kern\n")
    assert problems_of(folder) == [
        "assessment.yaml, Zeile 3, Spalte 'variant', Wert 'kern': Grundschutz++ kennt keine Basis- oder "
        "Kern-Absicherung: das Sicherheitsniveau ergibt sich aus dem Schutzbedarf (normal-SdT, erhöht); "
        "'variant: standard' setzen oder die Variante weglassen"]
    plain = make(tmp_path / "plain", None, GSPP)
    with pytest.raises(GrundschutzError, match="Grundschutz\\+\\+ kennt keine Basis- oder Kern-Absicherung"):
        analysed(plain, shared_catalogs, variant="basis").selection


# --------------------------------------------------------------------------- 4. Grundschutz++ triggers


def test_grundschutz_plus_plus_high_need_triggers_a_risk_consideration(tmp_path, shared_catalogs, catalog):
    """Grundschutz++ Methodik GC.7.2 (read from the official catalog): "dedizierte Risikobetrachtung von
    Geschäftsprozessen oder Informationen mit hohem Schutzbedarf". hoch flags, business processes included."""
    assert "hohem Schutzbedarf" in statement(catalog, "gspp-methodik", "GC.7.2")
    gspp = gspp_analysis(tmp_path / "gspp", shared_catalogs)
    for object_id in ("APP-1", "GP-1"):
        assert flag_reasons(gspp, object_id) == (FlagReason(
            "hoch", "Schutzbedarf hoch in Vertraulichkeit: dedizierte Risikobetrachtung bei hohem Schutzbedarf "
                    "(Grundschutz++ Methodik GC.7.2, STM.4.1)"),), object_id
    assert flag_reasons(gspp, "APP-2") == ()
    assert set(gspp.selection.risk_analysis) == {"GP-1", "APP-1", "APP-3", "SRV-1"}


def test_grundschutz_plus_plus_stm_4_1_triggers_each_with_its_reason(tmp_path, shared_catalogs, catalog):
    """Grundschutz++ Methodik STM.4.1 (read from the official catalog): a risk consideration is needed for
    high need, for lowering the security level from erhöht to normal-SdT, for requirements not implemented,
    and for assets without matching requirements."""
    text = statement(catalog, "gspp-methodik", "STM.4.1")
    for trigger in ("hohem Schutzbedarf", "Herabstufung des Sicherheitsniveaus", "Nicht-Umsetzung",
                    "ohne passende Anforderungen"):
        assert trigger in text, trigger
    first = gspp_analysis(tmp_path / "first", shared_catalogs)
    raised = next(r.requirement for r in first.selection.for_object("SRV-1") if r.level == "erhöht")
    normal = next(r.requirement for r in first.selection.for_object("APP-2") if r.level == "normal-SdT")
    folder = tmp_path / "triggers"
    make(folder, None, GSPP)
    header, *rows = NEEDS.strip().split("\n")
    (folder / "needs.csv").write_text(
        f"{header},confidentiality_reason,integrity_reason,availability_reason,effect\n"
        + "".join(f"{row},,,,\n" for row in rows) + "APP-1,normal,,,Nur Aktenzeichen,,,manual\n", encoding="utf-8")
    (folder / "check.csv").write_text(
        "object,requirement,status,note\n"
        f"SRV-1,{raised},entbehrlich,Nicht nötig\nAPP-2,{normal},nein,\n", encoding="utf-8")
    analysis = analysed(folder, shared_catalogs)
    assert analysis.propagation.derivation("APP-1", BasicValue.CONFIDENTIALITY).deviation
    kinds = {i: dict((r.kind, r.text) for r in flag_reasons(analysis, i)) for i in ("APP-1", "SRV-1", "APP-2",
                                                                                    "CL-P")}
    assert kinds["APP-1"]["herabgestuft"] == ("Sicherheitsniveau von erhöht auf normal-SdT herabgestuft: "
                                              "Vertraulichkeit manuell auf normal gesetzt (berechnet hoch) "
                                              "(Methodik STM.4.1)")
    assert kinds["SRV-1"]["herabgestuft"] == ("Sicherheitsniveau von erhöht auf normal-SdT herabgestuft: "
                                              f"1 erhöht-Control entbehrlich: {raised} (Methodik STM.4.1)")
    assert kinds["APP-2"] == {"nicht umgesetzt": f"1 Control nicht umgesetzt (Status nein): {normal} "
                                                 "(Methodik STM.4.1)"}
    assert kinds["CL-P"] == {"ohne Baustein": "keine passende Zielobjekt-Kategorie: für das Asset gibt es keine "
                                              "Anforderungen im Grundschutz++ (Methodik STM.4.1, STM.2.1.6)"}
    assert {"herabgestuft", "nicht umgesetzt"} <= {k for o in analysis.risks for k in o.flagged.kinds}


# --------------------------------------------------------------------------- 7. STM.2.1.5


def test_controls_without_category_wait_for_a_relevance_decision(tmp_path, shared_catalogs, catalog):
    """Grundschutz++ Methodik STM.2.1.1 (the ISMS practices GC, STM, PERF, VRB, UMS apply to the whole
    Informationsverbund) and STM.2.1.5 (read from the official catalog): every other control without
    Zielobjekt-Kategorie needs a relevance decision per business process, struck ones with a reason."""
    assert "Relevanzentscheidung" in statement(catalog, "gspp-methodik", "STM.2.1.5")
    assert "GC, STM, PERF, VRB, UMS" in statement(catalog, "gspp-methodik", "STM.2.1.1")
    analysis = gspp_analysis(tmp_path / "open", shared_catalogs)
    controls = analysis.modelling.catalog.controls
    without = {cid for cid, c in controls.items() if not c.target_categories}
    isms = {cid for cid in without if cid.split(".")[0] in ("GC", "STM", "PERF", "VRB", "UMS", "RISK")}
    on_verbund = {r.requirement for r in analysis.selection.for_object("IV")}
    assert isms - {r.requirement for r in analysis.selection.undecided} <= on_verbund
    assert not (without - isms) & on_verbund  # nothing put there silently
    open_ = {r.requirement: r.reason for r in analysis.selection.undecided if r.object == "IV"}
    assert without - isms <= set(open_)
    assert all("Relevanzentscheidung offen (Methodik STM.2.1.5)" in open_[c] for c in without - isms)

    chosen = sorted(without - isms)
    yes_iv, yes_gp, no = chosen[0], chosen[1], chosen[2]
    decided = gspp_analysis(tmp_path / "decided", shared_catalogs, relevance=(
        f"IV,{yes_iv},ja,Gilt für alle Verfahren\nGP-1,{yes_gp},ja,Meldewesen braucht es\n"
        f"IV,{no},nein,Keine eigene Entwicklung\n"))
    selected = {(r.object, r.requirement): r for r in decided.selection}
    assert ("IV", yes_iv) in selected and "Gilt für alle Verfahren" in selected[("IV", yes_iv)].reason
    assert ("GP-1", yes_gp) in selected and ("IV", yes_gp) not in selected
    assert not any(r.requirement == no for r in decided.selection)
    assert not any(r.requirement in (yes_iv, yes_gp, no) for r in decided.selection.undecided)
    from grundschutz.method.gspp import gspp_not_selected_reason

    why = gspp_not_selected_reason(decided.selection, "IV", no, decided.modelling.catalog)
    assert why == "Control ohne Zielobjekt-Kategorie, nicht relevant (relevance.csv: IV: Keine eigene Entwicklung)"


def test_relevance_csv_rows_are_checked(tmp_path, shared_catalogs):
    """docs/format.md, relevance.csv: a decision is for a control without category outside the ISMS
    practices, for a business process or IV; 'nein' needs the reason; Kompendium assessments refuse it."""
    first = gspp_analysis(tmp_path / "first", shared_catalogs)
    controls = first.modelling.catalog.controls
    with_category = next(cid for cid, c in controls.items() if c.target_categories)
    plain = next(cid for cid, c in controls.items() if not c.target_categories and cid.startswith("BER."))
    folder = tmp_path / "bad"
    analysis = gspp_analysis(folder, shared_catalogs, relevance=(
        f"IV,{with_category},ja,\nIV,GC.7.2,ja,\nAPP-1,{plain},ja,\nIV,XYZ.9,ja,\n"))
    from grundschutz import AssessmentError

    with pytest.raises(AssessmentError) as info:
        analysis.selection
    messages = [str(p) for p in info.value.problems]
    assert [m.split(":")[0] for m in messages] == [
        f"relevance.csv, Zeile 2, Spalte 'control', Wert '{with_category}'",
        "relevance.csv, Zeile 3, Spalte 'control', Wert 'GC.7.2'",
        "relevance.csv, Zeile 4, Spalte 'object', Wert 'APP-1'",
        "relevance.csv, Zeile 5, Spalte 'control', Wert 'XYZ.9'"]
    assert "Relevanzentscheidung gibt es nur für Controls ohne Kategorie" in messages[0]
    assert "Methodik STM.2.1.1" in messages[1] and "ist vom Typ application" in messages[2]
    (folder / "relevance.csv").write_text("object,control,relevant,reason\nIV,BER.1,nein,\n", encoding="utf-8")
    assert problems_of(folder) == ["relevance.csv, Zeile 2, Spalte 'reason', Wert '': nicht relevant ('nein') "
                                   "braucht eine Begründung (Methodik STM.2.1.5)"]
    kompendium = make(tmp_path / "komp")
    (kompendium / "relevance.csv").write_text(f"object,control,relevant,reason\nIV,{plain},ja,\n", encoding="utf-8")
    assert problems_of(kompendium) == [
        "relevance.csv: relevance.csv hält die Relevanzentscheidungen für Controls ohne Zielobjekt-Kategorie und "
        "gilt nur für Grundschutz++ (Methodik STM.2.1.5): Datei entfernen oder 'edition: grundschutz++' setzen."]


# --------------------------------------------------------------------------- 12. Teleheimarbeit


def test_teleheimarbeit_models_mobile_work_and_the_terminal_server_clients(haan, shared_catalogs):
    """Kompendium 2023 (XML): the modelling table names the Zielobjekttyp of INF.9 Mobiler Arbeitsplatz
    "Informationsverbund/übergeordnete Aspekte"; the Abgrenzung of SYS.1.9 Terminalserver applies it to the
    accessing clients too. Smartphones and tablets are used on the road and at home already, so INF.9 is on
    the Informationsverbund of the baseline; the telework notebooks, which run H&H from the terminal server,
    get SYS.1.9 in the scenario. The Ratsinformationssystem is ready from the scenario's point of view, and
    the verdict says how much of its own chain is open in the baseline."""
    analysis = analysed(haan, shared_catalogs)
    kompendium = analysis.kompendium
    assert kompendium.bausteine["INF.9"].target_type == "Informationsverbund/übergeordnete Aspekte"
    assert "auf die zugreifenden Fat Clients und Thin Clients" in kompendium.bausteine["SYS.1.9"].scope
    assert "INF.9" in analysis.modelling.bausteine("IV")
    assert {o.type.value for o in analysis.assessment.objects.values()} >= {"mobile"}
    result = analysis.scenario("teleheimarbeit")
    assert not result.result.modelling.warnings  # every hand change of the scenario changes something
    added = {(b.object, b.baustein) for b in result.bausteine_added}
    assert ("CL-20", "SYS.1.9") in added and ("IV", "INF.9") not in added
    assert "SYS.1.9" in result.result.modelling.bausteine("CL-20")
    ready = result.verdict("APP-49")
    assert ready.verdict == "bereit" and ready.baseline_open_basis > 0
    assert ready.text == ("bereit aus Sicht des Szenarios; im Bestand offen: "
                          f"{ready.baseline_open_basis} Basis-Anforderungen")


def test_bereit_names_the_open_baseline_requirements_of_the_application(haan, shared_catalogs):
    """docs/method.md, Scenarios: a verdict bereit states the Basis-Anforderungen of the application's own
    chain that are open in the baseline, so that nobody reads it as "all is safe"."""
    analysis = analysed(haan, shared_catalogs)
    result = analysis.scenario("neue-serverlandschaft")
    ready = [v for v in result.verdicts if v.verdict == "bereit"]
    assert ready
    graph = result.result.propagation.index
    for verdict in ready:
        scope, stack = {verdict.application}, [verdict.application]
        while stack:
            for target in graph.supports[graph.position[stack.pop()]]:
                if graph.ids[target] not in scope:
                    scope.add(graph.ids[target])
                    stack.append(graph.ids[target])
        baseline = {(e.object, e.requirement) for e in analysis.check}
        open_basis = [e for e in result.result.check if e.object in scope and e.level == "B"
                      and not e.status.implemented and (e.object, e.requirement) in baseline]
        assert open_basis
        assert verdict.text == ("bereit aus Sicht des Szenarios; im Bestand offen: "
                                f"{len(open_basis)} Basis-Anforderungen")
