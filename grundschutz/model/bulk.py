"""Helpers for building many small objects at once."""

from __future__ import annotations

import gc
from contextlib import contextmanager


@contextmanager
def paused_gc():
    """Pause the cyclic garbage collector while many objects are created.

    Reading and propagating 100,000 objects creates millions of small, acyclic
    objects; the collector's repeated passes over them cost a third of the
    time and free nothing. Reference counting still frees everything.

    >>> with paused_gc():
    ...     rows = [{"id": str(i)} for i in range(3)]
    >>> len(rows)
    3
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
