"""Progress of long work: a callback the caller may hand to the library.

Long steps (a cold parse of the catalog, the export of a large workbook)
take an optional ``progress`` argument of type :data:`Progress` and call it
through :func:`report` before each part of the work and once at the end
(``done == total``). The library never draws anything itself; the command
line turns the calls into a progress bar when standard error is a terminal.

>>> seen = []
>>> report(lambda what, done, total: seen.append((what, done, total)), "Kompendium lesen", 0, 3)
>>> report(None, "nichts", 1, 3)
>>> seen
[('Kompendium lesen', 0, 3)]
"""

from __future__ import annotations

from collections.abc import Callable

#: ``progress(what, done, total)``: ``done`` of ``total`` parts are finished; ``what`` (German) is the part now begun.
Progress = Callable[[str, int, int], None]


def report(progress: Progress | None, what: str, done: int, total: int) -> None:
    """Tell ``progress`` (if given) that ``done`` of ``total`` parts are finished and ``what`` comes next."""
    if progress is not None:
        progress(what, done, total)
