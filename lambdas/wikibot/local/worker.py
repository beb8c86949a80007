"""One local Lambda execution environment: a fresh interpreter serving one invocation at a time.

Started by `wikibot.local.pool` as `python -m wikibot.local.worker`. It reads length-prefixed
JSON messages on stdin and answers on the original stdout; the handler's own prints go to stderr
(fd 1 is pointed there), so nothing it writes can corrupt the protocol.

Messages: first `{"target": "module:factory", "settings": {...}}`, answered with
`{"ready": init_ms}`, `{"missing": module}` or `{"init_error": traceback}`; then one
`{"event": ..., "context": {...}}` per invocation, answered with
`{"result": ..., "duration_ms": ..., "max_memory_mb": ...}` or `{"error": traceback, ...}`.
Settings arrive in the first message, never through the environment.
"""

from __future__ import annotations

import faulthandler
import importlib
import json
import logging
import os
import resource
import signal
import struct
import sys
import time
import traceback
from typing import Any, BinaryIO

_HEADER = struct.Struct(">I")


def send(stream: BinaryIO, message: dict) -> None:
    """Write one length-prefixed JSON message."""
    data = json.dumps(message).encode()
    stream.write(_HEADER.pack(len(data)) + data)
    stream.flush()


def receive(stream: BinaryIO) -> dict | None:
    """Read one length-prefixed JSON message; None at end of input."""
    header = stream.read(_HEADER.size)
    if len(header) < _HEADER.size:
        return None
    (size,) = _HEADER.unpack(header)
    return json.loads(stream.read(size))


class Context:
    """The Lambda context object a handler receives, rebuilt from the gateway's fields."""

    def __init__(self, fields: dict[str, Any]) -> None:
        self.__dict__.update({k: v for k, v in fields.items() if k != "remaining_ms"})
        self._deadline = time.monotonic() + fields.get("remaining_ms", 30_000) / 1000

    def get_remaining_time_in_millis(self) -> int:
        """Milliseconds left before this invocation's timeout."""
        return max(0, int((self._deadline - time.monotonic()) * 1000))


def max_memory_mb() -> int:
    """Peak resident memory of this process, as Lambda's REPORT line shows it."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024


def load(target: str, settings_data: dict) -> Any:
    """INIT: import the module and build its handler from the settings given."""
    from wikibot.settings import from_dict

    module_name, _, factory = target.partition(":")
    module = importlib.import_module(module_name)
    return getattr(module, factory)(from_dict(settings_data))


def _is_missing(exc: ModuleNotFoundError, module_name: str) -> bool:
    # Only the target module (or a package above it) missing means "not built yet"; a missing
    # dependency inside it is an INIT failure to report in full.
    return bool(exc.name) and (module_name == exc.name or module_name.startswith(exc.name + "."))


def serve(inbox: BinaryIO, outbox: BinaryIO) -> None:
    """INIT once, then answer invocations until stdin closes."""
    start = time.perf_counter()
    init = receive(inbox)
    if init is None:
        return
    target = init["target"]
    try:
        handler = load(target, init["settings"])
    except ModuleNotFoundError as exc:
        if _is_missing(exc, target.partition(":")[0]):
            send(outbox, {"missing": target.partition(":")[0]})
        else:
            send(outbox, {"init_error": traceback.format_exc()})
        return
    except Exception:
        send(outbox, {"init_error": traceback.format_exc()})
        return
    send(outbox, {"ready": (time.perf_counter() - start) * 1000})
    while (message := receive(inbox)) is not None:
        began = time.perf_counter()
        try:
            result = handler(message["event"], Context(message["context"]))
            reply = {"result": result}
        except Exception:
            reply = {"error": traceback.format_exc()}
        reply["duration_ms"] = (time.perf_counter() - began) * 1000
        reply["max_memory_mb"] = max_memory_mb()
        try:
            send(outbox, reply)
        except (TypeError, ValueError):  # Lambda refuses a result it cannot serialize
            send(outbox, {"error": "Runtime.MarshalError: the result is not JSON serializable"})


def main() -> None:
    """Entry point: keep the real stdout for the protocol, send fd 1 to stderr."""
    # `kill -USR1 <pid>` prints every thread's stack to stderr: how to see what a stuck one does.
    faulthandler.register(signal.SIGUSR1)
    # wikibot's own INFO lines reach the log, not only warnings.
    ours = logging.getLogger("wikibot")
    ours.setLevel(logging.INFO)
    ours.addHandler(logging.StreamHandler())
    outbox = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    sys.stdout = os.fdopen(1, "w", buffering=1)
    serve(sys.stdin.buffer, outbox)


if __name__ == "__main__":
    main()
