"""The System Security Plan (``system-security-plan``) of an analysed assessment.

- ``import-profile``: Grundschutz++: the BSI profile "Anwenderkatalog
  Grundschutz++" by its published address; Kompendium 2023: the back-matter
  resource of the Kompendium XML (hash pinned).
- ``system-characteristics``: the Informationsverbund; its C/I/A (the maximum
  over all Zielobjekte, as the requirement selection uses it) are the security
  impact levels; one information type per object with an assessed need.
- ``system-implementation``: one component per Zielobjekt (the
  Informationsverbund is ``this-system``) with id, type, Zielobjekt-Kategorien
  or Bausteine and the derived C/I/A with rule, origin and reason as props.
- ``control-implementation``: one implemented requirement per selected
  requirement (control), ``by-components`` for every object it is selected
  for, with the status of ``check.csv`` (:data:`~grundschutz.exchange.oscal.common.STATES`),
  the note as remarks, responsible role, due date and date checked.
  Kompendium requirements link the Grundschutz++ controls the official
  mapping maps them to.
"""

from __future__ import annotations

from collections.abc import Mapping

from grundschutz.catalog.sources import official_sources
from grundschutz.exchange.oscal.common import (
    COMPONENT_TYPES,
    STATES,
    ExportContext,
    Items,
    bsi_prop,
    level_text,
    needs_props,
    prop,
    props,
    resource,
    single_line,
)
from grundschutz.model.levels import BASIC_VALUES
from grundschutz.model.records import Status

#: The Grundschutz++ profile and the Kompendium XML (keys of ``sources.yaml``).
PROFILE_KEY = "gspp-profile"
KOMPENDIUM_KEY = "kompendium-2023-xml"
MAPPING_KEY = "mapping-itgs2023-gspp"
#: What the ``by-component`` description says for each status.
STATUS_TEXT = {
    Status.JA: "umgesetzt (IT-Grundschutz-Check: ja)",
    Status.TEILWEISE: "teilweise umgesetzt (IT-Grundschutz-Check: teilweise)",
    Status.NEIN: "nicht umgesetzt, geplant (IT-Grundschutz-Check: nein)",
    Status.UNBEARBEITET: "im IT-Grundschutz-Check noch nicht bearbeitet (unbearbeitet)",
    Status.ENTBEHRLICH: "entbehrlich (IT-Grundschutz-Check: entbehrlich)",
}


class GsppLinks:
    """The Grundschutz++ controls the official mapping maps each Kompendium requirement to.

    Only targets that are controls in force (:meth:`Catalog.gspp`) are kept:
    a link must resolve. ``available`` is ``False`` (with ``why``) when the
    mapping or the Grundschutz++ catalogs are not installed.
    """

    def __init__(self, mapping=None, controls: Mapping | None = None, why: str = "") -> None:
        self.targets: dict[str, list[tuple[str, str]]] = {}
        self.available = mapping is not None and controls is not None
        self.why = why
        if not self.available:
            return
        for entry in mapping:
            if entry.target_id in controls:
                pairs = self.targets.setdefault(entry.requirement_id, [])
                if (entry.target_id, entry.relationship) not in pairs:
                    pairs.append((entry.target_id, entry.relationship))

    def count(self, requirements) -> int:
        """How many of ``requirements`` have at least one link."""
        return sum(1 for requirement in requirements if self.targets.get(requirement))

    def links(self, ctx: ExportContext, requirement: str) -> list[dict]:
        """The links of one requirement: to the control in the Grundschutz++ profile's resource."""
        return [{"href": f"#{ctx.resource_uuid(PROFILE_KEY)}", "rel": "related", "resource-fragment": target,
                 "text": f"Grundschutz++ {target} (BSI-Mapping: {relationship})"}
                for target, relationship in self.targets.get(requirement, ())]


def build_ssp(ctx: ExportContext, links: GsppLinks | None = None) -> dict:
    """The SSP of ``ctx.analysis`` as a JSON-ready dict (``{"system-security-plan": …}``)."""
    analysis = ctx.analysis
    check = analysis.check
    settings = analysis.assessment.settings
    requirements: dict[str, list] = {}
    for entry in check:
        requirements.setdefault(entry.requirement, []).append(entry)
    mapped = links.count(requirements) if links is not None else 0
    if ctx.gspp:
        profile = {"href": resource_url(PROFILE_KEY),
                   "remarks": "Profil 'Anwenderkatalog Grundschutz++' der BSI Stand-der-Technik-Bibliothek; "
                              "SHA-256 in der back-matter."}
        cited = [PROFILE_KEY]
        source_text = f"Grundschutz++: {single_line(analysis.modelling.catalog.source)}"
    else:
        profile = {"href": f"#{ctx.resource_uuid(KOMPENDIUM_KEY)}",
                   "remarks": "IT-Grundschutz-Kompendium Edition 2023 (DocBook-XML des BSI); die Anforderungs-IDs "
                              "sind die des Kompendiums, kein OSCAL-Profil."}
        cited = [KOMPENDIUM_KEY] + ([PROFILE_KEY, MAPPING_KEY] if links is not None and links.available else [])
        source_text = "IT-Grundschutz-Kompendium Edition 2023 mit Kreuzreferenztabellen"
    metadata_links = [{"href": f"#{ctx.resource_uuid(key)}", "rel": "reference"} for key in cited]
    description = (f"IT-Grundschutz-Check ({source_text}, Variante {analysis.selection.variant}): "
                   f"{len(check)} Umsetzungen von {len(requirements)} Anforderungen an "
                   f"{len(analysis.modelling.objects)} Zielobjekten. Status aus check.csv: ja = implemented, "
                   "teilweise = partial, nein und unbearbeitet = planned, entbehrlich = not-applicable.")
    if links is not None:
        description += (f" Grundschutz++-Mapping: {mapped} von {len(requirements)} Anforderungen zugeordnet."
                        if links.available else f" Grundschutz++-Mapping: {links.why}")
    plan = {
        "uuid": ctx.document_uuid("ssp"),
        "metadata": ctx.metadata(f"Sicherheitskonzept (System Security Plan): {settings.name}", roles=True,
                                 links=metadata_links),
        "import-profile": profile,
        "system-characteristics": _characteristics(ctx),
        "system-implementation": {"users": _users(ctx), "components": _components(ctx)},
        "control-implementation": {
            "description": description,
            "implemented-requirements": Items(_implemented(ctx, rid, entries, links)
                                              for rid, entries in requirements.items()),
        },
        "back-matter": {"resources": [resource(ctx, key) for key in cited]},
    }
    return {"system-security-plan": plan}


def resource_url(key: str) -> str:
    """The first published address of an official file (``sources.yaml``)."""
    return official_sources()[key].urls[0]


# --------------------------------------------------------------------------- system characteristics


def _characteristics(ctx: ExportContext) -> dict:
    analysis = ctx.analysis
    settings = analysis.assessment.settings
    verbund = analysis.modelling.informationsverbund
    needs = analysis.selection.needs.get(verbund.id, {})
    rated = [level for level in needs.values() if level is not None]
    result = {
        "system-ids": [ctx.system_id()],
        "system-name": single_line(settings.name),
        "description": single_line(verbund.description) or f"Informationsverbund {single_line(settings.name)}",
        "props": props(("edition", settings.edition), ("variant", analysis.selection.variant),
                       ("object-count", len(analysis.assessment.objects))),
        "security-sensitivity-level": level_text(max(rated) if len(rated) == len(needs) and rated else None),
        "system-information": {"information-types": _information_types(ctx)},
        "security-impact-level": {f"security-objective-{value.value}": level_text(needs.get(value))
                                  for value in BASIC_VALUES},
        "status": {"state": "operational"},
        "authorization-boundary": {
            "description": f"Der Informationsverbund '{single_line(settings.name)}' mit "
                           f"{len(analysis.assessment.objects)} Zielobjekten der Strukturanalyse (objects.csv); "
                           "die Schutzbedarfskategorien sind die des BSI-Standards 200-2 (normal, hoch, sehr hoch), "
                           "für den Informationsverbund das Maximum über alle Zielobjekte."},
    }
    return result


def _information_types(ctx: ExportContext) -> list[dict]:
    """One information type per object with an assessed need (needs.csv without effect): base = assessed,
    selected = final level, with the explanation where they differ."""
    analysis = ctx.analysis
    propagation = analysis.propagation
    objects = analysis.assessment.objects
    result = []
    for object_id in sorted(analysis.assessment.needs):
        assessed = analysis.assessment.needs[object_id]
        if object_id not in objects or not assessed:
            continue
        obj = objects[object_id]
        entry = {"uuid": ctx.uuid("information-type", object_id), "title": single_line(obj.name),
                 "description": f"Informationen von {object_id} ({single_line(obj.name)}), Schutzbedarf "
                                "festgestellt in needs.csv.",
                 "props": props(("object-id", object_id))}
        for value in BASIC_VALUES:
            need = assessed.get(value)
            if need is None:
                continue
            impact = {"base": need.level.label}
            final = propagation.level(object_id, value)
            if final is not None and final != need.level:
                derivation = propagation.derivation(object_id, value)
                impact["selected"] = final.label
                impact["adjustment-justification"] = (f"{derivation.rule.value if derivation.rule else ''}: "
                                                      f"{single_line(derivation.reason) or '-'}")
            entry[f"{value.value}-impact"] = impact
        result.append(entry)
    if not result:
        result.append({"uuid": ctx.uuid("information-type", "IV"), "title": single_line(ctx.name),
                       "description": "Kein Schutzbedarf in needs.csv festgestellt."})
    return result


# --------------------------------------------------------------------------- components


def _users(ctx: ExportContext) -> list[dict]:
    if not ctx.roles:
        return [{"uuid": ctx.uuid("user", ""), "title": "Beschäftigte",
                 "description": "In check.csv ist keine Verantwortung (responsible) eingetragen."}]
    return [{"uuid": ctx.uuid("user", rid), "title": title, "role-ids": [rid]} for title, rid in ctx.roles.items()]


def _components(ctx: ExportContext) -> list[dict]:
    analysis = ctx.analysis
    modelling = analysis.modelling
    verbund = modelling.informationsverbund.id
    flagged = {o.flagged.object: o.flagged for o in analysis.risks}
    result = []
    for object_id, entry in modelling.objects.items():
        obj = entry.object
        kind = "this-system" if object_id == verbund else COMPONENT_TYPES[obj.type]
        if kind == "this-system" and object_id != verbund:
            kind = "system"
        items = [("object-id", object_id), ("object-type", obj.type.value),
                 ("count", obj.count if obj.count != 1 else None)]
        items += [("tag", f"{key}={value}" if value else key) for key, value in obj.tags.items()]
        if ctx.gspp:
            categories = modelling.categories(object_id)
            found = [bsi_prop("target_object_categories", ", ".join(categories))] if categories else []
            if modelling.general(object_id):
                found.append(prop("general-controls", "ja"))
        else:
            found = [prop("baustein", a.baustein) for a in entry.assignments]
        if entry.covered and not entry.assignments:
            found.append(prop("covered", entry.covered))
        if object_id in flagged:
            found.append(prop("risk-analysis", flagged[object_id].why))
        component = {
            "uuid": ctx.component_uuid(object_id), "type": kind, "title": single_line(obj.name) or object_id,
            "description": single_line(obj.description) or single_line(obj.name) or object_id,
            "props": props(*items) + found + _need_props(ctx, object_id),
            "status": {"state": "operational"},
        }
        result.append(component)
    return result


def _need_props(ctx: ExportContext, object_id: str) -> list[dict]:
    """The derived C/I/A with rule, origin, reason, provisional and computed value; the Informationsverbund's
    are the maximum over all objects (as the selection uses them)."""
    analysis = ctx.analysis
    if object_id == analysis.modelling.informationsverbund.id or object_id not in analysis.assessment.objects:
        needs = analysis.selection.needs.get(object_id, {})
        return needs_props(needs) + [prop("needs-reason", "Maximum über alle Zielobjekte")]
    result = []
    for value, derivation in analysis.propagation.derivations(object_id).items():
        name = value.value
        result.append(prop(name, level_text(derivation.level)))
        result += props((f"{name}-rule", derivation.rule.value if derivation.rule else None),
                        (f"{name}-origin", derivation.origin), (f"{name}-reason", derivation.reason),
                        (f"{name}-provisional", "ja" if derivation.provisional else None),
                        (f"{name}-computed", derivation.computed.label if derivation.deviation else None))
    return result


# --------------------------------------------------------------------------- control implementation


def _implemented(ctx: ExportContext, requirement: str, entries: list, links: GsppLinks | None) -> dict:
    first = entries[0]
    items = [("title", first.title), ("level", first.level)]
    found = []
    if ctx.gspp:
        control = ctx.analysis.modelling.catalog.controls.get(requirement)
        items.append(("group", first.baustein))
        if control is not None:
            found += [bsi_prop("sec_level", control.sec_level)] if control.sec_level else []
            found += [bsi_prop("effort_level", control.effort_level)] if control.effort_level is not None else []
            if control.target_categories:
                found.append(bsi_prop("target_object_categories", ", ".join(control.target_categories)))
    else:
        selected = ctx.analysis.selection.get(first.object, requirement)
        items += [("baustein", first.baustein), ("cia", selected.cia if selected is not None else None)]
    result = {"uuid": ctx.uuid("implemented-requirement", requirement), "control-id": requirement,
              "props": props(*items) + found}
    if links is not None and links.available and links.targets.get(requirement):
        result["links"] = links.links(ctx, requirement)
    result["by-components"] = [_by_component(ctx, entry) for entry in entries]
    return result


def _by_component(ctx: ExportContext, entry) -> dict:
    selected = ctx.analysis.selection.get(entry.object, entry.requirement)
    status = {"state": STATES[entry.status]}
    if entry.note:
        status["remarks"] = entry.note
    result = {
        "component-uuid": ctx.component_uuid(entry.object),
        "uuid": ctx.by_component_uuid(entry.object, entry.requirement),
        "description": f"{entry.requirement} für {entry.object}: {STATUS_TEXT[entry.status]}.",
        "props": props(("status", entry.status.value),
                       ("selection-reason", selected.reason if selected is not None else None),
                       ("due", entry.due.isoformat() if entry.due else None),
                       ("checked-on", entry.checked_on.isoformat() if entry.checked_on else None)),
        "implementation-status": status,
    }
    if entry.responsible:
        result["responsible-roles"] = [{"role-id": ctx.roles[entry.responsible]}]
    return result
