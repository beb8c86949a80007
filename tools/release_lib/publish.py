"""Publishing a build: upload the static files and zips, update the functions (or dry-run).

`tools/release --upload/--update-functions` (right after a build) and `tools/release upload
--manifest release.json` (a build made earlier, e.g. by CI) both come here.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .build import ROOT
from .static import StaticConflict, StaticSet
from .static import upload as upload_static


def fail(message: str) -> int:
    """Print `tools/release: message` on stderr; the exit status 1."""
    print(f"tools/release: {message}", file=sys.stderr)
    return 1


def publish(
    args: argparse.Namespace,
    zips: list[tuple[str, Path, str]],
    result: dict,
    static: StaticSet | None = None,
) -> None:
    """Upload the static files, then (function, zip, key), and update the functions; with
    --dry-run only list the changes. Static files go first: a page served by new code must
    never link a file that is not there yet."""
    from .aws import update_function
    from .aws import upload as put

    if static is not None:
        result["static_upload"] = upload_static(
            static, args.static_bucket, args.region, args.dry_run
        )
    for function, path, key in zips:
        if args.dry_run:
            result["uploads"].append({"function": function, "key": key, "dry_run": True})
            continue
        done = put(path, function, args.bucket, key, args.region)
        result["uploads"].append({"function": function, "key": key, "skipped": done.skipped})
    if not args.update_functions:
        return
    for function, _, key in zips:
        name = f"wikibot-{args.env}-{function}"
        if args.dry_run:
            result["updates"].append({"function_name": name, "dry_run": True})
            continue
        moved = update_function(name, args.bucket, key, args.region)
        result["updates"].append(
            {"function_name": name, "version": moved.version, "alias": moved.alias}
        )


def publish_or_fail(
    args: argparse.Namespace, zips: list, result: dict, static: StaticSet | None = None
) -> int:
    if static is not None and not args.static_bucket:
        return fail(
            "the wiki's pages link Otterwiki's static files under /_static/: pass "
            "--static-bucket (terraform output static_bucket) to upload them with the zip"
        )
    try:
        publish(args, zips, result, static)
    except StaticConflict as exc:
        return fail(str(exc))
    except Exception as exc:  # boto3/botocore errors: say which call and why, no traceback
        if type(exc).__module__.split(".")[0] not in ("botocore", "boto3"):
            raise
        return fail(f"AWS: {exc}")
    return 0


def add_target_options(parser: argparse.ArgumentParser) -> None:
    """Where published code goes: the static bucket, and the functions to update (both CLIs)."""
    parser.add_argument(
        "--static-bucket",
        help="bucket CloudFront serves /_static/* from (terraform output static_bucket); "
        "needed to upload the wiki zip, whose pages link Otterwiki's files there",
    )
    parser.add_argument(
        "--update-functions",
        action="store_true",
        help="publish new code for wikibot-<env>-<function> and move alias live",
    )
    parser.add_argument("--env", help="environment for --update-functions, e.g. dev")
    parser.add_argument("--region", help="AWS region (default: the AWS config's)")


def upload_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tools/release upload",
        description="Upload the zips of an earlier build (its release.json) and optionally "
        "update the functions: CI builds once and publishes the same bytes per environment.",
    )
    parser.add_argument("--manifest", type=Path, default=ROOT / "dist" / "release.json")
    parser.add_argument("--bucket", required=True, help="artifacts bucket")
    add_target_options(parser)
    parser.add_argument("--dry-run", action="store_true", help="only print what would change")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    return parser


def run_upload(argv: list[str]) -> int:
    import hashlib

    parser = upload_parser()
    args = parser.parse_args(argv)
    if args.update_functions and not args.env:
        parser.error("--update-functions needs --env")
    try:
        manifest = json.loads(args.manifest.read_text())
    except (OSError, ValueError) as exc:
        return fail(f"cannot read the release manifest {args.manifest}: {exc}; run tools/release")
    zips = []
    for function, entry in sorted(manifest["functions"].items()):
        path = args.manifest.parent / f"{function}.zip"
        if not path.exists() or hashlib.sha256(path.read_bytes()).hexdigest() != entry["sha256"]:
            return fail(f"{path} is missing or does not match {args.manifest}; rebuild")
        zips.append((function, path, entry["key"]))
    result = {"bucket": args.bucket, "dry_run": args.dry_run, "uploads": [], "updates": []}
    static = manifest.get("static")
    if static:  # its folder is stored relative to the manifest
        static = StaticSet.from_dict({**static, "folder": args.manifest.parent / static["folder"]})
    if publish_or_fail(args, zips, result, static):
        return 1
    print(json.dumps(result, indent=2, sort_keys=True) if args.json else summary(result))
    return 0


def summary(result: dict) -> str:
    lines = []
    static = result.get("static_upload")
    if static:
        where = f"s3://{static['bucket']}/{static['prefix']}"
        if static.get("dry_run"):
            lines.append(f"would upload {static['files']} static files to {where}")
        else:
            lines.append(
                f"static files: {static['uploaded']} uploaded, {static['skipped']} already "
                f"present in {where}"
            )
    for item in result["uploads"]:
        verb = "uploaded" if not item.get("skipped") else "already present"
        verb = "would upload" if result["dry_run"] else verb
        lines.append(f"{verb}: s3://{result['bucket']}/{item['key']}")
    for item in result["updates"]:
        verb = "would update" if result["dry_run"] else f"updated to version {item['version']}"
        lines.append(f"{item['function_name']}: {verb} (alias live)")
    return "\n".join(lines)
