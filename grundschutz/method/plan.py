"""The work plan (Realisierungsplan): open work in the order to do it.

:func:`work_plan` lists what is open in an assessment, in the order an IT
security officer with little time should take it on, and says for every line
why it stands where it stands. Groups, in this order:

1. **Schutzbedarf feststellen** - objects with an unrated basic value.
   Without the rating the H requirements and the risk analysis of everything
   the object's need flows into stay undecided. Applications that a scenario
   is about come first (``scenarios/<name>.yaml``, top-level list
   ``applications:``), then applications, processes, other objects; within
   that by how many objects the need flows into (transitively, along
   dependencies), then by how many objects depend on the object.
2. **Risikoanalyse (vorrangig)** - open risk analyses that nothing else can
   replace: ``sehr hoch`` need (BSI 200-3: always), no fitting Baustein,
   atypical use. Ordered in that order, then by the number of basic values
   rated ``sehr hoch``, then by the number of direct dependents.
3. **Risiko behandeln** - ``hoch``/``sehr hoch`` risks without a treatment,
   highest category first; then high residual risks after ``vermeiden``,
   ``reduzieren`` or ``transferieren`` that nobody has taken over yet
   (BSI 200-3, Risikobehandlung; Grundschutz++ RISK.1.9), highest first.
4. **Anforderung umsetzen** - requirements whose check status is not ``ja`` or
   ``entbehrlich``: level B before S before H (Grundschutz++: ``normal-SdT``
   before ``erhöht``); within a level by the object's highest need; then by
   the responsible role the Kompendium names (the roles in the requirement's
   title, else the Baustein's "grundsätzlich zuständig"), so that work can be
   handed out per role; in Grundschutz++ mode by ``effort_level`` (low effort
   first, ``GsppSelection.effort_levels``); then in modelling order.
5. **Risikoanalyse** - the remaining open risk analyses (need ``hoch`` only,
   voluntary ones). They come after the requirements: for ``hoch`` the
   H requirements of the Kompendium cover much, the analysis checks whether
   that is enough.

>>> GROUPS[1], GROUPS[4]
('Schutzbedarf feststellen', 'Anforderung umsetzen')
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from grundschutz.model.errors import GrundschutzError
from grundschutz.model.levels import BASIC_VALUES, Level, ObjectType

#: The groups of the plan, in order.
GROUPS: Mapping[int, str] = MappingProxyType({
    1: "Schutzbedarf feststellen",
    2: "Risikoanalyse (vorrangig)",
    3: "Risiko behandeln",
    4: "Anforderung umsetzen",
    5: "Risikoanalyse",
})
#: Level -> (order, German words): Kompendium B before S before H, Grundschutz++ normal-SdT before erhöht.
_LEVELS = {"B": (0, "Basis-Anforderung (B vor S vor H)"), "S": (1, "Standard-Anforderung (B vor S vor H)"),
           "H": (2, "H-Anforderung (B vor S vor H)"), "normal-SdT": (0, "Control normal-SdT (normal-SdT vor erhöht)"),
           "erhöht": (1, "Control erhöht (normal-SdT vor erhöht)")}
_TYPE_ORDER = {ObjectType.APPLICATION: 0, ObjectType.PROCESS: 1}
_PRESSING_ORDER = ("sehr hoch", "ohne Baustein", "atypisch")
_PRESSING_WHY = {
    "sehr hoch": "bei sehr hohem Schutzbedarf genügen die Anforderungen des Kompendiums nicht (BSI 200-3)",
    "ohne Baustein": "ohne Baustein gibt es keine Anforderungen, die das Zielobjekt absichern",
    "atypisch": "die Bausteine gehen vom typischen Einsatz aus und decken diesen Einsatz nicht ab",
}


@dataclass(frozen=True, slots=True)
class PlanItem:
    """One line of the work plan.

    ``kind``: ``schutzbedarf``, ``risikoanalyse``, ``risikobehandlung``,
    ``restrisiko`` or ``anforderung``. ``subject``: what the line is about (basic values,
    ``Risikoanalyse``, a threat id, a requirement id). ``title``: the task.
    ``level``: B/S/H for requirements. ``need``: the object's highest need.
    ``reason``: why the line stands where it stands (German).
    """

    rank: int
    group: int
    kind: str
    object: str
    name: str
    subject: str
    title: str
    level: str = ""
    need: str = ""
    role: str = ""
    status: str = ""
    reason: str = ""

    @property
    def group_title(self) -> str:
        return GROUPS[self.group]


@dataclass(frozen=True)
class WorkPlan:
    """The plan (:func:`work_plan`): items in order and the scenarios' applications used for the weighting."""

    items: tuple[PlanItem, ...]
    scenarios: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "scenarios", MappingProxyType(dict(self.scenarios)))

    def __iter__(self) -> Iterator[PlanItem]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def group(self, number: int) -> tuple[PlanItem, ...]:
        """The items of one group."""
        return tuple(i for i in self.items if i.group == number)

    def counts(self) -> dict[str, int]:
        """Number of items per group title."""
        return {title: sum(i.group == n for i in self.items) for n, title in GROUPS.items()}


# --------------------------------------------------------------------------- the plan


def work_plan(analysis, risks=None, scenarios: Mapping[str, tuple[str, ...]] | None = None) -> WorkPlan:
    """The ordered open work of an :class:`~grundschutz.method.analysis.Analysis` (see the module doc).

    ``risks`` defaults to the analysis' risk analysis, ``scenarios`` (name ->
    applications the scenario is about) to the scenarios of the assessment.
    Usually reached as ``analysis.plan``::

        plan = analyse(read_assessment("assessments/haan"), catalog).plan
        plan.counts()          # {'Schutzbedarf feststellen': 3, 'Risikoanalyse (vorrangig)': 72, ...}
        plan.items[0].reason   # 'Schutzbedarf nicht festgestellt (Verfügbarkeit); die Bewertung fließt ...'
    """
    if analysis.check is None:
        raise GrundschutzError("Der Arbeitsplan braucht den Katalog (Modellierung, Anforderungen, Check): "
                               "analyse() mit Katalogverzeichnis aufrufen.")
    risks = risks if risks is not None else analysis.risks
    if scenarios is None:
        scenarios = {name: s.applications for name, s in analysis.assessment.scenarios.items()}
    scenarios = dict(scenarios)
    rows: list[tuple[int, tuple, tuple[str, ...]]] = []  # (group, sort key, fields of _fields)
    rows += _unrated(analysis, scenarios)
    rows += _risk_analyses(analysis, risks)
    rows += _treatments(risks)
    rows.sort(key=lambda r: (r[0], r[1]))
    items = [PlanItem(n, group, *fields) for n, (group, _, fields) in enumerate(rows, start=1) if group < 4]
    for fields in _requirements(analysis):  # group 4: sorted already, made one line at a time
        items.append(PlanItem(len(items) + 1, 4, *fields))
    start = len(items)
    items += (PlanItem(start + n, group, *fields) for n, (group, _, fields) in enumerate(
        (row for row in rows if row[0] > 4), start=1))
    return WorkPlan(tuple(items), scenarios)


def _fields(kind: str, object: str, name: str, subject: str, title: str, level: str = "", need: str = "",
            role: str = "", status: str = "", reason: str = "") -> tuple[str, ...]:
    """The fields of a :class:`PlanItem` after ``rank`` and ``group``, as a tuple (a plan can have
    hundreds of thousands of lines)."""
    return kind, object, name, subject, title, level, need, role, status, reason


def _highest(needs: Mapping) -> Level | None:
    return max((v for v in needs.values() if v is not None), default=None)


def _need_rank(level: Level | None) -> int:
    return int(level) if level is not None else 0


def _reach(index, start: int, neighbours) -> list[int]:
    """Objects reachable from ``start`` (excluding it) by ``neighbours``."""
    seen = {start}
    queue = deque([start])
    while queue:
        for nxt in neighbours(queue.popleft()):
            if nxt not in seen:
                seen.add(nxt)
                queue.append(nxt)
    seen.discard(start)
    return sorted(seen)


def _ids(ids: list[str], limit: int = 5) -> str:
    shown = ", ".join(ids[:limit])
    return shown + (f", … (+{len(ids) - limit})" if len(ids) > limit else "")


def _count(number: int, singular: str, plural: str) -> str:
    """``kein Zielobjekt``, ``1 Zielobjekt``, ``3 Zielobjekte``."""
    if number == 0:
        return f"kein {singular}"
    return f"{number} {singular if number == 1 else plural}"


def _unrated(analysis, scenarios: Mapping[str, tuple[str, ...]]) -> list:
    propagation = analysis.propagation
    index = propagation.index
    rows = []
    for object_id in propagation.unrated():
        obj = analysis.assessment.objects[object_id]
        i = index.position[object_id]
        values = [v for v in BASIC_VALUES if propagation.level(object_id, v) is None]
        downstream = [index.ids[j] for j in _reach(index, i, lambda k: index.supports[k])]
        upstream = [index.ids[j] for j in _reach(index, i, lambda k: (a for a, _ in index.dependents[k]))]
        needed_by = [name for name, apps in scenarios.items() if object_id in apps]
        undecided = sum(1 for u in analysis.selection.undecided if u.object == object_id)
        noun = {ObjectType.APPLICATION: "die Anwendung", ObjectType.PROCESS: "den Geschäftsprozess"}.get(
            obj.type, "das Zielobjekt")
        parts = [f"Schutzbedarf nicht festgestellt ({', '.join(v.label for v in values)})"]
        if needed_by:
            names = ", ".join(f"'{n}'" for n in needed_by)
            parts.append(f"Szenario {names} braucht {noun}" if len(needed_by) == 1
                         else f"Szenarien {names} brauchen {noun}")
        if downstream:
            used = _count(len(downstream), "Zielobjekt, das davon genutzt wird",
                          "Zielobjekte, die davon genutzt werden")
            parts.append(f"die Bewertung fließt in {used} ({_ids(downstream)})")
        else:
            parts.append("es nutzt keine weiteren Zielobjekte")
        parts.append(f"{_count(len(upstream), 'Zielobjekt hängt', 'Zielobjekte hängen')} davon ab"
                     + (f" ({_ids(upstream)})" if upstream else ""))
        if undecided:
            parts.append(f"{_count(undecided, 'H-Anforderung bleibt', 'H-Anforderungen bleiben')} bis dahin "
                         "unentschieden")
        if obj.type not in _TYPE_ORDER:
            parts.append("kein bewertetes Objekt hängt davon ab: Abhängigkeiten prüfen oder direkt feststellen")
        fields = _fields(kind="schutzbedarf", object=object_id, name=obj.name,
                         subject=", ".join(v.label for v in values),
                         title=f"Schutzbedarf feststellen: {', '.join(v.label for v in values)}",
                         need="nicht bewertet", status="nicht bewertet", reason="; ".join(parts) + ".")
        key = (not needed_by, _TYPE_ORDER.get(obj.type, 2), -len(downstream), -len(upstream), object_id)
        rows.append((1, key, fields))
    return rows


def _risk_analyses(analysis, risks) -> list:
    index = analysis.propagation.index
    order = {object_id: n for n, object_id in enumerate(analysis.modelling.objects)}
    rows = []
    for entry in risks:
        if entry.complete:
            continue
        flagged = entry.flagged
        pressing = [k for k in _PRESSING_ORDER if k in flagged.kinds]
        very = sum(v is Level.SEHR_HOCH for v in flagged.needs.values())
        position = index.position.get(flagged.object)
        dependents = len(index.dependents[position]) if position is not None else 0
        open_count = len(entry.open)
        if entry.proposed:
            title = (f"Risikoanalyse: {open_count} von {len(entry.risks)} vorgeschlagenen elementaren Gefährdungen "
                     "bewerten oder als nicht relevant ausschließen")
        elif entry.risks:
            title = f"Risikoanalyse: {open_count} von {len(entry.risks)} Gefährdungen bewerten"
        else:
            title = ("Risikoanalyse: Gefährdungsübersicht aus den elementaren Gefährdungen zusammenstellen "
                     "und bewerten")
        if pressing:
            group = 2
            why = f"Vorrang vor den Anforderungen: {_PRESSING_WHY[pressing[0]]}"
            key = (_PRESSING_ORDER.index(pressing[0]), -very, -dependents, order[flagged.object])
        else:
            group = 5
            why = ("nach den Anforderungen: bei hohem Schutzbedarf decken die H-Anforderungen einen Teil ab, die "
                   "Risikoanalyse prüft, ob das reicht")
            key = (-_need_rank(flagged.highest), -dependents, order[flagged.object])
        reason = (f"{flagged.why}; {why}; {_count(dependents, 'Zielobjekt hängt', 'Zielobjekte hängen')} direkt "
                  "davon ab.")
        rows.append((group, key, _fields(kind="risikoanalyse", object=flagged.object, name=flagged.name,
                                         subject="Risikoanalyse", title=title,
                                         need=flagged.highest.label if flagged.highest else "nicht bewertet",
                                         status=entry.status, reason=reason)))
    return rows


def _treatments(risks) -> list:
    rows = []
    for n, risk in enumerate(risks.untreated):
        flagged = risks[risk.object].flagged
        reason = (f"Risiko {risk.category} (Häufigkeit {risk.frequency}, Auswirkung {risk.impact}) ohne Behandlung; "
                  "hohe und sehr hohe Risiken verlangen eine Entscheidung: vermeiden, reduzieren (mit zusätzlichen "
                  "Maßnahmen), transferieren oder akzeptieren (mit Begründung, durch die Leitung).")
        key = (0, -risk.category.rank, -_need_rank(flagged.highest), n)
        rows.append((3, key, _fields(kind="risikobehandlung", object=risk.object, name=flagged.name,
                                     subject=risk.threat, title=f"Risiko behandeln: {risk.threat} {risk.title}",
                                     need=flagged.highest.label if flagged.highest else "nicht bewertet",
                                     status="unbehandelt", reason=reason)))
    for n, risk in enumerate(risks.residual_unaccepted):
        flagged = risks[risk.object].flagged
        if risk.residual_category is not None:
            residual = (f"Restrisiko {risk.residual_category} (Häufigkeit danach {risk.residual_frequency}, "
                        f"Auswirkung danach {risk.residual_impact})")
        else:
            residual = f"Restrisiko nicht bewertet, Risiko vor der Behandlung {risk.category}"
        reason = (f"{residual} nach '{risk.treatment}'; ein hohes Restrisiko trägt die Leitung: übernehmen lassen "
                  "und in risks.csv 'accepted_by' und 'accepted_on' eintragen, oder weiter behandeln (BSI 200-3, "
                  "Risikobehandlung; Grundschutz++ RISK.1.9 Bestätigung des Restrisikos).")
        key = (1, -(risk.residual_category or risk.category).rank, -_need_rank(flagged.highest), n)
        rows.append((3, key, _fields(kind="restrisiko", object=risk.object, name=flagged.name, subject=risk.threat,
                                     title=f"Restrisiko übernehmen: {risk.threat} {risk.title}",
                                     need=flagged.highest.label if flagged.highest else "nicht bewertet",
                                     status="Restrisiko nicht übernommen", reason=reason)))
    return rows


def role_of(kompendium, requirement_id: str) -> str:
    """The responsible role(s) the Kompendium names for a requirement.

    The roles in brackets after the requirement's title, else the Baustein's
    "grundsätzlich zuständig" role; ``""`` if neither is given or the id is no
    Kompendium requirement (Grundschutz++ controls name no roles).
    """
    requirement = kompendium.requirements.get(requirement_id)
    if requirement is None:
        return ""
    if requirement.roles:
        return ", ".join(requirement.roles)
    return kompendium.bausteine[requirement.baustein].responsible_role or ""


def _requirements(analysis) -> Iterator[tuple[str, ...]]:
    """The fields (:func:`_fields`) of group 4, in plan order: the open entries are sorted by a
    light key first, their lines are made one at a time (a large check has hundreds of thousands)."""
    kompendium = analysis.kompendium
    selection = analysis.selection
    entries = analysis.check.entries
    order = {object_id: n for n, object_id in enumerate(analysis.modelling.objects)}
    names = {object_id: m.object.name for object_id, m in analysis.modelling.objects.items()}
    efforts = getattr(selection, "effort_levels", {})  # Grundschutz++ (GsppSelection)
    no_role = ("keine Rolle im Grundschutz++-Katalog" if analysis.assessment.settings.edition == "grundschutz++"
               else "keine Rolle genannt")
    opened = [n for n, entry in enumerate(entries) if not entry.status.implemented]
    roles = {requirement: role_of(kompendium, requirement) for requirement in {entries[n].requirement for n in opened}}
    needs = {object_id: _highest(selection.needs.get(object_id, {}))
             for object_id in {entries[n].object for n in opened}}
    # the sort key (level, need highest first, role, effort, modelling order, check order) packed into one int
    role_rank = _ranks((role == "", role.casefold()) for role in roles.values())
    effort_rank = _ranks((efforts.get(r) is None, efforts.get(r) or 0) for r in roles)
    widths = [max(len(role_rank), 1).bit_length(), max(len(effort_rank), 1).bit_length(),
              (len(order) + 1).bit_length(), len(entries).bit_length()]
    keys = []
    for n in opened:
        entry = entries[n]
        role, effort = roles[entry.requirement], efforts.get(entry.requirement)
        key = _LEVELS.get(entry.level, (len(_LEVELS),))[0] << 3 | (7 - _need_rank(needs[entry.object]))
        for width, part in zip(widths, (role_rank[(role == "", role.casefold())],
                                        effort_rank[(effort is None, effort or 0)],
                                        order.get(entry.object, len(order)), n), strict=True):
            key = key << width | part
        keys.append(key)
    del opened
    keys.sort()
    mask = (1 << widths[-1]) - 1
    texts: dict[str, str] = {}  # equal reasons share one string
    for key in keys:
        entry = entries[key & mask]
        need, role = needs[entry.object], roles[entry.requirement]
        effort = efforts.get(entry.requirement)
        need_text = need.label if need is not None else "nicht bewertet"
        words = _LEVELS.get(entry.level, (0, entry.level))[1]
        parts = [words, f"Schutzbedarf von {entry.object} {need_text}",
                 f"zuständig laut Kompendium: {role}" if role else f"zuständig: {no_role}"]
        if effort is not None:
            parts.append(f"Aufwand {effort} (effort_level, niedriger Aufwand zuerst)")
        parts.append(f"Status {entry.status.value}")
        reason = "; ".join(parts) + "."
        yield _fields(kind="anforderung", object=entry.object, name=names.get(entry.object, ""),
                      subject=entry.requirement, title=entry.title, level=entry.level, need=need_text, role=role,
                      status=entry.status.value, reason=texts.setdefault(reason, reason))


def _ranks(values) -> dict:
    """Each distinct value -> its place among them in sort order."""
    return {value: rank for rank, value in enumerate(sorted(set(values)))}
