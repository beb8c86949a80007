"""`tools/bench local`: every scenario on this machine, in process and in fresh processes."""

from __future__ import annotations

import importlib.util
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from benchkit import fixture as fixtures
from benchkit import scenarios
from benchkit.clients import LocalMcp
from benchkit.stats import Progress, summary, timed

HERE = Path(__file__).resolve().parent
PROBES = HERE / "probes.py"
SWARM = HERE / "swarm.py"


class ProbeFailed(RuntimeError):
    """A fresh-process measurement exited with an error."""


def has_web() -> bool:
    """Whether the wiki (web) handler exists in this checkout."""
    try:
        return importlib.util.find_spec("wikibot.web.handler") is not None
    except ModuleNotFoundError:
        return False


def run_json_script(argv: list[str], env: dict, timeout: float = 600) -> dict:
    """Run a Python script; its last stdout line that is a JSON object."""
    proc = subprocess.run(
        [sys.executable, *argv], env=env, capture_output=True, text=True, timeout=timeout
    )
    if proc.returncode != 0:
        raise ProbeFailed(f"{Path(argv[0]).name} {argv[1][:40]}: {proc.stderr[-1500:]}")
    for line in reversed(proc.stdout.splitlines()):
        if line.startswith("{"):
            return json.loads(line)
    raise ProbeFailed(f"no JSON from {argv[0]}: {proc.stdout[-500:]}")


def fresh(kind: str, args: dict, env: dict) -> dict:
    """One fresh-process probe, with spawn -> answer and interpreter start added."""
    spawned = time.time()
    data = run_json_script([str(PROBES), kind, json.dumps(args)], env)
    data["spawn_to_answer_ms"] = round((data.pop("answer_wall") - spawned) * 1000, 3)
    data["python_start_ms"] = round((data.pop("entry_wall") - spawned) * 1000, 3)
    return data


def bytecode_envs(base: dict, cache_dir: Path) -> dict[str, dict]:
    """`pyc`: bytecode compiled once into a private PYTHONPYCACHEPREFIX and reused, like a zip
    that ships .pyc; `source`: nothing cached, every module compiled on import (this machine
    sets PYTHONDONTWRITEBYTECODE and the venv holds no .pyc), like a zip without them."""
    pyc = {k: v for k, v in base.items() if k != "PYTHONDONTWRITEBYTECODE"}
    pyc["PYTHONPYCACHEPREFIX"] = str(cache_dir)
    source = {k: v for k, v in base.items() if k != "PYTHONPYCACHEPREFIX"}
    source["PYTHONDONTWRITEBYTECODE"] = "1"
    return {"pyc": pyc, "source": source}


def median_fields(runs: list[dict]) -> dict:
    """Median of every numeric field across runs (INIT records: median per phase)."""
    out: dict = {"runs": len(runs)}
    keys = [k for k, v in runs[0].items() if isinstance(v, int | float) and k != "backlinks"]
    for key in keys:
        values = [r[key] for r in runs if isinstance(r.get(key), int | float)]
        out[key] = round(statistics.median(values), 3)
        if key in ("spawn_to_answer_ms", "init_ms", "import_ms", "store_work_ms"):
            out[key + "_min"] = round(min(values), 3)
            out[key + "_max"] = round(max(values), 3)
    records = [r["init_record"] for r in runs if r.get("init_record")]
    if records:
        phases = sorted({p for r in records for p in r.get("phases_ms", {})})
        out["init_log"] = {
            "total_ms": round(statistics.median(r["total_ms"] for r in records), 3),
            "phases_ms": {
                p: round(statistics.median(r["phases_ms"].get(p, 0) for r in records), 3)
                for p in phases
            },
        }
    return out


def cold_starts(
    fx: fixtures.Fixture, envs: dict[str, dict], runs: dict[str, int], progress: Progress
) -> dict:
    """Fresh processes, interleaved so machine load hits every variant alike."""
    common = {"user": fx.user, "wiki": fx.wiki, "token": fx.token}
    page = "Topic 5"
    cases = {
        "mcp_tools_list": ("mcp", {**common, "first": "tools/list"}),
        "mcp_read_note": ("mcp", {**common, "first": "read_note", "page": page}),
        "store_read_backlinks": ("store", {"repo": str(fx.repo), "page": page}),
        "stock_otterwiki": ("stock", {"page": page}),
    }
    if has_web():
        cases["web_page"] = ("web", {**common, "page": page})
        # The same after a write moved the head: the sidebar tree kept for the old head is of no
        # use (wikibot.web.sidebar_cache), so the cold start builds it (and saves it again).
        cases["web_page_new_head"] = ("web", {**common, "page": page})
    before_run = {"web_page_new_head": lambda: forget_sidebar_tree(fx)}
    stock_env = {"OTTERWIKI_SETTINGS": fx.stock_settings}
    failed: dict[str, str] = {}
    for case, (kind, args) in cases.items():  # compile bytecode, build indexes; unmeasured
        try:
            fresh(kind, args, {**envs["pyc"], **stock_env})
        except (ProbeFailed, subprocess.TimeoutExpired) as exc:
            failed[case] = str(exc)[-600:]
    progress.step("cold starts: bytecode compiled")
    samples: dict[str, dict[str, list[dict]]] = {c: {m: [] for m in runs} for c in cases}
    for i in range(max(runs.values())):
        for mode, count in runs.items():
            if i >= count:
                continue
            for case, (kind, args) in cases.items():
                if case in failed:
                    continue
                try:
                    before_run.get(case, lambda: None)()
                    samples[case][mode].append(fresh(kind, args, {**envs[mode], **stock_env}))
                except (ProbeFailed, subprocess.TimeoutExpired) as exc:
                    failed[case] = str(exc)[-600:]
            progress.step(f"cold starts: round {i + 1} ({mode})")
    out: dict = {
        case: {mode: median_fields(s) for mode, s in by_mode.items() if s}
        for case, by_mode in samples.items()
        if case not in failed
    }
    out.update({case: {"error": error} for case, error in failed.items()})
    return out


def forget_sidebar_tree(fx: fixtures.Fixture) -> None:
    """Drop the web UI's saved sidebar tree, as a write to the wiki makes it stale."""
    (fx.repo.parent / "ui-sidebar.json").unlink(missing_ok=True)


def mcp_handler(settings):
    """The MCP handler configured from explicit settings, as `wikibot dev` builds it."""
    from wikibot.settings import to_env

    os.environ.update(to_env(settings))  # the module-level handler reads them at import
    from wikibot.mcp import handler as module

    factory = getattr(module, "make_handler", None)
    return factory(settings) if factory else module.handler


def store_warm(fx: fixtures.Fixture, iterations: int) -> dict:
    """Store-level warm read and conflict-checked update (the numbers kept since the start)."""
    from wikibot.store import Author, WikiStore

    store = WikiStore.open(fx.repo)
    author = Author("bench", "bench@example.com", "mcp")
    rng = random.Random(5)
    names = iter([f"Topic {rng.randrange(fx.pages)}" for _ in range(iterations + 1)])
    store.read(next(names))

    def update() -> None:
        page = store.read("Scratch") if store.exists("Scratch") else None
        store.write(
            "Scratch", f"v{time.perf_counter()}", author, revision=page.revision if page else None
        )

    return {
        "read": summary(timed(lambda: store.read(next(names)), iterations)),
        "write_read_update": summary(timed(update, iterations)),
    }


def swarm(fx: fixtures.Fixture, env: dict, writers: int, writes: int) -> dict:
    """N processes (warm execution environments) writing at once, then the lost-write check."""
    prefix = f"Swarm/{writers}-{uuid.uuid4().hex[:6]}"
    args = {
        "user": fx.user,
        "wiki": fx.wiki,
        "token": fx.token,
        "writers": writers,
        "writes": writes,
        "prefix": prefix,
        "pages": fx.pages,
    }
    data = run_json_script([str(SWARM), json.dumps(args)], env)
    outcome = scenarios.tally(
        data["results"], writers * writes, data["wall_s"], lambda acked: verify_in_store(fx, acked)
    )
    outcome["writers"] = writers
    outcome["threads_at_fork"] = data["threads_at_fork"]
    return outcome


def verify_in_store(fx: fixtures.Fixture, acked: dict[str, str]) -> dict:
    """Lost-write check from a fresh store: each acknowledged page is at head with its content
    and has a commit in history."""
    from wikibot.store import WikiStore

    store = WikiStore.open(fx.repo)
    lost = []
    for name, text in acked.items():
        try:
            ok = store.read(name).text.strip() == text.strip() and store.history(name, limit=1)
        except Exception:  # noqa: BLE001 - a missing page is a lost write
            ok = False
        if not ok:
            lost.append(name)
    return {"ran": True, "checked": len(acked), "lost": len(lost), "lost_pages": lost[:5]}


def web_warm(fx: fixtures.Fixture, env: dict, views: int, saves: int) -> dict:
    """Warm page view and save: stock Otterwiki and (when present) wikibot's wiki handler."""
    run = uuid.uuid4().hex[:6]
    args = {"pages": fx.pages, "iterations": views, "saves": saves, "run": run}
    out = {
        "stock": run_json_script(
            [str(PROBES), "stock_warm", json.dumps(args)],
            {**env, "OTTERWIKI_SETTINGS": fx.stock_settings},
        )
    }
    if has_web():
        out["wikibot"] = run_json_script(
            [
                str(PROBES),
                "web_warm",
                json.dumps({**args, "user": fx.user, "wiki": fx.wiki, "token": fx.token}),
            ],
            env,
        )
    else:
        out["wikibot"] = {"skipped": "wikibot.web.handler does not exist in this checkout"}
    for part in out.values():
        part.pop("probe", None)
        part.pop("entry_wall", None)
    return out


def cache_model(quick: bool) -> dict:
    """The edge-cache simulation (issue 13, `tools/bench cache`) with its defaults."""
    import argparse

    from benchkit import cachesim

    parser = argparse.ArgumentParser()
    cachesim.add_arguments(parser)
    return cachesim.run(parser.parse_args(["--wikis", "30"] if quick else []))


def run(opts, progress: Progress) -> dict:
    """Run every local scenario; the report dict."""
    quick = opts.quick
    pages, commits = (40, 80) if quick else (opts.pages, opts.commits)
    iterations = 5 if quick else opts.iterations
    runs = {"pyc": 1, "source": 1} if quick else {"pyc": opts.cold_runs, "source": opts.source_runs}
    data = Path(opts.data) if opts.data else Path(tempfile.mkdtemp(prefix="wikibot-bench-"))
    fx = fixtures.build(data, pages, commits, progress)
    settings = fx.settings()
    from wikibot.settings import to_env

    cache = tempfile.TemporaryDirectory(prefix="bench-pycache-")
    envs = bytecode_envs({**os.environ, **to_env(settings)}, Path(cache.name))
    env = envs["pyc"]  # every later subprocess reuses the compiled bytecode
    report: dict = {
        "target": "local",
        "quick": quick,
        "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "fixture": {
            "pages": fx.pages,
            "commits": fx.commits,
            "generate_s": fx.generate_s,
            "old_page": fx.old_page,
            "data": fx.data,
        },
    }
    report["cold_start"] = cold_starts(fx, envs, runs, progress)

    errors: dict[str, str] = {}

    def attempt(key: str, label: str, fn) -> None:
        progress.show(label)
        try:
            report[key] = fn()
        except Exception as exc:  # noqa: BLE001 - one broken part must not hide the rest
            report[key] = {"error": f"{type(exc).__name__}: {str(exc)[-600:]}"}
            errors[key] = report[key]["error"]
        progress.step(f"{label}: done")

    attempt("store_warm", "store warm", lambda: store_warm(fx, iterations * 3))
    try:
        client = LocalMcp(mcp_handler(settings), fx.user, fx.wiki, fx.token)
    except Exception as exc:  # noqa: BLE001 - reported; the MCP scenarios then fail alike
        client = None
        errors["mcp_handler"] = f"{type(exc).__name__}: {str(exc)[-600:]}"
    run_id = uuid.uuid4().hex[:6]
    topics = [f"Topic {i}" for i in range(fx.pages)]
    attempt(
        "mcp_warm",
        "MCP warm read/write",
        lambda: scenarios.warm_read_write(client, topics, iterations * 3, f"Bench/{run_id}"),
    )
    attempt(
        "history",
        "get_history",
        lambda: scenarios.history(client, fx.old_page, fx.missing_page, iterations * 3),
    )
    attempt(
        "mcp_tools",
        "every MCP tool",
        lambda: scenarios.every_tool(client, max(3, iterations // 5), f"Tools/{run_id}", "Topic 1"),
    )
    attempt(
        "web_warm", "web view/save", lambda: web_warm(fx, env, iterations, max(5, iterations // 3))
    )
    report["concurrency"] = {}
    for writers in (5, 50):
        key = f"{writers}_writers"
        progress.show(f"{writers} concurrent writers")
        try:
            report["concurrency"][key] = swarm(fx, env, writers, 1 if quick else 3)
        except Exception as exc:  # noqa: BLE001
            errors[f"concurrency.{key}"] = f"{type(exc).__name__}: {str(exc)[-600:]}"
        progress.step(f"{writers} concurrent writers: done")
    attempt("cache_model", "CDN cache simulation", lambda: cache_model(quick))
    report["errors"] = errors
    cache.cleanup()
    return report


def steps(opts) -> int:
    """How many progress steps `run` takes."""
    runs = 2 if opts.quick else max(opts.cold_runs, opts.source_runs) * 2
    return 2 + 1 + runs + 8
