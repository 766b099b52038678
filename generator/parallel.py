"""Both cores for big builds: work items run in forked processes, results come back in order.

Workers are forked after the site is in memory, so they share it (copy-on-write) instead of
receiving it through a pipe; only item numbers go out and small results come back. Where fork is
not available (Windows), or the work is too small to pay for the processes, it runs in-process.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import multiprocessing
import os
import signal
import sys
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

T = TypeVar("T")
MIN_ITEMS_PER_WORKER = 24
CHUNK = 16
PR_SET_PDEATHSIG = 1  # from <sys/prctl.h>


def available_cores() -> int:
    """How many processors this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:
        return max(1, os.cpu_count() or 1)


def can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


def _worker_start(work: Callable[[int], Any], parent: int) -> None:
    """Runs once in each forked worker: Ctrl-C is the parent's business; remember the work.

    A worker dies with its build: one left running after a killed build would write into
    output/ behind the back of the next build.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # the pool ends its workers so; a watcher's handler is not theirs
    _die_with_parent()
    if os.getppid() != parent:  # the build was killed before this worker got going
        os._exit(1)
    global _work  # the forked worker's own copy, set once per process
    _work = work


_work: Callable[[int], Any] | None = None  # set only inside forked workers, by _worker_start


def _die_with_parent() -> None:
    """Ask Linux to kill this process when its parent dies (elsewhere: nothing to ask)."""
    if not sys.platform.startswith("linux"):
        return
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


def _give_back_free_memory() -> None:
    """Return freed heap memory to the system (glibc keeps it otherwise); elsewhere nothing to do."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None).malloc_trim(0)


def _run_chunk(numbers: range) -> list[tuple[int, Any]]:
    assert _work is not None
    return [(number, _work(number)) for number in numbers]


def ordered_map(
    work: Callable[[int], T], count: int, jobs: int, tick: Callable[[int], None], long: int = 0
) -> list[T]:
    """[work(0), …, work(count - 1)], in `jobs` processes when that pays; `tick(done)` reports progress.

    The first `long` items take long and read much (the search index reads every article): this
    process makes them while the workers take the rest, so no worker copies what they read.
    """
    results: list[Any] = [None] * count
    for number, result in _results(work, count, jobs, long):
        results[number] = result
        tick(1)
    return results


def _results(work: Callable[[int], T], count: int, jobs: int, long: int) -> Iterator[tuple[int, T]]:
    jobs = min(jobs - min(long, 1), (count - long) // MIN_ITEMS_PER_WORKER)  # this process is busy with the long ones
    if jobs < (1 if long else 2) or not can_fork():
        for number in range(count):
            yield number, work(number)
        return
    chunks = [range(start, min(start + CHUNK, count)) for start in range(long, count, CHUNK)]
    context = multiprocessing.get_context("fork")
    _give_back_free_memory()  # what the parent freed is not copied into the workers' accounts
    frozen = gc.get_freeze_count() == 0
    if frozen:  # the site's objects then stay shared: the workers' cycle collector never writes to their pages
        gc.freeze()
    try:
        with context.Pool(jobs, initializer=_worker_start, initargs=(work, os.getpid())) as pool:
            rest = pool.imap_unordered(_run_chunk, chunks)
            for number in range(long):
                yield number, work(number)
            for chunk in rest:
                yield from chunk
    finally:
        if frozen:
            gc.unfreeze()
