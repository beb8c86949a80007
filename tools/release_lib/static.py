"""Otterwiki's static files (CSS, JavaScript, fonts, MathJax, images) for CloudFront.

They are not in the wiki zip (trim.py): CloudFront serves them from the static bucket under
`/_static/otterwiki-<version>/` (terraform/modules/edge), the URL the web app emits
(`wikibot.web.app.static_base`). The path carries Otterwiki's version, so the objects are
immutable: an upload never overwrites a key with different bytes (it stops and says so), and
browsers and the edge keep them for a year.

`collect` copies the folder out of the wiki install while the zip is built; `upload` puts the
files (Content-Type, `Cache-Control: public, max-age=31536000, immutable`, SHA-256 metadata) and
then a manifest outside the public prefix (`_manifests/otterwiki-<version>.json`); a later
upload whose manifest matches does nothing.
"""

from __future__ import annotations

import hashlib
import json
import mimetypes
import shutil
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from wikibot.web.app import STATIC_CACHE, static_base

# Types the mimetypes table of a minimal system may lack.
TYPES = {
    ".css": "text/css",
    ".js": "text/javascript",
    ".mjs": "text/javascript",
    ".json": "application/json",
    ".map": "application/json",
    ".svg": "image/svg+xml",
    ".ico": "image/vnd.microsoft.icon",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".ttf": "font/ttf",
    ".eot": "application/vnd.ms-fontobject",
}
MANIFESTS = "_manifests"


class StaticConflict(RuntimeError):
    """An immutable path in the bucket already holds different bytes."""


@dataclass(frozen=True)
class StaticSet:
    """The static files of one Otterwiki version, ready to upload."""

    folder: Path  # holds the files under their names relative to otterwiki/static
    prefix: str  # bucket key prefix == URL path without the leading "/": "_static/otterwiki-X/"
    files: dict[str, str]  # relative name -> sha256

    @property
    def manifest_key(self) -> str:
        """Where the uploaded set's manifest lives (not under the public prefix)."""
        return f"{MANIFESTS}/{self.prefix.rstrip('/').rsplit('/', 1)[-1]}.json"

    def as_dict(self) -> dict:
        """For release.json."""
        return {"folder": str(self.folder), "prefix": self.prefix, "files": self.files}

    @classmethod
    def from_dict(cls, data: dict) -> StaticSet:
        """From release.json."""
        return cls(Path(data["folder"]), data["prefix"], dict(data["files"]))


def content_type(name: str) -> str:
    """The Content-Type CloudFront will pass on for this file."""
    suffix = Path(name).suffix.lower()
    return TYPES.get(suffix) or mimetypes.guess_type(name)[0] or "application/octet-stream"


def collect(install: Path, version: str, out: Path) -> StaticSet:
    """Copy otterwiki/static from the wiki install to `out/static/<tag>/` (before the trim)."""
    source = install / "otterwiki" / "static"
    prefix = static_base(version).lstrip("/") + "/"
    folder = out / "static" / prefix.rstrip("/").rsplit("/", 1)[-1]
    if folder.exists():
        shutil.rmtree(folder)
    files = {}
    for path in sorted(p for p in source.rglob("*") if p.is_file()):
        name = path.relative_to(source).as_posix()
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, folder / name)
        files[name] = hashlib.sha256(path.read_bytes()).hexdigest()
    return StaticSet(folder, prefix, files)


def upload(static: StaticSet, bucket: str, region: str | None, dry_run: bool = False) -> dict:
    """Put the set's files under its prefix; returns counts. Never overwrites other bytes."""
    summary = {"bucket": bucket, "prefix": static.prefix, "files": len(static.files)}
    if dry_run:
        return {**summary, "dry_run": True}
    import boto3
    from botocore.exceptions import ClientError

    s3 = boto3.session.Session(region_name=region).client("s3")
    manifest = json.dumps(static.files, indent=1, sort_keys=True).encode()
    try:
        if s3.get_object(Bucket=bucket, Key=static.manifest_key)["Body"].read() == manifest:
            return {**summary, "uploaded": 0, "skipped": len(static.files)}
    except ClientError as exc:
        if exc.response["Error"]["Code"] not in ("404", "NoSuchKey", "NotFound"):
            raise

    def put(item: tuple[str, str]) -> bool:
        name, digest = item
        key = static.prefix + name
        try:
            present = s3.head_object(Bucket=bucket, Key=key)["Metadata"].get("sha256")
        except ClientError as exc:
            if exc.response["Error"]["Code"] not in ("404", "NoSuchKey", "NotFound"):
                raise
            present = None
        if present == digest:
            return False
        if present is not None:
            raise StaticConflict(
                f"s3://{bucket}/{key} already holds different bytes; static paths are "
                "immutable (cached for a year): change the version in the path instead"
            )
        s3.put_object(
            Bucket=bucket,
            Key=key,
            Body=(static.folder / name).read_bytes(),
            ContentType=content_type(name),
            CacheControl=STATIC_CACHE,
            Metadata={"sha256": digest},
        )
        return True

    with ThreadPoolExecutor(max_workers=8) as pool:  # boto3 clients are thread-safe
        uploaded = sum(pool.map(put, sorted(static.files.items())))
    s3.put_object(
        Bucket=bucket, Key=static.manifest_key, Body=manifest, ContentType="application/json"
    )
    return {**summary, "uploaded": uploaded, "skipped": len(static.files) - uploaded}
