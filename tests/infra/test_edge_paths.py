"""CloudFront's `/*/mcp` and `/*.git/*` patterns over-match; the session check makes them exact.

`*` in a CloudFront path pattern also matches "/", so a deeper page named `mcp`
(`/alice/notes/Projects/mcp`) falls into the MCP behaviour. Those behaviours therefore run the
session-check function, which passes exactly `/{user}/{wiki}/mcp` and `/{user}/{wiki}.git/...`
and asks for a session everywhere else.
"""

from __future__ import annotations

import time
from fnmatch import fnmatchcase

import pytest
from hcl import MODULES, labelled, parse_dir
from test_edge import KEY, _run, bundle  # noqa: F401 - `bundle` is a fixture used below

from wikibot.auth import session

EDGE = parse_dir(MODULES / "edge")


def _distribution() -> dict:
    return next(b for t, _, b in labelled(EDGE, "resource") if t == "aws_cloudfront_distribution")


def test_token_path_behaviours_run_the_session_check():
    locals_ = {k: v for block in EDGE["locals"] for k, v in block.items()}
    checked = locals_["session_checked_paths"]
    assert checked == ["/*/mcp", "/*.git/*"]
    assert set(checked) <= set(locals_["uncached_paths"])
    behaviour = _distribution()["dynamic"][0]["ordered_cache_behavior"]["content"][0]
    association = behaviour["dynamic"][0]["function_association"]
    assert "session_checked_paths" in association["for_each"]
    assert association["content"][0]["event_type"] == "viewer-request"


OVERMATCHED = [
    "/alice/notes/Projects/mcp",
    "/alice/notes/a/b/mcp",
    "/alice/notes/Docs/x.git/info/refs",
]


@pytest.mark.parametrize("engine", ["njs", "node"])
def test_deeper_pages_matched_by_the_patterns_still_need_a_session(engine, bundle):  # noqa: F811
    for uri in OVERMATCHED:  # CloudFront would route these to the token-path behaviours
        assert fnmatchcase(uri, "/*/mcp") or fnmatchcase(uri, "/*.git/*"), uri
    good = session.mint("alice", KEY, now=int(time.time()))
    cases = (
        [{"name": f"anon:{u}", "method": "GET", "uri": u, "cookie": None} for u in OVERMATCHED]
        + [{"name": f"session:{u}", "method": "GET", "uri": u, "cookie": good} for u in OVERMATCHED]
        + [
            {"name": "mcp", "method": "POST", "uri": "/alice/notes/mcp", "cookie": None},
            {"name": "git", "method": "GET", "uri": "/alice/notes.git/info/refs", "cookie": None},
        ]
    )
    results = _run(engine, bundle, {"key": KEY, "cases": cases})
    for uri in OVERMATCHED:
        assert results[f"anon:{uri}"]["action"] == "refuse", uri
        assert results[f"session:{uri}"]["action"] == "pass", uri
    assert results["mcp"]["action"] == "pass" and results["git"]["action"] == "pass"
