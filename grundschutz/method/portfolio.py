"""The provider's view: what a shared service must protect across all its clients.

A municipality marks an object of its own assessment as standing for an
object of its provider (a KRZ) with the tag ``provider=<provider>:<object>``,
e.g. ``provider=krz-lemgo:DL-01``. After each municipality's propagation, its
final need of that object is what it requires of the provider's object.

:func:`summarise_client` keeps of one propagated assessment only what the
portfolio needs (the references and their needs with their origin), so many
assessments can be read one after another or in worker processes without
holding them. :func:`compute_portfolio` takes the provider's assessment and
the summaries and computes, per shared object and basic value:

- the **maximum over all client municipalities** (Maximumprinzip across
  clients), with the municipalities that set it, their object the value
  comes from and its reason;
- the **Kumulationseffekt across clients**: the rules under
  ``portfolio.cumulation`` of the provider's ``assessment.yaml`` raise an
  object that at least ``min_clients`` municipalities need at ``at_level`` or
  more to ``raise_to``; near misses are candidates. Only the provider sees it.

Nothing here reads files; summaries with problems (an unreadable folder) are
listed as excluded, never counted.

>>> from grundschutz.model import *
>>> from grundschutz.method.propagation import propagate
>>> krz = Assessment(Settings(portfolio=PortfolioSetting("krz")),
...                  {"DL-01": TargetObject("DL-01", ObjectType.SERVICE, "Hosting")})
>>> town = Assessment(Settings(organisation="Stadt A"), {
...     "APP-1": TargetObject("APP-1", ObjectType.APPLICATION, "Meldewesen"),
...     "DL-9": TargetObject("DL-9", ObjectType.SERVICE, "KRZ-Hosting", tags={"provider": "krz:DL-01"})},
...     (Dependency("APP-1", "DL-9"),), needs={"APP-1": {BasicValue.AVAILABILITY: Need(Level.HOCH, "Bürgerbüro")}})
>>> portfolio = compute_portfolio(krz, [summarise_client(propagate(town), "a", "a")])
>>> value = portfolio.object("DL-01").value(BasicValue.AVAILABILITY)
>>> value.level.label, [(d.client_name, d.origin, d.reason) for d in value.drivers]
('hoch', [('Stadt A', 'APP-1', 'Bürgerbüro')])
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from grundschutz.method.propagation import CumulationEvent
from grundschutz.model import (
    BASIC_VALUES,
    Assessment,
    BasicValue,
    CumulationRule,
    Level,
    PortfolioSetting,
    Problem,
    TargetObject,
)

#: The tag key of a reference to a provider's object (any case): ``provider=<provider>:<object>``.
PROVIDER_TAG = "provider"
#: How every reason the portfolio writes into the provider's ``needs.csv`` begins.
GENERATED_MARK = "[Portfolio]"
_SHOWN_NAMES = 5
_REASON_LIMIT = 300


# --------------------------------------------------------------------------- a client, summarised


@dataclass(frozen=True, slots=True)
class ProviderReference:
    """``provider=<provider>:<object>`` of a client's object; ``object`` is ``""`` if the value has no ``:``.

    >>> ProviderReference.parse(" krz-lemgo : DL-01 ")
    ProviderReference(provider='krz-lemgo', object='DL-01')
    """

    provider: str
    object: str

    @classmethod
    def parse(cls, value: str) -> ProviderReference:
        """Split a tag value at the first ``:``."""
        provider, _, object_id = value.partition(":")
        return cls(provider.strip(), object_id.strip())

    @classmethod
    def of(cls, obj: TargetObject) -> ProviderReference | None:
        """The reference of an object (tag key in any case), ``None`` without a valued ``provider`` tag."""
        for key, value in obj.tags.items():
            if key.casefold() == PROVIDER_TAG and value.strip():
                return cls.parse(value)
        return None

    def __str__(self) -> str:
        return f"{self.provider}:{self.object}"


@dataclass(frozen=True, slots=True)
class ClientNeed:
    """A client's final need of one basic value of its object, and where it comes from.

    ``origin`` is the client's object the value comes from (the object
    itself where it is assessed there), ``reason`` the reason given there.
    """

    level: Level | None
    origin: str = ""
    origin_name: str = ""
    reason: str = ""


@dataclass(frozen=True, slots=True)
class SharedUse:
    """A client's object that stands for a provider's object, with its final needs (C, I, A)."""

    reference: ProviderReference
    object: str
    name: str
    needs: tuple[ClientNeed, ...]

    def need(self, value: BasicValue) -> ClientNeed:
        """The need of one basic value."""
        return self.needs[BASIC_VALUES.index(value)]


@dataclass(frozen=True, slots=True)
class ClientSummary:
    """What the portfolio needs of one assessment: its name, references and needs, or its problems.

    ``source`` is the path read (unique), ``key`` its short name (the folder
    name), ``name`` the institution (``organisation``, else ``name`` of its
    ``assessment.yaml``). With ``problems`` the assessment could not be read
    and is excluded. ``portfolio`` is set where the folder is a provider.
    """

    source: str
    key: str
    name: str
    objects: int = 0
    uses: tuple[SharedUse, ...] = ()
    problems: tuple[Problem, ...] = ()
    portfolio: PortfolioSetting | None = None

    @property
    def ok(self) -> bool:
        """Whether the assessment was read (and is counted)."""
        return not self.problems


def summarise_client(propagation, source: str, key: str) -> ClientSummary:
    """The :class:`ClientSummary` of a propagated assessment: every object with a ``provider`` reference,
    with the final need of each basic value and its origin."""
    assessment = propagation.assessment
    objects = assessment.objects
    uses = []
    for object_id in sorted(objects):
        reference = ProviderReference.of(objects[object_id])
        if reference is None:
            continue
        needs = []
        for value in BASIC_VALUES:
            d = propagation.derivation(object_id, value)
            origin = d.origin or ""
            needs.append(ClientNeed(d.level, origin, objects[origin].name if origin else "", d.reason))
        uses.append(SharedUse(reference, object_id, objects[object_id].name, tuple(needs)))
    settings = assessment.settings
    return ClientSummary(source, key, settings.organisation or settings.name or key, len(objects), tuple(uses),
                         portfolio=settings.portfolio)


# --------------------------------------------------------------------------- the portfolio


@dataclass(frozen=True, slots=True)
class ClientUse:
    """One client municipality's use of one provider object: its objects and, per basic value,
    its highest need over them (see :class:`ClientNeed`)."""

    client: str
    client_name: str
    objects: tuple[str, ...]
    needs: tuple[ClientNeed, ...]
    via: tuple[str, ...] = ()
    via_clients: tuple[str, ...] = ()

    def need(self, value: BasicValue) -> ClientNeed:
        """The client's need of one basic value."""
        return self.needs[BASIC_VALUES.index(value)]

    def via_object(self, value: BasicValue) -> str:
        """The client's object (of :attr:`objects`) whose value is :meth:`need`."""
        return self.via[BASIC_VALUES.index(value)]

    def via_client(self, value: BasicValue) -> str:
        """The folder of :meth:`via_object`: :attr:`client`, or another assessment of the same institution."""
        return self.via_clients[BASIC_VALUES.index(value)] if self.via_clients else self.client


@dataclass(frozen=True, slots=True)
class Driver:
    """A client at the maximum of a basic value: who, through which of its objects, and why."""

    client: str
    client_name: str
    object: str
    origin: str
    origin_name: str
    reason: str


@dataclass(frozen=True)
class ClientCumulation(CumulationEvent):
    """A rule across clients that raised a provider object (or nearly did: a candidate).

    The counted ``dependents`` are municipalities (their folders, also
    :attr:`clients`); ``client_names`` are their names; ``count`` how many.
    """

    client_names: tuple[str, ...] = ()

    @property
    def clients(self) -> tuple[str, ...]:
        """The counted municipalities (their folders)."""
        return self.dependents


@dataclass(frozen=True)
class InheritedValue:
    """One basic value of a shared object: the clients' maximum, who set it, and the inherited level.

    ``level`` is ``maximum`` unless a rule across clients raised it
    (``cumulation``); ``None`` where no client rated the value.
    """

    basic_value: BasicValue
    maximum: Level | None
    level: Level | None
    drivers: tuple[Driver, ...]
    rated: int
    cumulation: ClientCumulation | None = None


@dataclass(frozen=True)
class SharedObject:
    """A provider object that clients use: the provider's object, the clients' uses and per basic value
    the inherited need."""

    id: str
    name: str
    type: str
    clients: tuple[ClientUse, ...]
    values: tuple[InheritedValue, ...]

    def value(self, basic_value: BasicValue) -> InheritedValue:
        """The inherited need of one basic value."""
        return self.values[BASIC_VALUES.index(basic_value)]

    @property
    def inherited(self) -> dict[BasicValue, Level | None]:
        """The inherited level per basic value (``None``: no client rated it)."""
        return {v.basic_value: v.level for v in self.values}


@dataclass(frozen=True)
class PortfolioNote:
    """A reference the portfolio could not use (the client is counted with its other references), or
    one it counted once with another assessment of the same institution."""

    client: str
    client_name: str
    object: str
    value: str
    message: str

    def __str__(self) -> str:
        return f"{self.client_name} ({self.client}), {self.object}, Tag 'provider={self.value}': {self.message}"


@dataclass(frozen=True)
class Portfolio:
    """The result of :func:`compute_portfolio`.

    ``objects``: the shared objects in id order; ``clients``: the
    assessments read (in name order), ``excluded`` those with problems (not
    counted); ``notes``: references that could not be used; ``cumulations``
    and ``candidates``: the rules across clients that fired or nearly did.
    """

    provider: str
    provider_name: str
    provider_source: str
    objects: tuple[SharedObject, ...]
    clients: tuple[ClientSummary, ...]
    excluded: tuple[ClientSummary, ...] = ()
    notes: tuple[PortfolioNote, ...] = ()
    cumulations: tuple[ClientCumulation, ...] = ()
    candidates: tuple[ClientCumulation, ...] = ()

    def object(self, object_id: str) -> SharedObject:
        """The shared object with this provider id; :class:`KeyError` if no client uses it."""
        for shared in self.objects:
            if shared.id == object_id:
                return shared
        raise KeyError(object_id)

    @property
    def users(self) -> tuple[ClientSummary, ...]:
        """The clients that use at least one shared object."""
        using = {use.client for shared in self.objects for use in shared.clients}
        return tuple(c for c in self.clients if c.source in using)


def compute_portfolio(provider: Assessment, clients: Iterable[ClientSummary], *, provider_id: str = "",
                      provider_source: str = "") -> Portfolio:
    """The portfolio of ``provider`` over the ``clients`` (summaries of :func:`summarise_client`).

    ``provider_id`` is the key the clients' references use (default: the
    provider's ``portfolio.id``). A summary with problems is excluded; the
    provider's own summary, if among the clients, is skipped. Clients are
    ordered by name, then source. An institution (``name``) counts once per
    provider object even where several of its assessments refer to it (e.g.
    a Kompendium assessment and a Grundschutz++ excerpt of the same town): per
    basic value its highest need counts, under its first folder, and a note
    names the other folders.
    """
    setting = provider.settings.portfolio or PortfolioSetting()
    key = provider_id or setting.id
    if not key:
        raise ValueError("Der Anbieter hat keine Kennung: provider_id angeben oder portfolio.id setzen")
    ordered = sorted(clients, key=lambda c: (c.name.casefold(), c.source))
    source = provider_source or provider.source
    included = tuple(c for c in ordered if c.ok and c.source != source)
    excluded = tuple(c for c in ordered if not c.ok and c.source != source)
    uses: dict[str, dict[str, list[tuple[str, SharedUse]]]] = {}
    notes = []
    institutions: dict[str, str] = {}  # an institution (its name) counts once: its first folder in name order
    for client in included:
        for use in client.uses:
            reference = use.reference
            if reference.provider.casefold() != key.casefold():
                continue
            if not reference.object:
                message = f"Verweis ohne Zielobjekt (Form provider={key}:<Zielobjekt>)"
            elif reference.object not in provider.objects:
                message = f"Zielobjekt '{reference.object}' gibt es beim Anbieter {key} nicht"
            else:
                first = institutions.setdefault(client.name.casefold(), client.source)
                uses.setdefault(reference.object, {}).setdefault(first, []).append((client.source, use))
                if first == client.source:
                    continue
                message = (f"dieselbe Institution wie {first}: für {reference.object} einmal gezählt, "
                           "je Grundwert mit dem höchsten Wert ihrer Bewertungen")
            notes.append(PortfolioNote(client.source, client.name, use.object, str(reference).rstrip(":"), message))
    names = {c.source: c.name for c in included}
    shared, cumulations, candidates = [], [], []
    for object_id in sorted(uses):
        obj = provider.objects[object_id]
        by_client = uses[object_id]
        client_uses = tuple(_client_use(source, names[source], by_client[source])
                            for source in (c.source for c in included) if source in by_client)
        values = []
        for value in BASIC_VALUES:
            inherited, fired, near = _inherit(obj, value, client_uses, setting.cumulation)
            values.append(inherited)
            cumulations.extend(fired)
            candidates.extend(near)
        shared.append(SharedObject(object_id, obj.name, obj.type.value, client_uses, tuple(values)))
    provider_name = provider.settings.organisation or provider.settings.name or key
    return Portfolio(key, provider_name, source, tuple(shared), included, excluded, tuple(notes),
                     tuple(cumulations), tuple(candidates))


def _client_use(source: str, name: str, uses: list[tuple[str, SharedUse]]) -> ClientUse:
    """One client's uses of one provider object (``(folder, use)``; several folders where one
    institution keeps several assessments), merged: per basic value its highest need (on a tie, the
    first folder, then the object with the lowest id)."""
    uses = sorted(uses, key=lambda pair: (pair[0] != source, pair[0], pair[1].object))
    needs, via, via_clients = [], [], []
    for value in BASIC_VALUES:
        folder, best = uses[0]
        for other, use in uses[1:]:
            if int(use.need(value).level or 0) > int(best.need(value).level or 0):
                folder, best = other, use
        needs.append(best.need(value))
        via.append(best.object)
        via_clients.append(folder)
    objects = tuple(dict.fromkeys(u.object for _, u in uses))
    return ClientUse(source, name, objects, tuple(needs), tuple(via), tuple(via_clients))


def _inherit(obj: TargetObject, value: BasicValue, client_uses: tuple[ClientUse, ...],
             rules: tuple[CumulationRule, ...]):
    """Maximum over the clients, then the rules across clients in file order (each only raises, a later
    rule sees what an earlier one did): the value, the rules that fired and the candidates."""
    rated = [(u, u.need(value)) for u in client_uses if u.need(value).level is not None]
    maximum = max((n.level for _, n in rated), default=None)
    drivers = tuple(Driver(u.via_client(value), u.client_name, u.via_object(value), n.origin, n.origin_name, n.reason)
                    for u, n in rated if n.level == maximum)
    level, fired, near = maximum, [], []
    for rule in rules:
        if rule.basic_value is not value or not rule.applies_to(obj):
            continue
        if level is not None and level >= rule.raise_to:
            continue
        counted = [u for u, n in rated if n.level >= rule.at_level]
        clients, names = tuple(u.client for u in counted), tuple(u.client_name for u in counted)
        if len(counted) >= rule.min_dependents:
            fired.append(ClientCumulation(obj.id, value, rule, clients, level, rule.raise_to, names))
            level = rule.raise_to
        elif counted and len(counted) >= rule.min_dependents - rule.candidate_margin:
            near.append(ClientCumulation(obj.id, value, rule, clients, level, level, names))
    cumulation = fired[-1] if fired else None
    return InheritedValue(value, maximum, level, drivers, len(rated), cumulation), fired, near


# --------------------------------------------------------------------------- the generated reason


def _names(names: list[str]) -> str:
    shown = ", ".join(names[:_SHOWN_NAMES])
    return shown + (f" (+{len(names) - _SHOWN_NAMES} weitere)" if len(names) > _SHOWN_NAMES else "")


def _clip(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _REASON_LIMIT else text[: _REASON_LIMIT - 1].rstrip() + "…"


def _municipalities(n: int) -> str:
    return f"{n} Kommune" if n == 1 else f"{n} Kommunen"


def inherited_reason(shared: SharedObject, value: BasicValue) -> str:
    """The reason written with an inherited need, beginning with :data:`GENERATED_MARK` (German).

    ``[Portfolio] geerbt von 3 Kommunen; höchster Wert hoch: Stadt Haan, APP-01
    (MESO): <reason> Ebenfalls hoch: …``; with a cumulation across clients the
    rule, the count and its reason come first.
    """
    inherited = shared.value(value)
    if inherited.level is None:
        return ""
    parts = [GENERATED_MARK]
    used = len(shared.clients)
    rated = "" if inherited.rated == used else f" ({inherited.rated} davon bewertet)"
    c = inherited.cumulation
    if c is not None:
        before = c.before.label if c.before else "nicht bewertet"
        parts.append(f"Kumulationseffekt über Kommunen ({c.rule.name}): {_municipalities(c.count)} mit mindestens "
                     f"{c.rule.at_level.label} (Schwelle {c.rule.min_dependents}), angehoben von {before} auf "
                     f"{c.after.label}." + (f" {_clip(c.rule.reason)}" if c.rule.reason else ""))
    first = inherited.drivers[0]
    origin = f"{first.origin} ({first.origin_name})" if first.origin else first.object
    parts.append(f"Geerbt von {_municipalities(used)}{rated}; höchster Wert {inherited.maximum.label}: "
                 f"{first.client_name}, {origin}: {_clip(first.reason) or '(keine Begründung)'}")
    others = [d.client_name for d in inherited.drivers[1:]]
    if others:
        parts.append(f"Ebenfalls {inherited.maximum.label}: {_names(others)}.")
    return " ".join(parts)


def inherited_needs(portfolio: Portfolio) -> Mapping[str, dict[BasicValue, tuple[Level, str]]]:
    """Per shared object the inherited level and generated reason of each basic value some client rated."""
    return {shared.id: {v: (shared.value(v).level, inherited_reason(shared, v)) for v in BASIC_VALUES
                        if shared.value(v).level is not None}
            for shared in portfolio.objects}
