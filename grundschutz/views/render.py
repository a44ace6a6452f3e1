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
from grundschutz.model import BASIC_VALUES, ObjectType
from grundschutz.views.summary import Summary


#: ``width`` of :func:`format_table` when not given: the width of the output (:func:`output_width`).
TERMINAL = object()
#: A column is never narrowed below this (unless its content is narrower).
MIN_COLUMN = 6
#: Words up to this length are kept whole when a column is narrowed (ids such as ``SYS.2.2.3.A12``).
KEEP_WORD = 14
#: Before optional columns are left out, words up to this length are kept whole.
KEEP_WHOLE = 30


def output_width() -> int | None:
    """The width text output should fit: ``$COLUMNS``, else the terminal's width when standard
    output is a terminal, else ``None`` (no limit: a file or a pipe gets the whole lines)."""
    import os
    import shutil
    import sys

    value = os.environ.get("COLUMNS", "").strip()
    if value.isdigit() and int(value) > 0:
        return int(value)
    try:
        if sys.stdout is not None and sys.stdout.isatty():
            return shutil.get_terminal_size().columns
    except (AttributeError, ValueError, OSError):
        pass
    return None


def fill(text: str, indent: int = 0, width: int | None | object = TERMINAL, limit: int = 100) -> str:
    """``text`` wrapped to the output width (at most ``limit`` characters), every line indented.

    >>> print(fill("Alternierende Teleheimarbeit für bis zu 40 Beschäftigte", 2, width=30))
      Alternierende Teleheimarbeit
      für bis zu 40 Beschäftigte
    """
    import textwrap

    available = output_width() if width is TERMINAL else width
    size = min(limit, available) if available else limit
    prefix = " " * indent
    lines = []
    for paragraph in text.split("\n"):
        lines += textwrap.wrap(paragraph, max(size - indent, 20), break_on_hyphens=False) or [""]
    return "\n".join(prefix + line if line else "" for line in lines)


def fit_lines(text: str, width: int | None | object = TERMINAL) -> str:
    """``text`` with every line longer than ``width`` (default: :func:`output_width`) wrapped at
    spaces; the continuation keeps the line's indentation plus two spaces. Tables from
    :func:`format_table` already fit and pass unchanged.

    >>> print(fit_lines("  Begründung: Ausfall einen Tag tragbar", width=24))
      Begründung: Ausfall
        einen Tag tragbar
    """
    import textwrap

    limit = output_width() if width is TERMINAL else width
    if not limit:
        return text
    out = []
    for line in text.split("\n"):
        if len(line) <= limit:
            out.append(line)
            continue
        indent = len(line) - len(line.lstrip(" "))
        room = max(limit - indent - 2, 20)
        parts = textwrap.wrap(line.strip(), room + 2, break_on_hyphens=False) or [""]
        head = parts[0]
        rest = textwrap.wrap(" ".join(parts[1:]), room, break_on_hyphens=False) if len(parts) > 1 else []
        out.append(" " * indent + head)
        out += [" " * (indent + 2) + part for part in rest]
    return "\n".join(out)


def format_table(rows: Iterable[Sequence[object]], header: Sequence[str], wrap: int | None = None, *,
                 width: int | None | object = TERMINAL, optional: Sequence[int] = (), indent: int = 0) -> str:
    """An aligned plain-text table that fits ``width`` characters.

    Cells longer than ``wrap`` characters wrap onto more lines. When the
    table is wider than ``width`` (default: :func:`output_width`; ``None``:
    no limit), the widest columns are narrowed and their cells wrapped, down
    at word boundaries; if that is not enough, the columns ``optional``
    (indices, the last one first) are left out, and then words longer than
    :data:`KEEP_WORD` characters are broken (no column narrower than
    :data:`MIN_COLUMN`). ``indent`` spaces precede
    every line (and count towards the width).

    >>> print(format_table([["SRV-01", "hoch"]], ["Zielobjekt", "Verfügbarkeit"]))
    Zielobjekt  Verfügbarkeit
    ----------  -------------
    SRV-01      hoch
    >>> print(format_table([["IV", "ISMS.1, ORP.1, ORP.2"]], ["Zielobjekt", "Bausteine"], wrap=14))
    Zielobjekt  Bausteine
    ----------  --------------
    IV          ISMS.1, ORP.1,
                ORP.2
    >>> print(format_table([["APP-01", "Einwohnermeldewesen mit Auskunftssperren", "x"]],
    ...                    ["Zielobjekt", "Beschreibung", "Notiz"], width=36, optional=[2]))
    Zielobjekt  Beschreibung
    ----------  ------------------------
    APP-01      Einwohnermeldewesen mit
                Auskunftssperren
    """
    cells = [[_cell(c) for c in row] for row in rows]
    header = list(header)
    limit = output_width() if width is TERMINAL else width
    columns = [[row[i] if i < len(row) else "" for row in cells] for i in range(len(header))]
    natural = [_natural_width(h, column, wrap) for h, column in zip(header, columns)]
    shown = list(range(len(header)))
    widths = dict(zip(shown, natural))
    if limit:
        available = limit - indent
        dropping = [i for i in reversed(list(optional)) if 0 <= i < len(header)]
        # narrow at word boundaries; then leave out optional columns; then break long words
        for keep in (KEEP_WHOLE, KEEP_WORD):
            while True:
                room = available - 2 * (len(shown) - 1)
                widths = _fit({i: natural[i] for i in shown},
                              {i: _narrowest(header[i], columns[i], natural[i], keep) for i in shown}, room)
                if sum(widths.values()) <= room or not dropping:
                    break
                shown.remove(dropping.pop(0))
            if sum(widths.values()) <= available - 2 * (len(shown) - 1):
                break
    prefix = " " * indent
    head = [_wrapped(header[i], widths[i]) for i in shown]
    lines = [prefix + "  ".join(part.ljust(widths[i]) for i, part in zip(shown, parts)).rstrip()
             for parts in _stack(head)]
    lines.append(prefix + "  ".join("-" * widths[i] for i in shown))
    for row in cells:
        split = [_wrapped(row[i] if i < len(row) else "", widths[i]) for i in shown]
        lines += [prefix + "  ".join(part.ljust(widths[i]) for i, part in zip(shown, parts)).rstrip()
                  for parts in _stack(split)]
    return "\n".join(lines)


def _natural_width(title: str, column: Sequence[str], wrap: int | None) -> int:
    """The width a column takes without a limit: its longest line once cells are wrapped at ``wrap``."""
    if wrap:
        longest = max((len(line) for cell in column for line in _wrapped(cell, wrap)), default=0)
    else:
        longest = max((len(line) for cell in column for line in cell.split("\n")), default=0)
    return max(len(title), longest)


def _narrowest(title: str, column: Sequence[str], natural: int, keep: int) -> int:
    """How narrow a column may get: its longest word up to ``keep``, at least :data:`MIN_COLUMN`."""
    words = [len(w) for cell in [title, *column] for w in cell.split()]
    return min(natural, max(MIN_COLUMN, min(max(words, default=0), keep)))


def _fit(widths: dict[int, int], narrowest: dict[int, int], available: int) -> dict[int, int]:
    """Narrow the widest columns, one character at a time, until the sum fits ``available``."""
    widths = dict(widths)
    excess = sum(widths.values()) - available
    while excess > 0:
        candidates = [i for i in widths if widths[i] > narrowest[i]]
        if not candidates:
            break
        widest = max(candidates, key=lambda i: (widths[i] - narrowest[i] > 0, widths[i], -i))
        widths[widest] -= 1
        excess -= 1
    return widths


def _wrapped(text: str, width: int) -> list[str]:
    import textwrap

    lines: list[str] = []
    for paragraph in text.split("\n"):
        if len(paragraph) <= width:
            lines.append(paragraph)
        else:
            lines += textwrap.wrap(paragraph, width, break_on_hyphens=False) or [""]
    return lines or [""]


def _stack(columns: list[list[str]]) -> list[list[str]]:
    height = max((len(parts) for parts in columns), default=1)
    return [[parts[k] if k < len(parts) else "" for parts in columns] for k in range(height)]


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


def decimal(value: float | int | None, digits: int = 1) -> str:
    """A number as Germans write it: decimal comma, ``digits`` places for a float.

    >>> decimal(4.56), decimal(12), decimal(None)
    ('4,6', '12', '')
    """
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.{digits}f}".replace(".", ",")
    return str(value)


def german_date(value: object) -> str:
    """A date (or ISO date text) as TT.MM.JJJJ; anything else unchanged as text.

    >>> german_date("2024-09-30"), german_date(""), german_date("offen")
    ('30.09.2024', '', 'offen')
    """
    import datetime

    from grundschutz.views.html import german_date as iso_to_german

    if isinstance(value, datetime.date):
        return value.strftime("%d.%m.%Y")
    return iso_to_german(value)


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return decimal(value)
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
        format_table([[ObjectType(t).label, n] for t, n in summary.per_type.items()], ["Typ", "Anzahl"]),
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
        + (f"; umgesetzt {decimal(data['implemented_percent'])} %" if data["implemented_percent"] is not None
           else ""),
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
