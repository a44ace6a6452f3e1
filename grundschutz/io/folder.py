"""Reading a whole assessment, folder or workbook, into one validated :class:`Assessment`.

:func:`read_assessment` reads every file there is: ``assessment.yaml``, the
tables ``objects``, ``dependencies``, ``needs`` (CSV files or sheets of
``assessment.xlsx``), the optional tables ``modelling``, ``check``, ``risks``, ``relevance``
and the scenarios ``scenarios/*.yaml``. It checks all of them in one pass and
raises one :class:`~grundschutz.model.errors.AssessmentError` with every
problem of every file (file, row, column, value), or returns the assessment,
which the steps of the method take as it is: nothing is read twice.
"""

from __future__ import annotations

from collections.abc import Container
from dataclasses import replace
from pathlib import Path

from grundschutz.io.columnar import ObjectIds, read_core_columnar
from grundschutz.io.records import ANY_OBJECT, check_records, modelling_changes, relevance_decisions, risk_records
from grundschutz.io.scenarios import SCENARIO_DIR, parse_scenario, read_scenarios
from grundschutz.io.settings import SETTINGS_FILE, parse_settings
from grundschutz.io.tables import REQUIRED_TABLES, build_assessment
from grundschutz.io.text import Table, decode_text, file_problem, read_csv_table
from grundschutz.io.workbook import read_workbook_tables
from grundschutz.model import Assessment, Settings
from grundschutz.model.bulk import paused_gc
from grundschutz.model.errors import AssessmentError, Problem, ScenarioError
from grundschutz.model.records import INFORMATIONSVERBUND_ID

WORKBOOK_FILE = "assessment.xlsx"
#: The optional tables and how their rows are read.
OPTIONAL_TABLES = {"modelling": modelling_changes, "check": check_records, "risks": risk_records,
                   "relevance": relevance_decisions}
_REFUSED_FOR_GSPP = (
    "modelling.csv ordnet Bausteine des Kompendiums zu und gilt nicht für Grundschutz++ (die "
    "Zielobjekt-Kategorien kommen aus gspp_modelling.yaml): Datei entfernen oder 'edition: kompendium-2023' setzen."
)

_RELEVANCE_ONLY_GSPP = (
    "relevance.csv hält die Relevanzentscheidungen für Controls ohne Zielobjekt-Kategorie und gilt nur für "
    "Grundschutz++ (Methodik STM.2.1.5): Datei entfernen oder 'edition: grundschutz++' setzen."
)


def read_assessment(path: str | Path) -> Assessment:
    """Read and validate an assessment folder (CSV files or ``assessment.xlsx``)
    or an assessment workbook, with every optional file and scenario.

    Raises :class:`AssessmentError` listing every problem of every file, with
    file, row, column and value.

    >>> assessment = read_assessment("assessments/haan")
    >>> len(assessment.objects) > 100, sorted(assessment.scenarios)[0]
    (True, 'digitale-ratsarbeit')
    """
    with paused_gc():
        return _read_assessment(Path(path))


def _read_assessment(path: Path) -> Assessment:
    # the work of read_assessment, with the garbage collector paused
    if path.is_file() and path.suffix.lower() == ".xlsx":
        folder, workbook = path.parent, path
    elif path.is_dir():
        folder, workbook = path, path / WORKBOOK_FILE
    else:
        raise AssessmentError([file_problem(str(path), "Bewertungsordner oder Arbeitsmappe nicht gefunden")])
    problems: list[Problem] = []
    settings = _read_settings(path, folder, problems)
    from_workbook = workbook.is_file() and (
        path == workbook or not any((folder / f"{name}.csv").is_file() for name in REQUIRED_TABLES))
    tables: dict[str, Table] = {}
    # a clean folder is read column by column; anything else by rows, which report every problem
    assessment = None if from_workbook or problems or workbook.is_file() else \
        read_core_columnar(folder, settings, str(path))
    if assessment is not None:
        known: Container[str] = ObjectIds(assessment.objects)
        for name in OPTIONAL_TABLES:
            if (table := _csv(folder / f"{name}.csv", problems, required=False)) is not None:
                tables[name] = table
    else:
        if from_workbook:
            tables = _workbook_tables(workbook, problems)
        else:
            if workbook.is_file():
                problems.append(file_problem(WORKBOOK_FILE, "CSV-Dateien und Arbeitsmappe zugleich vorhanden: "
                                                            "bitte nur eine Form behalten"))
            for name in (*REQUIRED_TABLES, *OPTIONAL_TABLES):
                table = _csv(folder / f"{name}.csv", problems, required=name in REQUIRED_TABLES)
                if table is not None:
                    tables[name] = table
        core = build_assessment(settings, {n: t for n, t in tables.items() if n in REQUIRED_TABLES}, str(path),
                                problems)
        known = (core.known_ids | {INFORMATIONSVERBUND_ID}) if core.known_ids is not None else ANY_OBJECT
        assessment = core.assessment
    optional = {}
    for name, parse in OPTIONAL_TABLES.items():
        optional[name] = parse(tables[name], known, problems) if name in tables else ()
    if optional["modelling"] and settings.edition == "grundschutz++":
        problems.append(file_problem(optional["modelling"][0].file, _REFUSED_FOR_GSPP))
    if optional["relevance"] and settings.edition != "grundschutz++":
        problems.append(file_problem(optional["relevance"][0].file, _RELEVANCE_ONLY_GSPP))
    if assessment is not None and settings.distribution.documented:
        _documented_groups(assessment, problems)
    if assessment is None:
        _scenario_syntax(folder, problems)
        raise AssessmentError(problems, str(path))
    scenarios = read_scenarios(folder, assessment, problems)
    if problems:
        raise AssessmentError(problems, str(path))
    return replace(assessment, modelling_changes=optional["modelling"], check_records=optional["check"],
                   risk_records=optional["risks"], scenarios=scenarios, relevance_decisions=optional["relevance"])


def _documented_groups(assessment: Assessment, problems: list[Problem]) -> None:
    """Every redundancy group named by a documented distribution (``distribution.confidentiality.groups``)
    must be used in ``dependencies.csv``."""
    used = {d.redundancy_group for d in assessment.dependencies if d.redundancy_group}
    for documented in assessment.settings.distribution.documented:
        for group in sorted(documented.groups - used):
            problems.append(Problem(SETTINGS_FILE, documented.line, f"distribution.{documented.basic_value.value}"
                                    ".groups", group, "Redundanzgruppe gibt es in dependencies.csv nicht"))


def _read_settings(path: Path, folder: Path, problems: list[Problem]) -> Settings:
    settings_path = folder / SETTINGS_FILE
    settings = Settings()
    if settings_path.is_file():
        try:
            text = decode_text(settings_path.read_bytes(), SETTINGS_FILE)
        except AssessmentError as exc:
            problems.extend(exc.problems)
            text = ""
        settings, found = parse_settings(text)
        problems.extend(found)
    elif path.is_dir():
        problems.append(file_problem(SETTINGS_FILE, "Datei fehlt"))
    if not settings.name:
        settings = replace(settings, name=folder.name if path.is_dir() else path.stem)
    if settings.portfolio is not None and not settings.portfolio.id:
        provider_id = folder.name if path.is_dir() else path.stem
        settings = replace(settings, portfolio=replace(settings.portfolio, id=provider_id))
    return settings


def _workbook_tables(workbook: Path, problems: list[Problem]) -> dict[str, Table]:
    """The tables of an assessment workbook; a missing sheet of the three required ones is a problem."""
    try:
        sheets = read_workbook_tables(workbook)
    except AssessmentError as exc:  # unreadable: its sheets are not reported missing as well
        problems.extend(exc.problems)
        return {}
    for name in REQUIRED_TABLES:
        if name not in sheets:
            problems.append(file_problem(f"{workbook.name}[{name}]", "Tabellenblatt fehlt"))
    return {name: table for name, table in sheets.items() if name in (*REQUIRED_TABLES, *OPTIONAL_TABLES)}


def _csv(path: Path, problems: list[Problem], required: bool) -> Table | None:
    if not path.is_file():
        if required:
            problems.append(file_problem(path.name, "Datei fehlt"))
        return None
    try:
        return read_csv_table(path)
    except AssessmentError as exc:
        problems.extend(exc.problems)
        return None


def _scenario_syntax(folder: Path, problems: list[Problem]) -> None:
    """The problems of the scenario files on their own (while the assessment itself has errors)."""
    directory = folder / SCENARIO_DIR
    for file in sorted(directory.glob("*.yaml")) if directory.is_dir() else ():
        label = f"scenarios/{file.name}"
        try:
            parse_scenario(decode_text(file.read_bytes(), label), label)
        except (ScenarioError, AssessmentError) as exc:
            problems.extend(exc.problems)
