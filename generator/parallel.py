"""Both cores for big builds: work items run in forked processes, results come back in order.

Workers are forked after the site is in memory, so they share it (copy-on-write) instead of
receiving it through a pipe; the items go in chunks that each process, this one included, takes
from a shared count when it is free, and small results come back. One long piece of work can
also be given to a forked process of its own (in_background). Where fork is not available
(Windows), or the work is too small to pay for the processes, it runs in-process.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import multiprocessing
import os
import pickle
import signal
import sys
import tempfile
import threading
from array import array
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

T = TypeVar("T")


class WorkerLost(Exception):
    """A worker process ended before handing back its work: killed, or out of memory."""

    def __str__(self) -> str:
        return "a worker process stopped before finishing its work (killed, or out of memory); nothing was written"


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


def _child_start(parent: int) -> None:
    """Runs first in every forked process: signals are the parent's business, and it dies with its parent.

    A worker left running after a killed build would write into output/ behind the back of the next build.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # the pool ends its workers so; a watcher's handler is not theirs
    if hasattr(signal, "SIGUSR1"):
        signal.signal(signal.SIGUSR1, signal.SIG_IGN)  # a watcher's "stop the search index" is for the parent
    _die_with_parent()
    if os.getppid() != parent:  # the build was killed before this process got going
        os._exit(1)


def _worker_start(work: Callable[[int], Any], parent: int, chunks: list[range], taken: Any) -> None:
    """Runs once in each forked worker: remember the work."""
    _child_start(parent)
    global _work  # the forked worker's own copy, set once per process
    _work = (work, chunks, taken)


_work: tuple[Callable[[int], Any], list[range], Any] | None = None  # set only inside forked workers, by _worker_start
_pools = 0  # how many calls of ordered_map are running workers for this process


def _die_with_parent() -> None:
    """Ask Linux to kill this process when its parent dies (elsewhere: nothing to ask)."""
    if not sys.platform.startswith("linux"):
        return
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


def _give_back_free_memory() -> None:
    """Return the heap memory this process freed to the system (glibc keeps it otherwise) before forking."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None).malloc_trim(0)


def core_free() -> bool:
    """Whether a core is free for a new process: no workers of ordered_map are running for this process, or
    they have all ended, which they do once every chunk is made (any process that multiprocessing started
    here counts as a worker). A worker making its last chunk still holds its memory (the pages of the site
    it copied); a process started beside it would add its own to that peak."""
    return _pools == 0 or not multiprocessing.active_children()


def _next_chunk(chunks: list[range], taken: Any) -> range | None:
    """The first chunk nobody has taken yet (workers and the parent share the count), or None."""
    with taken.get_lock():
        number = taken.value
        taken.value = number + 1
    return chunks[number] if number < len(chunks) else None


def _run_next() -> list[tuple[int, Any]]:
    """In a worker: make the next chunk nobody has taken (nothing if the parent took the last ones)."""
    assert _work is not None
    work, chunks, taken = _work
    numbers = _next_chunk(chunks, taken)
    return [(number, work(number)) for number in numbers or ()]


def ordered_map(
    work: Callable[[int], T],
    count: int,
    jobs: int,
    tick: Callable[[int], None] = lambda done: None,
    long: int = 0,
    chunk: int = CHUNK,
) -> list[T]:
    """[work(0), …, work(count - 1)], in `jobs` processes when that pays; `tick(done)` reports progress.

    This process works too: first the `long` items, which take long and read much (the search index
    reads every article), so that no worker copies all that they read; then, like the workers, the
    next chunk of the rest that nobody has taken, so that no core waits while another has work.
    `chunk`: how many items go together (more when each is quick, so that handing them over costs little).
    """
    results: list[Any] = [None] * count
    lock = threading.Lock()  # workers' results arrive on the pool's thread

    def done(pairs: list[tuple[int, Any]]) -> None:
        with lock:
            for number, result in pairs:
                results[number] = result
            tick(len(pairs))

    workers = min(jobs - 1, (count - long) // MIN_ITEMS_PER_WORKER)
    if workers < 1 or not can_fork():
        for number in range(count):
            done([(number, work(number))])
        return results
    chunks = [range(start, min(start + chunk, count)) for start in range(long, count, chunk)]
    context = multiprocessing.get_context("fork")
    taken = context.Value("q", 0)
    _give_back_free_memory()
    frozen = gc.get_freeze_count() == 0
    if frozen:  # the site's objects then stay shared: the workers' cycle collector never writes to their pages
        gc.freeze()

    def deliver(future: Future[list[tuple[int, Any]]]) -> None:
        if not future.cancelled() and future.exception() is None:
            done(future.result())

    global _pools
    _pools += 1
    start = (work, os.getpid(), chunks, taken)
    try:
        with ProcessPoolExecutor(workers, mp_context=context, initializer=_worker_start, initargs=start) as pool:
            try:
                pending = [pool.submit(_run_next) for _ in chunks]
                for item in pending:
                    item.add_done_callback(deliver)
                pool.shutdown(wait=False)  # the workers end once every chunk is made (not waiting for this process)
                for number in range(long):
                    done([(number, work(number))])
                while (numbers := _next_chunk(chunks, taken)) is not None:
                    done([(number, work(number)) for number in numbers])
                for item in pending:
                    item.result()  # raises what a worker raised
            except BrokenProcessPool as error:
                raise WorkerLost from error
            except BaseException:
                for child in multiprocessing.active_children():  # Ctrl-C or a failure here: stop the workers now
                    child.terminate()
                raise
    finally:
        _pools -= 1
        if frozen:
            gc.unfreeze()
    return results


def _array_from(typecode: str, data: bytes) -> array:
    return array(typecode, data)


class _Pickler(pickle.Pickler):
    """A pickler that writes a packed array straight from its memory: the usual way copies each array into
    a bytes object that the pickler then keeps to the end, doubling what a big result takes."""

    def reducer_override(self, obj: Any) -> Any:
        if type(obj) is array:
            return _array_from, (obj.typecode, pickle.PickleBuffer(obj))
        return NotImplemented


@contextlib.contextmanager
def in_background(work: Callable[[], T], jobs: int) -> Iterator[Callable[[], T | None]]:
    """Start work() in a forked process; yields a function that waits for its result.

    The result is None when the process could not give one (it failed, or there was no second
    core, no fork or no room for a temporary file): the caller then does the work itself, and its
    errors show there. The result waits in a temporary file until the process has ended, so that
    this process reads it only once the other's memory (its result, and the pages of this one's
    objects it copied) is given back. Leaving the block ends the process if it is still running (a
    build stopped half-way).
    """
    if jobs < 2 or not can_fork():
        yield lambda: None
        return
    parent = os.getpid()
    with contextlib.ExitStack() as stack:
        try:
            spool = stack.enter_context(tempfile.TemporaryFile())
        except OSError:  # nowhere to leave a result (a full disk): the caller does the work itself
            yield lambda: None
            return
        _give_back_free_memory()
        child = os.fork()
        if child == 0:  # pragma: no cover (the forked process; its work is measured in the parent's tests)
            status = 1
            try:
                _child_start(parent)
                _Pickler(spool, protocol=pickle.HIGHEST_PROTOCOL).dump(work())
                spool.flush()
                status = 0
            finally:
                os._exit(status)
        ended = False

        def result() -> T | None:
            nonlocal ended
            status = os.waitpid(child, 0)[1]
            ended = True
            if status != 0:
                return None
            spool.seek(0)
            try:
                return pickle.load(spool)
            except Exception:  # a result cut short (a full disk): the caller does the work itself
                return None

        try:
            yield result
        finally:
            if not ended:
                with contextlib.suppress(OSError):
                    os.kill(child, signal.SIGKILL)
                    os.waitpid(child, 0)
