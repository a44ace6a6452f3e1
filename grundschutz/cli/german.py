"""Click's own messages in German: usage errors, help headings, "Error:" and "Aborted!".

Click marks every message it prints with :func:`gettext.gettext` (imported
into each click module as ``_``) and :func:`gettext.ngettext`. Python's
gettext finds no catalogue for click's domain, so the English text would be
printed; :func:`install` points those module-level names at
:func:`translate` and :func:`translate_plural`, which look the message up in
:data:`MESSAGES` and fall back to the English text for anything not listed.
Only the text changes: exit codes and behaviour stay click's (usage errors
exit with 2). Installed once when :mod:`grundschutz.cli` is imported.

>>> translate("Error: {message}")
'Fehler: {message}'
>>> translate_plural("{value!r} is not {choice}.", "{value!r} is not one of {choices}.", 3)
'{value!r} ist keiner der Werte {choices}.'
"""

from __future__ import annotations

import gettext
import importlib

#: click's message ids and their German text (placeholders unchanged).
MESSAGES: dict[str, str] = {
    # help pages
    "Usage:": "Aufruf:",
    "Options": "Optionen",
    "Commands": "Befehle",
    "Positional arguments": "Argumente",
    "Show this message and exit.": "Diese Hilfe zeigen und beenden.",
    "Show the version and exit.": "Die Version zeigen und beenden.",
    "%(prog)s, version %(version)s": "%(prog)s, Version %(version)s",
    "default: {default}": "Standard: {default}",
    "env var: {var}": "Umgebungsvariable: {var}",
    "required": "erforderlich",
    "deprecated": "veraltet",
    "(dynamic)": "(dynamisch)",
    # errors and interruptions
    "Error: {message}": "Fehler: {message}",
    "Aborted!": "Abgebrochen.",
    "Try '{command} {option}' for help.": "Hilfe: '{command} {option}'.",
    "Missing command.": "Befehl fehlt.",
    "No such command {name!r}.": "Befehl {name!r} gibt es nicht.",
    "No such option {name!r}.": "Option {name!r} gibt es nicht.",
    "Missing argument": "Argument fehlt:",
    "Missing option": "Option fehlt:",
    "Missing parameter": "Angabe fehlt:",
    "Missing {param_type}": "{param_type} fehlt:",
    "Missing parameter: {param_name}": "Angabe fehlt: {param_name}",
    "Invalid value: {message}": "Ungültiger Wert: {message}",
    "Invalid value for {param_hint}: {message}": "Ungültiger Wert für {param_hint}: {message}",
    "Option {name!r} does not take a value.": "Option {name!r} nimmt keinen Wert.",
    "Argument {name!r} takes {nargs} values.": "Argument {name!r} nimmt {nargs} Werte.",
    "Invalid start character for option ({option})": "Ungültiges Anfangszeichen für eine Option ({option})",
    "Value must be an iterable.": "Wert muss eine Liste sein.",
    "unknown error": "unbekannter Fehler",
    "Could not open file {filename!r}: {message}": "Datei {filename!r} lässt sich nicht öffnen: {message}",
    # parameter types
    "Choose from:\n\t{choices}": "Zur Wahl:\n\t{choices}",
    "{value} is not in the range {range}.": "{value} liegt nicht im Bereich {range}.",
    "{value!r} is not a valid {number_type}.": "{value!r} ist keine gültige Zahl.",
    "{value!r} is not a valid boolean. Recognized values: {states}":
        "{value!r} ist kein Wahrheitswert. Erlaubt: {states}",
    "{value!r} is not a valid UUID.": "{value!r} ist keine gültige UUID.",
    "file": "Datei",
    "directory": "Ordner",
    "path": "Pfad",
    "{name} {filename!r} does not exist.": "{name} {filename!r} gibt es nicht.",
    "{name} {filename!r} is a file.": "{name} {filename!r} ist eine Datei (Ordner erwartet).",
    "{name} {filename!r} is a directory.": "{name} {filename!r} ist ein Ordner (Datei erwartet).",
    "{name} {filename!r} is not readable.": "{name} {filename!r} ist nicht lesbar.",
    "{name} {filename!r} is not writable.": "{name} {filename!r} ist nicht beschreibbar.",
    "{name} {filename!r} is not executable.": "{name} {filename!r} ist nicht ausführbar.",
    # prompts (not used by grundschutz, translated for completeness)
    "Repeat for confirmation": "Zur Bestätigung wiederholen",
    "Error: The two entered values do not match.": "Fehler: Die beiden Eingaben stimmen nicht überein.",
    "Error: invalid input": "Fehler: ungültige Eingabe",
    "Do you want to continue?": "Fortfahren?",
    "Press any key to continue...": "Weiter mit einer beliebigen Taste …",
}

#: click's plural messages: (singular id, plural id) -> (German singular, German plural).
PLURALS: dict[tuple[str, str], tuple[str, str]] = {
    ("Got unexpected extra argument ({args})", "Got unexpected extra arguments ({args})"):
        ("Unerwartetes zusätzliches Argument ({args})", "Unerwartete zusätzliche Argumente ({args})"),
    ("Did you mean {possibility}?", "(Did you mean one of: {possibilities}?)"):
        ("Gemeint: {possibility}?", "(Gemeint: eine von {possibilities}?)"),
    ("{value!r} is not {choice}.", "{value!r} is not one of {choices}."):
        ("{value!r} ist nicht {choice}.", "{value!r} ist keiner der Werte {choices}."),
    ("Option {name!r} requires an argument.", "Option {name!r} requires {nargs} arguments."):
        ("Option {name!r} braucht einen Wert.", "Option {name!r} braucht {nargs} Werte."),
    ("{value!r} does not match the format {format}.", "{value!r} does not match the formats {formats}."):
        ("{value!r} passt nicht zum Format {format}.", "{value!r} passt zu keinem der Formate {formats}."),
    ("Takes {nargs} values but 1 was given.", "Takes {nargs} values but {len} were given."):
        ("Nimmt {nargs} Werte, angegeben wurde 1.", "Nimmt {nargs} Werte, angegeben wurden {len}."),
    ("{len_type} values are required, but {len_value} was given.",
     "{len_type} values are required, but {len_value} were given."):
        ("{len_type} Werte sind nötig, angegeben wurde {len_value}.",
         "{len_type} Werte sind nötig, angegeben wurden {len_value}."),
}

_CLICK_MODULES = ("core", "decorators", "exceptions", "formatting", "parser", "termui", "types", "utils")


def translate(message: str) -> str:
    """The German text of one of click's messages (the message itself if none is known)."""
    return MESSAGES.get(message, message)


def translate_plural(singular: str, plural: str, count: int) -> str:
    """The German singular or plural of one of click's messages (English if none is known)."""
    german = PLURALS.get((singular, plural))
    if german is None:
        return singular if count == 1 else plural
    return german[0] if count == 1 else german[1]


def install() -> None:
    """Let click print :data:`MESSAGES` instead of its English texts (idempotent)."""
    for name in _CLICK_MODULES:
        module = importlib.import_module(f"click.{name}")
        if getattr(module, "_", None) in (gettext.gettext, translate):
            module._ = translate
        if getattr(module, "ngettext", None) in (gettext.ngettext, translate_plural):
            module.ngettext = translate_plural
