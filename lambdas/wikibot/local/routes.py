"""The API Gateway route table, and the route API Gateway would pick for a path.

`ROUTES` mirrors the HTTP API routes Terraform creates; the local gateway uses it to choose which
Lambda handler gets a request and to fill `routeKey` and `pathParameters` in the event. Matching
follows API Gateway's documented priority: a route without variables beats one with path
variables, which beats a greedy `{proxy+}` route, which beats `$default`.

In front of API Gateway, CloudFront answers `/_static/*` from S3 (Otterwiki's static files,
uploaded by tools/release); `static_asset` is that behaviour for `wikibot dev`, from the
installed otterwiki package.
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


def static_asset(path: str) -> tuple[int, list[tuple[str, str]], bytes] | None:
    """CloudFront's `/_static/*` behaviour: (status, headers, body), or None for other paths.

    Serves `/_static/otterwiki-<version>/<file>` from the installed otterwiki's static folder
    with the headers the S3 objects carry; any other version or file is a 404 (S3 answers 403
    for a missing key; either way nothing is served).
    """
    import mimetypes

    import otterwiki

    from wikibot.web.app import STATIC_CACHE, STATIC_ROOT, static_base
    from wikibot.web.library import otterwiki_dir

    if not path.startswith(STATIC_ROOT + "/"):
        return None
    base = static_base(otterwiki.__version__) + "/"
    root = (otterwiki_dir() / "static").resolve()
    target = (root / unquote(path.removeprefix(base))).resolve()
    if not path.startswith(base) or not target.is_relative_to(root) or not target.is_file():
        return 404, [("Content-Type", "text/plain"), ("Cache-Control", "no-store")], b"Not found"
    ctype = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
    return 200, [("Content-Type", ctype), ("Cache-Control", STATIC_CACHE)], target.read_bytes()
