"""How the edits of each sheet go into the assessment's CSV files (for :mod:`grundschutz.exchange.excel.importing`).

Each ``apply_<sheet>`` function checks the edited rows of one sheet as a
whole (e.g. a value set by hand needs an effect and a reason) and writes the
changed cells into the :class:`~grundschutz.io.csv_edit.CsvDocument` of its file:

- ``needs.csv``: the row without ``effect`` holds the assessed values; a value
  set by hand lives in a row with its effect. A new override goes into an
  existing row of the same object and effect where that value is free, else
  into a new row; an override row left without any value is removed.
- ``modelling.csv``: removing a Baustein a rule assigned adds a ``remove``
  row; removing a Baustein added by hand, or restoring a removed one, deletes
  that row; a new sheet row adds an ``add`` row.
- ``check.csv``: the row of the object and requirement is changed, or added.
- ``risks.csv``: the row of the object and threat is changed, or added.
"""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import date

from grundschutz.exchange.excel.layout import EFFECTS, Sheet
from grundschutz.model import BASIC_VALUES

_GERMAN_DATE = re.compile(r"^\d{1,2}\.\d{1,2}\.\d{4}$")

#: The words ``modelling.csv`` accepts in ``action`` (as :mod:`grundschutz.method.modelling` reads them).
_ACTIONS = {"add": "add", "hinzufügen": "add", "hinzufuegen": "add", "remove": "remove", "entfernen": "remove"}


def new_row_rule(name: str, analysis):
    """For sheet ``name``: a function of a row key that returns why a row
    that is not in the assessment cannot be imported (``None``: it is an addition)."""
    gspp = analysis.assessment.settings.edition == "grundschutz++"

    def unknown(key: tuple[str, ...]) -> str | None:
        return f"Zielobjekt '{key[0]}' gibt es in der Bewertung nicht; Zeile kann nicht zugeordnet werden"

    if name == "objects":
        return lambda key: (f"Zielobjekt '{key[0]}' gibt es in der Bewertung nicht; neue Zielobjekte bitte in "
                            "objects.csv anlegen")
    if name == "dependencies":
        return lambda key: (f"Abhängigkeit {key[0]} → {key[1]} gibt es in der Bewertung nicht; neue Abhängigkeiten "
                            "bitte in dependencies.csv anlegen")
    if name == "needs":
        return unknown
    if name == "check":
        def check(key: tuple[str, ...]) -> str:
            from grundschutz.catalog import normalise_requirement_id
            from grundschutz.method.check import not_selected_reason

            object_id, requirement = key[0], normalise_requirement_id(key[1])
            if object_id not in analysis.modelling.objects:
                return unknown(key)
            if not requirement:
                return "Anforderung fehlt; Zeile kann nicht zugeordnet werden"
            if gspp:
                return f"Control '{requirement}' ist für {object_id} nicht ausgewählt (oder gibt es nicht)"
            if requirement not in analysis.kompendium.requirements:
                return f"Anforderung '{key[1]}' gibt es im Kompendium nicht"
            why = not_selected_reason(analysis.selection, object_id, requirement, analysis.kompendium)
            return f"Anforderung {requirement} ist für {object_id} nicht ausgewählt ({why})"
        return check
    if name == "modelling":
        def modelling(key: tuple[str, ...]) -> str | None:
            object_id, baustein = key
            if object_id not in analysis.modelling.objects:
                return unknown(key)
            if gspp:
                return ("Grundschutz++ modelliert nur über die Regeln (gspp_modelling.yaml); eine Zuordnung von "
                        "Hand wird nicht übernommen")
            if not baustein:
                return "Baustein fehlt: für eine neue Zeile Zielobjekt und Baustein eintragen"
            if baustein not in analysis.kompendium.bausteine:
                hint = " (das ist eine Anforderung)" if baustein in analysis.kompendium.requirements else ""
                return f"Baustein '{baustein}' gibt es im Kompendium nicht{hint}"
            return None
        return modelling
    if name == "risks":
        from grundschutz.exchange.excel.sheets import risk_new_row_rule

        return risk_new_row_rule(analysis, unknown)
    raise KeyError(name)


# --------------------------------------------------------------------------- needs.csv


def apply_needs(ctx, sheet: Sheet, edited, analysis) -> None:
    """Assessed values, reasons and values set by hand -> ``needs.csv``."""
    doc = ctx.document("needs.csv")
    rows = defaultdict(list)
    for record in doc.rows():
        rows[doc.get(record, "object")].append(record)

    def is_override(record) -> bool:
        return bool(doc.get(record, "effect"))

    for e in edited:
        object_id = e.key[0]
        state = {**e.old, **e.new}
        found = len(ctx.problems)
        for value in BASIC_VALUES:  # only what was edited is checked: the rest is valid in needs.csv
            v = value.value
            override_keys = (f"{v}_override", f"{v}_effect", f"{v}_override_reason")
            if any(state[k] != e.old[k] for k in override_keys):
                _check_override(ctx, sheet, e, state, v)
            if (state[v], state[f"{v}_reason"]) != (e.old[v], e.old[f"{v}_reason"]) and not state[v] \
                    and state[f"{v}_reason"]:
                ctx.bad(e, sheet.column(f"{v}_reason"), state[f"{v}_reason"],
                        f"Begründung ohne festgestellten Schutzbedarf: bitte auch '{sheet.column(v).header}' "
                        "wählen oder die Begründung leeren")
        if len(ctx.problems) > found:
            continue
        assessed = [v.value for v in BASIC_VALUES
                    if (state[v.value], state[f"{v.value}_reason"]) != (e.old[v.value], e.old[f"{v.value}_reason"])]
        if assessed:
            record = next((r for r in rows[object_id] if not is_override(r)), None)
            if record is None:
                values = {"object": object_id}
                for value in BASIC_VALUES:
                    values[value.value] = state[value.value]
                    values[f"{value.value}_reason"] = state[f"{value.value}_reason"]
                rows[object_id].append(doc.append(values))
            else:
                for v in assessed:  # only what was edited: an untouched cell keeps its text
                    for key in (v, f"{v}_reason"):
                        if state[key] != e.old[key]:
                            doc.set(record, key, state[key])
        for value in BASIC_VALUES:
            v = value.value
            keys = (f"{v}_override", f"{v}_effect", f"{v}_override_reason")
            edited = [state[k] != e.old[k] for k in keys]
            if not any(edited):
                continue
            level, effect, reason = state[keys[0]], EFFECTS.get(state[keys[1]], ""), state[keys[2]]
            current = next((r for r in rows[object_id] if is_override(r) and doc.get(r, v)), None)
            if current is not None and not edited[2]:
                reason = _raw(doc, current, f"{v}_reason")  # moved to another row as it is written
            alone = current is not None and not any(doc.get(current, w.value) for w in BASIC_VALUES if w is not value)
            if current is not None and level and (doc.get(current, "effect").lower() == effect or alone):
                for changed, column, new in zip(edited, (v, "effect", f"{v}_reason"), (level, effect, reason)):
                    if changed:  # the row holds only this value: its effect changes in place
                        doc.set(current, column, new)
                continue
            if current is not None:
                doc.set(current, v, "")
                doc.set(current, f"{v}_reason", "")
                if not any(doc.get(current, w.value) for w in BASIC_VALUES):
                    doc.delete(current)
                    rows[object_id].remove(current)
            if level:
                target = next((r for r in rows[object_id]
                               if doc.get(r, "effect").lower() == effect and not doc.get(r, v)), None)
                if target is None:
                    rows[object_id].append(doc.append({"object": object_id, v: level, f"{v}_reason": reason,
                                                       "effect": effect}))
                else:
                    doc.set(target, v, level)
                    doc.set(target, f"{v}_reason", reason)
        ctx.record(sheet, e, "needs.csv")


def _raw(doc, record, column: str) -> str:
    """A cell of ``needs.csv`` exactly as the file holds it (line ends and spaces included)."""
    index = doc.column(column)
    return record.values[index] if index is not None and index < len(record.values) else ""


def _check_override(ctx, sheet: Sheet, e, state, v: str) -> None:
    """A value set by hand needs level, effect and reason, or none of them."""
    if state[f"{v}_override"]:
        if not state[f"{v}_effect"]:
            ctx.bad(e, sheet.column(f"{v}_effect"), "",
                    f"Effekt fehlt: ein manuell gesetzter Wert braucht einen Effekt ({', '.join(EFFECTS)})")
        if not state[f"{v}_override_reason"]:
            ctx.bad(e, sheet.column(f"{v}_override_reason"), "",
                    "Begründung fehlt: ein manuell gesetzter Wert braucht eine Begründung")
    elif state[f"{v}_effect"] or state[f"{v}_override_reason"]:
        ctx.bad(e, sheet.column(f"{v}_override"), "",
                "kein manuell gesetzter Wert, aber Effekt oder Begründung: Wert wählen, oder zum Entfernen "
                "auch Effekt und Begründung leeren")


# --------------------------------------------------------------------------- modelling.csv


def apply_modelling(ctx, sheet: Sheet, edited, analysis) -> None:
    """Bausteine removed or added by hand -> ``modelling.csv``."""
    doc = ctx.document("modelling.csv")
    index = {(doc.get(r, "object"), doc.get(r, "baustein")): r for r in doc.rows()}
    assignment, reason_column = sheet.column("assignment"), sheet.column("reason")
    checked = defaultdict(list)  # rows of check.csv per (object, Baustein)
    for entry in analysis.check.entries if analysis.check is not None else ():
        if entry.row is not None:
            checked[(entry.object, entry.baustein)].append(entry.row)

    def in_check(e, object_id: str, baustein: str) -> bool:
        found = checked.get((object_id, baustein))
        if found:
            ctx.bad(e, assignment, "entfernt",
                    f"{object_id} hat in check.csv {len(found)} "
                    f"{'Eintrag' if len(found) == 1 else 'Einträge'} zu {baustein} "
                    f"({'Zeile' if len(found) == 1 else 'Zeilen'} {_ranges(found)}); der Baustein kann erst "
                    "entfernt werden, wenn sie dort gelöscht sind")
        return bool(found)

    for e in edited:
        object_id, baustein = e.key
        new = e.new.get("assignment", "") or e.old.get("assignment", "") or "zugeordnet"
        e.new["assignment"] = new if baustein else e.new.get("assignment", "")
        reason = e.new.get("reason", e.old.get("reason", ""))
        if not baustein:
            ctx.bad(e, assignment, e.new.get("assignment", ""),
                    "Zeile ohne Baustein: für eine Zuordnung den Baustein eintragen")
            continue
        record = index.get((object_id, baustein))
        action = _ACTIONS.get(doc.get(record, "action").lower()) if record is not None else None
        if e.is_new:
            if new == "entfernt":
                ctx.bad(e, assignment, new, f"{baustein} ist {object_id} nicht zugeordnet und kann nicht entfernt werden")
                continue
            doc.append({"object": object_id, "baustein": baustein, "action": "add", "reason": reason})
        elif action is None:  # assigned by a rule
            if new == "entfernt" and not reason:
                ctx.bad(e, reason_column, "", "Entfernen eines Bausteins braucht eine Begründung von Hand")
                continue
            if new == "entfernt":
                if in_check(e, object_id, baustein):
                    continue
                doc.append({"object": object_id, "baustein": baustein, "action": "remove", "reason": reason})
            elif reason:
                ctx.bad(e, reason_column, reason, "Begründung von Hand gilt nur für entfernte oder von Hand "
                                                  "hinzugefügte Bausteine; für eine Regel-Zuordnung leer lassen")
                continue
        elif action == "add":
            if new == "entfernt":
                if in_check(e, object_id, baustein):
                    continue
                doc.delete(record)
            else:
                doc.set(record, "reason", reason)
        else:  # removed by hand
            if new == "zugeordnet":
                doc.delete(record)
            elif not reason:
                ctx.bad(e, reason_column, "", "Entfernen eines Bausteins braucht eine Begründung von Hand")
                continue
            else:
                doc.set(record, "reason", reason)
        ctx.record(sheet, e, "modelling.csv")


def _ranges(numbers: list[int]) -> str:
    """Row numbers as ranges.

    >>> _ranges([3, 4, 5, 9])
    '3–5, 9'
    """
    numbers = sorted(numbers)
    parts, start = [], numbers[0]
    for prev, cur in zip(numbers, numbers[1:] + [None]):
        if cur != prev + 1 if cur is not None else True:
            parts.append(f"{start}–{prev}" if prev != start else str(start))
            start = cur
    return ", ".join(parts)


# --------------------------------------------------------------------------- check.csv


def apply_check(ctx, sheet: Sheet, edited, analysis) -> None:
    """Status, note, responsible and dates -> ``check.csv``."""
    from grundschutz.catalog import normalise_requirement_id

    doc = ctx.document("check.csv")
    index = {(doc.get(r, "object"), normalise_requirement_id(doc.get(r, "requirement"))): r for r in doc.rows()}
    like = next((doc.get(r, c) for r in doc.rows() for c in ("due", "checked_on") if doc.get(r, c)), "")
    for e in edited:
        state = {**e.old, **e.new}
        edited_fields = {c.key for c in e.changed(sheet)}
        if state["status"] == "entbehrlich" and not state["note"] and edited_fields & {"status", "note"}:
            ctx.bad(e, sheet.column("note"), "", "Status 'entbehrlich' braucht eine Begründung in 'Anmerkung'")
            continue
        record = index.get(e.key)
        if record is None:
            values = {"object": e.key[0], "requirement": e.key[1]}
            for column in ("status", "note", "responsible"):
                values[column] = state[column]
            for column in ("due", "checked_on"):
                values[column] = date_text(state[column], like)
            index[e.key] = doc.append(values)
        else:
            for column in e.changed(sheet):
                value = state[column.key]
                if column.kind == "date":
                    value = date_text(value, doc.get(record, column.key) or like)
                doc.set(record, column.key, value)
        ctx.record(sheet, e, "check.csv")


def apply_risks(ctx, sheet: Sheet, edited, analysis) -> None:
    """Risk ratings and treatment -> ``risks.csv``."""
    from grundschutz.exchange.excel.sheets import apply_risk_rows

    apply_risk_rows(ctx, sheet, edited, analysis)


def date_text(value: date | None, like: str = "") -> str:
    """A date for a CSV cell, German (``TT.MM.JJJJ``) if ``like`` is, else ISO.

    >>> date_text(date(2025, 3, 1)), date_text(date(2025, 3, 1), "01.01.2024")
    ('2025-03-01', '01.03.2025')
    """
    if value is None:
        return ""
    return value.strftime("%d.%m.%Y") if _GERMAN_DATE.match(like) else value.isoformat()
