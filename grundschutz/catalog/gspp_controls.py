"""The Grundschutz++ controls in force and the Zielobjekt-Kategorien.

:func:`gspp_catalog` resolves the Grundschutz++ profile against the installed
source catalogs (Methodik, the profile's RISK controls and the Kernel standing
in for the Kernel-G0 catalog, which the pinned files lack: same controls, no
G0 props); if the profile cannot be resolved, it takes the BSI-resolved user
catalog. It adds the Zielobjekt-Kategorien with their hierarchy
(``target_object_categories.csv``). :meth:`Catalog.gspp
<grundschutz.catalog.loading.Catalog.gspp>` keeps the result.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import PurePosixPath
from types import MappingProxyType
from typing import TYPE_CHECKING

from grundschutz.catalog._common import read_bytes
from grundschutz.catalog.gspp import Control, Group
from grundschutz.catalog.sources import INSTALL_HINT, official_sources
from grundschutz.model.errors import CatalogError, GrundschutzError

if TYPE_CHECKING:
    from grundschutz.catalog.loading import Catalog

#: Where the controls come from: ``auto`` (profile, else user catalog), ``profile``, ``user-catalog``.
CONTROL_SOURCES = ("auto", "profile", "user-catalog")
_CATEGORIES_KEY = "target-object-categories"
_USER_CATALOG_KEY = "gspp-user-catalog"
_PROFILE_KEY = "gspp-profile"


@dataclass(frozen=True)
class Category:
    """A Zielobjekt-Kategorie of the BSI vocabulary; ``parent`` is its parent category."""

    name: str
    definition: str = ""
    type: str = ""
    kind: str = ""
    parent: str | None = None


@dataclass(frozen=True)
class GsppCatalog:
    """The Grundschutz++ controls in force and the Zielobjekt-Kategorien.

    ``controls`` in catalog order (nested controls included), ``groups`` of
    the catalogs they come from, ``categories`` by name (the BSI vocabulary
    plus any category a control names). ``source`` says in German where the
    controls come from, ``notes`` any substitution made while resolving.
    """

    title: str
    version: str | None
    source: str
    controls: Mapping[str, Control]
    groups: Mapping[str, Group]
    categories: Mapping[str, Category]
    notes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for name in ("controls", "groups", "categories"):
            object.__setattr__(self, name, MappingProxyType(dict(getattr(self, name))))

    def __len__(self) -> int:
        return len(self.controls)

    def ancestors(self, name: str) -> tuple[str, ...]:
        """The parent categories of ``name``, nearest first."""
        result: list[str] = []
        current = self.categories.get(name)
        while current is not None and current.parent and current.parent not in result and current.parent != name:
            result.append(current.parent)
            current = self.categories.get(current.parent)
        return tuple(result)

    def path(self, name: str) -> str:
        """``IT-Systeme > Hostsysteme``: the category below its ancestors."""
        return " > ".join([*reversed(self.ancestors(name)), name])

    @staticmethod
    def group_of(control: Control) -> str:
        """The innermost group of a control (``ASST.2``), ``""`` if none."""
        return control.group_path[-1] if control.group_path else ""


def control_cia(control: Control) -> str:
    """The basic values a control addresses by its G0 props (value 1 or 2), as letters.

    Empty when the control carries no G0 props (the Kernel and the user catalog).
    """
    values = (("C", control.confidentiality), ("I", control.integrity), ("A", control.availability))
    return "".join(letter for letter, value in values if value)


def gspp_catalog(catalog: Catalog, source: str = "auto") -> GsppCatalog:
    """The Grundschutz++ controls and categories of an installed catalog directory.

    ``source="profile"`` resolves the Grundschutz++ profile against the source
    catalogs (a ``-G0-`` catalog that is not installed is replaced by the
    plain one, noted in :attr:`GsppCatalog.notes`); ``"user-catalog"`` takes
    the BSI-resolved user catalog; ``"auto"`` tries the profile first.
    Raises :class:`CatalogError` with the install hint if the files are missing.
    """
    if source not in CONTROL_SOURCES:
        raise GrundschutzError(f"unbekannte Quelle '{source}' (erlaubt: {', '.join(CONTROL_SOURCES)})")
    vocabulary = _read_categories(catalog)
    resolved = _resolve_profile(catalog, strict=source == "profile") if source != "user-catalog" else None
    if resolved is None:
        if not catalog.has(_USER_CATALOG_KEY):
            raise CatalogError(
                f"Grundschutz++-Katalog nicht installiert: in {catalog.directory} fehlen das Profil mit seinen "
                f"Quellkatalogen und der Anwenderkatalog ({official_sources()[_USER_CATALOG_KEY].path}). {INSTALL_HINT}"
            )
        user = catalog.oscal_catalog(_USER_CATALOG_KEY)
        resolved = (user.title, user.version, f"Anwenderkatalog '{user.title}' ({(user.version or '')[:10]})",
                    dict(user.controls), dict(user.groups), ())
    title, version, text, controls, groups, notes = resolved
    categories = dict(vocabulary)
    for control in controls.values():
        for name in control.target_categories:
            categories.setdefault(name, Category(name))
    return GsppCatalog(title, version, text, controls, groups, categories, notes)


def _read_categories(catalog: Catalog) -> dict[str, Category]:
    path = catalog.path(_CATEGORIES_KEY)  # CatalogError with the install hint if absent
    try:
        text = read_bytes(path, "Verzeichnis der Zielobjekt-Kategorien").decode("utf-8-sig")
        rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"), newline="")))
        by_uuid = {row["UUID"].strip(): row["Zielobjekt"].strip() for row in rows}
        return {
            row["Zielobjekt"].strip(): Category(
                row["Zielobjekt"].strip(), " ".join(row.get("Definition", "").split()), row.get("Typ", "").strip(),
                row.get("Kategorie", "").strip(), by_uuid.get(row.get("ChildOfUUID", "").strip()) or None)
            for row in rows if row.get("Zielobjekt", "").strip()
        }
    except (KeyError, csv.Error, UnicodeDecodeError) as exc:
        raise CatalogError(f"{path}: Verzeichnis der Zielobjekt-Kategorien nicht lesbar ({exc})") from None


def _catalog_key(href: str) -> tuple[str | None, bool]:
    """The source key of a profile import's file and whether it is a stand-in for a G0 catalog."""
    name = PurePosixPath(href).name
    candidates = {s.name: key for key, s in official_sources().items() if s.format == "oscal-catalog"}
    if name in candidates:
        return candidates[name], False
    plain = name.replace("-G0-", "-")
    return (candidates[plain], True) if plain != name and plain in candidates else (None, False)


def _resolve_profile(catalog: Catalog, strict: bool):
    """(title, version, source text, controls, groups, notes) of the resolved profile, ``None`` if not possible."""
    if not catalog.has(_PROFILE_KEY):
        if strict:
            catalog.path(_PROFILE_KEY)  # raises "nicht installiert"
        return None
    profile = catalog.oscal_profile(_PROFILE_KEY)
    controls: dict[str, Control] = {}
    groups: dict[str, Group] = {}
    notes: list[str] = []
    used: list[str] = []
    for item in profile.imports:
        href = item.resource_href or item.href
        key, stand_in = _catalog_key(href)
        if key is None or not catalog.has(key):
            if strict:
                raise CatalogError(f"Profil '{profile.title}': importierter Katalog {href} ist nicht installiert. "
                                   f"{INSTALL_HINT}")
            return None
        source = catalog.oscal_catalog(key)
        used.append(source.title)
        if stand_in:
            notes.append(f"{PurePosixPath(href).name} ist nicht veröffentlicht; ersetzt durch '{source.title}' "
                         "(gleiche Controls, ohne G0-Eigenschaften C/I/A und Gefährdungen)")
        if item.include_all:
            chosen = list(source.controls.values())
        else:
            absent = [cid for cid in item.include_ids if cid not in source.controls]
            if absent:
                raise CatalogError(f"Profil '{profile.title}': Controls {', '.join(absent)} fehlen in '{source.title}'")
            chosen = [source.controls[cid] for cid in item.include_ids]
            if item.with_child_controls == "yes":
                chosen = [c for c in source.controls.values()
                          if c.id in item.include_ids or any(p in item.include_ids for p in _parents(source, c))]
        for control in chosen:
            if control.id not in item.exclude_ids:
                controls.setdefault(control.id, control)
        groups.update(source.groups)
    text = f"Profil '{profile.title}' ({(profile.version or '')[:10]}), aufgelöst mit {', '.join(used)}"
    return profile.title, profile.version, text, controls, groups, tuple(notes)


def _parents(source, control: Control) -> Iterator[str]:
    parent = control.parent_id
    while parent is not None:
        yield parent
        parent = source.controls[parent].parent_id if parent in source.controls else None
