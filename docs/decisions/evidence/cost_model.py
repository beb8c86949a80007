"""Monthly AWS cost of wikibot at rest and per N active users, from stated assumptions.

The arithmetic behind docs/cost.md. Every price and every assumption is a named constant below
with its source; change one and rerun. Resources follow terraform/modules (arm64 functions of
1,024 / 1,024 / 512 MB, HTTP API, CloudFront with one viewer-request function, EFS elastic
throughput, DynamoDB on demand, 30-day logs in prod, active X-Ray tracing, two KMS keys, one
Secrets Manager secret, no NAT).

Usage: uv run python docs/decisions/evidence/cost_model.py [--users 1000 10000] [--hit-ratio 0.02]
       [--no-free-tier] [--json]
"""

from __future__ import annotations

import argparse
import json
import sys

DAYS = 30
HOURS = 730
KB, MB, GB = 1 / 1024 / 1024, 1 / 1024, 1.0  # in GB

# Prices: us-east-1 list prices, checked 2026-11-27.
PRICE = {
    # https://aws.amazon.com/lambda/pricing/ (arm64)
    "lambda_request": 0.20 / 1e6,
    "lambda_gb_s": 0.0000133334,
    # https://aws.amazon.com/api-gateway/pricing/ (HTTP API, first 300 million)
    "apigw_request": 1.00 / 1e6,
    # https://aws.amazon.com/cloudfront/pricing/ (US/Europe)
    "cf_request": 0.0100 / 1e4,
    "cf_gb_out": 0.085,
    "cf_function": 0.10 / 1e6,
    "cf_kvs_read": 0.03 / 1e6,
    # https://aws.amazon.com/efs/pricing/ (Standard, elastic throughput)
    "efs_gb_month": 0.30,
    "efs_read_gb": 0.03,
    "efs_write_gb": 0.06,
    # https://aws.amazon.com/backup/pricing/ (EFS warm backup)
    "backup_gb_month": 0.05,
    # https://aws.amazon.com/dynamodb/pricing/on-demand/
    "ddb_read": 0.125 / 1e6,
    "ddb_write": 0.625 / 1e6,
    "ddb_gb_month": 0.25,
    "ddb_pitr_gb_month": 0.20,
    # https://aws.amazon.com/cloudwatch/pricing/ (Logs, standard class)
    "logs_ingest_gb": 0.50,
    "logs_store_gb_month": 0.03,
    # https://aws.amazon.com/xray/pricing/
    "xray_trace": 5.00 / 1e6,
    # https://aws.amazon.com/kms/pricing/
    "kms_key_month": 1.00,
    "kms_request": 0.03 / 1e4,
    # https://aws.amazon.com/secrets-manager/pricing/
    "secret_month": 0.40,
    "secret_call": 0.05 / 1e4,
}

# Always-free monthly allowances (same pages).
FREE = {
    "lambda_request": 1e6,
    "lambda_gb_s": 400_000,
    "cf_request": 10e6,
    "cf_gb_out": 1024,
    "cf_function": 2e6,
    "cf_kvs_read": 2e6,
    "xray_trace": 100_000,
    "ddb_gb": 25,
}

# What one active user causes per day (assumptions; see docs/cost.md §2).
PER_USER_DAY = {
    "page_views": 20,        # Otterwiki HTML GETs
    "web_saves": 2,          # POSTs (their redirect GET is one of the page views)
    "static_edge": 2,        # asset requests reaching CloudFront (browser cache holds the rest)
    "mcp_calls": 100,        # tools/call, tools/list, initialize... from agents
    "mcp_writes": 10,        # of which writes
    "git_requests": 4,       # two fetch/push round trips (info/refs + pack)
    "platform_calls": 2,     # /api and /auth
    "repo_mb": 10,           # EFS storage per active user (pages, history, attachments)
}
SIZE_GB = {  # bytes to the viewer per request, compressed
    "page": 15 * KB, "mcp": 4 * KB, "git": 50 * KB, "static": 50 * KB, "platform": 2 * KB,
}
EFS_IO_GB = {"read_per_origin_request": 20 * KB, "write_per_write": 20 * KB}
DURATION_S = {"page": 0.05, "save": 0.03, "git": 0.20, "mcp": 0.025, "platform": 0.10}
MEMORY_GB = {"wiki": 1.0, "mcp": 1.0, "platform": 0.5}  # terraform/modules/functions memory_mb
INIT_S = {"wiki": 0.8, "mcp": 0.3, "platform": 0.5}     # billed INIT per cold start
COLD_FRACTION = 0.01                                    # invocations that start cold
DDB = {"reads_per_origin_request": 2, "writes_per_user_day": 5, "gb_per_user": 0.00002}
LOG_GB = {"per_invocation": 0.6 * KB, "per_api_request": 0.4 * KB}
XRAY = {"reservoir_per_s": 1, "rate": 0.05}  # default sampling rule
KMS_REQUESTS_PER_USER_MONTH = 50

# At rest: what runs with no users (terraform/README.md "Monthly cost at rest").
WARM_PINGS = 2 * 12 * HOURS       # wiki + mcp every 5 minutes
JWKS_SYNCS = HOURS                # platform hourly
AT_REST_REPO_GB = 1.0


def charge(item: str, quantity: float, free_tier: bool) -> float:
    """Price of `quantity` units of `item`, less its always-free allowance when asked."""
    if free_tier and item in FREE:
        quantity = max(0.0, quantity - FREE[item])
    return quantity * PRICE[item]


def month(users: int, hit_ratio: float, free_tier: bool) -> dict[str, float]:
    """USD per month by line item for `users` active users (0 = at rest)."""
    u, d = PER_USER_DAY, users * DAYS
    views_origin = u["page_views"] * (1 - hit_ratio) * d
    wiki_inv = views_origin + (u["web_saves"] + u["git_requests"]) * d + WARM_PINGS / 2
    mcp_inv = u["mcp_calls"] * d + WARM_PINGS / 2
    platform_inv = u["platform_calls"] * d + JWKS_SYNCS
    invocations = wiki_inv + mcp_inv + platform_inv
    origin_requests = invocations - WARM_PINGS - JWKS_SYNCS  # through API Gateway
    edge_requests = (u["page_views"] + u["web_saves"] + u["static_edge"] + u["mcp_calls"]
                     + u["git_requests"] + u["platform_calls"]) * d
    gb_s = (
        (views_origin * DURATION_S["page"] + u["web_saves"] * d * DURATION_S["save"]
         + u["git_requests"] * d * DURATION_S["git"]) * MEMORY_GB["wiki"]
        + u["mcp_calls"] * d * DURATION_S["mcp"] * MEMORY_GB["mcp"]
        + u["platform_calls"] * d * DURATION_S["platform"] * MEMORY_GB["platform"]
        + WARM_PINGS * 0.005 * 1.0 + JWKS_SYNCS * 1.0 * MEMORY_GB["platform"]
        + COLD_FRACTION * sum(inv * INIT_S[fn] * MEMORY_GB[fn] for fn, inv in
                              (("wiki", wiki_inv), ("mcp", mcp_inv), ("platform", platform_inv)))
    )
    transfer_gb = d * (u["page_views"] * SIZE_GB["page"] + u["mcp_calls"] * SIZE_GB["mcp"]
                       + u["git_requests"] * SIZE_GB["git"]
                       + u["static_edge"] * SIZE_GB["static"]
                       + u["platform_calls"] * SIZE_GB["platform"])
    repo_gb = max(AT_REST_REPO_GB, users * u["repo_mb"] * MB)
    writes = (u["web_saves"] + u["mcp_writes"] + u["git_requests"] / 4) * d
    ddb_gb = max(0.0, users * DDB["gb_per_user"] - (FREE["ddb_gb"] if free_tier else 0))
    log_gb = invocations * LOG_GB["per_invocation"] + origin_requests * LOG_GB["per_api_request"]
    per_s = invocations / (HOURS * 3600)
    traces = min(invocations, XRAY["reservoir_per_s"] * HOURS * 3600) + XRAY["rate"] * max(
        0.0, invocations - XRAY["reservoir_per_s"] * HOURS * 3600) if per_s else 0
    # The session check runs on page HTML and (since it guards the wide patterns) on the MCP
    # and git behaviours; it reads the KeyValueStore only for pages that need a session.
    cf_functions = (u["page_views"] + u["web_saves"] + u["mcp_calls"] + u["git_requests"]) * d
    kvs_reads = (u["page_views"] + u["web_saves"]) * d
    return {
        "Lambda requests": charge("lambda_request", invocations, free_tier),
        "Lambda GB-s (incl. INIT)": charge("lambda_gb_s", gb_s, free_tier),
        "API Gateway HTTP API": origin_requests * PRICE["apigw_request"],
        "CloudFront requests": charge("cf_request", edge_requests, free_tier),
        "CloudFront transfer out": charge("cf_gb_out", transfer_gb, free_tier),
        "CloudFront Function + KVS reads": charge("cf_function", cf_functions, free_tier)
        + charge("cf_kvs_read", kvs_reads, free_tier),
        "EFS storage (Standard)": repo_gb * PRICE["efs_gb_month"],
        "EFS backups": repo_gb * PRICE["backup_gb_month"],
        "EFS elastic throughput": origin_requests * EFS_IO_GB["read_per_origin_request"]
        * PRICE["efs_read_gb"] + writes * EFS_IO_GB["write_per_write"] * PRICE["efs_write_gb"],
        "DynamoDB on demand": origin_requests * DDB["reads_per_origin_request"]
        * PRICE["ddb_read"] + (DDB["writes_per_user_day"] * d + JWKS_SYNCS) * PRICE["ddb_write"]
        + ddb_gb * (PRICE["ddb_gb_month"] + PRICE["ddb_pitr_gb_month"]),
        "CloudWatch Logs": log_gb * (PRICE["logs_ingest_gb"] + PRICE["logs_store_gb_month"]),
        "X-Ray traces": charge("xray_trace", traces, free_tier),
        "KMS (2 keys + requests)": 2 * PRICE["kms_key_month"]
        + users * KMS_REQUESTS_PER_USER_MONTH * PRICE["kms_request"],
        # The WorkOS secret (issue 8), read by the platform function at INIT.
        "Secrets Manager (WorkOS secret)": PRICE["secret_month"]
        + COLD_FRACTION * platform_inv * PRICE["secret_call"],
        "NAT gateway": 0.0,
    }, {
        "invocations": round(invocations),
        "origin_requests": round(origin_requests),
        "edge_requests": round(edge_requests),
        "gb_s": round(gb_s),
        "transfer_gb": round(transfer_gb, 1),
        "repo_gb": round(repo_gb, 1),
        "log_gb": round(log_gb, 2),
        "xray_traces": round(traces),
    }


def main() -> int:
    """Print the cost tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--hit-ratio", type=float, default=0.02,
                        help="edge hit ratio of page HTML (cachesim: 0.017 at TTL 60, session)")
    parser.add_argument("--no-free-tier", action="store_true",
                        help="ignore the always-free allowances")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    free = not args.no_free_tier
    columns = [0, *args.users]
    tables = {n: month(n, args.hit_ratio, free) for n in columns}
    if args.json:
        print(json.dumps({str(n): {"usd": {k: round(v, 2) for k, v in t[0].items()},
                                   "usd_total": round(sum(t[0].values()), 2), "volumes": t[1]}
                          for n, t in tables.items()}, indent=2))
        return 0
    head = " | ".join("at rest" if n == 0 else f"{n:,} users" for n in columns)
    print(f"USD/month, {'with' if free else 'without'} the always-free tiers, "
          f"page HTML hit ratio {args.hit_ratio}")
    print(f"| item | {head} |")
    print("|---" + "|---:" * len(columns) + "|")
    for item in tables[0][0]:
        print(f"| {item} | " + " | ".join(f"{tables[n][0][item]:,.2f}" for n in columns) + " |")
    totals = [sum(tables[n][0].values()) for n in columns]
    print("| **total** | " + " | ".join(f"**{t:,.2f}**" for t in totals) + " |")
    per_user = ["—"] + [f"{t / n:.4f}" for t, n in zip(totals[1:], columns[1:], strict=True)]
    print("| per active user | " + " | ".join(per_user) + " |")
    print()
    print("| volume | " + head + " |")
    print("|---" + "|---:" * len(columns) + "|")
    for key in tables[0][1]:
        print(f"| {key} | " + " | ".join(f"{tables[n][1][key]:,}" for n in columns) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
