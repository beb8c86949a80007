"""Concurrent writers as Lambda runs them: one process per execution environment.

`python swarm.py JSON-ARGS` imports the MCP handler once (INIT), then forks N workers before any
request is served (no threads exist yet), so each worker is a warm execution environment serving
one invocation at a time, all on the same repository. They start together on a pipe and write
distinct pages, reading a page between writes. The result (acknowledged writes, failures,
latencies) is printed as one JSON line; the parent runs the lost-write check on the store.
"""

from __future__ import annotations

import json
import os
import random
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def worker(n: int, args: dict, handler, go: int, out: int) -> None:
    from benchkit.clients import LocalMcp

    client = LocalMcp(handler, args["user"], args["wiki"], args["token"])
    rng = random.Random(n)
    acked, failed, latencies = {}, [], []
    os.read(go, 1)  # blocks until the parent closes the pipe: everyone starts at once
    for k in range(args["writes"]):
        name, text = f"{args['prefix']}/W{n}-{k}", f"writer {n} write {k}\n"
        start = time.perf_counter()
        try:
            client.call("write_note", {"path": name, "content": text})
            acked[name] = text
        except Exception as exc:  # noqa: BLE001 - every failure is data here
            failed.append(str(exc)[:200])
        latencies.append(time.perf_counter() - start)
        start = time.perf_counter()
        try:
            client.call("read_note", {"path": f"Topic {rng.randrange(args['pages'])}"})
        except Exception as exc:  # noqa: BLE001
            failed.append(str(exc)[:200])
        latencies.append(time.perf_counter() - start)
    data = json.dumps({"acked": acked, "failed": failed, "latencies": latencies}).encode()
    with os.fdopen(out, "wb") as f:
        f.write(data)


def main() -> None:
    args = json.loads(sys.argv[1])
    from benchkit.clients import LocalMcp
    from wikibot.mcp import handler as module

    handler = module.handler
    # One request before forking: each worker is a warm execution environment (first-request
    # costs such as lazy imports are paid once here, not 50 times on a shared CPU).
    LocalMcp(handler, args["user"], args["wiki"], args["token"]).call(
        "read_note", {"path": "Topic 0"}
    )
    threads_at_fork = threading.active_count()
    go_read, go_write = os.pipe()
    children = []
    for n in range(args["writers"]):
        out_read, out_write = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(go_write)
            os.close(out_read)
            code = 0
            try:
                worker(n, args, handler, go_read, out_write)
            except BaseException:  # noqa: BLE001
                code = 1
            os._exit(code)
        os.close(out_write)
        children.append((pid, out_read))
    os.close(go_read)
    time.sleep(0.2)  # let every worker reach its read()
    started = time.perf_counter()
    os.close(go_write)
    results = []
    for pid, fd in children:
        with os.fdopen(fd, "rb") as f:
            raw = f.read()
        os.waitpid(pid, 0)
        results.append(json.loads(raw) if raw else {"failed": ["worker crashed"]})
    wall = time.perf_counter() - started
    print(json.dumps({"results": results, "wall_s": wall, "threads_at_fork": threads_at_fork}))


if __name__ == "__main__":
    main()
