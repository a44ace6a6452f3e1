"""Generate ``docs/cli.md``, the reference of the ``grundschutz`` command line.

The page is written from the click commands themselves: one heading per
command path (``grundschutz catalog install``) with its usage line and help
text in a fenced block, exactly as ``--help`` prints it at a terminal width of
100 columns (fixed, so the output does not depend on the machine).

    python scripts/cli_reference.py          # (re)write docs/cli.md
    python scripts/cli_reference.py --check  # exit 1 if docs/cli.md is out of date

``tests/test_docs.py`` compares :func:`render` with the file, so a change to a
command's help that is not followed by a regeneration fails the tests.
"""

from __future__ import annotations

import sys
from pathlib import Path

#: The repository root (this file is ``scripts/cli_reference.py``).
ROOT = Path(__file__).resolve().parent.parent
#: The generated page, relative to :data:`ROOT`.
TARGET = Path("docs") / "cli.md"
#: Terminal and content width of the rendered help texts.
WIDTH = 100
OUTDATED = "docs/cli.md ist veraltet: python scripts/cli_reference.py ausführen"

HEADER = """\
# Command-line reference

Every command of `grundschutz`, with its usage line and help text as `--help`
prints them. This page is generated from the click commands by
`python scripts/cli_reference.py`; do not edit it by hand.
`python scripts/cli_reference.py --check` (and `tests/test_docs.py`) fail when
it is out of date.

Common behaviour (see also `docs/format.md` and `docs/method.md`):

- `BEWERTUNG` (assessment) is an assessment folder or an assessment workbook (`.xlsx`).
- The catalog directory is `--catalogs ORDNER`, else the environment variable
  `GRUNDSCHUTZ_CATALOGS`, else `$XDG_DATA_HOME/grundschutz/catalogs`
  (default `~/.local/share/grundschutz/catalogs`).
- Every command that prints a table takes `--format table|csv|json`. Tables and text fit the
  terminal width (`COLUMNS`, else the terminal's; no limit when the output is a file or a pipe):
  long cells wrap, the least important columns are left out first. Numbers have a decimal
  comma and dates are TT.MM.JJJJ; CSV and JSON keep the machine formats.
- Long work (a cold parse of the catalog, an export) shows a progress bar on standard error
  when it is a terminal, nothing otherwise.
- Ctrl-C ends with "Abgebrochen." (exit code 1), SIGTERM with "Abgebrochen (Signal SIGTERM)."
  (exit code 143); temporary files are removed either way. An output that cannot be written
  (a full disk) is `Fehler: Ausgabe nicht geschrieben (Datenträger voll)` with exit code 1.
- Errors in the input end with `Fehler: ...` and exit code 1; nothing is written. Usage errors
  (a missing argument, an unknown option or value) show the usage line and end with exit code 2.
"""


def _commands(command, path: list[str], parent=None):
    """``(path, command, context)`` for ``command`` and, recursively, its subcommands."""
    import click

    settings = {**getattr(command, "context_settings", {}), "terminal_width": WIDTH, "max_content_width": WIDTH}
    context = click.Context(command, info_name=path[-1], parent=parent, **settings)
    yield path, command, context
    if isinstance(command, click.Group):
        for name in command.list_commands(context):
            sub = command.get_command(context, name)
            if sub is None or getattr(sub, "hidden", False):
                continue
            yield from _commands(sub, [*path, name], context)


def render() -> str:
    """The Markdown text of ``docs/cli.md``."""
    from grundschutz.cli import main

    parts = [HEADER]
    for path, command, context in _commands(main, ["grundschutz"]):
        help_text = "\n".join(line.rstrip() for line in command.get_help(context).splitlines()).strip("\n")
        level = "#" * min(2 + max(len(path) - 2, 0), 4)
        parts.append(f"{level} {' '.join(path)}\n\n```text\n{help_text}\n```\n")
    return "\n".join(parts)


def main(argv: list[str] | None = None) -> int:
    """Write ``docs/cli.md``; with ``--check`` only compare (exit 1 if it differs)."""
    args = sys.argv[1:] if argv is None else argv
    unknown = [a for a in args if a != "--check"]
    if unknown:
        print(f"unbekannte Angabe {unknown[0]!r} (erlaubt: --check)", file=sys.stderr)
        return 2
    if str(ROOT) not in sys.path:  # document the checkout this script belongs to
        sys.path.insert(0, str(ROOT))
    text = render()
    target = ROOT / TARGET
    if "--check" in args:
        current = target.read_text(encoding="utf-8") if target.is_file() else None
        if current != text:
            print(OUTDATED, file=sys.stderr)
            return 1
        print("docs/cli.md ist aktuell")
        return 0
    from grundschutz.io.files import WriteError, atomic_write

    try:
        atomic_write(target, text)  # through a flushed temporary file: never half-written
    except WriteError as exc:
        print(f"Fehler: {exc}", file=sys.stderr)
        return 1
    print(f"{TARGET.as_posix()} geschrieben")
    return 0


if __name__ == "__main__":
    sys.exit(main())
