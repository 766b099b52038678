"""`bulletin watch`: build, then rebuild after every change (debounced) until Ctrl-C."""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.polling import PollingObserver

from .build import BuildResult, Options, build
from .content import is_source_name
from .errors import BuildFailed, format_problems

QUIET_SECONDS = 0.2


class Changes(FileSystemEventHandler):
    """Sets a flag when a source file changes; the output folder and temporary files are ignored."""

    def __init__(self, options: Options) -> None:
        self.options = options
        self.changed = threading.Event()
        self.last = 0.0
        self.output = options.output.resolve()

    def relevant(self, path: str) -> bool:
        target = Path(path).resolve()
        if target.is_relative_to(self.output) or not is_source_name(target.name):
            return False
        sources = (self.options.content.resolve(), self.options.layouts.resolve())
        return target == self.options.config.resolve() or any(target.is_relative_to(s) for s in sources)

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type in ("opened", "closed_no_write"):
            return
        paths = [event.src_path, getattr(event, "dest_path", "") or ""]
        if any(p and self.relevant(str(p)) for p in paths):
            self.last = time.monotonic()
            self.changed.set()


def rebuild(options: Options, report: Callable[[str], None]) -> BuildResult | None:
    """One build; problems are reported and the output keeps the last good site."""
    try:
        result = build(options)
    except BuildFailed as failure:
        report(format_problems(failure.problems))
        return None
    report(result.summary())
    return result


def _print(message: str) -> None:
    print(message, file=sys.stderr if message.endswith("nothing was written.") else sys.stdout, flush=True)


def watch(options: Options, poll: bool = False, report: Callable[[str], None] = _print) -> None:
    """Build now, then after each burst of changes; returns on Ctrl-C."""
    rebuild(options, report)
    handler = Changes(options)
    observer = PollingObserver(timeout=0.5) if poll else Observer()
    for folder in (options.content, options.layouts):
        if folder.is_dir():
            observer.schedule(handler, str(folder), recursive=True)
    observer.schedule(handler, str(options.config.resolve().parent), recursive=False)
    observer.start()
    report(f"Watching {options.content}, {options.layouts} and {options.config}; press Ctrl-C to stop.")
    try:
        while True:
            handler.changed.wait()
            while time.monotonic() - handler.last < QUIET_SECONDS:
                time.sleep(QUIET_SECONDS / 4)
            handler.changed.clear()
            rebuild(options, report)
    except KeyboardInterrupt:
        report("Stopped watching.")
    finally:
        observer.stop()
        observer.join()
