"""Presenting results as German text, aligned tables, CSV and JSON.

Nothing here computes: it turns results of the library into what a person
reads on a terminal or a program reads from standard output.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from itertools import islice

from grundschutz.method.explanation import explain_text
from grundschutz.method.propagation import Propagation
from grundschutz.model import BASIC_VALUES
from grundschutz.views.summary import Summary


def format_table(rows: Iterable[Sequence[object]], header: Sequence[str], wrap: int | None = None) -> str:
    """An aligned plain-text table; with ``wrap``, longer cells wrap onto more lines.

    >>> print(format_table([["SRV-01", "hoch"]], ["Zielobjekt", "Verfügbarkeit"]))
    Zielobjekt  Verfügbarkeit
    ----------  -------------
    SRV-01      hoch
    >>> print(format_table([["IV", "ISMS.1, ORP.1, ORP.2"]], ["Zielobjekt", "Bausteine"], wrap=14))
    Zielobjekt  Bausteine
    ----------  --------------
    IV          ISMS.1, ORP.1,
                ORP.2
    """
    import textwrap

    lines_of_rows = []
    for row in rows:
        cells = [_cell(c) for c in row]
        split = [textwrap.wrap(c, wrap) or [""] if wrap and len(c) > wrap else [c] for c in cells]
        height = max(len(parts) for parts in split)
        lines_of_rows += [[parts[i] if i < len(parts) else "" for parts in split] for i in range(height)]
    widths = [len(h) for h in header]
    for row in lines_of_rows:
        for i, cell in enumerate(row):
            widths[i] = max(widths[i], len(cell))
    lines = [
        "  ".join(h.ljust(w) for h, w in zip(header, widths)).rstrip(),
        "  ".join("-" * w for w in widths),
    ]
    lines += ["  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in lines_of_rows]
    return "\n".join(lines)


def to_csv(records: Sequence[Mapping[str, object]], columns: Sequence[str] | None = None) -> str:
    """Records as CSV text (comma-separated, header row, ``\\n`` line ends)."""
    columns = list(columns or (records[0].keys() if records else []))
    out = io.StringIO()
    writer = csv.DictWriter(out, columns, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for record in records:
        writer.writerow({k: _csv_value(record.get(k)) for k in columns})
    return out.getvalue()


def csv_chunks(rows: Iterable[Sequence[object]], header: Sequence[str], size: int = 20_000) -> Iterator[str]:
    """Rows (already in their CSV form: strings, numbers) as CSV text like :func:`to_csv`'s, ``size`` rows
    at a time, so that a large table is written while it is made, never held as one string.

    >>> list(csv_chunks([("A", 1), ("B", "x,y")], ("object", "count"), size=1))
    ['object,count\\nA,1\\n', 'B,"x,y"\\n']
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    rows = iter(rows)
    while True:
        writer.writerows(islice(rows, size))
        text = out.getvalue()
        if not text:
            return
        yield text
        out.seek(0)
        out.truncate()


def to_json(data: object) -> str:
    """Data as indented JSON with German characters kept readable."""
    return json.dumps(data, ensure_ascii=False, indent=2, default=str)


def _csv_value(value: object) -> object:
    if isinstance(value, bool):
        return "ja" if value else ""
    if isinstance(value, list | tuple):
        return ";".join(map(str, value))
    return value


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return ", ".join(map(str, value))
    return str(value)


_VALUE_LABELS = {v.value: v.label for v in BASIC_VALUES}


def render_summary(summary: Summary) -> str:
    """The German summary of ``grundschutz assess``."""
    out = [
        f"Schutzbedarfsfeststellung: {summary.name}",
        f"{summary.objects} Zielobjekte, {summary.dependencies} Abhängigkeiten, "
        f"{summary.overrides} manuell gesetzte Werte",
        "",
        "Zielobjekte nach Typ",
        format_table(sorted(summary.per_type.items()), ["Typ", "Anzahl"]),
        "",
        "Schutzbedarf nach Grundwert",
    ]
    levels = list(next(iter(summary.per_level.values())).keys())
    out.append(
        format_table(
            [[_VALUE_LABELS[v], *counts.values()] for v, counts in summary.per_level.items()],
            ["Grundwert", *levels],
        )
    )
    out += ["", "Offene Arbeit (nicht bewertet)"]
    if any(summary.unrated.values()):
        out.append(
            format_table(
                [[_VALUE_LABELS[v], len(ids), _shorten(ids)] for v, ids in summary.unrated.items() if ids],
                ["Grundwert", "Anzahl", "Zielobjekte"],
            )
        )
    else:
        out.append("  keine: jedes Zielobjekt hat in jedem Grundwert einen Schutzbedarf")
    provisional = {v: ids for v, ids in summary.provisional.items() if ids}
    if provisional:
        out += ["", "Vorläufig (abgeleitet, aber mit noch nicht bewerteten Zulieferern)"]
        out.append(
            format_table(
                [[_VALUE_LABELS[v], len(ids), _shorten(ids)] for v, ids in provisional.items()],
                ["Grundwert", "Anzahl", "Zielobjekte"],
            )
        )
    out += ["", "Zyklen"]
    out += [f"  {' <-> '.join(c)}" for c in summary.cycles] or ["  keine"]
    out += ["", "Kumulationseffekt angewendet"]
    out.append(_events(summary.cumulations) if summary.cumulations else "  keiner")
    out += ["", "Kandidaten für den Kumulationseffekt (knapp unter der Schwelle, bitte beurteilen)"]
    out.append(_events(summary.candidates) if summary.candidates else "  keine")
    out += ["", "Verteilungseffekt angewendet"]
    if summary.distributions:
        out.append(
            format_table(
                [
                    [d["object"], _VALUE_LABELS[d["basic_value"]], d["without"], d["level"], d["via"]]
                    for d in summary.distributions
                ],
                ["Zielobjekt", "Grundwert", "ohne Verteilung", "Ergebnis", "über Redundanz von"],
            )
        )
    else:
        out.append("  keiner")
    out += ["", "Keine Verteilung: gemeinsame Abhängigkeit aller Mitglieder einer Redundanzgruppe"]
    if summary.shared:
        out.append(
            format_table(
                [
                    [d["object"], _VALUE_LABELS[d["basic_value"]], d["lowered"], d["level"],
                     f"{d['dependent']}: {d['group']} ({', '.join(d['members'])})"]
                    for d in summary.shared
                ],
                ["Zielobjekt", "Grundwert", "mit Verteilung", "Ergebnis", "Redundanzgruppe"],
            )
        )
    else:
        out.append("  keine")
    out += ["", "Abweichungen vom Maximumprinzip"]
    if summary.deviations:
        out.append(
            format_table(
                [
                    [d["object"], _VALUE_LABELS[d["basic_value"]], d["computed"], d["level"], _clip(d["reason"])]
                    for d in summary.deviations
                ],
                ["Zielobjekt", "Grundwert", "Maximumprinzip", "gesetzt", "Begründung"],
            )
        )
    else:
        out.append("  keine")
    return "\n".join(out)


def render_catalog_summary(data: Mapping[str, object]) -> str:
    """The German section on Modellierung, Anforderungen and IT-Grundschutz-Check."""
    out = ["Modellierung und IT-Grundschutz-Check"]
    if "note" in data:
        return "\n".join(out + [f"  nicht berechnet: {data['note']}"])
    levels = data["requirements"]
    out += [
        f"  Variante: {data['variant']}",
        f"  Zielobjekte mit Bausteinen: {data['objects_with_bausteine']} "
        f"({data['assignments']} Zuordnungen), über den Informationsverbund abgedeckt: {data['objects_covered']}",
        f"  ohne passenden Baustein (Risikoanalyse nötig): {_shorten(data['objects_without_baustein']) or 'keine'}",
        f"  Anforderungen: {sum(levels.values())} (B {levels['B']}, S {levels['S']}, H {levels['H']})"
        + (f", {data['undecided']} H-Anforderungen offen wegen fehlender Bewertung" if data["undecided"] else ""),
        "  IT-Grundschutz-Check: " + ", ".join(f"{k} {v}" for k, v in data["check"].items())
        + (f"; umgesetzt {data['implemented_percent']} %" if data["implemented_percent"] is not None else ""),
    ]
    return "\n".join(out)


def _events(events: list[dict[str, object]]) -> str:
    return format_table(
        [
            [
                e["object"],
                _VALUE_LABELS[e["basic_value"]],
                e["rule"],
                f"{e['dependents']} von {e['threshold']} (mind. {e['at_level']})",
                e["before"] or "nicht bewertet",
                e["raise_to"],
            ]
            for e in events
        ],
        ["Zielobjekt", "Grundwert", "Regel", "Abhängige", "vorher", "Ziel"],
    )


def _clip(text: str, limit: int = 70) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _shorten(ids: Sequence[str], limit: int = 8) -> str:
    shown = ", ".join(ids[:limit])
    return shown + (f" … (+{len(ids) - limit})" if len(ids) > limit else "")


def explanation_records(result: Propagation, object_id: str) -> list[dict[str, object]]:
    """One record per basic value explaining an object's final value."""
    records = []
    for value, d in result.derivations(object_id).items():
        records.append(
            {
                "object": object_id,
                "basic_value": value.value,
                "level": d.level.label if d.level else "",
                "rule": d.rule.value if d.rule else "",
                "source": d.origin or "",
                "path": list(d.path) if d.level else [],
                "reason": d.reason,
                "computed": d.computed.label if d.computed else "",
                "deviation": d.deviation,
                "provisional": d.provisional,
                "text": explain_text(result, d),
            }
        )
    return records


def render_explanation(result: Propagation, object_id: str) -> str:
    """Why an object has the needs it has, per basic value, in German."""
    obj = result.assessment.object(object_id)
    title = f"{obj.id} – {obj.name} ({obj.type.label}" + (f", {obj.count} Stück" if obj.count > 1 else "") + ")"
    out = [title]
    for value, d in result.derivations(object_id).items():
        out += ["", f"{value.label}: {d.level.label if d.level else 'nicht bewertet'}"]
        out += [f"  {line}" for line in explain_text(result, d).split("\n")]
    return "\n".join(out)


def render_validation(analysis) -> str:
    """What ``grundschutz validate`` found valid, in German: the counts, the files read, the catalog checks."""
    a = analysis.assessment
    needs = sum(len(n) for n in a.needs.values())
    overrides = sum(len(o) for o in a.overrides.values())
    lines = [f"Bewertung gültig: {len(a.objects)} Zielobjekte, {len(a.dependencies)} Abhängigkeiten, {needs} "
             f"festgestellte und {overrides} manuell gesetzte Schutzbedarfswerte."]
    optional = [f"{label} {len(rows)}" for label, rows in (
        ("Modellierungsänderungen", a.modelling_changes), ("Check-Einträge", a.check_records),
        ("Risikobewertungen", a.risk_records)) if rows]
    if a.scenarios:
        optional.append(f"Szenarien {len(a.scenarios)} ({', '.join(a.scenarios)})")
    if optional:
        lines.append("Außerdem geprüft: " + ", ".join(optional) + ".")
    if analysis.catalog is not None:
        lines.append("Gegen den Katalog geprüft: Bausteine, Anforderungen und Gefährdungen.")
    else:
        lines.append(f"Nicht gegen den Katalog geprüft: {analysis.catalog_note or 'kein Katalog angegeben'}")
    return "\n".join(lines)
