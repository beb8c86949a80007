"""Headless Chromium against a real `wikibot dev`: the Otterwiki UI on the page store.

A person signs in (a session cookie, as the platform's login sets it), creates a page in the
editor, saves, sees it rendered, opens history, a diff and blame, uploads an attachment and sees
it on the page; an agent's MCP write shows in the UI, and the UI edit reads back over MCP with
the person as author. Screenshots of every step are kept (the folder is printed).
"""

from __future__ import annotations

import asyncio
import base64
import struct
import zlib
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import quote

import pytest
from browser import ARTIFACTS, launch, screenshot, start_dev
from fastmcp import Client
from fastmcp.client.transports import StreamableHttpTransport

playwright_api = pytest.importorskip("playwright.sync_api")

PAGE = "Browser Über"


def png(width: int = 3, height: int = 2) -> bytes:
    """A tiny valid PNG (red pixels)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\0" + b"\xff\x00\x00" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def mcp(dev, tool: str, **args) -> str:
    """Call one MCP tool from a worker thread (Playwright's sync API owns this thread's loop)."""

    async def go() -> str:
        async with Client(StreamableHttpTransport(dev.mcp_url, auth=dev.token)) as c:
            result = await c.call_tool(tool, args)
            return result.content[0].text

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, go()).result(timeout=300)  # cold MCP worker, busy CI


@pytest.fixture(scope="module")
def dev(tmp_path_factory):
    wiki = start_dev(tmp_path_factory.mktemp("web-e2e") / "data")
    yield wiki
    wiki.stop()


@pytest.fixture(scope="module")
def shots():
    folder = ARTIFACTS
    print(f"screenshots in {folder}")
    return folder


@pytest.fixture(scope="module")
def browser_page(dev):
    with playwright_api.sync_playwright() as p:
        browser = launch(p)
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        context.add_cookies([dev.session_cookie()])
        page = context.new_page()
        page.set_default_timeout(120_000)  # a loaded CI machine starts cold workers slowly
        yield page
        browser.close()


def page_url(dev, name: str = PAGE) -> str:
    return dev.web_url + quote(name)


def type_in_editor(page, text: str) -> None:
    """Replace the CodeMirror 6 editor's content as a person would (select all, type)."""
    page.locator(".cm-content").first.click()
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.keyboard.insert_text(text)


def save_with_message(page, message: str) -> None:
    page.locator("#save-page-btn").click()
    page.locator("#commit-message").fill(message)
    with page.expect_navigation(wait_until="domcontentloaded"):
        page.locator("#saveform input[type=submit]").click()


def test_browser_edits_and_reads_the_wiki(dev, browser_page, shots):
    page = browser_page
    page.goto(dev.web_url, wait_until="domcontentloaded")
    assert page.locator("body").inner_text().strip()
    screenshot(page, shots, "01-home")

    # Create a page from Otterwiki's "create page" form, then write it in the editor.
    page.goto(dev.web_url + "-/create", wait_until="domcontentloaded")
    page.locator("#pagename").fill(PAGE)
    with page.expect_navigation(wait_until="domcontentloaded"):
        page.locator("form[action$='/-/create'] input[type=submit]").click()
    page.wait_for_selector(".cm-content")
    type_in_editor(page, f"# {PAGE}\n\nHello from **Chromium**, naïve café.\n\nSee [[Home]].\n")
    screenshot(page, shots, "02-editor")
    save_with_message(page, "first words from the browser")
    content = page.locator(".page").first.inner_text()
    assert "Hello from Chromium" in content
    assert page.locator("strong", has_text="Chromium").count() >= 1
    screenshot(page, shots, "03-saved")

    # The WikiLink stays inside the wiki's mount point.
    href = page.locator(".page a", has_text="Home").first.get_attribute("href")
    assert href.startswith("/dev/notes/")

    # The UI edit reads back over MCP, authored by the signed-in person.
    assert "Hello from **Chromium**" in mcp(dev, "read_note", path=PAGE)
    history = mcp(dev, "get_history", path=PAGE)
    assert "first words from the browser" in history and "Developer" in history

    # An agent writes over MCP; the person sees it.
    note = mcp(dev, "read_note", path=PAGE)
    revision = next(li.split(": ")[1] for li in note.splitlines() if li.startswith("revision: "))
    mcp(
        dev,
        "edit_note",
        path=PAGE,
        old_string="See [[Home]].",
        new_string="See [[Home]].\n\nAn agent added this line.",
        revision=revision,
    )
    page.goto(page_url(dev) + "?rev=agent", wait_until="domcontentloaded")
    assert "An agent added this line." in page.locator(".page").first.inner_text()

    # History, a diff between the two revisions, and blame.
    page.goto(page_url(dev) + "/history", wait_until="domcontentloaded")
    assert "first words from the browser" in page.content()
    screenshot(page, shots, "04-history")
    page.goto(page_url(dev) + "/blame", wait_until="domcontentloaded")
    blame = page.content()
    assert "An agent added this line." in blame
    screenshot(page, shots, "05-blame")
    log = page.locator("a[href*='/-/commit/']").all()
    assert log, "blame links each line to its commit"
    page.goto(page_url(dev) + "/history", wait_until="domcontentloaded")
    ids = [
        a.get_attribute("href").rsplit("/", 1)[-1]
        for a in page.locator("a[href*='/-/commit/']").all()
    ]
    assert len(set(ids)) >= 2, ids
    newer, older = ids[0], ids[-1]
    page.goto(page_url(dev) + f"/diff/{older}/{newer}", wait_until="domcontentloaded")
    assert "An agent added this line." in page.content()
    screenshot(page, shots, "06-diff")

    # Upload an attachment and show it on the page.
    page.goto(page_url(dev) + "/attachments", wait_until="domcontentloaded")
    page.locator("#file-upload").set_input_files(
        {"name": "pixel.png", "mimeType": "image/png", "buffer": png()}
    )
    with page.expect_navigation(wait_until="domcontentloaded"):
        page.locator("input[type=submit][value=Upload]").click()
    assert "pixel.png" in page.content()
    screenshot(page, shots, "07-attachments")
    page.goto(page_url(dev) + "?edit", wait_until="domcontentloaded")
    page.wait_for_selector(".cm-content")
    type_in_editor(page, f"# {PAGE}\n\n![a red pixel](./pixel.png)\n\nHello again.\n")
    save_with_message(page, "show the picture")
    image = page.locator("img[alt='a red pixel']")
    image.wait_for()
    page.wait_for_function(
        "img => img.complete && img.naturalWidth === 3", arg=image.element_handle()
    )
    screenshot(page, shots, "08-attachment-on-page")
    attachment = mcp(dev, "download_attachment", path=PAGE, filename="pixel.png")
    assert base64.b64decode(attachment) == png()


def test_search_and_page_index_in_the_browser(dev, browser_page, shots):
    page = browser_page
    page.goto(dev.web_url + "-/index", wait_until="domcontentloaded")
    assert PAGE in page.locator("body").inner_text()
    page.locator("input[name=query]").first.fill("Hello again")
    with page.expect_navigation(wait_until="domcontentloaded"):
        page.locator("input[name=query]").first.press("Enter")
    assert PAGE in page.locator("body").inner_text() or "Hello" in page.content()
    screenshot(page, shots, "09-search")
