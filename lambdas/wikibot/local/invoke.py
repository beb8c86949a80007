"""`wikibot invoke`: one invocation in a fresh process, as Lambda runs it (INIT, then handler).

Like `sam local invoke`: the event comes from a file or stdin, the result is printed as JSON on
stdout, and Lambda's START / END / REPORT lines (with Init Duration) go to stderr.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from wikibot.local.gateway import FakeLambdaContext
from wikibot.local.pool import FUNCTIONS, FunctionPool, InitFailed, InvocationFailed, start_pools
from wikibot.settings import Settings


def invoke_once(
    function: str, event: Any, settings: Settings, timeout: float = 60.0
) -> tuple[int, Any]:
    """Run `event` through a fresh execution environment of `function`.

    Returns:
        (exit status, what to print): 0 and the handler's result, or 1 and Lambda's error
        shape (`errorType`, `errorMessage`, `stackTrace`) when INIT or the handler raised.
    """
    if function not in FUNCTIONS:
        raise SystemExit(f"unknown function {function!r}; choose one of {', '.join(FUNCTIONS)}")
    pool: FunctionPool = start_pools(
        settings, max_instances=1, functions={function: FUNCTIONS[function]}, timeout=timeout
    )[function]
    try:
        return 0, pool(event, FakeLambdaContext(function, timeout_s=timeout))
    except (InitFailed, InvocationFailed) as exc:
        trace = str(exc).rstrip().splitlines()
        kind = "Runtime.InitError" if isinstance(exc, InitFailed) else "Runtime.HandlerError"
        return 1, {
            "errorType": kind,
            "errorMessage": trace[-1] if trace else "",
            "stackTrace": trace,
        }
    finally:
        pool.close()


def read_event(source: str) -> Any:
    """The event JSON from a file path, or from stdin for "-"."""
    text = sys.stdin.read() if source == "-" else Path(source).read_text(encoding="utf-8")
    try:
        return json.loads(text)
    except ValueError as exc:
        raise SystemExit(f"the event is not JSON: {exc}") from exc
