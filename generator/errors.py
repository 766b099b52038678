"""Problems found in content, config or templates, and the one way they are printed."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True, order=True)
class Problem:
    """One mistake an editor can fix: where it is and what is wrong, in plain words."""

    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


class BuildFailed(Exception):
    """Raised when a build found problems; carries all of them so they print at once."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(sorted(set(problems)))
        super().__init__(format_problems(self.problems))


def format_problems(problems: Iterable[Problem]) -> str:
    """Every problem on its own line, then a one-line summary."""
    items = sorted(set(problems))
    files = len({p.path for p in items})
    noun = "problem" if len(items) == 1 else "problems"
    fnoun = "file" if files == 1 else "files"
    lines = [str(p) for p in items]
    lines.append(f"{len(items)} {noun} in {files} {fnoun}; nothing was written.")
    return "\n".join(lines)
