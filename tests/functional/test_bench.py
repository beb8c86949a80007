"""tools/bench end to end: the local target (--quick) and the remote target against `wikibot dev`.

Timing targets are not asserted here (they are measured and recorded in docs/benchmarks.md);
these tests hold the report's shape, that every scenario ran, and that the lost-write check
found every acknowledged write.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BENCH = ROOT / "tools" / "bench"
TOOLS = {
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


def bench(*args: str, timeout: float = 900) -> dict:
    proc = subprocess.run(
        [sys.executable, str(BENCH), *args, "--json", "--no-progress"],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stderr[-4000:]
    return json.loads(proc.stdout)  # stdout holds the report alone


def check_concurrency(report: dict) -> None:
    for key, writers in (("5_writers", 5), ("50_writers", 50)):
        c = report["concurrency"][key]
        assert c["writers"] == writers
        assert c["writes_attempted"] >= writers
        check = c["lost_write_check"]
        assert check["ran"] is True
        assert check["checked"] == c["writes_acknowledged"] > 0
        assert check["lost"] == 0, check["lost_pages"]


def check_tools(report: dict) -> None:
    tools = report["mcp_tools"]["tools"]
    assert set(tools) == TOOLS
    assert all(s["n"] > 0 and s["p50_ms"] > 0 for s in tools.values()), tools


@pytest.mark.timeout(1200)
def test_local_quick_report_holds_every_scenario(tmp_path):
    markdown, svg = tmp_path / "report.md", tmp_path / "chart.svg"
    report = bench(
        "local",
        "--quick",
        "--data",
        str(tmp_path / "data"),
        "--markdown",
        str(markdown),
        "--svg",
        str(svg),
    )
    assert report["target"] == "local" and report["quick"] is True
    assert report["errors"] == {}, report["errors"]  # every scenario ran
    assert report["fixture"]["commits"] > report["fixture"]["pages"] > 0
    cold = report["cold_start"]
    for case in ("mcp_tools_list", "mcp_read_note", "store_read_backlinks", "stock_otterwiki"):
        assert set(cold[case]) == {"pyc", "source"}, cold[case]
        for mode in ("pyc", "source"):
            assert cold[case][mode]["spawn_to_answer_ms"] > cold[case][mode]["python_start_ms"] > 0
    assert cold["mcp_tools_list"]["pyc"]["init_ms"] > 0
    assert cold["stock_otterwiki"]["pyc"]["import_ms"] > 0
    assert cold["store_read_backlinks"]["pyc"]["store_work_ms"] > 0
    assert report["store_warm"]["read"]["n"] > 0
    assert report["mcp_warm"]["read_note"]["n"] == report["mcp_warm"]["write_note_create"]["n"]
    assert report["history"]["old_page"]["p50_ms"] > 0
    assert report["history"]["missing_page"]["p50_ms"] > 0
    check_tools(report)
    assert report["web_warm"]["stock"]["view"]["n"] > 0
    assert report["web_warm"]["wikibot"]["save"]["n"] > 0
    assert cold["web_page"]["pyc"]["spawn_to_answer_ms"] > 0
    assert report["cache_model"]["results"]
    check_concurrency(report)
    measures = {t["measure"] for t in report["targets"]}
    assert any("get_history" in m for m in measures)
    assert "| issue 6 |" in markdown.read_text()
    assert svg.read_text().startswith("<svg") and "tool read_note" in svg.read_text()


@pytest.fixture
def wikibot_dev(tmp_path):
    """`wikibot dev` on a free loopback port: (base URL, token)."""
    exe = Path(sys.executable).parent / "wikibot"
    proc = subprocess.Popen(
        [str(exe), "dev", "--port", "0", "--data", str(tmp_path / "dev"), "--json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        cwd=tmp_path,
        env={**os.environ},
        start_new_session=True,
    )
    try:
        info = json.loads(proc.stdout.readline())
        base = info["mcp_url"].rsplit("/", 3)[0]
        yield base, info["token"], info["wiki"]
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


@pytest.mark.timeout(900)
def test_remote_target_against_wikibot_dev(wikibot_dev, tmp_path):
    base, token, wiki = wikibot_dev
    markdown = tmp_path / "remote.md"
    report = bench(
        "remote",
        "--url",
        base,
        "--token",
        token,
        "--wiki",
        wiki,
        "--quick",
        "--markdown",
        str(markdown),
        "--publish",
        base,
        "--publish-wiki",
        wiki,
        "--publish-page",
        "Benchmarks/Test Run",
    )
    assert report["target"] == "remote" and report["url"] == f"{base}/{wiki}/mcp"
    assert set(report["protocol"]["tools"]) == TOOLS
    assert report["protocol"]["initialize"]["n"] > 0
    assert report["mcp_warm"]["read_note"]["n"] > 0
    assert report["history"]["old_page"]["n"] > 0
    check_tools(report)
    check_concurrency(report)
    # --publish wrote the Markdown report as a page of the wiki, over MCP.
    sys.path.insert(0, str(ROOT / "tools"))
    from benchkit.clients import HttpMcp, page_text

    published = HttpMcp(f"{base}/{wiki}/mcp", token).call(
        "read_note", {"path": "Benchmarks/Test Run"}
    )
    assert page_text(published).strip() == markdown.read_text().strip()
