"""Security and cost properties of the platform, asserted over the parsed HCL."""

from __future__ import annotations

import re

import pytest
from hcl import (
    ENV_NAMES,
    ENVS,
    MODULE_NAMES,
    MODULES,
    PLATFORM,
    expr,
    labelled,
    locals_of,
    named,
    parse_dir,
    resources,
)

MOD = {m: parse_dir(MODULES / m) for m in MODULE_NAMES}
ENV = {e: parse_dir(ENVS / e) for e in ENV_NAMES}


def _one(parsed, type_, name="this"):
    return resources(parsed, type_)[name]


def _block(body, name):
    (block,) = body[name]
    return block


def _calls(parsed):
    """Module calls of a module or environment root, by name."""
    return dict(named(parsed, "module"))


def _env_platform(env):
    """The environment root's one call to the platform module."""
    return _calls(ENV[env])[PLATFORM]


def _all_resource_types():
    return {t for parsed in MOD.values() for t, _, _ in labelled(parsed, "resource")}


@pytest.mark.parametrize("env", ENV_NAMES)
def test_default_tags_on_provider(env):
    (provider,) = [b for n, b in named(ENV[env], "provider") if n == "aws"]
    tags = _block(provider, "default_tags")["tags"]
    assert tags["project"] == "wikibot"
    assert expr(tags["environment"]) == "local.environment"
    assert locals_of(ENV[env])["environment"] == env


def test_every_taggable_resource_sets_tags(aws_schema):
    untagged = []
    for module, parsed in MOD.items():
        for type_, name, body in labelled(parsed, "resource"):
            entry = aws_schema["resource"].get(type_)
            config = aws_schema["structs"][entry["config"]] if entry else {"args": {}}
            if "tags" in config["args"] and "var.tags" not in str(body.get("tags", "")):
                untagged.append(f"{module}: {type_}.{name}")
    assert untagged == []


@pytest.mark.parametrize(("env", "azs"), [("dev", 1), ("prod", 2)])
def test_availability_zones_per_environment(env, azs):
    assert _env_platform(env)["az_count"] == azs
    network = _calls(MOD[PLATFORM])["network"]
    assert expr(network["az_count"]) == "var.az_count"


@pytest.mark.parametrize("env", ENV_NAMES)
def test_platform_named_after_the_environment(env):
    assert expr(_env_platform(env)["environment"]) == "local.environment"
    assert locals_of(MOD[PLATFORM])["name"] == "wikibot-${var.environment}"
    for call in _calls(MOD[PLATFORM]).values():
        assert "local.name" in str(call), call["source"]


@pytest.mark.parametrize(("env", "protected", "days"), [("dev", False, 7), ("prod", True, 30)])
def test_deletion_protection_and_log_retention_per_environment(env, protected, days):
    call = _env_platform(env)
    assert call["deletion_protection"] is protected
    assert call["log_retention_days"] == days
    calls = _calls(MOD[PLATFORM])
    assert expr(calls["registry"]["deletion_protection"]) == "var.deletion_protection"
    for module in ("functions", "api"):
        assert expr(calls[module]["log_retention_days"]) == "var.log_retention_days", module


def test_subnets_per_az_from_az_count():
    net = MOD["network"]
    for tier in ("public", "private"):
        assert expr(_one(net, "aws_subnet", tier)["count"]) == "var.az_count"
    assert expr(resources(net, "aws_route_table")["private"]["count"]) == "var.az_count"


def test_no_nat_gateway_no_interface_endpoints_no_public_ips():
    types = _all_resource_types()
    assert not types & {"aws_nat_gateway", "aws_eip", "aws_nat_gateway_eip_association"}
    endpoints = resources(MOD["network"], "aws_vpc_endpoint")
    assert endpoints, "gateway endpoints are expected"
    for body in endpoints.values():
        assert body["vpc_endpoint_type"] == "Gateway"
    for module, parsed in MOD.items():
        for route in resources(parsed, "aws_route").values():
            assert "nat_gateway_id" not in route, module
    assert _one(MOD["network"], "aws_subnet", "public")["map_public_ip_on_launch"] is False


def test_gateway_endpoints_for_dynamodb_and_s3_on_private_route_tables():
    (body,) = resources(MOD["network"], "aws_vpc_endpoint").values()
    assert expr(body["for_each"]) == 'toset(["dynamodb", "s3"])'
    assert body["service_name"].endswith(".${each.key}")
    assert expr(body["route_table_ids"]) == "aws_route_table.private[*].id"


def test_efs_ingress_is_nfs_from_the_lambda_group_only():
    net = MOD["network"]
    assert not resources(net, "aws_security_group_rule")
    for sg in resources(net, "aws_security_group").values():
        assert "ingress" not in sg and "egress" not in sg  # only the explicit rules below
    (ingress,) = resources(net, "aws_vpc_security_group_ingress_rule").values()
    assert (ingress["ip_protocol"], ingress["from_port"], ingress["to_port"]) == ("tcp", 2049, 2049)
    assert expr(ingress["security_group_id"]) == "aws_security_group.efs.id"
    assert expr(ingress["referenced_security_group_id"]) == "aws_security_group.lambda.id"
    assert not {"cidr_ipv4", "cidr_ipv6", "prefix_list_id"} & set(ingress)


def test_lambda_egress_only_to_efs_and_gateway_endpoints():
    egress = resources(MOD["network"], "aws_vpc_security_group_egress_rule")
    assert set(egress) == {"lambda_to_efs", "lambda_to_endpoints"}
    efs, endpoints = egress["lambda_to_efs"], egress["lambda_to_endpoints"]
    assert (efs["from_port"], efs["to_port"]) == (2049, 2049)
    assert expr(efs["referenced_security_group_id"]) == "aws_security_group.efs.id"
    assert (endpoints["from_port"], endpoints["to_port"]) == (443, 443)
    assert expr(endpoints["prefix_list_id"]) == "each.value.prefix_list_id"
    for rule in egress.values():
        assert "cidr_ipv4" not in rule and "cidr_ipv6" not in rule


def test_efs_encrypted_with_customer_key_backed_up_and_access_point():
    st = MOD["storage"]
    fs = _one(st, "aws_efs_file_system")
    assert fs["encrypted"] is True and expr(fs["kms_key_id"]) == "aws_kms_key.efs.arn"
    assert _block(_one(st, "aws_efs_backup_policy"), "backup_policy")["status"] == "ENABLED"
    ap = _one(st, "aws_efs_access_point")
    assert expr(_block(ap, "posix_user")["uid"]) == "var.posix_uid"
    assert expr(_block(ap, "root_directory")["path"]) == "var.root_path"
    variables = dict(named(st, "variable"))
    assert (variables["posix_uid"]["default"], variables["posix_gid"]["default"]) == (1000, 1000)
    assert variables["root_path"]["default"] == "/wikibot"


def test_kms_keys_rotate():
    keys = [b for p in MOD.values() for b in resources(p, "aws_kms_key").values()]
    assert len(keys) == 2 and all(k["enable_key_rotation"] is True for k in keys)


def test_registry_table_shape_and_protection():
    table = _one(MOD["registry"], "aws_dynamodb_table")
    assert table["billing_mode"] == "PAY_PER_REQUEST"
    assert (table["hash_key"], table["range_key"]) == ("pk", "sk")
    attrs = {a["name"]: a["type"] for a in table["attribute"]}
    assert attrs == {"pk": "S", "sk": "S", "gsi1pk": "S", "gsi1sk": "S"}
    gsi = _block(table, "global_secondary_index")
    assert (gsi["name"], gsi["hash_key"], gsi["range_key"], gsi["projection_type"]) == (
        "gsi1",
        "gsi1pk",
        "gsi1sk",
        "ALL",
    )
    assert _block(table, "ttl") == {
        "attribute_name": "expires_at",
        "enabled": True,
        "__is_block__": True,
    }
    assert _block(table, "point_in_time_recovery")["enabled"] is True
    sse = _block(table, "server_side_encryption")
    assert sse["enabled"] is True and expr(sse["kms_key_arn"]) == "aws_kms_key.dynamodb.arn"


def test_artifacts_bucket_private_versioned_encrypted_tls_only():
    art = MOD["artifacts"]
    pab = _one(art, "aws_s3_bucket_public_access_block")
    flags = (
        "block_public_acls",
        "block_public_policy",
        "ignore_public_acls",
        "restrict_public_buckets",
    )
    assert all(pab[f] is True for f in flags)
    versioning = _block(_one(art, "aws_s3_bucket_versioning"), "versioning_configuration")
    assert versioning["status"] == "Enabled"
    sse = _block(_one(art, "aws_s3_bucket_server_side_encryption_configuration"), "rule")
    assert _block(sse, "apply_server_side_encryption_by_default")["sse_algorithm"] == "aws:kms"
    owner = _block(_one(art, "aws_s3_bucket_ownership_controls"), "rule")
    assert owner["object_ownership"] == "BucketOwnerEnforced"
    (doc,) = [b for t, n, b in labelled(art, "data") if t == "aws_iam_policy_document"]
    deny = _block(doc, "statement")
    cond = _block(deny, "condition")
    assert deny["effect"] == "Deny" and cond["variable"] == "aws:SecureTransport"
    assert cond["values"] == ["false"]


def test_lambdas_python312_xray_and_placement():
    fn = MOD["functions"]
    lam = _one(fn, "aws_lambda_function")
    assert lam["runtime"] == "python3.12"
    assert _block(lam, "tracing_config")["mode"] == "Active"
    assert lam["architectures"] == ["${var.architecture}"]
    funcs = locals_of(fn)["functions"]
    assert {k: v["handler"] for k, v in funcs.items()} == {
        "wiki": "wikibot.web.handler.handler",
        "mcp": "wikibot.mcp.handler.handler",
        "platform": "wikibot.platform.handler.handler",
    }
    assert {k: v["in_vpc"] for k, v in funcs.items()} == {
        "wiki": True,
        "mcp": True,
        "platform": False,
    }
    dynamics = {name for d in lam["dynamic"] for name in d if name != "__is_block__"}
    assert dynamics == {"vpc_config", "file_system_config"}
    for d in lam["dynamic"]:
        for name, spec in d.items():
            if name != "__is_block__":
                assert expr(spec["for_each"]) == "each.value.in_vpc ? [1] : []"
    assert locals_of(fn)["mount_path"] == "/mnt/efs"
    env = set(locals_of(fn)["common_env"])
    assert env == {
        "WIKIBOT_REGISTRY",
        "WIKIBOT_TOKEN_KEY",
        "WIKIBOT_SESSION_KEY",
        "WIKIBOT_PUBLIC_URL",
        "WIKIBOT_AUTHKIT_DOMAIN",
    }
    variables = dict(named(fn, "variable"))
    assert variables["token_key"]["sensitive"] is True
    assert variables["session_key"]["sensitive"] is True
    assert resources(fn, "aws_lambda_alias")["live"]["name"] == "live"
    assert "retention_in_days" in _one(fn, "aws_cloudwatch_log_group")


def test_iam_least_privilege():
    (doc,) = [b for t, n, b in labelled(MOD["functions"], "data") if n == "this"]
    statements = {s["sid"]: s for s in doc["statement"]}
    registry = statements["Registry"]
    assert registry["resources"] == ["${var.table_arn}", "${var.table_arn}/index/*"]
    assert all(a.startswith("dynamodb:") and "*" not in a for a in registry["actions"])
    assert "dynamodb:DeleteTable" not in registry["actions"]
    for sid in ("Logs", "RegistryKey"):
        assert statements[sid]["resources"] != ["*"]
    assert set(statements["XRay"]["actions"]) == {
        "xray:PutTraceSegments",
        "xray:PutTelemetryRecords",
    }
    efs = [d["statement"] for d in doc["dynamic"] if "statement" in d]
    efs_content = [c for s in efs for c in s["content"] if c.get("sid") == "EfsThroughAccessPoint"]
    (grant,) = efs_content
    assert _block(grant, "condition")["variable"] == "elasticfilesystem:AccessPointArn"
    roles = resources(MOD["functions"], "aws_iam_role")["this"]
    assert expr(roles["for_each"]) == "local.functions"  # one role per function


def test_roles_carry_only_inline_policies():
    # What checkov's CKV2_AWS_56 (no IAMFullAccess) looks at, in every module: checkov stops
    # evaluating it on the roles two module calls deep (envs -> platform -> functions).
    attachments = {
        "aws_iam_policy_attachment",
        "aws_iam_role_policy_attachment",
        "aws_iam_user_policy_attachment",
        "aws_iam_group_policy_attachment",
        "aws_iam_role_policies_exclusive",
        "aws_iam_role_policy_attachments_exclusive",
    }
    assert not _all_resource_types() & (attachments | {"aws_iam_policy"})
    data_types = {t for parsed in MOD.values() for t, _, _ in labelled(parsed, "data")}
    assert "aws_iam_policy" not in data_types
    roles = [b for p in MOD.values() for b in resources(p, "aws_iam_role").values()]
    assert roles and all("managed_policy_arns" not in r and "inline_policy" not in r for r in roles)


def test_api_routes_and_payload_format():
    api = MOD["api"]
    assert locals_of(api)["routes"] == {
        "ANY /{user}/{wiki}/mcp": "mcp",
        "ANY /.well-known/{proxy+}": "mcp",
        "ANY /auth/{proxy+}": "platform",
        "ANY /api/{proxy+}": "platform",
        "$default": "wiki",
    }
    integ = _one(api, "aws_apigatewayv2_integration")
    assert integ["payload_format_version"] == "2.0"
    assert integ["integration_type"] == "AWS_PROXY"
    stage = _one(api, "aws_apigatewayv2_stage")
    assert "destination_arn" in _block(stage, "access_log_settings")
    assert _one(api, "aws_apigatewayv2_api")["protocol_type"] == "HTTP"


def test_edge_function_kvs_and_cache_behaviours():
    edge = MOD["edge"]
    fn = resources(edge, "aws_cloudfront_function")["session_check"]
    assert fn["runtime"] == "cloudfront-js-2.0"
    assert expr(fn["code"]) == 'file("${path.module}/session_check.js")'
    key = resources(edge, "aws_cloudfrontkeyvaluestore_key")["session_key"]
    assert key["key"] == "session_key" and expr(key["value"]) == "var.session_key"
    dist = _one(edge, "aws_cloudfront_distribution")
    default = _block(dist, "default_cache_behavior")
    assoc = _block(default, "function_association")
    assert assoc["event_type"] == "viewer-request"
    pages = resources(edge, "aws_cloudfront_cache_policy")["pages"]
    assert pages["default_ttl"] == 0 and expr(pages["max_ttl"]) == "var.page_max_ttl_seconds"
    cookies = _block(
        _block(pages, "parameters_in_cache_key_and_forwarded_to_origin"), "cookies_config"
    )
    assert _block(cookies, "cookies")["items"] == ["wikibot_session"]  # per-session cache
    static = _block(dist, "ordered_cache_behavior")
    assert expr(static["path_pattern"]) == "local.static_path"
    assert locals_of(edge)["static_path"] == "/_static/*"
    assert expr(static["target_origin_id"]) == "local.static_origin_id"
    assert static["allowed_methods"] == ["GET", "HEAD"] and "function_association" not in static
    assert expr(static["cache_policy_id"]) == "aws_cloudfront_cache_policy.static.id"
    uncached = _block(dist, "dynamic")["ordered_cache_behavior"]["content"][0]
    assert expr(uncached["cache_policy_id"]) == "data.aws_cloudfront_cache_policy.disabled.id"
    assert locals_of(edge)["uncached_paths"] == [
        "/*/mcp",
        "/*.git/*",
        "/api/*",
        "/auth/*",
        "/.well-known/*",
    ]
    assert len(locals_of(edge)["all_methods"]) == 7
    data = {n: b for t, n, b in labelled(edge, "data")}
    assert data["disabled"]["name"] == "Managed-CachingDisabled"


def test_static_files_from_a_private_bucket_through_origin_access_control():
    """/_static/* (Otterwiki's CSS/JS/fonts, uploaded by tools/release) comes from S3; only
    this distribution may read it, only under _static/, and only over TLS."""
    edge = MOD["edge"]
    dist = _one(edge, "aws_cloudfront_distribution")
    origins = {expr(o["origin_id"]): o for o in dist["origin"]}
    s3 = origins["local.static_origin_id"]
    assert expr(s3["domain_name"]) == "aws_s3_bucket.static.bucket_regional_domain_name"
    assert expr(s3["origin_access_control_id"]) == "aws_cloudfront_origin_access_control.static.id"
    assert "custom_origin_config" not in s3  # an S3 origin, not the public website endpoint
    oac = resources(edge, "aws_cloudfront_origin_access_control")["static"]
    assert oac["origin_access_control_origin_type"] == "s3"
    assert oac["signing_behavior"] == "always" and oac["signing_protocol"] == "sigv4"
    pab = resources(edge, "aws_s3_bucket_public_access_block")["static"]
    flags = ("block_public_acls", "block_public_policy", "ignore_public_acls",
             "restrict_public_buckets")  # fmt: skip
    assert all(pab[f] is True for f in flags)
    owner = _block(resources(edge, "aws_s3_bucket_ownership_controls")["static"], "rule")
    assert owner["object_ownership"] == "BucketOwnerEnforced"
    (doc,) = [b for t, n, b in labelled(edge, "data") if t == "aws_iam_policy_document"]
    statements = {s["sid"]: s for s in doc["statement"]}
    read = statements["CloudFrontReadsStaticFiles"]
    assert read["actions"] == ["s3:GetObject"]
    assert read["resources"] == ["${aws_s3_bucket.static.arn}/_static/*"]
    assert _block(read, "principals")["identifiers"] == ["cloudfront.amazonaws.com"]
    condition = _block(read, "condition")
    assert condition["variable"] == "AWS:SourceArn"
    assert condition["values"] == ["${aws_cloudfront_distribution.this.arn}"]
    deny = statements["DenyInsecureTransport"]
    assert deny["effect"] == "Deny" and _block(deny, "condition")["values"] == ["false"]
    # The deploy role may upload there (tools/release runs in the deploy workflow).
    (deploy,) = [b for t, n, b in labelled(MOD["ci"], "data") if n == "deploy"]
    buckets = next(s for s in deploy["statement"] if s.get("sid") == "Buckets")
    assert "${var.static_bucket_arn}/*" in buckets["resources"]


def test_static_path_is_the_one_the_web_app_links_and_no_wiki_can_own():
    from fnmatch import fnmatchcase

    from wikibot.layout import SLUG
    from wikibot.web.app import STATIC_ROOT, static_base

    pattern = locals_of(MOD["edge"])["static_path"]
    assert pattern == f"{STATIC_ROOT}/*"
    assert fnmatchcase(static_base("2.26.1") + "/css/otterwiki.css", pattern)
    # A wiki page is /{user}/{wiki}/...: no user id can be "_static".
    assert not SLUG.fullmatch(STATIC_ROOT.strip("/"))


def test_schedules():
    sched = locals_of(MOD["schedules"])["schedules"]
    variables = dict(named(MOD["schedules"], "variable"))
    assert expr(sched["warm"]["expression"]) == "var.warm_schedule"
    assert variables["warm_schedule"]["default"] == "rate(5 minutes)"
    assert sched["warm"]["functions"] == ["wiki", "mcp"]
    assert sched["jwks"]["functions"] == ["platform"]
    assert re.fullmatch(r"rate\(1 hours?\)", variables["jwks_schedule"]["default"])


@pytest.mark.parametrize("env", ENV_NAMES)
def test_budget_50_usd_with_email(env):
    budget = _one(MOD["budget"], "aws_budgets_budget")
    assert (budget["budget_type"], budget["limit_unit"], budget["time_unit"]) == (
        "COST",
        "USD",
        "MONTHLY",
    )
    notes = budget["notification"]
    assert notes and all(expr(n["subscriber_email_addresses"]) == "var.emails" for n in notes)
    call = _calls(MOD[PLATFORM])["budget"]
    assert call["limit_usd"] == 50
    assert call["emails"] == ["${var.budget_email}"]
    assert _env_platform(env)["budget_email"] == "${var.budget_email}"
