"""Modellierung, requirements and the IT-Grundschutz-Check as rows and DataFrames.

The companion of :mod:`grundschutz.views.tables` for :mod:`grundschutz.method.modelling`
and :mod:`grundschutz.method.check`. ``*_records`` return plain lists of dicts (for
CSV/JSON output, no pandas needed); ``*_frame`` return pandas DataFrames with
ordered categoricals for levels (``B < S < H``) and statuses. pandas is
imported only when a frame is asked for.
"""

from __future__ import annotations

from collections.abc import Sequence

from grundschutz.method.check import Check, check_coverage
from grundschutz.method.modelling import Modelling
from grundschutz.method.selection import RequirementSelection
from grundschutz.model import STATUSES

REQUIREMENT_LEVELS = ("B", "S", "H")
GSPP_LEVELS = ("normal-SdT", "erhöht")


def _levels(selection: RequirementSelection) -> tuple[str, ...]:
    """The ordered level categories of the selection's edition."""
    return GSPP_LEVELS if selection.modelling.assessment.settings.edition == "grundschutz++" else REQUIREMENT_LEVELS
#: ``status`` of a modelling record.
MODELLING_STATUSES = ("zugeordnet", "entfernt", "abgedeckt", "ohne Baustein")


def modelling_records(modelling: Modelling) -> list[dict[str, object]]:
    """One record per object and Baustein, in modelling order.

    Columns: ``object, type, name, baustein, title, status, source, rule,
    reason, hint``. ``status`` is ``zugeordnet``, ``entfernt`` (removed by
    hand, with the reason), ``abgedeckt`` (no own Bausteine, covered, e.g. a
    process) or ``ohne Baustein`` (no fitting Baustein: risk analysis; the
    reason of an ``uncovered`` rule says why); ``source`` is ``regel`` or
    ``hand``. ``hint`` (on every row of the object) names the tags its name
    suggests and what they would add (:func:`modelling_hint`).
    """
    records = []
    for object_id, entry in modelling.objects.items():
        obj = entry.object
        head = {"object": object_id, "type": obj.type.value, "name": obj.name}
        hint = modelling_hint(entry)
        for a in entry.assignments:
            records.append({**head, "baustein": a.baustein, "title": a.title, "status": "zugeordnet",
                            "source": a.source, "rule": a.rule, "reason": a.reason, "hint": hint})
        for r in entry.removals:
            records.append({**head, "baustein": r.baustein, "title": r.title, "status": "entfernt",
                            "source": "hand", "rule": r.rule, "reason": r.reason, "hint": hint})
        if not entry.assignments:
            covered = bool(entry.covered)
            records.append({**head, "baustein": "", "title": "", "status": "abgedeckt" if covered else "ohne Baustein",
                            "source": "regel" if covered or entry.uncovered else "",
                            "rule": entry.covered_rule if covered else entry.uncovered_rule,
                            "reason": without_baustein_reason(entry), "hint": hint})
    return records


#: Why an object has no Baustein when no rule says so.
NO_BAUSTEIN = "kein passender Baustein: Risikoanalyse nach BSI-Standard 200-3"


def without_baustein_reason(entry) -> str:
    """The reason an object without Bausteine has none: the covering rule's, the
    ``uncovered`` rule's, else :data:`NO_BAUSTEIN`."""
    return entry.covered or entry.uncovered or NO_BAUSTEIN


def modelling_hint(entry) -> str:
    """The name hints of an object in German, ``; ``-separated (empty without any), e.g.
    ``Tag 'serverraum' (Name: 'serverraum') ergäbe INF.2``."""
    return "; ".join(h.text for h in getattr(entry, "hints", ()))


def modelling_overview_records(modelling: Modelling) -> list[dict[str, str]]:
    """One record per object: ``object, name, bausteine`` (``*`` = added by hand) and ``note`` (Bausteine
    removed, no Baustein and why, covered and by what, what its name suggests), as ``model`` shows it.

    A rule's reason is cut to its first clause here; :func:`modelling_records` keeps it whole.
    """
    by_object: dict[str, dict] = {}
    for r in modelling_records(modelling):
        entry = by_object.setdefault(r["object"], {"object": r["object"], "name": r["name"], "bausteine": [],
                                                   "note": [], "hint": r["hint"]})
        if r["status"] == "zugeordnet":
            entry["bausteine"].append(r["baustein"] + ("*" if r["source"] == "hand" else ""))
        elif r["status"] == "entfernt":
            entry["note"].append(f"ohne {r['baustein']} ({r['reason']})")
        elif r["status"] == "ohne Baustein":
            entry["note"].append(f"kein passender Baustein: Risikoanalyse nötig ({_clause(r['reason'])})"
                                 if r["rule"] else "kein passender Baustein: Risikoanalyse nötig")
        else:
            entry["note"].append("abgedeckt: " + _clause(r["reason"]))
    return [{"object": e["object"], "name": e["name"], "bausteine": ", ".join(e["bausteine"]),
             "note": "; ".join(e["note"] + ([f"Name passt zu: {e['hint']}"] if e["hint"] else []))}
            for e in by_object.values()]


def _clause(text: str) -> str:
    """The first clause of a rule's reason (up to the first '; ' or '. ').

    >>> _clause("Ein Server. Siehe Abgrenzung; mehr")
    'Ein Server'
    """
    cut = min((i for i in (text.find("; "), text.find(". ")) if i > 0), default=len(text))
    return text[:cut].rstrip(".")


def modelling_frame(modelling: Modelling):
    """:func:`modelling_records` as a DataFrame (``status`` categorical)."""
    import pandas as pd

    frame = pd.DataFrame.from_records(modelling_records(modelling),
                                      columns=["object", "type", "name", "baustein", "title", "status", "source",
                                               "rule", "reason", "hint"])
    frame["status"] = frame["status"].astype(pd.CategoricalDtype(MODELLING_STATUSES))
    return frame


def requirement_records(selection: RequirementSelection, undecided: bool = False) -> list[dict[str, object]]:
    """One record per object and selected requirement.

    Columns: ``object, baustein, requirement, level, title, cia, reason`` and
    ``selected``. With ``undecided=True`` the H requirements that cannot be
    decided (a named basic value is unrated) follow with ``selected`` false.
    """
    items = [(item, True) for item in selection.requirements]
    if undecided:
        items += [(item, False) for item in selection.undecided]
    return [
        {"object": i.object, "baustein": i.baustein, "requirement": i.requirement, "level": i.level,
         "title": i.title, "cia": i.cia, "reason": i.reason, "selected": chosen}
        for i, chosen in items
    ]


def requirement_frame(selection: RequirementSelection, undecided: bool = False):
    """:func:`requirement_records` as a DataFrame (``level`` ordered ``B < S < H``, or ``normal-SdT < erhöht``)."""
    import pandas as pd

    frame = pd.DataFrame.from_records(requirement_records(selection, undecided),
                                      columns=["object", "baustein", "requirement", "level", "title", "cia",
                                               "reason", "selected"])
    frame["level"] = frame["level"].astype(pd.CategoricalDtype(_levels(selection), ordered=True))
    return frame


def check_records(check: Check) -> list[dict[str, object]]:
    """One record per selected requirement with its check status.

    Columns: ``object, baustein, requirement, level, title, status, note,
    responsible, due, checked_on`` (dates as ISO text, ``""`` if not set).
    """
    return [
        {"object": e.object, "baustein": e.baustein, "requirement": e.requirement, "level": e.level,
         "title": e.title, "status": e.status.value, "note": e.note, "responsible": e.responsible,
         "due": e.due.isoformat() if e.due else "", "checked_on": e.checked_on.isoformat() if e.checked_on else ""}
        for e in check.entries
    ]


def check_frame(check: Check):
    """:func:`check_records` as a DataFrame; ``due``/``checked_on`` as datetimes."""
    import pandas as pd

    frame = pd.DataFrame.from_records(check_records(check),
                                      columns=["object", "baustein", "requirement", "level", "title", "status",
                                               "note", "responsible", "due", "checked_on"])
    frame["level"] = frame["level"].astype(pd.CategoricalDtype(_levels(check.selection), ordered=True))
    frame["status"] = frame["status"].astype(pd.CategoricalDtype(STATUSES))
    for column in ("due", "checked_on"):
        frame[column] = pd.to_datetime(frame[column].replace("", None), format="%Y-%m-%d")
    return frame


def coverage_records(check: Check, by: Sequence[str] = ("object",)) -> list[dict[str, object]]:
    """The coverage of :func:`~grundschutz.method.check.check_coverage` as records.

    Columns: the grouping columns of ``by``, then one count per status,
    ``total``, ``implemented`` (ja + entbehrlich) and ``percent`` (rounded
    to one decimal, ``None`` for an empty group).
    """
    records = []
    for row in check_coverage(check, by):
        record: dict[str, object] = {key: getattr(row, key) for key in by}
        record.update({status: getattr(row, status) for status in STATUSES})
        record.update(total=row.total, implemented=row.implemented,
                      percent=None if row.percent is None else round(row.percent, 1))
        records.append(record)
    return records


def coverage_frame(check: Check, by: Sequence[str] = ("object",)):
    """:func:`coverage_records` as a DataFrame indexed by the grouping columns."""
    import pandas as pd

    columns = [*by, *STATUSES, "total", "implemented", "percent"]
    frame = pd.DataFrame.from_records(coverage_records(check, by), columns=columns)
    return frame.set_index(list(by)) if by else frame
