"""tools/release uploads to the artifacts bucket and moves each function's `live` alias.

AWS is a moto server on 127.0.0.1, reached over HTTP by the real boto3 through
AWS_ENDPOINT_URL (no patching). Lane: `release` (it builds the platform zip).
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import platform
import subprocess
import sys
import zipfile
from pathlib import Path

import boto3
import pytest
from moto.server import ThreadedMotoServer

pytestmark = [pytest.mark.release, pytest.mark.timeout(900)]
BUCKET = "wikibot-dev-artifacts-123456789012"
STATIC_BUCKET = "wikibot-dev-static-123456789012"
REGION = "eu-west-1"
RELEASE = Path(__file__).resolve().parents[2] / "tools" / "release"
HOST_ARCH = {"x86_64": "x86_64", "aarch64": "arm64", "arm64": "arm64"}[platform.machine()]


@pytest.fixture(scope="module")
def aws():
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    env = {
        "AWS_ENDPOINT_URL": f"http://{host}:{port}",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": REGION,
    }
    session = boto3.session.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name=REGION
    )
    clients = {n: session.client(n, endpoint_url=env["AWS_ENDPOINT_URL"]) for n in
               ("s3", "lambda", "iam")}  # fmt: skip
    for bucket in (BUCKET, STATIC_BUCKET):
        clients["s3"].create_bucket(
            Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION}
        )
    role = clients["iam"].create_role(
        RoleName="wikibot-dev-platform",
        AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
            "Action": "sts:AssumeRole"}]}),
    )["Role"]["Arn"]  # fmt: skip
    placeholder = io.BytesIO()
    with zipfile.ZipFile(placeholder, "w") as zf:
        zf.writestr("index.py", "def handler(e, c):\n    return 'old'\n")
    fn = clients["lambda"].create_function(
        FunctionName="wikibot-dev-platform",
        Runtime="python3.12",
        Role=role,
        Handler="index.handler",
        Code={"ZipFile": placeholder.getvalue()},
        Publish=True,
    )
    clients["lambda"].create_alias(
        FunctionName="wikibot-dev-platform", Name="live", FunctionVersion=fn["Version"]
    )
    yield env, clients
    server.stop()


def release(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(RELEASE), *args],
        capture_output=True, text=True, env={**os.environ, **env}, timeout=800, check=False,
    )  # fmt: skip


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """The platform zip and its release.json, built once (no AWS involved)."""
    out = tmp_path_factory.mktemp("platform-build")
    proc = release({}, "--arch", HOST_ARCH, "--function", "platform", "--out", str(out), "--quiet")
    assert proc.returncode == 0, proc.stderr[-3000:]
    return out / "release.json"


def objects(clients, bucket: str = BUCKET) -> list[str]:
    pages = clients["s3"].get_paginator("list_objects_v2").paginate(Bucket=bucket)
    return [o["Key"] for page in pages for o in page.get("Contents", [])]


def live_version(clients) -> str:
    alias = clients["lambda"].get_alias(FunctionName="wikibot-dev-platform", Name="live")
    return alias["FunctionVersion"]


def test_dry_run_touches_nothing(aws, built):
    env, clients = aws
    proc = release(env, "upload", "--manifest", str(built), "--bucket", BUCKET,
                   "--update-functions", "--env", "dev", "--dry-run", "--json")  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    result = json.loads(proc.stdout)
    key = json.loads(built.read_text())["functions"]["platform"]["key"]
    assert result["uploads"] == [{"function": "platform", "key": key, "dry_run": True}]
    assert result["updates"] == [{"function_name": "wikibot-dev-platform", "dry_run": True}]
    assert objects(clients) == [] and live_version(clients) == "1"


def test_build_upload_and_update_functions(aws, tmp_path):
    env, clients = aws
    proc = release(
        env, "--arch", HOST_ARCH, "--function", "platform", "--out", str(tmp_path), "--json",
        "--quiet", "--bucket", BUCKET, "--update-functions", "--env", "dev",
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    manifest = json.loads(proc.stdout)
    entry = manifest["functions"]["platform"]
    data = (tmp_path / "platform.zip").read_bytes()
    assert entry["sha256"] == hashlib.sha256(data).hexdigest()
    key = f"wikibot/platform/{entry['sha256']}.zip"
    assert objects(clients) == [key]
    stored = clients["s3"].get_object(Bucket=BUCKET, Key=key)
    assert stored["Body"].read() == data and stored["Metadata"]["sha256"] == entry["sha256"]

    config = clients["lambda"].get_function_configuration(FunctionName="wikibot-dev-platform")
    assert config["CodeSha256"] == base64.b64encode(hashlib.sha256(data).digest()).decode()
    (update,) = manifest["updates"]
    assert update["function_name"] == "wikibot-dev-platform" and update["version"] != "1"
    assert live_version(clients) == update["version"]

    # Uploading the same bytes again leaves the object alone (content-hash keys are immutable).
    again = release(env, "upload", "--manifest", str(tmp_path / "release.json"), "--bucket",
                    BUCKET, "--json")  # fmt: skip
    assert again.returncode == 0, again.stderr[-3000:]
    assert json.loads(again.stdout)["uploads"] == [
        {"function": "platform", "key": key, "skipped": True}
    ]


def test_update_of_a_missing_function_fails_clearly(aws, built):
    env, _ = aws
    proc = release(env, "upload", "--manifest", str(built), "--bucket", BUCKET,
                   "--update-functions", "--env", "staging")  # fmt: skip
    assert proc.returncode != 0
    assert "AWS:" in proc.stderr and "wikibot-staging-platform" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_upload_refuses_a_zip_that_does_not_match_its_manifest(aws, built, tmp_path):
    env, clients = aws
    manifest = json.loads(built.read_text())
    manifest["functions"]["platform"]["sha256"] = "0" * 64
    (tmp_path / "release.json").write_text(json.dumps(manifest))
    (tmp_path / "platform.zip").write_bytes((built.parent / "platform.zip").read_bytes())
    proc = release(env, "upload", "--manifest", str(tmp_path / "release.json"), "--bucket", BUCKET)
    assert proc.returncode != 0 and "does not match" in proc.stderr


@pytest.fixture(scope="module")
def static_manifest(tmp_path_factory) -> Path:
    """A release.json holding only Otterwiki's static files, as a wiki build collects them."""
    sys.path.insert(0, str(RELEASE.parent))
    from release_lib.static import collect

    from wikibot.web.library import PINNED_VERSION, otterwiki_dir

    out = tmp_path_factory.mktemp("static-build")
    static = collect(otterwiki_dir().parent, PINNED_VERSION, out)
    manifest = {"functions": {}, "static": {**static.as_dict(), "folder": "static/" +
                                            static.folder.name}}  # fmt: skip
    (out / "release.json").write_text(json.dumps(manifest))
    return out / "release.json"


def test_static_files_upload_once_with_immutable_headers(aws, static_manifest):
    env, clients = aws
    files = json.loads(static_manifest.read_text())["static"]["files"]
    args = ("upload", "--manifest", str(static_manifest), "--bucket", BUCKET, "--json")
    dry = release(env, *args, "--static-bucket", STATIC_BUCKET, "--dry-run")
    assert dry.returncode == 0, dry.stderr[-3000:]
    assert json.loads(dry.stdout)["static_upload"]["dry_run"] is True
    assert objects(clients, STATIC_BUCKET) == []
    missing = release(env, *args)
    assert missing.returncode != 0 and "--static-bucket" in missing.stderr

    first = release(env, *args, "--static-bucket", STATIC_BUCKET)
    assert first.returncode == 0, first.stderr[-3000:]
    prefix = "_static/otterwiki-2.26.1/"
    assert json.loads(first.stdout)["static_upload"] == {
        "bucket": STATIC_BUCKET, "prefix": prefix, "files": len(files),
        "uploaded": len(files), "skipped": 0,
    }  # fmt: skip
    keys = objects(clients, STATIC_BUCKET)
    assert sorted(keys) == sorted(
        [prefix + f for f in files] + ["_manifests/otterwiki-2.26.1.json"]
    )
    css = clients["s3"].get_object(Bucket=STATIC_BUCKET, Key=prefix + "css/otterwiki.css")
    assert css["ContentType"] == "text/css"
    assert css["CacheControl"] == "public, max-age=31536000, immutable"
    body = css["Body"].read()
    assert (
        hashlib.sha256(body).hexdigest() == css["Metadata"]["sha256"] == files["css/otterwiki.css"]
    )
    woff2 = next(f for f in files if f.endswith(".woff2"))
    font = clients["s3"].head_object(Bucket=STATIC_BUCKET, Key=prefix + woff2)
    assert font["ContentType"] == "font/woff2"

    again = release(env, *args, "--static-bucket", STATIC_BUCKET)
    assert again.returncode == 0, again.stderr[-3000:]
    assert json.loads(again.stdout)["static_upload"]["uploaded"] == 0


def test_static_upload_never_overwrites_different_bytes(aws, static_manifest):
    env, clients = aws
    prefix = "_static/otterwiki-2.26.1/"
    clients["s3"].put_object(Bucket=STATIC_BUCKET, Key=prefix + "css/otterwiki.css", Body=b"x",
                             Metadata={"sha256": hashlib.sha256(b"x").hexdigest()})  # fmt: skip
    clients["s3"].delete_object(Bucket=STATIC_BUCKET, Key="_manifests/otterwiki-2.26.1.json")
    proc = release(env, "upload", "--manifest", str(static_manifest), "--bucket", BUCKET,
                   "--static-bucket", STATIC_BUCKET)  # fmt: skip
    assert proc.returncode != 0 and "already holds different bytes" in proc.stderr
    assert "Traceback" not in proc.stderr
    stored = clients["s3"].get_object(Bucket=STATIC_BUCKET, Key=prefix + "css/otterwiki.css")
    assert stored["Body"].read() == b"x"


def test_build_upload_puts_the_wiki_and_its_static_files(aws, tmp_path):
    env, clients = aws
    bucket = "wikibot-dev-static-build-123456789012"
    clients["s3"].create_bucket(
        Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION}
    )
    refused = release(env, "--arch", HOST_ARCH, "--function", "wiki", "--out", str(tmp_path),
                      "--upload", "--bucket", BUCKET)  # fmt: skip
    assert refused.returncode != 0 and "--static-bucket" in refused.stderr  # before building
    proc = release(env, "--arch", HOST_ARCH, "--function", "wiki", "--out", str(tmp_path),
                   "--upload", "--bucket", BUCKET, "--static-bucket", bucket)  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "static files: 176 uploaded, 0 already present in s3://" in proc.stdout
    manifest = json.loads((tmp_path / "release.json").read_text())
    assert manifest["static_upload"]["uploaded"] == len(manifest["static"]["files"])
    assert manifest["functions"]["wiki"]["key"] in objects(clients)
    keys = objects(clients, bucket)
    assert "_static/otterwiki-2.26.1/js/otterwiki.js" in keys
