"""Grundschutz++: controls without Zielobjekt-Kategorie and the relevance decision (Methodik STM.2.1.1, STM.2.1.5).

The Methodik treats the controls that name no Zielobjekt-Kategorie in two ways:

- the controls of the ISMS practices (GC, STM, PERF, VRB, UMS) build the
  management system and apply once to the whole Informationsverbund, without
  selection (STM.2.1.1); so, as the toolkit's choice, do the requirements for
  the risk management (RISK), which the profile imports next to the Methodik;
- every other one needs a *relevance decision* per business process: is it
  needed for the process and its assets? Relevant ones are assigned to the
  processes concerned, the others struck with a documented reason (STM.2.1.5).

The decisions are the rows of ``relevance.csv`` (``docs/format.md``): per
control and business process (or ``IV`` for the whole Informationsverbund)
``relevant`` ``ja`` or ``nein`` with the reason. A control without any row
is open: it is listed as undecided for the Informationsverbund, never put
there silently.
"""

from __future__ import annotations

from grundschutz.model.errors import AssessmentError, Problem
from grundschutz.model.levels import ObjectType

#: The ISMS practices of the Methodik, whose controls apply to the Informationsverbund without selection.
ISMS_PRACTICES = frozenset({"GC", "STM", "PERF", "VRB", "UMS"})
#: The practices whose controls go to the Informationsverbund without a decision: the ISMS practices and,
#: as the toolkit's choice, the requirements for the risk management (RISK), which the profile imports next
#: to the Methodik and which govern the institution's method, not a process.
VERBUND_PRACTICES = ISMS_PRACTICES | {"RISK"}
#: Why a control without category is not selected while no decision exists.
RELEVANCE_OPEN = ("Relevanzentscheidung offen (Methodik STM.2.1.5): in relevance.csv je Geschäftsprozess oder für "
                  "den Informationsverbund (IV) 'ja' oder 'nein' mit Begründung eintragen")
#: Grundschutz++ knows no variants.
GSPP_VARIANT_REFUSED = (
    "Grundschutz++ kennt keine Basis- oder Kern-Absicherung (Variante '{variant}'): das Sicherheitsniveau ergibt "
    "sich aus dem Schutzbedarf (normal-SdT, erhöht). 'variant: standard' setzen oder die Variante weglassen."
)


def is_isms_control(control_id: str) -> bool:
    """Whether the control applies to the Informationsverbund without a relevance decision: an ISMS practice
    (Methodik STM.2.1.1) or the risk management (RISK, a choice of the toolkit).

    >>> is_isms_control("GC.7.2"), is_isms_control("RISK.1.1"), is_isms_control("BER.1.1")
    (True, True, False)
    """
    return control_id.split(".", 1)[0] in VERBUND_PRACTICES


def relevance_by_object(modelling, catalog) -> dict[str, dict[str, str]]:
    """The controls decided relevant, by object (a business process or the Informationsverbund): control id ->
    the reason given (or ``ja``). Every row that does not fit is reported at once
    (:class:`~grundschutz.model.errors.AssessmentError` with file, row, column and value)."""
    problems: list[Problem] = []
    found: dict[str, dict[str, str]] = {}
    verbund = modelling.informationsverbund.id
    for row in modelling.assessment.relevance_decisions:
        problem = _row_problem(row, modelling, catalog, verbund)
        if problem is not None:
            problems.append(problem)
        elif row.relevant:
            found.setdefault(verbund if row.object == "IV" else row.object, {})[row.control] = row.reason or "ja"
    if problems:
        raise AssessmentError(problems, modelling.assessment.source)
    return found


def relevance_open(modelling, catalog) -> list[str]:
    """The controls without category outside the ISMS practices that no row of ``relevance.csv`` decides."""
    decided = {row.control for row in modelling.assessment.relevance_decisions}
    return [cid for cid, control in catalog.controls.items()
            if not control.target_categories and not is_isms_control(cid) and cid not in decided]


def struck(modelling) -> dict[str, str]:
    """Controls decided not relevant (``nein``) for every object that has a row, with the reasons."""
    rows: dict[str, list] = {}
    for row in modelling.assessment.relevance_decisions:
        rows.setdefault(row.control, []).append(row)
    return {cid: "; ".join(f"{r.object}: {r.reason}" for r in found) for cid, found in rows.items()
            if not any(r.relevant for r in found)}


def _row_problem(row, modelling, catalog, verbund: str) -> Problem | None:
    def bad(column: str, value: str, message: str) -> Problem:
        return Problem(row.file, row.row, column, value, message)

    control = catalog.controls.get(row.control)
    if control is None:
        return bad("control", row.control, "Control gibt es im Grundschutz++-Katalog nicht")
    if control.target_categories:
        return bad("control", row.control, f"Control hat Zielobjekt-Kategorien ({', '.join(control.target_categories)})"
                                           ": die Modellierung ordnet es zu, eine Relevanzentscheidung gibt es nur "
                                           "für Controls ohne Kategorie")
    if is_isms_control(row.control):
        return bad("control", row.control, "Control einer ISMS-Praktik (GC, STM, PERF, VRB, UMS) oder des "
                                           "Risikomanagements (RISK): gilt ohne Relevanzentscheidung für den "
                                           "Informationsverbund (Methodik STM.2.1.1)")
    if row.object in ("IV", verbund):
        return None
    entry = modelling.objects.get(row.object)
    if entry is None:
        return bad("object", row.object, "unbekannte Objekt-ID")
    if entry.object.type is not ObjectType.PROCESS:
        return bad("object", row.object, "die Relevanzentscheidung gilt für einen Geschäftsprozess oder den "
                                         f"Informationsverbund (IV); {row.object} ist vom Typ {entry.object.type.value}")
    return None
