"""Cold start of the wiki Lambda: what the first page view loads, and what it keeps for the next.

Each test runs a fresh interpreter (a new Lambda instance) through `make_handler(settings)`, so
nothing the test process imported or cached hides a difference. Timing is measured by
`tools/bench local` (docs/benchmarks.md), never asserted here.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from test_web_handler import AGENT, env  # noqa: F401 - the module's wiki fixture

HERE = Path(__file__).parent


def fresh_process(env, body: str, light: bool = False) -> list[str]:  # noqa: F811
    """Run `body` in a new interpreter with `c` a WebClient for alice/notes; its stdout lines.

    `light`: `c` only holds `handler` and `token` (nothing imported but wikibot's own modules).
    """
    client = (
        "from types import SimpleNamespace as WebClient\n"
        if light
        else "from test_web_handler import WebClient\n"
    )
    script = (
        "import sys\n"
        f"sys.path[:0] = {sys.path!r}\n"
        "from pathlib import Path\n" + client + "from wikibot.local.dev import local_settings\n"
        "from wikibot.web.handler import make_handler\n"
        f"settings = local_settings(Path({str(env.settings.data_root)!r}))\n"
        f"c = WebClient(handler=make_handler(settings), token={env.owner_token!r})\n" + body
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=HERE, timeout=120
    )
    assert out.returncode == 0, out.stderr[-3000:]
    return out.stdout.splitlines()


def test_a_page_view_loads_no_module_it_does_not_use(env):  # noqa: F811
    # Not through test_web_handler's client: it imports pytest, which imports pygments' plugins.
    tools = str(HERE.parent.parent / "tools")
    setup = (
        f"sys.path.insert(0, {tools!r})\n"
        "from benchkit import events\n"
        "headers = {'authorization': f'Bearer {c.token}'}\n"
        "def get(path):\n"
        "    result = c.handler(events.api_event('GET', path, headers=headers), None)\n"
        "    return result['statusCode']\n"
    )
    # A cold start after the first one (which scans for plugins and fills the caches).
    assert fresh_process(env, setup + "print(get('/alice/notes/Home'))\n", light=True)[-1] == "200"
    lines = fresh_process(
        env,
        setup + "names = ('soupsieve', 'charset_normalizer', 'werkzeug.serving', 'werkzeug.test',\n"
        "         'flask_login.test_client', 'flask_wtf.recaptcha', 'werkzeug.formparser',\n"
        "         'bs4.builder._lxml', 'flask.cli', 'importlib.metadata', 'pygments.plugin',\n"
        "         'lxml.etree', 'urllib.request')\n"
        "harness = [n for n in names if n in sys.modules]  # imported by this test's client\n"
        "assert get('/alice/notes/Home') == 200\n"
        "import json\n"
        "loaded = [n for n in names if type(sys.modules.get(n)).__name__ == 'module']\n"
        "print(json.dumps(harness))\n"
        "print(json.dumps([n for n in loaded if n not in harness]))\n"
        "import gc\n"
        "print(gc.isenabled(), gc.get_freeze_count() > 10_000)\n",
        light=True,
    )
    assert json.loads(lines[-3]) == []
    assert json.loads(lines[-2]) == []
    # The collector paused for the boot runs again; the boot's objects are frozen.
    assert lines[-1] == "True True"


def test_deferred_modules_still_work_when_used(env):  # noqa: F811
    lines = fresh_process(
        env,
        "assert c.get('/alice/notes/Home').status == 200\n"
        # soupsieve through bs4, a Flask test client (werkzeug.test, flask.testing),
        # flask_login's test client class, werkzeug's dev server module, charset detection.
        "from bs4 import BeautifulSoup\n"
        "print(BeautifulSoup('<p class=x>a</p><p>b</p>', 'html.parser').select('p.x')[0].text)\n"
        "from otterwiki.server import app\n"
        "print(app.test_client().get('/static/css/otterwiki.css').status_code)\n"
        "from flask_login import FlaskLoginClient\n"
        "from flask.testing import FlaskClient\n"
        "print(issubclass(FlaskLoginClient, FlaskClient))\n"
        "import werkzeug.serving\n"
        "print(callable(werkzeug.serving.run_simple))\n"
        "from bs4.dammit import chardet_dammit\n"
        "print(type(chardet_dammit('Grüße aus Köln, naïve café'.encode('utf-8'))).__name__)\n"
        # A form post (werkzeug.formparser) after a GET booted Otterwiki without it.
        "print(c.save('/alice/notes/Deferred Forms', '# Deferred Forms\\n').status)\n"
        # Flask's command line group, built when first used, named as Flask names it.
        "from click import Group\n"
        "print(app.cli.name, isinstance(app.cli._wikibot_object(), Group))\n"
        # Pygments' plugin lookup (entry points) for a name its tables do not know.
        "from pygments.lexers import get_lexer_by_name\n"
        "from pygments.util import ClassNotFound\n"
        "try:\n"
        "    get_lexer_by_name('no-such-language-here')\n"
        "except ClassNotFound:\n"
        "    print('ClassNotFound', type(sys.modules['pygments.plugin']).__name__)\n",
    )
    assert lines[-8:] == [
        *("a", "200", "True", "True", "str", "302", "otterwiki.server True"),
        "ClassNotFound module",
    ]


def test_every_route_still_builds_its_url(env):  # noqa: F811
    """URL builders are compiled on first use; each route must build as werkzeug would."""
    lines = fresh_process(
        env,
        "assert c.get('/alice/notes/Home').status == 200\n"
        "from otterwiki.server import app\n"
        "from werkzeug.routing import Rule\n"
        "adapter = app.url_map.bind('wiki.example', script_name='/alice/notes')\n"
        "built = 0\n"
        "for rule in app.url_map.iter_rules():\n"
        "    values = {a: '7' for a in rule.arguments}  # a page, a file or a size\n"
        "    eager = Rule._compile_builder(rule, True)(rule, **values)\n"
        "    assert rule.build(values) == eager, rule.rule\n"
        "    assert adapter.build(rule.endpoint, values, method=sorted(rule.methods)[0])\n"
        "    built += type(rule).__name__ == 'LazyBuilderRule'\n"
        "print(built)\n",
    )
    assert int(lines[-1]) > 60  # Otterwiki's routes, all of them


def test_the_sidebar_tree_kept_for_the_next_cold_start_follows_the_head(env):  # noqa: F811
    store = env.store()
    store.write("Sidebar One", "# Sidebar One\n", AGENT)
    show = "print('SIDEBAR' if 'Sidebar Two' in c.get('/alice/notes/Home').text else '-')\n"
    saved = env.settings.data_root / "alice" / "notes" / "ui-sidebar.json"
    before = fresh_process(env, "print('Sidebar One' in c.get('/alice/notes/Home').text)\n")
    assert before[-1] == "True"
    assert saved.is_file()
    tree_before = json.loads(saved.read_text())["tree"]
    # An agent adds a page: the next cold start must show it (a new head tree, a new key).
    store.write("Sidebar Two", "# Sidebar Two\n", AGENT)
    assert fresh_process(env, show)[-1] == "SIDEBAR"
    assert json.loads(saved.read_text())["tree"] != tree_before
    # A cold start on an unchanged head reads the saved tree instead of rebuilding it.
    lines = fresh_process(
        env,
        "from wikibot.web import otterwiki_boot\n"
        "otterwiki_boot.create(settings)\n"
        "import otterwiki.sidebar as s\n"
        "calls = []\n"
        "load = s.SidebarPageIndex.load\n"
        "s.SidebarPageIndex.load = lambda self, p: (calls.append(p), load(self, p))[1]\n"
        + show
        + "print(len(calls))\n",
    )
    assert lines[-2:] == ["SIDEBAR", "0"]


def test_otterwiki_boot_code_compiled_once_for_every_cold_start(env):  # noqa: F811
    count = (
        "from wikibot.web import library\n"
        "calls = []\n"
        "select = library._selected_statements\n"
        "library._selected_statements = lambda s: (calls.append(1), select(s))[1]\n"
        "assert c.get('/alice/notes/Home').status == 200\n"
        "print(len(calls))\n"
    )
    cache = env.settings.data_root / ".cache" / "otterwiki"
    for stale in cache.glob("*.marshal"):
        stale.unlink()
    assert fresh_process(env, count)[-1] == "1"
    assert len(list(cache.glob("otterwiki-server-*.marshal"))) == 1
    assert fresh_process(env, count)[-1] == "0"  # the next cold start reads the compiled code
    # A damaged file is compiled again, not trusted.
    next(cache.glob("*.marshal")).write_bytes(b"\x00garbage")
    assert fresh_process(env, count)[-1] == "1"


def test_the_plugin_scan_is_skipped_only_while_no_plugin_is_installed(env, tmp_path):  # noqa: F811
    count = (
        "import pluggy\n"
        "calls = []\n"
        "scan = pluggy.PluginManager.load_setuptools_entrypoints\n"
        "pluggy.PluginManager.load_setuptools_entrypoints = (\n"
        "    lambda self, group, name=None: (calls.append(group), scan(self, group, name))[1])\n"
        "assert c.get('/alice/notes/Home').status == 200\n"
        "from otterwiki.plugins import plugin_manager\n"
        "print(len(calls), plugin_manager.get_plugin('wikibot-test-plugin') is not None)\n"
    )
    cache = env.settings.data_root / ".cache" / "otterwiki"
    for marker in cache.glob("no-plugins-*"):
        marker.unlink()
    assert fresh_process(env, count)[-1] == "1 False"
    assert fresh_process(env, count)[-1] == "0 False"  # nothing installed since: no scan
    # Installing a plugin (a distribution with an `otterwiki` entry point) is seen at once.
    site = tmp_path / "site"
    dist = site / "wikibot_test_plugin-1.0.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: wikibot-test-plugin\nVersion: 1.0\n"
    )
    (dist / "entry_points.txt").write_text(
        "[otterwiki]\nwikibot-test-plugin = wikibot_test_plugin\n"
    )
    (site / "wikibot_test_plugin.py").write_text("")
    with_plugin = f"sys.path.append({str(site)!r})\n" + count
    assert fresh_process(env, with_plugin)[-1] == "1 True"
    assert fresh_process(env, with_plugin)[-1] == "1 True"  # found plugins are never cached


def test_a_deferred_module_that_is_not_installed_stays_absent(env):  # noqa: F811
    lines = fresh_process(
        env,
        "from wikibot.web import coldstart\n"
        "coldstart.DEFERRED['wikibot_no_such_module'] = ()\n"
        "assert c.get('/alice/notes/Home').status == 200\n"
        "try:\n"
        "    import wikibot_no_such_module\n"
        "except ImportError:\n"
        "    print('absent')\n",
    )
    assert lines[-1] == "absent"  # what bs4 expects of a missing charset_normalizer


PATTERNS = [
    (r"(?P<word>\w+)\s+(?P=word)", 0),
    (r"^#{1,6}\s+(.*?)\s*#*$", re.MULTILINE),
    (r"(?<=href=\")/(?!/)[^\"]*", re.IGNORECASE),
    (r"""\[\[ (?P<target>[^|\]]+) (?:\|(?P<label>[^\]]+))? \]\]""", re.VERBOSE),
    (r"[\u00c0-\u024f]+|ß", 0),
    (rb"\x00|\xff+", 0),
]
SAMPLES = [
    "the the end",
    "## Title ##\ntext",
    'href="/a/b" HREF="/x"',
    "[[Page|Label]]",
    "Größe",
    "ok",
]


def test_regex_programs_kept_for_the_next_cold_start_match_as_re_compiles_them(tmp_path):
    from wikibot.web import regex_cache

    expected = [re.compile(p, f) for p, f in PATTERNS]
    re.purge()
    with regex_cache.kept(tmp_path):  # nothing saved yet: compiled, then saved
        [re.compile(p, f) for p, f in PATTERNS]
    saved = list(tmp_path.glob("regex-*.marshal"))
    assert len(saved) == 1
    re.purge()
    import re._compiler as compiler

    with regex_cache.kept(tmp_path):
        from unittest import mock

        with mock.patch.object(regex_cache, "_program", side_effect=AssertionError("compiled")):
            kept = [re.compile(p, f) for p, f in PATTERNS]  # every one from the saved file
    assert compiler.compile is not None and re.compile("x+").match("xx")  # re is itself again
    for want, got in zip(expected, kept, strict=True):
        assert (got.pattern, got.flags, got.groups, got.groupindex) == (
            want.pattern,
            want.flags,
            want.groups,
            want.groupindex,
        )
        for sample in SAMPLES:
            text = (
                sample.encode("latin-1", "replace") if isinstance(want.pattern, bytes) else sample
            )
            assert [m.span() for m in got.finditer(text)] == [m.span() for m in want.finditer(text)]
    # A damaged file is ignored: patterns compile as usual (and the file is written again).
    saved[0].write_bytes(b"\x00not marshal")
    re.purge()
    with regex_cache.kept(tmp_path):
        assert re.compile(r"(a)(b)?").match("a").groups() == ("a", None)
    assert regex_cache._load(saved[0])


def test_the_first_page_view_of_a_later_cold_start_compiles_few_regexes(env):  # noqa: F811
    from wikibot.web import regex_cache

    count = (
        "from wikibot.web import regex_cache\n"
        "compiled = []\n"
        "program = regex_cache._program\n"
        "regex_cache._program = lambda *a: (compiled.append(a[1]), program(*a))[1]\n"
        "assert c.get('/alice/notes/Home').status == 200\n"
        "print(len(compiled))\n"
    )
    cache = env.settings.data_root / ".cache" / "otterwiki"
    for saved in cache.glob("regex-*"):
        saved.unlink()
    assert int(fresh_process(env, count)[-1]) > 100  # bs4, mistune, yaml, werkzeug, ...
    (saved,) = cache.glob("regex-*.marshal")
    written = saved.stat().st_mtime_ns
    # The next cold start compiles only the few patterns that differ in every process (bs4
    # builds one from a set) and leaves the file as it is.
    assert int(fresh_process(env, count)[-1]) <= regex_cache.REWRITE_AFTER
    assert saved.stat().st_mtime_ns == written
