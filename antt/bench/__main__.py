"""`make bench` (infra/bench.sh runs this against the bench's own Spark application).

    python -m antt.bench [--rows 20000000] [--cameras 2000] [--day 2023-03-06]
    python -m antt.bench --parts daily         # the Hanoi-scale daily run alone
    ANTT_PROFILE=cluster python -m antt.bench --parts scaling [--rows 2000000]

Prints one table; every figure is measured in this run. Also written to
``$ANTT_VAR_DIR/bench-<time>.txt``.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import shlex
import sys
import time
from pathlib import Path

from antt.bench import dashboards, incremental, ingest
from antt.bench.memory import service_peak_mib
from antt.bench.report import Row, render
from spark_jobs.config import settings


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="make bench", description=__doc__.split("\n")[0])
    p.add_argument("--rows", type=int, default=20_000_000, help="plate reads in the landing day (default 20 M)")
    p.add_argument("--cameras", type=int, default=2000, help="cameras (default 2,000)")
    p.add_argument("--day", type=dt.date.fromisoformat, default=dt.date(2023, 3, 6), help="landing day (a Monday)")
    p.add_argument("--workers", type=int, default=None, help="generator processes (default: cores)")
    p.add_argument("--parts", default="ingest,daily,incremental,dashboards",
                   help="comma-separated parts to run: ingest, daily, incremental, dashboards, and on "
                        "the cluster profile scaling (default the first four; daily reuses the "
                        "ingest part's landing day; dashboards reads the gold tables the incremental "
                        "part left)")
    p.add_argument("--history-days", type=int, default=365,
                   help="days of history for the incremental part (1: the daily run after one day, alone)")
    p.add_argument("--history-rows", type=int, default=100_000,
                   help="plate reads per day in the incremental part (default 100,000)")
    p.add_argument("--history-cameras", type=int, default=300, help="cameras in the incremental part")
    p.add_argument("--repeats", type=int, default=20,
                   help="chart-data requests per chart in the dashboards part (after one warm-up)")
    a = p.parse_args(argv)
    cfg = settings()
    command = "make bench" + (f" BENCH_ARGS={shlex.quote(' '.join(argv or sys.argv[1:]))}" if (argv or sys.argv[1:]) else "")

    parts = {x.strip() for x in a.parts.split(",") if x.strip()}
    unknown = parts - {"ingest", "daily", "incremental", "dashboards", "scaling"}
    if unknown:
        p.error(f"unknown part(s): {', '.join(sorted(unknown))}")
    if "scaling" in parts and os.environ.get("ANTT_PROFILE") != "cluster":
        p.error("the scaling part measures the cluster profile: ANTT_PROFILE=cluster make bench "
                "BENCH_ARGS='--parts scaling'")
    rows: list[Row] = []
    if "ingest" in parts:
        rows += ingest_rows(a, cfg)
    if "daily" in parts:
        rows += daily_rows(a, cfg)
    if "incremental" in parts:
        rows += incremental_rows(a, cfg)
    if "dashboards" in parts:
        rows += dashboard_rows(a, cfg)
    if "scaling" in parts:
        rows += scaling_rows(a, cfg)
    table = render(rows, command)
    print(table)
    out = cfg.var_dir / f"bench-{dt.datetime.now():%Y%m%dT%H%M%S}.txt"
    out.write_text(table + "\n", encoding="utf-8")
    ingest.log(f"table written to {out}")
    return 0


def ingest_rows(a, cfg) -> list[Row]:
    landing = cfg.landing_dir
    data = ingest.generate_day(landing, a.day, a.rows, a.cameras, workers=a.workers)
    lines = data["lines"]

    ingest.log("baseline: pyarrow reads the landing files and writes Parquet (own process)")
    base = ingest.run_in_subprocess(
        "from antt.bench.ingest import _baseline_main; "
        f"_baseline_main({str(landing)!r}, {a.day.isoformat()!r}, {str(cfg.var_dir / 'bench-parquet')!r})")
    base_rate = base["rows"] / base["seconds"]
    ingest.log(f"baseline: {base['rows']:,} rows in {base['seconds']:.1f} s = {base_rate:,.0f} rows/s")

    ingest.log("project: camera registry → bronze → silver on the bench's Spark (Spark Connect), from empty tables")
    ingest.empty_camera_tables()
    t0 = time.perf_counter()
    proj = ingest.project_ingest(a.day)
    proj_s = time.perf_counter() - t0
    ingest_s = proj["bronze_s"] + proj["silver_s"]
    proj_rate = lines / ingest_s
    jvm_mib = ingest.jvm_peak_mib(cfg.var_dir / "run")
    ingest.log(f"project: {lines:,} lines in {ingest_s:.1f} s = {proj_rate:,.0f} rows/s")

    ingest.log("Spark start-up: a classic local session vs attaching to the running application")
    start = ingest.spark_startup()

    return [
        Row("landing day: plate reads (lines)", lines, "rows",
            f"{data['files']:,} gzip JSON-lines files, {a.cameras:,} cameras, {a.day}"),
        Row("baseline: pyarrow read JSON + write Parquet", base_rate, "rows/s",
            f"{base['rows']:,} rows in {base['seconds']:.1f} s, {base['peak_mib']:,.0f} MiB peak"),
        Row("project: landing → bronze → silver", proj_rate, "rows/s",
            f"bronze {proj['bronze_s']:.1f} s + silver {proj['silver_s']:.1f} s; dedup + validation + quarantine"),
        Row("project / baseline", proj_rate / base_rate, "ratio", "goal ≥ 0.30"),
        Row("  bronze (read, split lines, MERGE)", lines / proj["bronze_s"], "rows/s", ""),
        Row("  silver (parse, validate, dedup, MERGE)", lines / proj["silver_s"], "rows/s",
            f"new {proj['silver_new']:,}, duplicates {proj['duplicates']:,}, quarantined {proj['quarantined']:,}"),
        Row("Spark start: classic local session", start["local_s"], "s", "a JVM per task without the shared app"),
        Row("Spark start: Spark Connect attach", start["connect_s"], "s", "what a DAG task pays"),
        Row("  attach share of this ingest run", start["connect_s"] / (start["connect_s"] + proj_s), "share",
            f"run {proj_s:.0f} s incl. registry {proj['registry_s']:.1f} s"),
        Row("  a JVM start's share of this ingest run", start["local_s"] / (start["local_s"] + proj_s), "share", ""),
        Row("peak memory: Spark application (JVM)", jvm_mib, "MiB", "VmHWM of the bench's Spark"),
        Row("peak memory: pyarrow baseline process", base["peak_mib"], "MiB", ""),
    ]


def scaling_rows(a, cfg) -> list[Row]:
    """Camera ingest (landing → bronze → silver, Delta on the object store) with the Spark
    application's executors on one worker, then on two: the same day, the same jobs, from
    empty tables each time."""
    landing = cfg.landing_dir
    data = ingest.generate_day(landing, a.day, a.rows, a.cameras, workers=a.workers)
    lines = data["lines"]
    rates: dict[int, float] = {}
    rows: list[Row] = [Row("scaling: landing day (lines)", lines, "rows",
                           f"{data['files']:,} files; Delta on {cfg.warehouse_dir}")]
    for workers in (1, 2):
        ingest.log(f"scaling: restarting the bench's Spark with executors on {workers} worker(s)")
        ingest.restart_spark(cores_max=workers)
        ingest.empty_camera_tables()
        proj = ingest.project_ingest(a.day)
        seconds = proj["bronze_s"] + proj["silver_s"]
        rates[workers] = lines / seconds
        ingest.log(f"scaling: {workers} worker(s): {lines:,} lines in {seconds:.1f} s = {rates[workers]:,.0f} rows/s")
        rows.append(Row(f"scaling: ingest with {workers} worker{'s' if workers > 1 else ''}", rates[workers],
                        "rows/s", f"bronze {proj['bronze_s']:.1f} s + silver {proj['silver_s']:.1f} s; "
                        f"{workers} executor(s) × {os.environ.get('SPARK_WORKER_CORES', '1')} core"))
    rows.append(Row("scaling: 2 workers / 1 worker", rates[2] / rates[1], "ratio",
                    f"{os.cpu_count()} cores shared by driver, executors and the S3 server"))
    return rows


def _step_detail(steps: dict[str, float]) -> str:
    return ", ".join(f"{k} {v:.0f} s" for k, v in steps.items() if k != "total")


def daily_rows(a, cfg) -> list[Row]:
    """One Hanoi-scale day through the whole daily run (camera ingest, its gates, the gold
    sources, the whole ``dbt build``, the gold gate), as the DAGs' tasks run it: the day
    after the ingest part's landing day, which is loaded first as its one day of history
    (the same ``--rows`` and ``--cameras``: its files are reused, not generated again)."""
    day = a.day + dt.timedelta(days=1)
    res = incremental.measure(cfg.landing_dir, cfg.var_dir / "bench-dbt", day, 1, a.rows, a.cameras)
    r = res[1]
    steps = r["steps"]
    slow = ", ".join(f"{uid.split(':', 1)[-1]} {s:.0f} s" for uid, s in r["slowest"][:4])
    return [
        Row("daily run of one landing day", steps["total"], "s",
            f"{day}, {r['lines']:,} reads, after 1 day of history; goal ≤ 600 s at Hanoi scale (20 M)"),
        Row("  of it: ingest (registry, bronze, bronze gate, silver)", steps["ingest"], "s", ""),
        Row("  of it: camera gate + prepare sources", steps["camera gate"] + steps["prepare sources"], "s",
            f"camera gate {steps['camera gate']:.0f} s, prepare + reference gate {steps['prepare sources']:.0f} s"),
        Row("  of it: dbt build (whole project, incremental)", steps["dbt build"], "s", f"slowest: {slow}"),
        Row("  of it: gold gate", steps["gold gate"], "s", ""),
    ]


def incremental_rows(a, cfg) -> list[Row]:
    day = a.day + dt.timedelta(days=7)   # its own landing days, apart from the ingest part's
    res = incremental.measure(cfg.landing_dir, cfg.var_dir / "bench-dbt", day, a.history_days,
                              a.history_rows, a.history_cameras)
    one, many = res[1]["steps"], res[a.history_days]["steps"]

    rows = [Row("daily run after 1 day of history", one["total"], "s",
                f"camera day of ≈ {a.history_rows:,} reads: {_step_detail(one)}")]
    if a.history_days > 1:   # (--history-days 1: the daily run of a day after one day, alone)
        rows += [
            Row(f"daily run after {a.history_days} days of history", many["total"], "s",
                f"silver held {res[a.history_days]['silver_rows_before']:,} reads: {_step_detail(many)}"),
            Row(f"incremental ratio ({a.history_days} days / 1 day)", many["total"] / one["total"], "ratio",
                "goal ≤ 1.5"),
            Row("  dbt build alone", many["dbt build"] / one["dbt build"], "ratio",
                f"{many['dbt build']:.0f} s / {one['dbt build']:.0f} s"),
        ]
    return rows + [
        Row("peak memory: dbt build process", max(incremental.DBT_PEAK_MIB), "MiB",
            f"largest of {len(incremental.DBT_PEAK_MIB)} builds"),
        Row("peak memory: Spark application (JVM)", ingest.jvm_peak_mib(cfg.var_dir / "run"), "MiB",
            "VmHWM since the bench's Spark started"),
    ]


def dashboard_tables() -> tuple[list[str], set[str]]:
    """The gold tables the gold dashboards read (physical datasets; the latency figures go
    with their size) and those dashboards' slugs. The trace (needs a purpose) and its audit
    (PostgreSQL) are not measured here."""
    from antt.superset_access import load_dashboard_specs, load_dataset_specs

    slugs = {d.slug for d in load_dashboard_specs() if d.schemas == {"gold"}}
    tables = sorted({f"{d.schema}.{d.table_name}" for d in load_dataset_specs()
                     if d.schema == "gold" and not d.virtual})
    return tables, slugs


def dashboard_rows(a, cfg) -> list[Row]:
    """Chart-data p50/p95 per dashboard through a Superset of the bench's own (started here,
    on the bench's Thrift server), over the gold tables in the bench's warehouse."""
    import os
    import subprocess

    from antt.superset_api import login, wait_healthy
    from spark_jobs.session import get_spark

    spark = get_spark("antt-bench")
    tables, slugs = dashboard_tables()
    counts = {}
    for table in tables:
        if not spark.catalog.tableExists(table):
            raise SystemExit(f"make bench: {table} does not exist in the bench's warehouse "
                             f"({cfg.warehouse_dir}): run the incremental part first (--parts incremental,dashboards)")
        counts[table.split(".")[1]] = spark.table(table).count()
    sizes = [f"{t} {n:,} rows" for t, n in sorted(counts.items(), key=lambda kv: -kv[1])]
    largest = sizes[0] if sizes else "no tables"
    ingest.log("dashboards: starting the bench's Superset")
    subprocess.run(["bash", "infra/services.sh", "start", "superset"], check=True,
                   cwd=Path(__file__).resolve().parents[2])
    url = f"http://127.0.0.1:{os.environ['SUPERSET_PORT']}"
    wait_healthy(url)
    client = login(url, "admin", os.environ["SUPERSET_ADMIN_PASSWORD"])
    ingest.log(f"dashboards: {a.repeats} uncached chart-data requests per chart ({'; '.join(sizes)})")
    rows = []
    for title, r in dashboards.measure(client, a.repeats, slugs).items():
        note = f"{r['charts']} charts × {a.repeats}, uncached; max {r['max']:.2f} s; goal p95 ≤ 1 s"
        rows += [Row(f"chart data p50: {title}", r["p50"], "s", f"{len(tables)} gold tables; largest {largest}"),
                 Row(f"chart data p95: {title}", r["p95"], "s", note)]
    rows.append(Row("peak memory: Superset (gunicorn, all workers)",
                    service_peak_mib(cfg.var_dir / "run" / "superset.pid"), "MiB", "sum of per-process peaks"))
    return rows


if __name__ == "__main__":
    sys.exit(main())
