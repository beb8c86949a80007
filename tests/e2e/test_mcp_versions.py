"""fastmcp's Client in each of its connect modes against `wikibot dev`, which runs no FastMCP.

`auto` probes `server/discover` and adopts the stateless protocol; `legacy` forces the
initialize handshake (the handshake-era protocol, as Claude's clients speak it); a version pin
adopts that stateless version without a probe. Each lists the tools, reads, writes, gets
pydantic's coercion (`"3"` for an integer) and its refusal of bad arguments, with the same text.
"""

from __future__ import annotations

import asyncio

import pytest
from fastmcp import Client
from fastmcp.client.transports import StreamableHttpTransport
from fastmcp.exceptions import ToolError
from mcp_types.version import HANDSHAKE_PROTOCOL_VERSIONS, MODERN_PROTOCOL_VERSIONS


@pytest.mark.parametrize("mode", ["auto", "legacy", *MODERN_PROTOCOL_VERSIONS])
def test_every_connect_mode_works(dev_server, mode):
    async def go():
        transport = StreamableHttpTransport(dev_server.mcp_url, auth=dev_server.token)
        async with Client(transport, mode=mode) as c:
            tools = await c.list_tools()
            page = f"Modes/{mode} é"
            written = await c.call_tool("write_note", {"path": page, "content": "# ✓\n"})
            read = await c.call_tool("read_note", {"path": page})
            history = await c.call_tool("get_history", {"path": page, "limit": "3"})
            with pytest.raises(ToolError) as refused:
                await c.call_tool("get_history", {"path": page, "limit": 2.5})
            with pytest.raises(ToolError) as missing:
                await c.call_tool("read_note", {})
            return c.protocol_version, tools, written, read, history, refused, missing

    version, tools, written, read, history, refused, missing = asyncio.run(go())
    expected = HANDSHAKE_PROTOCOL_VERSIONS if mode == "legacy" else MODERN_PROTOCOL_VERSIONS
    assert version in expected
    assert len(tools) == 16
    assert "Created" in written.content[0].text
    assert "# ✓" in read.content[0].text
    assert history.content[0].text.count("\n- ") <= 2
    assert "got a number with a fractional part [type=int_from_float" in str(refused.value)
    assert "Missing required argument [type=missing_argument" in str(missing.value)


@pytest.mark.parametrize("version", HANDSHAKE_PROTOCOL_VERSIONS)
def test_each_handshake_version(dev_server, version, monkeypatch):
    # The SDK's client always asks for its latest handshake version; ask for each in turn, as
    # older clients (Claude Desktop, Claude Code, other SDKs) do.
    import mcp.client.session

    monkeypatch.setattr(mcp.client.session, "LATEST_HANDSHAKE_VERSION", version)

    async def go():
        transport = StreamableHttpTransport(dev_server.mcp_url, auth=dev_server.token)
        async with Client(transport, mode="legacy") as c:
            tools = await c.list_tools()
            read = await c.call_tool("read_note", {"path": "Home"})
            with pytest.raises(ToolError) as refused:
                await c.call_tool("read_note", {"path": "Home", "extra": 1})
            return c.protocol_version, tools, read, refused

    negotiated, tools, read, refused = asyncio.run(go())
    assert negotiated == version
    assert len(tools) == 16 and "revision: " in read.content[0].text
    assert "Unexpected keyword argument [type=unexpected_keyword_argument" in str(refused.value)
