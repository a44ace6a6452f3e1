"""Pieces shared by the click commands: the German error path, common options, output.

Every error a user can cause ends the same way: ``Fehler: ...`` in German on
standard error and exit code 1 (usage errors: click's usage text, in German,
and exit code 2). :func:`user_errors` turns a
:class:`~grundschutz.model.errors.GrundschutzError` of a command into that;
:class:`CommandGroup` (the class of ``grundschutz`` itself) handles what
reaches it from anywhere: an output that cannot be written (a full disk, a
closed pipe), a file the system refuses, a library error nobody wrapped,
Ctrl-C and SIGTERM (raised as :class:`Terminated`, so that every ``with``
block and ``finally`` cleans up before the process ends).
"""

from __future__ import annotations

import contextlib
import errno
import functools
import os
import signal
import sys
from collections.abc import Iterator, Mapping, Sequence

import click

from grundschutz.cli import german
from grundschutz.model.errors import READ_REASONS, WRITE_REASONS, GrundschutzError
from grundschutz.model.library_errors import german_reason

german.install()

#: The argument BEWERTUNG of every command that reads an assessment.
ASSESSMENT = click.argument("assessment", metavar="BEWERTUNG", type=click.Path(path_type=str))
FORMATS = click.Choice(["table", "csv", "json"], case_sensitive=False)
#: Context settings of every command: ``-h`` as well as ``--help``.
HELP = {"help_option_names": ["-h", "--help"]}
#: Usage line and help: the German placeholders of options and subcommands.
OPTIONS_METAVAR = "[OPTIONEN]"
SUBCOMMAND_METAVAR = "BEFEHL [ARGUMENTE]..."
#: German reasons of the operating system errors a user meets where it is not known whether a file was
#: read or written (an error no library function turned into a message of its own).
OS_REASONS = {
    **WRITE_REASONS,
    **READ_REASONS,
    errno.EACCES: "keine Berechtigung",
    errno.EPERM: "keine Berechtigung",
}


class Terminated(SystemExit):
    """The process received SIGTERM: raised where it runs, so that cleanup code runs on the way out."""


def user_errors(command):
    """Turn library errors into ``Fehler: ...`` and exit code 1."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except GrundschutzError as exc:
            raise click.ClickException(str(exc)) from None

    return wrapper


def os_error_text(exc: OSError) -> str:
    """An operating system error in German, with the file it concerns.

    >>> os_error_text(OSError(errno.ENOSPC, "No space left on device"))
    'Ausgabe nicht geschrieben (Datenträger voll)'
    >>> os_error_text(PermissionError(errno.EACCES, "Permission denied", "r.html"))
    'r.html: keine Berechtigung'
    """
    reason = OS_REASONS.get(exc.errno, exc.strerror or str(exc))
    if exc.filename is None:
        return f"Ausgabe nicht geschrieben ({reason})"
    return f"{exc.filename}: {reason}"


@contextlib.contextmanager
def sigterm_raises() -> Iterator[None]:
    """While the block runs, SIGTERM raises :class:`Terminated` (exit code 143) instead of killing."""

    def handler(signum, frame):
        raise Terminated(128 + signum)

    try:
        previous = signal.signal(signal.SIGTERM, handler)
    except (ValueError, OSError, AttributeError):  # not the main thread, or no SIGTERM on this platform
        previous = None
    try:
        yield
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _silence_stdout() -> None:
    """Point standard output at the null device, so that the exit does not fail on what is still buffered."""
    try:
        sys.stdout.flush()
    except (OSError, ValueError):
        pass
    with contextlib.suppress(OSError, ValueError, AttributeError):
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, sys.stdout.fileno())
        os.close(null)
    with contextlib.suppress(OSError, ValueError):
        sys.stdout.flush()


def _fail(text: str, code: int = 1) -> None:
    with contextlib.suppress(OSError, ValueError):
        click.echo(german.translate("Error: {message}").format(message=text), err=True)
    raise SystemExit(code)


class CommandGroup(click.Group):
    """A click group with German usage texts and the toolkit's error path (see the module docstring)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("options_metavar", OPTIONS_METAVAR)
        kwargs.setdefault("subcommand_metavar", SUBCOMMAND_METAVAR)
        super().__init__(*args, **kwargs)

    def add_command(self, cmd: click.Command, name: str | None = None) -> None:
        """Register ``cmd`` with the German placeholder ``[OPTIONEN]`` in its usage line."""
        _germanise_usage(cmd)
        super().add_command(cmd, name)

    def main(self, *args, **kwargs):
        """Run the command line; never ends in a traceback for a user's or the system's refusal."""
        with sigterm_raises():
            try:
                try:
                    return super().main(*args, **kwargs)
                finally:
                    sys.stdout.flush()
            except Terminated as exc:
                with contextlib.suppress(OSError, ValueError):
                    click.echo("Abgebrochen (Signal SIGTERM).", err=True)
                raise SystemExit(exc.code) from None
            except OSError as exc:
                if exc.errno == errno.EPIPE:  # the reader went away (``| head``): nothing to report
                    _silence_stdout()
                    raise SystemExit(1) from None
                if exc.filename is None:
                    _silence_stdout()
                _fail(os_error_text(exc))
            except Exception as exc:  # noqa: BLE001 - only library errors are reported, bugs re-raised
                text = german_reason(exc)
                if text is None:
                    raise
                _fail(text)


def _germanise_usage(cmd: click.Command) -> None:
    """``[OPTIONEN]`` and ``BEFEHL [ARGUMENTE]...`` in the usage line of ``cmd`` and its subcommands."""
    if cmd.options_metavar == "[OPTIONS]":
        cmd.options_metavar = OPTIONS_METAVAR
    if isinstance(cmd, click.Group):
        if cmd.subcommand_metavar.startswith("COMMAND"):
            cmd.subcommand_metavar = SUBCOMMAND_METAVAR
        for sub in cmd.commands.values():
            _germanise_usage(sub)


def format_option(command):
    """The ``--format table|csv|json`` option every table-printing command takes."""
    return click.option(
        "--format", "-f", "output_format", type=FORMATS, default="table", show_default=True,
        help="Ausgabeformat: Tabelle, CSV oder JSON.",
    )(command)


def catalogs_option(command):
    """``--catalogs DIR``: the catalog directory (else GRUNDSCHUTZ_CATALOGS, else the user's data dir)."""
    return click.option(
        "--catalogs", type=click.Path(file_okay=False, path_type=str), default=None, metavar="ORDNER",
        help="Katalogverzeichnis (sonst GRUNDSCHUTZ_CATALOGS oder ~/.local/share/grundschutz/catalogs).",
    )(command)


def echo_records(
    records: Sequence[Mapping[str, object]], output_format: str, headers: Mapping[str, str] | None = None,
    wrap: int | None = None, optional: Sequence[str] = (),
) -> None:
    """Print records as a table fitted to the terminal (German headers, long cells wrapped, at most
    ``wrap`` characters wide; the columns in ``optional`` left out, last first, if it does not fit
    otherwise), CSV or JSON."""
    from grundschutz.views.render import format_table, to_csv, to_json

    if output_format == "csv":
        click.echo(to_csv(records), nl=False)
    elif output_format == "json":
        click.echo(to_json(list(records)))
    else:
        columns = list(headers or (records[0].keys() if records else []))
        names = [(headers or {}).get(c, c) for c in columns]
        droppable = [columns.index(c) for c in optional if c in columns]
        echo_text(format_table([[r.get(c) for c in columns] for r in records], names, wrap, optional=droppable))


@contextlib.contextmanager
def progress_bar(label: str, stream=None) -> Iterator:
    """A :data:`~grundschutz.model.progress.Progress` callback that draws a bar on ``stream``
    (standard error) when it is a terminal, and ``None`` otherwise (nothing extra is printed)."""
    stream = sys.stderr if stream is None else stream
    try:
        terminal = stream.isatty()
    except (AttributeError, ValueError):
        terminal = False
    if not terminal:
        yield None
        return
    bars: list = []

    def update(what: str, done: int, total: int) -> None:
        if not bars:
            bar = click.progressbar(length=total, label=label, file=stream, show_eta=False, width=24)
            bar.__enter__()
            bars.append(bar)
        bar = bars[0]
        bar.label = f"{label}: {what}"
        bar.update(done - bar.pos)

    try:
        yield update
    finally:
        if bars:
            bars[0].__exit__(None, None, None)


def echo_text(text: str) -> None:
    """Print German text output, its long lines wrapped to the terminal width (``$COLUMNS``)."""
    from grundschutz.views.render import fit_lines

    click.echo(fit_lines(text))


def open_analysis(path, catalogs: str | None = None, *, need_catalog: bool = True, with_catalog: bool = True,
                  variant: str | None = None):
    """Read the assessment at ``path`` (every file, validated once) and analyse it with the catalog.

    ``path`` may also be an assessment read already.
    The catalog directory is ``catalogs``, else ``GRUNDSCHUTZ_CATALOGS``, else
    the user's data folder. ``need_catalog=False``: without a usable catalog
    the analysis covers the Schutzbedarf only and says why in
    ``catalog_note``. ``with_catalog=False``: the catalog is not even loaded.
    """
    from grundschutz.catalog import catalog_dir, load_catalog
    from grundschutz.io import read_assessment
    from grundschutz.method import analyse
    from grundschutz.model import Assessment
    from grundschutz.model.errors import CatalogError

    assessment = path if isinstance(path, Assessment) else read_assessment(path)
    if not with_catalog:
        return analyse(assessment)
    try:
        with progress_bar("Katalog einlesen") as progress:
            catalog = load_catalog(catalog_dir(catalogs), progress=progress)
        if assessment.settings.edition == "grundschutz++":
            catalog.gspp()  # its files are not part of the Kompendium's: missing ones show here
        return analyse(assessment, catalog, variant=variant)
    except CatalogError as exc:
        if need_catalog:
            raise
        return analyse(assessment, catalog_note=str(exc))
