"""The report for the committee: one self-contained German HTML file.

:func:`build_report` turns an :class:`~grundschutz.method.analysis.Analysis` into
one HTML page: figures as inline SVG (text stays text, so the browser's
search finds object ids in the graph), CSS and a small vanilla script inline,
nothing loaded from the network. Sections: Sachstand, Strukturanalyse,
Schutzbedarfsfeststellung with the explanation of every value, Modellierung,
IT-Grundschutz-Check, Risikoanalyse (where :mod:`grundschutz.method.risk` is
installed), Arbeitsplan and Szenarien (where :mod:`grundschutz.method.plan` and
:mod:`grundschutz.method.scenario` are), and the method as an appendix.
The sections themselves are built by :mod:`grundschutz.views.report_sections`;
this module puts them on the page with the style, the script and the contents.

Every table can be sorted (click a header) and filtered (search field); the
page also reads instructions from its address, so a link can open a table
sorted or filtered: ``report.html#sort=objekte:2:desc&filter=objekte:APP``
(table id, column number from 0, ``asc``/``desc``; several
``sort=``/``filter=`` parts are allowed, and ``click=TABLE:COLUMN`` clicks
a header as a reader would). Everything taken from the assessment is
escaped by :mod:`grundschutz.views.html`.
"""

from __future__ import annotations

import datetime as _dt
from pathlib import Path

from grundschutz.model import BASIC_VALUES
from grundschutz.views.html import esc
from grundschutz.views.report_graph import GRAPH_SCRIPT, GRAPH_STYLE
from grundschutz.views.report_sections import (
    _FIGURE_NUMBER,
    Figures,
    _check_section,
    _method_section,
    _modelling_section,
    _needs_section,
    _plan_section,
    _risk_section,
    _scenario_section,
    _structure_section,
    _summary_section,
    analysis_figures,
    figure_html,
)

_STYLE = """
:root{--fg:#1a1a1a;--muted:#555;--line:#d0d0d0;--accent:#1f4e79;--bg-alt:#f5f7fa}
*{box-sizing:border-box}
body{font-family:"Segoe UI",Arial,Helvetica,sans-serif;color:var(--fg);margin:0;line-height:1.45;font-size:15px}
header.doc{background:var(--accent);color:#fff;padding:1.4rem 2rem}
header.doc h1{margin:0 0 .3rem;font-size:1.6rem}
header.doc p{margin:.1rem 0}
main{max-width:1320px;margin:0 auto;padding:1rem 2rem 4rem}
h2{border-bottom:2px solid var(--accent);padding-bottom:.2rem;margin-top:2.5rem;color:var(--accent)}
h3{margin-top:1.8rem}
nav.toc{background:var(--bg-alt);border:1px solid var(--line);padding:.6rem 1.4rem;margin:1rem 0}
nav.toc ol{margin:.3rem 0;padding-left:1.4rem}
figure{margin:1rem 0;border:1px solid var(--line);padding:.5rem;background:#fff}
figure .svg-wrap{overflow:auto;max-height:85vh;cursor:zoom-in}
figure .svg-wrap svg{width:100%;height:auto;display:block}
figure.zoomed .svg-wrap{cursor:zoom-out}
figure.zoomed .svg-wrap svg{width:calc(var(--w) * 1.8);max-width:none!important}
figcaption{color:var(--muted);font-size:.9rem;margin-top:.4rem}
.table-tools{margin:.8rem 0 .3rem;font-size:.9rem}
.table-tools input{padding:.2rem .4rem;min-width:16rem}
.table-tools .count{color:var(--muted);margin-left:.8rem}
.table-wrap{max-height:34rem;overflow:auto;border:1px solid var(--line)}
table.data td:first-child{white-space:nowrap}
table.data{border-collapse:collapse;width:100%;font-size:.85rem}
table.data caption{text-align:left;font-weight:bold;padding:.3rem}
table.data th{position:sticky;top:0;background:#e8edf3;text-align:left;padding:.3rem .5rem;cursor:pointer;
  border-bottom:1px solid var(--line);white-space:nowrap}
table.data th[aria-sort=ascending]::after{content:" ▲"}
table.data th[aria-sort=descending]::after{content:" ▼"}
table.data td{padding:.25rem .5rem;border-bottom:1px solid #eee;vertical-align:top}
table.data tr:nth-child(even) td{background:#fafbfc}
table.data td.num{text-align:right}
td.lv-normal{background:#d5ecfa!important}
td.lv-hoch{background:#f8dea4!important}
td.lv-sehrhoch{background:#882255!important;color:#fff}
td.lv-offen{background:#e6e6e6!important;color:#444}
td.lv-normal,td.lv-hoch,td.lv-sehrhoch,td.lv-offen{white-space:nowrap}
.facts{display:grid;grid-template-columns:repeat(auto-fill,minmax(13rem,1fr));gap:.6rem;margin:1rem 0}
.fact{border:1px solid var(--line);border-left:4px solid var(--accent);padding:.5rem .8rem;background:var(--bg-alt)}
.fact b{display:block;font-size:1.4rem}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem}
dt{font-weight:bold}
dd{margin:0}
.note{color:var(--muted);font-size:.9rem}
.explain{white-space:pre-line}
@media print{.table-wrap,figure .svg-wrap{max-height:none;overflow:visible}.table-tools{display:none}
  header.doc{background:none;color:#000}}
"""

_SCRIPT = r"""
(function () {
  "use strict";
  var collator = new Intl.Collator("de", {numeric: true, sensitivity: "base"});
  function key(cell, type) {
    var rank = cell.getAttribute("data-sort");
    if (rank !== null && rank !== "") return parseFloat(rank);
    var text = cell.textContent.trim();
    if (type === "num") {
      var n = parseFloat(text.replace(/\./g, "").replace(",", "."));
      return isNaN(n) ? -Infinity : n;
    }
    return text;
  }
  function sortTable(table, column, direction) {
    var body = table.tBodies[0];
    var headers = table.tHead.rows[0].cells;
    if (!body || column < 0 || column >= headers.length) return;
    var type = headers[column].getAttribute("data-type");
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = key(a.cells[column], type), y = key(b.cells[column], type);
      var r = (typeof x === "number" && typeof y === "number") ? x - y : collator.compare(String(x), String(y));
      return direction === "desc" ? -r : r;
    });
    rows.forEach(function (row) { body.appendChild(row); });
    for (var i = 0; i < headers.length; i++) headers[i].removeAttribute("aria-sort");
    headers[column].setAttribute("aria-sort", direction === "desc" ? "descending" : "ascending");
  }
  function filterTable(table, text) {
    var terms = text.toLowerCase().split(/\s+/).filter(Boolean);
    var rows = table.tBodies[0].rows, shown = 0;
    for (var i = 0; i < rows.length; i++) {
      var content = rows[i].textContent.toLowerCase();
      var match = terms.every(function (t) { return content.indexOf(t) !== -1; });
      rows[i].hidden = !match;
      if (match) shown++;
    }
    var count = document.querySelector('.count[data-table="' + table.id + '"]');
    if (count) count.textContent = terms.length ? shown + " von " + rows.length + " Zeilen" : rows.length + " Zeilen";
    var input = document.querySelector('input.filter[data-table="' + table.id + '"]');
    if (input && input.value !== text) input.value = text;
  }
  document.querySelectorAll("table.sortable").forEach(function (table) {
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, column) {
      function toggle() {
        sortTable(table, column, th.getAttribute("aria-sort") === "ascending" ? "desc" : "asc");
      }
      th.addEventListener("click", toggle);
      th.addEventListener("keydown", function (e) { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); toggle(); } });
    });
  });
  document.querySelectorAll("input.filter").forEach(function (input) {
    input.addEventListener("input", function () {
      var table = document.getElementById(input.getAttribute("data-table"));
      if (table) filterTable(table, input.value);
    });
  });
  document.querySelectorAll("figure .svg-wrap").forEach(function (wrap) {
    wrap.addEventListener("click", function () { wrap.parentNode.classList.toggle("zoomed"); });
  });
  function fromAddress() {
    var hash = decodeURIComponent(window.location.hash.replace(/^#/, ""));
    if (hash.indexOf("=") === -1) return;
    hash.split("&").forEach(function (part) {
      var eq = part.indexOf("="), name = part.slice(0, eq), value = part.slice(eq + 1);
      var fields = value.split(":"), table = document.getElementById(fields[0]);
      if (!table) return;
      if (name === "sort") sortTable(table, parseInt(fields[1], 10), fields[2] === "desc" ? "desc" : "asc");
      if (name === "filter") filterTable(table, fields.slice(1).join(":"));
      if (name === "click") table.tHead.rows[0].cells[parseInt(fields[1], 10)].click();
    });
    document.body.setAttribute("data-address-applied", hash);
  }
  fromAddress();
  window.addEventListener("hashchange", fromAddress);
  document.body.setAttribute("data-script", "bereit");
})();
"""


class _Sections:
    """Collects the numbered sections and the table of contents."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.toc: list[tuple[str, str]] = []

    def add(self, section_id: str, title: str, body: str) -> None:
        number = len(self.toc) + 1
        self.toc.append((section_id, f"{number}. {title}"))
        self.parts.append(f'<section id="{esc(section_id)}"><h2>{number}. {esc(title)}</h2>{body}</section>')

    def toc_html(self) -> str:
        items = "".join(f'<li><a href="#{esc(i)}">{esc(t.split(". ", 1)[1])}</a></li>' for i, t in self.toc)
        return f'<nav class="toc" aria-label="Inhaltsverzeichnis"><b>Inhalt</b><ol>{items}</ol></nav>'


def _number_figures(page: str) -> str:
    parts = page.split(_FIGURE_NUMBER)
    return parts[0] + "".join(f'<span class="fig-no">Abbildung {n}: </span>{part}'
                              for n, part in enumerate(parts[1:], start=1))


def example_object(propagation) -> str | None:
    """The object whose explanation path is longest (ties: highest level, then id): a good example."""
    best, best_key = None, None
    for object_id in propagation.index.ids:
        for value in BASIC_VALUES:
            d = propagation.derivation(object_id, value)
            if d.level is None:
                continue
            candidate = (len(d.path), int(d.level), object_id)
            if best_key is None or candidate[:2] > best_key[:2]:
                best, best_key = object_id, candidate
    return best


def scenario_results(analysis) -> list:
    """Every scenario of the assessment compared with ``analysis`` (in file name order)."""
    return list(analysis.scenarios.values())


# --------------------------------------------------------------------------- the page


def build_report(analysis, *, date: _dt.date | None = None, focus: str | None = None,
                 with_risks: bool = True, with_scenarios: bool = True, workers: int | None = None) -> str:
    """The report of ``analysis`` as one HTML document (a string).

    ``analysis`` must be made with a catalog (Modellierung and check are
    part of the report). ``date`` is the date printed as "Stand" (default:
    today). ``focus`` is the object whose derivation is shown as a figure
    (default: :func:`example_object`). The risk analysis and the work plan
    (which builds on it) are left out with ``with_risks=False``, the
    scenarios (every ``scenarios/*.yaml`` of the assessment folder, see
    :func:`scenario_results`) with ``with_scenarios=False``. The figures are
    drawn in ``workers`` processes at most (default: one per CPU), where the
    platform allows it (:class:`~grundschutz.views.forked.Batch`): those of
    the analysis while the scenarios run and the page is built, those of
    the scenarios afterwards; the page is the same either way.
    """
    from grundschutz.model.errors import GrundschutzError
    from grundschutz.views.summary import summarize

    if analysis.check is None:
        raise GrundschutzError("Der Bericht braucht den Katalog (Modellierung und IT-Grundschutz-Check); "
                               "Katalog mit --catalogs oder GRUNDSCHUTZ_CATALOGS angeben.")
    if focus is not None:
        analysis.assessment.object(focus)
    else:
        focus = example_object(analysis.propagation)
    summary = summarize(analysis.propagation)
    settings = analysis.assessment.settings
    date = date or _dt.date.today()
    risks = analysis.risks if with_risks else None  # here, before the copies start: computed once
    figures = Figures()
    # the figures of the analysis are drawn while the scenarios run and the sections are built
    shown = analysis_figures(analysis, focus, figures, with_risks)
    figures.start(workers)
    try:
        results = scenario_results(analysis) if with_scenarios else []
        sections = _Sections()
        sections.add("sachstand", "Sachstand", _summary_section(analysis, summary, risks, results))
        sections.add("strukturanalyse", "Strukturanalyse", _structure_section(analysis, summary))
        sections.add("schutzbedarf", "Schutzbedarfsfeststellung", _needs_section(analysis, summary, shown))
        sections.add("modellierung", "Modellierung", _modelling_section(analysis))
        sections.add("check", "IT-Grundschutz-Check", _check_section(analysis, shown))
        if risks is not None:
            sections.add("risikoanalyse", "Risikoanalyse", _risk_section(analysis, risks, shown))
            sections.add("arbeitsplan", "Arbeitsplan", _plan_section(analysis, risks))
        if results:
            sections.add("szenarien", "Szenarien", _scenario_section(analysis, results, figures))
        sections.add("methode", "Anhang: Methode und Einstellungen", _method_section(analysis))
    except BaseException:
        figures.stop()
        raise
    title = f"Sicherheitskonzeption nach IT-Grundschutz: {settings.name or 'Bewertung'}"
    header = (f'<header class="doc"><h1>{esc(title)}</h1>'
              f"<p>{esc(settings.organisation)}</p><p>Stand: {date.strftime('%d.%m.%Y')}</p></header>")
    return _number_figures(figures.fill(
        "<!DOCTYPE html>\n"
        f'<html lang="de"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, '
        f'initial-scale=1"><meta name="generator" content="grundschutz">'
        f"<title>{esc(title)}</title><style>{_STYLE}{GRAPH_STYLE}</style></head>"
        f"<body>{header}<main>{sections.toc_html()}{''.join(sections.parts)}</main>"
        f"<script>{_SCRIPT}{GRAPH_SCRIPT}</script></body></html>\n", workers))


def write_report(analysis, output: str | Path, **options) -> Path:
    """Write :func:`build_report` of ``analysis`` to ``output`` (UTF-8) and return the path.

    The file is written atomically (:func:`grundschutz.io.files.atomic_write`):
    a missing folder, a full disk or a read-only target raise
    :class:`~grundschutz.io.files.WriteError` naming the path, and leave the
    old file (or none) and no partial file.
    """
    from grundschutz.io.files import atomic_write, check_target

    check_target(output)
    text = build_report(analysis, **options)
    return atomic_write(output, text)


__all__ = ["build_report", "example_object", "figure_html", "scenario_results", "write_report"]
