"""``grundschutz oscal export``: the four OSCAL 1.1.3 documents of an analysed assessment.

:func:`export_oscal` writes ``ssp.json``, ``ap.json``, ``ar.json`` and
``poam.json`` into a folder, all four together or none (each through
:func:`grundschutz.io.files.atomic_output`, renamed when all four are
written). The output is deterministic: uuids are derived from the assessment's name and stable keys, the time stamp
is given or taken from the assessment (:func:`assessment_timestamp`), and
:func:`to_json` writes keys in the order the builders give them, so the same
assessment always gives the same bytes.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path

from grundschutz.exchange.excel.export import assessment_fingerprint
from grundschutz.exchange.oscal.common import (
    FILES,
    ExportContext,
    Items,
    iso_timestamp,
    prop,
    role_ids,
)
from grundschutz.exchange.oscal.results import (
    build_ap,
    build_ar,
    build_poam,
    exported_risks,
    not_implemented,
)
from grundschutz.exchange.oscal.ssp import GsppLinks, build_ssp
from grundschutz.model.errors import CatalogError, GrundschutzError

#: The generator named in every document.
GENERATOR = "grundschutz"


@dataclass
class OscalExport:
    """What :func:`export_oscal` wrote: the files and what they hold."""

    folder: Path
    files: dict[str, Path] = field(default_factory=dict)
    sizes: dict[str, int] = field(default_factory=dict)
    timestamp: str = ""
    counts: dict[str, int] = field(default_factory=dict)
    mapping: str = ""


def assessment_timestamp(analysis) -> datetime | date | None:
    """The time stamp the assessment gives itself: the latest date of ``check.csv`` (``checked_on``) or of
    ``risks.csv`` (any date column, read by name); ``None`` if there is none."""
    dates = [record.checked_on for record in analysis.assessment.check_records if record.checked_on]
    for record in analysis.assessment.risk_records:
        dates += [value for value in vars(record).values() if isinstance(value, date)]
    return max(dates, default=None)


def folder_timestamp(analysis) -> datetime | None:
    """The latest modification time of the assessment's files (the fallback without any date in the files)."""
    source = Path(analysis.path)
    paths = [p for p in source.iterdir() if p.is_file()] if source.is_dir() else [source]
    times = [p.stat().st_mtime for p in paths if p.suffix in (".csv", ".yaml", ".xlsx")]
    return datetime.fromtimestamp(int(max(times)), timezone.utc) if times else None


def parse_timestamp(text: str) -> str:
    """An ISO date or date-time given by the user as an OSCAL date-time with time zone.

    >>> parse_timestamp("2024-03-05"), parse_timestamp("2024-03-05T10:15:00+01:00")
    ('2024-03-05T00:00:00Z', '2024-03-05T09:15:00Z')
    """
    value = text.strip()
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00")) if "T" in value else date.fromisoformat(value)
    except ValueError:
        raise GrundschutzError(f"--timestamp: '{text}' ist kein Zeitpunkt (erwartet JJJJ-MM-TT oder "
                               "JJJJ-MM-TTThh:mm:ss mit Zeitzone)") from None
    return iso_timestamp(moment)


def export_context(analysis, timestamp: str | None = None) -> ExportContext:
    """The :class:`ExportContext` of an analysis with a catalog: time stamp, roles, identity props."""
    if analysis.check is None:
        raise GrundschutzError("Der OSCAL-Export braucht den Katalog (Modellierung, Anforderungen, Check): "
                               f"{analysis.catalog_note or 'Katalogverzeichnis angeben (--catalogs).'}")
    if not len(analysis.check):
        raise GrundschutzError("Keine ausgewählte Anforderung: ein OSCAL-Sicherheitskonzept braucht mindestens "
                               "eine (Modellierung prüfen: grundschutz model)")
    if timestamp is None:
        moment = assessment_timestamp(analysis) or folder_timestamp(analysis)
        if moment is None:
            raise GrundschutzError("Kein Zeitstempel: check.csv hat kein Prüfdatum; bitte --timestamp angeben")
        timestamp = iso_timestamp(moment)
    ctx = ExportContext(analysis, timestamp, role_ids(e.responsible for e in analysis.check if e.responsible))
    settings = analysis.assessment.settings
    ctx.identity = [prop("assessment", settings.name), prop("edition", settings.edition),
                    prop("assessment-fingerprint", assessment_fingerprint(analysis.assessment.objects)),
                    prop("source-sha256", check_hash(analysis), cls="check.csv"),
                    prop("generator", f"{GENERATOR} {_version()}")]
    return ctx


def file_hash(path: Path) -> str:
    """SHA-256 of a file, ``-`` where there is none."""
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "-"


def check_hash(analysis) -> str:
    """SHA-256 of the assessment's ``check.csv`` (``-`` where there is none): what the import compares."""
    return file_hash(Path(analysis.path) / "check.csv")


def gspp_links(analysis) -> GsppLinks | None:
    """Kompendium assessments: the official mapping to the Grundschutz++ controls in force, if installed."""
    if analysis.gspp:
        return None
    catalog = analysis.catalog
    if not catalog.has("mapping-itgs2023-gspp"):
        return GsppLinks(why="Mapping nicht installiert (grundschutz catalog install), keine Verknüpfungen")
    try:
        controls = catalog.gspp().controls
    except CatalogError:
        return GsppLinks(why="Grundschutz++-Kataloge nicht installiert, keine Verknüpfungen")
    return GsppLinks(catalog.mapping(), controls)


#: The builder of each document, in the order of the OSCAL chain.
BUILDERS = {"ssp": build_ssp, "ap": build_ap, "ar": build_ar, "poam": build_poam}
_COMPACT = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
_CHUNK = 4096


def build_document(kind: str, ctx: ExportContext, links: GsppLinks | None = None) -> dict:
    """One document (``ssp``, ``ap``, ``ar``, ``poam``) as a JSON-ready dict; its large arrays are
    :class:`~grundschutz.exchange.oscal.common.Items`, built while it is written."""
    return build_ssp(ctx, links) if kind == "ssp" else BUILDERS[kind](ctx)


#: A value that nests at most this many objects and arrays is written on one line.
FLAT_LEVELS = 3


def to_json(document: dict) -> bytes:
    """A document as the bytes written: UTF-8; a value that nests at most :data:`FLAT_LEVELS` objects and
    arrays on one line, a larger object key by key and a larger array item by item (two spaces); empty
    arrays left out (an OSCAL array has at least one item); a final line break.

    >>> print(to_json({"a": {"b": [{"c": {"d": [1]}}], "e": []}}).decode(), end="")
    {
      "a": {
        "b": [
          {"c":{"d":[1]}}
        ]
      }
    }
    """
    out: list[str] = []
    write_json(document, out.append)
    return "".join(out).encode("utf-8")


def write_json(document: dict, write) -> None:
    """Write a document as :func:`to_json` does, in pieces, through ``write`` (a text ``write``)."""
    buffer: list[str] = []

    def push(text: str) -> None:
        buffer.append(text)
        if len(buffer) >= _CHUNK:
            write("".join(buffer))
            buffer.clear()

    _emit(document, "", push)
    buffer.append("\n")
    write("".join(buffer))


def _flat(value, levels: int) -> bool:
    """Whether ``value`` nests at most ``levels`` objects and arrays and holds no empty array (an
    :class:`Items` is never flat): then it is written on one line as it is."""
    if isinstance(value, dict):
        children = value.values()
    elif isinstance(value, list):
        if not value:
            return False
        children = value
    else:
        return not isinstance(value, Items)
    if levels == 0:
        return False
    for child in children:
        if (isinstance(child, (dict, list, Items))) and not _flat(child, levels - 1):
            return False
    return True


def _emit(value, indent: str, push) -> None:
    if _flat(value, FLAT_LEVELS):
        push(_COMPACT.encode(value))
    elif isinstance(value, dict):
        inner = indent + "  "
        push("{")
        items = [(k, v) for k, v in value.items()
                 if not (isinstance(v, list) and not v or isinstance(v, Items) and v.first is None)]
        for n, (key, item) in enumerate(items):
            push(f"{',' if n else ''}\n{inner}{_COMPACT.encode(key)}: ")
            _emit(item, inner, push)
        push(f"\n{indent}}}")
    else:
        inner = indent + "  "
        push("[")
        for n, item in enumerate(value):
            push(f"{',' if n else ''}\n{inner}")
            _emit(item, inner, push)
        push(f"\n{indent}]")


def export_oscal(analysis, folder: str | Path, *, timestamp: str | None = None) -> OscalExport:
    """Write the SSP, assessment plan, assessment results and POA&M of ``analysis`` into ``folder``.

    ``analysis`` needs a catalog. ``timestamp`` (ISO) is the documents'
    ``last-modified``; default: :func:`assessment_timestamp`, else the
    newest file of the assessment. The folder is created if missing. Each
    document is written to a temporary file and built while it is written
    (flat memory); only when all four are complete are they renamed into
    place, so a failure leaves the folder as it was.
    """
    from grundschutz.io.files import atomic_output, write_error

    ctx = export_context(analysis, parse_timestamp(timestamp) if timestamp else None)
    links = gspp_links(analysis)
    target = Path(folder)
    try:
        target.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise write_error(target, exc) from None
    result = OscalExport(target, {kind: target / FILES[kind] for kind in BUILDERS}, {}, ctx.timestamp)
    with contextlib.ExitStack() as stack:
        for kind in BUILDERS:
            temp = stack.enter_context(atomic_output(result.files[kind]))  # an OSError names the file
            with open(temp, "w", encoding="utf-8", newline="") as handle:
                write_json(build_document(kind, ctx, links), handle.write)
            result.sizes[kind] = temp.stat().st_size
    requirements = {entry.requirement for entry in analysis.check}
    result.counts = {
        "components": len(analysis.modelling.objects),
        "requirements": len(requirements),
        "by_components": len(analysis.check),
        "findings": len(not_implemented(analysis.check)),
        "risks": len(exported_risks(analysis.risks)),
        "poam_items": max(len(analysis.plan), 1),
    }
    if links is not None:
        result.mapping = (f"Grundschutz++-Mapping: {links.count(requirements)} von {len(requirements)} "
                          "Anforderungen haben eine Zuordnung zu Grundschutz++-Controls (als Link im SSP)"
                          if links.available else f"Grundschutz++-Mapping: {links.why}")
    return result


def render_export(result: OscalExport) -> str:
    """The German summary of an export."""
    c = result.counts
    moment = datetime.fromisoformat(result.timestamp.replace("Z", "+00:00"))
    lines = [
        f"OSCAL 1.1.3 geschrieben nach {result.folder} (Stand {moment:%d.%m.%Y %H:%M} UTC):",
        f"  {result.files['ssp'].name}: Sicherheitskonzept (SSP), {c['components']} Komponenten, "
        f"{c['requirements']} Anforderungen, {c['by_components']} Umsetzungen je Zielobjekt",
        f"  {result.files['ap'].name}: Prüfplan (IT-Grundschutz-Check)",
        f"  {result.files['ar'].name}: Prüfergebnisse, {c['findings']} Feststellungen (nicht umgesetzt), "
        f"{c['risks']} Risiken aus risks.csv",
        f"  {result.files['poam'].name}: Realisierungsplan (POA&M), {c['poam_items']} Einträge",
    ]
    if result.mapping:
        lines.append(result.mapping + ".")
    return "\n".join(lines)


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("grundschutz")
    except PackageNotFoundError:
        return "unbekannt"
