"""House rules that keep the design honest, checked over the source with `ast`."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "lambdas" / "wikibot"

# The core: pure logic and storage. It may import only the stdlib, its own core and these.
CORE = (
    "store",
    "pages",
    "registry",
    "auth",
    "errors.py",
    "settings.py",
    "layout.py",
    "bootstrap",
    "provision.py",
)
# rsa: pure-Python RS256 verification of AuthKit tokens (auth/authkit.py, decision 0012).
CORE_THIRD_PARTY = {"dulwich", "yaml", "jwt", "rsa"}
# Ours, in dependency order: a module may import only from its own layer or those after it.
LAYERS = [
    {"cli"},
    {"local"},
    {"mcp", "web", "platform", "githttp"},
    {"provision", "bootstrap"},
    {"store", "registry", "auth"},
    {"pages"},
    {"errors", "settings", "layout", "tracing", "files"},
]


def modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        yield path, ast.parse(path.read_text(), str(path))


def imported(tree: ast.AST) -> set[str]:
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def top(path: Path) -> str:
    part = path.relative_to(PACKAGE).parts[0]
    return part.removesuffix(".py")


def layer_of(name: str) -> int:
    return next(i for i, layer in enumerate(LAYERS) if name in layer)


def test_only_settings_reads_the_environment():
    offenders = []
    for path, tree in modules():
        rel = path.relative_to(PACKAGE).as_posix()
        for node in ast.walk(tree):
            # os.environ / os.getenv, or imported from os by name; a WSGI request's `environ`
            # is not the process environment.
            reads = (
                isinstance(node, ast.Attribute)
                and node.attr in {"environ", "getenv", "environb", "getenvb"}
                and isinstance(node.value, ast.Name)
                and node.value.id == "os"
            ) or (
                isinstance(node, ast.ImportFrom)
                and node.module == "os"
                and any(a.name in {"environ", "getenv", "environb", "getenvb"} for a in node.names)
            )
            # local/dev.py writes the Lambda configuration before importing handlers.
            if reads and rel not in {"settings.py", "local/dev.py"}:
                offenders.append(f"{rel}:{node.lineno}")
    assert offenders == []


# The registry's DynamoDB adapter may import boto3, but only inside a function: importing the
# core never loads AWS code, and the SQLite path never pays for it.
LAZY_ONLY = {"registry/dynamodb.py": {"boto3"}}


def lazily_imported(tree: ast.AST) -> set[str]:
    """Modules imported only inside function bodies."""
    inner = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            for stmt in node.body:
                inner |= imported(stmt)
    top_level = set()
    for stmt in getattr(tree, "body", []):
        if not isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            top_level |= imported(stmt)
    return inner - top_level


def test_core_imports_no_aws_http_or_mcp_code():
    import sys

    stdlib = set(sys.stdlib_module_names)
    offenders = []
    for path, tree in modules():
        if path.relative_to(PACKAGE).parts[0] not in CORE:
            continue
        lazy = lazily_imported(tree)
        allowed = LAZY_ONLY.get(path.relative_to(PACKAGE).as_posix(), set())
        for name in imported(tree):
            root = name.split(".")[0]
            if root in stdlib or root == "wikibot" or root in CORE_THIRD_PARTY:
                continue
            if root in allowed and name in lazy:
                continue
            offenders.append(f"{path.relative_to(PACKAGE)} imports {name}")
    assert offenders == []


def test_dependencies_point_one_way():
    offenders = []
    for path, tree in modules():
        if path.parent == PACKAGE and path.name == "__init__.py":
            continue
        here = layer_of(top(path))
        for name in imported(tree):
            parts = name.split(".")
            if parts[0] != "wikibot" or len(parts) < 2:
                continue
            there = layer_of(parts[1])
            if there < here:
                offenders.append(f"{path.relative_to(PACKAGE)} imports {name}")
    assert offenders == []


def test_importing_a_tool_module_registers_nothing():
    for path, tree in modules():
        if "tools" not in path.parts:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef):
                assert not node.decorator_list, f"{path.name}:{node.name} is decorated"
