"""Which locked packages each Lambda function needs: a walk of uv.lock from per-function roots.

`uv export` gives the whole project's closure; each function needs only part of it (the MCP
function has no Flask, the wiki function no FastMCP). The walk follows the lock's dependency
edges, with extras, evaluating environment markers for the Lambda platform, and never enters
packages the runtime already provides (boto3, botocore, s3transfer): their own dependencies
are dropped too unless another root needs them.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from packaging.markers import Marker
from packaging.utils import canonicalize_name

# Roots per function: "name" or "name[extra]". aws-xray-sdk is shared: wikibot.tracing uses it.
ROOTS: dict[str, tuple[str, ...]] = {
    # The MCP runtime is wikibot.mcp.fast, without FastMCP or Mangum (decision 0012); RS256 as
    # for wiki.
    "mcp": ("dulwich", "pyyaml", "pyjwt", "rsa", "aws-xray-sdk"),
    # RS256 (AuthKit) is verified with the pure-Python `rsa`, so PyJWT comes without [crypto].
    "wiki": ("dulwich", "pyyaml", "pyjwt", "rsa", "otterwiki", "apig-wsgi", "aws-xray-sdk"),
    # provision.py creates repositories (dulwich) and seeds pages (PyYAML frontmatter).
    "platform": ("dulwich", "pyyaml", "pyjwt[crypto]", "workos", "aws-xray-sdk"),
}
FUNCTIONS = tuple(ROOTS)
# In the Lambda Python runtime already (and kept current by AWS).
RUNTIME_PROVIDED = frozenset({"boto3", "botocore", "s3transfer"})
# Declared by a dependency but never imported by the function (each handler is imported from
# its zip and answers requests in tests/functional/test_release_build.py); not traversed, so
# what only they need goes too.
UNUSED: dict[str, frozenset[str]] = {
    "mcp": frozenset(),
    # Otterwiki as a library (wikibot.web.library, decision 0013): Cython only compiles
    # extensions; SQLAlchemy, Flask-SQLAlchemy and greenlet are replaced by wikibot.web.minidb;
    # GitPython (with gitdb, smmap) by wikibot.web.storage over dulwich; feedgen (with lxml and
    # python-dateutil) by wikibot.web.feed. A test serves pages, edits, feeds and git requests
    # from the unpacked zip with these imports forbidden (tests/functional/test_release_build.py).
    "wiki": frozenset(
        {
            "cython",
            "sqlalchemy",
            "flask-sqlalchemy",
            "greenlet",
            "gitpython",
            "gitdb",
            "smmap",
            "feedgen",
            "lxml",
            "python-dateutil",
        }
    ),
    "platform": frozenset(),
}
ARCHES = {"x86_64": "x86_64", "arm64": "aarch64"}


@dataclass(frozen=True)
class Pin:
    """One locked distribution: name==version, and whether the lock has wheels for it."""

    name: str
    version: str
    has_wheels: bool

    @property
    def requirement(self) -> str:
        """The pinned requirement line."""
        return f"{self.name}=={self.version}"


def marker_env(arch: str) -> dict[str, str]:
    """PEP 508 marker values of the Lambda Python 3.12 runtime on one architecture."""
    return {
        "implementation_name": "cpython",
        "platform_python_implementation": "CPython",
        "platform_machine": ARCHES[arch],
        "platform_system": "Linux",
        "sys_platform": "linux",
        "os_name": "posix",
        "python_version": "3.12",
        "python_full_version": "3.12.0",
        "implementation_version": "3.12.0",
        "platform_release": "",
        "platform_version": "",
        "extra": "",
    }


def _split(root: str) -> tuple[str, tuple[str, ...]]:
    name, _, rest = root.partition("[")
    extras = tuple(e.strip() for e in rest.rstrip("]").split(",") if e.strip())
    return canonicalize_name(name), extras


class Lock:
    """The parsed uv.lock: packages by canonical name."""

    def __init__(self, path: Path) -> None:
        data = tomllib.loads(path.read_text())
        self.packages: dict[str, dict] = {}
        for package in data["package"]:
            name = canonicalize_name(package["name"])
            if name in self.packages:
                raise ValueError(f"{path}: {name} is locked twice (a forked resolution)")
            self.packages[name] = package

    def closure(
        self, roots: tuple[str, ...], arch: str, skip: frozenset[str] = frozenset()
    ) -> list[Pin]:
        """Every package the roots need on the Lambda platform, sorted by name."""
        env = marker_env(arch)
        seen: set[str] = set()
        done_extras: set[tuple[str, str]] = set()
        todo = [_split(r) for r in roots]
        while todo:
            name, extras = todo.pop()
            if name in RUNTIME_PROVIDED or name in skip:
                continue
            if name not in self.packages:
                raise KeyError(f"{name} is not in uv.lock")
            package = self.packages[name]
            edges: list[dict] = []
            if name not in seen:
                seen.add(name)
                edges += package.get("dependencies", [])
            for extra in extras:
                if (name, extra) not in done_extras:
                    done_extras.add((name, extra))
                    edges += package.get("optional-dependencies", {}).get(extra, [])
            for dep in edges:
                marker = dep.get("marker")
                if marker and not Marker(marker).evaluate(env):
                    continue
                todo.append((canonicalize_name(dep["name"]), tuple(dep.get("extra", ()))))
        return sorted(
            (
                Pin(n, self.packages[n]["version"], bool(self.packages[n].get("wheels")))
                for n in seen
            ),
            key=lambda p: p.name,
        )


def pins_for(lock_path: Path, function: str, arch: str) -> list[Pin]:
    """The pinned runtime dependencies of one function."""
    return Lock(lock_path).closure(ROOTS[function], arch, UNUSED[function])
