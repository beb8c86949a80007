"""Command line of tools/release: build (the default), upload, update functions, deploy."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

from .build import PACKAGE, ROOT, BuildError, Built, build_function, run_manifest_step
from .deps import ARCHES, FUNCTIONS
from .publish import add_target_options, fail, publish_or_fail, run_upload, summary
from .trim import TRIMS

USAGE_EXAMPLES = """
examples:
  tools/release --arch x86_64 --out dist            build wiki, mcp and platform zips
  tools/release --function mcp --json               one zip, machine-readable report
  tools/release --bucket B --static-bucket S --upload
                                                    build and upload under content-hash keys
                                                    (Otterwiki's static files to S first)
  tools/release --bucket B --static-bucket S --update-functions --env dev
                                                    ... and point wikibot-dev-* (alias live) at them
  tools/release --dry-run --bucket B --static-bucket S --update-functions --env dev
                                                    build, then only say what would change
  tools/release upload --manifest dist/release.json --bucket B --static-bucket S
                                                    upload an earlier build (CI: build once)
  tools/release measure --out dist                  E-5: INIT with and without .pyc
  tools/release deploy --env dev --manifest dist/release.json
                                                    terraform init, plan, apply, output -json
"""


# Compressed size targets (issue 11), in bytes (MB = 10^6 bytes, as the report prints).
SIZE_TARGETS = {"wiki": 15_000_000, "mcp": 8_000_000}


class Progress:
    """Step lines on stderr with elapsed time, e.g. `[mcp 3/6 12.4s] compiling bytecode`."""

    def __init__(self, quiet: bool = False, total: int | None = None) -> None:
        self.quiet = quiet
        self.total = total
        self.started = time.monotonic()
        self.label = ""
        self.step = 0

    def start(self, label: str, total: int | None = None) -> None:
        """Begin a function's build (`total` steps, if known)."""
        self.label, self.step = label, 0
        self.total = total or self.total

    def __call__(self, message: str) -> None:
        self.step += 1
        if not self.quiet:
            elapsed = time.monotonic() - self.started
            step = f"{self.step}/{self.total}" if self.total else str(self.step)
            print(f"[{self.label} {step} {elapsed:5.1f}s] {message}", file=sys.stderr)


def _mb(n: int) -> str:
    return f"{n / 1e6:.1f} MB"


def target_check(function: str, zipped: int) -> str:
    """`<= 15.0 MB pass` / `<= 8.0 MB FAIL` against issue 11's targets, or "" if none."""
    limit = SIZE_TARGETS.get(function)
    if limit is None:
        return ""
    return f"<= {_mb(limit)} {'pass' if zipped <= limit else 'FAIL'}"


def human_report(built: list[Built], top: int) -> str:
    """Size table (with the size targets) plus each zip's largest contributors."""
    lines = [f"{'function':<10}{'zipped':>10}{'unzipped':>11}{'files':>8}  {'target':<17}sha256"]
    for b in built:
        r = b.report
        lines.append(
            f"{b.function:<10}{_mb(r.zipped):>10}{_mb(r.unzipped):>11}{r.files:>8}  "
            f"{target_check(b.function, r.zipped):<17}{b.sha256[:16]}"
        )
    for b in built:
        lines.append(f"\n{b.function}: top contributors (unzipped / zipped)")
        for c in b.report.top(top):
            lines.append(f"  {c.name:<28}{_mb(c.unzipped):>10}{_mb(c.zipped):>10}")
        if b.compile_failures:
            lines.append(f"  not compiled (syntax errors under 3.12): {len(b.compile_failures)}")
    return "\n".join(lines)


def git_version() -> str:
    """Short commit of the working tree, the default release version."""
    proc = subprocess.run(
        ["git", "rev-parse", "--short=12", "HEAD"], cwd=ROOT, capture_output=True, text=True
    )
    return proc.stdout.strip() if proc.returncode == 0 else "unversioned"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tools/release",
        description="Build one deterministic zip per Lambda function from uv.lock "
        "(Python 3.12 bytecode, unchecked-hash), upload it, update the functions, deploy.",
        epilog=USAGE_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--function", action="append", choices=FUNCTIONS, dest="functions",
        help="build only this function (repeatable; default: all)",
    )  # fmt: skip
    parser.add_argument(
        "--arch",
        choices=sorted(ARCHES),
        default="arm64",
        help="Lambda architecture (default arm64, as terraform's default)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=ROOT / "dist",
        help="folder for the zips and release.json (default dist/)",
    )
    parser.add_argument(
        "--source", type=Path, default=PACKAGE,
        help="the wikibot package to ship (default lambdas/wikibot; another folder, e.g. from "
        "`git archive`, skips the MCP manifest step)",
    )  # fmt: skip
    parser.add_argument(
        "--no-compile", action="store_true", help="ship sources only, no .pyc (for measuring E-5)"
    )
    parser.add_argument(
        "--version",
        help="key zips as wikibot/<version>/<function>.zip "
        "(default: by content hash, wikibot/<function>/<sha256>.zip)",
    )
    parser.add_argument("--bucket", help="artifacts bucket (terraform output artifacts_bucket)")
    parser.add_argument("--upload", action="store_true", help="upload the zips to --bucket")
    add_target_options(parser)
    parser.add_argument(
        "--dry-run",
        action="store_true",
        help="build and report, but only print the uploads and updates",
    )
    parser.add_argument("--top", type=int, default=8, help="contributors listed per zip")
    parser.add_argument("--json", action="store_true", help="print the manifest as JSON")
    parser.add_argument("--quiet", action="store_true", help="no progress lines")
    return parser


def deploy_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tools/release deploy",
        description="terraform init, plan (saved), apply and output -json in terraform/envs/ENV, "
        "with the artifact keys of a release manifest.",
    )
    parser.add_argument("--env", required=True, help="terraform/envs/<env>, e.g. dev")
    parser.add_argument(
        "--manifest",
        type=Path,
        default=ROOT / "dist" / "release.json",
        help="release.json written by tools/release (default dist/release.json)",
    )
    parser.add_argument("--plan-only", action="store_true", help="stop after the plan")
    parser.add_argument("--terraform", help="terraform executable (default: terraform on PATH)")
    parser.add_argument("--json", action="store_true", help="print the outputs as JSON")
    return parser


def run_deploy(argv: list[str]) -> int:
    from .deploy import DeployError, deploy, release_variables

    args = deploy_parser().parse_args(argv)
    try:
        manifest = json.loads(args.manifest.read_text())
    except (OSError, ValueError) as exc:
        return fail(f"cannot read the release manifest {args.manifest}: {exc}; run tools/release")
    try:
        result = deploy(
            args.env, release_variables(manifest), terraform=args.terraform,
            apply=not args.plan_only,
        )  # fmt: skip
    except DeployError as exc:
        return fail(str(exc))
    summary = {"env": result.env, "steps": result.steps, "changes": result.changes,
               "applied": result.applied, "outputs": result.outputs}  # fmt: skip
    if args.json:
        print(json.dumps(summary, indent=2, sort_keys=True))
    else:
        state = "applied" if result.applied else ("planned" if result.changes else "no changes")
        print(f"{args.env}: {state}; outputs: {', '.join(sorted(result.outputs)) or 'none'}")
    return 0


def run_measure(argv: list[str]) -> int:
    from .measure import measure, table

    parser = argparse.ArgumentParser(
        prog="tools/release measure",
        description="E-5: fresh-process INIT and first request of each handler from its "
        "unpacked zip (read-only, clean Python 3.12 with boto3), with and without the .pyc.",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=ROOT / "dist",
        help="folder with the zips built by tools/release (host architecture)",
    )
    parser.add_argument("--runs", type=int, default=7, help="fresh processes per variant")
    parser.add_argument("--json", action="store_true", help="print the rows as JSON")
    args = parser.parse_args(argv)
    progress = Progress()
    progress.start("measure")
    try:
        rows = measure(args.out, args.runs, progress)
    except RuntimeError as exc:
        return fail(str(exc))
    if not rows:
        return fail(f"no zips with an existing handler in {args.out}; run tools/release first")
    print(json.dumps(rows, indent=2) if args.json else table(rows, args.runs))
    return 0


def run_build(argv: list[str]) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if (args.upload or args.update_functions) and not args.bucket:
        parser.error("--upload and --update-functions need --bucket")
    if args.update_functions and not args.env:
        parser.error("--update-functions needs --env (functions are wikibot-<env>-<function>)")
    upload = args.upload or args.update_functions
    functions = args.functions or list(FUNCTIONS)
    if upload and "wiki" in functions and not args.static_bucket:
        parser.error(
            "uploading the wiki needs --static-bucket (terraform output static_bucket): its "
            "pages link Otterwiki's static files under /_static/"
        )
    progress = Progress(quiet=args.quiet)
    progress.start("release")
    try:
        own_tree = args.source.resolve() == PACKAGE.resolve()
        manifest_built = run_manifest_step(progress) if own_tree else False
        built = []
        for function in dict.fromkeys(functions):
            progress.start(function, total=(8 if function in TRIMS else 6) - args.no_compile)
            built.append(
                build_function(
                    function,
                    args.out,
                    arch=args.arch,
                    compile_pyc=not args.no_compile,
                    package=args.source,
                    progress=progress,
                )  # fmt: skip
            )
            r = built[-1].report
            progress(f"done: {_mb(r.zipped)} zipped, {_mb(r.unzipped)} unzipped, {r.files} files")
    except BuildError as exc:
        return fail(str(exc))
    manifest = {
        "version": args.version or git_version(),
        "arch": args.arch,
        "python": "3.12",
        "bytecode": "unchecked-hash" if not args.no_compile else None,
        "mcp_manifest_built": manifest_built,
        "bucket": args.bucket,
        "dry_run": args.dry_run,
        "functions": {
            b.function: {
                "file": str(b.path),
                "sha256": b.sha256,
                "key": b.key(args.version),
                "packages": [p.requirement for p in b.pins],
                "not_compiled": b.compile_failures,
                "target_bytes": SIZE_TARGETS.get(b.function),
                "within_target": (
                    b.report.zipped <= SIZE_TARGETS[b.function]
                    if b.function in SIZE_TARGETS
                    else None
                ),
                **b.report.as_dict(args.top),
            }
            for b in built
        },
        "uploads": [],
        "updates": [],
    }
    static = next((b.static for b in built if b.static), None)
    if static:
        relative = static.folder.resolve().relative_to(args.out.resolve())
        manifest["static"] = {**static.as_dict(), "folder": str(relative)}
    zips = [(b.function, b.path, b.key(args.version)) for b in built]
    if upload and publish_or_fail(args, zips, manifest, static):
        return 1
    (args.out / "release.json").write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    if args.json:
        print(json.dumps(manifest, indent=2, sort_keys=True))
    else:
        print(human_report(built, args.top))
        if upload:
            print(summary(manifest))
        print(f"manifest: {args.out / 'release.json'}")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point: `deploy` subcommand, otherwise a build."""
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["deploy"]:
        return run_deploy(argv[1:])
    if argv[:1] == ["upload"]:
        return run_upload(argv[1:])
    if argv[:1] == ["measure"]:
        return run_measure(argv[1:])
    if argv[:1] == ["build"]:
        argv = argv[1:]
    return run_build(argv)
