"""Module conventions from docs/house-style.md: five files, `this`, typed/described inputs."""

from __future__ import annotations

import pytest
from hcl import ENV_NAMES, ENVS, MODULE_NAMES, MODULES, TF_ROOT, labelled, named, parse_dir


@pytest.mark.parametrize("module", MODULE_NAMES)
def test_standard_files(module):
    present = {p.name for p in (MODULES / module).iterdir()}
    assert {"main.tf", "variables.tf", "outputs.tf", "versions.tf", "README.md"} <= present
    assert len((MODULES / module / "README.md").read_text()) > 200


@pytest.mark.parametrize("module", MODULE_NAMES)
def test_main_resource_is_named_this(module):
    names = {name for _, name, _ in labelled(parse_dir(MODULES / module), "resource")}
    assert "this" in names


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
    backends = [b for t in parsed["terraform"] for b in t.get("backend", [])]
    assert backends and "s3" in backends[0]
    example = (ENVS / env / "backend.hcl.example").read_text()
    assert "use_lockfile = true" in example and f'key          = "{env}/' in example


def test_ops_readme_exists():
    text = (TF_ROOT / "README.md").read_text()
    for topic in ("use_lockfile", "/auth/callback", "wikibot/<version>/<function>.zip", "NAT"):
        assert topic in text, topic
