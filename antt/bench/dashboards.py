"""Chart-data latency through Superset's API: every chart of every dashboard, its saved query
context posted to /api/v1/chart/data with ``force`` (Superset's cache bypassed), after one
warm-up pass; p50/p95 of the requests per dashboard.

    python -m antt.bench.dashboards [--repeats 20]     # against the running stack's Superset
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time

from antt.superset_api import SupersetClient, SupersetError, login


def percentile(values: list[float], q: float) -> float:
    """The q-quantile (0..1) by linear interpolation between the closest ranks."""
    xs = sorted(values)
    if not xs:
        raise ValueError("no values")
    pos = (len(xs) - 1) * q
    lo = int(pos)
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo)


def dashboard_charts(client: SupersetClient, slugs: set[str] | None = None) -> dict[str, list[tuple[str, dict]]]:
    """{dashboard title: [(chart name, saved query context), ...]} for every dashboard (or
    those with these slugs)."""
    out: dict[str, list[tuple[str, dict]]] = {}
    listing = client.get_json("/api/v1/dashboard/", params={"q": "(page_size:100)"})["result"]
    for d in sorted(listing, key=lambda d: d["dashboard_title"]):
        if slugs is not None and d.get("slug") not in slugs:
            continue
        charts = client.get_json(f"/api/v1/dashboard/{d['id']}/charts")["result"]
        contexts = []
        for c in sorted(charts, key=lambda c: c["slice_name"]):
            raw = client.chart(c["id"]).get("query_context")
            if not raw:
                raise SupersetError(f"dashboard {d['dashboard_title']!r}: chart {c['slice_name']!r} "
                                    "has no saved query_context (re-import dashboards/)")
            contexts.append((c["slice_name"], json.loads(raw)))
        out[d["dashboard_title"]] = contexts
    return out


def timed_chart_data(client: SupersetClient, name: str, context: dict) -> float:
    """Seconds for one uncached chart-data request; fails on a query error."""
    context = {**context, "force": True}
    t0 = time.perf_counter()
    body = client.chart_data(context)
    seconds = time.perf_counter() - t0
    for q in body.get("result", []):
        if q.get("error"):
            raise SupersetError(f"chart {name!r}: {q['error']}")
    return seconds


def measure(client: SupersetClient, repeats: int = 20, slugs: set[str] | None = None) -> dict[str, dict]:
    """Per dashboard: charts, requests, p50 and p95 seconds of its chart-data requests."""
    result = {}
    for title, charts in dashboard_charts(client, slugs).items():
        for name, ctx in charts:               # warm-up: plans, connections, JIT
            timed_chart_data(client, name, ctx)
        times = [timed_chart_data(client, name, ctx) for _ in range(repeats) for name, ctx in charts]
        result[title] = {"charts": len(charts), "requests": len(times),
                         "p50": statistics.median(times), "p95": percentile(times, 0.95),
                         "max": max(times)}
    return result


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m antt.bench.dashboards", description=__doc__.split("\n")[0])
    p.add_argument("--repeats", type=int, default=20)
    p.add_argument("--url", default=f"http://127.0.0.1:{os.environ.get('SUPERSET_PORT', '8088')}")
    a = p.parse_args(argv)
    from antt.superset_access import load_dashboard_specs

    client = login(a.url, "admin", os.environ["SUPERSET_ADMIN_PASSWORD"])
    gold = {d.slug for d in load_dashboard_specs() if d.schemas == {"gold"}}
    for title, r in measure(client, a.repeats, gold).items():
        print(f"{title}: {r['charts']} charts, {r['requests']} requests, "
              f"p50 {r['p50']:.3f} s, p95 {r['p95']:.3f} s, max {r['max']:.3f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
