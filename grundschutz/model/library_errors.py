"""Raw errors of the libraries the toolkit uses, said in German.

PyYAML, :mod:`zipfile` (under openpyxl), :mod:`csv`, :mod:`json` and the
codecs raise English messages ("File is not a zip file", "could not determine
a constructor for the tag …", "field larger than field limit (131072)").
Readers catch them where they know the file, row and column and put the
German text of :func:`german_reason` (or, for YAML, :func:`yaml_problem`)
into their :class:`~grundschutz.model.errors.Problem`; the command line uses
:func:`german_reason` as the last safety net. No library is imported here:
the exceptions are recognised by their class.
"""

from __future__ import annotations

import re

from grundschutz.model.errors import os_read_reason

#: PyYAML's problem texts (start of the text) and what they mean, in German.
_YAML_PROBLEMS: tuple[tuple[str, str], ...] = (
    ("could not determine a constructor for the tag",
     "Tag {tag} ist nicht erlaubt (nur Texte, Zahlen, Listen und Zuordnungen)"),
    ("mapping values are not allowed here",
     "Doppelpunkt an dieser Stelle nicht erlaubt (Einrückung prüfen oder den Text in Anführungszeichen setzen)"),
    ("found character '\\t' that cannot start any token", "Tabulator nicht erlaubt: mit Leerzeichen einrücken"),
    ("found character", "Zeichen an dieser Stelle nicht erlaubt"),
    ("found undefined alias", "unbekannter Verweis (*Anker)"),
    ("found duplicate anchor", "Anker (&) doppelt vergeben"),
    ("found unhashable key", "ungültiger Schlüssel (Liste oder Zuordnung als Schlüssel)"),
    ("found unexpected end of stream", "Datei endet mitten in einem Wert (Anführungszeichen nicht geschlossen?)"),
    ("found unexpected ':'", "Doppelpunkt an dieser Stelle nicht erlaubt"),
    ("expected <block end>", "Einrückung passt nicht zur Ebene darüber"),
    ("expected ',' or ']'", "Liste in [ ] nicht geschlossen"),
    ("expected ',' or '}'", "Zuordnung in { } nicht geschlossen"),
    ("expected ':'", "Doppelpunkt nach dem Schlüssel fehlt"),
    ("expected a single document", "mehr als ein Dokument (---) in der Datei"),
    ("did not find expected key", "Einrückung passt nicht: Schlüssel erwartet"),
    ("did not find expected '-' indicator", "Einrückung passt nicht: Listeneintrag (-) erwartet"),
    ("could not find expected ':'", "Doppelpunkt nach dem Schlüssel fehlt"),
    ("found a tab character", "Tabulator nicht erlaubt: mit Leerzeichen einrücken"),
    ("special characters are not allowed", "Steuerzeichen nicht erlaubt"),
)
_TAG = re.compile(r"tag '([^']*)'")
_FIELD_LIMIT = re.compile(r"field larger than field limit \((\d+)\)")


def yaml_problem(exc: BaseException) -> tuple[int | None, int | None, str]:
    """Line and column (1-based, ``None`` if unknown) and the German text of a PyYAML error.

    >>> import yaml
    >>> try:
    ...     yaml.safe_load("a: !!python/object:os.system x")
    ... except yaml.YAMLError as exc:
    ...     yaml_problem(exc)
    (1, 4, "Tag 'tag:yaml.org,2002:python/object:os.system' ist nicht erlaubt (nur Texte, Zahlen, Listen und Zuordnungen)")
    """
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    line = mark.line + 1 if mark is not None else None
    column = mark.column + 1 if mark is not None else None
    problem = str(getattr(exc, "problem", None) or exc).strip()
    for start, german in _YAML_PROBLEMS:
        if problem.startswith(start):
            tag = _TAG.search(problem)
            return line, column, german.format(tag=f"'{tag.group(1)}'" if tag else "")
    return line, column, f"YAML-Syntaxfehler ({problem})"


def yaml_message(exc: BaseException) -> str:
    """A PyYAML error as one German text with its place: ``YAML fehlerhaft (Zeile 2, Spalte 5): …``."""
    line, column, text = yaml_problem(exc)
    where = f" (Zeile {line}, Spalte {column})" if line is not None else ""
    return f"YAML fehlerhaft{where}: {text}"


def csv_reason(exc: BaseException) -> str:
    """The German text of a :class:`csv.Error`.

    >>> import csv
    >>> csv_reason(csv.Error("field larger than field limit (131072)"))
    'Feld länger als 131.072 Zeichen'
    """
    text = str(exc)
    limit = _FIELD_LIMIT.search(text)
    if limit:
        return f"Feld länger als {int(limit.group(1)):,} Zeichen".replace(",", ".")
    if "line contains NUL" in text:
        return "Zeile enthält ein Nullzeichen (keine Textdatei?)"
    if "unexpected end of data" in text:
        return "Anführungszeichen nicht geschlossen: die Datei endet mitten in einem Feld (abgeschnitten?)"
    if "expected after" in text:
        return "Anführungszeichen mitten im Feld (Anführungszeichen im Text verdoppeln: \"\")"
    if "new-line character seen in unquoted field" in text:
        return "Zeilenumbruch in einem Feld ohne Anführungszeichen"
    return f"CSV nicht lesbar ({text})"


def workbook_reason(exc: BaseException) -> str:
    """Why a file could not be opened as an Excel workbook, in German.

    >>> import zipfile
    >>> workbook_reason(zipfile.BadZipFile("File is not a zip file"))
    'keine Excel-Arbeitsmappe (.xlsx): die Datei ist kein ZIP-Archiv (beschädigt, oder eine andere Dateiart mit der Endung .xlsx)'
    >>> workbook_reason(PermissionError(13, "Permission denied"))
    'nicht lesbar (keine Leserechte)'
    """
    name = type(exc).__name__
    text = str(exc)
    if name == "BadZipFile":
        return ("keine Excel-Arbeitsmappe (.xlsx): die Datei ist kein ZIP-Archiv (beschädigt, oder eine andere "
                "Dateiart mit der Endung .xlsx)")
    if name == "InvalidFileException":
        return "Dateiformat wird nicht unterstützt: erwartet eine Excel-Arbeitsmappe .xlsx (kein .xls, .ods, .csv)"
    if isinstance(exc, KeyError) and "archive" in text:
        return f"keine Excel-Arbeitsmappe (.xlsx): im ZIP-Archiv fehlt {text.split('named', 1)[-1].split(' in ')[0].strip()}"
    if isinstance(exc, MemoryError):
        return "zu wenig Arbeitsspeicher zum Lesen der Arbeitsmappe"
    if isinstance(exc, OSError):
        return f"nicht lesbar ({os_read_reason(exc)})"
    reason = german_reason(exc)
    return reason if reason is not None else f"nicht lesbar ({name}: {text})"


def german_reason(exc: BaseException) -> str | None:
    """A German text for a raw library error; ``None`` for an exception that is not one (a bug).

    >>> german_reason(UnicodeDecodeError("utf-8", b"\\xff", 0, 1, "invalid start byte"))
    'kein UTF-8-Text: Byte 0xff an Stelle 1 ist kein gültiges Zeichen'
    >>> german_reason(ZeroDivisionError()) is None
    True
    """
    module = type(exc).__module__ or ""
    name = type(exc).__name__
    if module.startswith("yaml"):
        return yaml_message(exc)
    if module in ("_csv", "csv") and name == "Error":
        return csv_reason(exc)
    if name in ("BadZipFile", "LargeZipFile", "InvalidFileException"):
        return workbook_reason(exc)
    if isinstance(exc, UnicodeDecodeError):
        byte = exc.object[exc.start:exc.start + 1].hex() if isinstance(exc.object, bytes) else "?"
        return f"kein {exc.encoding.upper()}-Text: Byte 0x{byte} an Stelle {exc.start + 1} ist kein gültiges Zeichen"
    if name == "JSONDecodeError":
        return f"keine gültige JSON-Datei (Zeile {exc.lineno}, Spalte {exc.colno})"
    if name == "ParseError" and hasattr(exc, "position"):
        line, column = exc.position
        return f"keine gültige XML-Datei (Zeile {line}, Spalte {column + 1})"
    if isinstance(exc, MemoryError):
        return "zu wenig Arbeitsspeicher"
    return None
