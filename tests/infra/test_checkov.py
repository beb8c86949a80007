"""checkov over terraform/, in its own tool environment (it cannot share a venv with fastmcp).

Every finding must either pass or be skipped inline with `#checkov:skip=CKV_...:reason` in the
resource it concerns; .ci/infra-setup.sh installs the pinned version beforehand.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess

import pytest
from hcl import TF_ROOT

CHECKOV = "checkov==3.3.30"


@pytest.fixture(scope="module")
def report() -> dict:
    uv = shutil.which("uv")
    assert uv, "uv is required to run checkov: run .ci/infra-setup.sh"
    proc = subprocess.run(
        [
            uv,
            "tool",
            "run",
            "--from",
            CHECKOV,
            "checkov",
            "-d",
            str(TF_ROOT),
            "--framework",
            "terraform",
            "--output",
            "json",
            "--skip-download",
        ],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert proc.stdout.strip(), proc.stderr[-3000:]
    data = json.loads(proc.stdout)
    reports = data if isinstance(data, list) else [data]
    (terraform,) = [r for r in reports if r.get("check_type") == "terraform"]
    return terraform


def test_no_failed_checks(report):
    failed = [
        f"{f['check_id']} {f['resource']} ({f['file_path']}): {f['check_name']}"
        for f in report["results"]["failed_checks"]
    ]
    assert failed == []


def test_everything_parsed_and_checked(report):
    summary = report["summary"]
    assert summary["parsing_errors"] == 0
    assert summary["resource_count"] >= 50 and summary["passed"] >= 100, summary


def test_every_skip_is_inline_with_a_reason(report):
    sources = {p.relative_to(TF_ROOT).as_posix(): p.read_text() for p in TF_ROOT.rglob("*.tf")}
    for skipped in report["results"]["skipped_checks"]:
        reason = skipped["check_result"].get("suppress_comment", "")
        assert len(reason) >= 10, skipped
        text = sources[skipped["file_path"].lstrip("/")]
        pattern = rf"#checkov:skip={re.escape(skipped['check_id'])}:{re.escape(reason)}"
        assert re.search(pattern, text), (skipped["check_id"], skipped["file_path"])
