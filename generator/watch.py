"""`bulletin watch`: build, then rebuild after every burst of changes until Ctrl-C, keeping the site in memory.

Editors save in many ways: in place, through a temporary file renamed over the original, in
bursts, half a file at a time. The watcher waits until changes have been quiet for a moment and
no source file is still open for writing, then rebuilds from what is on disk; a build that fails
writes nothing, so the last good site stays. It never stops on a bad file or a failed build.
"""

from __future__ import annotations

import contextlib
import gc
import math
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver
from watchdog.observers.polling import PollingObserver

from .build import BuildResult, Options, one_at_a_time, rebuild, remembered, state_file
from .cache import save_pickle
from .content import is_source_name
from .edit import Index, edit, make_index
from .errors import BuildFailed, Problem, format_problems
from .output import stamp_of
from .progress import Progress, silent
from .search_postings import KeptPostings
from .state import State

QUIET_SECONDS = 0.02  # a burst of saves is over when nothing changed for this long
OPEN_SECONDS = 5.0  # longest wait for a file being written to be closed
POLL_SECONDS = 0.5  # with --poll, and a file must then look the same in two polls in a row
MAX_HINTS = 2000  # more changed files than this at once: look at every file
FULL_SCAN_EVERY = 25  # builds: after so many, the next quiet moment looks at every file (a notification may be lost)
LATER_SECONDS = 1.0  # after a build in a hurry, the search index is brought up to date once edits pause this long

Report = Callable[[str], None]
SUPERSEDE = getattr(signal, "SIGUSR1", None)  # how a change stops an update of the search index (not on Windows)


class Superseded(BaseException):
    """A change arrived while the search index was being brought up to date: build the change first.

    A BaseException, like Ctrl-C, so that the build's own clean-up runs and nothing takes it for a failure.
    """


Built = Callable[[BuildResult | None, tuple[Problem, ...]], None]


class Changes(FileSystemEventHandler):
    """Counts changes to sources and remembers files still open for writing; output/ and temp files are ignored."""

    def __init__(self, options: Options, closes: bool, quiet: float = QUIET_SECONDS) -> None:
        self.options = options
        self.closes = closes  # whether the observer reports a written file being closed (inotify does)
        self.quiet = quiet
        self.lock = threading.Condition()
        self.generation = 0
        self.last = 0.0
        self.writing: dict[str, float] = {}
        self.touched: set[str] = set()  # files changed since the last build (absolute paths)
        self.structural = False  # a folder appeared, vanished or moved: the next build looks at everything
        self.interrupt: Callable[[], None] | None = None  # called on each change (from the observer's thread)
        self.output = options.output.resolve()
        self.sources = (options.content.resolve(), options.layouts.resolve())
        self.config = options.config.resolve()

    def relevant(self, path: str) -> bool:
        target = Path(path).resolve()
        if target.is_relative_to(self.output) or not is_source_name(target.name):
            return False
        return target == self.config or any(target.is_relative_to(s) for s in self.sources)

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type in ("opened", "closed_no_write"):
            return
        source, destination = str(event.src_path), str(getattr(event, "dest_path", "") or "")
        if not (self.relevant(source) or (destination and self.relevant(destination))):
            return
        with self.lock:
            now = time.monotonic()
            if self.closes and not event.is_directory and event.event_type == "modified":
                self.writing.setdefault(source, now)  # written to; "closed" says the writer is done
            elif event.event_type in ("closed", "deleted", "moved"):
                self.writing.pop(source, None)
                self.writing.pop(destination, None)
            if event.is_directory:
                self.structural = self.structural or event.event_type in ("created", "deleted", "moved")
            else:
                self.touched.update(os.path.abspath(p) for p in (source, destination) if p)
            self.last = now
            self.generation += 1
            self.lock.notify_all()
        if self.interrupt is not None:
            self.interrupt()

    def wait_for_change(self, seen: int, until: float | None) -> bool:
        """Block until a change after generation `seen` (True), or until the monotonic time `until` (False)."""
        with self.lock:
            while self.generation == seen:
                timeout = None if until is None else until - time.monotonic()
                if timeout is not None and timeout <= 0:
                    return False
                self.lock.wait(timeout if timeout is None else min(timeout, 3600))
            return True

    def settle(self) -> tuple[int, frozenset[str] | None]:
        """Wait until changes are quiet and no file is half-written.

        Returns the generation the next build will see, and the files changed since the last one
        (None when it must look at everything: a folder changed, or too much happened at once).
        """
        while True:
            with self.lock:
                now = time.monotonic()
                busy = [p for p, since in self.writing.items() if now - since < OPEN_SECONDS]
                if now - self.last >= self.quiet and not busy:
                    self.writing.clear()
                    hints = None if self.structural or len(self.touched) > MAX_HINTS else frozenset(self.touched)
                    self.touched, self.structural = set(), False
                    return self.generation, hints
            time.sleep(0.01)


@contextlib.contextmanager
def collector_paused(pause: bool) -> Iterator[None]:
    """No garbage collection during an edit's build (it would add tens of ms); tidy() collects after it."""
    if not pause or not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    except Superseded:  # the stopped update's objects, set aside: else the next pass scans them all before the
        gc.freeze()  # change that stopped it is built (half a second at 100 000 articles); tidy() collects after it
        raise
    finally:
        gc.enable()


def say(message: str) -> None:
    """Print a message of the watcher: problems to stderr, the rest to stdout."""
    print(message, file=sys.stderr if message.endswith("nothing was written.") else sys.stdout, flush=True)


class Watcher:
    """The site in memory and the loop that rebuilds it; `bulletin serve` runs the same loop."""

    def __init__(self, options: Options, poll: bool = False, quiet: bool = False, report: Report = say) -> None:
        # the search index's postings, kept from one update to the next: after a text edit only it is read again
        self.options = replace(options, postings=KeptPostings())
        self.poll, self.quiet, self.report = poll, quiet, report
        self.state = State()
        self.builds = 0
        self.unscanned = 0  # builds since the last that looked at every source file
        self.behind = False  # the last build left the search index for a quiet moment
        self.building = False  # a build is under way (or was stopped half-way by Ctrl-C)
        self.catching_up = False  # a change now stops the update of the search index under way
        self.pending: frozenset[str] | None = None  # changed since the last good build; None: unknown
        self.index: Index | None = None  # who read what in the last build, for the next text edit
        self.failure = ""  # the problems the last build stopped on, as reported
        self.stopped: Superseded | None = None  # a stopped update, whose frames hold what it had made
        closes = not poll and sys.platform.startswith("linux")
        self.handler = Changes(options, closes, 2 * POLL_SECONDS + 0.1 if poll else QUIET_SECONDS)
        self.observer: BaseObserver | None = None  # made when it starts (each holds an inotify instance)

    def build(
        self,
        built: Built,
        first: bool = False,
        says: bool = True,
        hints: frozenset[str] | None = None,
        hurry: bool = False,
        recheck: bool = False,
    ) -> None:
        """One build; problems are reported and the output keeps the last good site. Never raises but Ctrl-C.

        `hurry`: pages first; the search index, if out of date, is left for later (self.behind).
        `recheck`: look at every file it wrote, in case one was deleted from output/ by hand.
        """
        self.building = True  # until it ends: a Ctrl-C in between may leave its memory half-changed (see finish)
        self._build(built, first, says, hints, hurry, recheck)
        self.building = False

    def _build(
        self,
        built: Built,
        first: bool,
        says: bool,
        hints: frozenset[str] | None,
        hurry: bool,
        recheck: bool,
    ) -> None:
        options = self.options if first else replace(self.options, jobs=1)  # no forking beside threads
        progress = Progress(quiet=self.quiet)
        # the files changed since the last good build (a failed one leaves its own for the next)
        if hints is None or self.pending is None or self.poll:
            self.pending = None
        else:
            self.pending = self.pending | hints
        everything = self.pending is None
        try:
            with one_at_a_time(options, progress), collector_paused(not first):
                if first:
                    self.state = remembered(options)
                trusted = self.state.folder is not None and stamp_of(options.output) == self.state.folder
                try:
                    edited = None
                    if self.index is not None and self.pending is not None:
                        edited = edit(options, self.state, self.index, self.pending, hurry, recheck, progress)
                    if edited is not None:
                        result, self.state, self.index = edited
                    else:
                        self.index = None
                        result, self.state = rebuild(
                            options,
                            self.state,
                            progress=progress,
                            hints=self.pending,
                            hurry=hurry,
                            assemble=first,
                            recheck=recheck,
                        )
                except (BuildFailed, Superseded):
                    if trusted:  # output/ is as this watcher left it: only the staging it removed changed its times
                        self.state = replace(self.state, folder=stamp_of(options.output))
                    raise
            self.pending = frozenset()
            self.catching_up = False  # written: no longer to be stopped (nor while the index below is made)
        except BuildFailed as failure:
            self.failed(format_problems(failure.problems), says)
            built(None, failure.problems)
            return
        except Exception as error:  # a watcher must outlive any one failed build
            self.failed(
                f"The build stopped on an unexpected error ({type(error).__name__}: {error}); still watching.", says
            )
            built(None, (Problem("bulletin", 1, f"unexpected error: {error}"),))
            return
        self.failure = ""
        quiet = self.quiet or (not says and result.report is not None and result.report.written == 0)
        if not quiet:
            self.report(result.summary())
        built(result, ())
        self.builds += 1
        self.unscanned = 0 if everything else self.unscanned + 1
        self.behind = result.behind
        if self.index is None:  # after a build by the usual path, for the next edit (the pages are written)
            self.index = make_index(replace(self.options, jobs=1), self.state)

    def failed(self, report: str, says: bool) -> None:
        """After a failed build: report it (unless `says` is False and it is the failure just reported), and
        wait for the editor's fix: no update of the search index is tried again until a build succeeds."""
        if says or report != self.failure:
            self.report(report)
        self.failure = report
        if self.state.quick is not None:  # the next build comes with the editor's fix: it looks at what changed
            self.state = replace(self.state, quick=self.state.quick.unsure())
        self.behind = False

    def tidy(self) -> None:
        """Set the long-lived site aside from the garbage collector, so later rebuilds do not pause to scan it;
        let go of what a stopped update had made (the change that stopped it is built by then)."""
        self.stopped = None
        if self.builds % 50 == 0:
            gc.unfreeze()  # now and then, look again for garbage among the old objects too
        gc.collect()
        gc.freeze()

    def start(self) -> None:
        if SUPERSEDE is not None and threading.current_thread() is threading.main_thread():
            signal.signal(SUPERSEDE, self._supersede)
            self.handler.interrupt = self._changed
        self.observer = PollingObserver(timeout=POLL_SECONDS) if self.poll else Observer()
        for folder in (self.options.content, self.options.layouts):
            if folder.is_dir():
                self.observer.schedule(self.handler, str(folder), recursive=True)
        self.observer.schedule(self.handler, str(self.options.config.resolve().parent), recursive=False)
        self.observer.start()

    def next_due(self) -> float | None:
        """When the next scheduled article comes due (monotonic clock), if one is waiting and --now is not set
        (after a failed build, the editor's fix comes first)."""
        quick = self.state.quick
        if self.options.now is not None or self.failure or quick is None or quick.until is None:
            return None
        wait = (quick.until - datetime.now(quick.until.tzinfo)).total_seconds()
        return time.monotonic() + max(0.0, wait) + 1.0

    def loop(self, built: Built) -> None:
        """Rebuild after every settled burst of changes, and when a scheduled article comes due.

        A rebuild after an edit writes the pages first; the search index and the sitemaps, which read
        every article, follow once the edits have paused for LATER_SECONDS (open pages do not reload for them).
        """
        seen = self.handler.generation
        while True:
            due = self.next_due()
            if self.waiting():
                due = min(due or math.inf, time.monotonic() + LATER_SECONDS)
            if self.handler.wait_for_change(seen, due):
                seen, hints = self.handler.settle()
                self.build(built, hints=hints, hurry=True)
            elif self.waiting():
                self.catch_up()
                if self.stopped is not None:
                    continue  # the change that stopped it first; what it had made is let go after that
            else:  # a scheduled article came due
                self.build(built, hurry=True)
            self.tidy()

    def waiting(self) -> bool:
        """Whether there is work for the next quiet moment: what the last build left for later, or the look at
        every source file due after FULL_SCAN_EVERY builds."""
        return self.behind or self.unscanned >= FULL_SCAN_EVERY

    def catch_up(self, cancellable: bool = True) -> None:
        """Bring up to date what the last build left for later (pages do not reload for it).

        A change in the meantime stops it, output/ unchanged, so that the change is built at once. It also
        looks at every file it wrote (a few µs each): one deleted from output/ by hand is put back; and, when
        due, at every source file, in case a notification was lost.
        """
        everything = self.unscanned >= FULL_SCAN_EVERY
        try:
            self.catching_up = cancellable
            self.build(lambda result, problems: None, hints=None if everything else frozenset(), recheck=True)
            self.catching_up = False
        except Superseded as stopped:
            self.catching_up = self.building = False  # the memory is put back; the loop builds the change
            self.stopped = stopped  # its frames hold what the update had made: letting go of it takes long

    def _changed(self) -> None:
        """From the observer's thread, on every change: stop an update of the search index."""
        if self.catching_up and SUPERSEDE is not None:
            os.kill(os.getpid(), SUPERSEDE)

    def _supersede(self, signum: int, frame: object) -> None:
        """Stop the update once: a save sends a signal per notification, and a second one raised while the
        first unwinds would cut short the clean-up (staged files removed, the watcher's memory put back)."""
        if self.catching_up:  # else a late signal: ignored
            self.catching_up = False
            raise Superseded

    def finish(self) -> None:
        """On Ctrl-C: leave output/ whole, search index included, unless a second Ctrl-C says not to wait.

        A Ctrl-C during a build may come after its pages were written but before the watcher noted it, and
        may leave its memory half-changed: the site is then built again from the cache alone."""
        if self.building:
            self.state, self.index, self.pending, self.behind = State(), None, None, True
        if not self.behind:
            return
        self.report(
            "Updating the search index and sitemaps before stopping (Ctrl-C again to leave them for the next build)…"
        )
        with contextlib.suppress(KeyboardInterrupt):
            self.catch_up(cancellable=False)

    def stop(self) -> None:
        """Stop watching, and leave the memory of the last build for the next `bulletin build`."""
        if self.observer is not None:
            self.observer.stop()
            self.observer.join()
        state = State() if self.building else self.state  # a build stopped half-way: nothing of it is trusted
        with one_at_a_time(self.options, silent()):
            save_pickle(state_file(self.options), state.for_disk())


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def stop_on_terminate() -> None:
    """A service manager's SIGTERM stops the watcher as Ctrl-C does (its memory is saved for the next build)."""
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _interrupt)


def watch(options: Options, poll: bool = False, quiet: bool = False, report: Report = say) -> None:
    """Build now, then after each burst of changes; returns on Ctrl-C."""
    stop_on_terminate()
    watcher = Watcher(options, poll, quiet, report)
    ignore: Built = lambda result, problems: None  # noqa: E731
    watcher.build(ignore, first=True)
    watcher.tidy()
    watcher.start()
    try:
        watcher.build(ignore, says=False)  # changes made while the first build ran
        report(f"Watching {options.content}, {options.layouts} and {options.config}; press Ctrl-C to stop.")
        watcher.loop(ignore)
    except KeyboardInterrupt:
        watcher.finish()
        report("Stopped watching.")
    finally:
        watcher.stop()
