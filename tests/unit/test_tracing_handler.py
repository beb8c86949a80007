"""Tracing through the real MCP handler, in fresh processes (as a Lambda execution environment).

On: a UDP socket standing in for the X-Ray daemon receives one segment per invocation, the first
annotated cold_start=true, with the access, store and git subsegments inside. Off: INIT and a
request never import aws_xray_sdk.
"""

from __future__ import annotations

import json

from test_tracing import daemon, find, names, run_python  # noqa: F401 - daemon is a fixture

from wikibot.local.dev import local_settings
from wikibot.provision import create_wiki
from wikibot.registry import open_registry
from wikibot.settings import to_env

REQUESTS = """
import json, sys
from wikibot.mcp.handler import make_handler
from wikibot.settings import from_env

def event(body):
    return {
        "version": "2.0", "routeKey": "ANY /{user}/{wiki}/mcp", "rawPath": "/ann/notes/mcp",
        "rawQueryString": "",
        "headers": {"authorization": "Bearer TOKEN", "content-type": "application/json",
                    "accept": "application/json, text/event-stream", "host": "localhost"},
        "requestContext": {"http": {"method": "POST", "path": "/ann/notes/mcp",
                                    "protocol": "HTTP/1.1", "sourceIp": "127.0.0.1",
                                    "userAgent": "test"},
                           "requestId": "r", "routeKey": "ANY /{user}/{wiki}/mcp",
                           "stage": "$default", "timeEpoch": 0},
        "body": json.dumps(body), "isBase64Encoded": False,
    }

handler = make_handler(from_env())
for name, arguments in (("write_note", {"path": "Traced", "content": "# Traced\\n"}),
                        ("read_note", {"path": "Traced"})):
    body = {"jsonrpc": "2.0", "id": 1, "method": "tools/call",
            "params": {"name": name, "arguments": arguments}}
    result = handler(event(body), None)
    assert result["statusCode"] == 200, result
    assert '"isError":true' not in result["body"].replace(" ", ""), result["body"]
print(json.dumps(sorted(m for m in sys.modules if m.startswith("aws_xray_sdk"))))
"""


def wiki_env(tmp_path, **extra: str) -> dict[str, str]:
    settings = local_settings(tmp_path / "data")
    registry = open_registry(settings)
    registry.create_user("ann", "ann@example.com", "Ann")
    create_wiki(settings, registry, "ann", "notes", "Notes")
    _, token = registry.create_token("ann", "ann", "notes")
    return {**to_env(settings), "BENCH_TOKEN": token, **extra}


def requests_code(env: dict[str, str]) -> str:
    return REQUESTS.replace("TOKEN", env["BENCH_TOKEN"])


def test_handler_with_tracing_off_never_imports_the_sdk(tmp_path):
    env = wiki_env(tmp_path, WIKIBOT_TRACING="")
    out = run_python(requests_code(env), env)
    assert json.loads(out.strip().splitlines()[-1]) == []
    # The INIT breakdown line went to stdout once, for this cold start.
    init_lines = [json.loads(line) for line in out.splitlines() if '"wikibot.init"' in line]
    assert len(init_lines) == 1
    assert init_lines[0]["function"] == "mcp" and init_lines[0]["cold_start"] is True
    assert {"gate", "cold_path"} <= set(init_lines[0]["phases_ms"])


def test_handler_sends_git_subsegments_and_cold_warm_annotations(daemon, tmp_path):  # noqa: F811
    address, documents = daemon
    env = wiki_env(tmp_path, WIKIBOT_TRACING="1", AWS_XRAY_DAEMON_ADDRESS=address)
    out = run_python(requests_code(env), env)
    assert json.loads(out.strip().splitlines()[-1]) != []  # on: the SDK was loaded
    write, read = documents(2)
    assert write["name"] == read["name"] == "wikibot-mcp"
    assert write["annotations"]["cold_start"] is True
    assert read["annotations"]["cold_start"] is False
    assert {"access.resolve", "git.commit"} <= set(names(write)), names(write)
    assert find(write, "git.commit")["annotations"] == {"cas_retries": 0}
    assert {"access.resolve", "store.read"} <= set(names(read)), names(read)
    for doc in (write, read):
        for name in names(doc):
            sub = find(doc, name)
            assert doc["start_time"] <= sub["start_time"] <= sub["end_time"] <= doc["end_time"]
