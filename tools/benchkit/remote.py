"""`tools/bench remote --url URL --token T`: the scenarios against a deployed wiki over HTTPS.

Everything goes through the public door (MCP over HTTP with a bearer token). Pages are written
under `Bench/<run id>/` so a real wiki's pages are never touched; they stay in history.
Cold starts cannot be forced from outside: on AWS read them from the INIT log lines
(`filter type = "wikibot.init"` in CloudWatch Logs Insights).
"""

from __future__ import annotations

import time
import uuid

from benchkit import scenarios
from benchkit.clients import HttpMcp, mcp_url
from benchkit.events import initialize, rpc
from benchkit.stats import Progress, summary


def protocol(client: HttpMcp, iterations: int) -> dict:
    """initialize and tools/list round trips (stateless: every request stands alone)."""
    out = {}
    for label, body in (("initialize", initialize()), ("tools_list", rpc("tools/list"))):
        samples = []
        for _ in range(iterations):
            start = time.perf_counter()
            message = client.rpc(body)
            samples.append(time.perf_counter() - start)
            if "error" in message:
                raise RuntimeError(f"{label} failed: {message['error']}")
        out[label] = summary(samples)
    tools = client.rpc(rpc("tools/list"))["result"]["tools"]
    out["tools"] = sorted(t["name"] for t in tools)
    return out


def run(opts, progress: Progress) -> dict:
    """Run the remote scenarios; the report dict."""
    quick = opts.quick
    iterations = 5 if quick else opts.iterations
    url = mcp_url(opts.url, opts.wiki)
    client = HttpMcp(url, opts.token)
    run_id = uuid.uuid4().hex[:6]
    prefix = f"Bench/{run_id}"
    report: dict = {
        "target": "remote",
        "url": url,
        "quick": quick,
        "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    report["protocol"] = protocol(client, iterations)
    progress.step("initialize and tools/list done")

    seeds = [f"{prefix}/Topic {i}" for i in range(5 if quick else 20)]
    for i, name in enumerate(seeds):
        text = f"# Topic {i}\n\nSeed [[{seeds[0]}]]\n"
        client.call("write_note", {"path": name, "content": text})
    progress.step("seed pages written")
    report["mcp_warm"] = scenarios.warm_read_write(client, seeds, iterations * 3, f"{prefix}/Warm")
    progress.step("warm read/write done")
    report["history"] = scenarios.history(client, seeds[0], f"{prefix}/Missing", iterations * 2)
    progress.step("history done")
    report["mcp_tools"] = scenarios.every_tool(
        client, max(2, iterations // 2), f"{prefix}/Tools", seeds[0]
    )
    progress.step("every MCP tool done")
    report["concurrency"] = {}
    for writers in (5, 50):
        report["concurrency"][f"{writers}_writers"] = scenarios.concurrent_writers(
            lambda: HttpMcp(url, opts.token),
            writers,
            1 if quick else 3,
            f"{prefix}/Swarm{writers}",
            seeds,
            scenarios.verify_over_mcp(client),
        )
        report["concurrency"][f"{writers}_writers"]["writers"] = writers
        progress.step(f"{writers} concurrent writers done")
    report["skipped"] = [
        "cold start (cannot be forced from outside; see the wikibot.init log lines)",
        "web page view and save (needs a browser session, not a bearer token)",
    ]
    return report


def steps(opts) -> int:
    """How many progress steps `run` takes."""
    return 7


def publish(url: str, token: str, wiki: str, page: str, text: str) -> str:
    """Write `text` as a wiki page over MCP (create, or update at the revision just read)."""
    from benchkit.clients import ToolFailed, revision_of

    client = HttpMcp(mcp_url(url, wiki), token)
    try:
        revision = revision_of(client.call("read_note", {"path": page}))
    except ToolFailed:
        revision = ""
    answer = client.call(
        "write_note",
        {
            "path": page,
            "content": text,
            "revision": revision,
            "commit_message": "Benchmark report from tools/bench",
        },
    )
    return answer.splitlines()[0]
