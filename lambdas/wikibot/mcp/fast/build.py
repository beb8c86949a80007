"""Generate `manifest.json` from the real FastMCP server: `python -m wikibot.mcp.fast.build`.

FastMCP stays the one definition of the tools and the reference for every answer; the MCP
Lambda ships without it (docs/decisions/0012). This asks it, over its own HTTP app, for what the
runtime (`wikibot.mcp.fast.path`) replays: the `initialize` result at every handshake protocol
version, `tools/list`, the constant results (ping, listings, discover) per version, the
transport's refusals (405, 400, 406, 415, 202) as sent, the SDK's request models as JSON Schema,
its error-code-to-HTTP-status table and pydantic's error URL; with each tool's permission from
the catalog. `--check` exits 1 when the file on disk differs (tests/functional/test_fastpath.py
runs the same comparison, so a FastMCP whose answers change fails the suite).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
from pathlib import Path

MANIFEST = Path(__file__).with_name("manifest.json")
# Listings FastMCP answers the same way whatever is asked (wikibot has no resources or prompts).
LISTINGS = ("resources/list", "resources/templates/list", "prompts/list")


def _event(body: dict, version: str | None, extra: dict | None = None) -> dict:
    headers = {
        "content-type": "application/json",
        "accept": "application/json, text/event-stream",
        "host": "localhost",
        **(extra or {}),
    }
    if version:
        headers["mcp-protocol-version"] = version
    return {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": "/build/manifest/mcp",
        "rawQueryString": "",
        "headers": headers,
        "requestContext": {
            "http": {
                "method": "POST",
                "path": "/build/manifest/mcp",
                "protocol": "HTTP/1.1",
                "sourceIp": "127.0.0.1",
                "userAgent": "wikibot-manifest",
            },
            "requestId": "manifest",
            "routeKey": "$default",
            "stage": "$default",
        },
        "body": json.dumps(body),
        "isBase64Encoded": False,
    }


def build() -> dict:
    """The manifest, asked of FastMCP itself (and of the MCP SDK it runs on)."""
    import fastmcp
    import mcp_types
    import pydantic.version
    from mcp.shared.inbound import ERROR_CODE_HTTP_STATUS
    from mcp_types import DEFAULT_NEGOTIATED_VERSION
    from mcp_types.methods import CLIENT_REQUESTS
    from mcp_types.version import HANDSHAKE_PROTOCOL_VERSIONS, MODERN_PROTOCOL_VERSIONS

    from wikibot.mcp.app import FastMCPApp
    from wikibot.mcp.catalog import PERMISSIONS
    from wikibot.mcp.fast.schema import slim
    from wikibot.mcp.server import create_server

    app = FastMCPApp()

    def ask(method: str, params: dict, version: str | None, headers: dict | None = None) -> dict:
        body = {"jsonrpc": "2.0", "id": 1, "method": method, "params": params}
        result = app(_event(body, version, headers), None)
        if result["statusCode"] != 200:
            raise RuntimeError(f"{method} at {version}: {result['statusCode']} {result['body']}")
        return json.loads(result["body"])["result"]

    def record(method: str = "POST", version: str | None = None, **headers: str) -> dict:
        """A transport-level refusal, kept as sent (its bytes do not depend on the request)."""
        event = _event({"jsonrpc": "2.0", "id": 1, "method": "ping"}, version, None)
        event["requestContext"]["http"]["method"] = method
        event["headers"].update({k.replace("_", "-"): v for k, v in headers.items()})
        answer = app(event, None)
        kept = ("content-type", "content-length", "allow")
        headers = {k: v for k, v in sorted(answer["headers"].items()) if k in kept}
        if "allow" in headers:  # Starlette lists a route's methods from a set: any order
            headers["allow"] = ", ".join(sorted(headers["allow"].split(", ")))
        return {"status": answer["statusCode"], "headers": headers, "body": answer["body"]}

    initialize = {
        version: ask(
            "initialize",
            {
                "protocolVersion": version,
                "capabilities": {},
                "clientInfo": {"name": "wikibot-manifest", "version": "1"},
            },
            None,
        )
        for version in HANDSHAKE_PROTOCOL_VERSIONS
    }
    listings = {
        version or "": ask("tools/list", {}, version)
        for version in (None, *HANDSHAKE_PROTOCOL_VERSIONS)
    }
    first = listings[""]
    if any(listing != first for listing in listings.values()):
        raise RuntimeError("tools/list differs by protocol version; teach the cold path that")
    names = [tool["name"] for tool in first["tools"]]
    if set(names) != set(PERMISSIONS):
        raise RuntimeError(f"catalog and FastMCP disagree: {sorted(set(names) ^ set(PERMISSIONS))}")
    constant = ("ping", "logging/setLevel", *LISTINGS)
    results = {
        version: {
            method: ask(method, {"level": "info"} if method == "logging/setLevel" else {}, version)
            for method in constant
        }
        for version in HANDSHAKE_PROTOCOL_VERSIONS
    }
    modern = {}
    for version in MODERN_PROTOCOL_VERSIONS:
        # The stateless protocol: every request carries its envelope in params._meta.
        meta = {
            "_meta": {
                "io.modelcontextprotocol/protocolVersion": version,
                "io.modelcontextprotocol/clientInfo": {"name": "wikibot-manifest", "version": "1"},
                "io.modelcontextprotocol/clientCapabilities": {},
            }
        }
        discover = ask("server/discover", meta, version, {"mcp-method": "server/discover"})
        listing = ask("tools/list", meta, version, {"mcp-method": "tools/list"})
        if [tool["name"] for tool in listing["tools"]] != names:
            raise RuntimeError(f"tools/list at {version} names other tools")
        answers = {"server/discover": discover}
        for method in LISTINGS:
            answers[method] = ask(method, meta, version, {"mcp-method": method})
        modern[version] = {"discover": discover, "tools_list": listing, "results": answers}
    schemas: dict[str, dict] = {}

    def remember(schema: dict) -> str:
        """Store a schema once, under a short hash of its content."""
        key = hashlib.sha256(json.dumps(schema, sort_keys=True).encode()).hexdigest()[:12]
        schemas[key] = schema
        return key

    requests: dict[str, dict[str, str]] = {}
    for (method, version), model in sorted(CLIENT_REQUESTS.items()):
        requests.setdefault(method, {})[version] = remember(slim(model.model_json_schema()))
    # FastMCP's own middleware validates server/discover against the SDK's version-free model
    # first, whatever the version (its initialize hook only logs a failure).
    prevalidate = {}
    for method, model in (("server/discover", mcp_types.DiscoverRequest),):
        prevalidate[method] = remember(slim(model.model_json_schema()))
    # Then the handler's own params model (after the version gate): stricter in places, e.g.
    # `_meta.progressToken: null` passes the surface model but not the handler's.
    handler_params = {}
    for method, entry in sorted(create_server()._mcp_server._request_handlers.items()):
        key = remember(slim(entry.params_type.model_json_schema()))
        handler_params[method] = key
    # initialize has no entry: the runner validates its params with the version-free model.
    handler_params["initialize"] = remember(
        slim(mcp_types.InitializeRequestParams.model_json_schema())
    )
    latest_modern = MODERN_PROTOCOL_VERSIONS[-1]
    transport = {
        "method_not_allowed": record("GET"),
        "bad_content_type": record(content_type="text/plain"),
        "delete": record("DELETE"),
        "not_acceptable": record(accept="text/event-stream"),
        "unsupported_media_type": record(content_type="application/jsonx"),
        "modern_method_not_allowed": record("DELETE", latest_modern),
        "modern_not_acceptable": record("POST", latest_modern, accept="text/event-stream"),
    }
    accepted = _event({"jsonrpc": "2.0", "method": "notifications/initialized"}, latest_modern)
    answer = app(accepted, None)
    transport["modern_accepted"] = {
        "status": answer["statusCode"],
        "headers": {k: v for k, v in sorted(answer["headers"].items()) if k != "allow"},
        "body": answer["body"],
    }
    return {
        "generated_by": "python -m wikibot.mcp.fast.build",
        "fastmcp": fastmcp.__version__,
        "pydantic_errors_url": f"https://errors.pydantic.dev/{pydantic.version.version_short()}/v/",
        "handshake_versions": list(HANDSHAKE_PROTOCOL_VERSIONS),
        "default_version": DEFAULT_NEGOTIATED_VERSION,
        "initialize": initialize,
        "tools_list": first,
        "results": results,
        "modern": modern,
        "permissions": {name: PERMISSIONS[name] for name in names},
        "transport": transport,
        "error_status": {str(k): v for k, v in sorted(ERROR_CODE_HTTP_STATUS.items())},
        "requests": requests,
        "prevalidate": prevalidate,
        "handler_params": handler_params,
        "request_schemas": schemas,
    }


def render(manifest: dict) -> str:
    """The manifest as stored: stable, readable JSON."""
    return json.dumps(manifest, indent=1, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Write the manifest, or with `--check` report whether it is stale."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the manifest is stale")
    args = parser.parse_args(argv)
    text = render(build())
    if args.check:
        stale = not MANIFEST.exists() or MANIFEST.read_text() != text
        print(f"{MANIFEST}: {'stale; run python -m wikibot.mcp.fast.build' if stale else 'fresh'}")
        return int(stale)
    if MANIFEST.exists() and MANIFEST.read_text() == text:
        print(f"{MANIFEST}: fresh")
        return 0
    # Atomically: tools/release runs this while tests may be reading the file.
    partial = MANIFEST.with_suffix(f".{os.getpid()}.tmp")
    partial.write_text(text)
    os.replace(partial, MANIFEST)
    print(f"wrote {MANIFEST}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
