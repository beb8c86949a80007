"""One request-size limit at the MCP door, derived from Lambda's 6 MiB invoke payload.

Settings.limits: 4 MiB per request body (base64 makes it 5.33 MiB inside the event), and
attachments up to 3,000,000 bytes, which is what fits base64 in one JSON-RPC request.
"""

from __future__ import annotations

import asyncio
import base64
import json

import pytest
from fastmcp import Client
from fastmcp.client.transports import StreamableHttpTransport
from fastmcp.exceptions import ToolError

from wikibot.settings import Limits

LIMITS = Limits()


def client(dev_server) -> Client:
    return Client(StreamableHttpTransport(dev_server.mcp_url, auth=dev_server.token), timeout=120)


@pytest.mark.timeout(300)
def test_the_documented_attachment_size_fits_and_one_byte_more_is_refused(dev_server):
    largest = bytes(range(256)) * (LIMITS.max_attachment_bytes // 256) + b"\x01" * (
        LIMITS.max_attachment_bytes % 256
    )
    assert len(largest) == LIMITS.max_attachment_bytes

    async def go():
        async with client(dev_server) as c:
            stored = await c.call_tool(
                "upload_attachment",
                {
                    "path": "Home",
                    "filename": "largest.bin",
                    "content_base64": base64.b64encode(largest).decode(),
                },
            )
            assert "largest.bin" in stored.content[0].text
            back = await c.call_tool(
                "download_attachment", {"path": "Home", "filename": "largest.bin"}
            )
            assert base64.b64decode(back.content[0].text) == largest
            with pytest.raises(ToolError, match="Too large"):
                await c.call_tool(
                    "upload_attachment",
                    {
                        "path": "Home",
                        "filename": "one-more.bin",
                        "content_base64": base64.b64encode(largest + b"x").decode(),
                    },
                )

    asyncio.run(go())


def test_a_body_over_the_request_limit_gets_a_json_rpc_413(dev_server):
    path = dev_server.mcp_url.removeprefix(dev_server.base)
    content = base64.b64encode(b"\0" * 3_300_000).decode()  # 4.4 MB of JSON: fits Lambda, not us
    body = json.dumps(
        {
            "jsonrpc": "2.0",
            "id": 9,
            "method": "tools/call",
            "params": {
                "name": "upload_attachment",
                "arguments": {"path": "Home", "filename": "x.bin", "content_base64": content},
            },
        }
    ).encode()
    assert LIMITS.max_request_bytes < len(body) < 6 * 1024 * 1024
    status, headers, answer = dev_server.post(path, dev_server.token, body)
    assert status == 413
    assert {k.lower(): v for k, v in headers.items()}["content-type"] == "application/json"
    error = json.loads(answer)
    assert error["jsonrpc"] == "2.0" and error["error"]["code"] == -32600
    assert f"{LIMITS.max_request_bytes:,}" in error["error"]["message"]


def test_a_body_over_lambdas_payload_is_refused_by_the_gateway(dev_server):
    path = dev_server.mcp_url.removeprefix(dev_server.base)
    status, _, answer = dev_server.post(path, dev_server.token, b"x" * (7 * 1024 * 1024))
    assert status == 413 and json.loads(answer) == {"message": "Request Entity Too Large"}
