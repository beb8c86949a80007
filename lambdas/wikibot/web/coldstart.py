"""What a cold page view does not pay for: imports it never uses, URL builders it never calls.

Measured with `tools/bench local` (cold page: fresh process -> HTML of a page) and
`python -X importtime`; see docs/decisions/0014-web-cold-start.md for the numbers.

- Deferred modules: registered in `sys.modules` before Otterwiki's boot imports their users, and
  imported for real on first attribute access. soupsieve (CSS selectors: Otterwiki never calls
  `select`; its import compiles hundreds of regular expressions), charset_normalizer (encoding
  guesses for bytes input: Otterwiki passes text), `werkzeug.serving` (the development server)
  and `werkzeug.test` with `flask_login.test_client` (test clients), `flask_wtf.recaptcha`
  (urllib.request and http.client; Otterwiki shows no captcha), `werkzeug.formparser` (form
  bodies: a GET has none; the first POST loads it), and Flask's command line `flask.cli` (with
  importlib.metadata, which the skipped plugin scan no longer needs): `app.cli` is a
  `LazyInstance` that builds the real `AppGroup` when first used. (click itself stays: a package
  stand-in cannot serve `from click.core import ...`.) `pygments.plugin` too (it imports
  importlib.metadata; pygments asks it only for names its own tables do not know). A class read
  from a deferred module at import time (`class FlaskClient(Client)`) resolves through
  `__mro_entries__`.
- bs4's lxml tree builder is not registered: Otterwiki always asks for "html.parser", and the
  Lambda zips ship no lxml (decision 0013), so dev parses as Lambda does.
- URL builders: werkzeug compiles two Python functions per route when it is added (Otterwiki
  has ~80 routes); `LazyBuilderRule`, set as the app's `url_rule_class` (Flask's extension
  point), compiles each on its first `url_for`.
- Otterwiki's plugin scan (pluggy reads the entry points of every installed distribution, ~15 ms
  with ~140 of them) is skipped when an earlier cold start found no plugin with the same
  installed packages (`plugin_scan_remembered`: a marker named by a hash of every `sys.path`
  folder and its mtime, which installing or removing a distribution changes). Found plugins are
  never cached: the scan runs and loads them.
- The cyclic garbage collector is paused while Otterwiki boots: importing ~450 modules triggers
  ~110 collections that find almost nothing (a few hundred objects) and cost ~10% of the boot.
  Afterwards the boot's objects are frozen (`gc.freeze`): they live as long as the process, so
  later collections (warm requests) skip them.

Nothing here changes what a request returns; every deferred module still loads when used.
"""

from __future__ import annotations

import gc
import sys
import types
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pathlib import Path

# module -> names other modules import from it at import time (served as proxies)
DEFERRED: dict[str, tuple[str, ...]] = {
    "soupsieve": (),
    "charset_normalizer": (),
    "werkzeug.serving": ("run_simple", "is_running_from_reloader"),
    "werkzeug.test": ("Client",),
    "flask_login.test_client": ("FlaskLoginClient",),
    "flask_wtf.recaptcha": ("Recaptcha", "RecaptchaField", "RecaptchaWidget"),
    "werkzeug.formparser": ("default_stream_factory", "FormDataParser"),
    "pygments.plugin": (
        "find_plugin_lexers",
        "find_plugin_formatters",
        "find_plugin_styles",
        "find_plugin_filters",
    ),
}
# module -> classes instantiated at import or boot but used only later: Flask() and Blueprint()
# each build a click `AppGroup` for the `flask` command line, which a Lambda never runs.
LAZY_INSTANCES: dict[str, tuple[str, ...]] = {"flask.cli": ("AppGroup",)}
BLOCKED = ("bs4.builder._lxml",)


class DeferredModule(types.ModuleType):
    """A module imported on first real use (attribute access)."""

    def __init__(
        self, name: str, proxies: tuple[str, ...] = (), factories: tuple[str, ...] = ()
    ) -> None:
        super().__init__(name)
        for attr in proxies:
            setattr(self, attr, DeferredAttr(self, attr))
        for attr in factories:
            setattr(self, attr, LazyFactory(self, attr))

    def load(self) -> types.ModuleType:
        """Import the real module (replacing this stand-in) and return it."""
        import importlib

        if sys.modules.get(self.__name__) is self:
            del sys.modules[self.__name__]
        real = importlib.import_module(self.__name__)
        parent, _, child = self.__name__.rpartition(".")
        if parent and getattr(sys.modules.get(parent), child, None) is self:
            setattr(sys.modules[parent], child, real)
        return real

    def __getattr__(self, attr: str) -> Any:
        # The import system probes dunders (`__path__`: is it a package?); those must not load.
        if attr.startswith("__") and attr not in ("__version__", "__all__"):
            raise AttributeError(attr)
        return getattr(self.load(), attr)


class DeferredAttr:
    """A name imported from a deferred module: resolves the real object when used."""

    def __init__(self, module: DeferredModule, attr: str) -> None:
        self._module, self._attr = module, attr

    def resolve(self) -> Any:
        """The real object."""
        return getattr(self._module.load(), self._attr)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.resolve(), name)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """Call the real object (a function such as `run_simple`)."""
        return self.resolve()(*args, **kwargs)

    def __mro_entries__(self, bases: tuple) -> tuple:
        return (self.resolve(),)  # `class X(Name)` subclasses the real class


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector for the boot, then freeze what the boot built."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()


@contextmanager
def plugin_scan_remembered(folder: Path | None) -> Iterator[None]:
    """Skip pluggy's entry-point scan when it found nothing before on the same packages."""
    import pluggy

    original = pluggy.PluginManager.load_setuptools_entrypoints
    if folder is None:
        yield
        return

    def load(manager: Any, group: str, name: str | None = None) -> int:
        marker = folder / f"no-plugins-{_installed_key(group)}"
        if name is None and marker.exists():
            return 0
        count = original(manager, group, name)
        if name is None and count == 0:
            try:
                marker.touch()
            except OSError:
                pass  # a read-only data folder: scanned again next time
        return count

    pluggy.PluginManager.load_setuptools_entrypoints = load
    try:
        yield
    finally:
        pluggy.PluginManager.load_setuptools_entrypoints = original


def _installed_key(group: str) -> str:
    """A name for the installed packages: every sys.path folder with its mtime."""
    import hashlib
    import os

    parts = [group]
    for entry in sys.path:
        try:
            parts.append(f"{entry}:{os.stat(entry or '.').st_mtime_ns}")
        except OSError:
            parts.append(f"{entry}:-")
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:24]


class LazyFactory(DeferredAttr):
    """A class from a deferred module whose instances wait until they are used."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """A `LazyInstance` that calls the real class when first used."""
        return LazyInstance(lambda: self.resolve()(*args, **kwargs))


class LazyInstance:
    """An object made on first attribute read; attributes set before are applied to it then."""

    def __init__(self, make: Any) -> None:
        object.__setattr__(self, "_wikibot_make", make)
        object.__setattr__(self, "_wikibot_real", None)
        object.__setattr__(self, "_wikibot_pending", {})

    def _wikibot_object(self) -> Any:
        real = object.__getattribute__(self, "_wikibot_real")
        if real is None:
            real = object.__getattribute__(self, "_wikibot_make")()
            for name, value in object.__getattribute__(self, "_wikibot_pending").items():
                setattr(real, name, value)
            object.__setattr__(self, "_wikibot_real", real)
        return real

    def __getattr__(self, name: str) -> Any:
        return getattr(self._wikibot_object(), name)

    def __setattr__(self, name: str, value: Any) -> None:
        if object.__getattribute__(self, "_wikibot_real") is None:
            object.__getattribute__(self, "_wikibot_pending")[name] = value
        else:
            setattr(self._wikibot_object(), name, value)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """Call the real object (a click group runs as the command line)."""
        return self._wikibot_object()(*args, **kwargs)


def defer_unused_modules() -> None:
    """Register the stand-ins (before Otterwiki's boot); modules already imported stay."""
    import importlib.util

    for name, proxies in DEFERRED.items():
        if name in sys.modules:
            continue
        # A top-level module a zip does not ship must stay absent (bs4 then goes without
        # charset detection, as it would); submodules come with their installed package.
        if "." not in name and importlib.util.find_spec(name) is None:
            continue
        sys.modules[name] = DeferredModule(name, proxies)
    for name, factories in LAZY_INSTANCES.items():
        if name not in sys.modules:
            sys.modules[name] = DeferredModule(name, factories=factories)
    for name in BLOCKED:
        sys.modules.setdefault(name, None)  # type: ignore[arg-type]  # import -> ImportError


def attach_deferred_modules() -> None:
    """After the boot: make `package.module` attribute access (`werkzeug.test.X`) find them."""
    for name in (*DEFERRED, *LAZY_INSTANCES):
        module = sys.modules.get(name)
        parent, _, child = name.rpartition(".")
        if isinstance(module, DeferredModule) and parent in sys.modules:
            if not hasattr(sys.modules[parent], child):
                setattr(sys.modules[parent], child, module)


def lazy_url_builders(app: Any) -> None:
    """Routes added from now on compile their URL builders on first use."""
    app.url_rule_class = _lazy_rule_class()


def _lazy_rule_class() -> type:
    from werkzeug.routing import Rule

    class LazyBuilderRule(Rule):
        """A werkzeug `Rule` whose two URL builders are compiled on first call."""

        def _compile_builder(self, append_unknown: bool = True) -> Any:
            compiled: list[Any] = []

            def build(rule: Rule, **values: Any) -> tuple[str, str]:
                if not compiled:
                    compiled.append(Rule._compile_builder(rule, append_unknown))
                return compiled[0](rule, **values)

            return build

    return LazyBuilderRule
