"""Command-line parsing only: each command hands its options to the module that does the work."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from pathlib import Path

from .build import Options, build
from .errors import BuildFailed, format_problems
from .inputs import folder_problems
from .parallel import WorkerLost
from .progress import Progress

COMMANDS = {
    "build": "check content/, layouts/ and site.toml, then write the site to output/",
    "check": "the same checks as build, writing nothing",
    "watch": "build, then rebuild after every change until Ctrl-C",
    "serve": "watch, and serve output/ on a local web server that reloads open pages after each rebuild",
    "new": "write a new article file with valid front matter",
    "import-seeds": "turn the plain-text bulletins in seeds/ into articles in content/",
}


def _moment(text: str) -> datetime:
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f'"{text}" is not an ISO 8601 time such as 2026-11-27T14:30+07:00') from None


def _shared(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--content", type=Path, default=Path("content"), help="articles folder (default: content)")
    parser.add_argument("--layouts", type=Path, default=Path("layouts"), help="templates folder (default: layouts)")
    parser.add_argument("--config", type=Path, default=Path("site.toml"), help="settings file (default: site.toml)")
    parser.add_argument("--output", type=Path, default=Path("output"), help="where the site goes (default: output)")
    parser.add_argument("--drafts", action="store_true", help="publish drafts too (for previews)")
    parser.add_argument("--now", type=_moment, help="the time that decides which scheduled articles are out (ISO 8601)")
    parser.add_argument(
        "--cache",
        type=Path,
        help="cache folder: parsed articles, resized pictures (default: .bulletin-cache beside the settings file)",
    )


def _jobs(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f'"{text}" is not a number of processes (1 or more)')
    return int(text)


def _port(text: str) -> int:
    if not text.isdigit() or int(text) > 65535:
        raise argparse.ArgumentTypeError(f'"{text}" is not a port number (0 to 65535)')
    return int(text)


def _working(parser: argparse.ArgumentParser, name: str) -> None:
    """Options of the commands that build: processes, quiet; and the watcher's and server's own."""
    parser.add_argument("--jobs", type=_jobs, default=0, help="processes for big builds (default: one per core)")
    parser.add_argument("--quiet", action="store_true", help="print only problems: no progress, no summary")
    if name in ("watch", "serve"):
        parser.add_argument("--poll", action="store_true", help="poll for changes (for network shares without inotify)")
    if name == "serve":
        parser.add_argument("--port", type=_port, default=8000, help="port to serve on (default: 8000; 0: any free)")
        parser.add_argument(
            "--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1, this computer only)"
        )


def make_parser() -> argparse.ArgumentParser:
    """The `bulletin` command and its sub-commands."""
    parser = argparse.ArgumentParser(prog="bulletin", description="Bản tin: a static news bulletin from Markdown.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, text in COMMANDS.items():
        sub = commands.add_parser(name, help=text, description=text)
        _shared(sub)
        if name in ("build", "check", "watch", "serve"):
            _working(sub, name)
        if name == "new":
            sub.add_argument("title", help='headline, e.g. "Thanh Hóa khai trương trung tâm dữ liệu"')
            sub.add_argument("--category", required=True, help='category, e.g. "Thời sự"')
        if name == "import-seeds":
            sub.add_argument(
                "--seeds", type=Path, default=Path("seeds"), help="folder of .txt bulletins (default: seeds)"
            )
    return parser


def options_from(args: argparse.Namespace) -> Options:
    """The shared options as build Options."""
    working = {"jobs": args.jobs} if hasattr(args, "jobs") else {}
    return Options(
        args.content, args.layouts, args.config, args.output, args.drafts, args.now, cache=args.cache, **working
    )


def run(args: argparse.Namespace) -> int:
    """Carry out one command; content mistakes become messages and exit 1."""
    options = options_from(args)
    if args.command in ("build", "check", "watch", "serve") and (problems := folder_problems(options)):
        raise BuildFailed(problems)  # before anything is written: the lock is in the cache folder
    if args.command in ("build", "check"):
        progress = Progress(quiet=args.quiet)
        result = build(options, write=args.command == "build", progress=progress)
        if not args.quiet:
            print(result.summary())
    elif args.command == "watch":
        from .watch import watch

        watch(options, poll=args.poll, quiet=args.quiet)
    elif args.command == "serve":
        from .serve import serve

        return serve(options, host=args.host, port=args.port, poll=args.poll, quiet=args.quiet)
    elif args.command == "new":
        from .build import site_config
        from .new_article import new_article

        config = site_config(options)
        path = new_article(options.content, args.title, args.category, args.now or datetime.now(config.tz))
        print(f"{path.as_posix()}: new draft written; set draft: false to publish it.")
    elif args.command == "import-seeds":
        from .seeds import import_seeds

        print(import_seeds(args.seeds, options.content))
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `bulletin` console script and `python -m generator`."""
    args = make_parser().parse_args(argv)
    try:
        return run(args)
    except BuildFailed as failure:
        print(format_problems(failure.problems), file=sys.stderr)
        return 1
    except WorkerLost as lost:
        print(f"bulletin: {lost}.", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("Stopped.", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
