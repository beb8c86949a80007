"""Measurements that need a fresh Python process: `python probes.py KIND JSON-ARGS`.

Each probe prints one JSON line. Wall-clock stamps (`time.time()`) let the parent compute
"spawn -> answer" including interpreter start; `perf_counter` spans time the phases inside.
Nothing heavy is imported before the timed phases: only the stdlib and benchkit.events.
"""

from __future__ import annotations

import time

ENTRY_WALL = time.time()

import asyncio  # noqa: E402
import importlib  # noqa: E402
import json  # noqa: E402
import random  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchkit import events  # noqa: E402

T = time.perf_counter
STOCK_HEADERS = {
    "x-otterwiki-name": "Bench",
    "x-otterwiki-email": "bench@example.com",
    "x-otterwiki-permissions": "READ WRITE UPLOAD ADMIN",
}
CORE = ("wikibot.store", "wikibot.pages", "wikibot.registry", "wikibot.auth.access")


class Context:
    """The Lambda context attributes handlers read."""

    function_name = "bench"
    function_version = "$LATEST"
    memory_limit_in_mb = 512
    aws_request_id = "bench-request"
    invoked_function_arn = "arn:aws:lambda:local:000000000000:function:bench"
    log_group_name = "/aws/lambda/bench"
    log_stream_name = "bench"

    def get_remaining_time_in_millis(self) -> int:
        return 30_000


def ms(seconds: float) -> float:
    return round(seconds * 1000, 3)


def _import_all(names: tuple[str, ...]) -> None:
    for name in names:
        try:
            importlib.import_module(name)
        except ImportError:
            pass


def _handler(module: str):
    """The Lambda entry of a handler module, as Lambda finds it (module-level `handler`)."""
    return importlib.import_module(module).handler


def _init_record() -> dict | None:
    tracing = sys.modules.get("wikibot.tracing")
    return getattr(tracing, "last_init", None) if tracing else None


def mcp(args: dict) -> dict:
    """Fresh process -> INIT of the MCP handler -> first answer (tools/list or read_note)."""
    t0 = T()
    import dulwich.repo  # noqa: F401
    import yaml  # noqa: F401

    t1 = T()
    _import_all(CORE)
    t2 = T()
    handler = _handler("wikibot.mcp.handler")
    t3 = T()
    if args["first"] == "tools/list":
        body = events.rpc("tools/list")
    else:
        body = events.tool_call("read_note", {"path": args["page"]})
    asyncio.set_event_loop(asyncio.new_event_loop())
    result = handler(events.mcp_event(args["user"], args["wiki"], args["token"], body), Context())
    t4 = T()
    answer_wall = time.time()
    message = events.rpc_result(events.response_body(result))
    error = events.tool_error(message)
    if result.get("statusCode") != 200 or error:
        raise SystemExit(f"MCP probe failed: {result.get('statusCode')} {error}")
    return {
        "deps_ms": ms(t1 - t0),
        "core_ms": ms(t2 - t1),
        "handler_module_ms": ms(t3 - t2),
        "init_ms": ms(t3 - t0),
        "first_request_ms": ms(t4 - t3),
        "answer_wall": answer_wall,
        "init_record": _init_record(),
    }


def store(args: dict) -> dict:
    """Fresh process: the store's own work to answer read_note with backlinks."""
    t0 = T()
    from wikibot.store import WikiStore

    t1 = T()
    wiki = WikiStore.open(Path(args["repo"]))
    page = wiki.read(args["page"])
    links = wiki.links(page.name)
    t2 = T()
    return {
        "import_ms": ms(t1 - t0),
        "store_work_ms": ms(t2 - t1),
        "backlinks": len(links.incoming),
        "answer_wall": time.time(),
    }


def _stock_app():
    t0 = T()
    from otterwiki.server import app

    return app, ms(T() - t0)


def stock(args: dict) -> dict:
    """Fresh process -> `import otterwiki.server` -> first page GET (stock Otterwiki)."""
    app, import_ms = _stock_app()
    t0 = T()
    client = app.test_client()
    response = client.get("/" + args["page"], headers=STOCK_HEADERS)
    first = ms(T() - t0)
    answer_wall = time.time()
    if response.status_code != 200 or args["page"].split("/")[-1].encode() not in response.data:
        raise SystemExit(f"stock GET failed: {response.status_code}")
    return {"import_ms": import_ms, "first_request_ms": first, "answer_wall": answer_wall}


def _web_page(
    handler, args: dict, path: str, method: str = "GET", form: str = "", cookies=None
) -> dict:
    headers = {"authorization": f"Bearer {args['token']}"}
    if form:
        # A browser's form post: same-origin Referer, which Flask-WTF checks over HTTPS.
        headers["content-type"] = "application/x-www-form-urlencoded"
        headers["referer"] = f"https://bench.local/{args['user']}/{args['wiki']}/{path}"
    page, _, query = path.partition("?")
    event = events.api_event(
        method,
        f"/{args['user']}/{args['wiki']}/{page}",
        headers=headers,
        body=form,
        query=query,
        cookies=cookies,
    )
    return handler(event, Context())


def web(args: dict) -> dict:
    """Fresh process -> INIT of the wiki (web) handler -> HTML of a page."""
    t0 = T()
    handler = _handler("wikibot.web.handler")
    t1 = T()
    result = _web_page(handler, args, args["page"])
    t2 = T()
    answer_wall = time.time()
    if result.get("statusCode") != 200:
        raise SystemExit(
            f"web GET failed: {result.get('statusCode')} {events.response_body(result)[:300]!r}"
        )
    return {
        "init_ms": ms(t1 - t0),
        "first_request_ms": ms(t2 - t1),
        "answer_wall": answer_wall,
        "init_record": _init_record(),
    }


def _summary(samples: list[float]) -> dict:
    values = sorted(ms(s) for s in samples)
    return {
        "p50_ms": round(statistics.median(values), 3),
        "p95_ms": values[max(0, round(len(values) * 0.95) - 1)],
        "n": len(values),
    }


def _form(content: str, message: str, extra: dict | None = None) -> str:
    from urllib.parse import urlencode

    return urlencode({"content": content, "commit": message, **(extra or {})})


def _warm(view, save, args: dict) -> dict:
    rng = random.Random(11)
    pages = [f"Topic {rng.randrange(args['pages'])}" for _ in range(args["iterations"])]
    view(pages[0])
    view(pages[1])
    views = []
    for page in pages:
        start = T()
        view(page)
        views.append(T() - start)
    saves = []
    for i in range(args.get("saves", args["iterations"])):
        start = T()
        own = save(f"Webbench/{args['run']}/P{i % 5}", f"# Saved {i}\n\nText {i}.\n")
        saves.append(own if own is not None else T() - start)
    return {"view": _summary(views), "save": _summary(saves)}


def stock_warm(args: dict) -> dict:
    """Stock Otterwiki warm: page views and saves through the Flask test client."""
    app, _ = _stock_app()
    client = app.test_client()

    def view(page: str) -> None:
        response = client.get("/" + page, headers=STOCK_HEADERS)
        if response.status_code != 200:
            raise SystemExit(f"stock view failed: {response.status_code}")

    def save(page: str, text: str) -> None:
        response = client.post(
            f"/{page}/save", data={"content": text, "commit": "bench"}, headers=STOCK_HEADERS
        )
        if response.status_code not in (200, 302, 303):
            raise SystemExit(f"stock save failed: {response.status_code}")

    return _warm(view, save, args)


def web_warm(args: dict) -> dict:
    """wikibot's wiki handler warm: page views and saves through API Gateway events."""
    import re

    handler = _handler("wikibot.web.handler")
    hidden = re.compile(r'<input[^>]*type="hidden"[^>]*>')
    attr = re.compile(r'(name|value)="([^"]*)"')

    def view(page: str) -> None:
        result = _web_page(handler, args, page)
        if result.get("statusCode") != 200:
            raise SystemExit(f"web view failed: {result.get('statusCode')}")

    def save(page: str, text: str) -> float:
        # As a browser does: open the editor (untimed), post its hidden fields with the text.
        editor = _web_page(handler, args, f"{page}?edit")
        cookies = [c.split(";", 1)[0] for c in editor.get("cookies") or []]
        fields = {}
        for tag in hidden.findall(events.response_body(editor).decode(errors="replace")):
            found = dict(attr.findall(tag))
            if "name" in found:
                fields[found["name"]] = found.get("value", "")
        form = _form(text, "bench", fields)
        start = T()
        result = _web_page(handler, args, f"{page}/save", "POST", form, cookies)
        elapsed = T() - start
        if result.get("statusCode") not in (200, 302, 303):
            raise SystemExit(
                f"web save failed: {result.get('statusCode')} "
                f"{events.response_body(result)[:300]!r}"
            )
        return elapsed

    return _warm(view, save, args)


PROBES = {
    "mcp": mcp,
    "store": store,
    "stock": stock,
    "web": web,
    "stock_warm": stock_warm,
    "web_warm": web_warm,
}

if __name__ == "__main__":
    kind, raw = sys.argv[1], sys.argv[2]
    outcome = PROBES[kind](json.loads(raw))
    outcome["entry_wall"] = ENTRY_WALL
    sys.stdout.write("\n" + json.dumps({"probe": kind, **outcome}) + "\n")
