"""wikibot.tracing: a no-op that never loads the X-Ray SDK when off; real segments when on.

The "on" cases run in fresh processes that send to a UDP socket standing in for the X-Ray
daemon (AWS_XRAY_DAEMON_ADDRESS), and the test reads back exactly what the SDK emitted.
"""

from __future__ import annotations

import io
import json
import os
import socket
import subprocess
import sys
import textwrap
import time

import pytest

from wikibot import tracing


def run_python(code: str, env: dict[str, str], timeout: float = 60) -> str:
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


@pytest.fixture
def daemon():
    """A UDP socket on loopback that collects X-Ray documents: (address, read_documents)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    sock.settimeout(0.5)

    def documents(expect: int) -> list[dict]:
        docs: list[dict] = []
        deadline = time.monotonic() + 10
        while len(docs) < expect and time.monotonic() < deadline:
            try:
                data = sock.recv(65536)
            except TimeoutError:
                continue
            header, _, body = data.decode().partition("\n")
            assert json.loads(header) == {"format": "json", "version": 1}
            docs.append(json.loads(body))
        return docs

    yield f"127.0.0.1:{sock.getsockname()[1]}", documents
    sock.close()


def names(entity: dict) -> list[str]:
    found = []
    for sub in entity.get("subsegments", []):
        found.append(sub["name"])
        found.extend(names(sub))
    return found


def find(entity: dict, name: str) -> dict:
    for sub in entity.get("subsegments", []):
        if sub["name"] == name:
            return sub
        try:
            return find(sub, name)
        except KeyError:
            pass
    raise KeyError(name)


def test_spans_are_one_shared_noop_when_tracing_is_off():
    assert not tracing.enabled()
    with tracing.span("store.read", path="Home") as span:
        span.annotate(retries=3)
    assert tracing.span("anything") is tracing.NO_SPAN
    with tracing.invocation({"headers": {}}):
        tracing.annotate(ignored=True)


def test_init_timer_logs_one_json_line_once():
    out = io.StringIO()
    timer = tracing.InitTimer("unit-test-fn", stream=out)
    with timer.phase("imports"):
        time.sleep(0.01)
    with timer.phase("imports"):
        pass
    timer.mark("between")
    record = timer.log(extra="yes")
    timer.log()
    lines = out.getvalue().splitlines()
    assert len(lines) == 1
    logged = json.loads(lines[0])
    assert logged == record
    assert logged["type"] == "wikibot.init" and logged["function"] == "unit-test-fn"
    assert set(logged["phases_ms"]) == {"imports", "between"}
    assert logged["process_ms"] >= logged["before_ms"] > 0  # Linux: from /proc
    assert logged["cold_start"] is True and logged["extra"] == "yes"
    assert logged["phases_ms"]["imports"] >= 10
    assert logged["total_ms"] >= logged["phases_ms"]["imports"]
    assert tracing.last_init == record
    # A second handler built in the same process is not a cold start.
    assert tracing.InitTimer("unit-test-fn", stream=io.StringIO()).log()["cold_start"] is False


def test_tracing_off_never_imports_the_sdk(tmp_path):
    out = run_python(
        """
        import sys
        from wikibot import tracing
        from wikibot.settings import from_env
        tracing.configure(from_env(), "wikibot-mcp")
        with tracing.invocation({}):
            with tracing.span("store.read"):
                pass
        print(sorted(m for m in sys.modules if m.startswith("aws_xray")))
        """,
        {"WIKIBOT_DATA": str(tmp_path), "WIKIBOT_TRACING": ""},
    )
    assert out.strip() == "[]"


def test_segments_reach_the_daemon_with_cold_and_warm_annotations(daemon, tmp_path):
    address, documents = daemon
    root = "1-5f84c7a1-0123456789abcdef01234567"
    run_python(
        f"""
        from wikibot import tracing
        from wikibot.settings import from_env
        tracing.configure(from_env(), "wikibot-test")
        assert tracing.enabled()
        event = {{"headers": {{"x-amzn-trace-id": "Root={root};Parent=53995c3f42cd8ad8"}}}}
        for attempt in range(2):
            with tracing.invocation(event, function="test"):
                with tracing.span("store.open", wiki="a/b"):
                    with tracing.span("store.commit") as commit:
                        commit.annotate(cas_retries=attempt)
                try:
                    with tracing.span("render"):
                        raise ValueError("boom")
                except ValueError:
                    pass
        """,
        {
            "WIKIBOT_DATA": str(tmp_path),
            "WIKIBOT_TRACING": "1",
            "AWS_XRAY_DAEMON_ADDRESS": address,
        },
    )
    cold, warm = documents(2)
    assert cold["name"] == warm["name"] == "wikibot-test"
    assert cold["trace_id"] == warm["trace_id"] == root
    assert cold["parent_id"] == "53995c3f42cd8ad8"
    assert cold["annotations"] == {"cold_start": True, "function": "test"}
    assert warm["annotations"]["cold_start"] is False
    for doc in (cold, warm):
        assert names(doc) == ["store.open", "store.commit", "render"]
        assert not doc.get("in_progress")
        commit = find(doc, "store.commit")
        assert doc["start_time"] <= commit["start_time"] <= commit["end_time"] <= doc["end_time"]
        assert find(doc, "render")["fault"] is True
    assert find(cold, "store.commit")["annotations"] == {"cas_retries": 0}
    assert find(warm, "store.commit")["annotations"] == {"cas_retries": 1}
    assert find(warm, "store.open")["annotations"] == {"wiki": "a/b"}
