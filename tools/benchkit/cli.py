"""The `tools/bench` command line: `local`, `remote` and `cache`, one output format for all."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from benchkit.report import machine, markdown, svg_chart, targets, text_table
from benchkit.stats import Progress


def _outputs(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--quick",
        action="store_true",
        help="a small run (tens of pages, 1 fresh process per case) for tests",
    )
    parser.add_argument(
        "--iterations", type=int, default=100, help="timed calls per warm operation (default 100)"
    )
    parser.add_argument("--json", action="store_true", help="print the full report as JSON")
    parser.add_argument("--json-file", type=Path, help="also write the JSON report here")
    parser.add_argument("--markdown", type=Path, metavar="FILE", help="write a Markdown report")
    parser.add_argument("--svg", type=Path, metavar="FILE", help="write a latency chart (SVG)")
    parser.add_argument(
        "--publish",
        metavar="URL",
        help="write the Markdown report as a wiki page over MCP at this URL "
        "(base URL with --publish-wiki, or the wiki's MCP URL)",
    )
    parser.add_argument(
        "--publish-token",
        "--publish-bearer",
        dest="publish_token",
        help="bearer token for --publish (default: --token)",
    )
    parser.add_argument("--publish-wiki", default="dev/notes", help="OWNER/SLUG for --publish")
    parser.add_argument(
        "--publish-page",
        default="Benchmarks/Latest",
        help="page name for --publish (default Benchmarks/Latest)",
    )
    parser.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")


def build_parser() -> argparse.ArgumentParser:
    """Arguments of every subcommand."""
    parser = argparse.ArgumentParser(
        prog="tools/bench",
        description="Benchmark wikibot: handlers on this machine (local), a deployment "
        "(remote) or the CDN cache model (cache). Results: docs/benchmarks.md.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    local = sub.add_parser(
        "local",
        help="every scenario on this machine (a few minutes)",
        description="Generate a wiki (1,000 pages, 2,000 commits), then measure: cold starts "
        "in fresh processes with and without bytecode (MCP, web, store, stock "
        "Otterwiki), warm store/MCP/web latency, every MCP tool, get_history, and "
        "5 and 50 concurrent writers with a lost-write check.",
    )
    local.add_argument("--pages", type=int, default=1000, help="pages (default 1000)")
    local.add_argument("--commits", type=int, default=2000, help="commits (default 2000)")
    local.add_argument(
        "--cold-runs",
        type=int,
        default=5,
        help="fresh processes per case with bytecode (default 5)",
    )
    local.add_argument(
        "--source-runs",
        type=int,
        default=2,
        help="fresh processes per case without bytecode (default 2)",
    )
    local.add_argument("--data", help="data folder to build or reuse (default: a temporary one)")
    _outputs(local)

    remote = sub.add_parser(
        "remote",
        help="scenarios against a deployed wiki over HTTPS",
        description="MCP over HTTP(S) with a bearer token: initialize, tools/list, warm read and "
        "write, get_history, every tool, 5 and 50 concurrent writers with a "
        "lost-write check. Pages go under Bench/<run id>/.",
    )
    remote.add_argument(
        "--url", required=True, help="base URL (https://wiki.example.com) or the wiki's MCP URL"
    )
    remote.add_argument("--token", required=True, help="bearer token with write access")
    remote.add_argument("--wiki", default="dev/notes", help="OWNER/SLUG (default dev/notes)")
    _outputs(remote)

    release = sub.add_parser(
        "release",
        help="E-5: handler INIT from the Lambda zips, with and without .pyc",
        description="Build every zip with tools/release twice (as shipped, and --no-compile), "
        "unpack each and time the handler's INIT in fresh `python -S` processes.",
    )
    release.add_argument(
        "--function",
        action="append",
        choices=["mcp", "wiki", "platform"],
        help="only this function (repeatable; default all)",
    )
    release.add_argument("--runs", type=int, default=5, help="fresh processes per cell")
    _outputs(release)

    cache = sub.add_parser(
        "cache", help="CDN cache simulation (tools/benchkit/cachesim.py)", add_help=False
    )
    cache.add_argument("rest", nargs=argparse.REMAINDER)
    return parser


def run_cache(rest: list[str]) -> int:
    """Hand over to the cache simulation module (its own arguments and output)."""
    try:
        from benchkit import cachesim
    except ImportError as exc:
        print(f"tools/bench cache: the cache simulation is not here yet ({exc})", file=sys.stderr)
        return 2
    return int(cachesim.main(rest) or 0)


def main(argv: list[str] | None = None) -> int:
    """Entry point of tools/bench."""
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "cache":
        return run_cache(argv[1:])
    opts = build_parser().parse_args(argv)
    if opts.command == "local":
        from benchkit import local as target
    elif opts.command == "release":
        from benchkit import release as target
    else:
        from benchkit import remote as target
    progress = Progress(target.steps(opts), enabled=not opts.no_progress)
    # Handlers log to stdout (INIT lines, FastMCP's logger); keep stdout for the report alone.
    sys.stdout.flush()
    saved_stdout = os.dup(1)
    os.dup2(2, 1)
    try:
        report = target.run(opts, progress)
    finally:
        sys.stdout.flush()
        os.dup2(saved_stdout, 1)
        os.close(saved_stdout)
        progress.close()
    report["machine"] = machine()
    if report["target"] == "local":
        report["targets"] = targets(report)
    emit(report, opts)
    return 0


def emit(report: dict, opts: argparse.Namespace) -> None:
    """Print and write the report in every requested form."""
    text = json.dumps(report, indent=2, default=str)
    if opts.json_file:
        opts.json_file.write_text(text + "\n")
    if opts.markdown:
        opts.markdown.write_text(markdown(report))
    if opts.svg:
        opts.svg.write_text(svg_chart(report))
    if opts.publish:
        from benchkit.remote import publish

        token = opts.publish_token or getattr(opts, "token", None)
        if not token:
            raise SystemExit("--publish needs --publish-token (or --token)")
        done = publish(opts.publish, token, opts.publish_wiki, opts.publish_page, markdown(report))
        print(f"published: {done}", file=sys.stderr)
    print(text if opts.json else text_table(report))
