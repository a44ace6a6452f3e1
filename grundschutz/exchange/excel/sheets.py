"""The sheets of the later steps: Risikoanalyse, Realisierungsplan, one per scenario.

When the analysis has no catalog, these sheets are left out and the reason is
listed on Übersicht - never a sheet with made-up content.

- Risikoanalyse: :attr:`Analysis.risks <grundschutz.method.analysis.Analysis.risks>`,
  one row per object and threat; editable (ratings, treatment, residual risk;
  a new row adds a threat) and imported into ``risks.csv`` (:func:`apply_risk_rows`).
- Realisierungsplan: :attr:`Analysis.plan <grundschutz.method.analysis.Analysis.plan>`, read-only.
- Scenarios: per ``scenarios/<name>.yaml`` the verdicts, the changes against
  the baseline and the blocking requirements (:meth:`Analysis.scenario
  <grundschutz.method.analysis.Analysis.scenario>`), read-only.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace

from grundschutz.exchange.excel.layout import EXCEL_MAX_TITLE, PLAN_SHEET, RISK_SHEET, SCENARIO_SHEET, Sheet
from grundschutz.exchange.excel.rows import plan_rows, risk_rows, scenario_rows
from grundschutz.io.records import COLUMNS, risk_records
from grundschutz.io.text import Table
from grundschutz.method.risk import unknown_threats
from grundschutz.model import Problem
from grundschutz.model.ids import normalise_threat_id

_NO_CATALOG = "kein BSI-Katalog installiert (grundschutz catalog install)"
_BAD_TITLE = re.compile(r"[\[\]:*?/\\]")


def risk_available(analysis) -> bool:
    """Whether the sheet Risikoanalyse is exported (the analysis has a catalog)."""
    return analysis.modelling is not None


# --------------------------------------------------------------------------- rows


def sheet_title(text: str) -> str:
    """A valid, short sheet name.

    >>> sheet_title("Szenario neue/alte Serverlandschaft im Rathaus")
    'Szenario neue-alte Serverlandsc'
    """
    return _BAD_TITLE.sub("-", text)[:EXCEL_MAX_TITLE].strip()


# --------------------------------------------------------------------------- the sheets


def extra_sheets(analysis, wanted=("risks", "plan", "scenarios")
                 ) -> tuple[list[tuple[Sheet, Callable[[], Iterable[Mapping[str, object]]]]], dict[str, str]]:
    """The extra sheets of ``analysis`` (those named in ``wanted``) and, by
    title, those left out with the reason.

    An invalid ``risks.csv`` or scenario file is an error of the assessment
    (:class:`AssessmentError`), not a reason to leave a sheet out silently.
    """
    sheets: list = []
    skipped: dict[str, str] = {}
    titles = {"risks": RISK_SHEET.title, "plan": PLAN_SHEET.title, "scenarios": "Szenarien"}
    if analysis.modelling is None:
        return sheets, {titles[name]: _NO_CATALOG for name in titles if name in wanted}
    if "risks" in wanted or "plan" in wanted:
        analysis.risks  # noqa: B018 - an invalid risks.csv is an error, before any sheet is written
    if "risks" in wanted:
        sheets.append((RISK_SHEET, lambda: risk_rows(analysis)))
    if "plan" in wanted:
        sheets.append((PLAN_SHEET, lambda: plan_rows(analysis)))
    if "scenarios" not in wanted:
        return sheets, skipped
    scenarios = analysis.assessment.scenarios
    if not scenarios:
        skipped["Szenarien"] = "keine Szenarien (scenarios/*.yaml) in der Bewertung"
    used = {s.title for s, _ in sheets}
    for name, scenario in scenarios.items():
        rows = scenario_rows(analysis.scenario(name))
        title = sheet_title(f"Szenario {name}")
        while title in used:
            title = sheet_title(title[:-3] + f" {len(used)}")
        used.add(title)
        purpose = f"Szenario '{name}': {scenario.description}".rstrip(": ")
        sheets.append((replace(SCENARIO_SHEET, name=f"scenario:{name}", title=title,
                               purpose=purpose + " Urteil je Anwendung, Änderungen gegenüber der Ausgangslage, "
                                                 "blockierende Anforderungen; nur zur Ansicht."),
                       lambda rows=rows: rows))
    return sheets, skipped


# --------------------------------------------------------------------------- import


def validate_risks(analysis) -> None:
    """Check ``risks.csv`` of an analysed assessment (nothing without a catalog)."""
    if risk_available(analysis):
        analysis.risks  # noqa: B018 - computing it checks every row


def risk_new_row_rule(analysis, unknown):
    """Why a new row of the sheet Risikoanalyse cannot be imported (``None``: it adds a threat)."""
    def rule(key: tuple[str, ...]) -> str | None:
        object_id, threat = key
        if object_id not in analysis.modelling.objects:
            return unknown(key)
        if not threat:
            return "Gefährdung fehlt: für eine neue Zeile Zielobjekt und Gefährdung eintragen"
        elementary = normalise_threat_id(threat)
        if elementary is not None and elementary not in analysis.kompendium.threats:
            return f"elementare Gefährdung '{threat}' gibt es im Kompendium nicht (G 0.1 bis G 0.47)"
        return None

    return rule


def apply_risk_rows(ctx, sheet: Sheet, edited, analysis) -> None:
    """Ratings, treatment and residual risk -> ``risks.csv``; checked with the rules of
    :mod:`grundschutz.method.risk`, reported with the sheet's rows and headers."""
    required, optional = COLUMNS["risks"]
    columns = (*required, *optional)
    headers = {c.key: c.header for c in sheet.columns}
    parts: dict[str, list] = defaultdict(list)
    for e in edited:
        if normalise_threat_id(e.key[1]) and "title" in e.new and e.new["title"] != e.old.get("title", ""):
            ctx.notes.append(f"{e.row.sheet}, Zeile {e.row.number}, Spalte '{headers['title']}': der Titel einer "
                             "elementaren Gefährdung kommt aus dem Kompendium; Änderung wird nicht übernommen.")
            e.new.pop("title")
    edited = [e for e in edited if e.changed(sheet)]
    for e in edited:
        state = {**e.old, **e.new}
        row = {c: str(state.get(c) or "") for c in columns}
        row.update(object=e.key[0], threat=e.key[1])
        parts[e.row.sheet].append((e.row.number, row))
    for part, rows in parts.items():
        found: list[Problem] = []
        unknown_threats(risk_records(Table(part, columns, tuple(rows)), analysis.modelling.objects, found),
                        analysis.kompendium, found)
        for p in found:
            message = p.message
            for key, header in headers.items():
                message = message.replace(f"'{key}'", f"'{header}'")
            ctx.problems.append(Problem(part, p.row, headers.get(p.column, p.column), p.value, message))
    if ctx.problems:
        return
    doc = ctx.document("risks.csv")
    index = {(doc.get(r, "object"), normalise_threat_id(doc.get(r, "threat")) or doc.get(r, "threat")): r
             for r in doc.rows()}
    for e in edited:
        elementary = normalise_threat_id(e.key[1])
        key = (e.key[0], elementary or e.key[1])
        state = {**e.old, **e.new}
        record = index.get(key)
        if record is None:
            values = {"object": e.key[0], "threat": key[1]}
            values.update({c: str(state.get(c) or "") for c in optional})
            if elementary:
                values["title"] = ""
            index[key] = doc.append(values)
        else:
            for column in e.changed(sheet):
                doc.set(record, column.key, str(state[column.key] or ""))
        ctx.record(sheet, e, "risks.csv")
