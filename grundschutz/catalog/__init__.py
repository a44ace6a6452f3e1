"""Parsers for the official BSI catalogs.

- :func:`read_kompendium` / :func:`parse_kompendium`: IT-Grundschutz-Kompendium
  Edition 2023 (DocBook XML) -> :class:`Kompendium`.
- :func:`read_krt` / :func:`apply_cross_reference`: Kreuzreferenztabellen 2023
  (CIA letters, requirement -> elementary threats).
- :func:`read_oscal_catalog` / :func:`read_oscal_profile`: Grundschutz++ OSCAL JSON.
- :func:`read_mapping`: the BSI mapping Kompendium 2023 -> Grundschutz++.
- the catalog directory with the official files listed in ``sources.yaml``:
  :func:`catalog_dir`, :func:`official_sources`, :func:`check_catalogs`
  (``sources``); :func:`install_catalogs`, :func:`download_catalogs`
  (``install``), which record what they installed, checked on every load
  (``integrity``); :func:`load_catalog` with a parsed cache (``loading``);
  :func:`search_catalog` (``search``);
- the Grundschutz++ controls in force and the Zielobjekt-Kategorien:
  :func:`gspp_catalog` (``gspp_controls``);
- the toolkit's modelling rules (``catalogs/modelling.yaml``,
  ``catalogs/gspp_modelling.yaml``), checked against the catalogs:
  :func:`read_modelling_rules`, :func:`table_deviations` (``modelling_rules``),
  :func:`read_gspp_rules` (``rules``).

Every user-caused problem (missing file, wrong format, unsafe XML) raises
:class:`grundschutz.model.errors.CatalogError` with the file path in the message.
"""

from grundschutz.catalog._common import UnknownIdError
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
from grundschutz.catalog.gspp_controls import CONTROL_SOURCES, Category, GsppCatalog, control_cia, gspp_catalog
from grundschutz.catalog.install import (
    ChecksumError,
    ChecksumMismatch,
    InstallReport,
    download_catalogs,
    install_catalogs,
)
from grundschutz.catalog.integrity import ChangedCatalogError
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
    ModellingTableRow,
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
from grundschutz.catalog.loading import Catalog, load_catalog
from grundschutz.catalog.mapping import (
    RELATIONSHIPS,
    MappingCollection,
    MappingEntry,
    parse_mapping,
    read_mapping,
)
from grundschutz.catalog.modelling_rules import parse_modelling_rules, read_modelling_rules, table_deviations
from grundschutz.catalog.rules import parse_gspp_rules, read_gspp_rules
from grundschutz.catalog.search import SearchHit, search_catalog
from grundschutz.catalog.sources import (
    DEFAULT_EDITION,
    Source,
    catalog_dir,
    check_catalogs,
    editions,
    official_sources,
)
from grundschutz.model.ids import normalise_requirement_id

__all__ = [
    "CIA_BASIC_VALUES",
    "CONTROL_SOURCES",
    "Category",
    "GsppCatalog",
    "control_cia",
    "gspp_catalog",
    "parse_gspp_rules",
    "parse_modelling_rules",
    "read_gspp_rules",
    "read_modelling_rules",
    "table_deviations",
    "DEFAULT_EDITION",
    "LEVELS",
    "LEVEL_NAMES",
    "ORDERS",
    "PROCESS_LAYERS",
    "RELATIONSHIPS",
    "SECURITY_TARGETS",
    "SYSTEM_LAYERS",
    "Baustein",
    "BausteinThreat",
    "Catalog",
    "ChangedCatalogError",
    "ChecksumError",
    "ChecksumMismatch",
    "Control",
    "CrossReference",
    "Group",
    "InstallReport",
    "Kompendium",
    "Layer",
    "ModellingTableRow",
    "Link",
    "MappingCollection",
    "MappingEntry",
    "OscalCatalog",
    "OscalProfile",
    "Param",
    "ProfileImport",
    "Requirement",
    "SearchHit",
    "Source",
    "Threat",
    "UnknownIdError",
    "apply_cross_reference",
    "catalog_dir",
    "check_catalogs",
    "download_catalogs",
    "editions",
    "install_catalogs",
    "load_catalog",
    "normalise_requirement_id",
    "official_sources",
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
    "search_catalog",
]
