"""tools/release builds Lambda zips that run in a Lambda-like Python 3.12 (only boto3 besides).

Lane: `release` (slow: the zips are built once per session, about a minute each on a quiet
machine; `uv run pytest -m release`). Each zip is unpacked into a fresh folder and imported by a
clean `uv venv --python 3.12` that holds only boto3, with PYTHONPATH at the folder as Lambda's
/var/task; a spy on the source compiler proves the shipped .pyc are used, not recompiled.
"""

from __future__ import annotations

import importlib.util
import json
import os
import platform
import shutil
import struct
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
RELEASE = ROOT / "tools" / "release"
EVENTS = ROOT / "tests" / "events"
HOST_ARCH = {"x86_64": "x86_64", "aarch64": "arm64", "arm64": "arm64"}[platform.machine()]
FUNCTIONS = ("mcp", "wiki", "platform")
HANDLERS = {
    "mcp": "wikibot.mcp.handler",
    "wiki": "wikibot.web.handler",
    "platform": "wikibot.platform.handler",
}
# Handlers written by other engineers land over time; the test covers those that exist.
PRESENT = [fn for fn, mod in HANDLERS.items() if importlib.util.find_spec(mod.rsplit(".", 1)[0])
           and (ROOT / "lambdas" / (mod.replace(".", "/") + ".py")).exists()]  # fmt: skip
# What each function must be able to import from its zip (beyond its handler).
IMPORTS = {
    "mcp": ["rsa", "dulwich.repo", "yaml", "jwt", "aws_xray_sdk.core"],
    "wiki": ["flask", "otterwiki", "apig_wsgi", "PIL.Image", "PIL.WebPImagePlugin", "rsa",
             "dulwich.repo", "yaml", "jwt", "aws_xray_sdk.core"],
    "platform": ["workos", "wikibot.provision", "dulwich.repo", "yaml", "jwt",
                 "aws_xray_sdk.core"],
}  # fmt: skip
VERSIONS = {"mcp": ["dulwich", "pyjwt", "rsa"], "wiki": ["otterwiki", "flask"],
            "platform": ["workos", "dulwich"]}  # fmt: skip
# Never in the wiki zip (decision 0013): replaced by wikibot.web (minidb, storage, feed), or
# only reachable through those, or build tools. Top-level import names.
WIKI_DROPPED = {"sqlalchemy", "flask_sqlalchemy", "greenlet", "git", "gitdb", "smmap", "Cython",
                "cython", "cryptography", "cffi", "_cffi_backend", "pycparser", "lxml", "feedgen",
                "dateutil"}  # fmt: skip
SESSION = Path(__file__).with_name("release_session.py")

pytestmark = [pytest.mark.release, pytest.mark.timeout(1800)]

PROBE = r"""
import importlib, importlib.machinery, importlib.metadata, json, sys, time
compiled = []
_source_to_code = importlib.machinery.SourceFileLoader.source_to_code
def spy(self, data, path, *args, **kwargs):
    compiled.append(str(path))
    return _source_to_code(self, data, path, *args, **kwargs)
importlib.machinery.SourceFileLoader.source_to_code = spy
request = json.loads(sys.argv[1])
out = {"origins": {}, "versions": {}}
for name in request["imports"]:
    out["origins"][name] = importlib.import_module(name).__file__
for dist in request["versions"]:
    out["versions"][dist] = importlib.metadata.version(dist)
jwt_algorithms = importlib.import_module("jwt.algorithms")
out["jwt_crypto"] = jwt_algorithms.has_crypto
if request.get("handler"):
    started = time.perf_counter()
    module = importlib.import_module(request["handler"])
    out["init_ms"] = (time.perf_counter() - started) * 1000
    out["origins"][request["handler"]] = module.__file__
    class Context:
        function_name = "probe"
        function_version = "$LATEST"
        memory_limit_in_mb = 1024
        aws_request_id = "00000000-0000-0000-0000-000000000001"
        invoked_function_arn = "arn:aws:lambda:eu-west-1:123456789012:function:probe"
        log_group_name = "/aws/lambda/probe"
        log_stream_name = "probe"
        def get_remaining_time_in_millis(self):
            return 30000
    out["response"] = module.handler(request["event"], Context())
out["compiled"] = compiled
out["boto3"] = importlib.import_module("boto3").__file__
print("PROBE" + json.dumps(out, default=str))
"""


def release_lib(module: str):
    """A module of tools/release_lib (tools/ is not a package on the test path)."""
    import importlib

    if str(ROOT / "tools") not in sys.path:
        sys.path.insert(0, str(ROOT / "tools"))
    return importlib.import_module(f"release_lib.{module}")


def run_release(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(RELEASE), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=1500,
        check=False,
    )


_snapshot: list[Path] = []


def snapshot(tmp_path_factory) -> Path:
    """The wikibot package as it is now, so both builds ship the same sources even while
    engineers keep editing lambdas/ (the MCP manifest step runs first, as tools/release does)."""
    if not _snapshot:
        sys.path.insert(0, str(ROOT / "tools"))
        from release_lib.build import PACKAGE, run_manifest_step

        run_manifest_step(lambda _: None)
        folder = tmp_path_factory.mktemp("source") / "wikibot"
        shutil.copytree(PACKAGE, folder, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        _snapshot.append(folder)
    return _snapshot[0]


@pytest.fixture(scope="session")
def release(tmp_path_factory) -> tuple[dict, Path]:
    # RELEASE_BUILD_DIR reuses zips built by `tools/release --arch <host> --out DIR` (iterating
    # on these tests); CI always builds afresh.
    reuse = os.environ.get("RELEASE_BUILD_DIR")
    if reuse:
        return json.loads((Path(reuse) / "release.json").read_text()), Path(reuse)
    out = tmp_path_factory.mktemp("release")
    proc = run_release("--arch", HOST_ARCH, "--out", str(out), "--json", "--quiet",
                       "--source", str(snapshot(tmp_path_factory)))  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-4000:]
    manifest = json.loads(proc.stdout)
    assert manifest == json.loads((out / "release.json").read_text())
    return manifest, out


@pytest.fixture(scope="session")
def lambda_python(tmp_path_factory) -> Path:
    """A clean Python 3.12 with only boto3 (the locked version), as the Lambda runtime has."""
    venv = tmp_path_factory.mktemp("lambda-runtime") / "venv"
    subprocess.run(["uv", "venv", "--quiet", "--python", "3.12", str(venv)], check=True)
    lock = tomllib.loads((ROOT / "uv.lock").read_text())
    locked = {p["name"]: p["version"] for p in lock["package"]}
    subprocess.run(
        ["uv", "pip", "install", "--quiet", "--compile-bytecode",
         "--python", str(venv / "bin" / "python"), f"boto3=={locked['boto3']}"],
        check=True,
    )  # fmt: skip
    return venv / "bin" / "python"


@pytest.fixture(scope="session")
def wiki_env(tmp_path_factory) -> tuple[dict, str]:
    """WIKIBOT_* settings of a data folder with alice/notes and an API token for it."""
    from wikibot.local.dev import local_settings
    from wikibot.provision import create_wiki
    from wikibot.registry import open_registry
    from wikibot.settings import to_env

    settings = local_settings(tmp_path_factory.mktemp("lambda-data") / "data")
    registry = open_registry(settings)
    registry.create_user("alice", "alice@example.com", "Alice")
    create_wiki(settings, registry, "alice", "notes", "Notes")
    _, token = registry.create_token("alice", "alice", "notes")
    return to_env(settings), token


@pytest.fixture(scope="session")
def unpacked(release, tmp_path_factory) -> dict[str, Path]:
    manifest, out = release
    folders = {}
    for fn in manifest["functions"]:
        task = tmp_path_factory.mktemp(f"task-{fn}")
        with zipfile.ZipFile(out / f"{fn}.zip") as zf:
            zf.extractall(task)  # mtimes become "now": only unchecked-hash .pyc stay valid
        folders[fn] = task
    return folders


def sample_event(function: str, token: str) -> dict:
    if function == "mcp":
        event = json.loads((EVENTS / "apigw_v2_post_mcp.json").read_text())
        event["headers"]["authorization"] = f"Bearer {token}"
        return event
    if function == "wiki":
        event = json.loads((EVENTS / "apigw_v2_get_page.json").read_text())
        event.pop("cookies", None)
        event["rawQueryString"] = ""
        event.pop("queryStringParameters", None)
        event["headers"]["authorization"] = f"Bearer {token}"
        return event
    # platform: the management API's OpenAPI document, through the same API Gateway shape.
    event = json.loads((EVENTS / "apigw_v2_get_page.json").read_text())
    event.pop("cookies", None)
    event.pop("queryStringParameters", None)
    event.update(rawPath="/api/openapi.json", rawQueryString="")
    event["requestContext"]["http"]["path"] = "/api/openapi.json"
    return event


def probe(python: Path, task: Path, env: dict, request: dict) -> dict:
    clean = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "TMPDIR")}
    proc = subprocess.run(
        [str(python), "-c", PROBE, json.dumps(request)],
        capture_output=True,
        text=True,
        cwd=task,
        env={**clean, **env, "PYTHONPATH": str(task), "PYTHONNOUSERSITE": "1"},
        timeout=300,
        check=False,
    )
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("PROBE")]
    assert proc.returncode == 0 and lines, proc.stderr[-4000:]
    return json.loads(lines[-1][len("PROBE") :])


def test_build_is_reproducible(release, tmp_path, tmp_path_factory):
    # First in the file, so the two builds run back to back (same sources on disk).
    manifest, _ = release
    again = run_release("--arch", HOST_ARCH, "--out", str(tmp_path), "--json", "--quiet",
                        "--source", str(snapshot(tmp_path_factory)))  # fmt: skip
    assert again.returncode == 0, again.stderr[-4000:]
    second = json.loads(again.stdout)
    for fn, entry in manifest["functions"].items():
        if second["functions"][fn]["sha256"] != entry["sha256"]:
            a = zipfile.ZipFile(entry["file"])
            b = zipfile.ZipFile(tmp_path / f"{fn}.zip")
            differ = [n for n in a.namelist() if n not in b.namelist() or a.read(n) != b.read(n)]
            pytest.fail(f"{fn}: two builds differ in {differ[:10]}")


def pyc_for(source: str) -> str:
    folder, _, name = source.rpartition("/")
    cached = f"__pycache__/{name.removesuffix('.py')}.cpython-312.pyc"
    return f"{folder}/{cached}" if folder else cached


@pytest.mark.parametrize("function", FUNCTIONS)
def test_zip_layout(release, function):
    build = release_lib("build")
    manifest, out = release
    entry = manifest["functions"][function]
    path = out / f"{function}.zip"
    assert entry["key"] == f"wikibot/{function}/{entry['sha256']}.zip"
    with zipfile.ZipFile(path) as zf:
        infos = zf.infolist()
        names = [i.filename for i in infos]
        assert names == sorted(names)
        assert {i.date_time for i in infos} == {(1980, 1, 1, 0, 0, 0)}
        assert {i.external_attr >> 16 for i in infos} == {0o100644}
        tops = {n.split("/", 1)[0] for n in names}
        assert not tops & {"boto3", "botocore", "s3transfer", "bin", "Cython", "cython"}
        assert "wikibot" in tops
        parts = [set(n.split("/")[1:-1]) for n in names]
        assert not any(p & {"tests", "test"} for p in parts)
        assert not [n for n in names if n.endswith(("/RECORD", ".pyi", ".pyx", ".c"))]
        pycs = [n for n in names if n.endswith(".pyc")]
        # PEP 552 header: flags 0b01 = hash-based, source not checked.
        flags = {struct.unpack("<I", zf.read(n)[4:8])[0] for n in pycs[:: max(1, len(pycs) // 200)]}
        assert flags == {1}
        keep = build.KEEP_SOURCES
        sources = [n for n in names if n.endswith(".py")]
        compiled = set(pycs)
        # Third-party modules ship sourceless: x.pyc where x.py was, no __pycache__.
        sourceless = [n for n in pycs if "/__pycache__/" not in n and not n.startswith(keep)]
        assert len(sourceless) > 200
        assert not [s for s in sources if not s.startswith(keep) and s not in entry["not_compiled"]]
        # wikibot (and the Otterwiki file it reads as text) keep sources beside __pycache__.
        kept = [s for s in sources if s.startswith(keep)]
        assert any(s.startswith("wikibot/") for s in kept)
        assert not [s for s in kept if pyc_for(s) not in compiled]
        assert all(n.endswith(".cpython-312.pyc") for n in pycs if "/__pycache__/" in n)
    assert entry["zipped_bytes"] == path.stat().st_size
    assert entry["unzipped_bytes"] > entry["zipped_bytes"]
    assert entry["top"][0]["unzipped"] >= entry["top"][-1]["unzipped"]


@pytest.mark.parametrize("function", FUNCTIONS)
def test_dependencies_import_from_the_zip(function, release, unpacked, lambda_python, wiki_env):
    env, _ = wiki_env
    got = probe(
        lambda_python,
        unpacked[function],
        env,
        {"imports": IMPORTS[function], "versions": VERSIONS[function]},
    )
    task = str(unpacked[function])
    assert all(origin.startswith(task) for origin in got["origins"].values()), got["origins"]
    assert not got["boto3"].startswith(task), "boto3 comes from the runtime, not the zip"
    packages = {p.split("==")[0] for p in release[0]["functions"][function]["packages"]}
    # PyJWT finds cryptography exactly where it ships; RS256 elsewhere uses the pure-Python rsa.
    assert got["jwt_crypto"] is ("cryptography" in packages)
    if function == "wiki":
        assert "cryptography" not in packages and "rsa" in packages
    assert all(got["versions"].values())
    assert [path for path in got["compiled"] if path.startswith(task)] == []


@pytest.mark.parametrize("function", PRESENT)
def test_handler_answers_an_api_gateway_event(function, unpacked, lambda_python, wiki_env):
    env, token = wiki_env
    got = probe(
        lambda_python,
        unpacked[function],
        env,
        {"imports": [], "versions": [], "handler": HANDLERS[function],
         "event": sample_event(function, token)},
    )  # fmt: skip
    assert got["origins"][HANDLERS[function]].startswith(str(unpacked[function]))
    task = str(unpacked[function])
    compiled = [path for path in got["compiled"] if path.startswith(task)]
    assert compiled == [], "modules of the zip were compiled from source at run time"
    response = got["response"]
    if function == "mcp":
        assert response["statusCode"] == 200, response
        tools = [t["name"] for t in json.loads(response["body"])["result"]["tools"]]
        assert {"read_note", "write_note"} <= set(tools)
    elif function == "wiki":
        assert response["statusCode"] == 200, response
        assert "Home" in response["body"]
    else:
        assert response["statusCode"] == 200, response
        assert json.loads(response["body"])["openapi"].startswith("3.")


def test_wiki_zip_holds_none_of_the_dropped_packages(release):
    manifest, out = release
    with zipfile.ZipFile(out / "wiki.zip") as zf:
        names = zf.namelist()
    tops = {n.split("/", 1)[0].split(".", 1)[0] for n in names}
    assert not tops & WIKI_DROPPED
    # Served from S3 through CloudFront; the Lambda keeps only what Otterwiki reads from disk.
    static = {n for n in names if n.startswith("otterwiki/static/")}
    assert static and all(n.startswith(("otterwiki/static/custom/", "otterwiki/static/img/"))
                          for n in static)  # fmt: skip
    assert not [n for n in names if n.startswith(("otterwiki/static/js/", "otterwiki/static/css/"))]
    pillow = {n.rsplit("/", 1)[-1].split(".", 1)[0] for n in names if n.startswith("PIL/_")}
    assert {"_imaging", "_webp"} <= pillow and not pillow & {"_avif", "_imagingft", "_imagingcms"}
    assert not [n for n in names if "libavif" in n or "libfreetype" in n or "liblcms2" in n]
    # The static files are collected for the upload instead (release.json, `static`).
    assert manifest["static"]["prefix"] == "_static/otterwiki-2.26.1/"
    assert "css/otterwiki.css" in manifest["static"]["files"]
    assert (out / manifest["static"]["folder"] / "css" / "otterwiki.css").is_file()


def test_size_targets_are_reported_and_met(release):
    manifest, _ = release
    functions = manifest["functions"]
    assert functions["wiki"]["target_bytes"] == 15_000_000
    assert functions["mcp"]["target_bytes"] == 8_000_000
    assert functions["wiki"]["within_target"] is True, functions["wiki"]["zipped_bytes"]
    assert functions["mcp"]["within_target"] is True, functions["mcp"]["zipped_bytes"]
    assert functions["platform"]["target_bytes"] is None


def test_wiki_session_from_the_zip(unpacked, lambda_python, wiki_env):
    """Pages, an edit, feeds, thumbnails, a git clone and a push; the dropped modules refused."""
    env, token = wiki_env
    task = unpacked["wiki"]
    clean = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "TMPDIR")}
    proc = subprocess.run(
        [str(lambda_python), str(SESSION), token],
        capture_output=True, text=True, cwd=task, timeout=300, check=False,
        env={**clean, **env, "PYTHONPATH": str(task), "PYTHONNOUSERSITE": "1"},
    )  # fmt: skip
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("SESSION")]
    assert proc.returncode == 0 and lines, proc.stderr[-4000:]
    got = json.loads(lines[-1][len("SESSION") :])
    assert not [k for k in got if k.startswith("error_")], {
        k: v for k, v in got.items() if k.startswith("error_")
    }
    assert got["view"] == [200, True]
    assert got["save"][0] == 302 and got["view_saved"] == [200, True]
    for page in ("Probe/history", "Probe/blame", "-/changelog", "-/index"):
        assert got[page] == 200, page
    assert got["feed_rss"][:2] == [200, "rss"] and got["feed_rss"][2] >= 1
    assert got["feed_atom"][:2] == [200, "{http://www.w3.org/2005/Atom}feed"]
    assert got["feedgen_feed"] == "wikibot.web.feed"
    for fmt, mime in (("PNG", "png"), ("JPEG", "jpeg"), ("WEBP", "webp"), ("GIF", "gif")):
        assert got[f"thumb_{fmt}"] == [200, f"image/{mime}", fmt, [80, 40]], fmt
    assert got["pillow_features"] == {"jpg": True, "zlib": True, "webp": True, "avif": False,
                                      "freetype2": False, "littlecms2": False}  # fmt: skip
    assert got["git_refs"] == [200, True]
    assert got["git_upload_pack"] == [200, "application/x-git-upload-pack-result", True]
    assert got["git_push"] == [200, True, True] and got["view_pushed"] == [200, True]
    # Readable tracebacks: wikibot's own frames show their source lines; sourceless library
    # frames still format (file and line); Jinja2 still maps errors to template lines.
    assert got["tb_wikibot_has_source_line"] is True
    assert got["tb_sourceless_frames"] > 0 and got["tb_jinja_template_line"] is True
    # Only optional probes that the libraries handle (BeautifulSoup looks for lxml).
    assert set(got["attempted_forbidden"]) <= {"lxml"}, got["attempted_forbidden"]
    assert got["loaded_forbidden"] == []


def test_refuses_a_python_other_than_3_12(monkeypatch):
    sys.path.insert(0, str(ROOT / "tools"))
    from release_lib import build

    monkeypatch.setattr(build.sys, "version_info", (3, 13, 0, "final", 0))
    with pytest.raises(build.BuildError, match="must run on Python 3.12"):
        build.require_lambda_python()
