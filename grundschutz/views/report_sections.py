"""The sections of the HTML report (:mod:`grundschutz.views.report`), each as an HTML string.

One function per section: Sachstand, Strukturanalyse, Schutzbedarfsfeststellung
(with the explanation of every value), Modellierung, IT-Grundschutz-Check,
Risikoanalyse, Arbeitsplan, Szenarien and the method as an appendix; and
:func:`figure_html`, which embeds a figure as inline SVG. The sections leave
a placeholder for each figure; :class:`Figures` draws them all at the end. Everything taken
from the assessment is escaped by :mod:`grundschutz.views.html`.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from functools import partial

from grundschutz.method.explanation import explain_text
from grundschutz.model import BASIC_VALUES, ObjectType, Rule
from grundschutz.views.html import Markup, definition_list, esc, table

_TYPE_WORDS = {t.value: t.label for t in ObjectType}

#: Where :func:`build_report` writes "Abbildung N: " (cannot come from escaped text).
_FIGURE_NUMBER = '<span class="fig-no"></span>'


def figure_html(figure, caption: str, figure_id: str) -> Markup:
    """A matplotlib figure as inline SVG in a ``<figure>`` with caption (text kept as text)."""
    from grundschutz.views.figures import figure_bytes

    svg = figure_bytes(figure, "svg", text_as_paths=False, salt=figure_id).decode("utf-8")
    svg = svg[svg.index("<svg"):]
    svg = re.sub(r"<metadata>.*?</metadata>", "", svg, count=1, flags=re.S)
    size = re.match(r'<svg[^>]*? width="([\d.]+)pt"', svg)
    width = round(float(size.group(1)) * 96 / 72) if size else 1000
    svg = re.sub(r'^<svg([^>]*?) width="[^"]*" height="[^"]*"', r'<svg\1', svg, count=1)
    svg = svg.replace("<svg", f'<svg style="max-width:{width}px;--w:{width}px"', 1)
    svg = svg.replace("<svg", f'<svg role="img" aria-label="{esc(caption)}"', 1)
    return Markup(f'<figure id="{esc(figure_id)}"><div class="svg-wrap" title="Klicken zum Vergrößern">{svg}'
                  f'</div><figcaption>{_FIGURE_NUMBER}{esc(caption)}</figcaption></figure>')


class Figures:
    """The figures of a report: each section adds a placeholder; :meth:`start` begins drawing those added
    so far in forked copies of the process while the page is built (:class:`~grundschutz.views.forked.Batch`),
    :meth:`fill` draws the rest and puts every figure in its place."""

    def __init__(self) -> None:
        self._jobs: list[tuple[Callable[[], object], str, str]] = []
        self._batch = None
        self._started = 0

    def add(self, make: Callable[[], object], caption: str, figure_id: str) -> str:
        """A placeholder for :func:`figure_html` of the figure ``make()``."""
        self._jobs.append((make, caption, figure_id))
        return f"\0figure {len(self._jobs) - 1}\0"

    def start(self, workers: int | None = None) -> None:
        """Begin drawing the figures added so far, in copies of this process that load matplotlib themselves."""
        from grundschutz.views.figures import preload
        from grundschutz.views.forked import Batch

        self._batch = Batch(self._tasks(0), workers, prepare=preload)
        self._started = len(self._jobs)

    def fill(self, page: str, workers: int | None = None) -> str:
        """``page`` with every placeholder replaced by its figure."""
        from grundschutz.views.figures import preload

        preload()  # for the figures drawn here; without a start, before the copies: once, not in each
        if self._batch is None:
            self.start(workers)
        try:
            later = [task() for task in self._tasks(self._started)]  # while the copies draw the others
            html = self._batch.finish() + later
        except BaseException:
            self.stop()
            raise
        self._batch = None
        return re.sub("\0figure (\\d+)\0", lambda m: html[int(m.group(1))], page)

    def stop(self) -> None:
        """Stop drawing (the page is not needed after all)."""
        if self._batch is not None:
            self._batch.stop()
            self._batch = None

    def _tasks(self, first: int) -> list[Callable[[], str]]:
        return [partial(_figure_job, *job) for job in self._jobs[first:]]


def _figure_job(make: Callable[[], object], caption: str, figure_id: str) -> str:
    return str(figure_html(make(), caption, figure_id))


def _p(text: str) -> str:
    return f"<p>{esc(text)}</p>"


def _fact(value: object, label: str) -> str:
    return f'<div class="fact"><b>{esc(value)}</b>{esc(label)}</div>'


def _percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f} %".replace(".", ",") if whole else "–"


def _level_counts(summary, value: str) -> dict[str, int]:
    return summary.per_level[value]


# --------------------------------------------------------------------------- sections


def _summary_section(analysis, summary, risks, scenarios) -> str:
    a = analysis
    settings = a.assessment.settings
    apps = [o for o in a.assessment.objects.values() if o.type is ObjectType.APPLICATION]
    highest = _highest(a.propagation)
    high_apps = sum(1 for o in apps if highest[o.id] in ("hoch", "sehr hoch"))
    unrated = a.propagation.unrated()
    facts = [_fact(summary.objects, "Zielobjekte"), _fact(summary.dependencies, "Abhängigkeiten"),
             _fact(f"{high_apps} von {len(apps)}", "Anwendungen mit hohem oder sehr hohem Schutzbedarf"),
             _fact(len(unrated), "Zielobjekte mit offenem Schutzbedarf")]
    text = [
        f"Die Verwaltung legt den Sachstand der Sicherheitskonzeption „{settings.name}“ vor. Grundlage ist "
        f"der BSI-Standard 200-2 (IT-Grundschutz-Methodik, Variante „{settings.variant}“) mit "
        f"{_EDITIONS.get(settings.edition, settings.edition)}; die Risikoanalyse folgt dem BSI-Standard 200-3.",
        f"Im Informationsverbund sind {summary.objects} Zielobjekte mit {summary.dependencies} Abhängigkeiten "
        f"erfasst, darunter {len(apps)} Anwendungen. Für {high_apps} Anwendungen ergibt die "
        "Schutzbedarfsfeststellung in mindestens einem Grundwert einen hohen oder sehr hohen Schutzbedarf.",
    ]
    if unrated:
        text.append(f"Für {len(unrated)} Zielobjekte ist der Schutzbedarf in mindestens einem Grundwert noch nicht "
                    "festgestellt; diese Werte sind als offene Arbeit ausgewiesen und nicht ergänzt worden.")
    if a.check is not None:
        done = sum(1 for e in a.check.entries if e.status.implemented)
        open_ = sum(1 for e in a.check.entries if e.status.value == "unbearbeitet")
        facts.append(_fact(_percent(done, len(a.check)), f"der {len(a.check)} Anforderungen umgesetzt"))
        text.append(f"Aus der Modellierung folgen {len(a.check)} Anforderungen. Davon sind {done} umgesetzt "
                    f"(„ja“ oder „entbehrlich“); {open_} sind im IT-Grundschutz-Check noch nicht bearbeitet.")
    if risks is not None:
        untreated = len(risks.untreated)
        facts.append(_fact(len(risks), "Zielobjekte mit Risikoanalyse"))
        text.append(f"{len(risks)} Zielobjekte erfordern eine Risikoanalyse nach BSI-Standard 200-3. "
                    f"{len(risks.open_objects)} davon sind noch nicht abschließend bewertet; "
                    f"{untreated} hohe oder sehr hohe Risiken sind noch ohne Behandlung"
                    + (f", {len(risks.residual_unaccepted)} hohe Restrisiken noch nicht von der Leitung übernommen."
                       if risks.residual_unaccepted else "."))
    for result in scenarios:
        verdicts = Counter(v.verdict for v in result.verdicts)
        parts = [f"{verdicts[code]} {word}" for code, word in _VERDICT_SUMMARY if verdicts[code]]
        count = len(result.verdicts)
        text.append(f"Szenario „{result.scenario.name}“ ({count} betrachtete Anwendung{'en' if count != 1 else ''}): "
                    + "; ".join(parts) + ".")
    return f'<div class="facts">{"".join(facts)}</div>' + "".join(_p(t) for t in text)


_EDITIONS = {"kompendium-2023": "dem IT-Grundschutz-Kompendium, Edition 2023",
             "grundschutz++": "dem Grundschutz++-Katalog"}
_VERDICT_SUMMARY = (("bereit", "bereit"), ("bereit-sobald", "bereit nach Umsetzung weiterer Anforderungen"),
                    ("risikoanalyse", "erst nach einer Risikoanalyse"),
                    ("schutzbedarf-offen", "erst nach der Schutzbedarfsfeststellung"))


def _highest(propagation) -> dict[str, str]:
    from grundschutz.views.figures import highest_levels

    return highest_levels(propagation)


def _structure_section(analysis, summary) -> str:
    from grundschutz.views.report_graph import graph_explorer_html

    a = analysis
    objects = a.assessment.objects
    supports: dict[str, list[str]] = {}
    used_by: Counter = Counter()
    for d in a.assessment.dependencies:
        supports.setdefault(d.source, []).append(d.target)
        used_by[d.target] += 1
    per_type = [{"type": _TYPE_WORDS[t], "count": n, "pieces": sum(o.count for o in objects.values()
                                                                    if o.type.value == t)}
                for t, n in summary.per_type.items()]
    records = [
        {"id": o.id, "type": o.type.label, "name": o.name, "description": o.description, "count": o.count,
         "tags": "; ".join(f"{k}={v}" if v else k for k, v in o.tags.items()),
         "depends": ", ".join(supports.get(o.id, [])), "used_by": used_by[o.id]}
        for o in sorted(objects.values(), key=lambda o: o.id)
    ]
    edges = [{"object": d.source, "depends_on": d.target, "group": d.redundancy_group, "note": d.note}
             for d in a.assessment.dependencies]
    return "".join([
        _p("Die Strukturanalyse erfasst die Geschäftsprozesse, Anwendungen, IT-Systeme, Netze, Räume und "
           "Dienstleistungen des Informationsverbunds und ihre Abhängigkeiten. Eine Kante „A hängt ab von B“ "
           "bedeutet, dass der Schutzbedarf von A auf B übergeht. Gleichartige Zielobjekte sind nach "
           "BSI-Standard 200-2 zu Gruppen zusammengefasst (Spalte „Anzahl“)."),
        graph_explorer_html(a.propagation, "Abhängigkeiten in Ebenen, jedes Zielobjekt einzeln; Farbe = höchster "
                            "Schutzbedarf. Mausrad oder +/− zoomt, Ziehen verschiebt, ein Klick auf ein Zielobjekt "
                            "hebt hervor, wovon es abhängt und was von ihm abhängt; der volle Name erscheint beim "
                            "Darüberfahren.", "abb-graph", _FIGURE_NUMBER),
        "<h3>Zielobjekte nach Typ</h3>",
        table(per_type, {"type": "Typ", "count": "Zielobjekte", "pieces": "Stück (mit Gruppen)"}, "typen",
              numeric=("count", "pieces")),
        "<h3>Zielobjekte</h3>",
        table(records, {"id": "ID", "type": "Typ", "name": "Name", "description": "Beschreibung", "count": "Anzahl",
                        "tags": "Merkmale", "depends": "hängt ab von", "used_by": "genutzt von (Anzahl)"},
              "objekte", numeric=("count", "used_by")),
        "<h3>Abhängigkeiten</h3>",
        table(edges, {"object": "Zielobjekt", "depends_on": "hängt ab von", "group": "Redundanzgruppe",
                      "note": "Bemerkung"}, "abhaengigkeiten"),
    ])


def analysis_figures(analysis, focus: str | None, figures: Figures, with_risks: bool = True) -> dict[str, str]:
    """The figures of the analysis added to ``figures`` before any section is built (so that they can be
    drawn meanwhile): their placeholders by name (``heatmap``, ``herleitung`` of ``focus``, ``check``,
    ``risiko``); a note instead of the heatmap of an assessment without applications."""
    from grundschutz.views.figures_graph import dependency_graph_figure
    from grundschutz.views.plots import coverage_figure, risk_matrix_figure

    a = analysis
    shown = {"heatmap": _heatmap_html(a, figures), "herleitung": ""}
    if focus is not None:
        d_text = "; ".join(f"{v.label}: {' → '.join(d.path)}"
                           for v, d in a.propagation.derivations(focus).items() if d.level)
        shown["herleitung"] = figures.add(
            lambda: dependency_graph_figure(a, object_id=focus),
            f"Herleitung des Schutzbedarfs von {focus} ({a.assessment.objects[focus].name}) "
            f"entlang der Abhängigkeiten. {d_text}", "abb-herleitung")
    shown["check"] = figures.add(lambda: coverage_figure(a), "Umsetzungsstand je Baustein (Anteile) und je "
                                                             "Anforderungsstufe (Anzahl).", "abb-check")
    if with_risks:
        shown["risiko"] = figures.add(lambda: risk_matrix_figure(a.risks), "Risikomatrix mit der Zahl der "
                                                                           "bewerteten Gefährdungen je Feld.",
                                      "abb-risiko")
    return shown


def _needs_section(analysis, summary, shown: dict[str, str]) -> str:
    from grundschutz.views.tables import needs_records

    a = analysis
    p = a.propagation
    words = {v.value: v.label for v in BASIC_VALUES}
    rule_words = {r.value: r.label for r in Rule}
    counts = [{"value": words[v], **{k: n for k, n in c.items()}} for v, c in summary.per_level.items()]
    records = []
    for r in needs_records(p):
        row = {"object": r["object"], "name": r["name"], "type": _TYPE_WORDS[r["type"]], "deviation": ""}
        for v in BASIC_VALUES:
            row[v.value] = r[v.value]
            row[f"{v.value}_rule"] = rule_words.get(r[f"{v.value}_rule"], "")
        if r["deviation"]:
            row["deviation"] = ", ".join(words[x] for x in r["deviation"].split(";"))
        records.append(row)
    explanations = []
    for object_id in p.index.ids:
        obj = a.assessment.objects[object_id]
        for value, d in p.derivations(object_id).items():
            explanations.append({"object": object_id, "name": obj.name, "value": value.label,
                                 "level": d.level.label if d.level else "", "rule": d.rule.label if d.rule else "",
                                 "text": Markup(f'<span class="explain">{esc(explain_text(p, d))}</span>')})
    parts = [
        _p("Der Schutzbedarf wird für Geschäftsprozesse und Anwendungen festgestellt und nach dem "
           "Maximumprinzip auf die Zielobjekte übertragen, von denen sie abhängen; Kumulations- und "
           "Verteilungseffekt sowie manuelle Festlegungen sind berücksichtigt und begründet. Nicht "
           "festgestellte Werte bleiben offen und werden nicht mit „normal“ gleichgesetzt."),
        table(counts, {"value": "Grundwert", "normal": "normal", "hoch": "hoch", "sehr hoch": "sehr hoch",
                       "nicht bewertet": "nicht bewertet"}, "schutzbedarf-verteilung",
              numeric=("normal", "hoch", "sehr hoch", "nicht bewertet")),
        shown["heatmap"],
        shown["herleitung"],
    ]
    parts += [
        "<h3>Schutzbedarf der Zielobjekte</h3>",
        table(records, {"object": "ID", "name": "Name", "type": "Typ", "confidentiality": "Vertraulichkeit",
                        "confidentiality_rule": "Regel V", "integrity": "Integrität", "integrity_rule": "Regel I",
                        "availability": "Verfügbarkeit", "availability_rule": "Regel A",
                        "deviation": "Abweichung vom Maximumprinzip"}, "schutzbedarf-objekte",
              levels=("confidentiality", "integrity", "availability")),
        _events_html(summary),
        "<h3>Herleitung jedes Werts</h3>",
        _p("Für jedes Zielobjekt und jeden Grundwert: Regel, Herkunft, Pfad der Abhängigkeiten und Begründung."),
        table(explanations, {"object": "ID", "name": "Name", "value": "Grundwert", "level": "Schutzbedarf",
                             "rule": "Regel", "text": "Erläuterung"}, "herleitung", levels=("level",),
              html_columns=("text",)),
    ]
    return "".join(parts)


def _heatmap_html(analysis, figures: Figures) -> str:
    """The heatmap of the applications, or a note that the assessment has none."""
    from grundschutz.views.plots import needs_heatmap_figure

    if not any(o.type is ObjectType.APPLICATION for o in analysis.assessment.objects.values()):
        return _p("Die Bewertung enthält keine Anwendungen (Typ „Anwendung“); die Übersicht des Schutzbedarfs "
                  "der Anwendungen entfällt.")
    return figures.add(lambda: needs_heatmap_figure(analysis), "Schutzbedarf der Anwendungen nach "
                                                               "Vertraulichkeit, Integrität und Verfügbarkeit.",
                       "abb-heatmap")


def _events_html(summary) -> str:
    words = {v.value: v.label for v in BASIC_VALUES}
    out = []
    if summary.cumulations:
        rows = [{**e, "basic_value": words[e["basic_value"]]} for e in summary.cumulations]
        out += ["<h3>Kumulationseffekt</h3>",
                table(rows, {"object": "Zielobjekt", "basic_value": "Grundwert", "rule": "Regel",
                             "dependents": "Abhängige", "before": "vorher", "raise_to": "angehoben auf"},
                      "kumulation", numeric=("dependents",))]
    if summary.candidates:
        rows = [{**e, "basic_value": words[e["basic_value"]]} for e in summary.candidates]
        out += ["<h3>Kandidaten für den Kumulationseffekt</h3>",
                _p("Diese Zielobjekte liegen knapp unter der Schwelle einer Regel und sind fachlich zu beurteilen."),
                table(rows, {"object": "Zielobjekt", "basic_value": "Grundwert", "rule": "Regel",
                             "dependents": "Abhängige", "threshold": "Schwelle"}, "kandidaten",
                      numeric=("dependents", "threshold"))]
    if summary.distributions:
        rows = [{**e, "basic_value": words[e["basic_value"]]} for e in summary.distributions]
        out += ["<h3>Verteilungseffekt</h3>",
                table(rows, {"object": "Zielobjekt", "basic_value": "Grundwert", "without": "ohne Verteilung",
                             "level": "Ergebnis", "via": "über Redundanz von"}, "verteilung")]
    if summary.shared:
        rows = [{**e, "basic_value": words[e["basic_value"]], "members": ", ".join(e["members"])}
                for e in summary.shared]
        out += ["<h3>Keine Verteilung an gemeinsamen Abhängigkeiten</h3>",
                _p("Alle Mitglieder einer Redundanzgruppe hängen von diesen Zielobjekten ab: fällt eines aus, fallen "
                   "alle Mitglieder zugleich aus, der Verteilungseffekt greift hier nicht."),
                table(rows, {"object": "Zielobjekt", "basic_value": "Grundwert", "lowered": "mit Verteilung",
                             "level": "Ergebnis", "dependent": "Redundanz von", "group": "Redundanzgruppe",
                             "members": "Mitglieder"}, "gemeinsam")]
    if summary.deviations:
        rows = [{**e, "basic_value": words[e["basic_value"]]} for e in summary.deviations]
        out += ["<h3>Abweichungen vom Maximumprinzip</h3>",
                table(rows, {"object": "Zielobjekt", "basic_value": "Grundwert", "computed": "Maximumprinzip",
                             "level": "gesetzt", "reason": "Begründung"}, "abweichungen")]
    if summary.cycles:
        out += ["<h3>Zyklen</h3>", "<ul>" + "".join(f"<li>{esc(' ↔ '.join(c))}</li>" for c in summary.cycles)
                + "</ul>"]
    open_work = [{"value": words[v], "count": len(ids), "objects": ", ".join(ids)}
                 for v, ids in summary.unrated.items() if ids]
    if open_work:
        out += ["<h3>Offene Arbeit: nicht festgestellter Schutzbedarf</h3>",
                table(open_work, {"value": "Grundwert", "count": "Anzahl", "objects": "Zielobjekte"}, "offen",
                      numeric=("count",))]
    return "".join(out)


def _modelling_section(analysis) -> str:
    from grundschutz.views.requirements_tables import modelling_records

    a = analysis
    records = modelling_records(a.modelling)
    counts = a.selection.count_by_level()
    unmodelled = a.modelling.unmodelled
    parts = [
        _p(f"Den {len(a.modelling)} Zielobjekten (einschließlich des Informationsverbunds für die "
           f"prozessorientierten Bausteine) sind Bausteine des IT-Grundschutz-Kompendiums nach Regeln zugeordnet; "
           f"Abweichungen von den Regeln sind begründet. Daraus folgen {len(a.selection)} Anforderungen: "
           f"{counts['B']} Basis-, {counts['S']} Standard- und {counts['H']} Anforderungen für erhöhten "
           "Schutzbedarf."),
    ]
    if unmodelled:
        parts.append(_p(f"Für {len(unmodelled)} Zielobjekte gibt es keinen passenden Baustein; sie werden in der "
                        f"Risikoanalyse behandelt: {', '.join(unmodelled)}."))
    parts.append(table(records, {"object": "ID", "name": "Name", "baustein": "Baustein", "title": "Titel",
                                 "status": "Status", "source": "Quelle", "reason": "Begründung"}, "bausteine"))
    return "".join(parts)


def _check_section(analysis, shown: dict[str, str]) -> str:
    from grundschutz.views.requirements_tables import check_records, coverage_records

    a = analysis
    check = a.check
    counts = check.counts()
    done = counts["ja"] + counts["entbehrlich"]
    by_object = coverage_records(check, ("object",))
    names = {o: e.object.name for o, e in a.modelling.objects.items()}
    for r in by_object:
        r["name"] = names.get(r["object"], "")
    status_cols = {"ja": "ja", "teilweise": "teilweise", "nein": "nein", "entbehrlich": "entbehrlich",
                   "unbearbeitet": "unbearbeitet"}
    return "".join([
        _p(f"Der IT-Grundschutz-Check erfasst für jede ausgewählte Anforderung den Umsetzungsstand. Von "
           f"{len(check)} Anforderungen sind {counts['ja']} umgesetzt, {counts['teilweise']} teilweise und "
           f"{counts['nein']} nicht umgesetzt; {counts['entbehrlich']} sind begründet entbehrlich und "
           f"{counts['unbearbeitet']} noch nicht bearbeitet. Umgesetzt im Sinne des Checks "
           f"(ja oder entbehrlich): {_percent(done, len(check))}."),
        shown["check"],
        "<h3>Umsetzungsstand je Zielobjekt</h3>",
        table(by_object, {"object": "ID", "name": "Name", **status_cols, "total": "gesamt",
                          "percent": "umgesetzt %"}, "check-objekte",
              numeric=(*status_cols, "total", "percent")),
        "<h3>Anforderungen und Umsetzungsstatus</h3>",
        table(check_records(check), {"object": "ID", "baustein": "Baustein", "requirement": "Anforderung",
                                     "level": "Stufe", "title": "Titel", "status": "Status", "note": "Bemerkung",
                                     "responsible": "verantwortlich", "due": "bis", "checked_on": "geprüft am"},
              "check-anforderungen", dates=("due", "checked_on")),
    ])


def _risk_section(analysis, risks, shown: dict[str, str]) -> str:
    from grundschutz.views.risk_tables import risk_records, risk_summary_records

    summary = risk_summary_records(risks)
    for record in summary:
        record["reasons"] = ", ".join(record["reasons"])
    records = risk_records(risks)
    rated = [r for r in records if r["category"] or r["treatment"]]
    for r in rated:
        r["requirements"] = ", ".join(r["requirements"])
    by_category = risks.by_category()
    parts = [
        _p(f"Eine Risikoanalyse nach BSI-Standard 200-3 ist für {len(risks)} Zielobjekte erforderlich: bei sehr "
           "hohem oder hohem Schutzbedarf, ohne passenden Baustein oder bei atypischem Einsatz. Die "
           "Gefährdungsübersicht je Zielobjekt enthält die elementaren Gefährdungen, die die "
           "Kreuzreferenztabellen den Bausteinen des Zielobjekts zuordnen (ohne passenden Baustein alle 47 "
           "zur Auswahl), und ergänzte Gefährdungen. "
           f"Von {len(records)} Gefährdungen sind {sum(r.rated for r in risks.risks)} bewertet: "
           f"{by_category.get('gering', 0)} gering, {by_category.get('mittel', 0)} mittel, "
           f"{by_category.get('hoch', 0)} hoch, {by_category.get('sehr hoch', 0)} sehr hoch. "
           f"{len(risks.untreated)} hohe oder sehr hohe Risiken sind noch ohne Behandlung; "
           f"{len(risks.residual_unaccepted)} hohe Restrisiken sind noch nicht von der Leitung übernommen "
           "(BSI-Standard 200-3, Risikobehandlung)."),
        shown["risiko"],
        "<h3>Zielobjekte mit Risikoanalyse</h3>",
        table(summary, {"object": "ID", "name": "Name", "why": "Anlass", "need": "höchster Schutzbedarf",
                        "threats": "Gefährdungen", "rated": "bewertet", "open": "offen", "hoch": "hoch",
                        "sehr hoch": "sehr hoch", "untreated": "unbehandelt",
                        "residual_unaccepted": "Restrisiko offen", "status": "Stand"},
              "risiko-objekte", levels=("need",), numeric=("threats", "rated", "open", "hoch", "sehr hoch",
                                                            "untreated", "residual_unaccepted")),
        "<h3>Bewertete Gefährdungen</h3>",
        table(rated, {"object": "ID", "threat": "Gefährdung", "title": "Titel", "frequency": "Häufigkeit",
                      "impact": "Auswirkung", "category": "Risiko", "treatment": "Behandlung", "note": "Maßnahmen/Begründung",
                      "accepted_by": "akzeptiert von", "accepted_on": "am", "residual_category": "Restrisiko",
                      "status": "Stand"},
              "risiken"),
    ]
    return "".join(parts)


_PLAN_REQUIREMENT_ROWS = 250


def _plan_section(analysis, risks) -> str:
    from grundschutz.method.plan import GROUPS
    from grundschutz.views.plan_tables import plan_records

    plan = analysis.plan
    counts = [{"group": n, "title": t, "count": c} for n, (t, c) in enumerate(plan.counts().items(), start=1)]
    records = plan_records(plan)
    requirement_group = next((n for n, t in GROUPS.items() if t == "Anforderung umsetzen"), None)
    shown, skipped = [], 0
    seen = 0
    for r in records:
        if r["group"] == requirement_group:
            seen += 1
            if seen > _PLAN_REQUIREMENT_ROWS:
                skipped += 1
                continue
        shown.append(r)
    parts = [
        _p("Der Arbeitsplan ordnet die offene Arbeit in der Reihenfolge, in der sie anzugehen ist: zuerst fehlende "
           "Schutzbedarfsfeststellungen, dann die vorrangigen Risikoanalysen und die Behandlung hoher Risiken, "
           "danach die Umsetzung der Anforderungen (Basis vor Standard vor erhöhtem Schutzbedarf) und zuletzt die "
           "übrigen Risikoanalysen. Jede Zeile nennt den Grund für ihre Stellung."),
        table(counts, {"group": "Gruppe", "title": "Arbeitsschritt", "count": "Anzahl"}, "plan-gruppen",
              numeric=("group", "count")),
    ]
    if skipped:
        parts.append(_p(f"Von den Anforderungen sind die ersten {_PLAN_REQUIREMENT_ROWS} in Planreihenfolge "
                        f"aufgeführt; die übrigen {skipped} stehen mit ihrem Status in der Tabelle des "
                        "IT-Grundschutz-Checks und vollständig in der Ausgabe von „grundschutz plan“."))
    parts.append(table(shown, {"rank": "Rang", "group_title": "Arbeitsschritt", "object": "ID", "name": "Name",
                               "title": "Aufgabe", "level": "Stufe", "need": "Schutzbedarf", "role": "Rolle",
                               "status": "Status", "reason": "Begründung"}, "plan",
                       levels=("need",), numeric=("rank",)))
    return "".join(parts)


def _scenario_section(analysis, results, figures: Figures) -> str:
    from grundschutz.views.plots import scenario_figure
    from grundschutz.views.scenario_tables import blocking_records, scenario_change_records, verdict_records

    words = {"bereit": "bereit", "bereit-sobald": "bereit, sobald umgesetzt", "risikoanalyse": "Risikoanalyse nötig",
             "schutzbedarf-offen": "Schutzbedarf offen"}
    value_words = {v.value: v.label for v in BASIC_VALUES}
    parts = [_p("Ein Szenario beschreibt eine geplante Änderung des Informationsverbunds. Verglichen mit dem "
                "heutigen Stand zeigt es, wie sich der Schutzbedarf ändert, welche Bausteine und Anforderungen "
                "hinzukommen und welche noch nicht umgesetzten Anforderungen oder Risikoanalysen der "
                "Entscheidung je Anwendung entgegenstehen.")]
    for number, result in enumerate(results, start=1):
        scenario = result.scenario
        slug = re.sub(r"[^a-z0-9-]+", "-", scenario.name.lower()).strip("-") or str(number)
        verdicts = verdict_records(result)
        for v in verdicts:
            v["verdict_word"] = words.get(v["verdict"], v["verdict"])
        changes = scenario_change_records(result)
        for c in changes:
            if c["kind"] == "Schutzbedarf":
                c["item"] = value_words.get(c["item"], c["item"])
        blocking = blocking_records(result)
        for b in blocking:
            b["applications"] = ", ".join(b["applications"])
        parts += [
            f'<h3 id="szenario-{esc(slug)}">Szenario „{esc(scenario.name)}“</h3>',
            _p(scenario.description) if scenario.description else "",
            figures.add(partial(scenario_figure, result), f"Szenario „{scenario.name}“: geänderter Schutzbedarf "
                                                          "und was die Entscheidung je Anwendung aufhält.",
                        f"abb-szenario-{slug}"),
            "<h4>Ergebnis je Anwendung</h4>",
            table(verdicts, {"application": "ID", "name": "Name", "verdict_word": "Ergebnis", "text": "Begründung",
                             "blocking": "blockierende Anforderungen", "baseline_open": "bereits heute offen"},
                  f"szenario-{slug}-ergebnis", numeric=("blocking", "baseline_open")),
            "<h4>Änderungen gegenüber dem heutigen Stand</h4>",
            table(changes, {"kind": "Art", "change": "Änderung", "object": "ID", "name": "Name", "item": "Gegenstand",
                            "level": "Stufe", "title": "Titel", "before": "vorher", "after": "nachher",
                            "detail": "Erläuterung"}, f"szenario-{slug}-aenderungen"),
            "<h4>Blockierende Anforderungen</h4>",
            table(blocking, {"object": "ID", "name": "Name", "requirement": "Anforderung", "level": "Stufe",
                             "title": "Titel", "status": "Status", "responsible": "verantwortlich", "due": "bis",
                             "applications": "hält auf"}, f"szenario-{slug}-blockierend", dates=("due",)),
        ]
    return "".join(parts)


def _method_section(analysis) -> str:
    settings = analysis.assessment.settings
    rules = [(r.name or f"Regel {i + 1}", f"{r.basic_value.label}: ab {r.min_dependents} abhängigen Zielobjekten "
              f"mit mindestens {r.at_level.label} → {r.raise_to.label}. {r.reason}")
             for i, r in enumerate(settings.cumulation)]
    dist = settings.distribution
    items = [
        ("Vorgehen", "BSI-Standard 200-2 (Standard-Absicherung), Risikoanalyse nach BSI-Standard 200-3"),
        ("Edition", settings.edition),
        ("Variante", settings.variant),
        ("Maximumprinzip", "Ein Zielobjekt erhält je Grundwert mindestens den höchsten Schutzbedarf der Zielobjekte, "
                           "die von ihm abhängen; Mitglieder eines Zyklus erhalten den gemeinsamen Höchstwert."),
        ("Verteilungseffekt", f"angewendet auf Verfügbarkeit, Absenkung um {dist.lower_by} Stufe(n) bei Redundanz"
         if dist.enabled else "nicht angewendet"),
        *rules,
    ]
    return definition_list(items)
