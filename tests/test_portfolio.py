"""The portfolio of a provider: shared objects inherit the needs of all client municipalities.

The hand-computed case (three municipalities, two shared services, one
cumulation across clients) follows BSI-Standard 200-2, section 8.2
(Schutzbedarfsfeststellung): the Maximumprinzip ("the protection need of a
target object is determined by the highest protection need of the
applications/business processes that depend on it") applied across the
municipalities that depend on a provider's service, and the
Kumulationseffekt (many dependents of moderate need can raise the need of the
object they share) with the municipalities as the dependents. Every expected
value below is worked out by hand in the comments.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from grundschutz.cli import main
from grundschutz.exchange.portfolio import apply_portfolio, plan_apply, read_portfolio, read_summaries
from grundschutz.model import BasicValue, Level
from grundschutz.model.errors import AssessmentError, GrundschutzError

C, I, A = BasicValue.CONFIDENTIALITY, BasicValue.INTEGRITY, BasicValue.AVAILABILITY
REPO = Path(__file__).resolve().parents[1]
NEEDS_HEADER = "object,confidentiality,integrity,availability,confidentiality_reason,integrity_reason," \
               "availability_reason,effect\n"

PROVIDER_YAML = """\
name: Rechenzentrum
organisation: Rechenzentrum RZ
portfolio:
  id: rz
  cumulation:
    - name: Verfügbarkeit vieler Kommunen
      basic_value: availability
      types: [service]
      min_clients: 2
      at_level: hoch
      raise_to: sehr hoch
      candidate_margin: 1
      reason: Zwei Kommunen mit hohem Bedarf fallen gemeinsam aus.
    - name: Vertraulichkeit vieler Kommunen
      basic_value: confidentiality
      types: [service]
      min_clients: 3
      at_level: hoch
      raise_to: sehr hoch
      candidate_margin: 1
"""


def _write(folder: Path, yaml: str, objects: str, dependencies: str, needs: str) -> Path:
    folder.mkdir(parents=True)
    (folder / "assessment.yaml").write_text(yaml, encoding="utf-8")
    (folder / "objects.csv").write_text("id,type,name,description,tags,count\n" + objects, encoding="utf-8")
    (folder / "dependencies.csv").write_text("object,depends_on,redundancy_group,note\n" + dependencies,
                                             encoding="utf-8")
    (folder / "needs.csv").write_text(NEEDS_HEADER + needs, encoding="utf-8")
    return folder


@pytest.fixture()
def root(tmp_path: Path) -> Path:
    """The provider ``rz`` (S1 Hosting, S2 Netz, S3 unused) and three municipalities, plus one broken folder."""
    base = tmp_path / "land"
    _write(base / "rz", PROVIDER_YAML,
           "S1,service,Hosting,,,\nS2,service,Netz,,,\nS3,service,Archiv,,,\nSRV,server,Server,,,\n",
           "S1,SRV,,\n", "")
    # Stadt A: P1 (C hoch, I normal, A hoch) -> APP -> X1 (= rz:S1) -> N1 (= rz:S2)
    _write(base / "a", "organisation: Stadt A\n",
           "P1,process,Melden,,,\nAPP,application,Meldewesen,,,\nX1,service,RZ-Hosting,,provider=rz:S1,\n"
           "N1,network,RZ-Netz,,provider=rz:S2,\n",
           "P1,APP,,\nAPP,X1,,\nX1,N1,,\n",
           "P1,hoch,normal,hoch,Meldedaten,Fehler fallen auf,Bürgerbüro\n")
    # Gemeinde B: P1 (C normal, I sehr hoch, A hoch) -> X1 (= rz:S1); P2 (C hoch, I normal, A normal) -> X2 (= rz:S2)
    _write(base / "b", "organisation: Gemeinde B\n",
           "P1,process,Kasse,,,\nP2,process,Soziales,,,\nX1,service,Hosting beim RZ,,provider=rz:S1,\n"
           "X2,service,Netz des RZ,,Provider=rz:S2,\n",
           "P1,X1,,\nP2,X2,,\n",
           "P1,normal,sehr hoch,hoch,öffentlich,Zahlungen,Zahltage\nP2,hoch,normal,normal,Sozialdaten,geprüft,"
           "kann warten\n")
    # Stadt C: P1 (C sehr hoch, I hoch, A normal) -> X1 (= rz:S2); X9 refers to rz:S9, which rz does not have
    _write(base / "c", "organisation: Stadt C\n",
           "P1,process,Ausländerwesen,,,\nX1,network,Anbindung RZ,,provider=rz:S2,\n"
           "X9,service,Unbekannt,,provider=rz:S9,\n",
           "P1,X1,,\n",
           "P1,sehr hoch,hoch,normal,Asylverfahren,Auskünfte,Abfragen warten\n")
    _write(base / "kaputt", "organisation: Kaputt\n", "K1,process,Kaputt,,,\n", "", "K1,mittel,,,,,,\n")
    return base


def _levels(shared) -> list[str]:
    return [v.level.label if v.level else "" for v in shared.values]


def test_the_hand_computed_portfolio(root):
    portfolio = read_portfolio(root, root / "rz", workers=1)
    assert (portfolio.provider, portfolio.provider_name) == ("rz", "Rechenzentrum RZ")
    # S1 is used by A and B: C max(hoch, normal) = hoch (A); I max(normal, sehr hoch) = sehr hoch (B);
    # A max(hoch, hoch) = hoch, and 2 municipalities at hoch >= min_clients 2: raised to sehr hoch.
    # S2 is used by A (via N1: hoch/normal/hoch), B (X2: hoch/normal/normal), C (X1: sehr hoch/hoch/normal):
    # C = sehr hoch (C), I = hoch (C), A = hoch (A only): 1 municipality at hoch, 2 - 1 <= 1: a candidate.
    # The confidentiality rule (3 at hoch) would count A, B, C for S2, but S2 already has sehr hoch.
    assert [(s.id, _levels(s)) for s in portfolio.objects] == [
        ("S1", ["hoch", "sehr hoch", "sehr hoch"]),
        ("S2", ["sehr hoch", "hoch", "hoch"]),
    ]
    s1, s2 = portfolio.objects
    assert [s1.value(v).maximum for v in (C, I, A)] == [Level.HOCH, Level.SEHR_HOCH, Level.HOCH]
    assert [u.client_name for u in s1.clients] == ["Gemeinde B", "Stadt A"]
    assert [u.client_name for u in s2.clients] == ["Gemeinde B", "Stadt A", "Stadt C"]
    assert [(d.client_name, d.object, d.origin, d.reason) for d in s1.value(C).drivers] == [
        ("Stadt A", "X1", "P1", "Meldedaten")]
    assert [(d.client_name, d.origin, d.reason) for d in s1.value(I).drivers] == [("Gemeinde B", "P1", "Zahlungen")]
    assert [(d.client_name, d.origin) for d in s1.value(A).drivers] == [("Gemeinde B", "P1"), ("Stadt A", "P1")]
    assert [(d.client_name, d.object, d.origin) for d in s2.value(C).drivers] == [("Stadt C", "X1", "P1")]
    assert [(d.client_name, d.object) for d in s2.value(A).drivers] == [("Stadt A", "N1")]
    # the one cumulation across clients and the one candidate
    assert [(c.object, c.basic_value, c.client_names, c.before, c.after) for c in portfolio.cumulations] == [
        ("S1", A, ("Gemeinde B", "Stadt A"), Level.HOCH, Level.SEHR_HOCH)]
    assert s1.value(A).cumulation is portfolio.cumulations[0]
    assert [(c.object, c.basic_value, c.count, c.rule.name) for c in portfolio.candidates] == [
        ("S2", A, 1, "Verfügbarkeit vieler Kommunen")]
    # the broken folder is listed with its error and not counted; the unknown reference is a note
    assert [s.key for s in portfolio.excluded] == ["kaputt"]
    assert [str(p) for p in portfolio.excluded[0].problems] == [
        "needs.csv, Zeile 2, Spalte 'confidentiality', Wert 'mittel': 'mittel' ist keine Schutzbedarfskategorie "
        "(normal, hoch, sehr hoch)"]
    assert [c.key for c in portfolio.clients] == ["b", "a", "c"]
    assert [str(n) for n in portfolio.notes] == [
        f"Stadt C ({root / 'c'}), X9, Tag 'provider=rz:S9': Zielobjekt 'S9' gibt es beim Anbieter rz nicht"]


def test_the_generated_reason_names_count_maximum_origin_and_cumulation(root):
    from grundschutz.method.portfolio import inherited_reason

    portfolio = read_portfolio(root, root / "rz", workers=1)
    s1 = portfolio.object("S1")
    assert inherited_reason(s1, C) == "[Portfolio] Geerbt von 2 Kommunen; höchster Wert hoch: Stadt A, P1 (Melden): " \
                                      "Meldedaten"
    assert inherited_reason(s1, A) == (
        "[Portfolio] Kumulationseffekt über Kommunen (Verfügbarkeit vieler Kommunen): 2 Kommunen mit mindestens hoch "
        "(Schwelle 2), angehoben von hoch auf sehr hoch. Zwei Kommunen mit hohem Bedarf fallen gemeinsam aus. "
        "Geerbt von 2 Kommunen; höchster Wert hoch: Gemeinde B, P1 (Kasse): Zahltage Ebenfalls hoch: Stadt A.")


def test_the_provider_is_found_by_its_portfolio_key(root):
    assert read_portfolio(root, workers=1).provider_source == str(root / "rz")
    shutil.copytree(root / "rz", root / "rz2")
    with pytest.raises(GrundschutzError, match="Mehrere Anbieter gefunden"):
        read_portfolio(root, workers=1)
    with pytest.raises(GrundschutzError, match="Kein Anbieter gefunden"):
        read_portfolio(root / "a", workers=1)


def test_worker_processes_give_the_same_summaries(root):
    from grundschutz.exchange.portfolio import find_assessments

    folders = find_assessments([root])
    assert [f.name for f in folders] == ["a", "b", "c", "kaputt", "rz"]
    assert read_summaries(folders, workers=2) == read_summaries(folders, workers=1)


def test_a_missing_folder_and_a_broken_provider_are_errors(root, tmp_path):
    with pytest.raises(GrundschutzError, match="Ordner nicht gefunden"):
        read_portfolio([root, tmp_path / "fehlt"], workers=1)
    (root / "rz" / "assessment.yaml").write_text(PROVIDER_YAML.replace("min_clients: 2", "min_dependents: 2"),
                                                 encoding="utf-8")
    with pytest.raises(AssessmentError) as info:
        read_portfolio(root, root / "rz", workers=1)
    assert [str(p) for p in info.value.problems] == [
        "assessment.yaml, Zeile 6, Spalte 'portfolio.cumulation[1].min_clients': Angabe fehlt",
        "assessment.yaml, Zeile 9, Spalte 'portfolio.cumulation[1]': unbekannter Schlüssel 'min_dependents' – "
        "meinten Sie 'min_clients'?",
    ]


# --------------------------------------------------------------------------- --apply


def test_apply_writes_generated_rows_and_a_second_run_changes_nothing(root):
    needs = root / "rz" / "needs.csv"
    portfolio = read_portfolio(root, root / "rz", workers=1)
    preview = plan_apply(portfolio)
    assert needs.read_text(encoding="utf-8") == NEEDS_HEADER  # a preview writes nothing
    assert [(c.object, c.action, c.cells) for c in preview.changes] == [
        ("S1", "neu", (("confidentiality", "", "hoch"), ("integrity", "", "sehr hoch"),
                       ("availability", "", "sehr hoch"))),
        ("S2", "neu", (("confidentiality", "", "sehr hoch"), ("integrity", "", "hoch"), ("availability", "", "hoch"))),
    ]
    applied = apply_portfolio(portfolio)
    assert applied.data == preview.data and needs.read_bytes() == applied.data
    from grundschutz import propagate, read_assessment

    krz = propagate(read_assessment(root / "rz"))
    assert krz.level("S1", A) is Level.SEHR_HOCH and krz.level("SRV", A) is Level.SEHR_HOCH
    assert krz.derivation("S1", A).reason.startswith("[Portfolio] Kumulationseffekt über Kommunen")
    before = needs.read_bytes()
    again = apply_portfolio(read_portfolio(root, root / "rz", workers=1))
    assert (again.changes, again.data, needs.read_bytes()) == ((), None, before)


def test_apply_never_touches_hand_written_rows_and_removes_its_stale_rows(root):
    needs = root / "rz" / "needs.csv"
    hand = ("S2,hoch,,hoch,Vom RZ selbst festgestellt,,\"Netz, redundant\",\n"
            "S1,,,normal,,,Wartungsfenster vereinbart,manual\n"
            "SRV,normal,normal,normal,eigene Zeile,eigene Zeile,eigene Zeile,\n"
            "S3,hoch,,,[Portfolio] Geerbt von 1 Kommune; veraltet,,,\n")
    needs.write_text(NEEDS_HEADER + hand, encoding="utf-8")
    plan = apply_portfolio(read_portfolio(root, root / "rz", workers=1))
    assert [(c.object, c.action) for c in plan.changes] == [("S1", "neu"), ("S3", "entfernt")]
    assert [(k.object, k.row, k.lower) for k in plan.kept] == [
        ("S2", 2, (("confidentiality", "hoch", "sehr hoch"), ("integrity", "", "hoch")))]
    lines = needs.read_text(encoding="utf-8").splitlines()
    assert lines[1:4] == hand.splitlines()[:3]  # byte for byte, in place
    assert len(lines) == 5 and lines[4].startswith('S1,hoch,sehr hoch,sehr hoch,"[Portfolio] ')


def test_a_changed_municipality_changes_only_the_generated_row(root):
    needs = root / "rz" / "needs.csv"
    apply_portfolio(read_portfolio(root, root / "rz", workers=1))
    s2_row = needs.read_text(encoding="utf-8").splitlines()[2]
    b = root / "b" / "needs.csv"
    b.write_text(b.read_text(encoding="utf-8").replace("P1,normal,sehr hoch,hoch", "P1,normal,hoch,hoch"),
                 encoding="utf-8")
    plan = apply_portfolio(read_portfolio(root, root / "rz", workers=1))
    # S1 integrity: max(normal (A), hoch (B)) = hoch now
    assert [(c.object, c.action, c.cells) for c in plan.changes] == [
        ("S1", "geändert", (("integrity", "sehr hoch", "hoch"),))]
    assert needs.read_text(encoding="utf-8").splitlines()[2] == s2_row


def test_cli_preview_apply_and_refusal_with_excluded_folders(root):
    runner = CliRunner()
    done = runner.invoke(main, ["portfolio", str(root), "-j", "1"])
    assert done.exit_code == 0, done.output
    assert "4 Bewertungen gelesen: 3 Kommunen nutzen 2 gemeinsame Zielobjekte von rz; 1 mit Fehlern nicht " \
           "berücksichtigt (die Ergebnisse schließen sie aus)." in done.output
    assert f"  {root / 'kaputt'}: 1 Fehler\n    needs.csv, Zeile 2, Spalte 'confidentiality'" in done.output
    assert "(Vorschau; mit --apply schreiben)" in done.output
    assert (root / "rz" / "needs.csv").read_text(encoding="utf-8") == NEEDS_HEADER
    refused = runner.invoke(main, ["portfolio", str(root), "--apply", "-j", "1"])
    assert refused.exit_code == 1
    assert "Fehler: 1 Bewertungen mit Fehlern sind nicht berücksichtigt" in refused.output
    assert (root / "rz" / "needs.csv").read_text(encoding="utf-8") == NEEDS_HEADER
    forced = runner.invoke(main, ["portfolio", str(root), "--apply", "--force", "-j", "1"])
    assert forced.exit_code == 0 and "(geschrieben)" in forced.output
    assert (root / "rz" / "needs.csv").read_text(encoding="utf-8").count("[Portfolio]") == 6


def test_cli_json_and_csv(root):
    runner = CliRunner()
    done = runner.invoke(main, ["portfolio", str(root), "--provider", str(root / "rz"), "-f", "json", "-j", "1"])
    assert done.exit_code == 0, done.output
    data = json.loads(done.output)
    assert data["counts"] == {"read": 4, "users": 3, "excluded": 1, "shared_objects": 2}
    s1 = data["objects"][0]
    assert (s1["object"], s1["values"]["availability"]["level"], s1["values"]["availability"]["maximum"]) == \
        ("S1", "sehr hoch", "hoch")
    assert s1["values"]["availability"]["cumulation"]["clients"] == ["Gemeinde B", "Stadt A"]
    rows = runner.invoke(main, ["portfolio", str(root), "-f", "csv", "--by", "client", "-j", "1"]).output
    header, *lines = rows.splitlines()
    assert header.startswith("object,name,client,client_name,client_objects,confidentiality,confidentiality_origin")
    assert [line.split(",")[0] + " " + line.split(",")[3] for line in lines] == [
        "S1 Gemeinde B", "S1 Stadt A", "S2 Gemeinde B", "S2 Stadt A", "S2 Stadt C"]


def test_outputs_workbook_page_and_figure(root, tmp_path):
    from openpyxl import load_workbook

    (root / "a" / "assessment.yaml").write_text("organisation: '=HYPERLINK(\"x\")'\n", encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    done = CliRunner().invoke(main, ["portfolio", str(root), "-j", "1", "-o", str(out / "p.xlsx"),
                                     "-o", str(out / "p.html"), "-o", str(out / "p.png")])
    assert done.exit_code == 0, done.output
    book = load_workbook(out / "p.xlsx")
    assert book.sheetnames == ["Übersicht", "S1", "S2", "Kumulation", "Nicht berücksichtigt", "Hinweise"]
    overview = [row for row in book["Übersicht"].iter_rows(min_row=6, values_only=True)]
    assert [row[:7] for row in overview] == [("S1", "Hosting", "service", 2, "hoch", "sehr hoch", "sehr hoch*"),
                                             ("S2", "Netz", "service", 3, "sehr hoch", "hoch", "hoch")]
    cell = book["S1"]["A6"]  # the first municipality, in name order
    assert (cell.value, cell.data_type, cell.quotePrefix) == ('=HYPERLINK("x")', "s", True)
    page = (out / "p.html").read_text(encoding="utf-8")
    assert "=HYPERLINK(&quot;x&quot;)" in page and "<svg" in page and "Abbildung 1: " in page
    assert (out / "p.png").read_bytes().startswith(b"\x89PNG")


def test_heatmap_codes():
    from grundschutz.views.portfolio_figures import portfolio_heatmap_figure

    portfolio = read_portfolio(REPO / "assessments", workers=1)
    figure = portfolio_heatmap_figure(portfolio, "availability")
    data = figure.grundschutz
    assert data["objects"] == ["DL-01", "DL-02", "DL-03", "DL-04", "DL-05"]
    assert [Path(c).name for c in data["clients"]] == ["auental", "bergheide", "eichenbrueck", "haan"]
    haan = [row[3] for row in data["levels"]]
    assert haan == [2, 2, 2, -1, -1]  # Haan: DL-01, DL-02, NET-06 hoch; no MESO or finance hosting


# --------------------------------------------------------------------------- the worked example


def test_the_worked_example_is_in_step(tmp_path):
    """``assessments/krz-lemgo/needs.csv`` holds what ``grundschutz portfolio assessments --apply`` writes."""
    done = CliRunner().invoke(main, ["portfolio", str(REPO / "assessments"), "-j", "1"])
    assert done.exit_code == 0, done.output
    assert "Keine Änderungen:" in done.output, (
        "assessments/krz-lemgo/needs.csv ist nicht auf dem Stand: grundschutz portfolio assessments --apply")
    assert "DL-01       Verfügbarkeit    hoch           Stadt Haan: APP-01" in done.output
    copy = tmp_path / "assessments"
    shutil.copytree(REPO / "assessments", copy, ignore=shutil.ignore_patterns(".grundschutz*"))
    (copy / "krz-lemgo" / "needs.csv").write_text(
        "\n".join((REPO / "assessments/krz-lemgo/needs.csv").read_text(encoding="utf-8").splitlines()[:3]) + "\n",
        encoding="utf-8")
    first = apply_portfolio(read_portfolio(copy, workers=1))
    assert [c.action for c in first.changes] == ["neu"] * 5
    assert (copy / "krz-lemgo" / "needs.csv").read_bytes() == (REPO / "assessments/krz-lemgo/needs.csv").read_bytes()
    assert apply_portfolio(read_portfolio(copy, workers=1)).data is None


def test_an_object_no_municipality_rated_gets_no_row(root):
    _write(root / "d", "organisation: Dorf D\n", "X,service,Archiv beim RZ,,provider=rz:S3,\n", "", "")
    portfolio = read_portfolio(root, root / "rz", workers=1)
    assert [(s.id, _levels(s), [u.client_name for u in s.clients]) for s in portfolio.objects][2] == \
        ("S3", ["", "", ""], ["Dorf D"])
    plan = apply_portfolio(portfolio)
    assert [c.object for c in plan.changes] == ["S1", "S2"]
    assert "S3," not in (root / "rz" / "needs.csv").read_text(encoding="utf-8")


def test_a_provider_kept_as_a_workbook_is_shown_but_not_written(root):
    from openpyxl import Workbook

    book = Workbook()
    for name, path in (("objects", "objects.csv"), ("dependencies", "dependencies.csv"), ("needs", "needs.csv")):
        sheet = book.create_sheet(name)
        for line in (root / "rz" / path).read_text(encoding="utf-8").splitlines():
            sheet.append(line.split(","))
        (root / "rz" / path).unlink()
    book.remove(book["Sheet"])
    book.save(root / "rz" / "assessment.xlsx")
    done = CliRunner().invoke(main, ["portfolio", str(root), "-j", "1"])
    assert done.exit_code == 0, done.output
    assert "S1          Hosting  2         hoch             sehr hoch   sehr hoch*" in done.output
    assert "Keine Übernahme möglich: " in done.output and "liegt als Arbeitsmappe vor" in done.output
    refused = CliRunner().invoke(main, ["portfolio", str(root), "-j", "1", "--apply", "--force"])
    assert refused.exit_code == 1 and "--apply schreibt needs.csv" in refused.output


# --------------------------------------------------------------------------- one institution, several assessments


def test_two_assessments_of_one_institution_count_once(root):
    """A town may keep two assessments that refer to the same provider object (assessments/haan and its
    Grundschutz++ excerpt assessments/haan-gspp). The Kumulationseffekt across clients counts
    municipalities (BSI-Standard 200-2, 8.2.2: many dependents of moderate need), so the town counts once:
    per basic value its highest need over both, named with the folder it comes from, and a note."""
    _write(root / "a-auszug", "organisation: Stadt A\nedition: grundschutz++\n",
           "P9,process,Melden (Auszug),,,\nY1,network,RZ-Netz,,provider=rz:S2,\n", "P9,Y1,,\n",
           "P9,hoch,sehr hoch,hoch,Meldedaten,Register,Bürgerbüro\n")
    portfolio = read_portfolio(root, root / "rz", workers=1)
    s1, s2 = portfolio.objects
    # S2 by hand: A (N1: hoch/normal/hoch, Y1: hoch/sehr hoch/hoch -> hoch/sehr hoch/hoch), B (hoch/normal/
    # normal), C (sehr hoch/hoch/normal): C sehr hoch (C), I sehr hoch (A, via Y1 of a-auszug), A hoch.
    # Availability: one municipality (Stadt A) at hoch, not two: still a candidate (threshold 2), not raised.
    assert [u.client_name for u in s2.clients] == ["Gemeinde B", "Stadt A", "Stadt C"]
    assert _levels(s2) == ["sehr hoch", "sehr hoch", "hoch"]
    assert [(d.client_name, d.client, d.object, d.origin) for d in s2.value(I).drivers] == [
        ("Stadt A", str(root / "a-auszug"), "Y1", "P9")]
    assert [(d.client, d.object) for d in s2.value(A).drivers] == [(str(root / "a"), "N1")]
    assert [(c.object, c.basic_value, c.count) for c in portfolio.candidates] == [("S2", A, 1)]
    assert [(c.object, c.basic_value) for c in portfolio.cumulations] == [("S1", A)]
    assert _levels(s1) == ["hoch", "sehr hoch", "sehr hoch"]
    assert len(portfolio.clients) == 4 and len(portfolio.users) == 3
    assert f"Stadt A ({root / 'a-auszug'}), Y1, Tag 'provider=rz:S2': dieselbe Institution wie {root / 'a'}: " \
           "für S2 einmal gezählt, je Grundwert mit dem höchsten Wert ihrer Bewertungen" in map(str, portfolio.notes)


def test_the_grundschutz_plus_plus_excerpt_of_haan_is_read_and_never_counts_haan_twice(tmp_path):
    """assessments/haan-gspp (Stadt Haan, no provider tags) is read and counted as read, uses nothing;
    tagged like Haan's own NET-06 it still leaves Haan one municipality of DL-03."""
    import csv

    copy = tmp_path / "assessments"
    shutil.copytree(REPO / "assessments", copy, ignore=shutil.ignore_patterns(".grundschutz*"))
    before = read_portfolio(copy, workers=1)
    assert "haan-gspp" in [c.key for c in before.clients] and "haan-gspp" not in [c.key for c in before.users]
    assert len(before.users) == 4 and not before.notes and not before.excluded
    path = copy / "haan-gspp" / "objects.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    tags = rows[0].index("tags")
    for row in rows[1:]:
        if row[0] == "NET-02":
            row[tags] += ";provider=krz-lemgo:DL-03"
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    after = read_portfolio(copy, workers=1)
    dl03 = after.object("DL-03")
    assert [u.client_name for u in dl03.clients] == [u.client_name for u in before.object("DL-03").clients]
    assert len(dl03.clients) == 4 and dl03.value(A).cumulation.count == 4
    assert [(s.id, _levels(s)) for s in after.objects] == [(s.id, _levels(s)) for s in before.objects]
    assert [n.client for n in after.notes] == [str(copy / "haan-gspp")]


def test_a_progress_bar_on_a_terminal_and_nothing_extra_in_a_pipe(root):
    """Issue 12: a portfolio run shows a progress bar on standard error when it is a terminal."""
    import os
    import pty
    import subprocess
    import sys

    env = {key: value for key, value in os.environ.items() if key != "COLUMNS"}
    env["PYTHONPATH"] = str(REPO)
    args = [sys.executable, "-m", "grundschutz", "portfolio", str(root), "--provider", str(root / "rz"), "-j", "1"]
    master, terminal = pty.openpty()
    done = subprocess.run(args, stdout=subprocess.PIPE, stderr=terminal, env=env, timeout=120)
    os.close(terminal)
    screen = b""
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:  # the terminal is closed and drained
            break
        if not chunk:
            break
        screen += chunk
    os.close(master)
    assert done.returncode == 0
    assert "Bewertungen lesen: 5 von 5" in screen.decode("utf-8") and "100%" in screen.decode("utf-8")
    assert b"Bewertungen lesen" not in done.stdout
    piped = subprocess.run(args, capture_output=True, env=env, timeout=120)
    assert piped.returncode == 0 and piped.stderr == b"" and piped.stdout == done.stdout


def test_outputs_by_suffix_and_an_unknown_suffix_before_any_work(root, tmp_path):
    """``-o`` writes each file its suffix names (library: ``write_portfolio_output``); an unknown suffix is a
    usage error before anything is read or written."""
    out = tmp_path / "out"
    out.mkdir()
    runner = CliRunner()
    refused = runner.invoke(main, ["portfolio", str(root), "-j", "1", "-o", str(out / "bericht.txt")])
    assert refused.exit_code == 2  # a usage error
    assert refused.output.endswith(f"Fehler: Ungültiger Wert für '-o' / '--output': '{out / 'bericht.txt'}': "
                                   "Dateiendung muss eine von .xlsx, .html, .png, .svg, .csv, .json sein.\n")
    assert list(out.iterdir()) == []
    names = ["p.csv", "p.json", "p.svg"]
    done = runner.invoke(main, ["portfolio", str(root), "-j", "1", "-f", "csv",
                                *(a for name in names for a in ("-o", str(out / name)))])
    assert done.exit_code == 0, done.output
    assert sorted(p.name for p in out.iterdir()) == sorted(names)
    assert (out / "p.csv").read_text(encoding="utf-8") == done.stdout
    assert json.loads((out / "p.json").read_text(encoding="utf-8"))["counts"]["excluded"] == 1
    assert (out / "p.svg").read_text(encoding="utf-8").lstrip().startswith("<?xml")


def test_library_calls_without_a_provider_id_or_with_an_unknown_table_are_refused_in_german(root):
    from grundschutz import read_assessment
    from grundschutz.method.portfolio import compute_portfolio
    from grundschutz.views.portfolio_tables import portfolio_records

    with pytest.raises(ValueError, match="^Der Anbieter hat keine Kennung: provider_id angeben"):
        compute_portfolio(read_assessment(root / "a"), [])
    portfolio = read_portfolio(root, root / "rz", workers=1)
    with pytest.raises(ValueError, match=r"^by: 'kommune' gibt es nicht \(erlaubt: object, client\)$"):
        portfolio_records(portfolio, by="kommune")
