"""Independent pieces of work -- the figures of a report -- shared out among forked copies of the process.

:class:`Batch` starts copies of the process that take tasks (functions
without arguments whose results can be pickled) from a queue while this
process goes on with other work; :meth:`Batch.finish` then takes what is
left, here, and returns every result in order. :func:`run_all` is both at
once. A copy inherits everything computed before it was started, so only
task numbers travel to it (through a pipe both sides read from) and only
results come back. Copies are used on Linux, with more than one CPU for this
process and no other thread running; anywhere else, or when a copy fails,
the tasks run here, one after the other, and an error is raised here as
usual. The results are the same either way.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import signal
import sys
import threading
from collections.abc import Callable, Sequence

#: Task numbers are written into the queue at once; a pipe holds 64 KiB without a reader.
_MAX_QUEUED = 65_536 // 4


class Batch:
    """Tasks taken from one queue by forked copies (started now) and, in :meth:`finish`, by this process.

    ``workers`` counts this process too (default: the CPUs); ``prepare`` runs
    first in every copy (e.g. imports the copies need and this process does
    not yet). Used as a context manager, the copies are stopped if the block
    ends in an error.

    >>> with Batch([lambda: 1, lambda: "zwei"], workers=1) as batch:
    ...     batch.finish()
    [1, 'zwei']
    """

    def __init__(self, tasks: Sequence[Callable[[], object]], workers: int | None = None,
                 prepare: Callable[[], None] | None = None):
        self.tasks = list(tasks)
        self._queue: int | None = None
        self._children: list[_Copy] = []
        copies = min(workers or available_cpus(), len(self.tasks)) - 1
        if copies < 1 or len(self.tasks) > _MAX_QUEUED or not can_fork():
            return
        read, write = os.pipe()
        os.write(write, b"".join(k.to_bytes(4, "little") for k in range(len(self.tasks))))
        os.close(write)  # the queue ends where the numbers end
        self._queue = read
        for _ in range(copies):
            try:
                self._children.append(self._fork(prepare))
            except OSError:  # no more processes (a limit, no memory): the copies there are, or none
                break

    def __enter__(self) -> Batch:
        return self

    def __exit__(self, kind, error, trace) -> None:
        if kind is not None:
            self.stop()

    def finish(self) -> list:
        """Every task's result, in order: what the queue still holds is done here, then the copies' results
        are collected; the tasks of a copy that failed are done here again."""
        results: dict[int, object] = {}
        if self._queue is not None:
            try:
                while (k := self._claim()) is not None:
                    results[k] = self.tasks[k]()
                for copy in self._children:
                    results.update(copy.collect())
            except BaseException:  # an error or Ctrl-C here: no copy may go on (or wait on its pipe)
                self.stop()
                raise
            self._children = []
            self._close()
        for k, task in enumerate(self.tasks):
            if k not in results:
                results[k] = task()
        return [results[k] for k in range(len(self.tasks))]

    def stop(self) -> None:
        """End the copies (their results are lost)."""
        for copy in self._children:
            copy.stop()
        self._children = []
        self._close()

    def _close(self) -> None:
        if self._queue is not None:
            with contextlib.suppress(OSError):
                os.close(self._queue)
            self._queue = None

    def _claim(self) -> int | None:
        """The number of the next task of the queue; ``None`` when it is empty (reads of 4 bytes are atomic)."""
        data = os.read(self._queue, 4)
        return int.from_bytes(data, "little") if data else None

    def _fork(self, prepare: Callable[[], None] | None) -> _Copy:
        """Start a copy that takes tasks until the queue is empty."""
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:  # the copy: its tasks, their results into the pipe, and gone without any clean-up
            os.close(read)
            code = 1
            try:
                if prepare is not None:
                    prepare()
                done = []
                while (k := self._claim()) is not None:
                    done.append((k, self.tasks[k]()))
                data = pickle.dumps(done, protocol=pickle.HIGHEST_PROTOCOL)
                with os.fdopen(write, "wb") as out:
                    out.write(data)
                code = 0
            finally:
                os._exit(code)
        os.close(write)
        return _Copy(pid, read)


class _Copy:
    """A forked copy of this process and the pipe its results come through."""

    __slots__ = ("pid", "results", "running")

    def __init__(self, pid: int, read: int):
        self.pid, self.results, self.running = pid, os.fdopen(read, "rb"), True

    def collect(self) -> list[tuple[int, object]]:
        """The ``(task number, result)`` pairs of the copy once it has ended; none if it failed."""
        data = self.results.read()
        self.results.close()
        _, status = os.waitpid(self.pid, 0)
        self.running = False
        if status != 0 or not data:
            return []
        return pickle.loads(data)  # noqa: S301 - written by our own copy

    def stop(self) -> None:
        """End the copy if it still runs."""
        if self.running:
            with contextlib.suppress(ChildProcessError, ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)
                os.waitpid(self.pid, 0)
            self.running = False
        self.results.close()


def run_all(tasks: Sequence[Callable[[], object]], workers: int | None = None) -> list:
    """The result of each task, in order; with ``workers`` processes at most (default: the CPUs).

    >>> run_all([lambda: 1, lambda: "zwei", lambda: [3]])
    [1, 'zwei', [3]]
    """
    with Batch(tasks, workers) as batch:
        return batch.finish()


def available_cpus() -> int:
    """The CPUs this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def can_fork() -> bool:
    """Whether forking is safe here: Linux, and no other thread whose locks a copy could inherit."""
    return sys.platform.startswith("linux") and hasattr(os, "fork") and threading.active_count() == 1
