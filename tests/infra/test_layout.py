"""Module conventions from docs/house-style.md: five files, `this`, typed/described inputs."""

from __future__ import annotations

import re

import pytest
from hcl import (
    COMPOSITION_NAMES,
    ENV_NAMES,
    ENVS,
    LEAF_MODULE_NAMES,
    MODULE_NAMES,
    MODULES,
    PLATFORM,
    TF_ROOT,
    expr,
    labelled,
    named,
    parse_dir,
    parse_file,
)


@pytest.mark.parametrize("module", MODULE_NAMES)
def test_standard_files(module):
    present = {p.name for p in (MODULES / module).iterdir()}
    assert {"main.tf", "variables.tf", "outputs.tf", "versions.tf", "README.md"} <= present
    assert len((MODULES / module / "README.md").read_text()) > 200


@pytest.mark.parametrize("module", LEAF_MODULE_NAMES)
def test_main_resource_is_named_this(module):
    names = {name for _, name, _ in labelled(parse_dir(MODULES / module), "resource")}
    assert "this" in names


@pytest.mark.parametrize("module", COMPOSITION_NAMES)
def test_composition_only_calls_modules(module):
    parsed = parse_dir(MODULES / module)
    assert not list(labelled(parsed, "resource")), "a composition module only calls modules"
    calls = {name: body["source"] for name, body in named(parsed, "module")}
    assert calls == {m: f"../{m}" for m in LEAF_MODULE_NAMES}, "it wires every leaf module"


@pytest.mark.parametrize(
    "where",
    [MODULES / m for m in MODULE_NAMES] + [ENVS / e for e in ENV_NAMES],
    ids=lambda p: p.name,
)
def test_variables_and_outputs_documented(where):
    parsed = parse_dir(where)
    for name, body in named(parsed, "variable"):
        assert body.get("type") and len(body.get("description", "")) > 10, name
        # Booleans are their own validation; everything else states its rule.
        if body["type"] != "bool":
            assert body.get("validation"), f"{where.name}: variable {name} has no validation"
    for name, body in named(parsed, "output"):
        assert len(body.get("description", "")) > 10, f"{where.name}: output {name}"


@pytest.mark.parametrize(
    "where",
    [MODULES / m for m in MODULE_NAMES] + [ENVS / e for e in ENV_NAMES],
    ids=lambda p: p.name,
)
def test_versions_pinned(where):
    (block,) = [t for t in parse_dir(where)["terraform"] if "required_version" in t]
    assert block["required_version"].startswith(">= 1.")
    (providers,) = block["required_providers"]
    assert providers["aws"]["source"] == "hashicorp/aws"
    assert providers["aws"]["version"].startswith("~> 6.")


@pytest.mark.parametrize("env", ENV_NAMES)
def test_environment_is_thin_with_s3_backend_example(env):
    parsed = parse_dir(ENVS / env)
    assert not list(labelled(parsed, "resource")), "environment roots only call modules"
    assert not list(labelled(parsed, "data")), "environment roots only call modules"
    calls = {name: body["source"] for name, body in named(parsed, "module")}
    assert calls == {PLATFORM: f"../../modules/{PLATFORM}"}, "one call to the platform module"
    backends = [b for t in parsed["terraform"] for b in t.get("backend", [])]
    assert backends and "s3" in backends[0]
    example = (ENVS / env / "backend.hcl.example").read_text()
    assert "use_lockfile = true" in example and f'key          = "{env}/' in example


@pytest.mark.parametrize("env", ENV_NAMES)
def test_tfvars_example_matches_the_variables(env):
    example = ENVS / env / "terraform.tfvars.example"
    variables = dict(named(parse_dir(ENVS / env), "variable"))
    values = parse_file(example)
    assert set(values) <= set(variables), "the example sets undeclared variables"
    exported = set(re.findall(r"TF_VAR_(\w+)=", example.read_text()))
    assert exported <= set(variables)
    required = {n for n, body in variables.items() if "default" not in body}
    assert required <= set(values) | exported, "a required variable is missing from the example"
    assert all(variables[n].get("sensitive") for n in exported), "secrets only via TF_VAR_"


@pytest.mark.parametrize("env", ENV_NAMES)
def test_moved_blocks_point_into_the_platform(env):
    """moved.tf carries states applied before modules/platform; gone once they are migrated."""
    moves = {expr(b["from"]): expr(b["to"]) for b in parse_dir(ENVS / env).get("moved", [])}
    if moves:  # a partial list would destroy and recreate the modules left out
        assert moves == {f"module.{m}": f"module.{PLATFORM}.module.{m}" for m in LEAF_MODULE_NAMES}


def test_ops_readme_exists():
    text = (TF_ROOT / "README.md").read_text()
    for topic in ("use_lockfile", "/auth/callback", "wikibot/<version>/<function>.zip", "NAT"):
        assert topic in text, topic
