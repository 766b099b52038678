"""A progress line on the terminal for builds that take more than a second; silent otherwise."""

from __future__ import annotations

import sys
import time
from typing import TextIO

DELAY = 1.0
EVERY = 0.1


class Progress:
    """Counts work in phases and redraws one line at most ten times a second, once a second has passed."""

    def __init__(self, stream: TextIO | None = None, quiet: bool = False) -> None:
        self.stream = stream or sys.stderr
        self.quiet = quiet
        self.enabled = not quiet and self.stream.isatty()
        self.started = time.monotonic()
        self.drawn = 0.0
        self.phase, self.done, self.total = "", 0, 0
        self.shown = False

    def start(self, phase: str, total: int) -> None:
        """Begin a phase such as "Reading articles" with `total` steps."""
        self.phase, self.done, self.total = phase, 0, total
        self.tick(0)

    def tick(self, steps: int = 1) -> None:
        """`steps` more steps of the current phase are done."""
        self.done += steps
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self.started < DELAY or now - self.drawn < EVERY:
            return
        self.drawn = now
        share = f" {self.done * 100 // self.total:3d}%" if self.total else ""
        line = f"{self.phase}: {self.done:,}/{self.total:,}{share}".replace(",", " ")
        self.stream.write(f"\r\x1b[K{line}")
        self.stream.flush()
        self.shown = True

    def say(self, message: str) -> None:
        """A line of its own about the work (unless quiet), e.g. that it waits for another build."""
        if not self.quiet:
            self.close()
            self.stream.write(message + "\n")
            self.stream.flush()

    def close(self) -> None:
        """Erase the line so the summary stands alone."""
        if self.shown:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
            self.shown = False


def silent() -> Progress:
    """A progress display that never draws."""
    return Progress(quiet=True)
