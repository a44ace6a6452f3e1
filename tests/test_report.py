"""The HTML report, rendered in headless Chromium (Debian package ``chromium``).

Chromium runs the page's script; ``--dump-dom`` gives the DOM afterwards and
``--screenshot`` a picture. The page reads instructions from its address
(``#sort=TABLE:COL:desc``, ``#filter=TABLE:TEXT``, ``#click=TABLE:COL``), so
the tests drive sorting, filtering and header clicks without a server.
Without Chromium (no ``chromium`` or ``chromium-browser`` on PATH) the browser
tests are skipped with the reason, except under ``CI=true``, where they fail:
install it with ``apt-get install -y chromium``.
"""

from __future__ import annotations

import csv
import datetime
import os
import re
import shutil
import time
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import analysed

from grundschutz.cli.report import report
from grundschutz.views import forked
from grundschutz.views.report import build_report, write_report

SMALL = Path(__file__).parent / "data" / "small"
SECTIONS = ["Sachstand", "Strukturanalyse", "Schutzbedarfsfeststellung", "Modellierung", "IT-Grundschutz-Check",
            "Risikoanalyse", "Arbeitsplan", "Szenarien", "Anhang: Methode und Einstellungen"]


@pytest.fixture(scope="module")
def haan_report(haan_analysis, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("report") / "bericht.html"
    write_report(haan_analysis, out, date=datetime.date(2024, 5, 1))
    return out


class Dom(HTMLParser):
    """What the tests look at in a DOM dump: headings, figures, table rows."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.h2: list[str] = []
        self.svg = 0
        self.figures: list[str] = []
        self.rows: dict[str, list[dict]] = {}
        self.body: dict[str, str] = {}
        self._heading = None
        self._table = None
        self._in_body = False
        self._row = None
        self._cell = None
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "body":
            self.body = {k: v or "" for k, v in attrs}
        elif tag == "h2":
            self._heading = ""
        elif tag == "svg":
            self.svg += 1
        elif tag == "figure":
            self.figures.append(a.get("id", ""))
        elif tag == "table":
            self._table = a.get("id")
            self.rows.setdefault(self._table, [])
        elif tag == "tbody":
            self._in_body = True
        elif tag == "tr" and self._in_body:
            self._row = {"hidden": "hidden" in a, "cells": []}
        elif tag == "td" and self._row is not None:
            self._cell = ""

    def handle_endtag(self, tag):
        if tag == "h2" and self._heading is not None:
            self.h2.append(self._heading.strip())
            self._heading = None
        elif tag == "td" and self._cell is not None:
            self._row["cells"].append(self._cell.strip())
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.rows[self._table].append(self._row)
            self._row = None
        elif tag == "tbody":
            self._in_body = False
        elif tag == "table":
            self._table = None

    def handle_data(self, data):
        if self._heading is not None:
            self._heading += data
        if self._cell is not None:
            self._cell += data

    def visible(self, table: str) -> list[list[str]]:
        return [r["cells"] for r in self.rows[table] if not r["hidden"]]


def _dom(browser, path: Path, fragment: str = "") -> Dom:
    return Dom(browser(path.as_uri() + fragment, "--dump-dom"))


def _natural(text: str):
    return [int(p) if p.isdigit() else p.lower() for p in re.split(r"(\d+)", text)]


def test_page_shows_its_sections_figures_and_tables(browser, haan_report, haan):
    dom = _dom(browser, haan_report)
    assert dom.body.get("data-script") == "bereit", "the page's script did not run"
    numbered = [re.sub(r"^\d+\.\s*", "", h) for h in dom.h2]
    assert numbered == SECTIONS
    assert {"abb-graph", "abb-heatmap", "abb-herleitung", "abb-check", "abb-risiko",
            "abb-szenario-teleheimarbeit"} <= set(dom.figures)
    assert dom.svg >= 6
    objects = sum(1 for _ in csv.DictReader((haan / "objects.csv").open(encoding="utf-8")))
    assert len(dom.rows["objekte"]) == objects
    assert len(dom.rows["schutzbedarf-objekte"]) == objects
    assert len(dom.rows["herleitung"]) == 3 * objects
    assert len(dom.rows["check-anforderungen"]) > 1000
    assert dom.rows["risiko-objekte"] and dom.rows["plan"] and dom.rows["szenario-teleheimarbeit-ergebnis"]


def test_table_of_contents_links_every_section_and_ids_are_unique(haan_report):
    text = haan_report.read_bytes().decode("utf-8")
    ids = re.findall(r'<(?:section|table|figure|h3)[^>]* id="([^"]+)"', text)
    assert len(ids) == len(set(ids)), [i for i in ids if ids.count(i) > 1]
    toc = re.search(r'<nav class="toc".*?</nav>', text, re.S).group(0)
    for target in re.findall(r'href="#([^"]+)"', toc):
        assert f'<section id="{target}">' in text


def test_report_needs_no_network(haan_report):
    text = haan_report.read_bytes().decode("utf-8")
    assert not re.search(r'(src|href)\s*=\s*"(https?:)?//', text)
    assert "@import" not in text and "url(http" not in text
    # the only addresses are XML namespace names of the inline SVGs
    assert set(re.findall(r"https?://[^\s\"'<>)]+", text)) <= {"http://www.w3.org/2000/svg",
                                                               "http://www.w3.org/1999/xlink"}


def test_sorting_by_address_and_by_header_clicks(browser, haan_report):
    dom = _dom(browser, haan_report, "#sort=objekte:0:desc")
    ids = [r[0] for r in dom.visible("objekte")]
    assert ids == sorted(ids, key=_natural, reverse=True)
    # levels sort by rank (sehr hoch > hoch > normal), not alphabetically
    dom = _dom(browser, haan_report, "#sort=schutzbedarf-objekte:3:desc")
    column = [r[3] for r in dom.visible("schutzbedarf-objekte")]
    rank = {"sehr hoch": 3, "hoch": 2, "normal": 1, "nicht bewertet": 0}
    assert [rank[c] for c in column] == sorted((rank[c] for c in column), reverse=True)
    assert column[0] == "sehr hoch"
    # two clicks on the header "Anzahl": ascending, then descending, numerically
    dom = _dom(browser, haan_report, "#click=objekte:4&click=objekte:4")
    counts = [int(r[4]) for r in dom.visible("objekte")]
    assert counts == sorted(counts, reverse=True) and counts[0] > 100


def test_filtering_hides_rows_and_counts_what_is_left(browser, haan_report):
    text = browser(haan_report.as_uri() + "#filter=objekte:PROSOZ", "--dump-dom")
    dom = Dom(text)
    shown = dom.visible("objekte")
    assert shown and all("PROSOZ" in " ".join(r) for r in shown)
    assert len(shown) < len(dom.rows["objekte"])
    assert f'data-table="objekte">{len(shown)} von {len(dom.rows["objekte"])} Zeilen</span>' in text
    assert re.search(r'<input[^>]*class="filter" data-table="objekte"', text)


def test_screenshot_shows_graph_heatmap_and_tables(browser, haan_report, tmp_path):
    from PIL import Image

    shot = tmp_path / "bericht.png"
    browser(haan_report.as_uri(), f"--screenshot={shot}", "--window-size=1400,8000")
    image = Image.open(shot).convert("RGB")
    assert image.size == (1400, 8000)
    colours = image.getcolors(maxcolors=1 << 20)
    assert colours is not None and len(colours) > 200, "screenshot looks blank"

    def share(rgb, tolerance=12):
        return sum(n for n, c in colours if all(abs(a - b) <= tolerance for a, b in zip(c, rgb))) / (1400 * 8000)

    assert share((0xE6, 0x9F, 0x00)) > 0.0005  # "hoch" in the graph (small dots since it is explorable), heatmap
    assert share((0x88, 0x22, 0x55)) > 0.0003  # "sehr hoch"
    assert share((0xE8, 0xED, 0xF3)) > 0.0005  # table headers


def test_everything_from_the_assessment_is_escaped(browser, shared_catalogs, tmp_path):
    folder = tmp_path / "bewertung"
    shutil.copytree(SMALL, folder)
    rows = list(csv.reader((folder / "objects.csv").open(encoding="utf-8")))
    rows[3][2] = 'MESO <script>document.body.setAttribute("data-pwned","1")</script>'
    rows[4][3] = '"><img src=x onerror="document.body.setAttribute(\'data-pwned\',\'2\')">'
    with (folder / "objects.csv").open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)
    out = tmp_path / "bericht.html"
    out.write_text(build_report(analysed(folder, shared_catalogs), date=datetime.date(2024, 1, 1)), encoding="utf-8")
    text = out.read_text(encoding="utf-8")
    assert text.count("<script>") == 1
    assert "onerror=" not in text.replace("onerror=&quot;", "")
    assert "&lt;script&gt;document.body" in text
    dom = _dom(browser, out)
    assert "data-pwned" not in dom.body
    assert any('MESO <script>document.body.setAttribute("data-pwned","1")</script>' in r[2]
               for r in dom.visible("objekte"))


def test_same_analysis_and_date_give_the_same_report(haan_analysis, haan_report):
    # haan_report is the same analysis with the same date, built before
    assert build_report(haan_analysis, date=datetime.date(2024, 5, 1)) == haan_report.read_bytes().decode("utf-8")


def test_figures_drawn_in_forked_processes_give_the_same_report(haan_analysis, haan_report, monkeypatch):
    # pytest-xdist runs threads, so the report draws its figures here; forking is forced for the test
    monkeypatch.setattr(forked, "can_fork", lambda: True)
    text = build_report(haan_analysis, date=datetime.date(2024, 5, 1), workers=2)
    assert text == haan_report.read_bytes().decode("utf-8")


def test_run_all_keeps_the_order_and_redoes_the_tasks_of_a_failed_copy(monkeypatch):
    monkeypatch.setattr(forked, "can_fork", lambda: True)
    assert forked.run_all([lambda k=k: k * k for k in range(6)], workers=2) == [0, 1, 4, 9, 16, 25]
    here = os.getpid()

    def fails_in_a_copy():
        if os.getpid() != here:
            raise RuntimeError("in der Kopie")
        return "hier"

    assert forked.run_all([fails_in_a_copy, fails_in_a_copy, lambda: "a"], workers=2) == ["hier", "hier", "a"]
    with pytest.raises(ZeroDivisionError):
        forked.run_all([lambda: 1, lambda: 1 / 0], workers=2)


def test_a_batch_draws_in_a_copy_while_this_process_works_on(monkeypatch, tmp_path):
    """The copy starts with the batch: it takes tasks while this process does something else; ``prepare``
    runs in the copy only; ``finish`` takes what is left and returns all results in order."""
    monkeypatch.setattr(forked, "can_fork", lambda: True)
    here, marker = os.getpid(), tmp_path / "vorbereitet"

    def first():
        if os.getpid() != here:
            (tmp_path / "kopie").write_text(str(marker.exists()))
        return 0, os.getpid()

    with forked.Batch([first, *[lambda k=k: (k, os.getpid()) for k in range(1, 5)]], workers=2,
                      prepare=lambda: marker.write_text("ja")) as batch:
        for _ in range(200):  # this process "works" until the copy has taken the first task
            if (tmp_path / "kopie").exists():
                break
            time.sleep(0.05)
        results = batch.finish()
    assert [k for k, _ in results] == [0, 1, 2, 3, 4]
    assert results[0][1] != here and (tmp_path / "kopie").read_text() == "True"
    assert marker.read_text() == "ja"


def test_without_a_new_process_the_batch_does_everything_here(monkeypatch):
    """``fork`` refused (a process limit, no memory): no error, every task done in this process."""
    import errno

    def refused():
        raise OSError(errno.EAGAIN, "Resource temporarily unavailable")

    monkeypatch.setattr(forked, "can_fork", lambda: True)
    monkeypatch.setattr(forked.os, "fork", refused)
    here = os.getpid()
    assert forked.run_all([lambda k=k: (k, os.getpid()) for k in range(3)], workers=2) == [
        (0, here), (1, here), (2, here)]


def test_a_batch_stops_its_copies_when_the_work_around_it_fails(monkeypatch, tmp_path):
    monkeypatch.setattr(forked, "can_fork", lambda: True)

    def slow():
        (tmp_path / str(os.getpid())).touch()
        time.sleep(30)

    started = time.monotonic()
    with pytest.raises(KeyError), forked.Batch([slow, slow], workers=2):
        for _ in range(200):
            if list(tmp_path.iterdir()):
                break
            time.sleep(0.05)
        raise KeyError("Fehler beim Aufbau der Seite")
    copies = [int(p.name) for p in tmp_path.iterdir()]
    assert len(copies) == 1 and copies[0] != os.getpid() and time.monotonic() - started < 20
    with pytest.raises(ProcessLookupError):
        os.kill(copies[0], 0)  # killed and reaped: no such process any more


def test_cli_report_writes_one_file(haan, shared_catalogs, tmp_path):
    out = tmp_path / "report.html"
    result = CliRunner().invoke(report, [str(haan), "-o", str(out), "--catalogs", str(shared_catalogs),
                                         "--date", "2024-05-01", "--object", "APP-13"])
    assert result.exit_code == 0, result.output
    assert result.output == f"Bericht geschrieben: {out}\n"
    assert list(tmp_path.iterdir()) == [out]
    text = out.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>") and 'lang="de"' in text
    assert "Stand: 01.05.2024" in text
    assert "Herleitung des Schutzbedarfs von APP-13" in text


def test_cli_report_errors(haan, tmp_path):
    result = CliRunner().invoke(report, [str(haan), "-o", str(tmp_path / "r.html"), "--date", "1.5.24"])
    assert result.exit_code == 2 and "JJJJ-MM-TT" in result.output
    result = CliRunner().invoke(report, [str(haan), "-o", str(tmp_path / "r.html"), "--catalogs",
                                         str(tmp_path / "kein-katalog")])
    assert result.exit_code == 1 and result.output.startswith("Fehler: Katalog nicht installiert")
    assert not (tmp_path / "r.html").exists()
