"""Assessment plan, assessment results and POA&M of an analysed assessment.

The chain of ``documentation/OSCAL.md`` of the BSI Stand-der-Technik-Bibliothek:
SSP -> assessment plan -> assessment results -> POA&M.

- **assessment plan** (``ap.json``): the IT-Grundschutz-Check of BSI-Standard
  200-2, 8.4 as the method, every control and every component of the SSP
  (imported by ``import-ssp``) as subjects.
- **assessment results** (``ar.json``): one result for the current check:
  one observation per object (subject: its SSP component), one finding per
  selected requirement that is not implemented (``teilweise``, ``nein``,
  ``unbearbeitet``; linked to its SSP ``by-component``), and one risk per row
  of ``risks.csv`` (200-3 frequency and impact as facets, the category, the
  treatment as response, the residual risk, who accepted it).
- **POA&M** (``poam.json``): one item per line of the work plan
  (``grundschutz plan``) with its reason, the object it concerns (via its
  observation) and, for a risk to treat, the risk.
"""

from __future__ import annotations

from grundschutz.exchange.oscal.common import (
    BASETHREATS,
    NAMESPACE,
    STATES,
    ExportContext,
    Items,
    iso_timestamp,
    props,
    single_line,
)
from grundschutz.model.records import Status
from grundschutz.model.scales import Treatment

#: The check statuses that count as implemented: no finding.
IMPLEMENTED = frozenset({Status.JA, Status.ENTBEHRLICH})
#: 200-3 treatment -> OSCAL risk status (a treated risk is being remediated; an accepted one is a deviation
#: approved by whoever accepted it).
RISK_STATUS = {Treatment.VERMEIDEN: "remediating", Treatment.REDUZIEREN: "remediating",
               Treatment.TRANSFERIEREN: "remediating", Treatment.AKZEPTIEREN: "deviation-approved"}
METHOD = ("IT-Grundschutz-Check nach BSI-Standard 200-2, Kapitel 8.4: Soll-Ist-Vergleich jeder ausgewählten "
          "Anforderung je Zielobjekt (Interviews, Begehung, Prüfung von Unterlagen), Status ja, teilweise, nein, "
          "entbehrlich oder unbearbeitet in check.csv.")


def _statement_id(requirement: str) -> str:
    """The statement of a requirement (control): ``<id>_stm``, as the BSI names the statement parts."""
    return f"{requirement}_stm"


# --------------------------------------------------------------------------- assessment plan


def build_ap(ctx: ExportContext) -> dict:
    """The assessment plan: the IT-Grundschutz-Check over every control and component of the SSP."""
    settings = ctx.analysis.assessment.settings
    plan = {
        "uuid": ctx.document_uuid("ap"),
        "metadata": ctx.metadata(f"Prüfplan (Assessment Plan): IT-Grundschutz-Check {settings.name}"),
        "import-ssp": {"href": "ssp.json"},
        "reviewed-controls": {"description": METHOD, "control-selections": [{"include-all": {}}]},
        "assessment-subjects": [{"type": "component", "description": "Alle Zielobjekte des Sicherheitskonzepts.",
                                 "include-all": {}}],
    }
    return {"assessment-plan": plan}


# --------------------------------------------------------------------------- assessment results


def not_implemented(check) -> list:
    """The check entries with a finding: every status but ``ja`` and ``entbehrlich``."""
    return [entry for entry in check if entry.status not in IMPLEMENTED]


def exported_risks(risks) -> list:
    """The risks of the risk analysis that have a row in ``risks.csv``, in analysis order."""
    return [risk for risk in risks.risks if risk.row is not None]


def build_ar(ctx: ExportContext) -> dict:
    """The assessment results: one result with observations, findings and risks."""
    analysis = ctx.analysis
    settings = analysis.assessment.settings
    findings = not_implemented(analysis.check)
    risks = exported_risks(analysis.risks)
    concerned = {entry.object for entry in findings} | {risk.object for risk in risks}
    result = {
        "uuid": ctx.uuid("result", "check"),
        "title": "IT-Grundschutz-Check",
        "description": (f"Stand des IT-Grundschutz-Checks: {len(findings)} von {len(analysis.check)} "
                        f"ausgewählten Anforderungen nicht umgesetzt (teilweise, nein, unbearbeitet); "
                        f"{len(risks)} bewertete Gefährdungen aus risks.csv (BSI-Standard 200-3)."),
        "start": ctx.timestamp,
        "props": props(("findings", len(findings)), ("risks", len(risks))),
        "reviewed-controls": {"description": METHOD, "control-selections": [{"include-all": {}}]},
        "observations": observations(ctx, concerned),
    }
    if risks:
        result["risks"] = [risk_entry(ctx, risk) for risk in risks]
    result["findings"] = Items(_finding(ctx, entry) for entry in findings)
    document = {
        "uuid": ctx.document_uuid("ar"),
        "metadata": ctx.metadata(f"Prüfergebnisse (Assessment Results): IT-Grundschutz-Check {settings.name}"),
        "import-ap": {"href": "ap.json"},
        "results": [result],
    }
    return {"assessment-results": document}


def observations(ctx: ExportContext, objects: set[str]) -> list[dict]:
    """One observation per object of ``objects`` (modelling order), subject: its SSP component;
    collected: the latest ``checked_on`` of its check rows, else the export's time stamp."""
    analysis = ctx.analysis
    latest: dict[str, object] = {}
    for entry in analysis.check:
        if entry.checked_on is not None and entry.object in objects:
            latest[entry.object] = max(latest.get(entry.object, entry.checked_on), entry.checked_on)
    result = []
    for object_id, entry in analysis.modelling.objects.items():
        if object_id not in objects:
            continue
        name = single_line(entry.object.name) or object_id
        result.append({
            "uuid": ctx.observation_uuid(object_id),
            "title": f"IT-Grundschutz-Check von {object_id}",
            "description": f"Prüfung des Zielobjekts {object_id} ({name}).",
            "props": props(("object-id", object_id)),
            "methods": ["EXAMINE", "INTERVIEW"],
            "subjects": [{"subject-uuid": ctx.component_uuid(object_id), "type": "component", "title": name}],
            "collected": iso_timestamp(latest[object_id]) if object_id in latest else ctx.timestamp,
        })
    return result


def _finding(ctx: ExportContext, entry) -> dict:
    status = {"state": STATES[entry.status]}
    if entry.note:
        status["remarks"] = entry.note
    return {
        "uuid": ctx.uuid("finding", entry.object, entry.requirement),
        "title": f"{entry.requirement} {single_line(entry.title)} ({entry.object})",
        "description": f"{entry.requirement} ist für {entry.object} nicht umgesetzt: Status '{entry.status.value}' "
                       "im IT-Grundschutz-Check.",
        "props": props(("object-id", entry.object), ("requirement", entry.requirement),
                       ("status", entry.status.value)),
        "target": {"type": "statement-id", "target-id": _statement_id(entry.requirement),
                   "status": {"state": "not-satisfied"}, "implementation-status": status},
        "implementation-statement-uuid": ctx.by_component_uuid(entry.object, entry.requirement),
        "related-observations": [{"observation-uuid": ctx.observation_uuid(entry.object)}],
    }


def risk_entry(ctx: ExportContext, risk) -> dict:
    """One risk of ``risks.csv`` as an OSCAL risk (fields read by name, so that new columns add props)."""
    facets = [("frequency", risk.frequency), ("impact", risk.impact), ("risk", risk.category),
              ("residual-frequency", risk.residual_frequency), ("residual-impact", risk.residual_impact),
              ("residual-risk", risk.residual_category)]
    facets = [{"name": name, "system": NAMESPACE, "value": value.label} for name, value in facets if value is not None]
    accepted_on = getattr(risk, "accepted_on", None)
    title = single_line(risk.title)
    result = {
        "uuid": ctx.risk_uuid(risk.object, risk.threat),
        "title": f"{risk.threat} {title} ({risk.object})" if title else f"{risk.threat} ({risk.object})",
        "description": (f"Gefährdung {risk.threat} für {risk.object}"
                        + (f", verknüpft mit {', '.join(risk.requirements)}" if risk.requirements else "")
                        + f" (Risikoanalyse nach BSI-Standard 200-3, risks.csv Zeile {risk.row})."),
        "statement": (f"Risikokategorie {risk.category.label} (Häufigkeit {risk.frequency.label}, Auswirkung "
                      f"{risk.impact.label})." if risk.rated else "Noch nicht bewertet.")
                     + (f" Risiko nach Behandlung: {risk.residual_category.label}."
                        if risk.residual_category is not None and risk.treatment is not None else ""),
        "props": props(("object-id", risk.object), ("threat", risk.threat), ("threat-source", risk.source),
                       ("risk-status", risk.status), ("accepted-by", risk.accepted_by),
                       ("accepted-on", accepted_on.isoformat() if accepted_on else None)),
        "status": _risk_status(risk),
    }
    if risk.threat.startswith("G "):
        result["threat-ids"] = [{"system": BASETHREATS, "id": f"{BASETHREATS}#{risk.threat.replace(' ', '%20')}"}]
    if facets:
        result["characterizations"] = [{"origin": {"actors": [{"type": "party", "actor-uuid": ctx.party_uuid}]},
                                        "facets": facets}]
    if risk.treatment is not None:
        result["remediations"] = [{
            "uuid": ctx.uuid("response", risk.object, risk.threat),
            "lifecycle": "completed" if risk.treatment is Treatment.AKZEPTIEREN else "planned",
            "title": f"Risikobehandlung: {risk.treatment.label}",
            "description": single_line(risk.note) or f"Behandlung '{risk.treatment.label}' ohne weitere Angaben.",
            "props": props(("treatment", risk.treatment.label), ("accepted-by", risk.accepted_by)),
        }]
    elif risk.note:  # without a treatment the note names the safeguards in place
        result["mitigating-factors"] = [{"uuid": ctx.uuid("mitigating-factor", risk.object, risk.threat),
                                         "description": risk.note}]
    result["related-observations"] = [{"observation-uuid": ctx.observation_uuid(risk.object)}]
    return result


def _risk_status(risk) -> str:
    if not risk.rated:
        return "investigating"
    return RISK_STATUS.get(risk.treatment, "open")


# --------------------------------------------------------------------------- POA&M


def build_poam(ctx: ExportContext) -> dict:
    """The POA&M: one item per line of the work plan, in its order."""
    analysis = ctx.analysis
    plan = analysis.plan
    risks = {(risk.object, risk.threat): risk for risk in analysis.risks.risks}
    treated = [risks[(item.object, item.subject)] for item in plan if item.kind == "risikobehandlung"
               and (item.object, item.subject) in risks]
    document = {
        "uuid": ctx.document_uuid("poam"),
        "metadata": ctx.metadata(f"Realisierungsplan (POA&M): {analysis.assessment.settings.name}"),
        "import-ssp": {"href": "ssp.json"},
        "system-id": ctx.system_id(),
        "observations": observations(ctx, {item.object for item in plan}),
    }
    if treated:
        document["risks"] = [risk_entry(ctx, risk) for risk in treated]
    document["poam-items"] = Items(_poam_items(ctx, plan, risks))
    return {"plan-of-action-and-milestones": document}


def _poam_items(ctx: ExportContext, plan, risks):
    due = {(entry.object, entry.requirement): entry.due for entry in ctx.analysis.check if entry.due is not None}
    seen = set()
    for item in plan:
        key = (item.kind, item.object, item.subject)
        parts = ("poam-item", *key) if key not in seen else ("poam-item", *key, str(item.rank))
        seen.add(key)
        deadline = due.get((item.object, item.subject)) if item.kind == "anforderung" else None
        entry = {
            "uuid": ctx.uuid(*parts),
            "title": f"{item.rank}. {single_line(item.title)} ({item.object})",
            "description": single_line(item.reason) or single_line(item.title),
            "props": props(("rank", item.rank), ("group", item.group_title), ("kind", item.kind),
                           ("object-id", item.object), ("subject", item.subject), ("level", item.level),
                           ("need", item.need), ("role", item.role), ("status", item.status),
                           ("due", deadline.isoformat() if deadline else None)),
            "related-observations": [{"observation-uuid": ctx.observation_uuid(item.object)}],
        }
        if item.kind == "risikobehandlung" and (item.object, item.subject) in risks:
            entry["related-risks"] = [{"risk-uuid": ctx.risk_uuid(item.object, item.subject)}]
        yield entry
    if not seen:  # an OSCAL POA&M has at least one item
        yield {"uuid": ctx.uuid("poam-item", "none"), "title": "Keine offene Arbeit",
               "description": "Der Realisierungsplan (grundschutz plan) hat keine Einträge."}
