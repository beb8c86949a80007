"""Scenarios that run against any MCP client (in-process handler or a deployed URL)."""

from __future__ import annotations

import base64
import random
import threading
import time
from collections.abc import Callable

from benchkit.clients import ToolFailed, page_text, revision_of
from benchkit.stats import summary
from wikibot.mcp.catalog import FUNCTIONS

# Every tool the server defines, in the catalog's order (one list for the product and the bench).
TOOLS = tuple(FUNCTIONS)


def warm_read_write(client, pages: list[str], iterations: int, prefix: str) -> dict:
    """Warm read_note on random pages and write_note creating pages (comparable with before)."""
    rng = random.Random(3)
    names = [rng.choice(pages) for _ in range(iterations)]
    client.call("read_note", {"path": names[0]})
    reads, writes = [], []
    for name in names:
        start = time.perf_counter()
        client.call("read_note", {"path": name})
        reads.append(time.perf_counter() - start)
    for i in range(iterations):
        start = time.perf_counter()
        client.call("write_note", {"path": f"{prefix}/New {i}", "content": f"x {i}\n"})
        writes.append(time.perf_counter() - start)
    return {"read_note": summary(reads), "write_note_create": summary(writes)}


def history(client, old_page: str, missing_page: str, iterations: int) -> dict:
    """get_history (limit 10) for a page last changed long ago, and for a missing page."""
    out = {}
    for label, page in (("old_page", old_page), ("missing_page", missing_page)):
        samples = []
        for _ in range(iterations):
            start = time.perf_counter()
            try:
                client.call("get_history", {"path": page, "limit": 10})
            except ToolFailed:
                pass  # a missing page may answer "not found"; the time still counts
            samples.append(time.perf_counter() - start)
        out[label] = {"page": page, **summary(samples)}
    return out


def every_tool(client, iterations: int, prefix: str, query_page: str) -> dict:
    """Each MCP tool's latency, in one realistic sequence per iteration on scratch pages."""
    samples: dict[str, list[float]] = {name: [] for name in TOOLS}
    errors: dict[str, str] = {}

    def timed(tool: str, arguments: dict) -> str:
        start = time.perf_counter()
        try:
            return client.call(tool, arguments)
        except ToolFailed as exc:
            errors.setdefault(tool, str(exc)[:300])
            raise
        finally:
            samples[tool].append(time.perf_counter() - start)

    blob = base64.b64encode(b"bench attachment " * 64).decode()
    for i in range(iterations):
        page = f"{prefix}/Page {i}"
        try:
            first = revision_of(
                timed(
                    "write_note",
                    {
                        "path": page,
                        "content": f"# Page {i}\n\nAbout [[{query_page}]].\n\nVersion 1.\n",
                    },
                )
            )
            revision_of(timed("read_note", {"path": page}))
            second = revision_of(
                timed(
                    "edit_note",
                    {
                        "path": page,
                        "revision": first,
                        "old_string": "Version 1.",
                        "new_string": "Version 2.",
                    },
                )
            )
            timed("get_links", {"path": page})
            timed("get_history", {"path": page, "limit": 10})
            timed("diff_note", {"path": page, "from_revision": first, "to_revision": second})
            timed("list_notes", {"prefix": prefix})
            timed("search_notes", {"query": "agent memory decision"})
            timed("find_orphaned_notes", {})
            timed("get_recent_changes", {"limit": 20})
            timed(
                "upload_attachment", {"path": page, "filename": "data.txt", "content_base64": blob}
            )
            timed("list_attachments", {"path": page})
            timed("download_attachment", {"path": page, "filename": "data.txt"})
            timed("delete_attachment", {"path": page, "filename": "data.txt"})
            timed("rename_note", {"path": page, "new_path": f"{prefix}/Renamed {i}"})
            timed("delete_note", {"path": f"{prefix}/Renamed {i}"})
        except ToolFailed:
            continue  # recorded in errors; the next iteration starts on a fresh page
    return {"tools": {name: summary(s) for name, s in samples.items()}, "errors": errors}


def concurrent_writers(
    make_client: Callable[[], object],
    writers: int,
    writes: int,
    prefix: str,
    pages: list[str],
    verify: Callable[[dict[str, str]], dict],
) -> dict:
    """N threads, each with its own client, writing distinct pages and reading between writes."""
    barrier = threading.Barrier(writers)
    results: list[dict] = [{} for _ in range(writers)]

    def run(n: int) -> None:
        client = make_client()
        rng = random.Random(n)
        acked, failed, latencies = {}, [], []
        barrier.wait()
        for k in range(writes):
            name, text = f"{prefix}/W{n}-{k}", f"writer {n} write {k}\n"
            start = time.perf_counter()
            try:
                client.call("write_note", {"path": name, "content": text})
                acked[name] = text
            except Exception as exc:  # noqa: BLE001 - every failure is data here
                failed.append(str(exc)[:200])
            latencies.append(time.perf_counter() - start)
            start = time.perf_counter()
            try:
                client.call("read_note", {"path": rng.choice(pages)})
            except Exception as exc:  # noqa: BLE001
                failed.append(str(exc)[:200])
            latencies.append(time.perf_counter() - start)
        results[n] = {"acked": acked, "failed": failed, "latencies": latencies}

    started = time.perf_counter()
    threads = [threading.Thread(target=run, args=(n,)) for n in range(writers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return tally(results, writers * writes, time.perf_counter() - started, verify)


def tally(
    results: list[dict], attempted: int, wall_s: float, verify: Callable[[dict[str, str]], dict]
) -> dict:
    """Summarise writer results and run the lost-write check on the acknowledged writes."""
    acked: dict[str, str] = {}
    failures: list[str] = []
    latencies: list[float] = []
    for r in results:
        acked.update(r.get("acked", {}))
        failures.extend(r.get("failed", []))
        latencies.extend(r.get("latencies", []))
    check = verify(acked)
    return {
        "writes_attempted": attempted,
        "writes_acknowledged": len(acked),
        "failures": len(failures),
        "failure_examples": sorted(set(failures))[:3],
        "lost_write_check": check,
        "wall_s": round(wall_s, 3),
        "requests": summary(latencies),
    }


def verify_over_mcp(client) -> Callable[[dict[str, str]], dict]:
    """Lost-write check through MCP: every acknowledged page reads back with its content."""

    def verify(acked: dict[str, str]) -> dict:
        lost = []
        for name, text in acked.items():
            try:
                if page_text(client.call("read_note", {"path": name})).strip() != text.strip():
                    lost.append(name)
            except ToolFailed:
                lost.append(name)
        return {"ran": True, "checked": len(acked), "lost": len(lost), "lost_pages": lost[:5]}

    return verify
