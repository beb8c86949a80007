"""Tracing and start-up timing for every handler: X-Ray when on, nothing when off.

`span(name, **annotations)` wraps a piece of work in an X-Ray subsegment. With tracing off (the
default) it returns one shared no-op object, and `aws_xray_sdk` is never imported: importing it
costs tens to hundreds of milliseconds of INIT, which the cold path cannot spare.

`configure(settings, function)` is called once by a handler factory; with `settings.tracing` it
loads the SDK. `invocation(event)` wraps each invocation: on AWS Lambda it adds a subsegment to
the segment Lambda made for the request; elsewhere (`wikibot dev`, tests) it makes the segment
itself, joining the trace in the event's `x-amzn-trace-id` header. Either way the invocation
carries the annotation `cold_start` (true for the first invocation of the process).

The current trace entity lives in a `ContextVar`, not in the SDK's thread-local context, so spans
opened inside asyncio tasks and in worker threads started by anyio (which copy the context) land
under the right parent.

`InitTimer` records how long a handler's start-up phases took and prints them once per cold
start as one JSON line on stdout, which CloudWatch Logs Insights can query:

    filter type = "wikibot.init" | stats avg(total_ms), pct(total_ms, 95) by function
"""

from __future__ import annotations

import contextvars
import functools
import json
import os
import sys
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TextIO

INIT_LOG_TYPE = "wikibot.init"

_current: contextvars.ContextVar[Any] = contextvars.ContextVar("wikibot_trace", default=None)


class _NoSpan:
    """What `span` yields when tracing is off or no invocation is being traced."""

    __slots__ = ()

    def __enter__(self) -> _NoSpan:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def annotate(self, **annotations: object) -> None:
        """Do nothing: nothing is being traced."""


NO_SPAN = _NoSpan()


class _Span:
    """One X-Ray subsegment, open for the duration of a `with` block."""

    __slots__ = ("_sub", "_token")

    def __init__(self, sub: Any):
        self._sub = sub
        self._token: contextvars.Token | None = None

    def __enter__(self) -> _Span:
        self._token = _current.set(self._sub)
        return self

    def __exit__(self, exc_type: Any, exc: BaseException | None, tb: Any) -> None:
        if exc is not None:
            self._sub.add_exception(exc, traceback.extract_tb(tb))
        self._sub.close()
        if self._token is not None:
            _current.reset(self._token)

    def annotate(self, **annotations: object) -> None:
        """Add X-Ray annotations (indexed, searchable) to this subsegment."""
        for key, value in annotations.items():
            self._sub.put_annotation(key, value)


class _Tracer:
    """Tracing state of this process, created only when tracing is on."""

    def __init__(self, service: str):
        # Imported here, never at module scope: see the module docstring.
        from aws_xray_sdk.core.emitters.udp_emitter import UDPEmitter
        from aws_xray_sdk.core.lambda_launcher import check_in_lambda
        from aws_xray_sdk.core.models.segment import Segment
        from aws_xray_sdk.core.models.subsegment import Subsegment
        from aws_xray_sdk.core.models.trace_header import TraceHeader

        self.service = service
        self.emitter = UDPEmitter()  # AWS_XRAY_DAEMON_ADDRESS, read by the SDK itself
        self.lambda_context = check_in_lambda()  # None outside AWS Lambda
        self.Segment, self.Subsegment, self.TraceHeader = Segment, Subsegment, TraceHeader
        self.cold = True

    def subsegment(self, name: str, parent: Any) -> Any:
        # A subsegment belongs to its root segment (which counts it) and hangs under `parent`.
        root = getattr(parent, "parent_segment", parent)
        sub = self.Subsegment(name, "local", root)
        parent.add_subsegment(sub)
        return sub

    def begin(self, header: str | None) -> tuple[Any, Any]:
        """Open the invocation's entity; returns (entity to send at the end, span parent)."""
        if self.lambda_context is not None:
            facade = self.lambda_context.get_trace_entity()
            if not getattr(facade, "sampled", False):
                return None, None
            root = self.subsegment(f"{self.service} invocation", facade)
            return root, root
        trace = self.TraceHeader.from_header_str(header) if header else None
        segment = self.Segment(
            self.service,
            traceid=trace.root if trace and trace.root else None,
            parent_id=trace.parent if trace else None,
            sampled=True,
        )
        return segment, segment

    def end(self, entity: Any) -> None:
        entity.close()
        self.emitter.send_entity(entity)


_tracer: _Tracer | None = None


def configure(settings: Any, function: str) -> None:
    """Turn tracing on for this process when `settings.tracing` is true; otherwise keep it off.

    Args:
        settings: The handler's `Settings` (only its `tracing` flag is read).
        function: Service name in traces, e.g. "wikibot-mcp".
    """
    global _tracer
    if getattr(settings, "tracing", False) and _tracer is None:
        _tracer = _Tracer(function)


def enabled() -> bool:
    """Whether this process sends traces."""
    return _tracer is not None


def span(name: str, **annotations: object) -> _Span | _NoSpan:
    """A subsegment around a piece of work; a shared no-op unless an invocation is traced.

    Usage: `with tracing.span("store.commit", path=name) as s: ...; s.annotate(retries=n)`.
    """
    if _tracer is None:
        return NO_SPAN
    parent = _current.get()
    if parent is None:
        return NO_SPAN
    result = _Span(_tracer.subsegment(name, parent))
    result.annotate(**annotations)
    return result


def traced[F: Callable[..., Any]](name: str) -> Callable[[F], F]:
    """Decorator form of `span`: `@tracing.traced("store.read")` above a function or method.

    With tracing off the wrapper only checks one global before calling through.
    """

    def decorate(fn: F) -> F:
        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if _tracer is None or _current.get() is None:
                return fn(*args, **kwargs)
            with span(name):
                return fn(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorate


def annotate(**annotations: object) -> None:
    """Annotate the innermost open span (no-op when nothing is traced)."""
    if _tracer is not None and (entity := _current.get()) is not None:
        for key, value in annotations.items():
            entity.put_annotation(key, value)


def _trace_header(event: object) -> str | None:
    if isinstance(event, dict):
        headers = event.get("headers") or {}
        if isinstance(headers, dict):
            return headers.get("x-amzn-trace-id") or headers.get("X-Amzn-Trace-Id")
    return None


@contextmanager
def invocation(event: object = None, **annotations: object) -> Iterator[None]:
    """Trace one handler invocation, annotated with `cold_start`; a plain block when off."""
    tracer = _tracer
    if tracer is None:
        yield
        return
    cold, tracer.cold = tracer.cold, False
    entity, parent = tracer.begin(_trace_header(event))
    if entity is None:
        yield
        return
    entity.put_annotation("cold_start", cold)
    for key, value in annotations.items():
        entity.put_annotation(key, value)
    token = _current.set(parent)
    try:
        yield
    except BaseException as exc:
        entity.add_exception(exc, traceback.extract_tb(exc.__traceback__))
        raise
    finally:
        _current.reset(token)
        tracer.end(entity)


class InitTimer:
    """Times a handler's start-up phases and logs them once, as one JSON line.

    Usage, in a handler module or its `make_handler`:

        init = InitTimer("mcp")
        with init.phase("imports"):
            import heavy_things
        with init.phase("create_app"):
            app = build()
        init.log()  # once; later calls do nothing

    Phases nest by name only; time spent outside any phase counts in `total_ms`, which runs from
    the timer's creation (or `started`, e.g. a `time.perf_counter()` taken first thing in the
    module) to `log()`.
    """

    def __init__(
        self, function: str, *, started: float | None = None, stream: TextIO | None = None
    ):
        self.function = function
        self.started = time.perf_counter() if started is None else started
        self.last = self.started
        # Interpreter start and the handler module's imports happened before this timer.
        self.before_ms = process_age_ms()
        self.phases: dict[str, float] = {}
        self.stream = stream
        self.record: dict[str, Any] | None = None

    def mark(self, name: str) -> None:
        """End a phase named `name` that began at the previous mark (or the timer's start).

        One line per phase in straight-line start-up code, no `with` block needed.
        """
        now = time.perf_counter()
        self.phases[name] = round(self.phases.get(name, 0.0) + (now - self.last) * 1000, 3)
        self.last = now

    @contextmanager
    def phase(self, name: str) -> Iterator[None]:
        """Time one named phase (repeated names add up)."""
        start = time.perf_counter()
        try:
            yield
        finally:
            elapsed = (time.perf_counter() - start) * 1000
            self.phases[name] = round(self.phases.get(name, 0.0) + elapsed, 3)

    def log(self, **extra: object) -> dict[str, Any]:
        """Print the breakdown once per process and function (the cold start); return it.

        `total_ms` runs from the timer's start to now; `process_ms` from the process's start
        (interpreter, imports and all: the INIT Lambda reports), where the platform tells it.
        """
        global last_init
        if self.record is not None:
            return self.record
        self.record = {
            "type": INIT_LOG_TYPE,
            "function": self.function,
            "cold_start": self.function not in _logged,
            "total_ms": round((time.perf_counter() - self.started) * 1000, 3),
            "before_ms": self.before_ms,
            "process_ms": process_age_ms(),
            "phases_ms": dict(self.phases),
            "tracing": enabled(),
            **extra,
        }
        if self.record["cold_start"] or self.stream is not None:
            _logged.add(self.function)
            stream = self.stream or sys.stdout
            stream.write(json.dumps(self.record, separators=(",", ":")) + "\n")
            stream.flush()
        last_init = self.record
        return self.record


_logged: set[str] = set()


def process_age_ms() -> float | None:
    """Milliseconds since this process started (Linux /proc; None elsewhere). 10 ms steps."""
    try:
        stat = Path("/proc/self/stat").read_text()
        start_ticks = int(stat.rsplit(")", 1)[1].split()[19])
        uptime_s = float(Path("/proc/uptime").read_text().split()[0])
        return round((uptime_s - start_ticks / os.sysconf("SC_CLK_TCK")) * 1000, 1)
    except (OSError, ValueError, IndexError):
        return None


def traced_handler[H: Callable[..., Any]](handler: H) -> H:
    """`handler` with each invocation traced; `handler` itself when tracing is off.

    Call it after `configure`, e.g. `return tracing.traced_handler(handler)` in a factory.
    """
    if _tracer is None:
        return handler

    @functools.wraps(handler)
    def traced(event: Any, context: Any) -> Any:
        with invocation(event):
            return handler(event, context)

    return traced  # type: ignore[return-value]


last_init: dict[str, Any] | None = None
"""The most recent INIT record this process logged (read by tools/bench in fresh processes)."""
