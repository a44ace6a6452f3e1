"""Parsers for the official BSI catalogs.

- :func:`read_kompendium` / :func:`parse_kompendium`: IT-Grundschutz-Kompendium
  Edition 2023 (DocBook XML) -> :class:`Kompendium`.
- :func:`read_krt` / :func:`apply_cross_reference`: Kreuzreferenztabellen 2023
  (CIA letters, requirement -> elementary threats).
- :func:`read_oscal_catalog` / :func:`read_oscal_profile`: Grundschutz++ OSCAL JSON.
- :func:`read_mapping`: the BSI mapping Kompendium 2023 -> Grundschutz++.

Every user-caused problem (missing file, wrong format, unsafe XML) raises
:class:`grundschutz.errors.CatalogError` with the file path in the message.
"""

from grundschutz.catalog._common import UnknownIdError, normalise_requirement_id
from grundschutz.catalog.gspp import (
    SECURITY_TARGETS,
    Control,
    Group,
    Link,
    OscalCatalog,
    OscalProfile,
    Param,
    ProfileImport,
    parse_oscal_catalog,
    parse_oscal_profile,
    read_oscal_catalog,
    read_oscal_profile,
)
from grundschutz.catalog.kompendium import (
    LEVEL_NAMES,
    LEVELS,
    ORDERS,
    PROCESS_LAYERS,
    SYSTEM_LAYERS,
    Baustein,
    BausteinThreat,
    Kompendium,
    Layer,
    Requirement,
    Threat,
    parse_kompendium,
    read_kompendium,
)
from grundschutz.catalog.krt import (
    CIA_BASIC_VALUES,
    CrossReference,
    apply_cross_reference,
    parse_krt,
    read_krt,
)
from grundschutz.catalog.mapping import (
    RELATIONSHIPS,
    MappingCollection,
    MappingEntry,
    parse_mapping,
    read_mapping,
)

__all__ = [
    "CIA_BASIC_VALUES",
    "LEVELS",
    "LEVEL_NAMES",
    "ORDERS",
    "PROCESS_LAYERS",
    "RELATIONSHIPS",
    "SECURITY_TARGETS",
    "SYSTEM_LAYERS",
    "Baustein",
    "BausteinThreat",
    "Control",
    "CrossReference",
    "Group",
    "Kompendium",
    "Layer",
    "Link",
    "MappingCollection",
    "MappingEntry",
    "OscalCatalog",
    "OscalProfile",
    "Param",
    "ProfileImport",
    "Requirement",
    "Threat",
    "UnknownIdError",
    "apply_cross_reference",
    "normalise_requirement_id",
    "parse_kompendium",
    "parse_krt",
    "parse_mapping",
    "parse_oscal_catalog",
    "parse_oscal_profile",
    "read_kompendium",
    "read_krt",
    "read_mapping",
    "read_oscal_catalog",
    "read_oscal_profile",
]
