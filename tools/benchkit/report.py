"""Turn a benchmark report dict into targets, a text table, Markdown and an SVG latency chart."""

from __future__ import annotations

import html
import os
import platform
import subprocess
from pathlib import Path


def get(report: dict, *path: str, default: float | None = None):
    """A nested value, or `default` when any step is missing."""
    node = report
    for key in path:
        if not isinstance(node, dict) or key not in node:
            return default
        node = node[key]
    return node


def machine() -> dict:
    """What ran the benchmark."""
    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            cwd=Path(__file__).parent,
        ).stdout.strip()
    except OSError:
        commit = ""
    return {
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "cpu": cpu,
        "system": platform.platform(),
        "commit": commit,
        # Shared machines: the load says how far to trust absolute numbers.
        "load_average": [round(x, 1) for x in os.getloadavg()],
    }


def _ratio(a: float | None, b: float | None) -> float | None:
    return round(a / b, 3) if a is not None and b else None


def targets(report: dict) -> list[dict]:
    """The issues' targets with this run's values (None: not measured in this run)."""
    cold = report.get("cold_start", {})
    stock_import = get(cold, "stock_otterwiki", "pyc", "import_ms")
    stock_first = get(cold, "stock_otterwiki", "pyc", "spawn_to_answer_ms")
    rows = [
        (
            "issue 6",
            "get_history limit 10 p50, page last changed ~1,000 commits back (ms)",
            get(report, "history", "old_page", "p50_ms"),
            "<= 10",
        ),
        (
            "issue 6",
            "get_history limit 10 p50, missing page (ms)",
            get(report, "history", "missing_page", "p50_ms"),
            "<= 10",
        ),
        (
            "issue 6",
            "fresh process: store work for read_note with backlinks (ms)",
            get(cold, "store_read_backlinks", "pyc", "store_work_ms"),
            "<= 20",
        ),
        (
            "issue 7",
            "MCP INIT / stock `import otterwiki.server`",
            _ratio(get(cold, "mcp_tools_list", "pyc", "init_ms"), stock_import),
            "<= 0.15",
        ),
        (
            "issue 7",
            "fresh process -> read_note / stock import + first GET",
            _ratio(get(cold, "mcp_read_note", "pyc", "spawn_to_answer_ms"), stock_first),
            "<= 0.25",
        ),
        (
            "issue 7",
            "warm read_note p50 (ms)",
            get(report, "mcp_warm", "read_note", "p50_ms"),
            "<= 2.3 (no worse)",
        ),
        (
            "issue 7",
            "warm write_note p50 (ms)",
            get(report, "mcp_warm", "write_note_create", "p50_ms"),
            "<= 9 (no worse)",
        ),
        (
            "issue 9",
            "web INIT / stock import",
            _ratio(get(cold, "web_page", "pyc", "init_ms"), stock_import),
            "<= 0.15",
        ),
        (
            "issue 9",
            "web cold page / stock import + first GET",
            _ratio(get(cold, "web_page", "pyc", "spawn_to_answer_ms"), stock_first),
            "<= 0.35",
        ),
        (
            "issue 9",
            "web warm view p50 / stock",
            _ratio(
                get(report, "web_warm", "wikibot", "view", "p50_ms"),
                get(report, "web_warm", "stock", "view", "p50_ms"),
            ),
            "<= 0.25",
        ),
        (
            "issue 9",
            "web warm save p50 / stock",
            _ratio(
                get(report, "web_warm", "wikibot", "save", "p50_ms"),
                get(report, "web_warm", "stock", "save", "p50_ms"),
            ),
            "<= 0.25",
        ),
    ]
    for key in ("5_writers", "50_writers"):
        c = get(report, "concurrency", key)
        if c:
            rows.append(
                (
                    "issue 12",
                    f"{key.replace('_', ' ')}: acknowledged / attempted, lost",
                    f"{c['writes_acknowledged']}/{c['writes_attempted']}, "
                    f"lost {c['lost_write_check']['lost']}",
                    "all, lost 0",
                )
            )
    out = []
    for issue, name, value, target in rows:
        out.append(
            {
                "issue": issue,
                "measure": name,
                "value": value,
                "target": target,
                "met": _met(value, target),
            }
        )
    return out


def _met(value, target: str) -> bool | None:
    if value is None:
        return None
    if isinstance(value, str):
        done, _, lost = value.partition(", lost ")
        acked, _, attempted = done.partition("/")
        return acked == attempted and lost.strip() == "0"
    limit = float(target.split()[1])
    return value <= limit


def latency_rows(report: dict) -> list[tuple[str, dict]]:
    """(label, summary) for every latency distribution in the report."""
    rows: list[tuple[str, dict]] = []
    for key, label in (("store_warm", "store"), ("mcp_warm", "mcp"), ("history", "get_history")):
        for name, s in (report.get(key) or {}).items():
            if isinstance(s, dict) and "p50_ms" in s:
                rows.append((f"{label} {name}", s))
    for name, s in get(report, "mcp_tools", "tools", default={}).items():
        if s.get("n"):
            rows.append((f"tool {name}", s))
    for side in ("stock", "wikibot"):
        for op in ("view", "save"):
            s = get(report, "web_warm", side, op)
            if s:
                rows.append((f"web {side} {op}", s))
    for key, c in (report.get("concurrency") or {}).items():
        if c.get("requests", {}).get("n"):
            rows.append((f"concurrent {key.replace('_', ' ')} (per request)", c["requests"]))
    return rows


def cold_rows(report: dict) -> list[tuple[str, str, dict]]:
    """(case, bytecode mode, medians) for the fresh-process scenarios."""
    return [
        (case, mode, m)
        for case, modes in (report.get("cold_start") or {}).items()
        for mode, m in modes.items()
        if isinstance(m, dict)
    ]


def _fmt(v) -> str:
    if v is None:
        return "—"
    if isinstance(v, float):
        return f"{v:,.3f}" if abs(v) < 1 else f"{v:,.1f}"
    return str(v)


def text_table(report: dict) -> str:
    """The human summary printed at the end of a run."""
    if report.get("target") == "release":
        from benchkit.release import markdown as release_markdown

        return release_markdown(report)
    lines = [f"{'latency':46} {'p50 ms':>9} {'p95 ms':>9} {'n':>5}"]
    for label, s in latency_rows(report):
        lines.append(f"{label:46} {s['p50_ms']:>9.2f} {s['p95_ms']:>9.2f} {s['n']:>5}")
    if report.get("cold_start"):
        lines += [
            "",
            f"{'fresh process (median)':34} {'mode':6} {'INIT/import':>11} "
            f"{'spawn->answer':>13} {'runs':>4}",
        ]
        for case, mode, m in cold_rows(report):
            init = m.get("init_ms", m.get("import_ms"))
            answer = m.get("spawn_to_answer_ms")
            lines.append(f"{case:34} {mode:6} {_fmt(init):>11} {_fmt(answer):>13} {m['runs']:>4}")
    rows = targets(report) if report.get("target") == "local" else []
    if rows:
        lines += ["", f"{'target':74} {'value':>16} {'goal':>18}  met"]
        for t in rows:
            met = {True: "yes", False: "NO", None: "—"}[t["met"]]
            lines.append(f"{t['measure'][:74]:74} {_fmt(t['value']):>16} {t['target']:>18}  {met}")
    for key, c in (report.get("concurrency") or {}).items():
        check = c["lost_write_check"]
        lines.append(
            f"{key}: {c['writes_acknowledged']}/{c['writes_attempted']} acknowledged, "
            f"{c['failures']} failures, lost-write check: {check['lost']} lost of "
            f"{check['checked']}, wall {c['wall_s']} s"
        )
    return "\n".join(lines)


def markdown(report: dict) -> str:
    """The report as Markdown (for docs/benchmarks.md and `--publish`)."""
    if report.get("target") == "release":
        from benchkit.release import markdown as release_markdown

        return release_markdown(report)
    m = report.get("machine", {})
    out = [
        f"# wikibot benchmark: {report.get('target')} ({report.get('started', '')})",
        "",
        f"Machine: {m.get('cpus')} CPUs ({m.get('cpu')}), Python {m.get('python')}, "
        f"commit {m.get('commit')}, load average (1/5/15 min) at the end "
        f"{m.get('load_average')}.",
    ]
    if report.get("url"):
        out.append(f"Target URL: {report['url']}")
    fx = report.get("fixture")
    if fx:
        out.append(
            f"Wiki: {fx['pages']} pages, {fx['commits']} commits "
            f"(generated in {fx['generate_s']} s)."
        )
    if report.get("target") == "local":
        out += [
            "",
            "## Targets",
            "",
            "| issue | measure | value | target | met |",
            "|---|---|---:|---|---|",
        ]
        for t in targets(report):
            met = {True: "yes", False: "**no**", None: "not measured"}[t["met"]]
            out.append(
                f"| {t['issue']} | {t['measure']} | {_fmt(t['value'])} | {t['target']} | {met} |"
            )
    out += [
        "",
        "## Latency (warm)",
        "",
        "| operation | p50 ms | p95 ms | n |",
        "|---|---:|---:|---:|",
    ]
    for label, s in latency_rows(report):
        out.append(f"| {label} | {s['p50_ms']:.2f} | {s['p95_ms']:.2f} | {s['n']} |")
    if report.get("cold_start"):
        out += [
            "",
            "## Fresh process (median ms)",
            "",
            "| case | bytecode | python start | INIT or import | first request "
            "| spawn -> answer | runs |",
            "|---|---|---:|---:|---:|---:|---:|",
        ]
        for case, mode, c in cold_rows(report):
            init = c.get("init_ms", c.get("import_ms"))
            first = c.get("first_request_ms", c.get("store_work_ms"))
            out.append(
                f"| {case} | {mode} | {_fmt(c.get('python_start_ms'))} | {_fmt(init)} "
                f"| {_fmt(first)} | {_fmt(c.get('spawn_to_answer_ms'))} | {c['runs']} |"
            )
        out += [
            "",
            "INIT breakdown of the MCP handler (median ms, fresh process -> tools/list):",
            "",
            "| bytecode | deps (dulwich, yaml) | wikibot core | handler module "
            "| INIT | INIT log line phases |",
            "|---|---:|---:|---:|---:|---|",
        ]
        for mode, c in (get(report, "cold_start", "mcp_tools_list") or {}).items():
            phases = get(c, "init_log", "phases_ms") or {}
            logged = ", ".join(f"{k} {v:.1f}" for k, v in phases.items()) or "—"
            out.append(
                f"| {mode} | {_fmt(c.get('deps_ms'))} | {_fmt(c.get('core_ms'))} | "
                f"{_fmt(c.get('handler_module_ms'))} | {_fmt(c.get('init_ms'))} "
                f"| {logged} |"
            )
    if report.get("concurrency"):
        out += [
            "",
            "## Concurrent writers",
            "",
            "| writers | acknowledged / attempted "
            "| failures | lost (checked) | wall s | request p50 / p95 ms |",
            "|---:|---:|---:|---:|---:|---:|",
        ]
        for key, c in report["concurrency"].items():
            r, check = c["requests"], c["lost_write_check"]
            out.append(
                f"| {key.split('_')[0]} | {c['writes_acknowledged']}/"
                f"{c['writes_attempted']} | {c['failures']} | {check['lost']} "
                f"({check['checked']}) | {c['wall_s']} | {r.get('p50_ms', 0):.1f} / "
                f"{r.get('p95_ms', 0):.1f} |"
            )
    if get(report, "cache_model", "results"):
        from benchkit.cachesim import table

        out += [
            "",
            "## CDN cache model (tools/bench cache, issue 13)",
            "",
            "```",
            table(report["cache_model"]).rstrip(),
            "```",
        ]
    errors = get(report, "mcp_tools", "errors") or {}
    if errors:
        out += ["", "Tool errors seen: " + "; ".join(f"{k}: {v}" for k, v in errors.items())]
    if report.get("skipped"):
        out += ["", "Skipped: " + "; ".join(report["skipped"])]
    return "\n".join(out) + "\n"


def svg_chart(report: dict) -> str:
    """Horizontal bars of p50 (solid) and p95 (light) per operation, log-scaled, hand-written."""
    import math

    rows = latency_rows(report)
    for case, mode, c in cold_rows(report):
        if c.get("spawn_to_answer_ms") and mode == "pyc":
            v = c["spawn_to_answer_ms"]
            rows.append(
                (
                    f"fresh {case} ({mode})",
                    {"p50_ms": v, "p95_ms": c.get("spawn_to_answer_ms_max", v)},
                )
            )
    width, label_w, row_h, top = 900, 330, 18, 40
    height = top + row_h * len(rows) + 40
    hi = max([s["p95_ms"] for _, s in rows] + [10])
    lo = 0.1

    def x(v: float) -> float:
        span = math.log10(hi) - math.log10(lo)
        return label_w + (width - label_w - 20) * (math.log10(max(v, lo)) - math.log10(lo)) / span

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'font-family="sans-serif" font-size="11">',
        f'<text x="10" y="20" font-size="14">wikibot {html.escape(str(report.get("target")))}'
        f" latency, ms (log scale; bar p50, light bar p95)</text>",
    ]
    tick = lo
    while tick <= hi * 1.01:
        parts.append(
            f'<line x1="{x(tick):.1f}" y1="{top - 5}" x2="{x(tick):.1f}" '
            f'y2="{height - 30}" stroke="#ddd"/><text x="{x(tick):.1f}" '
            f'y="{height - 15}" text-anchor="middle">{tick:g}</text>'
        )
        tick *= 10
    for i, (label, s) in enumerate(rows):
        y = top + i * row_h
        parts.append(
            f'<text x="{label_w - 6}" y="{y + 12}" text-anchor="end">{html.escape(label)}</text>'
        )
        parts.append(
            f'<rect x="{label_w}" y="{y + 3}" width="{x(s["p95_ms"]) - label_w:.1f}" '
            f'height="12" fill="#b3cde3"/>'
        )
        parts.append(
            f'<rect x="{label_w}" y="{y + 3}" width="{x(s["p50_ms"]) - label_w:.1f}" '
            f'height="12" fill="#1f78b4"/>'
        )
        parts.append(f'<text x="{x(s["p95_ms"]) + 4:.1f}" y="{y + 12}">{s["p50_ms"]:.1f}</text>')
    parts.append("</svg>")
    return "\n".join(parts) + "\n"
