"""The small site in tests/golden/site builds to exactly the tree in tests/golden/expected.

Refresh after an intended change of output:  BULLETIN_UPDATE_GOLDEN=1 python -m pytest tests/test_golden.py
then read the diff (git diff tests/golden/expected) before committing it.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from conftest import REPO

from generator.cli import main

GOLDEN = REPO / "tests/golden"
NOW = "2026-11-27T12:00:00+07:00"


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_golden_site_builds_byte_for_byte(tmp_path: Path) -> None:
    output = tmp_path / "output"
    site = GOLDEN / "site"
    argv = ["--content", str(site / "content"), "--layouts", str(REPO / "layouts"), "--config", str(site / "site.toml")]
    assert main(["build", *argv, "--output", str(output), "--now", NOW]) == 0
    built = _tree(output)
    expected = GOLDEN / "expected"
    if os.environ.get("BULLETIN_UPDATE_GOLDEN"):
        shutil.rmtree(expected, ignore_errors=True)
        shutil.copytree(output, expected)
    wanted = _tree(expected)
    assert sorted(built) == sorted(wanted)
    for path, data in wanted.items():
        assert built[path] == data, f"{path} differs from the golden copy"
