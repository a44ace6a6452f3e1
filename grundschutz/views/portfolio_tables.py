"""The portfolio of a provider as records, DataFrames, German text and JSON.

``by="object"``: one record per shared object (the inherited need per basic
value, its maximum over the municipalities, who set it, the cumulation
across clients); ``by="client"``: one record per shared object and
municipality (the municipality's own need of it and where it comes from).
:func:`render_portfolio` is what ``grundschutz portfolio`` prints,
:func:`portfolio_data` what ``--format json`` writes.
"""

from __future__ import annotations

from collections.abc import Sequence

from grundschutz.method.portfolio import ClientCumulation, ClientSummary, InheritedValue, Portfolio
from grundschutz.model import BASIC_VALUES, Level
from grundschutz.views.render import format_table

BY = ("object", "client")
_PROBLEMS_SHOWN = 3


def _label(level: Level | None) -> str:
    return level.label if level is not None else ""


def _driver_text(value: InheritedValue) -> str:
    """``Stadt Haan: APP-01 (+2)``: the first municipality at the maximum, its origin, how many more."""
    if not value.drivers:
        return ""
    first = value.drivers[0]
    more = f" (+{len(value.drivers) - 1})" if len(value.drivers) > 1 else ""
    return f"{first.client_name}: {first.origin or first.object}{more}"


def portfolio_records(portfolio: Portfolio, by: str = "object") -> list[dict[str, object]]:
    """The portfolio as plain records (see the module docstring for ``by``).

    ``by="object"`` columns: ``object, name, type, clients``, then per basic
    value ``<value>`` (inherited level), ``<value>_maximum`` (highest level of
    a municipality), ``<value>_by`` (who set it) and ``<value>_cumulation``
    (the rule across clients that raised it). ``by="client"`` columns:
    ``object, name, client, client_name, client_objects``, then per basic
    value ``<value>``, ``<value>_origin``, ``<value>_reason`` and
    ``<value>_at_maximum``.
    """
    if by not in BY:
        raise ValueError(f"by: '{by}' gibt es nicht (erlaubt: {', '.join(BY)})")
    records: list[dict[str, object]] = []
    for shared in portfolio.objects:
        if by == "object":
            record: dict[str, object] = {"object": shared.id, "name": shared.name, "type": shared.type,
                                         "clients": len(shared.clients)}
            for value in shared.values:
                v = value.basic_value.value
                record[v] = _label(value.level)
                record[f"{v}_maximum"] = _label(value.maximum)
                record[f"{v}_by"] = _driver_text(value)
                record[f"{v}_cumulation"] = value.cumulation.rule.name if value.cumulation else ""
            records.append(record)
            continue
        for use in shared.clients:
            record = {"object": shared.id, "name": shared.name, "client": use.client, "client_name": use.client_name,
                      "client_objects": ";".join(use.objects)}
            for value in BASIC_VALUES:
                need, v = use.need(value), value.value
                record[v] = _label(need.level)
                record[f"{v}_origin"] = need.origin
                record[f"{v}_reason"] = need.reason
                record[f"{v}_at_maximum"] = need.level is not None and need.level == shared.value(value).maximum
            records.append(record)
    return records


def portfolio_frame(portfolio: Portfolio, by: str = "object"):
    """:func:`portfolio_records` as a DataFrame (levels as ordered categoricals ``normal < hoch < sehr hoch``),
    indexed by object (``by="object"``) or by object and client (``by="client"``)."""
    import pandas as pd

    frame = pd.DataFrame.from_records(portfolio_records(portfolio, by))
    if frame.empty:
        return frame
    dtype = pd.CategoricalDtype([level.label for level in Level], ordered=True)
    for value in BASIC_VALUES:
        for column in (value.value, f"{value.value}_maximum"):
            if column in frame:
                frame[column] = frame[column].replace("", None).astype(dtype)
    return frame.set_index(["object"] if by == "object" else ["object", "client"])


# --------------------------------------------------------------------------- JSON


def _cumulation_data(c: ClientCumulation) -> dict[str, object]:
    return {"object": c.object, "basic_value": c.basic_value.value, "rule": c.rule.name,
            "threshold": c.rule.min_dependents, "at_level": c.rule.at_level.label, "count": c.count,
            "clients": list(c.client_names), "before": _label(c.before), "raise_to": c.rule.raise_to.label}


def _excluded_data(summary: ClientSummary) -> dict[str, object]:
    return {"folder": summary.source, "name": summary.name, "problems": [str(p) for p in summary.problems]}


def portfolio_data(portfolio: Portfolio) -> dict[str, object]:
    """The whole portfolio as plain data for JSON: provider, counts, every shared object with its
    municipalities, the cumulations and candidates, excluded folders and notes."""
    objects = []
    for shared in portfolio.objects:
        values = {}
        for value in shared.values:
            values[value.basic_value.value] = {
                "level": _label(value.level), "maximum": _label(value.maximum), "rated": value.rated,
                "drivers": [{"client": d.client_name, "folder": d.client, "object": d.object, "origin": d.origin,
                             "origin_name": d.origin_name, "reason": d.reason} for d in value.drivers],
                "cumulation": _cumulation_data(value.cumulation) if value.cumulation else None,
            }
        clients = [{"client": u.client_name, "folder": u.client, "objects": list(u.objects),
                    "needs": {v.value: {"level": _label(u.need(v).level), "origin": u.need(v).origin,
                                        "reason": u.need(v).reason} for v in BASIC_VALUES}}
                   for u in shared.clients]
        objects.append({"object": shared.id, "name": shared.name, "type": shared.type, "values": values,
                        "clients": clients})
    return {
        "provider": {"id": portfolio.provider, "name": portfolio.provider_name, "folder": portfolio.provider_source},
        "counts": counts(portfolio),
        "objects": objects,
        "cumulations": [_cumulation_data(c) for c in portfolio.cumulations],
        "candidates": [_cumulation_data(c) for c in portfolio.candidates],
        "excluded": [_excluded_data(s) for s in portfolio.excluded],
        "notes": [str(n) for n in portfolio.notes],
    }


def counts(portfolio: Portfolio) -> dict[str, int]:
    """How many assessments were read, use the provider, were excluded; how many objects are shared."""
    return {"read": len(portfolio.clients) + len(portfolio.excluded), "users": len(portfolio.users),
            "excluded": len(portfolio.excluded), "shared_objects": len(portfolio.objects)}


# --------------------------------------------------------------------------- text


def _municipalities(n: int) -> str:
    return f"{n} Kommune" if n == 1 else f"{n} Kommunen"


def headline(portfolio: Portfolio) -> str:
    """One German sentence: what was read and what the results include."""
    c = counts(portfolio)
    text = (f"{c['read']} Bewertungen gelesen: {_municipalities(c['users'])} nutzen {c['shared_objects']} "
            f"gemeinsame Zielobjekte von {portfolio.provider}")
    if c["excluded"]:
        text += f"; {c['excluded']} mit Fehlern nicht berücksichtigt (die Ergebnisse schließen sie aus)"
    return text + "."


def excluded_lines(excluded: Sequence[ClientSummary]) -> list[str]:
    """Each excluded folder with its first problems, in German."""
    lines = []
    for summary in excluded:
        more = len(summary.problems) - _PROBLEMS_SHOWN
        lines.append(f"  {summary.source}: {len(summary.problems)} Fehler")
        lines += [f"    {p}" for p in summary.problems[:_PROBLEMS_SHOWN]]
        if more > 0:
            lines.append(f"    … (+{more} weitere; grundschutz validate {summary.source})")
    return lines


def _cumulation_rows(events: Sequence[ClientCumulation], candidates: bool) -> list[list[object]]:
    return [[c.object, c.basic_value.label, c.rule.name,
             f"{c.count} (Schwelle {c.rule.min_dependents}, mind. {c.rule.at_level.label})",
             _label(c.before) or "nicht bewertet", c.rule.raise_to.label if candidates else _label(c.after)]
            for c in events]


def render_portfolio(portfolio: Portfolio) -> str:
    """The German text of ``grundschutz portfolio``: the shared objects with their inherited needs,
    who sets them, the cumulation across clients, excluded folders and notes."""
    out = [f"Portfolio: {portfolio.provider_name} (Anbieter {portfolio.provider}, {portfolio.provider_source})",
           headline(portfolio), ""]
    if portfolio.objects:
        out.append("Geerbter Schutzbedarf je gemeinsamem Zielobjekt (Maximum über die Kommunen; "
                   "* = durch Kumulationseffekt über Kommunen angehoben)")
        rows = [[s.id, s.name, len(s.clients),
                 *(_label(v.level) + ("*" if v.cumulation else "") or "nicht bewertet" for v in s.values)]
                for s in portfolio.objects]
        out.append(format_table(rows, ["Zielobjekt", "Name", "Kommunen", *(v.label for v in BASIC_VALUES)], 40,
                                optional=[2, 1]))
        out += ["", "Wer den höchsten Wert setzt (Kommune: Zielobjekt, von dem der Wert stammt)"]
        rows = [[s.id, v.basic_value.label, _label(v.maximum), _driver_text(v), v.drivers[0].reason]
                for s in portfolio.objects for v in s.values if v.drivers]
        out.append(format_table(rows, ["Zielobjekt", "Grundwert", "höchster Wert", "gesetzt von", "Begründung"],
                                50))
    else:
        out.append(f"Keine Kommune verweist auf ein Zielobjekt von {portfolio.provider} "
                   f"(Tag provider={portfolio.provider}:<Zielobjekt> in objects.csv).")
    if portfolio.cumulations:
        out += ["", "Kumulationseffekt über Kommunen angewendet"]
        out.append(format_table(_cumulation_rows(portfolio.cumulations, False),
                                ["Zielobjekt", "Grundwert", "Regel", "Kommunen", "vorher", "nachher"]))
    if portfolio.candidates:
        out += ["", "Kandidaten für den Kumulationseffekt über Kommunen (Schwelle knapp verfehlt)"]
        out.append(format_table(_cumulation_rows(portfolio.candidates, True),
                                ["Zielobjekt", "Grundwert", "Regel", "Kommunen", "derzeit", "Ziel"]))
    if portfolio.excluded:
        out += ["", f"Nicht berücksichtigt: {len(portfolio.excluded)} Bewertungen mit Fehlern"]
        out += excluded_lines(portfolio.excluded)
    if portfolio.notes:
        out += ["", "Hinweise (Verweise, die nicht oder nur einmal gezählt werden)"]
        out += [f"  {note}" for note in portfolio.notes]
    return "\n".join(out)
