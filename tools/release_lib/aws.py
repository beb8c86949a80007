"""Upload zips to the artifacts bucket and point each function's alias at them (boto3).

boto3 honours AWS_ENDPOINT_URL / AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL_LAMBDA, which is how the
tests aim these calls at a moto server on loopback.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from pathlib import Path

ALIAS = "live"


@dataclass(frozen=True)
class Uploaded:
    """One zip in the bucket."""

    function: str
    bucket: str
    key: str
    skipped: bool  # already there with the same content


@dataclass(frozen=True)
class Updated:
    """One function moved to new code."""

    function_name: str
    version: str
    alias: str
    key: str


def _session(region: str | None):
    import boto3  # dev dependency; only the upload and update paths need it

    return boto3.session.Session(region_name=region)


def upload(path: Path, function: str, bucket: str, key: str, region: str | None) -> Uploaded:
    """Put one zip under `key` unless an object with the same SHA-256 is already there."""
    from botocore.exceptions import ClientError

    s3 = _session(region).client("s3")
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    try:
        head = s3.head_object(Bucket=bucket, Key=key)
        if head.get("Metadata", {}).get("sha256") == digest:
            return Uploaded(function, bucket, key, skipped=True)
    except ClientError as exc:
        if exc.response["Error"]["Code"] not in ("404", "NoSuchKey", "NotFound"):
            raise
    s3.put_object(
        Bucket=bucket,
        Key=key,
        Body=data,
        ContentType="application/zip",
        ChecksumSHA256=base64.b64encode(hashlib.sha256(data).digest()).decode(),
        Metadata={"sha256": digest},
    )
    return Uploaded(function, bucket, key, skipped=False)


def update_function(
    function_name: str, bucket: str, key: str, region: str | None, alias: str = ALIAS
) -> Updated:
    """Load new code from S3, publish a version, and move the alias to it."""
    client = _session(region).client("lambda")
    published = client.update_function_code(
        FunctionName=function_name, S3Bucket=bucket, S3Key=key, Publish=True
    )
    client.get_waiter("function_updated_v2").wait(FunctionName=function_name)
    version = published["Version"]
    client.update_alias(FunctionName=function_name, Name=alias, FunctionVersion=version)
    return Updated(function_name, version, alias, key)
