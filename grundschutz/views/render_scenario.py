"""The German reports of ``grundschutz scenario DIR NAME`` and ``grundschutz diff OLD NEW``."""

from __future__ import annotations

from collections.abc import Sequence

from grundschutz.views.render import fill, format_table, german_date
from grundschutz.views.scenario_tables import blocking_records


#: Blocking requirements listed with their titles per application before "… und N weitere".
SHOWN_BLOCKERS = 6
_HEADLINES = {"bereit": "bereit", "risikoanalyse": "nicht vor einer Risikoanalyse"}


def _table(rows: Sequence[Sequence[object]], header: Sequence[str], wrap: int | None = 70,
           optional: Sequence[int] = ()) -> str:
    return format_table(rows, header, wrap, indent=2, optional=optional)


def _indent(text: str, spaces: int) -> str:
    return "\n".join(" " * spaces + line for line in text.split("\n"))


def _blockers_to_show(blockers: list, limit: int = SHOWN_BLOCKERS) -> list:
    """At most ``limit`` blockers: each object's first ones in turn, Basis before Standard before H."""
    order = {"B": 0, "S": 1, "H": 2}
    by_object: dict[str, list] = {}
    for b in sorted(blockers, key=lambda b: order.get(b.level, 3)):
        by_object.setdefault(b.object, []).append(b)
    chosen: list = []
    while len(chosen) < limit and any(by_object.values()):
        for queue in by_object.values():
            if queue and len(chosen) < limit:
                chosen.append(queue.pop(0))
    return chosen


def render_answer(result) -> str:
    """The one-screen answer of a scenario: the verdict per application, the risk analyses
    needed, and the blocking requirements with their titles (per group of applications they
    hold up, the first :data:`SHOWN_BLOCKERS`)."""
    s = result.scenario
    after = result.result.assessment.objects
    out = [f"Szenario {s.name}: {result.baseline.assessment.settings.name or result.baseline.path}"]
    if s.description:
        out.append(fill(s.description, 2, limit=90))
    out += ["", "Antwort je Anwendung"]
    rows = []
    for v in result.verdicts:
        if v.verdict == "bereit-sobald":
            count = len(v.requirements)
            headline = f"bereit, sobald {count} Anforderung{'' if count == 1 else 'en'} umgesetzt " + \
                       ("ist" if count == 1 else "sind")
        elif v.verdict == "risikoanalyse":
            headline = f"erst nach Risikoanalyse für {', '.join(v.risk_objects)}"
        else:
            headline = _HEADLINES.get(v.verdict, v.text)
        rows.append([v.application, v.name, headline, len(v.requirements)])
    out.append(_table(rows, ["Anwendung", "Name", "Urteil", "blockiert durch"], wrap=60, optional=[3]))
    if result.risk_analyses:
        out += ["", "Nötige Risikoanalysen (BSI-Standard 200-3)"]
        for r in result.risk_analyses:
            name = after[r.object].name if r.object in after else r.object
            out.append(f"  {r.object} {name}" + (f" – hält auf: {', '.join(r.applications)}" if r.applications
                                                   else f" ({r.why_new})"))
    groups: dict[tuple[str, ...], list] = {}
    for b in result.blocking:
        groups.setdefault(tuple(b.applications), []).append(b)
    if groups:
        out += ["", "Blockierende Anforderungen (nicht ja/entbehrlich)"]
    for applications, blockers in groups.items():
        held = ", ".join(applications) or "keine Anwendung des Szenarios (neues Zielobjekt)"
        per_object = ", ".join(f"{o} ({n})" for o, n in _count_by_object(blockers).items())
        out.append(f"  hält {held} auf: {len(blockers)} Anforderung{'' if len(blockers) == 1 else 'en'} "
                   f"an {per_object}")
        for b in _blockers_to_show(blockers):
            out.append(f"    {b.requirement} ({b.level}) {b.title} – {b.object}, {b.status}")
        if len(blockers) > SHOWN_BLOCKERS:
            out.append(f"    … und {len(blockers) - SHOWN_BLOCKERS} weitere (--details zeigt alle)")
    if not result.include_baseline and any(v.baseline_open for v in result.verdicts):
        out += ["", fill("Nur Anforderungen, die das Szenario neu auswählt; was im Umfeld einer Anwendung schon "
                         "ohne das Szenario offen ist, zählt --include-baseline mit.", 2, limit=90)]
    return "\n".join(out)


def _count_by_object(blockers: list) -> dict[str, int]:
    counts: dict[str, int] = {}
    for b in blockers:
        counts[b.object] = counts.get(b.object, 0) + 1
    return counts


def render_scenario(result, details: bool = False) -> str:
    """The German report of ``grundschutz scenario DIR NAME``: the answer per application
    (:func:`render_answer`), with ``details`` every change and blocking requirement."""
    out = [render_answer(result)]
    if not details:
        out += ["", "Einzelheiten (Schutzbedarf, Bausteine, Anforderungen, Risikoanalysen): --details"]
        return "\n".join(out + _modelling_warnings(result))
    after = result.result.assessment.objects
    out += ["", "Urteil je Anwendung"]
    counted = ("alle offenen Anforderungen im Umfeld" if result.include_baseline else
               "nur Anforderungen, die das Szenario neu auswählt; 'schon offen' zählt die Anforderungen im Umfeld "
               "der Anwendung, die im Grundschutz-Check auch ohne das Szenario offen sind (--include-baseline "
               "zählt sie mit)")
    rows = [[v.application, v.name, v.text] + ([] if result.include_baseline else [v.baseline_open])
            for v in result.verdicts]
    header = ["Anwendung", "Name", "Urteil"] + ([] if result.include_baseline else ["schon offen"])
    out.append(_table(rows, header, wrap=80))
    out.append(fill(f"Gezählt: {counted}.", 2, limit=90))

    out += ["", "Geänderter Schutzbedarf"]
    if not result.needs:
        out.append("  keiner")
    current = None
    for n in result.needs:
        if n.object != current:
            current = n.object
            out.append(f"  {n.object} – {after[n.object].name}" + (" (neu)" if n.new_object else ""))
        before = n.before.label if n.before else ("—" if n.new_object else "nicht bewertet")
        out.append(f"    {n.basic_value.label}: {before} → {n.after.label if n.after else 'nicht bewertet'}")
        out.append(_indent(n.explanation, 6))

    out += ["", "Bausteine hinzugefügt"]
    out.append(_table([[b.object, b.baustein, b.title, b.reason] for b in result.bausteine_added],
                      ["Zielobjekt", "Baustein", "Titel", "Begründung"], wrap=50)
               if result.bausteine_added else "  keine")
    if result.bausteine_removed:
        out += ["", "Bausteine entfallen"]
        out.append(_table([[b.object, b.baustein, b.title, b.reason] for b in result.bausteine_removed],
                          ["Zielobjekt", "Baustein", "Titel", "Begründung"], wrap=50))

    out += ["", "Anforderungen hinzugefügt (je Zielobjekt und Baustein)"]
    groups: dict[tuple[str, str], dict[str, int]] = {}
    for r in result.requirements_added:
        counts = groups.setdefault((r.object, r.baustein), {"B": 0, "S": 0, "H": 0})
        counts[r.level] += 1
    out.append(_table([[o, b, c["B"], c["S"], c["H"], sum(c.values())] for (o, b), c in groups.items()],
                      ["Zielobjekt", "Baustein", "B", "S", "H", "gesamt"]) if groups else "  keine")
    if result.requirements_removed:
        out += ["", "Anforderungen entfallen (je Zielobjekt und Baustein)"]
        dropped: dict[tuple[str, str], dict[str, object]] = {}
        for r in result.requirements_removed:
            entry = dropped.setdefault((r.object, r.baustein), {"B": 0, "S": 0, "H": 0, "reasons": []})
            entry[r.level] += 1
            if r.reason not in entry["reasons"]:
                entry["reasons"].append(r.reason)
        out.append(_table([[o, b, e["B"], e["S"], e["H"], e["B"] + e["S"] + e["H"], "; ".join(e["reasons"])]
                           for (o, b), e in dropped.items()],
                          ["Zielobjekt", "Baustein", "B", "S", "H", "gesamt", "Grund"], wrap=60))

    out += ["", "Blockierende Anforderungen (nicht ja/entbehrlich), je Zielobjekt"]
    records = blocking_records(result)
    if not records:
        out.append("  keine")
    current = None
    for r in records:
        if r["object"] != current:
            current = r["object"]
            out.append(f"  {r['object']} – {r['name']}")
        apps = ", ".join(r["applications"]) or "keine Anwendung des Szenarios (neues Zielobjekt)"
        out.append(f"    {r['requirement']} ({r['level']}) {r['title']} – {r['status']}"
                   + (f", zuständig: {r['responsible']}" if r["responsible"] else "")
                   + (f", fällig {german_date(r['due'])}" if r["due"] else "") + f" – hält auf: {apps}")

    out += ["", "Risikoanalysen, die das Szenario nötig macht (BSI-Standard 200-3)"]
    out.append(_table([[r.object, after[r.object].name, r.why_new, "; ".join(r.reasons),
                        ", ".join(r.applications) or "–"] for r in result.risk_analyses],
                      ["Zielobjekt", "Name", "neu", "Grund", "hält auf"], wrap=45)
               if result.risk_analyses else "  keine")
    return "\n".join(out + _modelling_warnings(result))


def _modelling_warnings(result) -> list[str]:
    """The lines on entries under ``bausteine`` of the scenario that change nothing (shown with or without details)."""
    warnings = getattr(result.result.modelling, "warnings", ())
    if not warnings:
        return []
    return ["", "Hinweise zur Modellierung (Einträge unter bausteine, die nichts ändern)",
            *(fill(str(w), 2, limit=110) for w in warnings)]


def render_diff(diff) -> str:
    """The German report of ``grundschutz diff OLD NEW``."""
    out = [f"Unterschiede: {diff.old_label} → {diff.new_label}"]
    if diff.empty:
        return out[0] + "\n  keine Unterschiede"

    def section(title: str, rows: list, header: list[str], wrap: int | None = 60) -> None:
        out.extend(["", title, _table(rows, header, wrap) if rows else "  keine"])

    section("Zielobjekte hinzugefügt", [[o.id, o.type.label, o.name, o.count] for o in diff.objects_added],
            ["Zielobjekt", "Typ", "Name", "Anzahl"])
    section("Zielobjekte entfernt", [[o.id, o.type.label, o.name, o.count] for o in diff.objects_removed],
            ["Zielobjekt", "Typ", "Name", "Anzahl"])
    section("Zielobjekte geändert", [[c.object, c.field, c.old, c.new] for c in diff.objects_changed],
            ["Zielobjekt", "Feld", "alt", "neu"], 40)
    section("Abhängigkeiten hinzugefügt", [[d.source, d.target, d.redundancy_group, d.note]
                                           for d in diff.dependencies_added],
            ["Zielobjekt", "hängt ab von", "Redundanzgruppe", "Notiz"])
    section("Abhängigkeiten entfernt", [[d.source, d.target, d.redundancy_group, d.note]
                                        for d in diff.dependencies_removed],
            ["Zielobjekt", "hängt ab von", "Redundanzgruppe", "Notiz"])
    out += ["", "Schutzbedarf geändert"]
    if not diff.needs_changed:
        out.append("  keiner")
    for n in diff.needs_changed:
        old = n.old.label if n.old else "nicht bewertet"
        out.append(f"  {n.object} {n.basic_value.label}: {old} → {n.new.label if n.new else 'nicht bewertet'}")
        out.append(_indent(n.explanation, 4))
    section("Bausteine hinzugefügt", [list(b) for b in diff.bausteine_added], ["Zielobjekt", "Baustein", "Titel"])
    section("Bausteine entfallen", [list(b) for b in diff.bausteine_dropped], ["Zielobjekt", "Baustein", "Titel"])
    section("Anforderungen hinzugefügt", [list(r) for r in diff.requirements_added],
            ["Zielobjekt", "Anforderung", "Titel"])
    section("Anforderungen entfallen", [list(r) for r in diff.requirements_dropped],
            ["Zielobjekt", "Anforderung", "Titel"])
    section("Statusänderungen im IT-Grundschutz-Check",
            [[s.object, s.requirement, s.old, s.new, s.note] for s in diff.status_changes],
            ["Zielobjekt", "Anforderung", "alt", "neu", "Notiz"], 50)
    return "\n".join(out)

