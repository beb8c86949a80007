"""A real MCP client (fastmcp's Client over Streamable HTTP) against a running `wikibot dev`."""

from __future__ import annotations

import asyncio
import base64
import json

import pytest
from fastmcp import Client
from fastmcp.client.transports import StreamableHttpTransport
from fastmcp.exceptions import ToolError

EXPECTED_TOOLS = {
    "read_note",
    "write_note",
    "edit_note",
    "delete_note",
    "rename_note",
    "list_notes",
    "search_notes",
    "get_links",
    "find_orphaned_notes",
    "get_history",
    "get_recent_changes",
    "diff_note",
    "list_attachments",
    "upload_attachment",
    "download_attachment",
    "delete_attachment",
}


def run(coro):
    return asyncio.run(coro)


def client(url: str, token: str) -> Client:
    return Client(StreamableHttpTransport(url, auth=token))


async def call(c: Client, tool: str, **args) -> str:
    result = await c.call_tool(tool, args)
    return result.content[0].text


def revision_of(text: str) -> str:
    return next(line.split(": ")[1] for line in text.splitlines() if line.startswith("revision: "))


def test_tools_are_listed_with_docs_and_annotations(dev_server):
    async def go():
        async with client(dev_server.mcp_url, dev_server.token) as c:
            return await c.list_tools()

    tools = {t.name: t for t in run(go())}
    assert set(tools) == EXPECTED_TOOLS
    assert tools["read_note"].annotations.read_only_hint is True
    assert tools["delete_note"].annotations.destructive_hint is True
    assert tools["write_note"].annotations.read_only_hint is False
    for tool in tools.values():
        assert len(tool.description) > 25, tool.name
        for name, prop in tool.input_schema["properties"].items():
            assert len(prop.get("description", "")) > 5, (tool.name, name)
    assert "revision" in tools["write_note"].input_schema["properties"]


def test_bootstrap_pages_teach_the_agent(dev_server):
    async def go():
        async with client(dev_server.mcp_url, dev_server.token) as c:
            return await call(c, "read_note", path="Meta/Wiki Usage Guide"), await call(
                c, "list_notes"
            )

    guide, listing = run(go())
    assert "get_recent_changes" in guide and "[[Page Name]]" in guide
    for name in ("Home", "Meta/Wiki Usage Guide", "Meta/Page Template"):
        assert f"- {name} (" in listing


def test_page_lifecycle_over_mcp(dev_server):
    async def go():
        async with client(dev_server.mcp_url, dev_server.token) as c:
            created = await call(
                c,
                "write_note",
                path="E2E/Plan",
                content=(
                    "---\ncategory: project\ntags: [e2e]\n---\n# Plan\nShip the zebra feature.\n"
                ),
            )
            index_created = await call(
                c, "write_note", path="E2E/Index", content="See [[E2E/Plan]]."
            )
            read = await call(c, "read_note", path="e2e/plan")
            assert "links in: [[E2E/Index]]" in read and "category: project" in read
            edited = await call(
                c,
                "edit_note",
                path="E2E/Plan",
                revision=revision_of(read)[:7],
                old_string="zebra",
                new_string="okapi",
            )
            with pytest.raises(ToolError, match="Conflict"):
                await call(
                    c, "write_note", path="E2E/Plan", content="stale", revision=revision_of(created)
                )
            renamed = await call(c, "rename_note", path="E2E/Plan", new_path="E2E/Roadmap")
            assert "links rewritten in: E2E/Index" in renamed
            index = await call(c, "read_note", path="E2E/Index")
            assert index.endswith("See [[E2E/Roadmap]].")
            search = await call(c, "search_notes", query="okapi feature")
            assert search.startswith("1. E2E/Roadmap")
            history = await call(c, "get_history", path="E2E/Index")
            assert revision_of(renamed) in history
            diff = await call(
                c,
                "diff_note",
                path="E2E/Plan",
                from_revision=revision_of(created),
                to_revision=revision_of(edited),
            )
            assert "-Ship the zebra feature." in diff and "+Ship the okapi feature." in diff
            old_diff = await call(
                c,
                "diff_note",
                path="E2E/Index",
                from_revision=revision_of(index_created),
            )
            assert "-See [[E2E/Plan]]." in old_diff and "+See [[E2E/Roadmap]]." in old_diff
            recent = await call(c, "get_recent_changes", limit=3)
            assert "[mcp] rename: E2E/Plan -> E2E/Roadmap" in recent
            listing = await call(c, "list_notes", tag="e2e")
            assert "- E2E/Roadmap (category: project | tags: e2e" in listing

            payload = bytes(range(256)) * 10
            await call(
                c,
                "upload_attachment",
                path="E2E/Roadmap",
                filename="data.bin",
                content_base64=base64.b64encode(payload).decode(),
            )
            assert "data.bin (2560 bytes)" in await call(c, "list_attachments", path="E2E/Roadmap")
            downloaded = await call(
                c, "download_attachment", path="E2E/Roadmap", filename="data.bin"
            )
            assert base64.b64decode(downloaded) == payload
            await call(c, "delete_attachment", path="E2E/Roadmap", filename="data.bin")
            assert "No attachments" in await call(c, "list_attachments", path="E2E/Roadmap")
            await call(c, "delete_note", path="E2E/Roadmap")
            with pytest.raises(ToolError, match="Not found"):
                await call(c, "read_note", path="E2E/Roadmap")
            orphans = await call(c, "find_orphaned_notes")
            assert "E2E/Index" in orphans

    run(go())


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ({"path": "../x", "content": "x"}, "Invalid input"),
        ({"path": "/etc/passwd", "content": "x"}, "absolute path"),
        ({"path": ".git/config", "content": "x"}, "Invalid input"),
        ({"path": "a\x00b", "content": "x"}, "Invalid input"),
        ({"path": "", "content": "x"}, "Invalid input"),
        ({"path": "Big", "content": "x" * 1_000_001}, "Too large"),
    ],
)
def test_bad_input_is_refused_and_writes_nothing(dev_server, args, message):
    async def go():
        async with client(dev_server.mcp_url, dev_server.token) as c:
            before = await call(c, "get_recent_changes", limit=1)
            with pytest.raises(ToolError, match=message):
                await call(c, "write_note", **args)
            assert await call(c, "get_recent_changes", limit=1) == before

    run(go())


def test_bad_attachment_input_is_refused(dev_server):
    async def go():
        async with client(dev_server.mcp_url, dev_server.token) as c:
            with pytest.raises(ToolError, match="base64"):
                await call(
                    c,
                    "upload_attachment",
                    path="Home",
                    filename="a.bin",
                    content_base64="not base64!",
                )
            with pytest.raises(ToolError, match="Invalid input"):
                await call(
                    c, "upload_attachment", path="Home", filename="../a.bin", content_base64="AAAA"
                )
            # Over the 4 MiB request limit: a JSON-RPC 413 before any tool runs.
            big = base64.b64encode(b"\0" * 3_500_000).decode()
            with pytest.raises(Exception, match="Request too large"):
                await call(
                    c, "upload_attachment", path="Home", filename="big.bin", content_base64=big
                )
        async with client(dev_server.mcp_url, dev_server.token) as c:
            assert "big.bin" not in await call(c, "list_attachments", path="Home")

    run(go())


def _assert_refused(status: int, headers: dict, body: bytes, expected: int) -> None:
    assert status == expected
    assert b"jsonrpc" not in body and b"serverInfo" not in body
    json.loads(body)  # a JSON error, not a tool answer


def test_no_wrong_revoked_or_foreign_tokens_get_no_content(dev_server):
    path = dev_server.mcp_url.removeprefix(dev_server.base)
    status, headers, body = dev_server.post(path)
    _assert_refused(status, headers, body, 401)
    assert {k.lower(): v for k, v in headers.items()}[
        "www-authenticate"
    ] == 'Bearer realm="wikibot"'
    status, headers, body = dev_server.post(path, "wbt_" + "x" * 43)
    _assert_refused(status, headers, body, 401)
    challenge = {k.lower(): v for k, v in headers.items()}["www-authenticate"]
    assert challenge == 'Bearer realm="wikibot", error="invalid_token"'

    _assert_refused(*dev_server.post(path, "not-even-a-token"), 401)

    minted = dev_server.cli("token", "create", "dev", "notes", "--name", "short-lived")
    assert dev_server.post(path, minted["secret"])[0] == 200
    dev_server.cli("token", "revoke", "dev", minted["id"])
    _assert_refused(*dev_server.post(path, minted["secret"]), 401)

    dev_server.cli("wiki", "create", "dev", "other")
    other = dev_server.cli("token", "create", "dev", "other")["secret"]
    _assert_refused(*dev_server.post(path, other), 403)
    assert dev_server.post("/dev/other/mcp", other)[0] == 200

    dev_server.cli("user", "create", "eve", "--email", "eve@example.com")
    dev_server.cli("wiki", "create", "eve", "secret")
    eve = dev_server.cli("token", "create", "eve", "secret")["secret"]
    _assert_refused(*dev_server.post(path, eve), 403)
    _assert_refused(*dev_server.post("/eve/secret/mcp", dev_server.token), 403)
    _assert_refused(*dev_server.post("/eve/nowiki/mcp", eve), 403)


def test_oversized_request_is_refused_before_the_handler(dev_server):
    path = dev_server.mcp_url.removeprefix(dev_server.base)
    status, _, body = dev_server.post(path, dev_server.token, b"x" * (17 * 1024 * 1024))
    assert status == 413


def test_invalid_utf8_and_malformed_requests_write_nothing(dev_server):
    path = dev_server.mcp_url.removeprefix(dev_server.base)
    before = len(list((dev_server.data / "dev" / "notes" / "repo.git" / "objects").rglob("*")))
    for body in (b'{"jsonrpc":"2.0","id":1,"method":"tools/call","params":\xff\xfe}', b"\x00" * 10):
        status, _, _ = dev_server.post(path, dev_server.token, body)
        assert 400 <= status < 500
    after = len(list((dev_server.data / "dev" / "notes" / "repo.git" / "objects").rglob("*")))
    assert after == before
