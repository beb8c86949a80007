"""Properties of the edge-cache simulation (tools/benchkit/cachesim.py)."""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
from pathlib import Path

import pytest

SOURCE = Path(__file__).resolve().parents[2] / "tools" / "benchkit" / "cachesim.py"
_spec = importlib.util.spec_from_file_location("cachesim", SOURCE)
cachesim = importlib.util.module_from_spec(_spec)
sys.modules["cachesim"] = cachesim  # dataclasses look their module up here
_spec.loader.exec_module(cachesim)

# Small but busy enough that every TTL sees hits and stale reads.
SMALL = ["--wikis", "20", "--min-views", "300", "--max-views", "3000", "--max-pages", "200",
         "--write-ratio", "0.05"]


def simulate(*extra: str) -> dict:
    parser = argparse.ArgumentParser()
    cachesim.add_arguments(parser)
    return cachesim.run(parser.parse_args([*SMALL, *extra]))


def rows(result: dict, key: str, invalidate: bool = False) -> list[dict]:
    return [r for r in result["results"] if r["key"] == key and r["invalidate"] == invalidate]


def test_ttl_zero_never_hits_and_every_read_reaches_the_origin():
    result = simulate("--ttls", "0")
    for key in ("shared", "session"):
        (row,) = rows(result, key)
        assert row["hit_ratio"] == 0
        assert row["origin_requests_per_day"] == result["reads"]
        assert row["stale_ratio"] == 0


@pytest.mark.parametrize("key", ["shared", "session"])
def test_hit_ratio_never_falls_as_the_ttl_grows(key):
    result = simulate("--ttls", "0,5,30,60,120,300,3600", "--pops", "3")
    ratios = [r["hit_ratio"] for r in rows(result, key)]
    assert ratios == sorted(ratios)
    assert ratios[-1] > ratios[0] == 0
    origin = [r["origin_requests_per_day"] for r in rows(result, key)]
    assert origin == sorted(origin, reverse=True)


def test_same_seed_same_result_other_seed_other_result():
    assert simulate("--seed", "7") == simulate("--seed", "7")
    assert simulate("--seed", "7")["results"] != simulate("--seed", "8")["results"]


@pytest.mark.parametrize("ttl", [30, 60, 300])
def test_writes_bound_staleness_by_the_ttl(ttl):
    result = simulate("--ttls", str(ttl))
    for key in ("shared", "session"):
        (row,) = rows(result, key)
        assert row["stale_ratio"] > 0, "the workload must produce stale hits to test the bound"
        assert 0 < row["max_staleness_s"] <= ttl


def test_invalidate_on_write_serves_nothing_stale_and_pays_one_path_per_write():
    result = simulate("--ttls", "60")
    for key in ("shared", "session"):
        (row,) = rows(result, key, invalidate=True)
        assert row["stale_ratio"] == 0
        assert row["max_staleness_s"] == 0
        assert row["invalidation_paths_per_day"] == result["writes"]
        (plain,) = rows(result, key)
        assert row["hit_ratio"] > plain["hit_ratio"]


def test_a_session_in_the_cache_key_splits_the_cache():
    result = simulate("--ttls", "60,300")
    shared, session = rows(result, "shared"), rows(result, "session")
    for a, b in zip(shared, session, strict=True):
        assert b["hit_ratio"] < a["hit_ratio"]


def test_invalidation_price_arithmetic():
    # 1,000 wikis x 5 writes a day x 30 days, one path each.
    assert cachesim.invalidation_cost_usd(1_000 * 5 * 30) == pytest.approx(745.0)
    assert cachesim.invalidation_cost_usd(1_000) == 0
    assert cachesim.invalidation_cost_usd(45_000) == pytest.approx(220.0)


def test_cli_prints_json_and_refuses_bad_input(capsys):
    assert cachesim.main([*SMALL, "--ttls", "0,60", "--json", "--seed", "3"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert {r["policy"] for r in out["results"]} == {"ttl=0", "ttl=60", "invalidate+ttl=86400"}
    assert out["params"]["seed"] == 3
    with pytest.raises(SystemExit) as exc:
        cachesim.main(["--min-views", "50", "--max-views", "10"])
    assert exc.value.code == 2
    assert "--min-views" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exc:
        cachesim.main(["--ttls", "30,soon"])
    assert exc.value.code == 2
