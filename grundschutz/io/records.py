"""The optional tables of an assessment: ``modelling.csv``, ``check.csv``, ``risks.csv``, ``relevance.csv``.

Each parser checks everything that can be checked without the BSI catalog
(columns, object ids, words of the scales, dates, rules between columns,
duplicate rows) and returns the rows as records of :mod:`grundschutz.model.records`;
problems are appended to the list passed in, with file, row, column and value.
What needs the catalog (does the Baustein, the requirement, the threat exist;
is the requirement selected for the object) is checked by the step of the
method that uses the rows.
"""

from __future__ import annotations

from collections.abc import Callable, Container, Mapping

from grundschutz.io.tables import column_problems
from grundschutz.io.text import Table
from grundschutz.io.values import parse_date
from grundschutz.model.errors import Problem
from grundschutz.model.ids import THREAT_ID, normalise_requirement_id, normalise_threat_id
from grundschutz.model.records import CheckRecord, ModellingChange, RelevanceDecision, RiskRecord, Status
from grundschutz.model.scales import Frequency, Impact, Treatment

#: Required and optional columns of the optional tables.
COLUMNS: Mapping[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "modelling": (("object", "baustein", "action"), ("reason",)),
    "check": (("object", "requirement", "status"), ("note", "responsible", "due", "checked_on")),
    "relevance": (("object", "control", "relevant"), ("reason",)),
    "risks": (("object", "threat"), ("title", "relevant", "frequency", "impact", "treatment", "note",
                                     "accepted_by", "accepted_on", "residual_frequency", "residual_impact")),
}
ACTIONS = {"add": "add", "hinzufügen": "add", "hinzufuegen": "add", "remove": "remove", "entfernen": "remove"}
#: The words of the columns ``relevant`` (any case); in ``risks.csv`` an empty cell is ``ja``.
YES_NO = {"ja": True, "nein": False}
RELEVANT = {"": True, **YES_NO}



class _AnyObject:
    """Stands for every object id where the ids are not known (yet)."""

    def __contains__(self, item: object) -> bool:
        return True


#: Every object id: for rows whose objects are checked later (scenario check
#: rows) or cannot be checked (the objects table itself is broken).
ANY_OBJECT: Container[str] = _AnyObject()
#: Reports a problem of the current row: ``bad(column, value, message)``.
Bad = Callable[[str | None, str | None, str], None]


def table_problems(name: str, table: Table) -> list[Problem]:
    """Problems of the header of optional table ``name``: empty file, missing, unknown or doubled columns."""
    required, optional = COLUMNS[name]
    return column_problems(table, required, optional)


def _rows(name: str, table: Table, problems: list[Problem]):
    """``(row number, row, bad)`` for every row of a table whose header is fine."""
    header = table_problems(name, table)
    problems.extend(header)
    if any(p.row is None for p in header):  # no usable header: the rows cannot be read
        return
    for number, row in table.rows:

        def bad(column: str | None, value: str | None, message: str, number: int = number) -> None:
            problems.append(Problem(table.file, number, column, value, message))

        if "\0extra" in row:
            bad(None, row["\0extra"], "mehr Zellen als Spalten in der Kopfzeile")
        yield number, row, bad


def _once(seen: dict[tuple[str, str], int], key: tuple[str, str], number: int, bad: Bad, column: str,
          value: str) -> None:
    """Report a second row for the same object and id (``key``); remember the row of the first."""
    if not (key[0] and value):
        return
    if key in seen:
        bad(column, value, f"doppelte Zeile für {key[0]}/{key[1]} (bereits in Zeile {seen[key]})")
    else:
        seen[key] = number


def _object(row: Mapping[str, str], objects: Container[str], bad: Bad) -> bool:
    object_id = row["object"]
    if not object_id or object_id not in objects:
        bad("object", object_id, "unbekannte Objekt-ID" if object_id else "leere Objekt-ID")
        return False
    return True


def modelling_changes(table: Table, objects: Container[str], problems: list[Problem]) -> tuple[ModellingChange, ...]:
    """The rows of ``modelling.csv``: ``object,baustein,action,reason``.

    ``objects``: the ids an assessment knows (its objects and the
    Informationsverbund). ``action`` is ``add``/``hinzufügen`` or
    ``remove``/``entfernen``; a removal needs a reason.
    """
    changes: list[ModellingChange] = []
    seen: dict[tuple[str, str], int] = {}
    for number, row, bad in _rows("modelling", table, problems):
        found = len(problems)
        object_id, baustein, reason = row["object"], row["baustein"], row.get("reason", "")
        _object(row, objects, bad)
        if not baustein:
            bad("baustein", "", "leere Baustein-ID")
        action = ACTIONS.get(row["action"].strip().lower())
        if action is None:
            bad("action", row["action"], "unbekannte Aktion (erlaubt: add, remove bzw. hinzufügen, entfernen)")
        elif action == "remove" and not reason:
            bad("reason", "", "Entfernen eines Bausteins braucht eine Begründung")
        _once(seen, (object_id, baustein), number, bad, "baustein", baustein)
        if len(problems) == found:
            changes.append(ModellingChange(object_id, baustein, action, reason, number, table.file))
    return tuple(changes)


def relevance_decisions(table: Table, objects: Container[str],
                        problems: list[Problem]) -> tuple[RelevanceDecision, ...]:
    """The rows of ``relevance.csv`` (Grundschutz++): ``object,control,relevant,reason``.

    ``object`` is ``IV`` (the whole Informationsverbund) or a business
    process; ``relevant`` ``ja`` or ``nein``; ``nein`` needs the reason
    (Methodik STM.2.1.5: struck requirements are documented with a reason).
    An object and control may appear once. Whether the control exists, has
    no Zielobjekt-Kategorie and the object is a process is checked by the
    control selection.
    """
    decisions: list[RelevanceDecision] = []
    seen: dict[tuple[str, str], int] = {}
    for number, row, bad in _rows("relevance", table, problems):
        found = len(problems)
        object_id, control, reason = row["object"], row["control"].strip(), row.get("reason", "")
        _object(row, objects, bad)
        if not control:
            bad("control", "", "leere Control-ID")
        relevant = YES_NO.get(row["relevant"].strip().lower())
        if relevant is None:
            bad("relevant", row["relevant"], "unbekannter Wert (erlaubt: ja, nein)")
        elif not relevant and not reason:
            bad("reason", "", "nicht relevant ('nein') braucht eine Begründung (Methodik STM.2.1.5)")
        _once(seen, (object_id, control), number, bad, "control", control)
        if len(problems) == found:
            decisions.append(RelevanceDecision(object_id, control, bool(relevant), reason, number, table.file))
    return tuple(decisions)


def check_records(table: Table, objects: Container[str], problems: list[Problem]) -> tuple[CheckRecord, ...]:
    """The rows of ``check.csv``: ``object,requirement,status,note,responsible,due,checked_on``.

    ``entbehrlich`` needs a reason in ``note``; dates are ``TT.MM.JJJJ`` or
    ``JJJJ-MM-TT``; an object and requirement may appear once.
    """
    records: list[CheckRecord] = []
    seen: dict[tuple[str, str], int] = {}
    for number, row, bad in _rows("check", table, problems):
        found = len(problems)
        object_id, written = row["object"], row["requirement"]
        _object(row, objects, bad)
        requirement = normalise_requirement_id(written)
        if not written:
            bad("requirement", written, "leere Anforderungs-ID")
        status = None
        try:
            status = Status.parse(row["status"])
        except ValueError as exc:
            bad("status", row["status"], str(exc))
        if status is Status.ENTBEHRLICH and not row.get("note"):
            bad("note", "", "Status 'entbehrlich' braucht eine Begründung in 'note'")
        dates = {}
        for column in ("due", "checked_on"):
            if row.get(column):
                try:
                    dates[column] = parse_date(row[column])
                except ValueError as exc:
                    bad(column, row[column], str(exc))
        _once(seen, (object_id, requirement), number, bad, "requirement", written)
        if len(problems) == found:
            records.append(CheckRecord(object_id, requirement, status, row.get("note", ""),
                                       row.get("responsible", ""), dates.get("due"), dates.get("checked_on"),
                                       number, table.file, written))
    return tuple(records)


_SCALES = (("frequency", Frequency), ("impact", Impact), ("treatment", Treatment),
           ("residual_frequency", Frequency), ("residual_impact", Impact))


def risk_records(table: Table, objects: Container[str], problems: list[Problem]) -> tuple[RiskRecord, ...]:
    """The rows of ``risks.csv`` (see ``docs/format.md``): a threat of an object, rated and treated.

    ``threat`` is ``G 0.n`` (any spelling) or an own id, which needs a
    ``title``. Frequency and impact come as a pair, as do the residual ones,
    which need a treatment and may not be above the rating. ``akzeptieren``
    needs a reason in ``note`` and who accepted in ``accepted_by``; after
    another treatment ``accepted_by`` names who took over the residual risk;
    ``accepted_on`` is the date of either. ``relevant`` ``nein`` rules the
    threat out of the overview, with the reason in ``note`` and no rating.
    """
    records: list[RiskRecord] = []
    seen: dict[tuple[str, str], int] = {}
    for number, raw, bad in _rows("risks", table, problems):
        found = len(problems)
        row = {c: raw.get(c, "") for c in (*COLUMNS["risks"][0], *COLUMNS["risks"][1])}
        object_id, written = row["object"], row["threat"]
        if not object_id:
            bad("object", "", "leere Objekt-ID")
        elif object_id not in objects:
            bad("object", object_id, "unbekannte Objekt-ID")
        threat, elementary = written, False
        if not written:
            bad("threat", "", "leere Gefährdungs-ID")
        elif THREAT_ID.match(written.upper().strip()):
            threat, elementary = normalise_threat_id(written.upper()) or written, True
        elif not row["title"]:
            bad("title", "", f"eigene Gefährdung '{written}' braucht einen Titel in 'title'")
        parsed: dict[str, object] = {}
        for column, scale in _SCALES:
            parsed[column] = None
            if row[column]:
                try:
                    parsed[column] = scale.parse(row[column])
                except ValueError as exc:
                    bad(column, row[column], str(exc))
        rated = _pair(row, "frequency", "impact", "Häufigkeit", "Auswirkung", bad)
        residual = _pair(row, "residual_frequency", "residual_impact", "Rest-Häufigkeit", "Rest-Auswirkung", bad)
        treatment = parsed["treatment"]
        if row["treatment"] and not rated:
            bad("treatment", row["treatment"], "Behandlung ohne Bewertung: zuerst Häufigkeit und Auswirkung angeben")
        if treatment is Treatment.AKZEPTIEREN:
            if not row["note"]:
                bad("note", "", "Risikoübernahme ('akzeptieren') braucht eine Begründung in 'note'")
            if not row["accepted_by"]:
                bad("accepted_by", "", "Risikoübernahme ('akzeptieren') braucht in 'accepted_by', wer das Risiko "
                                       "übernommen hat")
        elif row["accepted_by"] and not row["treatment"]:
            bad("accepted_by", row["accepted_by"], "'accepted_by' braucht eine Behandlung: wer das Risiko trägt, "
                                                   "übernimmt es ('akzeptieren') oder das Restrisiko nach "
                                                   "'reduzieren', 'transferieren' oder 'vermeiden'")
        accepted_on = None
        if row["accepted_on"]:
            try:
                accepted_on = parse_date(row["accepted_on"])
            except ValueError as exc:
                bad("accepted_on", row["accepted_on"], str(exc))
            if not row["accepted_by"]:
                bad("accepted_on", row["accepted_on"], "Datum der Übernahme ohne 'accepted_by' (wer hat das "
                                                       "Risiko übernommen?)")
        relevant = RELEVANT.get(row["relevant"].strip().lower())
        if relevant is None:
            bad("relevant", row["relevant"], "unbekannter Wert (erlaubt: ja, nein; leer = ja)")
        elif not relevant:
            if not row["note"]:
                bad("note", "", "Gefährdung als nicht relevant ausgeschlossen ('relevant' nein): Begründung in "
                                "'note' angeben")
            given = [c for c in ("frequency", "impact", "treatment", "accepted_by", "residual_frequency",
                                 "residual_impact") if row[c]]
            if given:
                bad(given[0], row[given[0]], "Gefährdung ist als nicht relevant ausgeschlossen ('relevant' nein): "
                                             "keine Bewertung und keine Behandlung angeben")
        if residual and not row["treatment"]:
            bad("residual_frequency", row["residual_frequency"],
                "Restrisiko ohne Behandlung: zuerst 'treatment' angeben")
        for column, base, word in (("residual_frequency", "frequency", "Häufigkeit"),
                                   ("residual_impact", "impact", "Auswirkung")):
            if parsed[column] is not None and parsed[base] is not None and parsed[column] > parsed[base]:
                bad(column, row[column], f"Rest-{word} höher als die {word} ohne Behandlung ({parsed[base]})")
        _once(seen, (object_id, threat), number, bad, "threat", written)
        if len(problems) == found:
            records.append(RiskRecord(
                object_id, threat, elementary, row["title"], parsed["frequency"], parsed["impact"], treatment,
                row["note"], row["accepted_by"], parsed["residual_frequency"], parsed["residual_impact"], number,
                table.file, written, accepted_on, relevant is not False))
    return tuple(records)


def _pair(row: Mapping[str, str], first: str, second: str, first_word: str, second_word: str, bad: Bad) -> bool:
    """Both or neither of two columns; True when both are given."""
    if row[first] and not row[second]:
        bad(second, "", f"{second_word} fehlt ({first_word} ist angegeben)")
    elif row[second] and not row[first]:
        bad(first, "", f"{first_word} fehlt ({second_word} ist angegeben)")
    return bool(row[first] and row[second])
