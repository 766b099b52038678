"""Publishing from git: the pre-commit hook in a real repository, and the example CI workflows."""

from __future__ import annotations

import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import CHILD_ENV, REPO, article

from generator.cli import make_parser

HOOK = REPO / "deploy/pre-commit"
BROKEN = "---\ntitle: Tin lỗi\ndate: 2026-02-30\ncategory: Thời sự\n---\n\nThân bài.\n"


def git(repo: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    env = {
        **CHILD_ENV,
        "BULLETIN": f"{sys.executable} -m generator",
        "GIT_AUTHOR_NAME": "Biên tập viên",
        "GIT_AUTHOR_EMAIL": "btv@example.vn",
        "GIT_COMMITTER_NAME": "Biên tập viên",
        "GIT_COMMITTER_EMAIL": "btv@example.vn",
    }
    done = subprocess.run(["git", *args], cwd=repo, env=env, capture_output=True, text=True, timeout=120)
    if check:
        assert done.returncode == 0, done.stdout + done.stderr
    return done


def commits(repo: Path) -> int:
    return int(git(repo, "rev-list", "--count", "HEAD").stdout)


@pytest.fixture
def newsroom(tmp_path: Path) -> Path:
    """A newsroom's repository with one good article and the hook installed as the README says."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    repo = tmp_path / "bantin"
    shutil.copytree(REPO / "layouts", repo / "layouts")
    (repo / "content/2026").mkdir(parents=True)
    (repo / "site.toml").write_text('title = "Bản tin"\nbase_url = "https://bantin.example.vn/"\n', "utf-8")
    (repo / "content/2026/mot.md").write_text(article("Tin một"), "utf-8")
    git(repo, "init", "-q", "-b", "main")
    (repo / ".git/hooks/pre-commit").write_bytes(HOOK.read_bytes())
    (repo / ".git/hooks/pre-commit").chmod(0o755)
    return repo


def test_hook_lets_good_articles_in_and_stops_broken_ones(newsroom):
    repo = newsroom
    git(repo, "add", "-A")
    first = git(repo, "commit", "-q", "-m", "Tin một")
    shown = first.stdout + first.stderr  # git passes on what the hook prints on stderr
    assert "content/2026/mot.md" in shown and "no problems" in shown
    assert commits(repo) == 1

    (repo / "content/2026/hai.md").write_text(BROKEN, "utf-8")
    git(repo, "add", "content/2026/hai.md")
    refused = git(repo, "commit", "-q", "-m", "Tin hai", check=False)
    assert refused.returncode != 0
    assert (
        'content/2026/hai.md:3: date "2026-02-30" is not a real date (day is out of range for month)' in refused.stderr
    )
    assert "The commit was stopped." in refused.stderr
    assert commits(repo) == 1

    # Fixed on disk but not staged: the staged text is still wrong, and that is what would be committed.
    (repo / "content/2026/hai.md").write_text(BROKEN.replace("2026-02-30", "2026-02-28"), "utf-8")
    again = git(repo, "commit", "-q", "-m", "Tin hai", check=False)
    assert again.returncode != 0 and "content/2026/hai.md:3:" in again.stderr
    assert commits(repo) == 1

    git(repo, "add", "content/2026/hai.md")
    git(repo, "commit", "-q", "-m", "Tin hai")
    assert commits(repo) == 2
    assert not list(Path(repo).glob("output"))  # check writes nothing


def test_hook_ignores_other_files_and_unstaged_drafts(newsroom):
    repo = newsroom
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "Tin một")
    (repo / "README.md").write_text("Ghi chú của tòa soạn\n", "utf-8")
    git(repo, "add", "README.md")
    quiet = git(repo, "commit", "-q", "-m", "Ghi chú")
    assert "bulletin check" not in quiet.stdout + quiet.stderr
    # A half-written draft that is not part of the commit does not block a good article.
    (repo / "content/2026/nhap.md").write_text(BROKEN, "utf-8")
    (repo / "content/2026/ba.md").write_text(article("Tin ba"), "utf-8")
    git(repo, "add", "content/2026/ba.md")
    git(repo, "commit", "-q", "-m", "Tin ba")
    assert commits(repo) == 3


def workflow_commands() -> list[tuple[str, str]]:
    """Every `bulletin …` line of the example CI files."""
    found = []
    for path in sorted((REPO / "deploy").glob("*.yml")):
        data = yaml.safe_load(path.read_text("utf-8"))
        lines: list[str] = []
        for job in data.get("jobs", {}).values():
            lines += [step["run"] for step in job.get("steps", []) if "run" in step]
        for job in data.values():
            if isinstance(job, dict):
                lines += job.get("script", [])
        found += [(path.name, line) for line in lines if line.startswith("bulletin ")]
    return found


def test_ci_examples_build_on_every_push_to_main_with_valid_commands():
    github = yaml.safe_load((REPO / "deploy/github-pages.yml").read_text("utf-8"))
    triggers = github.get("on", github.get(True))  # YAML 1.1 reads a bare `on` as true
    assert triggers["push"]["branches"] == ["main"] and "schedule" in triggers
    assert any(step.get("uses", "").startswith("actions/deploy-pages") for step in github["jobs"]["deploy"]["steps"])
    gitlab = yaml.safe_load((REPO / "deploy/gitlab-ci.yml").read_text("utf-8"))
    assert gitlab["pages"]["rules"] == [{"if": '$CI_COMMIT_BRANCH == "main"'}]
    commands = workflow_commands()
    assert {name for name, _ in commands} == {"github-pages.yml", "gitlab-ci.yml"}
    for name, line in commands:
        words = shlex.split(line)
        args = make_parser().parse_args(words[1:])  # exits (fails the test) on an option bulletin does not know
        assert args.command == "build", (name, line)
