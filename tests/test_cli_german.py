"""The command line as a German user meets it: help, usage errors, library errors, output that fits,
interruptions, a full disk, a new assessment. Everything through ``grundschutz.cli.main``."""

from __future__ import annotations

import io
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from grundschutz.cli import main
from grundschutz.cli.common import progress_bar

REPO = Path(__file__).resolve().parents[1]
SMALL = REPO / "tests" / "data" / "small"
#: English words that must not appear in a help text (identifiers such as ``table|csv|json`` may).
ENGLISH = re.compile(r"\b(the|and|of|with|from|only|this|each|every|which|into|write|show|usage|options|"
                     r"commands|default|required|missing|invalid|error|aborted)\b", re.IGNORECASE)


#: The metavars click makes up from a parameter's type.
CLICK_METAVARS = re.compile(r"\b(TEXT|INTEGER|FLOAT|RANGE|PATH|FILENAME|FILE|DIRECTORY|BOOLEAN|CHOICE|UUID|DATETIME)\b")


def run(*args, env=None):
    return CliRunner().invoke(main, [str(a) for a in args], env=env)


def _commands(group: click.Group, prefix=()):
    for name, command in group.commands.items():
        if command.hidden:
            continue
        yield (*prefix, name)
        if isinstance(command, click.Group):
            yield from _commands(command, (*prefix, name))


# --------------------------------------------------------------------------- help and usage errors


def test_every_help_text_is_german():
    seen = 0
    for path in [(), *_commands(main)]:
        result = run(*path, "-h")
        assert result.exit_code == 0, (path, result.output)
        assert result.output.startswith(f"Aufruf: grundschutz {' '.join(path)}".rstrip() + " [OPTIONEN]"), path
        assert "Optionen:" in result.output and "Diese Hilfe zeigen und beenden." in result.output
        output = result.output.split("\n", 1)[1]  # the usage line names the command
        text = output.split("Befehle:")[0] + "".join(  # subcommand names are identifiers
            line.split(None, 1)[-1] + "\n" for line in output.split("Befehle:")[-1].splitlines()[1:]) \
            if "Befehle:" in output else output
        words = ENGLISH.findall(re.sub(r"--\w[\w-]*|\S*\w-\w\S*|\[[\w|+]+\]", "", text))  # identifiers
        assert not words, (path, words, result.output)
        # click's own English placeholders (INTEGER RANGE, TEXT, PATH ...) are replaced by German metavars
        assert not CLICK_METAVARS.findall(output), (path, CLICK_METAVARS.findall(output))
        seen += 1
    assert seen > 20
    assert {("oscal", "export"), ("oscal", "import"), ("portfolio",)} <= set(_commands(main))


@pytest.mark.parametrize(("args", "message"), [
    (["validate"], "Fehler: Argument fehlt: 'BEWERTUNG'."),
    (["assess", SMALL, "-f", "xml"],
     "Fehler: Ungültiger Wert für '--format' / '-f': 'xml' ist keiner der Werte 'table', 'csv', 'json'."),
    (["assess", SMALL, "--farbe"], "Fehler: Option '--farbe' gibt es nicht."),
    (["asess"], "Fehler: Befehl 'asess' gibt es nicht. Gemeint: 'assess'?"),
    (["plan", SMALL, "-n", "viele"], "Fehler: Ungültiger Wert für '--limit' / '-n': 'viele' ist keine gültige Zahl."),
    (["report", SMALL, "-o", "r.html", "--date", "1.5.24"],
     "Fehler: Ungültiger Wert für '--date': '1.5.24' ist kein Datum: TT.MM.JJJJ oder JJJJ-MM-TT angeben."),
    (["init", "neu", "--map", "m.yaml"], "Fehler: Ungültiger Wert für '--map': Datei 'm.yaml' gibt es nicht."),
    (["oscal", "export", SMALL], "Fehler: Option fehlt: '-o' / '--output'."),
    (["oscal", "import", SMALL], "Fehler: Argument fehlt: 'DOKUMENTE...'."),
    (["oscal", "exprt"], "Fehler: Befehl 'exprt' gibt es nicht. Gemeint: 'export'?"),
    (["portfolio"], "Fehler: Argument fehlt: 'ORDNER...'."),
    (["portfolio", SMALL, "-j", "0"], "Fehler: Ungültiger Wert für '-j' / '--workers': 0 liegt nicht im Bereich x>=1."),
    (["portfolio", SMALL, "--by", "kommune"],
     "Fehler: Ungültiger Wert für '--by': 'kommune' ist keiner der Werte 'object', 'client'."),
])
def test_usage_errors_are_german_and_exit_with_2(args, message):
    result = run(*args)
    assert result.exit_code == 2, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("Aufruf: grundschutz") and lines[1].startswith("Hilfe: 'grundschutz")
    assert lines[-1] == message


def test_user_errors_say_fehler_and_exit_with_1(tmp_path):
    result = run("explain", SMALL, "SRV-99")
    assert (result.exit_code, result.output) == (1, f"Fehler: Zielobjekt 'SRV-99' gibt es in {SMALL} nicht\n")
    missing = run("assess", tmp_path / "gibtsnicht")
    assert missing.exit_code == 1 and missing.output.startswith("Fehler: 1 Fehler:")


# --------------------------------------------------------------------------- raw library errors in German


def test_a_file_that_is_no_workbook_is_named_in_german(folder, small_catalog):
    bad = folder / "mappe.xlsx"
    bad.write_text("kein Excel", encoding="utf-8")
    result = run("import", folder, bad, "--catalogs", small_catalog)
    assert result.exit_code == 1
    assert "mappe.xlsx: Arbeitsmappe nicht lesbar: keine Excel-Arbeitsmappe (.xlsx): die Datei ist kein " \
           "ZIP-Archiv" in result.output
    assert "zip file" not in result.output


def test_a_yaml_tag_is_refused_in_german_with_line_and_column(folder):
    (folder / "scenarios").mkdir()
    (folder / "scenarios" / "boese.yaml").write_text("name: x\napplications: !!python/object:os.system [a]\n",
                                                     encoding="utf-8")
    result = run("validate", folder)
    assert result.exit_code == 1
    assert ("scenarios/boese.yaml: YAML fehlerhaft (Zeile 2, Spalte 15): Tag "
            "'tag:yaml.org,2002:python/object:os.system' ist nicht erlaubt") in result.output
    assert "constructor" not in result.output


def test_an_overlong_field_is_named_with_row_and_column(folder):
    lines = (folder / "objects.csv").read_text(encoding="utf-8").splitlines()
    cells = lines[3].split(",")
    cells[3] = "x" * 200_000
    lines[3] = ",".join(cells)
    (folder / "objects.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run("validate", folder)
    assert result.exit_code == 1
    assert "objects.csv, Zeile 4, Spalte 'description': Feld länger als 131.072 Zeichen" in result.output
    assert "field limit" not in result.output and "Traceback" not in result.output


def test_an_inventory_csv_with_an_overlong_field(tmp_path):
    inventory = tmp_path / "liste.csv"
    inventory.write_text("Fachanwendung;Beschreibung\nA;" + "x" * 200_000 + "\n", encoding="utf-8")
    mapping = tmp_path / "map.yaml"
    mapping.write_text("objects:\n  name: Fachanwendung\n", encoding="utf-8")
    result = run("init", tmp_path / "neu", "--from", inventory, "--map", mapping)
    assert result.exit_code == 1
    assert "liste.csv, Zeile 2: Feld länger als 131.072 Zeichen" in result.output


# --------------------------------------------------------------------------- output that fits


@pytest.mark.parametrize("width", [80, 60])
def test_every_table_fits_the_terminal(small_assessment, small_catalog, width):
    env = {"COLUMNS": str(width)}
    too_wide = {}
    for args in (["assess"], ["model"], ["requirements"], ["check"], ["risk"], ["risk", "--object", "SRV-1"],
                 ["plan"], ["scenario", "homeoffice"], ["scenario", "homeoffice", "--details"],
                 ["explain", "SRV-1"], ["migrate", "--to", "grundschutz++"]):
        command, *rest = args
        extra = [] if command == "explain" else ["--catalogs", small_catalog]
        result = run(command, small_assessment, *rest, *extra, env=env)
        assert result.exit_code == 0, (args, result.output)
        wide = [line for line in result.output.splitlines() if len(line) > width]
        if wide:
            too_wide[" ".join(args)] = wide[:3]
    assert not too_wide
    search = run("catalog", "search", "Testbaustein", "--catalogs", small_catalog, env=env)
    assert max(len(line) for line in search.output.splitlines()) <= width


@pytest.mark.parametrize("width", [80, 70])
def test_portfolio_and_oscal_output_fits_the_terminal(small_assessment, small_catalog, tmp_path, width):
    """The text of ``portfolio`` (tables and headings) and of ``oscal export``/``import`` fits ``COLUMNS``
    (below about 66 columns the portfolio's table of who sets the maximum cannot shrink further)."""
    target = tmp_path / "oscal"
    commands = [["portfolio", REPO / "assessments", "-j", "1"],
                ["oscal", "export", small_assessment, "-o", target, "--catalogs", small_catalog],
                ["oscal", "import", small_assessment, target / "ssp.json", target / "ar.json", "--catalogs",
                 small_catalog]]
    for args in commands:
        whole = run(*args, env={"COLUMNS": None})
        fitted = run(*args, env={"COLUMNS": str(width)})
        assert whole.exit_code == 0 and fitted.exit_code == 0, (args, whole.output, fitted.output)
        assert not [line for line in fitted.output.splitlines() if len(line) > width], args
        if args[0] == "portfolio" or args[1] == "export":
            assert max(len(line) for line in whole.output.splitlines()) > width, args  # there was something to fit


def test_without_a_terminal_width_lines_stay_whole(small_assessment, small_catalog):
    result = run("plan", small_assessment, "--catalogs", small_catalog, env={"COLUMNS": None})
    assert max(len(line) for line in result.output.splitlines()) > 100


def test_assess_names_the_types_in_german():
    result = run("assess", SMALL)
    table = result.output.split("Zielobjekte nach Typ\n", 1)[1].split("\n\n", 1)[0].splitlines()
    assert table[2:] == ["Geschäftsprozess  2", "Anwendung         4", "Server            5", "Client            1",
                         "Netz              1", "Raum              1"]


def test_the_scenario_answer_fits_one_screen_and_details_follow_on_request(small_assessment, small_catalog):
    env = {"COLUMNS": "100"}
    answer = run("scenario", small_assessment, "homeoffice", "--catalogs", small_catalog, env=env)
    lines = answer.output.splitlines()
    assert len(lines) <= 40
    assert lines[-1] == "Einzelheiten (Schutzbedarf, Bausteine, Anforderungen, Risikoanalysen): --details"
    assert "Geänderter Schutzbedarf" not in answer.output
    details = run("scenario", small_assessment, "homeoffice", "--details", "--catalogs", small_catalog, env=env)
    assert details.output.startswith(answer.output.rsplit("\n\n", 1)[0])
    assert "Geänderter Schutzbedarf" in details.output and "Blockierende Anforderungen (nicht ja/entbehrlich), " \
                                                           "je Zielobjekt" in details.output


def test_teleheimarbeit_answer_names_blocking_requirements_with_titles(haan, shared_catalogs):
    result = run("scenario", haan, "teleheimarbeit", "--catalogs", shared_catalogs, env={"COLUMNS": "100"})
    lines = result.output.splitlines()
    assert len(lines) <= 60
    assert any(re.match(r"  APP-50 +Mängelmelder online +bereit, sobald 9 Anforderungen", line) for line in lines)
    assert "    APP.1.4.A1 (B) Anforderungsanalyse für die Nutzung von Apps – APP-50, unbearbeitet" in lines
    assert "  NWD-20 VPN-Gateway Telearbeit – hält auf: APP-43, APP-30, APP-13, APP-29, APP-42" in lines


def test_a_progress_bar_only_on_a_terminal():
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    screen = Terminal()
    with progress_bar("Katalog einlesen", screen) as progress:
        for done, what in enumerate(["Kompendium lesen", "Kreuzreferenztabellen lesen", "zusammenführen"]):
            progress(what, done, 3)
        progress("fertig", 3, 3)
    assert "Katalog einlesen: zusammenführen" in screen.getvalue() and "100%" in screen.getvalue()
    with progress_bar("Katalog einlesen", io.StringIO()) as progress:
        assert progress is None


# --------------------------------------------------------------------------- interruptions and refusals


def test_sigterm_ends_cleanly_and_context_managers_clean_up(monkeypatch, tmp_path, small_catalog):
    import grundschutz.method.diff as diff_module

    seen = []

    def killed(*args, **kwargs):
        seen.extend(Path(tempfile_dir).iterdir())
        os.kill(os.getpid(), signal.SIGTERM)
        raise AssertionError("SIGTERM did not arrive")

    tempfile_dir = tmp_path / "tmp"
    tempfile_dir.mkdir()
    monkeypatch.setattr("tempfile.tempdir", str(tempfile_dir))
    monkeypatch.setattr(diff_module, "diff_assessments", killed)
    previous = signal.getsignal(signal.SIGTERM)
    result = run("diff", SMALL, SMALL, "--catalogs", small_catalog)
    assert result.exit_code == 143
    assert result.output.endswith("Abgebrochen (Signal SIGTERM).\n")
    assert [p.name for p in seen if p.name.startswith("grundschutz-diff-")]  # it existed while the command ran
    assert list(tempfile_dir.iterdir()) == []  # and is gone
    assert signal.getsignal(signal.SIGTERM) == previous


def test_ctrl_c_says_abgebrochen(monkeypatch):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr("grundschutz.views.render.render_validation", interrupted)
    result = run("validate", SMALL)
    assert result.exit_code == 1 and result.output.endswith("Abgebrochen.\n")


def test_a_refusal_of_the_system_is_a_german_error(monkeypatch):
    def refused(*args, **kwargs):
        raise PermissionError(13, "Permission denied", "objects.csv")

    monkeypatch.setattr("grundschutz.io.read_assessment", refused)
    result = run("validate", SMALL)
    assert (result.exit_code, result.output) == (1, "Fehler: objects.csv: keine Berechtigung\n")


def test_a_library_error_nobody_wrapped_is_still_german_and_a_bug_stays_visible(monkeypatch):
    import zipfile

    def broken(*args, **kwargs):
        raise zipfile.BadZipFile("File is not a zip file")

    monkeypatch.setattr("grundschutz.views.render.render_validation", broken)
    result = run("validate", SMALL)
    assert result.exit_code == 1
    assert result.output.startswith("Fehler: keine Excel-Arbeitsmappe (.xlsx): die Datei ist kein ZIP-Archiv")

    def bug(*args, **kwargs):
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr("grundschutz.views.render.render_validation", bug)
    assert isinstance(run("validate", SMALL).exception, ZeroDivisionError)


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full on this system (Linux has it)")
@pytest.mark.parametrize("command", ["validate", "assess"])
def test_a_full_disk_on_standard_output_is_a_clean_error(command):
    with open("/dev/full", "w") as full:
        done = subprocess.run([sys.executable, "-m", "grundschutz", command, str(SMALL)], stdout=full,
                              stderr=subprocess.PIPE, text=True, cwd=REPO, timeout=120,
                              env={**os.environ, "PYTHONPATH": str(REPO)})
    assert done.returncode == 1
    assert done.stderr == "Fehler: Ausgabe nicht geschrieben (Datenträger voll)\n"


def test_a_closed_pipe_ends_quietly():
    done = subprocess.run(f"'{sys.executable}' -m grundschutz assess '{SMALL}' -f csv | head -n 1", shell=True,
                          capture_output=True, text=True, cwd=REPO, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(REPO)})
    assert done.stdout.startswith("object,type,name")
    assert "Traceback" not in done.stderr and "Exception ignored" not in done.stderr


# --------------------------------------------------------------------------- a new assessment


def test_init_without_a_list_writes_a_starter_that_validates(tmp_path):
    target = tmp_path / "neue-bewertung"
    result = run("init", target)
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"Vorlage angelegt in {target}: 5 Beispiel-Zielobjekte")
    assert {p.name for p in target.iterdir()} >= {"assessment.yaml", "objects.csv", "dependencies.csv", "needs.csv",
                                                  "LIESMICH.md"}
    assert "# Kumulationseffekt" in (target / "assessment.yaml").read_text(encoding="utf-8")
    valid = run("validate", target)
    assert valid.exit_code == 0 and valid.output.startswith("Bewertung gültig: 5 Zielobjekte, 4 Abhängigkeiten")
    assess = run("assess", target)
    assert "Informationsverbund Neue Bewertung" in assess.output
    again = run("init", target)
    assert again.exit_code == 1 and "enthält bereits eine Bewertung" in again.output


def test_init_from_the_sample_inventory(tmp_path):
    examples = REPO / "examples" / "inventar"
    result = run("init", tmp_path / "musterstadt", "--from", examples / "anwendungen.xlsx",
                 "--map", examples / "mapping.yaml")
    assert result.exit_code == 0, result.output
    assert "12 Anwendung" in result.output and "Nicht zugeordnete Spalten (nicht übernommen): Bemerkung" in \
        result.output
    assert run("validate", tmp_path / "musterstadt").exit_code == 0
    without_map = run("init", tmp_path / "x", "--from", examples / "anwendungen.xlsx")
    assert without_map.exit_code == 2 and "--map ZUORDNUNG" in without_map.output
