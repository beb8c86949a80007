"""Web UI benchmark against stock Otterwiki on the same pages (a harness BENCH can call).

`run(pages=1000)` builds one wiki of `pages` pages (one commit each, ~2 KB, with WikiLinks),
gives stock Otterwiki a git work tree cloned from it, and measures in fresh interpreters, both
sides with compiled bytecode (a private `PYTHONPYCACHEPREFIX`, warmed by one untimed run):

- `init`: `import wikibot.web.handler` vs `import otterwiki.server`;
- `cold_page`: import + the first GET of one page's HTML, in a fresh process;
- `warm_view_p50`: GETs cycling over 20 pages in a warm process;
- `warm_save_p50`: saves of one page in a warm process.

wikibot goes through the whole Lambda handler (API Gateway event, bearer-token auth, storage
adapter); stock uses Flask's test client with proxy-header auth and CSRF off, so the comparison
is conservative for wikibot. Run: `uv run python tests/functional/test_web_bench.py --pages 1000`
(needs `git` for the stock side). The test below runs it small to keep it working; timing
targets are never asserted here.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

SNIPPET_OURS = """
import json, sys, time
t0 = time.perf_counter()
import wikibot.web.handler as h
t1 = time.perf_counter()
from wikibot.local.gateway import build_event
cfg = json.loads(sys.argv[1])
from urllib.parse import quote
def call(method, path, body=b"", extra=()):
    headers = [("authorization", "Bearer " + cfg["token"]), *extra]
    path, _, query = path.partition("?")
    ev = build_event(method, quote(path), query, headers, body, source_ip="127.0.0.1")
    r = h.handler(ev, None)
    assert r["statusCode"] in (200, 302), (path, r["statusCode"], r.get("body", "")[:300])
    return r
call("GET", "/bench/wiki/" + cfg["first"])
t2 = time.perf_counter()
out = {"init": t1 - t0, "cold_page": t2 - t0}
if cfg["warm"]:
    import re, urllib.parse
    pages = cfg["pages"]
    for p in pages:
        call("GET", "/bench/wiki/" + p)
    views = []
    for i in range(cfg["views"]):
        s = time.perf_counter(); call("GET", "/bench/wiki/" + pages[i % len(pages)])
        views.append(time.perf_counter() - s)
    jar = {}
    r = call("GET", "/bench/wiki/" + pages[0] + "?edit")
    for c in r.get("cookies", []):
        k, _, v = c.split(";", 1)[0].partition("="); jar[k] = v
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', r["body"]).group(1)
    cookie = ("cookie", "; ".join(f"{k}={v}" for k, v in jar.items()))
    saves = []
    for i in range(cfg["saves"]):
        form = {"content": f"# Save\\n\\nversion {i}\\n", "commit": f"save {i}", "csrf_token": csrf}
        body = urllib.parse.urlencode(form).encode()
        ctype = ("content-type", "application/x-www-form-urlencoded")
        url = "/bench/wiki/" + pages[0] + "/save"
        s = time.perf_counter(); call("POST", url, body, (ctype, cookie))
        saves.append(time.perf_counter() - s)
    out.update(views=views, saves=saves)
print(json.dumps(out))
"""

SNIPPET_STOCK = """
import json, sys, time
t0 = time.perf_counter()
import otterwiki.server as server
t1 = time.perf_counter()
cfg = json.loads(sys.argv[1])
headers = {"x-otterwiki-name": "Bench", "x-otterwiki-email": "bench@example.com",
           "x-otterwiki-permissions": "READ WRITE UPLOAD ADMIN"}
client = server.app.test_client()
def call(method, path, data=None):
    r = client.open(path, method=method, data=data, headers=headers)
    assert r.status_code in (200, 302), (path, r.status_code)
    return r
call("GET", "/" + cfg["first"])
t2 = time.perf_counter()
out = {"init": t1 - t0, "cold_page": t2 - t0}
if cfg["warm"]:
    pages = cfg["pages"]
    for p in pages:
        call("GET", "/" + p)
    views = []
    for i in range(cfg["views"]):
        s = time.perf_counter(); call("GET", "/" + pages[i % len(pages)])
        views.append(time.perf_counter() - s)
    saves = []
    for i in range(cfg["saves"]):
        form = {"content": f"# Save\\n\\nversion {i}\\n", "commit": f"save {i}"}
        s = time.perf_counter(); call("POST", "/" + pages[0] + "/save", form)
        saves.append(time.perf_counter() - s)
    out.update(views=views, saves=saves)
print(json.dumps(out))
"""


def page_text(i: int) -> str:
    """A ~2 KB page with a few WikiLinks."""
    body = " ".join(f"word{(i * 7 + k) % 997}" for k in range(300))
    return f"# Topic {i}\n\nSee [[Topic {(i + 1) % 1000}]] and [[Home]].\n\n{textwrap.fill(body)}\n"


def build(root: Path, pages: int) -> dict:
    """A wikibot data folder with one wiki of `pages` pages, and a stock work tree clone."""
    from wikibot.local.dev import local_settings
    from wikibot.provision import create_wiki
    from wikibot.registry import open_registry
    from wikibot.settings import to_env
    from wikibot.store import Author, GitRepo, wiki_path

    settings = local_settings(root / "data")
    registry = open_registry(settings)
    registry.create_user("bench", "bench@example.com", "Bench")
    create_wiki(settings, registry, "bench", "wiki", "Bench")
    _, token = registry.create_token("bench", "bench", "wiki")
    repo_path = wiki_path(settings.data_root, "bench", "wiki")
    repo = GitRepo(repo_path)
    author = Author("Bench", "bench@example.com", "system")
    for i in range(pages):
        data = page_text(i).encode()
        repo.commit_changes(lambda h, t, i=i, d=data: [(f"topic {i}.md", d)], author, f"p{i}")
    worktree = root / "stock"
    subprocess.run(["git", "clone", "-q", str(repo_path), str(worktree)], check=True)
    cfg = root / "stock.cfg"
    cfg.write_text(
        f"REPOSITORY = {str(worktree)!r}\nSECRET_KEY = 'x' * 32\nAUTH_METHOD = 'PROXY_HEADER'\n"
        f"SQLALCHEMY_DATABASE_URI = 'sqlite:///{root / 'stock.db'}'\nWTF_CSRF_ENABLED = False\n"
    )
    return {"env": to_env(settings), "token": token, "stock_cfg": str(cfg)}


def _run(snippet: str, env: dict, cfg: dict) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", snippet, json.dumps(cfg)],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if out.returncode != 0:
        raise RuntimeError(out.stderr[-3000:])
    return json.loads(out.stdout.strip().splitlines()[-1])


def run(pages: int = 1000, fresh: int = 7, views: int = 100, saves: int = 30) -> dict:
    """Measure both sides; returns medians in ms and the ratios wikibot/stock."""
    with tempfile.TemporaryDirectory(prefix="wikibot-web-bench-") as tmp:
        root = Path(tmp)
        built = build(root, pages)
        base = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        base["PYTHONPYCACHEPREFIX"] = str(root / "pycache")
        ours_env = {**base, **built["env"]}
        stock_env = {**base, "OTTERWIKI_SETTINGS": built["stock_cfg"]}
        names = [f"Topic {i}" for i in range(0, pages, max(1, pages // 20))][:20]
        cfg = {"token": built["token"], "first": names[len(names) // 2], "pages": names}
        results: dict[str, dict[str, list[float]]] = {"wikibot": {}, "stock": {}}
        for side, snippet, env in (
            ("wikibot", SNIPPET_OURS, ours_env),
            ("stock", SNIPPET_STOCK, stock_env),
        ):
            _run(snippet, env, {**cfg, "warm": False})  # writes the bytecode; not timed
            for _ in range(fresh):
                got = _run(snippet, env, {**cfg, "warm": False})
                for key in ("init", "cold_page"):
                    results[side].setdefault(key, []).append(got[key])
            got = _run(snippet, env, {**cfg, "warm": True, "views": views, "saves": saves})
            results[side]["warm_view"] = got["views"]
            results[side]["warm_save"] = got["saves"]
    medians = {
        side: {k: round(statistics.median(v) * 1000, 2) for k, v in data.items()}
        for side, data in results.items()
    }
    ratios = {k: round(medians["wikibot"][k] / medians["stock"][k], 3) for k in medians["stock"]}
    return {"pages": pages, "ms_p50": medians, "ratio": ratios}


def test_bench_harness_runs_small(tmp_path):
    result = run(pages=12, fresh=1, views=3, saves=2)
    assert set(result["ms_p50"]["wikibot"]) == {"init", "cold_page", "warm_view", "warm_save"}
    assert all(v > 0 for v in result["ms_p50"]["stock"].values())


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--fresh", type=int, default=7)
    args = parser.parse_args()
    print(json.dumps(run(args.pages, args.fresh), indent=2))
