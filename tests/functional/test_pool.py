"""Local Lambda execution environments: one invocation at a time per worker process."""

from __future__ import annotations

import json
import logging
import os
import re
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from wikibot.local.gateway import FakeLambdaContext
from wikibot.local.pool import FunctionPool, InitFailed, InvocationFailed
from wikibot.settings import Limits, Settings

FUNCTION = '''
import json, os, sys, time

INIT_PID = os.getpid()

def make_handler(settings):
    if settings.public_url == "http://init.fails":
        raise RuntimeError("INIT exploded on purpose")
    def handler(event, context):
        action = event.get("action")
        if action == "sleep":
            time.sleep(event["seconds"])
        elif action == "raise":
            raise ValueError("handler exploded on purpose")
        elif action == "exit":
            os._exit(3)
        elif action == "print":
            print("chatter on stdout must not break the protocol")
        elif action == "unserializable":
            return {"statusCode": 200, "body": object()}
        return {
            "pid": os.getpid(),
            "init_pid": INIT_PID,
            "data_root": str(settings.data_root),
            "max_page": settings.limits.max_page_bytes,
            "env": sorted(k for k in os.environ if k.startswith("WIKIBOT_")),
            "remaining": context.get_remaining_time_in_millis(),
            "request_id": context.aws_request_id,
        }
    return handler
'''


@pytest.fixture
def module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    (tmp_path / "pool_fixture_fn.py").write_text(textwrap.dedent(FUNCTION))
    # Workers inherit the environment, so the test module is importable there; settings are not.
    monkeypatch.setenv("PYTHONPATH", str(tmp_path))
    for key in list(os.environ):
        if key.startswith("WIKIBOT_"):
            monkeypatch.delenv(key)
    return "pool_fixture_fn:make_handler"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_root=tmp_path / "explicit", limits=Limits(max_page_bytes=1234))


def make_pool(target: str, settings: Settings, **kwargs) -> FunctionPool:
    return FunctionPool("fn", target, settings, **kwargs)


def invoke(pool: FunctionPool, event: dict) -> dict:
    return pool(event, FakeLambdaContext("fn"))


def test_settings_arrive_explicitly_and_warm_workers_are_reused(module, settings, caplog):
    caplog.set_level(logging.INFO, logger="wikibot.lambda")
    pool = make_pool(module, settings, max_instances=4)
    try:
        first, second, third = (invoke(pool, {}) for _ in range(3))
    finally:
        pool.close()
    assert first["data_root"] == str(settings.data_root) and first["max_page"] == 1234
    assert first["env"] == []  # nothing reached the worker through WIKIBOT_* variables
    assert first["pid"] == second["pid"] == third["pid"] == first["init_pid"]
    assert first["pid"] != os.getpid()
    assert 0 < first["remaining"] <= 60_000
    assert pool.stats.cold_starts == 1 and pool.stats.invocations == 3
    reports = [r.getMessage() for r in caplog.records if "REPORT" in r.getMessage()]
    assert len(reports) == 3
    assert re.search(r"Duration: [\d.]+ ms\tBilled Duration: \d+ ms", reports[0])
    assert "Init Duration" in reports[0]
    assert all("Init Duration" not in line for line in reports[1:])
    starts = [r.getMessage() for r in caplog.records if "START RequestId" in r.getMessage()]
    assert len(starts) == 3 and "Version: $LATEST" in starts[0]


def test_each_worker_serves_one_invocation_at_a_time(module, settings):
    pool = make_pool(module, settings, max_instances=2)
    results: list[dict] = []
    lock = threading.Lock()

    def call() -> None:
        result = invoke(pool, {"action": "sleep", "seconds": 0.4})
        with lock:
            results.append(result)

    began = time.monotonic()
    threads = [threading.Thread(target=call) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    elapsed = time.monotonic() - began
    pool.close()
    assert len(results) == 4
    pids = [r["pid"] for r in results]
    assert len(set(pids)) == 2 and all(pids.count(p) == 2 for p in set(pids))
    assert pool.stats.peak_instances == 2
    assert elapsed >= 0.8  # two rounds: a busy worker never takes a second invocation


def test_instances_are_created_on_demand(module, settings):
    pool = make_pool(module, settings, max_instances=8)
    try:
        for _ in range(5):
            invoke(pool, {})
    finally:
        pool.close()
    assert pool.stats.cold_starts == 1 and pool.stats.peak_instances == 1


def test_handler_errors_crashes_and_stdout_chatter(module, settings, caplog):
    caplog.set_level(logging.INFO, logger="wikibot.lambda")
    pool = make_pool(module, settings, max_instances=1)
    try:
        with pytest.raises(InvocationFailed, match="handler exploded on purpose"):
            invoke(pool, {"action": "raise"})
        survivor = invoke(pool, {"action": "print"})
        assert invoke(pool, {})["pid"] == survivor["pid"]  # an exception keeps the environment
        crashed = invoke(pool, {"action": "exit"})
        assert crashed["statusCode"] == 502 and "exited" in json.loads(crashed["body"])["message"]
        assert invoke(pool, {})["pid"] != survivor["pid"]  # a fresh environment replaced it
        with pytest.raises(InvocationFailed, match="MarshalError"):
            invoke(pool, {"action": "unserializable"})
    finally:
        pool.close()


def test_a_timed_out_invocation_is_killed_and_answered_504(module, settings):
    pool = make_pool(module, settings, max_instances=1, timeout=3)
    try:
        slow = invoke(pool, {"action": "sleep", "seconds": 30})
        assert slow["statusCode"] == 504
        assert "pid" in invoke(pool, {})
    finally:
        pool.close()


def test_missing_function_module_is_a_clear_502(settings):
    pool = make_pool("wikibot.no_such_function.handler:make_handler", settings)
    result = invoke(pool, {})
    assert result["statusCode"] == 502
    message = json.loads(result["body"])["message"]
    assert "wikibot.no_such_function.handler does not exist yet" in message
    assert invoke(pool, {})["statusCode"] == 502  # remembered: no process per request


def test_init_failure_is_reported_with_its_traceback(module, settings):
    pool = make_pool(module, settings.with_(public_url="http://init.fails"))
    with pytest.raises(InitFailed, match="INIT exploded on purpose"):
        invoke(pool, {})
    assert pool.stats.cold_starts == 0


# -- wikibot invoke ---------------------------------------------------------------------------

WIKIBOT = str(Path(sys.executable).parent / "wikibot")
EVENTS = Path(__file__).parent.parent / "events"


def test_invoke_runs_one_event_in_a_fresh_process(tmp_path):
    from wikibot.local.dev import local_settings
    from wikibot.provision import create_wiki
    from wikibot.registry import open_registry

    settings = local_settings(tmp_path / "data")
    registry = open_registry(settings)
    registry.create_user("alice", "alice@example.com", "Alice")
    create_wiki(settings, registry, "alice", "notes", "Notes")
    _, token = registry.create_token("alice", "alice", "notes")
    event = json.loads((EVENTS / "apigw_v2_post_mcp.json").read_text())
    event["headers"]["authorization"] = f"Bearer {token}"
    path = tmp_path / "event.json"
    path.write_text(json.dumps(event))

    done = subprocess.run(
        [WIKIBOT, "invoke", "mcp", "--event", str(path), "--data", str(settings.data_root)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["statusCode"] == 200
    assert len(json.loads(result["body"])["result"]["tools"]) == 16
    assert "Init Duration" in done.stderr and "REPORT RequestId" in done.stderr

    warm = subprocess.run(
        [WIKIBOT, "invoke", "mcp", "--event", "-", "--data", str(settings.data_root), "--json"],
        input='{"wikibot": "warm"}',
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert json.loads(warm.stdout) == {"warm": True}


def test_invoke_reports_a_failing_function_and_has_help(tmp_path):
    # The user's WIKIBOT_* hold for invoke too: this registry URL makes INIT fail.
    env = dict(os.environ, WIKIBOT_REGISTRY="bogus://nowhere")
    broken = subprocess.run(
        [WIKIBOT, "invoke", "mcp", "--event", "-", "--data", str(tmp_path / "data")],
        input='{"rawPath": "/a/b/mcp"}',
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert broken.returncode == 1
    error = json.loads(broken.stdout)
    assert error["errorType"] == "Runtime.InitError"
    assert "bogus://nowhere" in error["errorMessage"]
    shown = subprocess.run([WIKIBOT, "invoke", "--help"], capture_output=True, text=True)
    assert shown.returncode == 0 and "--event" in shown.stdout and "fresh process" in shown.stdout
