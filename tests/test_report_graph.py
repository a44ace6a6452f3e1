"""The explorable dependency graph of the HTML report, in headless Chromium.

The graph of the worked example Stadt Haan (219 objects, 674 dependencies) is
put on a page of its own (style and script as in the report; it needs no
catalog), and the whole report of the small assessment shows it in place.
The page reads instructions from its address (``#graph-select=ID``,
``#graph-search=TEXT``, ``#graph-zoom=F``, ``#graph-wheel=N``,
``#graph-drag=DX,DY``); the wheel and drag instructions dispatch real
events to the page's handlers. What the script did is read back from the
DOM: classes of the nodes and ``data-graph-*`` attributes of ``<body>``.
Expected dependencies come from the assessment through networkx, not from
the page.
"""

from __future__ import annotations

import datetime
import re
from html.parser import HTMLParser

import networkx as nx
import pytest
from conftest import analysed

from grundschutz import to_networkx
from grundschutz.io import read_assessment
from grundschutz.views.report import write_report
from grundschutz.views.report_graph import GRAPH_SCRIPT, GRAPH_STYLE, graph_explorer_html


class GraphDom(HTMLParser):
    """Nodes of the graph (``data-id`` -> classes and tooltip) and the attributes of ``<body>``."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.body: dict[str, str] = {}
        self.nodes: dict[str, dict] = {}
        self._node = None
        self._title = None
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        if tag == "body":
            self.body = a
        elif tag == "g" and "node" in a.get("class", "").split():
            self._node = a["data-id"]
            self.nodes[self._node] = {"classes": set(a["class"].split()), "title": "", "label": a["data-label"]}
        elif tag == "title" and self._node is not None:
            self._title = ""

    def handle_endtag(self, tag):
        if tag == "title" and self._title is not None:
            self.nodes[self._node]["title"] = self._title
            self._title = None
        elif tag == "g" and self._node is not None and self._title is None:
            self._node = None

    def handle_data(self, data):
        if self._title is not None:
            self._title += data

    def with_class(self, name: str) -> set[str]:
        return {node for node, info in self.nodes.items() if name in info["classes"]}


def _viewbox(dom: GraphDom) -> list[float]:
    return [float(v) for v in dom.body["data-graph-viewbox"].split()]


@pytest.fixture(scope="module")
def haan_graph(haan, tmp_path_factory):
    """A page with only the explorable graph of Haan (no catalog needed)."""
    analysis = analysed(haan)
    page = tmp_path_factory.mktemp("graph") / "graph.html"
    figure = graph_explorer_html(analysis.propagation, "Abhängigkeiten")
    page.write_text(f'<!DOCTYPE html><html lang="de"><head><meta charset="utf-8"><style>:root{{--line:#ccc;'
                    f'--muted:#555}}body{{margin:0 20px}}{GRAPH_STYLE}</style></head><body>{figure}'
                    f"<script>{GRAPH_SCRIPT}</script></body></html>", encoding="utf-8")
    return page


def _graph(browser, page, fragment="", width=1000):
    return GraphDom(browser(page.as_uri() + fragment, "--dump-dom", f"--window-size={width},900"))


def test_every_object_is_a_node_with_its_full_label_on_hover(haan, haan_graph):
    """Tooltips (SVG ``<title>``) carry id, full name, German type and need; labels may be clipped."""
    assessment = read_assessment(haan)
    dom = GraphDom(haan_graph.read_text(encoding="utf-8"))
    assert set(dom.nodes) == set(assessment.objects)
    for object_id, obj in assessment.objects.items():
        title = dom.nodes[object_id]["title"]
        assert dom.nodes[object_id]["label"] == f"{object_id} {obj.name}"
        assert title.startswith(f"{object_id} {obj.name} ({obj.type.label}")
        assert "höchster Schutzbedarf:" in title
    text = haan_graph.read_text(encoding="utf-8")
    assert text.count('class="edge"') == len(assessment.dependencies)
    assert not re.search(r'(src|href)\s*=\s*"(https?:)?//', text)


def test_clicking_an_object_highlights_what_it_depends_on_and_what_depends_on_it(haan, haan_graph, browser):
    graph = to_networkx(read_assessment(haan))
    dom = _graph(browser, haan_graph, "#graph-select=APP-13")
    assert dom.body.get("data-graph") == "bereit"
    assert dom.body["data-graph-selected"] == "APP-13"
    needs = nx.descendants(graph, "APP-13")  # edges point from the dependent object to what it depends on
    users = nx.ancestors(graph, "APP-13")
    assert set(dom.body["data-graph-dependencies"].split()) == needs
    assert set(dom.body["data-graph-dependents"].split()) == users
    assert dom.with_class("selected") == {"APP-13"}
    assert dom.with_class("dep") == needs and dom.with_class("user") == users
    assert needs and users


def test_search_by_name_selects_and_marks_the_matches(haan, haan_graph, browser):
    assessment = read_assessment(haan)
    dom = _graph(browser, haan_graph, "#graph-search=prosoz")
    expected = {o.id for o in assessment.objects.values() if "prosoz" in f"{o.id} {o.name}".lower()}
    assert set(dom.body["data-graph-matches"].split()) == expected == dom.with_class("match")
    assert dom.body["data-graph-selected"] in expected


def test_legible_at_1000_px_then_zoom_by_buttons_wheel_and_search(haan_graph, browser):
    """At 1000 px the initial view never shrinks a label (drawn at 14 px) below 11 px; zooming by
    the buttons' function, by the wheel (three steps in, around the pointer) and panning by
    dragging change the view box; a search for an id selects that object."""
    start_dom = _graph(browser, haan_graph, width=1000)
    assert float(start_dom.body["data-graph-label-px"]) >= 10.5
    x, y, w, h = _viewbox(start_dom)
    zoomed = _graph(browser, haan_graph, "#graph-zoom=2&graph-search=SRV-01")
    assert _viewbox(zoomed)[2] == pytest.approx(w / 2, rel=0.01)
    assert zoomed.body["data-graph-selected"] == "SRV-01"
    moved = _viewbox(_graph(browser, haan_graph, "#graph-wheel=-3&graph-drag=-200,-100"))
    w3 = w / 1.2 ** 3
    assert moved[2] == pytest.approx(w3, rel=0.01) and moved[3] == pytest.approx(h / 1.2 ** 3, rel=0.01)
    # the wheel zooms around the middle of the view; the drag then moves the content left and up
    assert moved[0] > x + (w - w3) / 2 + 1 and moved[1] > y + (h - h / 1.2 ** 3) / 2 + 1


def test_the_report_shows_the_explorable_graph(small_assessment, small_catalog, browser, tmp_path):
    out = tmp_path / "bericht.html"
    write_report(analysed(small_assessment, small_catalog), out, date=datetime.date(2024, 5, 1))
    text = out.read_text(encoding="utf-8")
    assert text.count("<script>") == 1 and 'id="abb-graph" class="graph-figure"' in text
    dom = _graph(browser, out, "#graph-select=SRV-1")
    assert dom.body.get("data-script") == "bereit" and dom.body.get("data-graph") == "bereit"
    graph = to_networkx(read_assessment(small_assessment))
    assert set(dom.body["data-graph-dependencies"].split()) == nx.descendants(graph, "SRV-1")
