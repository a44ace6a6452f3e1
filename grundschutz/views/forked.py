"""Independent pieces of work -- the figures of a report -- shared out among forked copies of the process.

:func:`run_all` calls each task (a function without arguments whose result
can be pickled) and returns the results in order. On Linux, with more than
one CPU for this process and no other thread running, the tasks are shared
out among forked copies of the process: a copy inherits everything computed
so far, so only the results travel back, through a pipe. Anywhere else, or
when a copy fails, the tasks run here, one after the other, and an error is
raised here as usual. The results are the same either way.
"""

from __future__ import annotations

import os
import pickle
import sys
import threading
from collections.abc import Callable, Sequence


def run_all(tasks: Sequence[Callable[[], object]], workers: int | None = None) -> list:
    """The result of each task, in order; with ``workers`` processes at most (default: the CPUs).

    >>> run_all([lambda: 1, lambda: "zwei", lambda: [3]])
    [1, 'zwei', [3]]
    """
    workers = min(workers or available_cpus(), len(tasks))
    if workers < 2 or not can_fork():
        return [task() for task in tasks]
    shares = [range(k, len(tasks), workers) for k in range(workers)]
    children = [_fork(tasks, share) for share in shares[1:]]
    results: list = [None] * len(tasks)
    try:
        for i in shares[0]:
            results[i] = tasks[i]()
    finally:
        done = [_collect(child) for child in children]
    for (_, _, share), values in zip(children, done):
        if values is None:  # the copy failed: its share again, here, where an error shows
            values = [tasks[i]() for i in share]
        for i, value in zip(share, values):
            results[i] = value
    return results


def available_cpus() -> int:
    """The CPUs this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def can_fork() -> bool:
    """Whether forking is safe here: Linux, and no other thread whose locks a copy could inherit."""
    return sys.platform.startswith("linux") and hasattr(os, "fork") and threading.active_count() == 1


def _fork(tasks: Sequence[Callable[[], object]], share: range) -> tuple[int, int, range]:
    """Start a copy that runs ``share`` of the tasks: ``(pid, pipe to read its results from, share)``."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the copy: its share, the results into the pipe, and gone without any clean-up
        os.close(read)
        code = 1
        try:
            data = pickle.dumps([tasks[i]() for i in share], protocol=pickle.HIGHEST_PROTOCOL)
            with os.fdopen(write, "wb") as out:
                out.write(data)
            code = 0
        finally:
            os._exit(code)
    os.close(write)
    return pid, read, share


def _collect(child: tuple[int, int, range]) -> list | None:
    """The results of a copy, ``None`` if it failed."""
    pid, read, _ = child
    with os.fdopen(read, "rb") as stream:
        data = stream.read()
    _, status = os.waitpid(pid, 0)
    if status != 0 or not data:
        return None
    return pickle.loads(data)  # noqa: S301 - written by our own copy
