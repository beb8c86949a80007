"""Local Lambda execution environments: a pool of worker processes per function.

A Lambda execution environment serves one invocation at a time; parallel requests get more
environments, each paying its own INIT once (a cold start), then reused warm. `FunctionPool`
does the same with `python -m wikibot.local.worker` processes, started fresh (never forked from
this threaded process), created on demand up to `max_instances`, and logs Lambda's
START / END / REPORT lines (Duration, Init Duration on cold starts).
"""

from __future__ import annotations

import json
import logging
import math
import os
import select
import subprocess
import sys
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from wikibot.local.worker import _HEADER
from wikibot.settings import Settings, to_dict, worker_environment

log = logging.getLogger("wikibot.lambda")

# Which Lambda function serves which route, and the factory that builds its handler.
FUNCTIONS: dict[str, str] = {
    "mcp": "wikibot.mcp.handler:make_handler",
    "wiki": "wikibot.web.handler:make_handler",
    "platform": "wikibot.platform.handler:make_handler",
}

QUEUE_WAIT_SECONDS = 300.0


class WorkerGone(Exception):
    """The worker process died, timed out or broke the protocol; it is discarded."""


class FunctionMissing(Exception):
    """The function's module does not exist (yet)."""


class InitFailed(Exception):
    """The function's INIT raised; the message carries the worker's traceback."""


class InvocationFailed(Exception):
    """The handler raised; the message carries the worker's traceback."""


def _json_result(status: int, message: str) -> dict:
    return {
        "statusCode": status,
        "headers": {"content-type": "application/json"},
        "body": json.dumps({"message": message}),
        "isBase64Encoded": False,
    }


class Worker:
    """One execution environment: a fresh interpreter running one function's handler."""

    def __init__(self, function: str, target: str, settings: Settings, timeout: float):
        began = time.perf_counter()
        self.function = function
        # Deployed zips carry compiled bytecode; a bytecode cache in the data folder gives local
        # workers the same start.
        cache = Path(settings.data_root) / ".cache" / "pycache"
        self.proc = subprocess.Popen(
            [sys.executable, "-X", f"pycache_prefix={cache}", "-m", "wikibot.local.worker"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=worker_environment(),
        )
        self._buffer = bytearray()
        try:
            self._send({"target": target, "settings": to_dict(settings)})
            reply = self._receive(time.monotonic() + timeout)
        except WorkerGone:
            self.close()
            raise
        if "missing" in reply:
            self.close()
            raise FunctionMissing(reply["missing"])
        if "init_error" in reply:
            self.close()
            raise InitFailed(reply["init_error"])
        # Lambda's Init Duration covers the runtime starting too, not only the import.
        self.init_ms = (time.perf_counter() - began) * 1000
        self.fresh = True

    def invoke(self, event: dict, context: dict, timeout: float) -> dict:
        """Send one invocation and wait for its reply (`WorkerGone` past `timeout`)."""
        self._send({"event": event, "context": context})
        return self._receive(time.monotonic() + timeout)

    def close(self, wait: float = 2.0) -> None:
        """Stop the process (closing stdin ends its loop; kill if it does not go)."""
        try:
            if self.proc.stdin:
                self.proc.stdin.close()
            self.proc.wait(timeout=wait)
        except (OSError, subprocess.TimeoutExpired):
            self.proc.kill()
            self.proc.wait()
        if self.proc.stdout:
            self.proc.stdout.close()

    def _send(self, message: dict) -> None:
        data = json.dumps(message).encode()
        try:
            self.proc.stdin.write(_HEADER.pack(len(data)) + data)
            self.proc.stdin.flush()
        except (BrokenPipeError, OSError) as exc:
            raise WorkerGone(f"{self.function} worker stopped accepting input") from exc

    def _receive(self, deadline: float) -> dict:
        header = self._read(_HEADER.size, deadline)
        (size,) = _HEADER.unpack(header)
        return json.loads(self._read(size, deadline))

    def _read(self, size: int, deadline: float) -> bytes:
        fd = self.proc.stdout.fileno()
        while len(self._buffer) < size:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                self.proc.kill()
                raise WorkerGone(f"{self.function} timed out")
            ready, _, _ = select.select([fd], [], [], remaining)
            if not ready:
                continue
            chunk = os.read(fd, max(65536, size - len(self._buffer)))
            if not chunk:
                self.proc.wait()
                raise WorkerGone(f"{self.function} worker exited ({self.proc.returncode})")
            self._buffer += chunk
        data = bytes(self._buffer[:size])
        del self._buffer[:size]
        return data


@dataclass
class PoolStats:
    """Counters a test or a curious developer can read."""

    cold_starts: int = 0
    invocations: int = 0
    peak_instances: int = 0


class FunctionPool:
    """The execution environments of one function.

    Args:
        function: Function name ("mcp", "wiki", "platform").
        target: "module:factory" whose `factory(settings)` returns the handler.
        settings: Handed to each worker explicitly.
        max_instances: Most environments at once; further requests wait for a free one.
        timeout: Seconds an invocation (or an INIT) may take before its worker is killed.
        memory_mb: What the context and REPORT line call the memory size.
        init_slots: Bounds how many INITs run at once (shared by the pools of one gateway).
    """

    def __init__(
        self,
        function: str,
        target: str,
        settings: Settings,
        *,
        max_instances: int = 8,
        timeout: float = 60.0,
        memory_mb: int = 512,
        init_slots: threading.Semaphore | None = None,
    ):
        self.init_slots = init_slots or threading.Semaphore(default_init_slots())
        self.function = function
        self.target = target
        self.settings = settings
        self.max_instances = max_instances
        self.timeout = timeout
        self.memory_mb = memory_mb
        self.stats = PoolStats()
        self._idle: list[Worker] = []
        self._count = 0
        self._missing: str | None = None
        self._closed = False
        self._cond = threading.Condition()

    def __call__(self, event: dict, context: object) -> dict:
        """Invoke the function once, as API Gateway would: a result dict or an exception."""
        if self._missing:
            return self._missing_result()
        request_id = getattr(context, "aws_request_id", "") or os.urandom(16).hex()
        try:
            worker = self._acquire()
        except FunctionMissing:
            return self._missing_result()
        except TimeoutError:
            return _json_result(503, "Service Unavailable: every instance stayed busy")
        log.info("[%s] START RequestId: %s Version: $LATEST", self.function, request_id)
        fields = {
            "function_name": self.function,
            "function_version": "$LATEST",
            "memory_limit_in_mb": self.memory_mb,
            "aws_request_id": request_id,
            "invoked_function_arn": getattr(context, "invoked_function_arn", ""),
            "log_group_name": f"/aws/lambda/{self.function}",
            "log_stream_name": getattr(context, "log_stream_name", ""),
            "remaining_ms": self.timeout * 1000,
        }
        try:
            reply = worker.invoke(event, fields, self.timeout)
        except WorkerGone as exc:
            self._discard(worker)
            log.info("[%s] END RequestId: %s", self.function, request_id)
            log.error("[%s] RequestId: %s Error: %s", self.function, request_id, exc)
            timed_out = "timed out" in str(exc)
            return _json_result(504 if timed_out else 502, str(exc).capitalize())
        self._release(worker)
        log.info("[%s] END RequestId: %s", self.function, request_id)
        self._report(request_id, worker, reply)
        if "error" in reply:
            raise InvocationFailed(reply["error"])  # the gateway logs it and answers 502
        return reply["result"]

    def close(self) -> None:
        """Stop every idle worker; busy ones stop when their invocation ends."""
        with self._cond:
            self._closed = True
            idle, self._idle = self._idle, []
            self._cond.notify_all()
        for worker in idle:  # all told first, so they wind down together
            if worker.proc.stdin:
                worker.proc.stdin.close()
        for worker in idle:
            worker.close()

    def _report(self, request_id: str, worker: Worker, reply: dict) -> None:
        duration = reply.get("duration_ms", 0.0)
        line = (
            f"[{self.function}] REPORT RequestId: {request_id}\tDuration: {duration:.2f} ms\t"
            f"Billed Duration: {math.ceil(duration)} ms\tMemory Size: {self.memory_mb} MB\t"
            f"Max Memory Used: {reply.get('max_memory_mb', 0)} MB"
        )
        if worker.fresh:
            line += f"\tInit Duration: {worker.init_ms:.2f} ms"
            worker.fresh = False
        log.info("%s", line)

    def _missing_result(self) -> dict:
        return _json_result(
            502,
            f"Function {self.function!r} is not available: module {self._missing} does not "
            "exist yet.",
        )

    def _acquire(self) -> Worker:
        # Waiting for a free instance is bounded separately from the invocation timeout: a burst
        # of clients queues behind the cold starts instead of failing.
        deadline = time.monotonic() + max(self.timeout, QUEUE_WAIT_SECONDS)
        with self._cond:
            while True:
                if self._closed:
                    raise TimeoutError("pool closed")
                if self._idle:
                    return self._idle.pop()  # the most recently used: warmest, as Lambda does
                if self._count < self.max_instances:
                    self._count += 1
                    self.stats.peak_instances = max(self.stats.peak_instances, self._count)
                    break
                if not self._cond.wait(deadline - time.monotonic()):
                    raise TimeoutError("no instance became free")
        try:
            # Lambda gives each INIT its own CPU; here they share a few cores, so at most
            # `init_slots` start at once and the rest queue, instead of all crawling together.
            with self.init_slots:
                worker = Worker(self.function, self.target, self.settings, self.timeout)
        except FunctionMissing as exc:
            self._missing = str(exc)
            self._forget()
            raise
        except BaseException:
            self._forget()
            raise
        with self._cond:
            self.stats.cold_starts += 1
        return worker

    def _release(self, worker: Worker) -> None:
        with self._cond:
            self.stats.invocations += 1
            if not self._closed:
                self._idle.append(worker)
                self._cond.notify()
                return
            self._count -= 1
        worker.close()

    def _discard(self, worker: Worker) -> None:
        worker.close()
        self._forget()

    def _forget(self) -> None:
        with self._cond:
            self._count -= 1
            self._cond.notify()


def start_pools(
    settings: Settings,
    *,
    max_instances: int = 8,
    functions: Mapping[str, str] = FUNCTIONS,
    timeout: float = 60.0,
) -> dict[str, FunctionPool]:
    """One pool per function, ready to hand to `wikibot.local.gateway.serve`."""
    if log.level == logging.NOTSET:
        log.setLevel(logging.INFO)  # START/END/REPORT are INFO, as in CloudWatch
    if not log.hasHandlers():
        log.addHandler(logging.StreamHandler())  # stderr, when the caller set up no logging
    slots = threading.Semaphore(default_init_slots())
    return {
        name: FunctionPool(
            name, target, settings, max_instances=max_instances, timeout=timeout, init_slots=slots
        )
        for name, target in functions.items()
    }


def default_init_slots() -> int:
    """How many INITs may run at once: one per CPU, at least two."""
    return max(2, os.cpu_count() or 1)
