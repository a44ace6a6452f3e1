"""The German text of ``grundschutz risk`` and ``grundschutz plan``."""

from __future__ import annotations

from grundschutz.method.plan import GROUPS
from grundschutz.method.risk import FLAG_KINDS
from grundschutz.views.render import format_table
from grundschutz.views.risk_tables import risk_summary_records

_CATEGORIES = ("gering", "mittel", "hoch", "sehr hoch")


def render_risk_summary(name: str, risks) -> str:
    """The German overview of ``grundschutz risk``: flagged objects, threats, categories, untreated risks."""
    records = risk_summary_records(risks)
    kinds = {k: n for k in FLAG_KINDS if (n := sum(k in o.flagged.kinds for o in risks))}
    every = risks.risks
    rated = sum(r.rated for r in every)
    counts = risks.by_category()
    out = [
        f"Risikoanalyse (BSI-Standard 200-3): {name}",
        f"{len(records)} Zielobjekte mit Risikoanalyse (Gründe: "
        + ", ".join(f"{k} {n}" for k, n in kinds.items()) + ")" if records else "Keine Zielobjekte mit Risikoanalyse.",
        f"Gefährdungen: {len(every)}, bewertet {rated}, offen {len(every) - rated}; "
        f"Analysen offen: {len(risks.open_objects)}",
        "Risiken nach Kategorie: " + ", ".join(f"{c} {counts[c]}" for c in _CATEGORIES)
        + f" ({matrix_text(risks.matrix.source)})",
        "",
        "Zielobjekte",
    ]
    if records:
        out.append(format_table(
            [[r["object"], r["name"], ", ".join(r["reasons"]), r["threats"], r["rated"], r["open"],
              *(r[c] for c in _CATEGORIES), r["untreated"], r["residual_unaccepted"], r["status"]] for r in records],
            ["Zielobjekt", "Name", "Grund", "Gefährdungen", "bewertet", "offen", *_CATEGORIES, "unbehandelt",
             "Restrisiko offen", "Stand"], wrap=40, optional=[11, 9, 8, 1, 3, 4, 7, 6]))
    else:
        out.append("  keine")
    out += ["", "Unbehandelte hohe Risiken (hoch/sehr hoch ohne Behandlung)"]
    if risks.untreated:
        out.append(format_table(
            [[r.object, r.threat, r.title, r.category, r.frequency, r.impact] for r in risks.untreated],
            ["Zielobjekt", "Gefährdung", "Titel", "Kategorie", "Häufigkeit", "Auswirkung"], wrap=60,
            optional=[4, 5]))
    else:
        out.append("  keine")
    out += ["", "Hohe Restrisiken ohne Übernahme durch die Leitung (BSI 200-3 Risikobehandlung, RISK.1.9)"]
    if risks.residual_unaccepted:
        out.append(format_table(
            [[r.object, r.threat, r.title, r.treatment, r.category, _residual(r)] for r in risks.residual_unaccepted],
            ["Zielobjekt", "Gefährdung", "Titel", "Behandlung", "Risiko", "Restrisiko"], wrap=60))
    else:
        out.append("  keine")
    out += _warnings(risks)
    return "\n".join(out)


def matrix_text(source: str) -> str:
    """Where the risk matrix comes from, in German.

    >>> matrix_text("default"), matrix_text("assessment.yaml")
    ('Risikomatrix: Beispiel aus BSI-Standard 200-3', 'Risikomatrix: eigene aus assessment.yaml')
    """
    if source == "default":
        return "Risikomatrix: Beispiel aus BSI-Standard 200-3"
    return f"Risikomatrix: eigene aus {source}"


def render_risk_object(entry) -> str:
    """The German view of one object's risk analysis (``grundschutz risk --object ID``)."""
    f = entry.flagged
    out = [f"{f.object} – {f.name}", f"Risikoanalyse: {f.why}", f"Stand: {entry.status}", ""]
    if entry.risks:
        out.append(format_table(
            [[r.threat, r.title, r.source, r.frequency, r.impact, r.category, r.treatment,
              _residual(r), r.status] for r in entry.risks],
            ["Gefährdung", "Titel", "Quelle", "Häufigkeit", "Auswirkung", "Kategorie", "Behandlung", "Restrisiko",
             "Status"], wrap=50, optional=[2, 3, 4]))
    else:
        out.append("  Keine verknüpfte elementare Gefährdung: relevante elementare und eigene Gefährdungen in "
                   "risks.csv eintragen.")
    if entry.proposed:
        out += ["", "Kein passender Baustein: alle elementaren Gefährdungen sind vorgeschlagen; jede bewerten oder "
                    "in risks.csv mit 'relevant' nein und Begründung ausschließen."]
    notes = [r for r in entry.risks if r.note or r.accepted_by]
    if notes:
        out += ["", "Anmerkungen"]
        for r in notes:
            when = f" am {r.accepted_on.strftime('%d.%m.%Y')}" if r.accepted_on else ""
            accepted = f" (übernommen von: {r.accepted_by}{when})" if r.accepted_by else ""
            out.append(f"  {r.threat}: {r.note}{accepted}")
    return "\n".join(out)


def _residual(r) -> str:
    if r.residual_category is None:
        return "nicht bewertet" if r.treatment is not None else ""
    return f"{r.residual_category} ({r.residual_frequency}/{r.residual_impact})"


def _warnings(risks) -> list[str]:
    if not risks.warnings:
        return []
    return ["", "Hinweise", *(f"  {w}" for w in risks.warnings)]


def render_plan(name: str, result, records) -> str:
    """The German work plan of ``grundschutz plan``: counts per group, then ``records`` (the first items)."""
    counts = result.counts()
    out = [f"Arbeitsplan (Realisierungsplan): {name}",
           f"{len(result)} offene Aufgaben: " + ", ".join(f"{n}. {GROUPS[n]} {counts[GROUPS[n]]}" for n in GROUPS)]
    if result.scenarios:
        out.append("Szenarien: " + "; ".join(f"{scenario} ({', '.join(apps) or 'keine Anwendungen'})"
                                             for scenario, apps in result.scenarios.items()))
    out.append("")
    if records:
        out.append(format_table(
            [[r["rank"], r["group_title"], r["object"], r["subject"], r["title"], r["reason"]] for r in records],
            ["Nr.", "Gruppe", "Zielobjekt", "Gegenstand", "Aufgabe", "Warum hier"], wrap=50, optional=[3, 1]))
    else:
        out.append("  keine offene Arbeit")
    if len(records) < len(result):
        out += ["", f"… {len(result) - len(records)} weitere Einträge (--limit 0 zeigt alle)."]
    return "\n".join(out)
