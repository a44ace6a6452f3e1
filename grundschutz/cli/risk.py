"""``grundschutz risk`` and ``grundschutz plan``: the Risikoanalyse (BSI 200-3)
and the work plan on the command line.

Registered in :mod:`grundschutz.cli.app` with
``from grundschutz.cli.risk import plan, risk``. Warnings of ``risks.csv`` go to
standard error (for ``--format csv|json``) or to the section "Hinweise" of
the table output.
"""

from __future__ import annotations

import click

from grundschutz.cli.common import catalogs_option, echo_records, format_option, user_errors

ASSESSMENT = click.argument("assessment", type=click.Path(path_type=str))
_CATEGORIES = ("gering", "mittel", "hoch", "sehr hoch")


@click.command()
@ASSESSMENT
@click.option("--object", "object_id", metavar="ID", help="Nur dieses Zielobjekt, mit allen Gefährdungen.")
@catalogs_option
@format_option
@user_errors
def risk(assessment: str, object_id: str | None, catalogs: str | None, output_format: str) -> None:
    """Risikoanalyse nach BSI-Standard 200-3: which objects need one and why,
    threats rated and open, risks by category, untreated high risks.

    Ratings come from risks.csv in the assessment folder.
    """
    from grundschutz.method.analysis import analyse
    from grundschutz.views.render import to_json
    from grundschutz.method.risk import analyse_risks, risk_records, risk_summary_records

    analysis = analyse(assessment, catalogs)
    if object_id is not None and object_id not in analysis.modelling.objects:
        analysis.assessment.object(object_id)  # raises UnknownObjectError with the usual message
    risks = analyse_risks(analysis)
    entry = risks[object_id] if object_id is not None else None
    if output_format != "table":
        for warning in risks.warnings:
            click.echo(f"Hinweis: {warning}", err=True)
    if output_format == "csv":
        echo_records(risk_records(risks, object_id) if entry else risk_summary_records(risks), "csv")
    elif output_format == "json":
        if entry is not None:
            data = {"object": object_id, "reasons": list(entry.flagged.kinds), "why": entry.flagged.why,
                    "status": entry.status, "risks": risk_records(risks, object_id)}
        else:
            data = {"matrix": risks.matrix.source, "by_category": risks.by_category(),
                    "objects": risk_summary_records(risks),
                    "untreated": [r for r in risk_records(risks) if r["status"] == "unbehandelt"]}
        click.echo(to_json(data))
    elif entry is not None:
        click.echo(_render_object(entry))
    else:
        click.echo(_render_summary(analysis, risks))


def _render_summary(analysis, risks) -> str:
    from grundschutz.views.render import format_table
    from grundschutz.method.risk import FLAG_KINDS, risk_summary_records

    records = risk_summary_records(risks)
    kinds = {k: n for k in FLAG_KINDS if (n := sum(k in o.flagged.kinds for o in risks))}
    every = risks.risks
    rated = sum(r.rated for r in every)
    counts = risks.by_category()
    out = [
        f"Risikoanalyse (BSI-Standard 200-3): {analysis.assessment.settings.name}",
        f"{len(records)} Zielobjekte mit Risikoanalyse (Gründe: "
        + ", ".join(f"{k} {n}" for k, n in kinds.items()) + ")" if records else "Keine Zielobjekte mit Risikoanalyse.",
        f"Gefährdungen: {len(every)}, bewertet {rated}, offen {len(every) - rated}; "
        f"Analysen offen: {len(risks.open_objects)}",
        "Risiken nach Kategorie: " + ", ".join(f"{c} {counts[c]}" for c in _CATEGORIES)
        + f" (Matrix: {risks.matrix.source})",
        "",
        "Zielobjekte",
    ]
    if records:
        out.append(format_table(
            [[r["object"], r["name"], ", ".join(r["reasons"]), r["threats"], r["rated"], r["open"],
              *(r[c] for c in _CATEGORIES), r["untreated"], r["status"]] for r in records],
            ["Zielobjekt", "Name", "Grund", "Gefährdungen", "bewertet", "offen", *_CATEGORIES, "unbehandelt",
             "Stand"], wrap=40))
    else:
        out.append("  keine")
    out += ["", "Unbehandelte hohe Risiken (hoch/sehr hoch ohne Behandlung)"]
    if risks.untreated:
        out.append(format_table(
            [[r.object, r.threat, r.title, r.category, r.frequency, r.impact] for r in risks.untreated],
            ["Zielobjekt", "Gefährdung", "Titel", "Kategorie", "Häufigkeit", "Auswirkung"], wrap=60))
    else:
        out.append("  keine")
    out += _warnings(risks)
    return "\n".join(out)


def _render_object(entry) -> str:
    from grundschutz.views.render import format_table

    f = entry.flagged
    out = [f"{f.object} – {f.name}", f"Risikoanalyse: {f.why}", f"Stand: {entry.status}", ""]
    if entry.risks:
        out.append(format_table(
            [[r.threat, r.title, r.source, r.frequency, r.impact, r.category, r.treatment,
              _residual(r), r.status] for r in entry.risks],
            ["Gefährdung", "Titel", "Quelle", "Häufigkeit", "Auswirkung", "Kategorie", "Behandlung", "Restrisiko",
             "Status"], wrap=50))
    else:
        out.append("  Keine verknüpfte elementare Gefährdung (z. B. kein Baustein): relevante elementare und eigene "
                   "Gefährdungen in risks.csv eintragen.")
    notes = [r for r in entry.risks if r.note or r.accepted_by]
    if notes:
        out += ["", "Anmerkungen"]
        for r in notes:
            accepted = f" (übernommen von: {r.accepted_by})" if r.accepted_by else ""
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


@click.command()
@ASSESSMENT
@click.option("--limit", "-n", type=click.IntRange(min=0), default=50, show_default=True,
              help="Nur die ersten N Einträge (0 = alle).")
@catalogs_option
@format_option
@user_errors
def plan(assessment: str, limit: int, catalogs: str | None, output_format: str) -> None:
    """The work plan (Realisierungsplan): open work in the order to do it,
    each line with the reason for its place."""
    from grundschutz.method.analysis import analyse
    from grundschutz.method.plan import GROUPS, plan_records, work_plan
    from grundschutz.views.render import format_table

    analysis = analyse(assessment, catalogs)
    result = work_plan(analysis)
    records = plan_records(result, limit)
    if output_format != "table":
        for note in result.notes:
            click.echo(f"Hinweis: {note}", err=True)
        echo_records(records, output_format)
        return
    counts = result.counts()
    out = [f"Arbeitsplan (Realisierungsplan): {analysis.assessment.settings.name}",
           f"{len(result)} offene Aufgaben: " + ", ".join(f"{n}. {GROUPS[n]} {counts[GROUPS[n]]}" for n in GROUPS)]
    if result.scenarios:
        out.append("Szenarien: " + "; ".join(f"{name} ({', '.join(apps) or 'keine Anwendungen'})"
                                             for name, apps in result.scenarios.items()))
    out += [f"Hinweis: {note}" for note in result.notes]
    out.append("")
    if records:
        out.append(format_table(
            [[r["rank"], r["group_title"], r["object"], r["subject"], r["title"], r["reason"]] for r in records],
            ["Nr.", "Gruppe", "Zielobjekt", "Gegenstand", "Aufgabe", "Warum hier"], wrap=50))
    else:
        out.append("  keine offene Arbeit")
    if len(records) < len(result):
        out += ["", f"… {len(result) - len(records)} weitere Einträge (--limit 0 zeigt alle)."]
    click.echo("\n".join(out))
