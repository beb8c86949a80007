"""Otterwiki as a library: stand-ins for `otterwiki.server` and `otterwiki.gitstorage`.

`import otterwiki.server` builds a whole deployment at import time: config from the environment,
SQLAlchemy and `create_all`, a GitPython repository (which runs `git version`), a `GitHttpServer`
(needs the `git` binary), the repository manager, and every view. wikibot needs the views,
templates and logic, but not that deployment. So:

- `install()` (cheap, no Otterwiki import) puts a lazy module in `sys.modules["otterwiki.server"]`
  and this package's exception module in `sys.modules["otterwiki.gitstorage"]`, so GitPython is
  never imported.
- The first attribute access (or `boot()`) runs **Otterwiki's own `server.py` statements**, taken
  from its source by AST, except the ones that build the deployment. Those are replaced: `db` is
  `wikibot.web.minidb` (no SQLAlchemy), `storage` is one `StorageProxy` bound before any view
  module imports it by value, `githttpserver` answers 404 (git lives at `/{user}/{wiki}.git`).
  Filters, template globals, security headers, `update_app_config`, the renderer, the plugin
  `setup` hook and `otterwiki.views` are Otterwiki's code, unchanged.

The statement selection is tied to the pinned version (2.26.1) and checked against it.
"""

from __future__ import annotations

import sys
import threading
import types
from typing import TYPE_CHECKING, Any

from wikibot.web import errors as storage_errors

if TYPE_CHECKING:
    import ast
    from pathlib import Path

PINNED_VERSION = "2.26.1"
# Statements of otterwiki/server.py (2.26.1) that build a deployment, by their first line.
_REPLACED_PREFIXES = (
    "from flask_sqlalchemy",  # db: minidb instead
    "app.config.from_envvar",  # settings file: config comes from wikibot settings
    "print(",
    "config_from_environment",  # env overrides: none in platform mode
    "for key in app.config",
    "app.logger.setLevel",
    "logging.getLogger",
    "db = SQLAlchemy",
    'if (\n    len(app.config["SECRET_KEY"])',  # the key is set before
    'if app.config["REPOSITORY"] is None',  # storage: the proxy
    "if (len(storage.list()[0]) < 1)",  # seeding: wikis are created with their pages
    "with app.app_context():\n    db.create_all()",
    "plugininfo",
    "for plugin, dist in plugininfo",
    "import otterwiki.remote",
    "githttpserver",
    "import otterwiki.repomgmt",
    "otterwiki.repomgmt.initialize_repo_management",
    "import otterwiki.views",  # imported after wikibot's hooks are ready
    "import otterwiki.cli",
)


class StorageProxy:
    """The one `storage` Otterwiki's modules bind at import; forwards to the request's wiki."""

    def __init__(self) -> None:
        self._local = threading.local()

    def bind(self, target: Any) -> None:
        """Point this thread's requests at one wiki's storage."""
        self._local.target = target

    @property
    def target(self) -> Any:
        """The bound storage (RuntimeError outside a request)."""
        target = getattr(self._local, "target", None)
        if target is None:
            raise RuntimeError("No wiki bound to Otterwiki's storage for this request.")
        return target

    def __getattr__(self, name: str) -> Any:
        return getattr(self.target, name)


class _NoGitHttp:
    """Otterwiki's `/.git` routes: wikibot serves git at `/{user}/{wiki}.git` instead."""

    def __getattr__(self, name: str) -> Any:
        def refuse(*args: Any, **kwargs: Any) -> Any:
            from flask import abort

            abort(404)

        return refuse


class LazyServer(types.ModuleType):
    """`otterwiki.server`: built on first use, with `configure()`d settings."""

    def __init__(self) -> None:
        super().__init__("otterwiki.server")
        self.__dict__["_wikibot_config"] = {}
        self.__dict__["_wikibot_booting"] = False

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") or self.__dict__["_wikibot_booting"]:
            raise AttributeError(name)
        boot()
        try:
            return self.__dict__[name]
        except KeyError:
            raise AttributeError(name) from None


def otterwiki_dir() -> Path:
    """The installed otterwiki package folder (templates, static files, server.py)."""
    import importlib.util
    from pathlib import Path

    spec = importlib.util.find_spec("otterwiki")
    if spec is None or spec.origin is None:
        raise RuntimeError("otterwiki is not installed")
    return Path(spec.origin).parent


def install(config: dict[str, Any] | None = None) -> LazyServer:
    """Register the stand-ins (idempotent); `config` overrides Otterwiki's defaults at boot."""
    server = sys.modules.get("otterwiki.server")
    if isinstance(server, LazyServer):
        server.__dict__["_wikibot_config"].update(config or {})
        return server
    if server is not None or "otterwiki.gitstorage" in sys.modules:
        raise RuntimeError("otterwiki.server was imported before wikibot.web.library.install()")
    shim = types.ModuleType("otterwiki.gitstorage")
    for name in ("StorageError", "StorageErrorEncoding", "StorageNotFound", "StorageUnsafePath"):
        setattr(shim, name, getattr(storage_errors, name))
    shim.storage = None
    sys.modules["otterwiki.gitstorage"] = shim
    server = LazyServer()
    server.__dict__["_wikibot_config"].update(config or {})
    sys.modules["otterwiki.server"] = server
    return server


class _Deferred(types.ModuleType):
    """A module imported on first real use.

    Otterwiki imports Pillow and feedgen at import time for thumbnails and feeds; a page view
    needs neither.
    """

    def __init__(self, name: str, proxies: tuple[str, ...] = ()) -> None:
        super().__init__(name)
        for attr in proxies:  # names read at import time, e.g. `hasattr(PIL.Image, "Resampling")`
            setattr(self, attr, _DeferredAttr(self, attr))

    def _wikibot_load(self) -> types.ModuleType:
        import importlib

        if sys.modules.get(self.__name__) is self:
            del sys.modules[self.__name__]
        return importlib.import_module(self.__name__)

    def __getattr__(self, attr: str) -> Any:
        if attr.startswith("__"):
            raise AttributeError(attr)
        return getattr(self._wikibot_load(), attr)


class _DeferredAttr:
    def __init__(self, module: _Deferred, attr: str) -> None:
        self._module, self._attr = module, attr

    def __getattr__(self, name: str) -> Any:
        return getattr(getattr(self._module._wikibot_load(), self._attr), name)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return getattr(self._module._wikibot_load(), self._attr)(*args, **kwargs)


def _defer_heavy_imports() -> None:
    """Pillow (thumbnails) loads when first used, not at boot; feeds use wikibot.web.feed."""
    import importlib

    _install_feed()
    for name, proxies in (("PIL.Image", ("Resampling",)),):
        if name in sys.modules:
            continue
        parent = importlib.import_module(name.rsplit(".", 1)[0])  # small package __init__s
        stand_in = _Deferred(name, proxies)
        sys.modules[name] = stand_in
        setattr(parent, name.rsplit(".", 1)[1], stand_in)


def _install_feed() -> None:
    """Register wikibot.web.feed as `feedgen.feed` (no zip needs feedgen or lxml).

    It is the stdlib subset of feedgen's FeedGenerator that Otterwiki's changelog feeds call
    (decision 0013). Always, also where feedgen is installed: dev runs what Lambda runs.
    """
    from wikibot.web import feed

    parent = sys.modules.get("feedgen")
    if parent is None:
        parent = types.ModuleType("feedgen")
        parent.__path__ = []  # a package, so `import feedgen.feed` resolves the entry below
        sys.modules["feedgen"] = parent
    sys.modules["feedgen.feed"] = feed
    parent.feed = feed


def _selected_statements(source: str) -> list[ast.stmt]:
    import ast

    lines = source.splitlines()
    return [n for n in ast.parse(source).body if not _head(lines, n).startswith(_REPLACED_PREFIXES)]


def _head(lines: list[str], node: ast.stmt) -> str:
    """A statement's first lines, enough to match the prefixes.

    Not `ast.get_source_segment`: it re-splits the whole source on every call, ~20 ms of a cold
    start for server.py's statements.
    """
    first = node.lineno - 1
    last = min(node.end_lineno or node.lineno, node.lineno + 2)
    return "\n".join(lines[first:last])[node.col_offset :]


_boot_lock = threading.Lock()


def boot(cache_dir: Path | None = None) -> LazyServer:
    """Build Otterwiki's app in the stand-in module (once per process) and return the module.

    `cache_dir` keeps server.py's selected statements compiled for the next cold start.
    """
    server = sys.modules["otterwiki.server"]
    if not isinstance(server, LazyServer):
        raise RuntimeError("call wikibot.web.library.install() first")
    with _boot_lock:
        if "app" in server.__dict__:
            return server
        server.__dict__["_wikibot_booting"] = True
        try:
            _boot(server, cache_dir)
        finally:
            server.__dict__["_wikibot_booting"] = False
    return server


def _boot(server: LazyServer, cache_dir: Path | None) -> None:
    import otterwiki

    if otterwiki.__version__ != PINNED_VERSION:
        raise RuntimeError(
            f"wikibot.web is built against otterwiki {PINNED_VERSION}, found "
            f"{otterwiki.__version__}; review library.py's statement list before upgrading."
        )
    from wikibot.web.minidb import make_db

    _defer_heavy_imports()

    path = otterwiki_dir() / "server.py"
    source = path.read_text()
    namespace = server.__dict__
    namespace.update(
        __file__=str(path),
        __name__="otterwiki.server",
        __package__="otterwiki",
        db=make_db(),
        storage=StorageProxy(),
        githttpserver=_NoGitHttp(),
        config_from_environment={},
    )
    overrides = dict(namespace["_wikibot_config"])
    # Run up to the config defaults, apply wikibot's settings, then the rest.
    before, after = _server_code(path, source, cache_dir)
    exec(before, namespace)  # noqa: S102
    app = namespace["app"]
    app.config.update(overrides)
    app.config["SERVER_NAME"] = None
    exec(after, namespace)  # noqa: S102
    namespace["wikibot_base_config"] = dict(app.config)


def _server_code(path: Path, source: str, cache_dir: Path | None) -> tuple[Any, Any]:
    """server.py's kept statements, compiled in two parts: up to the config defaults, the rest.

    Parsing and compiling server.py costs a cold start ~10 ms, so the code objects are kept in
    `cache_dir` (marshal, as Python's own .pyc), named by a hash of the source, the statement
    list and the Python version: a changed input is a new file, never a stale one.
    """
    import ast
    import hashlib
    import marshal

    key = "\0".join((source, repr(_REPLACED_PREFIXES), sys.version))
    name = f"otterwiki-server-{hashlib.sha256(key.encode()).hexdigest()[:24]}.marshal"
    cached = cache_dir / name if cache_dir is not None else None
    if cached is not None:
        try:
            before, after = marshal.loads(cached.read_bytes())
            return before, after
        except (OSError, EOFError, ValueError, TypeError):
            pass  # not written yet (or unreadable): compile
    statements = _selected_statements(source)
    lines = source.splitlines()
    first = [s for s in statements if _head(lines, s).startswith("app.config.update(")]
    split = statements.index(first[0]) + 1
    parts = tuple(
        compile(ast.Module(part, []), str(path), "exec")
        for part in (statements[:split], statements[split:])
    )
    if cached is not None:
        from wikibot.files import write_private

        try:
            write_private(cached, marshal.dumps(parts))
        except OSError:
            pass  # a read-only data folder: compiled again next time
    return parts[0], parts[1]


def import_views() -> None:
    """Import Otterwiki's views (registers every route on the app)."""
    import otterwiki.views  # noqa: F401
