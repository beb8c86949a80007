"""Generate `manifest.json` from the real FastMCP server: `python -m wikibot.mcp.fast.build`.

FastMCP stays the one definition of the tools. This asks it, over its own HTTP app, for the
`initialize` result at every handshake protocol version and for `tools/list`, and stores the
answers verbatim, with each tool's permission from the catalog. `--check` exits 1 when the file
on disk differs (tests/functional/test_fastpath.py runs the same comparison).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

MANIFEST = Path(__file__).with_name("manifest.json")


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
    """The manifest, asked of FastMCP itself."""
    import fastmcp
    from mcp_types.version import HANDSHAKE_PROTOCOL_VERSIONS, MODERN_PROTOCOL_VERSIONS

    from wikibot.mcp.app import FastMCPApp
    from wikibot.mcp.catalog import PERMISSIONS

    app = FastMCPApp()

    def ask(method: str, params: dict, version: str | None, headers: dict | None = None) -> dict:
        body = {"jsonrpc": "2.0", "id": 1, "method": method, "params": params}
        result = app(_event(body, version, headers), None)
        if result["statusCode"] != 200:
            raise RuntimeError(f"{method} at {version}: {result['statusCode']} {result['body']}")
        return json.loads(result["body"])["result"]

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
        modern[version] = {"discover": discover, "tools_list": listing}
    return {
        "generated_by": "python -m wikibot.mcp.fast.build",
        "fastmcp": fastmcp.__version__,
        "handshake_versions": list(HANDSHAKE_PROTOCOL_VERSIONS),
        "initialize": initialize,
        "tools_list": first,
        "modern": modern,
        "permissions": {name: PERMISSIONS[name] for name in names},
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
    MANIFEST.write_text(text)
    print(f"wrote {MANIFEST}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
