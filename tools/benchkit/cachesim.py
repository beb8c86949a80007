"""Edge-cache simulation for wiki page HTML: hit ratio and origin load by TTL.

Replays one synthetic access log through a model of CloudFront's page cache, once per policy:
a plain TTL (0, 30, 60, 300 s by default) and, for comparison, a long TTL with an invalidation
on every write. The log is generated from a seeded RNG (stdlib only), so a seed gives the same
numbers on any machine.

Workload model (every knob is a flag):
- `--wikis` wikis; page views per wiki per day drawn log-uniformly from `--min-views` to
  `--max-views` (a few very busy wikis, many quiet ones: light to heavy);
- pages per wiki log-uniform from `--min-pages` to `--max-pages`, page popularity Zipf(`--zipf`);
- writes (web saves, MCP writes, git pushes alike) = views x `--write-ratio`, on pages drawn from
  the same Zipf (what is read is what gets edited); reads far outnumber writes;
- readers per wiki about sqrt(views/day), capped at `--max-viewers`, their activity Zipf too;
  each reader is served by one of `--pops` edge locations, each with its own cache;
- arrivals uniform over the day (no diurnal peak; a peak would raise hit ratios).

Two cache keys are reported. `shared`: one entry per page (anonymous readers of a public wiki).
`session`: the `wikibot_session` cookie is part of the key (what terraform/modules/edge does),
so each signed-in reader has their own entries. Invalidation is by path: it drops every
variant of the page at once and is modelled as instantaneous (CloudFront's takes seconds).

Usage: uv run python tools/benchkit/cachesim.py [--seed 1] [--json]
Also `tools/bench cache` (BENCH registers `add_arguments` and `run`).
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
from dataclasses import dataclass, field

DAY_S = 86_400
READ, WRITE = 0, 1

# CloudFront invalidation price (https://aws.amazon.com/cloudfront/pricing/, checked 2026-11-27):
# the first 1,000 paths a month are free, then $0.005 per path.
FREE_INVALIDATION_PATHS = 1_000
USD_PER_INVALIDATION_PATH = 0.005

# Traffic tiers for the per-tier breakdown (page views per wiki per day).
TIERS = (("light", 0, 100), ("medium", 100, 1_000), ("heavy", 1_000, math.inf))


@dataclass(frozen=True)
class Wiki:
    """One simulated wiki: its size and traffic."""

    pages: int
    views_per_day: float
    writes_per_day: float
    viewers: int

    @property
    def tier(self) -> str:
        """The traffic tier name this wiki falls into."""
        return next(name for name, lo, hi in TIERS if lo <= self.views_per_day < hi)


@dataclass
class Tally:
    """Counters of one replay."""

    reads: int = 0
    hits: int = 0
    stale_hits: int = 0
    max_staleness_s: float = 0.0
    invalidation_paths: int = 0
    tier_reads: dict[str, int] = field(default_factory=dict)
    tier_hits: dict[str, int] = field(default_factory=dict)


def invalidation_cost_usd(paths_per_month: float) -> float:
    """Monthly CloudFront invalidation charge for this many paths."""
    return max(0.0, paths_per_month - FREE_INVALIDATION_PATHS) * USD_PER_INVALIDATION_PATH


def log_uniform(rng: random.Random, lo: float, hi: float) -> float:
    """A value between lo and hi whose logarithm is uniform (many small, few large)."""
    return math.exp(rng.uniform(math.log(lo), math.log(hi)))


def random_round(rng: random.Random, mean: float) -> int:
    """Round a mean count up or down at random, so the expected value stays `mean`."""
    whole = int(mean)
    return whole + (rng.random() < mean - whole)


def zipf_cum_weights(n: int, s: float) -> list[float]:
    """Cumulative Zipf(s) weights for ranks 1..n, for `random.choices`."""
    total, out = 0.0, []
    for rank in range(1, n + 1):
        total += rank**-s
        out.append(total)
    return out


def make_population(rng: random.Random, args: argparse.Namespace) -> list[Wiki]:
    """Draw the wikis: size, daily views and writes, number of readers."""
    wikis = []
    for _ in range(args.wikis):
        views = log_uniform(rng, args.min_views, args.max_views)
        viewers = max(1, min(args.max_viewers, round(math.sqrt(views))))
        pages = round(log_uniform(rng, args.min_pages, args.max_pages))
        wikis.append(Wiki(pages, views, views * args.write_ratio, viewers))
    return wikis


def wiki_log(rng: random.Random, wiki: Wiki, args: argparse.Namespace) -> list[tuple]:
    """The time-ordered events of one wiki: (time_s, kind, page, viewer, pop)."""
    duration = args.days * DAY_S
    pages = zipf_cum_weights(wiki.pages, args.zipf)
    readers = zipf_cum_weights(wiki.viewers, args.zipf)
    pop_of = [rng.randrange(args.pops) for _ in range(wiki.viewers)]
    n_reads = random_round(rng, wiki.views_per_day * args.days)
    n_writes = random_round(rng, wiki.writes_per_day * args.days)
    read_pages = rng.choices(range(wiki.pages), cum_weights=pages, k=n_reads)
    read_viewers = rng.choices(range(wiki.viewers), cum_weights=readers, k=n_reads)
    write_pages = rng.choices(range(wiki.pages), cum_weights=pages, k=n_writes)
    events = [
        (rng.uniform(0, duration), READ, page, viewer, pop_of[viewer])
        for page, viewer in zip(read_pages, read_viewers, strict=True)
    ]
    events += [(rng.uniform(0, duration), WRITE, page, -1, -1) for page in write_pages]
    events.sort()
    return events


def replay(
    log: list[tuple], tier: str, ttl_s: float, key: str, invalidate: bool, tally: Tally
) -> None:
    """Run one wiki's events through an edge cache and add the outcome to `tally`.

    A read is a hit when its key holds an unexpired entry (and, with invalidation, one made
    since the page's last write). A hit is stale when the page changed after the entry was
    made; its staleness is the time since the first such change.
    """
    cache: dict[tuple, tuple[float, int]] = {}  # key -> (expires_at, page version cached)
    writes: dict[int, list[float]] = {}  # page -> times of its writes (version = count)
    reads = hits = 0
    for time_s, kind, page, viewer, pop in log:
        history = writes.setdefault(page, [])
        if kind == WRITE:
            history.append(time_s)
            tally.invalidation_paths += invalidate
            continue
        reads += 1
        cache_key = (page, pop, viewer if key == "session" else None)
        entry = cache.get(cache_key)
        version = len(history)
        fresh = entry is not None and time_s < entry[0]
        if fresh and invalidate and entry[1] < version:
            fresh = False  # the write's invalidation removed this entry
        if fresh:
            hits += 1
            if entry[1] < version:
                tally.stale_hits += 1
                staleness = time_s - history[entry[1]]
                tally.max_staleness_s = max(tally.max_staleness_s, staleness)
        elif ttl_s > 0:
            cache[cache_key] = (time_s + ttl_s, version)
    tally.reads += reads
    tally.hits += hits
    tally.tier_reads[tier] = tally.tier_reads.get(tier, 0) + reads
    tally.tier_hits[tier] = tally.tier_hits.get(tier, 0) + hits


def check(args: argparse.Namespace) -> None:
    """Refuse parameters the model cannot use, with a message that says why."""
    problems = []
    if args.wikis < 1:
        problems.append("--wikis must be at least 1")
    if not 0 < args.min_views <= args.max_views:
        problems.append("need 0 < --min-views <= --max-views")
    if not 1 <= args.min_pages <= args.max_pages:
        problems.append("need 1 <= --min-pages <= --max-pages")
    if not 0 <= args.write_ratio <= 1:
        problems.append("--write-ratio must be between 0 and 1")
    if args.zipf <= 0:
        problems.append("--zipf must be positive")
    if args.max_viewers < 1 or args.pops < 1:
        problems.append("--max-viewers and --pops must be at least 1")
    if args.days <= 0:
        problems.append("--days must be positive")
    if any(t < 0 for t in args.ttls) or args.invalidate_ttl <= 0:
        problems.append("TTLs must be >= 0 and --invalidate-ttl > 0")
    if problems:
        raise ValueError("; ".join(problems))


def ttl_list(text: str) -> list[int]:
    """Parse "0,30,60,300" into integers (argparse type)."""
    try:
        return [int(part) for part in text.split(",") if part.strip()]
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a comma-separated list of seconds: {text}") from exc


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the simulation's options to a parser (also used by `tools/bench cache`)."""
    add = parser.add_argument
    add("--seed", type=int, default=1, help="RNG seed; same seed, same numbers (default 1)")
    add("--wikis", type=int, default=300, help="number of wikis (default 300)")
    add("--days", type=float, default=1.0, help="simulated days (default 1)")
    add("--min-views", type=float, default=10, help="page views/day of the quietest wiki (10)")
    add("--max-views", type=float, default=5000, help="page views/day of the busiest wiki (5000)")
    add("--min-pages", type=int, default=20, help="pages in the smallest wiki (20)")
    add("--max-pages", type=int, default=1000, help="pages in the largest wiki (1000)")
    add("--zipf", type=float, default=1.1, help="Zipf exponent of page/reader popularity (1.1)")
    add("--write-ratio", type=float, default=0.02, help="writes per page view (0.02)")
    add("--max-viewers", type=int, default=25, help="cap on readers per wiki (25)")
    add("--pops", type=int, default=1, help="edge locations with separate caches (1)")
    add("--ttls", type=ttl_list, default=[0, 30, 60, 300], help="TTLs in s (0,30,60,300)")
    add(
        "--invalidate-ttl",
        type=int,
        default=DAY_S,
        help="TTL used with invalidate-on-write (default 86400)",
    )
    add("--json", action="store_true", help="print one JSON object instead of a table")


def run(args: argparse.Namespace) -> dict:
    """Generate the log once, replay it for every policy and key, return the results."""
    check(args)
    rng = random.Random(args.seed)
    wikis = make_population(rng, args)
    logs = [(wiki.tier, wiki_log(rng, wiki, args)) for wiki in wikis]
    policies = [(f"ttl={t}", t, False) for t in args.ttls]
    policies.append((f"invalidate+ttl={args.invalidate_ttl}", args.invalidate_ttl, True))
    results = []
    for name, ttl_s, invalidate in policies:
        for key in ("shared", "session"):
            tally = Tally()
            for tier, log in logs:
                replay(log, tier, ttl_s, key, invalidate, tally)
            results.append(summarise(name, ttl_s, key, invalidate, tally, args.days))
    reads = sum(1 for _, log in logs for event in log if event[1] == READ)
    writes = sum(1 for _, log in logs for event in log if event[1] == WRITE)
    paths_per_month = writes / args.days * 30
    return {
        "params": {k: v for k, v in vars(args).items() if k not in {"json", "func", "command"}},
        "wikis_by_tier": {name: sum(w.tier == name for w in wikis) for name, _, _ in TIERS},
        "reads": reads,
        "writes": writes,
        "results": results,
        "invalidation": {
            "paths_per_month": round(paths_per_month),
            "usd_per_month": round(invalidation_cost_usd(paths_per_month), 2),
            "note": "one path per write; a write also changes history, changelog, index "
            "and backlinking pages, so real invalidations would be more",
        },
    }


def summarise(
    name: str, ttl_s: float, key: str, invalidate: bool, tally: Tally, days: float
) -> dict:
    """Turn one replay's counters into the reported numbers."""

    def ratio(a: int, b: int) -> float:
        return round(a / b, 4) if b else 0.0

    return {
        "policy": name,
        "ttl_s": ttl_s,
        "invalidate": invalidate,
        "key": key,
        "hit_ratio": ratio(tally.hits, tally.reads),
        "origin_requests_per_day": round((tally.reads - tally.hits) / days),
        "stale_ratio": ratio(tally.stale_hits, tally.reads),
        "max_staleness_s": round(tally.max_staleness_s, 1),
        "invalidation_paths_per_day": round(tally.invalidation_paths / days),
        "hit_ratio_by_tier": {
            tier: ratio(tally.tier_hits.get(tier, 0), n) for tier, n in tally.tier_reads.items()
        },
    }


def table(result: dict) -> str:
    """Markdown table of the results (the form docs/cdn.md records)."""
    lines = [
        "| policy | cache key | hit ratio | origin req/day | stale reads | max staleness s "
        "| hit ratio light / medium / heavy |",
        "|---|---|---:|---:|---:|---:|---|",
    ]
    for r in result["results"]:
        tiers = r["hit_ratio_by_tier"]
        by_tier = " / ".join(f"{tiers.get(name, 0):.2f}" for name, _, _ in TIERS)
        lines.append(
            f"| {r['policy']} | {r['key']} | {r['hit_ratio']:.3f} | "
            f"{r['origin_requests_per_day']:,} | {r['stale_ratio']:.2%} | "
            f"{r['max_staleness_s']:g} | {by_tier} |"
        )
    inv = result["invalidation"]
    lines.append("")
    lines.append(
        f"{result['reads']:,} page views and {result['writes']:,} writes; wikis light/medium/"
        f"heavy: {'/'.join(str(v) for v in result['wikis_by_tier'].values())}. "
        f"Invalidate-on-write: {inv['paths_per_month']:,} paths/month = "
        f"${inv['usd_per_month']:,.2f}/month."
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(
        prog="cachesim",
        description="Simulate CloudFront's page-HTML cache over a synthetic access log: "
        "edge hit ratio, origin requests and staleness for several TTLs and for "
        "invalidate-on-write.",
    )
    add_arguments(parser)
    args = parser.parse_args(argv)
    try:
        result = run(args)
    except ValueError as exc:
        parser.error(str(exc))
    print(json.dumps(result, indent=2) if args.json else table(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
