"""The Risikoanalyse as rows and DataFrames: risks, threat overviews, one summary row per object."""

from __future__ import annotations

from datetime import date

from grundschutz.method.risk import RiskAnalysis
from grundschutz.model.scales import Frequency, Impact, RiskCategory, Scale, Treatment

_RISK_COLUMNS = ["object", "threat", "title", "source", "requirements", "relevant", "frequency", "impact",
                 "category", "treatment", "note", "accepted_by", "accepted_on", "residual_frequency",
                 "residual_impact", "residual_category", "status", "row"]
_SUMMARY_COLUMNS = ["object", "name", "type", "reasons", "why", "need", "threats", "rated", "open", "gering",
                    "mittel", "hoch", "sehr hoch", "untreated", "residual_unaccepted", "status"]


def _label(value) -> str:
    return value.label if value is not None else ""


def risk_records(risks: RiskAnalysis, object_id: str | None = None) -> list[dict[str, object]]:
    """One record per object and threat (all objects, or only ``object_id``).

    Columns: ``object, threat, title, source`` (``KRT``/``G0``/``vorgeschlagen``/``ergänzt``),
    ``requirements`` (list), ``relevant`` (bool), ``frequency, impact, category, treatment, note,
    accepted_by, accepted_on`` (ISO date), ``residual_frequency, residual_impact, residual_category``
    (German words, ``""`` if not set), ``status`` (see :attr:`Risk.status`)
    and ``row`` (line in risks.csv or ``None``).
    """
    chosen = [risks[object_id]] if object_id is not None else list(risks)
    return [{c: _cell(getattr(r, c), c) for c in _RISK_COLUMNS} for o in chosen for r in o.risks]


def risk_data(risks: RiskAnalysis, object_id: str | None = None) -> dict[str, object]:
    """The risk analysis as JSON-ready data: of ``object_id`` its reasons, status and risks; else the matrix,
    the risks by category, the objects, and the untreated and not-accepted high risks (``risk -f json``)."""
    if object_id is not None:
        entry = risks[object_id]
        return {"object": object_id, "reasons": list(entry.flagged.kinds), "why": entry.flagged.why,
                "status": entry.status, "risks": risk_records(risks, object_id)}
    records = risk_records(risks)
    return {"matrix": risks.matrix.source, "by_category": risks.by_category(),
            "objects": risk_summary_records(risks),
            "untreated": [r for r in records if r["status"] == "unbehandelt"],
            "residual_unaccepted": [r for r in records if r["status"] == "Restrisiko nicht übernommen"]}


def _cell(value: object, column: str) -> object:
    if isinstance(value, Scale | tuple):
        return value.label if isinstance(value, Scale) else list(value)
    if isinstance(value, date):
        return value.isoformat()
    return "" if value is None and column != "row" else value


def risk_frame(risks: RiskAnalysis, object_id: str | None = None):
    """:func:`risk_records` as a DataFrame; the scales are ordered categoricals.

    >>> frame = risk_frame(RiskAnalysis({}))
    >>> list(frame.columns[:4]), len(frame)
    (['object', 'threat', 'title', 'source'], 0)
    """
    import pandas as pd

    frame = pd.DataFrame.from_records(risk_records(risks, object_id), columns=_RISK_COLUMNS)
    for columns, scale in ((("frequency", "residual_frequency"), Frequency), (("impact", "residual_impact"), Impact),
                           (("category", "residual_category"), RiskCategory), (("treatment",), Treatment)):
        dtype = pd.CategoricalDtype([m.value for m in scale], ordered=True)
        for column in columns:
            frame[column] = frame[column].replace("", None).astype(dtype)
    return frame


def threat_overview_records(risks: RiskAnalysis, object_id: str | None = None) -> list[dict[str, object]]:
    """The threat overview: per object and threat ``object, threat, title, source,
    requirements`` (list) and ``rated`` (bool)."""
    return [{**{k: r[k] for k in _RISK_COLUMNS[:5]}, "rated": bool(r["category"])}
            for r in risk_records(risks, object_id)]


def threat_overview_frame(risks: RiskAnalysis, object_id: str | None = None):
    """:func:`threat_overview_records` as a DataFrame."""
    import pandas as pd

    return pd.DataFrame.from_records(threat_overview_records(risks, object_id), columns=[*_RISK_COLUMNS[:5], "rated"])


def risk_summary_records(risks: RiskAnalysis) -> list[dict[str, object]]:
    """Per object: why flagged, threats rated/open, risks by category, untreated high risks.

    Columns: ``object, name, type, reasons`` (kinds, list), ``why`` (German),
    ``need`` (highest need), ``threats, rated, open``, one count per category
    ``gering, mittel, hoch, sehr hoch``, ``untreated``, ``residual_unaccepted``
    (high residual risks nobody has taken over) and ``status``.
    """
    records = []
    for o in risks:
        f = o.flagged
        records.append({"object": f.object, "name": f.name, "type": f.type, "reasons": list(f.kinds), "why": f.why,
                        "need": _label(f.highest), "threats": len(o.risks), "rated": sum(r.rated for r in o.risks),
                        "open": len(o.open), **o.by_category(), "untreated": len(o.untreated),
                        "residual_unaccepted": len(o.residual_unaccepted), "status": o.status})
    return records


def risk_summary_frame(risks: RiskAnalysis):
    """:func:`risk_summary_records` as a DataFrame indexed by object."""
    import pandas as pd

    return pd.DataFrame.from_records(risk_summary_records(risks), columns=_SUMMARY_COLUMNS).set_index("object")
