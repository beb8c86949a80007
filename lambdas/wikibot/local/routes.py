"""The API Gateway route table, and the route API Gateway would pick for a path.

`ROUTES` mirrors the HTTP API routes Terraform creates; the local gateway uses it to choose which
Lambda handler gets a request and to fill `routeKey` and `pathParameters` in the event. Matching
follows API Gateway's documented priority: a route without variables beats one with path
variables, which beats a greedy `{proxy+}` route, which beats `$default`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from urllib.parse import unquote

# (route key, function). Every route is ANY: method-specific routes would change the priority.
ROUTES: tuple[tuple[str, str], ...] = (
    ("ANY /{user}/{wiki}/mcp", "mcp"),
    ("ANY /.well-known/{proxy+}", "mcp"),
    ("ANY /auth/{proxy+}", "platform"),
    ("ANY /api/{proxy+}", "platform"),
)
DEFAULT_ROUTE_KEY = "$default"
DEFAULT_FUNCTION = "wiki"


@dataclass(frozen=True)
class Route:
    """The route API Gateway selected for a request.

    Attributes:
        function: Which Lambda handles it: "mcp", "platform" or "wiki".
        route_key: The event's `routeKey`, e.g. "ANY /{user}/{wiki}/mcp" or "$default".
        path_parameters: The event's `pathParameters` (URL-decoded), or None when the route
            has no variables (API Gateway then omits the key).
    """

    function: str
    route_key: str
    path_parameters: dict[str, str] | None


@dataclass(frozen=True)
class _Template:
    route_key: str
    function: str
    segments: tuple[str, ...]  # literal text, or "{name}" / "{name+}"

    @property
    def greedy(self) -> bool:
        return self.segments[-1].endswith("+}")

    @property
    def priority(self) -> tuple[int, int, int]:
        variables = sum(s.startswith("{") for s in self.segments)
        return (int(self.greedy), variables, -len(self.segments))

    def match(self, parts: list[str]) -> dict[str, str] | None:
        params: dict[str, str] = {}
        fixed = self.segments[:-1] if self.greedy else self.segments
        if not self.greedy:
            # One trailing slash is tolerated ("/alice/notes/mcp/"); anything else must fit.
            if len(parts) == len(fixed) + 1 and parts[-1] == "":
                parts = parts[:-1]
            if len(parts) != len(fixed):
                return None
        elif len(parts) <= len(fixed):
            return None
        for want, got in zip(fixed, parts, strict=False):
            if want.startswith("{"):
                if not got:
                    return None
                params[want[1:-1]] = unquote(got)
            elif want != got:
                return None
        if self.greedy:
            rest = "/".join(parts[len(fixed) :])
            if not rest:
                return None  # "/auth/" does not match "/auth/{proxy+}"
            params[self.segments[-1][1:-2]] = unquote(rest)
        return params


@cache
def _templates() -> tuple[_Template, ...]:
    parsed = [
        _Template(key, fn, tuple(key.split(" ", 1)[1].lstrip("/").split("/"))) for key, fn in ROUTES
    ]
    return tuple(sorted(parsed, key=lambda t: t.priority))


def match_route(path: str) -> Route:
    """Return the route API Gateway would select for a raw request path (no query string)."""
    parts = path.lstrip("/").split("/") if path.startswith("/") else []
    for template in _templates():
        params = template.match(parts)
        if params is not None:
            return Route(template.function, template.route_key, params or None)
    return Route(DEFAULT_FUNCTION, DEFAULT_ROUTE_KEY, None)


def route_for(path: str) -> str:
    """Return the name of the function ("mcp", "platform" or "wiki") that serves `path`."""
    return match_route(path).function
