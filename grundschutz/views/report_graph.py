"""The explorable dependency graph of the HTML report: inline SVG and a small script.

:func:`graph_explorer_html` draws every object of the assessment in the
layers of :data:`~grundschutz.views.figures_graph.LAYERS` (positions from
:func:`~grundschutz.views.figures_graph.graph_layout`, nothing bundled),
coloured by its highest need. :data:`GRAPH_SCRIPT` (part of the report's one
script) makes it explorable without any external resource:

- zoom with the mouse wheel or the buttons, pan by dragging;
- search an object by id or name (the field suggests every object);
- click an object (or Enter on it): it is outlined, what it depends on
  (directly or indirectly) and what depends on it are highlighted, the rest
  is dimmed; the line below the graph counts both; Esc or a click on the
  background clears it;
- every object shows its full id, name, type and need on hover.

Labels are drawn at 14 px and the initial view never shrinks them below 11
px, so they stay legible in a 1000 px window (the view can be panned); they
have a white halo, so an edge behind a label does not hide it. Edges leave a
node to the right of its label column and enter the next node from the left.

Like the tables, the graph reads instructions from the address (for links and
for the browser tests): ``#graph-select=APP-13``, ``#graph-search=PROSOZ``,
``#graph-zoom=2`` (factor), ``#graph-wheel=-3`` (wheel steps, negative = in),
``#graph-drag=DX,DY`` (drag by pixels). It records what it did in ``data-graph-*``
attributes of ``<body>``.
"""

from __future__ import annotations

from grundschutz.views.figures import LEVEL_COLOURS, LEVEL_NAMES, highest_levels
from grundschutz.views.html import Markup, esc

#: Width of a layer column, height of a row, label size (SVG units = CSS px at zoom 1).
COLUMN = 210
ROW = 22
FONT = 14
#: Characters of a label (the full text is in the tooltip).
LABEL_CHARS = 22
#: Where edges leave a node: after its label.
LABEL_SPACE = 178
_TOP = 48
_LEFT = 14

GRAPH_STYLE = """
.graph-tools{display:flex;flex-wrap:wrap;gap:.4rem .8rem;align-items:center;margin:.3rem 0 .5rem;font-size:.9rem}
.graph-tools input{padding:.2rem .4rem;min-width:18rem}
.graph-tools button{padding:.15rem .6rem;font-size:.95rem;cursor:pointer}
.graph-view{height:78vh;min-height:24rem;border:1px solid var(--line);overflow:hidden;background:#fff;
  touch-action:none;cursor:grab;position:relative}
.graph-view.dragging{cursor:grabbing}
.graph-view svg{width:100%;height:100%;display:block;user-select:none}
.graph-view .edge{fill:none;stroke:#8c8c8c;stroke-width:1;opacity:.45}
.graph-view .node{cursor:pointer}
.graph-view .node circle{stroke:#333;stroke-width:1}
.graph-view .node text{font:14px "Segoe UI",Arial,Helvetica,sans-serif;fill:#111;paint-order:stroke;
  stroke:#fff;stroke-width:4px;stroke-linejoin:round}
.graph-view .layer-title{font:bold 15px "Segoe UI",Arial,Helvetica,sans-serif;fill:#1f4e79}
.graph-view .node:focus{outline:none}
.graph-view .node:focus circle,.graph-view .node.match circle{stroke:#1f4e79;stroke-width:3}
.graph-view.active .node,.graph-view.active .edge{opacity:.15}
.graph-view.active .node.dep,.graph-view.active .node.user,.graph-view.active .node.selected{opacity:1}
.graph-view.active .edge.dep{opacity:.9;stroke:#0072B2;stroke-width:2}
.graph-view.active .edge.user{opacity:.9;stroke:#D55E00;stroke-width:2}
.graph-view .node.selected circle{stroke:#000;stroke-width:3}
.graph-view .node.selected text{font-weight:bold}
.graph-view .node.dep text{fill:#004a75}
.graph-view .node.user text{fill:#8a3300}
.graph-legend{font-size:.85rem;color:var(--muted);margin-top:.3rem}
.graph-legend i{display:inline-block;width:.8em;height:.8em;border:1px solid #333;border-radius:50%;
  vertical-align:-.05em;margin:0 .25em 0 .6em}
.graph-legend b.dep{color:#0072B2}.graph-legend b.user{color:#D55E00}
@media print{.graph-view{height:auto}.graph-tools{display:none}}
"""

GRAPH_SCRIPT = r"""
(function () {
  "use strict";
  var view = document.querySelector(".graph-view");
  if (!view) return;
  var svg = view.querySelector("svg"), info = document.querySelector(".graph-info");
  var nodes = {}, out = {}, inc = {}, edges = Array.prototype.slice.call(svg.querySelectorAll(".edge"));
  Array.prototype.forEach.call(svg.querySelectorAll(".node"), function (g) {
    nodes[g.getAttribute("data-id")] = g; out[g.getAttribute("data-id")] = []; inc[g.getAttribute("data-id")] = [];
  });
  edges.forEach(function (e) {
    var a = e.getAttribute("data-from"), b = e.getAttribute("data-to");
    if (out[a] && inc[b]) { out[a].push(b); inc[b].push(a); }
  });
  var full = svg.viewBox.baseVal, W = full.width, H = full.height, box = {x: 0, y: 0, w: W, h: H};
  function apply() {
    svg.setAttribute("viewBox", [box.x, box.y, box.w, box.h].map(function (v) { return v.toFixed(1); }).join(" "));
    document.body.setAttribute("data-graph-viewbox", svg.getAttribute("viewBox"));
  }
  function fit() {
    var width = view.clientWidth || 1000, height = view.clientHeight || 600;
    var scale = Math.max(width / W, 11 / 14);
    box = {x: 0, y: 0, w: width / scale, h: height / scale};
    apply();
  }
  function zoom(factor, cx, cy) {
    var w = Math.min(Math.max(box.w * factor, 60), W * 4), h = box.h * w / box.w;
    if (cx === undefined) { cx = box.x + box.w / 2; cy = box.y + box.h / 2; }
    box.x = cx - (cx - box.x) * w / box.w; box.y = cy - (cy - box.y) * h / box.h; box.w = w; box.h = h;
    apply();
  }
  function toSvg(clientX, clientY) {
    var r = svg.getBoundingClientRect();
    return {x: box.x + (clientX - r.left) * box.w / r.width, y: box.y + (clientY - r.top) * box.h / r.height};
  }
  function pan(dx, dy) {
    var r = svg.getBoundingClientRect();
    box.x -= dx * box.w / (r.width || 1); box.y -= dy * box.h / (r.height || 1); apply();
  }
  function reach(start, links) {
    var seen = {}, todo = [start];
    while (todo.length) {
      var id = todo.pop();
      (links[id] || []).forEach(function (next) { if (!seen[next] && next !== start) { seen[next] = 1; todo.push(next); } });
    }
    return seen;
  }
  function clear() {
    view.classList.remove("active");
    Object.keys(nodes).forEach(function (id) { nodes[id].classList.remove("selected", "dep", "user"); });
    edges.forEach(function (e) { e.classList.remove("dep", "user"); });
    if (info) info.textContent = "Zielobjekt anklicken: was es braucht und wer es braucht, wird hervorgehoben.";
    document.body.removeAttribute("data-graph-selected");
  }
  function select(id, centre) {
    clear();
    var g = nodes[id];
    if (!g) return;
    var deps = reach(id, out), users = reach(id, inc);
    view.classList.add("active");
    g.classList.add("selected");
    Object.keys(deps).forEach(function (d) { nodes[d].classList.add("dep"); });
    Object.keys(users).forEach(function (u) { nodes[u].classList.add("user"); });
    edges.forEach(function (e) {
      var a = e.getAttribute("data-from"), b = e.getAttribute("data-to");
      if ((a === id || deps[a]) && (deps[b])) e.classList.add("dep");
      if ((b === id || users[b]) && users[a]) e.classList.add("user");
    });
    var nd = Object.keys(deps).length, nu = Object.keys(users).length;
    if (info) info.textContent = g.getAttribute("data-label") + ": hängt von " + nd + " Zielobjekt" +
      (nd === 1 ? "" : "en") + " ab (blau), " + nu + " Zielobjekt" + (nu === 1 ? " hängt" : "e hängen") +
      " von ihm ab (orange).";
    document.body.setAttribute("data-graph-selected", id);
    document.body.setAttribute("data-graph-dependencies", Object.keys(deps).sort().join(" "));
    document.body.setAttribute("data-graph-dependents", Object.keys(users).sort().join(" "));
    if (centre) {
      var t = g.transform.baseVal.consolidate().matrix;
      box.x = t.e - box.w / 3; box.y = t.f - box.h / 2; apply();
    }
  }
  function search(text) {
    var q = text.trim().toLowerCase(), hits = [];
    Object.keys(nodes).forEach(function (id) {
      nodes[id].classList.remove("match");
      var label = nodes[id].getAttribute("data-label").toLowerCase();
      if (q && (id.toLowerCase() === q || label.indexOf(q) !== -1)) hits.push(id);
    });
    var exact = hits.filter(function (id) { return id.toLowerCase() === q || q.indexOf(id.toLowerCase() + " ") === 0; });
    hits.forEach(function (id) { nodes[id].classList.add("match"); });
    document.body.setAttribute("data-graph-matches", hits.join(" "));
    if (exact.length || hits.length) select((exact.length ? exact : hits)[0], true);
    else if (info && q) info.textContent = "Kein Zielobjekt passt zu „" + text + "“.";
  }
  Object.keys(nodes).forEach(function (id) {
    var g = nodes[id];
    g.addEventListener("click", function (e) { e.stopPropagation(); select(id, false); });
    g.addEventListener("keydown", function (e) { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); select(id, false); } });
  });
  var drag = null, moved = false;
  view.addEventListener("pointerdown", function (e) {
    drag = {x: e.clientX, y: e.clientY}; moved = false; view.classList.add("dragging");
  });
  window.addEventListener("pointermove", function (e) {
    if (!drag) return;
    var dx = e.clientX - drag.x, dy = e.clientY - drag.y;
    if (Math.abs(dx) + Math.abs(dy) > 2) moved = true;
    pan(dx, dy); drag = {x: e.clientX, y: e.clientY};
  });
  window.addEventListener("pointerup", function () { drag = null; view.classList.remove("dragging"); });
  view.addEventListener("click", function () { if (!moved) clear(); });
  view.addEventListener("wheel", function (e) {
    e.preventDefault();
    var p = toSvg(e.clientX, e.clientY);
    zoom(e.deltaY > 0 ? 1.2 : 1 / 1.2, p.x, p.y);
  }, {passive: false});
  document.addEventListener("keydown", function (e) { if (e.key === "Escape") clear(); });
  var input = document.querySelector(".graph-search");
  if (input) {
    input.addEventListener("change", function () { search(input.value); });
    input.addEventListener("keydown", function (e) { if (e.key === "Enter") { e.preventDefault(); search(input.value); } });
  }
  Array.prototype.forEach.call(document.querySelectorAll(".graph-tools button"), function (b) {
    b.addEventListener("click", function () {
      var how = b.getAttribute("data-zoom");
      if (how === "in") zoom(1 / 1.4); else if (how === "out") zoom(1.4); else fit();
    });
  });
  fit();
  clear();
  var label = svg.querySelector(".node text");
  if (label) document.body.setAttribute("data-graph-label-px", label.getBoundingClientRect().height.toFixed(1));
  function fromAddress() {
    var hash = decodeURIComponent(window.location.hash.replace(/^#/, ""));
    hash.split("&").forEach(function (part) {
      var eq = part.indexOf("="), name = part.slice(0, eq), value = part.slice(eq + 1);
      if (name === "graph-select") select(value, true);
      if (name === "graph-search") { if (input) input.value = value; search(value); }
      if (name === "graph-zoom") zoom(1 / parseFloat(value));
      if (name === "graph-wheel") {
        var r = svg.getBoundingClientRect(), steps = parseInt(value, 10);
        for (var i = 0; i < Math.abs(steps); i++) {
          view.dispatchEvent(new WheelEvent("wheel", {deltaY: steps < 0 ? -100 : 100, clientX: r.left + r.width / 2,
            clientY: r.top + r.height / 2, bubbles: true, cancelable: true}));
        }
      }
      if (name === "graph-drag") {
        var d = value.split(","), r2 = svg.getBoundingClientRect(), x = r2.left + 50, y = r2.top + 50;
        view.dispatchEvent(new PointerEvent("pointerdown", {clientX: x, clientY: y, bubbles: true}));
        window.dispatchEvent(new PointerEvent("pointermove", {clientX: x + parseFloat(d[0]), clientY: y + parseFloat(d[1]), bubbles: true}));
        window.dispatchEvent(new PointerEvent("pointerup", {clientX: x + parseFloat(d[0]), clientY: y + parseFloat(d[1]), bubbles: true}));
      }
    });
  }
  fromAddress();
  window.addEventListener("hashchange", fromAddress);
  document.body.setAttribute("data-graph", "bereit");
})();
"""


def graph_explorer_html(propagation, caption: str, figure_id: str = "abb-graph", number: str = "") -> Markup:
    """The dependency graph of ``propagation`` as an explorable inline SVG in a ``<figure>``
    with ``caption``; ``number`` is HTML put before the caption (the report's figure number)."""
    from grundschutz.views.figures_graph import LAYERS, graph_layout

    layout = graph_layout(propagation, collapse=False)
    nodes, used = layout["nodes"], layout["layers"]
    column = {layer: index for index, layer in enumerate(used)}
    height = layout["height"]
    objects = propagation.assessment.objects
    highest = highest_levels(propagation)
    position = {}
    for node_id, node in nodes.items():
        position[node_id] = (_LEFT + 8 + column[node["layer"]] * COLUMN, round(_TOP + (height - 1 - node["y"]) * ROW))
    width = _LEFT + 8 + len(used) * COLUMN
    total = _TOP + height * ROW + 10
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {total}" role="img" '
             f'aria-label="{esc(caption)}"><g class="layers">']
    for layer in used:
        count = sum(1 for n in nodes.values() if n["layer"] == layer)
        parts.append(f'<text class="layer-title" x="{_LEFT + column[layer] * COLUMN}" y="24">'
                     f"{esc(LAYERS[layer][0])} ({count})</text>")
    parts.append('</g><g class="edges">')
    lanes: dict[float, int] = {}
    for d in propagation.assessment.dependencies:
        parts.append(_edge(d.source, d.target, position, lanes))
    parts.append('</g><g class="nodes">')
    for index, node_id in enumerate(sorted(nodes, key=lambda n: position[n])):
        obj = objects[node_id]
        level = highest[node_id]
        x, y = position[node_id]
        label = f"{obj.id} {obj.name}"
        shown = label if len(label) <= LABEL_CHARS else label[:LABEL_CHARS - 1].rstrip() + "…"
        count = f", {obj.count} Stück" if obj.count > 1 else ""
        tooltip = f"{label} ({obj.type.label}{count}) – höchster Schutzbedarf: {LEVEL_NAMES[level]}"
        parts.append(f'<g class="node" id="gn{index}" data-id="{esc(node_id)}" data-label="{esc(label)}" '
                     f'transform="translate({x},{y})" tabindex="0" role="button" aria-label="{esc(tooltip)}">'
                     f"<title>{esc(tooltip)}</title>"
                     f'<circle r="{7 if obj.count > 1 else 5.5}" fill="{LEVEL_COLOURS[level]}"/>'
                     f'<text x="10" y="5">{esc(shown)}</text></g>')
    parts.append("</g></svg>")
    ids = "".join(f'<option value="{esc(o.id)} {esc(o.name)}"></option>' for o in sorted(objects.values(),
                                                                                        key=lambda o: o.id))
    legend = "".join(f'<i style="background:{LEVEL_COLOURS[level]}"></i>{esc(LEVEL_NAMES[level])}'
                     for level in ("normal", "hoch", "sehr hoch", ""))
    return Markup(
        f'<figure id="{esc(figure_id)}" class="graph-figure">'
        '<div class="graph-tools"><label>Zielobjekt suchen: <input type="search" class="graph-search" '
        'list="graph-objects" placeholder="ID oder Name, Enter" aria-label="Zielobjekt im Graphen suchen"></label>'
        f'<datalist id="graph-objects">{ids}</datalist>'
        '<span><button type="button" data-zoom="in" aria-label="Vergrößern">+</button> '
        '<button type="button" data-zoom="out" aria-label="Verkleinern">−</button> '
        '<button type="button" data-zoom="fit">Ganze Breite</button></span></div>'
        f'<div class="graph-view" aria-label="Abhängigkeitsgraph: ziehen zum Verschieben, Mausrad zum Zoomen">'
        f'{"".join(parts)}</div>'
        '<p class="graph-info" aria-live="polite"></p>'
        f'<div class="graph-legend">Höchster Schutzbedarf: {legend}. Hervorgehoben: <b class="dep">hängt ab von'
        '</b> (blau), <b class="user">wird gebraucht von</b> (orange).</div>'
        f'<figcaption>{number}{esc(caption)}</figcaption></figure>'
    )


def _edge(source: str, target: str, position, lanes: dict[float, int]) -> str:
    """The path of one dependency: rightwards from after the source's label to the target's
    left side, leftwards the other way round, within a layer an arc left of the column."""
    (x0, y0), (x1, y1) = position[source], position[target]
    if x1 != x0:
        start, end = (x0 + LABEL_SPACE, x1 - 9) if x1 > x0 else (x0 - 9, x1 + LABEL_SPACE)
        middle = (start + end) / 2
        path = f"M{start},{y0} C{middle},{y0} {middle},{y1} {end},{y1}"
    else:
        lane = lanes[x0] = lanes.get(x0, 0) % 4 + 1
        bulge = x0 - 9 - 3 * lane - min(abs(y1 - y0), 200) / 20
        path = f"M{x0 - 8},{y0} C{bulge:.0f},{y0} {bulge:.0f},{y1} {x1 - 8},{y1}"
    return f'<path class="edge" data-from="{esc(source)}" data-to="{esc(target)}" d="{path}"/>'
