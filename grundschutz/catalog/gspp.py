"""Reader for Grundschutz++ catalogs and profiles in OSCAL JSON (BSI Stand-der-Technik-Bibliothek).

Handles the source catalogs (Kernel, Methodik, Risikomanagement), resolved
catalogs (the user catalog "Anwenderkatalog Grundschutz++", the WLAN sample
with the G0 props) and the Grundschutz++ profile.

Per control the BSI's properties are read: ``sec_level`` and ``effort_level``
(control props), ``modal_verb``, ``action_word``, ``result``,
``result_specification``, ``documentation`` and ``target_object_categories``
(statement props), ``tags``, and where present the G0 props
``confidentiality``/``integrity``/``availability``/``authenticity`` (0-2) and
``threats`` ("G 0.16, G 0.18, …").
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from typing import Any

from grundschutz.catalog._common import (
    UnknownIdError,
    invalid_file,
    normalise_space,
    normalise_threat_id,
    read_bytes,
    split_outside_parentheses,
)
from grundschutz.model.errors import CatalogError

_INSERT_PARAM = re.compile(r"\{\{\s*insert:\s*param,\s*([^\s}]+)\s*\}\}")
#: Security-target props of the Kernel-G0 catalog, value 0-2 each.
SECURITY_TARGETS: tuple[str, ...] = ("confidentiality", "integrity", "availability", "authenticity")


@dataclass(frozen=True)
class Param:
    """An OSCAL parameter of a control: id, label and set values (if any)."""

    id: str
    label: str | None
    values: tuple[str, ...] = ()


@dataclass(frozen=True)
class Link:
    """A link of a control (``rel`` is e.g. ``related`` or ``required``)."""

    rel: str | None
    href: str
    text: str | None = None

    @property
    def target(self) -> str:
        """The linked id for a fragment link (``#ARCH.2.4`` -> ``ARCH.2.4``), else the href."""
        return self.href[1:] if self.href.startswith("#") else self.href


@dataclass(frozen=True)
class Group:
    """A group (practice / topic) of an OSCAL catalog.

    ``path`` holds the group ids from the top down to and including this one.
    ``control_ids`` are the top-level controls directly in this group.
    """

    id: str
    title: str
    group_class: str | None
    label: str | None
    parent_id: str | None
    path: tuple[str, ...]
    control_ids: tuple[str, ...]
    subgroup_ids: tuple[str, ...]


@dataclass(frozen=True)
class Control:
    """A Grundschutz++ control with the BSI properties.

    ``statement`` is the statement prose with ``{{ insert: param, … }}``
    replaced by the parameter's values or, if unset, by ``[label]``;
    ``statement_prose`` is the raw prose. ``group_path`` are the ids of the
    enclosing groups (top down); ``parent_id`` is the enclosing control of a
    nested control. ``effort_level`` is an int 0-5. The G0 props
    (``confidentiality`` … ``authenticity`` as int 0-2, ``threats`` as
    ``"G 0.n"`` ids in file order) are ``None``/empty where absent.
    ``props`` keeps all control-level props as ``(name, value)`` pairs.
    """

    id: str
    title: str
    control_class: str | None
    group_path: tuple[str, ...]
    parent_id: str | None
    label: str | None
    alt_identifier: str | None
    statement: str
    statement_prose: str
    guidance: str
    modal_verb: str | None
    action_word: str | None
    result: str | None
    result_specification: str | None
    documentation: str | None
    sec_level: str | None
    effort_level: int | None
    target_categories: tuple[str, ...]
    tags: tuple[str, ...]
    links: tuple[Link, ...]
    params: tuple[Param, ...]
    confidentiality: int | None = None
    integrity: int | None = None
    availability: int | None = None
    authenticity: int | None = None
    threats: tuple[str, ...] = ()
    props: tuple[tuple[str, str], ...] = ()

    def linked(self, rel: str) -> tuple[str, ...]:
        """Ids of the controls linked with relation ``rel`` (e.g. ``"related"``)."""
        return tuple(link.target for link in self.links if link.rel == rel)


@dataclass(frozen=True)
class OscalCatalog:
    """An OSCAL catalog: metadata plus groups and controls by id, in document order.

    ``controls`` includes nested child controls. The dicts are read-only by convention.
    """

    uuid: str | None
    title: str
    version: str | None
    last_modified: str | None
    oscal_version: str | None
    groups: dict[str, Group]
    controls: dict[str, Control]

    def control(self, control_id: str) -> Control:
        """Return the control ``control_id``; raise :class:`UnknownIdError` if absent."""
        try:
            return self.controls[control_id.strip()]
        except KeyError:
            raise UnknownIdError(
                f"Control '{control_id}' gibt es im Katalog '{self.title}' nicht"
            ) from None

    def get(self, item_id: str) -> Control | Group:
        """Return the control or group with this id; :class:`UnknownIdError` if neither."""
        key = item_id.strip()
        if key in self.controls:
            return self.controls[key]
        if key in self.groups:
            return self.groups[key]
        raise UnknownIdError(f"'{item_id}' ist weder Control noch Gruppe im Katalog '{self.title}'")

    def children_of(self, control_id: str) -> tuple[Control, ...]:
        """Return the direct child controls of a control."""
        self.control(control_id)
        return tuple(c for c in self.controls.values() if c.parent_id == control_id.strip())

    def controls_in_group(self, group_id: str) -> tuple[Control, ...]:
        """Return all controls (nested ones included) below a group, in document order."""
        key = group_id.strip()
        if key not in self.groups:
            raise UnknownIdError(f"Gruppe '{group_id}' gibt es im Katalog '{self.title}' nicht")
        return tuple(c for c in self.controls.values() if key in c.group_path)


@dataclass(frozen=True)
class ProfileImport:
    """One import of an OSCAL profile.

    ``href`` is as written (often ``#<uuid>`` of a back-matter resource);
    ``resource_href`` is the resolved file reference from the back-matter.
    ``include_ids`` lists ``include-controls/with-ids``; ``with_child_controls``
    is ``"yes"``/``"no"``/``None`` as in the file.
    """

    href: str
    resource_href: str | None
    include_all: bool
    include_ids: tuple[str, ...]
    with_child_controls: str | None
    exclude_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class OscalProfile:
    """An OSCAL profile: metadata, imports, merge flag and set parameters."""

    uuid: str | None
    title: str
    version: str | None
    last_modified: str | None
    oscal_version: str | None
    imports: tuple[ProfileImport, ...]
    merge_as_is: bool | None
    set_parameters: dict[str, tuple[str, ...]]
    props: tuple[tuple[str, str], ...]


# --------------------------------------------------------------------------- reading


def load_oscal_json(data: bytes, source: str = "<bytes>") -> dict[str, Any]:
    """Decode OSCAL JSON bytes into a dict; :class:`CatalogError` if not a JSON object."""
    try:
        document = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CatalogError(f"{source}: {invalid_file('JSON', exc)}") from exc
    if not isinstance(document, dict):
        raise CatalogError(f"{source}: JSON-Objekt erwartet, gefunden {type(document).__name__}")
    return document


def read_oscal_catalog(path: str | os.PathLike[str]) -> OscalCatalog:
    """Read an OSCAL catalog JSON file (source, resolved or user catalog).

    Raises :class:`~grundschutz.model.errors.CatalogError` naming the path for a
    missing file, invalid JSON or a document that is not an OSCAL catalog.
    """
    data = read_bytes(path, "OSCAL-Katalog")
    return parse_oscal_catalog(data, source=str(path))


def parse_oscal_catalog(data: bytes, source: str = "<bytes>") -> OscalCatalog:
    """Parse an OSCAL catalog given as JSON bytes (pure); ``source`` names it in errors."""
    document = load_oscal_json(data, source)
    catalog = document.get("catalog")
    if not isinstance(catalog, dict):
        found = ", ".join(sorted(document)) or "nichts"
        raise CatalogError(f"{source}: kein OSCAL-Katalog (Schlüssel 'catalog' fehlt; gefunden: {found})")
    try:
        return _build_catalog(catalog, source)
    except CatalogError:
        raise
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise CatalogError(f"{source}: OSCAL-Katalog unerwartet aufgebaut ({exc!r})") from exc


def read_oscal_profile(path: str | os.PathLike[str]) -> OscalProfile:
    """Read an OSCAL profile JSON file; :class:`CatalogError` naming the path on failure."""
    data = read_bytes(path, "OSCAL-Profil")
    return parse_oscal_profile(data, source=str(path))


def parse_oscal_profile(data: bytes, source: str = "<bytes>") -> OscalProfile:
    """Parse an OSCAL profile given as JSON bytes (pure); ``source`` names it in errors."""
    document = load_oscal_json(data, source)
    profile = document.get("profile")
    if not isinstance(profile, dict):
        found = ", ".join(sorted(document)) or "nichts"
        raise CatalogError(f"{source}: kein OSCAL-Profil (Schlüssel 'profile' fehlt; gefunden: {found})")
    try:
        return _build_profile(profile)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise CatalogError(f"{source}: OSCAL-Profil unerwartet aufgebaut ({exc!r})") from exc


# --------------------------------------------------------------------------- internals


def _props(item: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    return tuple((str(p["name"]), str(p.get("value", ""))) for p in item.get("props", ()))


def _first(props: tuple[tuple[str, str], ...], name: str) -> str | None:
    for key, value in props:
        if key == name:
            return value
    return None


def _comma_list(value: str | None) -> tuple[str, ...]:
    if not value:
        return ()
    return tuple(dict.fromkeys(split_outside_parentheses(value)))


def _build_catalog(catalog: dict[str, Any], source: str) -> OscalCatalog:
    metadata = catalog.get("metadata", {})
    groups: dict[str, Group] = {}
    raw_controls: list[tuple[dict[str, Any], tuple[str, ...], str | None]] = []

    def walk_controls(items, path, parent):
        """Collect controls depth-first with their group path and parent control."""
        for control in items:
            raw_controls.append((control, path, parent))
            walk_controls(control.get("controls", ()), path, control["id"])

    def walk_group(group, parent_path):
        """Record a group and walk its controls and subgroups."""
        path = parent_path + (group["id"],)
        props = _props(group)
        groups[group["id"]] = Group(
            id=group["id"],
            title=normalise_space(group.get("title", "")),
            group_class=group.get("class"),
            label=_first(props, "label"),
            parent_id=parent_path[-1] if parent_path else None,
            path=path,
            control_ids=tuple(c["id"] for c in group.get("controls", ())),
            subgroup_ids=tuple(g["id"] for g in group.get("groups", ())),
        )
        walk_controls(group.get("controls", ()), path, None)
        for subgroup in group.get("groups", ()):
            walk_group(subgroup, path)

    for group in catalog.get("groups", ()):
        walk_group(group, ())
    walk_controls(catalog.get("controls", ()), (), None)

    params = {
        p["id"]: Param(p["id"], p.get("label"), tuple(str(v) for v in p.get("values", ())))
        for control, _, _ in raw_controls
        for p in control.get("params", ())
    }
    controls: dict[str, Control] = {}
    for control, path, parent in raw_controls:
        if control["id"] in controls:
            raise CatalogError(f"{source}: Control {control['id']} kommt doppelt vor")
        controls[control["id"]] = _build_control(control, path, parent, params, source)
    return OscalCatalog(
        uuid=catalog.get("uuid"),
        title=metadata.get("title", ""),
        version=metadata.get("version"),
        last_modified=metadata.get("last-modified"),
        oscal_version=metadata.get("oscal-version"),
        groups=groups,
        controls=controls,
    )


def _resolve_prose(prose: str, params: dict[str, Param]) -> str:
    def substitute(match: re.Match[str]) -> str:
        """Replacement text for one ``{{ insert: param, id }}``."""
        param = params.get(match.group(1))
        if param is None:
            return f"[{match.group(1)}]"
        if param.values:
            return ", ".join(param.values)
        return f"[{param.label or param.id}]"

    return _INSERT_PARAM.sub(substitute, prose)


def _int_prop(props, name: str, allowed: range, control_id: str, source: str) -> int | None:
    value = _first(props, name)
    if value is None or value.strip() == "":
        return None
    try:
        number = int(value.strip())
    except ValueError:
        number = None
    if number is None or number not in allowed:
        raise CatalogError(
            f"{source}: Control {control_id}: '{name}' = {value!r} ist keine Zahl "
            f"{allowed.start}-{allowed.stop - 1}"
        )
    return number


def _build_control(
    control: dict[str, Any],
    path: tuple[str, ...],
    parent: str | None,
    params: dict[str, Param],
    source: str,
) -> Control:
    control_id = control["id"]
    props = _props(control)
    parts = {part.get("name"): part for part in control.get("parts", ())}
    statement = parts.get("statement", {})
    statement_props = _props(statement)
    prose = statement.get("prose", "")
    threats = []
    for raw in _comma_list(_first(props, "threats")):
        threat = normalise_threat_id(raw)
        if threat is None:
            raise CatalogError(f"{source}: Control {control_id}: unbekannte Gefährdung {raw!r}")
        threats.append(threat)
    security = {
        name: _int_prop(props, name, range(0, 3), control_id, source) for name in SECURITY_TARGETS
    }
    return Control(
        id=control_id,
        title=normalise_space(control.get("title", "")),
        control_class=control.get("class"),
        group_path=path,
        parent_id=parent,
        label=_first(props, "label"),
        alt_identifier=_first(props, "alt-identifier"),
        statement=normalise_space(_resolve_prose(prose, params)),
        statement_prose=prose,
        guidance=parts.get("guidance", {}).get("prose", ""),
        modal_verb=_first(statement_props, "modal_verb"),
        action_word=_first(statement_props, "action_word"),
        result=_first(statement_props, "result"),
        result_specification=_first(statement_props, "result_specification"),
        documentation=_first(statement_props, "documentation"),
        sec_level=_first(props, "sec_level"),
        effort_level=_int_prop(props, "effort_level", range(0, 6), control_id, source),
        target_categories=_comma_list(_first(statement_props, "target_object_categories")),
        tags=_comma_list(_first(props, "tags")),
        links=tuple(
            Link(link.get("rel"), link["href"], link.get("text"))
            for link in control.get("links", ())
        ),
        params=tuple(params[p["id"]] for p in control.get("params", ())),
        threats=tuple(dict.fromkeys(threats)),
        props=props,
        **security,
    )


def _build_profile(profile: dict[str, Any]) -> OscalProfile:
    metadata = profile.get("metadata", {})
    resources = {
        resource["uuid"]: resource
        for resource in profile.get("back-matter", {}).get("resources", ())
    }
    imports = []
    for item in profile.get("imports", ()):
        href = item["href"]
        resource_href = None
        if href.startswith("#") and href[1:] in resources:
            rlinks = resources[href[1:]].get("rlinks", ())
            resource_href = rlinks[0]["href"] if rlinks else None
        include_ids: list[str] = []
        with_child: str | None = None
        for selection in item.get("include-controls", ()):
            include_ids.extend(selection.get("with-ids", ()))
            with_child = selection.get("with-child-controls", with_child)
        exclude_ids = [
            cid for selection in item.get("exclude-controls", ()) for cid in selection.get("with-ids", ())
        ]
        imports.append(
            ProfileImport(
                href=href,
                resource_href=resource_href,
                include_all="include-all" in item,
                include_ids=tuple(include_ids),
                with_child_controls=with_child,
                exclude_ids=tuple(exclude_ids),
            )
        )
    merge = profile.get("merge", {})
    set_parameters = {
        entry["param-id"]: tuple(str(v) for v in entry.get("values", ()))
        for entry in profile.get("modify", {}).get("set-parameters", ())
    }
    return OscalProfile(
        uuid=profile.get("uuid"),
        title=metadata.get("title", ""),
        version=metadata.get("version"),
        last_modified=metadata.get("last-modified"),
        oscal_version=metadata.get("oscal-version"),
        imports=tuple(imports),
        merge_as_is=merge.get("as-is") if "as-is" in merge else None,
        set_parameters=set_parameters,
        props=_props(metadata),
    )
