"""Presenting catalog entries (Bausteine, requirements, threats) in German."""

from __future__ import annotations

import textwrap

from grundschutz.views.render import format_table

_LEVEL_WORDS = {"B": "Basis", "S": "Standard", "H": "erhöhter Schutzbedarf"}


def catalog_item_record(item, kompendium) -> dict[str, object]:
    """A catalog entry as plain data (for JSON and CSV)."""
    kind = type(item).__name__.lower()
    record: dict[str, object] = {"id": item.id, "kind": kind, "title": getattr(item, "title", "")}
    if kind == "baustein":
        record.update(
            layer=item.layer, order=item.order, target_type=item.target_type, roles=list(item.roles),
            description=item.description,
            requirements=[_requirement_row(kompendium.requirement(r)) for r in item.requirement_ids],
        )
    elif kind == "requirement":
        record.update(
            baustein=item.baustein, level=item.level, withdrawn=item.withdrawn, roles=list(item.roles),
            cia="".join(sorted(item.cia, key="CIA".index)), threats=list(item.threats), text=item.text,
        )
    elif kind == "threat":
        record.update(text=item.text)
    return record


def _requirement_row(requirement) -> dict[str, object]:
    return {
        "id": requirement.id,
        "level": requirement.level,
        "title": requirement.title,
        "cia": "".join(sorted(requirement.cia, key="CIA".index)),
        "withdrawn": requirement.withdrawn,
    }


def render_catalog_item(item, kompendium) -> str:
    """A Baustein, requirement or elementary threat as German text."""
    record = catalog_item_record(item, kompendium)
    kind = record["kind"]
    out = [f"{item.id} {record['title']}"]
    if kind == "baustein":
        out.append(
            f"Schicht {record['layer']}, Reihenfolge {record['order'] or '-'}, "
            f"Zielobjekttyp {record['target_type'] or '-'}"
        )
        if record["roles"]:
            out.append(f"Rollen: {', '.join(record['roles'])}")
        if record["description"]:
            out += ["", textwrap.fill(str(record["description"]), 88)]
        rows = [
            [r["id"], r["level"], r["cia"], r["title"] + (" (ENTFALLEN)" if r["withdrawn"] else "")]
            for r in record["requirements"]
        ]
        out += ["", "Anforderungen", format_table(rows, ["Anforderung", "Stufe", "CIA", "Titel"])]
    elif kind == "requirement":
        level = _LEVEL_WORDS.get(str(record["level"]), str(record["level"]))
        out.append(f"Baustein {record['baustein']}, {level}" + (", ENTFALLEN" if record["withdrawn"] else ""))
        if record["roles"]:
            out.append(f"Zuständig: {', '.join(record['roles'])}")
        if record["cia"]:
            out.append(f"Grundwerte (KRT): {record['cia']}")
        if record["threats"]:
            titles = [f"{t} {kompendium.threat(t).title}" for t in record["threats"]]
            out.append("Elementare Gefährdungen (KRT): " + "; ".join(titles))
        out += ["", *(textwrap.fill(p, 88) for p in str(record["text"]).split("\n") if p.strip())]
    else:
        out += ["", textwrap.fill(str(record.get("text", "")), 88)]
    return "\n".join(out)


def search_records(hits) -> list[dict[str, object]]:
    """Search hits as plain records."""
    return [{"id": h.id, "kind": h.kind, "title": h.title, "snippet": h.snippet} for h in hits]


_KIND_WORDS = {"baustein": "Baustein", "requirement": "Anforderung", "threat": "Gefährdung", "control": "Anforderung (GS++)"}


def render_search(hits) -> str:
    """Search hits as a German table."""
    if not hits:
        return "Keine Treffer."
    return format_table(
        [[h.id, _KIND_WORDS.get(h.kind, h.kind), h.title] for h in hits], ["ID", "Art", "Titel"]
    )
