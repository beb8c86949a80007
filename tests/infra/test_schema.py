"""Every module and environment root against the AWS provider 6.x schema (see schema_check)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hcl import ENV_NAMES, ENVS, MODULE_NAMES, MODULES
from schema_check import check


def test_schema_extraction_is_real(aws_schema):
    # Facts any AWS provider 6.x schema has; a broken extraction would miss them.
    assert aws_schema["provider_version"].startswith("6.")
    assert len(aws_schema["resource"]) > 1000 and len(aws_schema["data"]) > 400
    structs = aws_schema["structs"]
    fn = structs[aws_schema["resource"]["aws_lambda_function"]["config"]]
    assert {k for k, req in fn["args"].items() if req} == {"function_name", "role"}
    assert {"runtime", "handler", "s3_bucket", "architectures"} <= set(fn["args"])
    vpc = structs[fn["blocks"]["vpc_config"][0]]
    assert vpc["args"]["subnet_ids"] is True and vpc["args"]["security_group_ids"] is True
    cf = structs[aws_schema["resource"]["aws_cloudfront_distribution"]["config"]]
    required_blocks = {k for k, (_, req) in cf["blocks"].items() if req}
    assert required_blocks == {
        "default_cache_behavior",
        "origin",
        "restrictions",
        "viewer_certificate",
    }
    assert "invoke_arn" in aws_schema["resource"]["aws_lambda_alias"]["attributes"]


@pytest.mark.parametrize("module", MODULE_NAMES)
def test_module_matches_provider_schema(module, aws_schema):
    assert check(MODULES / module, aws_schema) == []


@pytest.mark.parametrize("env", ENV_NAMES)
def test_environment_matches_provider_schema(env, aws_schema):
    assert check(ENVS / env, aws_schema) == []


def test_every_module_and_environment_is_checked():
    assert set(MODULE_NAMES) >= {
        "network",
        "storage",
        "registry",
        "functions",
        "api",
        "edge",
        "schedules",
        "budget",
        "artifacts",
        "platform",
    }
    assert set(ENV_NAMES) == {"dev", "prod"}


def _planted(tmp_path: Path, rel: str, old: str, new: str) -> Path:
    """A copy of terraform/ with one edit; returns the copied module's directory."""
    copy = tmp_path / "terraform"
    shutil.copytree(MODULES.parent, copy)
    target = copy / rel
    text = target.read_text()
    assert text.count(old) == 1, f"{old!r} must occur once in {rel}"
    target.write_text(text.replace(old, new))
    return target.parent


PLANTED = [
    # (file, original, planted, expected error fragment)
    (
        "modules/functions/main.tf",
        'runtime       = "python3.12"',
        'runtme        = "python3.12"',
        "unknown argument or block 'runtme' (did you mean \"runtime\"?)",
    ),
    (
        "modules/functions/main.tf",
        '    mode = "Active"',
        '    mdoe = "Active"',
        "tracing_config: missing required argument 'mode'",
    ),
    (
        "modules/registry/main.tf",
        '    projection_type = "ALL"\n',
        "",
        "global_secondary_index: missing required argument 'projection_type'",
    ),
    (
        "modules/edge/main.tf",
        "  restrictions {",
        "  restriction {",
        "missing required block 'restrictions'",
    ),
    (
        "modules/storage/main.tf",
        'resource "aws_efs_backup_policy"',
        'resource "aws_efs_backup_polcy"',
        "unknown resource type",
    ),
    (
        "modules/network/main.tf",
        "each.value.prefix_list_id",
        "each.valeu.prefix_list_id",
        "each.valeu is not valid",
    ),
    (
        "modules/api/outputs.tf",
        "aws_apigatewayv2_api.this.api_endpoint",
        "aws_apigatewayv2_api.this.api_endpont",
        "has no attribute 'api_endpont'",
    ),
    (
        "modules/edge/main.tf",
        "tags = merge({ Name = var.name }, var.tags)\n}",
        "tags { Name = var.name }\n}",
        "'tags' is an argument",
    ),
    (
        "modules/platform/main.tf",
        "  az_count = var.az_count",
        "  azcount = var.az_count",
        "module 'network' has no input 'azcount'",
    ),
    (
        "modules/platform/main.tf",
        "module.storage.access_point_arn",
        "module.storage.access_point",
        "module.storage has no output 'access_point'",
    ),
    (
        "modules/platform/outputs.tf",
        "module.edge.key_value_store_arn",
        "module.edge.kvs_arn",
        "module.edge has no output 'kvs_arn'",
    ),
    (
        "modules/platform/main.tf",
        "deletion_protection = var.deletion_protection",
        "deletion_protection = var.deletion_protect",
        "var.deletion_protect is not declared",
    ),
    (
        "envs/dev/main.tf",
        "  az_count            = 1",
        "  azcount             = 1",
        "module 'platform' has no input 'azcount' (did you mean \"az_count\"?)",
    ),
    (
        "envs/prod/main.tf",
        "  environment         = local.environment\n",
        "",
        "module 'platform' needs input 'environment'",
    ),
    (
        "envs/prod/outputs.tf",
        "module.platform.efs_file_system_id",
        "module.platform.efs_filesystem_id",
        "module.platform has no output 'efs_filesystem_id'",
    ),
]


@pytest.mark.parametrize(("rel", "old", "new", "expected"), PLANTED)
def test_planted_mistake_is_reported(tmp_path, aws_schema, rel, old, new, expected):
    errors = check(_planted(tmp_path, rel, old, new), aws_schema)
    assert any(expected in e for e in errors), errors
