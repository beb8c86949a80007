"""`tools/release deploy` drives terraform through python-terraform; the boundary is the binary.

A fake `terraform` on PATH records each invocation (arguments, working folder, and the contents
of any -var-file) and answers like Terraform: `plan -detailed-exitcode` exits 2 when there are
changes, `output -json` prints outputs. Fast: nothing is built.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
RELEASE = ROOT / "tools" / "release"
FAKE = r"""#!{python}
import json, os, sys
args = sys.argv[1:]
record = {{"args": args, "cwd": os.getcwd()}}
for a in args:
    if a.startswith("-var-file="):
        record["var_file"] = json.load(open(a.split("=", 1)[1]))
with open(os.environ["FAKE_TF_LOG"], "a") as log:
    log.write(json.dumps(record) + "\n")
step = args[0]
if step == "output":
    print(json.dumps({{"artifacts_bucket": {{"value": "wikibot-dev-artifacts-1", "sensitive": False,
                                              "type": "string"}}}}))
sys.exit(int(os.environ.get("FAKE_TF_EXIT_" + step.upper(), "2" if step == "plan" else "0")))
"""
MANIFEST = {
    "version": "abc123def456",
    "functions": {
        fn: {"key": f"wikibot/{fn}/{fn[0] * 64}.zip", "sha256": fn[0] * 64}
        for fn in ("mcp", "wiki", "platform")
    },
}


@pytest.fixture
def fake_terraform(tmp_path):
    bindir = tmp_path / "bin"
    bindir.mkdir()
    script = bindir / "terraform"
    script.write_text(FAKE.format(python=sys.executable))
    script.chmod(0o755)
    manifest = tmp_path / "release.json"
    manifest.write_text(json.dumps(MANIFEST))
    log = tmp_path / "calls.jsonl"

    def run(*args: str, path: str | None = None, **exits: str):
        env = {
            **os.environ,
            "PATH": path if path is not None else f"{bindir}:{os.environ['PATH']}",
            "FAKE_TF_LOG": str(log),
            **{f"FAKE_TF_EXIT_{k.upper()}": v for k, v in exits.items()},
        }
        proc = subprocess.run(
            [sys.executable, str(RELEASE), "deploy", "--manifest", str(manifest), *args],
            capture_output=True, text=True, env=env, timeout=120, check=False,
        )  # fmt: skip
        calls = [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []
        return proc, calls

    return run


def test_init_plan_apply_output(fake_terraform):
    proc, calls = fake_terraform("--env", "dev", "--json")
    assert proc.returncode == 0, proc.stderr
    assert [c["args"][0] for c in calls] == ["init", "plan", "apply", "output"]
    assert {c["cwd"] for c in calls} == {str(ROOT / "terraform" / "envs" / "dev")}
    init, plan, apply, output = (c["args"] for c in calls)
    assert "-input=false" in init and "-no-color" in init
    assert {"-input=false", "-detailed-exitcode", "-out=tfplan"} <= set(plan)
    assert calls[1]["var_file"] == {
        "release_version": "abc123def456",
        "artifact_keys": {fn: e["key"] for fn, e in MANIFEST["functions"].items()},
    }
    # The saved plan is applied as planned: no variables, no prompt.
    assert apply[-1] == "tfplan" and not [a for a in apply if a.startswith("-var")]
    assert "-json" in output
    summary = json.loads(proc.stdout)
    assert summary["applied"] is True and summary["changes"] is True
    assert summary["outputs"] == {"artifacts_bucket": "wikibot-dev-artifacts-1"}


def test_no_changes_skips_apply(fake_terraform):
    proc, calls = fake_terraform("--env", "prod", "--json", plan="0")
    assert proc.returncode == 0, proc.stderr
    assert [c["args"][0] for c in calls] == ["init", "plan", "output"]
    assert json.loads(proc.stdout)["applied"] is False


def test_plan_only(fake_terraform):
    proc, calls = fake_terraform("--env", "dev", "--plan-only")
    assert proc.returncode == 0, proc.stderr
    assert [c["args"][0] for c in calls] == ["init", "plan", "output"]
    assert "dev: planned" in proc.stdout


def test_failed_plan_stops_before_apply(fake_terraform):
    proc, calls = fake_terraform("--env", "dev", plan="1")
    assert proc.returncode != 0
    assert "terraform plan failed" in proc.stderr
    assert [c["args"][0] for c in calls] == ["init", "plan"]


def test_missing_terraform_is_reported(fake_terraform, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    proc, calls = fake_terraform("--env", "dev", path=str(empty))
    assert proc.returncode != 0 and calls == []
    assert "no `terraform` binary found on PATH" in proc.stderr


def test_unknown_environment_and_missing_manifest(fake_terraform, tmp_path):
    proc, calls = fake_terraform("--env", "staging")
    assert proc.returncode != 0 and "no environment 'staging'" in proc.stderr and calls == []
    missing = subprocess.run(
        [sys.executable, str(RELEASE), "deploy", "--env", "dev", "--manifest",
         str(tmp_path / "nope.json")],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert missing.returncode != 0 and "cannot read the release manifest" in missing.stderr
