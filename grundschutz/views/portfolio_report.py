"""The portfolio of a provider as a self-contained German HTML page, and as a report section.

:func:`portfolio_section` is the body of the portfolio (facts, the heatmap
as inline SVG, the inherited needs, who sets them, the municipalities per
object, the cumulation across clients, excluded folders and notes);
:func:`build_portfolio_report` puts it on a page with the style and the
sorting/filtering script of the assessment report
(:mod:`grundschutz.views.report`), :func:`write_portfolio_report` writes it.
Everything taken from the assessments is escaped by :mod:`grundschutz.views.html`.
"""

from __future__ import annotations

import datetime as _dt
from pathlib import Path

from grundschutz.method.portfolio import Portfolio
from grundschutz.views.html import Markup, esc, table
from grundschutz.views.portfolio_tables import counts, headline, portfolio_records
from grundschutz.views.report import _SCRIPT, _STYLE, _number_figures, _Sections
from grundschutz.views.report_sections import figure_html

#: Above this many rows (objects × municipalities) the page lists only who sets the maximum.
MAX_CLIENT_ROWS = 5000
_VALUES = {"confidentiality": "Vertraulichkeit", "integrity": "Integrität", "availability": "Verfügbarkeit"}


def _fact(value: object, label: str) -> str:
    return f'<div class="fact"><b>{esc(value)}</b>{esc(label)}</div>'


def _p(text: str, cls: str = "") -> str:
    return f'<p class="{cls}">{esc(text)}</p>' if cls else f"<p>{esc(text)}</p>"


def _overview(portfolio: Portfolio) -> str:
    c = counts(portfolio)
    facts = "".join([_fact(c["shared_objects"], "gemeinsame Zielobjekte"), _fact(c["users"], "Kommunen nutzen sie"),
                     _fact(len(portfolio.cumulations), "Kumulationseffekte über Kommunen"),
                     _fact(c["excluded"], "Bewertungen mit Fehlern (nicht berücksichtigt)")])
    parts = [f'<div class="facts">{facts}</div>', _p(headline(portfolio)),
             _p("Der geerbte Schutzbedarf eines gemeinsamen Zielobjekts ist je Grundwert das Maximum der "
                "Schutzbedarfe, die die Kommunen für das Zielobjekt festgestellt oder abgeleitet haben "
                "(Maximumprinzip über die Kommunen); Regeln des Anbieters können ihn anheben, wenn viele "
                "Kommunen einen hohen Bedarf haben (Kumulationseffekt über Kommunen, mit * markiert).", "note")]
    if portfolio.objects and portfolio.users:
        from grundschutz.views.portfolio_figures import portfolio_heatmap_figure

        figure = portfolio_heatmap_figure(portfolio)
        parts.append(figure_html(figure, "Gemeinsame Zielobjekte je Kommune (höchster Schutzbedarf über V, I, A)",
                                 "abb-portfolio"))
    return "".join(parts)


def _objects(portfolio: Portfolio) -> str:
    records = portfolio_records(portfolio)
    columns = {"object": "Zielobjekt", "name": "Name", "clients": "Kommunen"}
    columns.update(_VALUES)
    columns.update({f"{v}_by": f"{label}: gesetzt von" for v, label in _VALUES.items()})
    columns.update({f"{v}_cumulation": f"{label}: Kumulation" for v, label in _VALUES.items()})
    return str(table(records, columns, "portfolio-objekte", levels=list(_VALUES), numeric=["clients"]))


def _drivers(portfolio: Portfolio) -> str:
    """Every municipality at the maximum; beyond :data:`MAX_CLIENT_ROWS` rows the first one with a count."""
    total = sum(len(v.drivers) for shared in portfolio.objects for v in shared.values)
    records = []
    for shared in portfolio.objects:
        for value in shared.values:
            drivers = value.drivers if total <= MAX_CLIENT_ROWS else value.drivers[:1]
            for d in drivers:
                more = len(value.drivers) - len(drivers)
                records.append({"object": shared.id, "value": value.basic_value.label, "level": value.maximum.label,
                                "client": d.client_name + (f" (+{more} weitere)" if more else ""), "via": d.object,
                                "origin": f"{d.origin} ({d.origin_name})" if d.origin else "", "reason": d.reason})
    columns = {"object": "Zielobjekt", "value": "Grundwert", "level": "höchster Wert", "client": "Kommune",
               "via": "Zielobjekt der Kommune", "origin": "Herkunft", "reason": "Begründung"}
    return str(table(records, columns, "portfolio-herkunft", levels=["level"]))


def _clients(portfolio: Portfolio) -> str:
    records = portfolio_records(portfolio, by="client")
    if len(records) > MAX_CLIENT_ROWS:
        return _p(f"{len(records)} Zeilen (Zielobjekte × Kommunen) sind zu viele für diese Seite: die vollständige "
                  "Liste steht in der Arbeitsmappe (grundschutz portfolio … -o portfolio.xlsx) und in "
                  "grundschutz portfolio … --by client --format csv.", "note")
    columns = {"object": "Zielobjekt", "client_name": "Kommune", "client_objects": "Zielobjekt der Kommune"}
    columns.update(_VALUES)
    columns.update({f"{v}_origin": f"{label}: Herkunft" for v, label in _VALUES.items()})
    return str(table(records, columns, "portfolio-kommunen", levels=list(_VALUES)))


def _cumulation(portfolio: Portfolio) -> str:
    records = [{"kind": kind, "object": c.object, "value": c.basic_value.label, "rule": c.rule.name,
                "count": c.count, "threshold": c.rule.min_dependents, "at_level": c.rule.at_level.label,
                "before": c.before.label if c.before else "", "raise_to": c.rule.raise_to.label,
                "reason": c.rule.reason}
               for kind, events in (("angewendet", portfolio.cumulations), ("Kandidat", portfolio.candidates))
               for c in events]
    if not records:
        return _p("Keine Regel über Kommunen greift oder verfehlt ihre Schwelle knapp.", "note")
    columns = {"kind": "Art", "object": "Zielobjekt", "value": "Grundwert", "rule": "Regel", "count": "Kommunen",
               "threshold": "Schwelle", "at_level": "mindestens", "before": "vorher", "raise_to": "Ziel",
               "reason": "Begründung"}
    return str(table(records, columns, "portfolio-kumulation", levels=["before", "raise_to"],
                     numeric=["count", "threshold"]))


def _excluded(portfolio: Portfolio) -> str:
    records = [{"folder": s.source, "problem": str(p)} for s in portfolio.excluded for p in s.problems]
    notes = [{"client": n.client_name, "object": n.object, "value": n.value, "message": n.message}
             for n in portfolio.notes]
    parts = []
    if records:
        parts.append(_p(f"{len(portfolio.excluded)} Bewertungen konnten nicht gelesen werden; die Ergebnisse "
                        "schließen sie aus."))
        parts.append(str(table(records, {"folder": "Ordner", "problem": "Fehler"}, "portfolio-fehler")))
    if notes:
        parts.append(_p("Verweise, die nicht zugeordnet werden können (die Kommune ist mit ihren übrigen "
                        "Verweisen berücksichtigt) oder als dieselbe Institution nur einmal gezählt werden:"))
        parts.append(str(table(notes, {"client": "Kommune", "object": "Zielobjekt", "value": "Verweis",
                                       "message": "Hinweis"}, "portfolio-hinweise")))
    return "".join(parts) or _p("Alle Bewertungen wurden gelesen; alle Verweise sind zugeordnet.", "note")


def portfolio_section(portfolio: Portfolio) -> Markup:
    """The portfolio as one HTML fragment (for a section of a report), with subheadings."""
    parts = [_overview(portfolio)]
    for title, body in (("Geerbter Schutzbedarf je gemeinsamem Zielobjekt", _objects(portfolio)),
                        ("Wer den höchsten Wert setzt", _drivers(portfolio)),
                        ("Kommunen je Zielobjekt", _clients(portfolio)),
                        ("Kumulationseffekt über Kommunen", _cumulation(portfolio)),
                        ("Nicht berücksichtigt und Hinweise", _excluded(portfolio))):
        parts.append(f"<h3>{esc(title)}</h3>{body}")
    return Markup("".join(parts))


def build_portfolio_report(portfolio: Portfolio, *, date: _dt.date | None = None) -> str:
    """The portfolio as one self-contained HTML document (a string); ``date`` is "Stand" (default: today)."""
    date = date or _dt.date.today()
    sections = _Sections()
    sections.add("ueberblick", "Überblick", _overview(portfolio))
    sections.add("objekte", "Geerbter Schutzbedarf je gemeinsamem Zielobjekt", _objects(portfolio))
    sections.add("herkunft", "Wer den höchsten Wert setzt", _drivers(portfolio))
    sections.add("kommunen", "Kommunen je Zielobjekt", _clients(portfolio))
    sections.add("kumulation", "Kumulationseffekt über Kommunen", _cumulation(portfolio))
    sections.add("fehler", "Nicht berücksichtigt und Hinweise", _excluded(portfolio))
    title = f"Portfolio: {portfolio.provider_name}"
    header = (f'<header class="doc"><h1>{esc(title)}</h1><p>Anbieter {esc(portfolio.provider)}: gemeinsame '
              f"Zielobjekte und der Schutzbedarf, den sie von den Kommunen erben</p>"
              f"<p>Stand: {date.strftime('%d.%m.%Y')}</p></header>")
    return _number_figures(
        "<!DOCTYPE html>\n"
        f'<html lang="de"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, '
        f'initial-scale=1"><meta name="generator" content="grundschutz">'
        f"<title>{esc(title)}</title><style>{_STYLE}</style></head>"
        f"<body>{header}<main>{sections.toc_html()}{''.join(sections.parts)}</main>"
        f"<script>{_SCRIPT}</script></body></html>\n"
    )


def write_portfolio_report(portfolio: Portfolio, output: str | Path, *, date: _dt.date | None = None) -> Path:
    """Write :func:`build_portfolio_report` to ``output`` (UTF-8, atomically) and return the path."""
    from grundschutz.io.files import atomic_write

    return atomic_write(output, build_portfolio_report(portfolio, date=date))
