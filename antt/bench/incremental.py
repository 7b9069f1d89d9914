"""Incremental cost: one daily run (camera ingest + the whole gold dbt build + the quality
gates, as the DAGs run them) after 1 day of history against the same run after N days.

The history is made from one landing day loaded through the pipeline (registry → bronze →
silver); for N days its bronze, silver and quarantine rows are copied to the N − 1 days
before it (dates, times and landing paths shifted by whole days, fresh event ids, processed
that many days earlier), so N days of history cost one day's ingest plus one INSERT each
instead of N ingests. The gold tables are then built over that history once (not timed),
and the next landing day's daily run is timed step by step.
"""
from __future__ import annotations

import datetime as dt
import subprocess
import time
from pathlib import Path

from antt.bench.ingest import generate_day, log

GOLD_SCHEMAS = ("gold", "staging", "intermediate")


def reset_warehouse() -> None:
    """Drop the camera tables and everything dbt built, in the bench's own warehouse."""
    from antt.bench.ingest import empty_camera_tables
    from spark_jobs.session import get_spark

    empty_camera_tables()
    spark = get_spark("antt-bench")
    for schema in GOLD_SCHEMAS:
        spark.sql(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


def _shifted(columns: list[str], shifts: dict[str, str]) -> str:
    return ", ".join(shifts.get(c, c) for c in columns)


def history_shifts() -> dict[str, dict[str, str]]:
    """Per camera table: the columns a copy k days earlier rewrites (SQL over column ``k``)."""
    from spark_jobs import config as C

    earlier = "- make_interval(0, 0, 0, k)"
    common = {"landing_date": "date_sub(landing_date, k) AS landing_date",
              "source_file": "regexp_replace(source_file, 'dt=[0-9-]+', "
                             "concat('dt=', cast(date_sub(landing_date, k) AS STRING))) AS source_file",
              "ingested_at": f"ingested_at {earlier} AS ingested_at",
              "landed_by": f"landed_by {earlier} AS landed_by"}   # not in quarantine: unused there
    return {
        C.BRONZE_CAMERA_EVENTS: common,
        C.QUARANTINE_CAMERA_EVENTS: common,
        C.SILVER_CAMERA_EVENTS: {
            **common,
            "event_id": "uuid() AS event_id",
            "event_time": f"event_time {earlier} AS event_time",
            "event_date": "date_sub(event_date, k) AS event_date",
            "processed_at": f"processed_at {earlier} AS processed_at",
        },
    }


def copy_history(spark, template: dt.date, days: int, tables: dict[str, str] | None = None) -> None:
    """Copy the template landing day's bronze, silver and quarantine rows to the ``days`` − 1
    days before it. ``tables`` maps each camera table to the one to write (tests)."""
    if days <= 1:
        return
    ks = f"(SELECT CAST(id AS INT) AS k FROM range(1, {days}))"
    for name, shifts in history_shifts().items():
        table = (tables or {}).get(name, name)
        t0 = time.perf_counter()
        cols = spark.table(table).columns
        spark.sql(f"INSERT INTO {table} SELECT {_shifted(cols, shifts)} FROM {table} CROSS JOIN {ks} "
                  f"WHERE landing_date = DATE'{template.isoformat()}'")
        log(f"history: {table} copied to {days - 1} earlier days in {time.perf_counter() - t0:.0f} s")


DBT_PEAK_MIB: list[float] = []   # peak resident memory of each dbt build process


def dbt_build(target_dir: Path) -> float:
    """``dbt build`` of the whole project against the bench's Thrift server; seconds. The
    process's peak resident memory is appended to DBT_PEAK_MIB."""
    import os
    import tempfile

    from antt.airflow_support import dbt_paths

    paths = dbt_paths()
    cmd = [str(paths["dbt"]), "build", "--project-dir", str(paths["project"]),
           "--profiles-dir", str(paths["profiles"].parent), "--target-path", str(target_dir / "target"),
           "--log-path", str(target_dir / "logs"), "--quiet"]
    t0 = time.perf_counter()
    with tempfile.TemporaryFile("w+") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, text=True)
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        seconds = time.perf_counter() - t0
        DBT_PEAK_MIB.append(usage.ru_maxrss / 1024)
        if proc.returncode != 0:
            out.seek(0)
            raise RuntimeError(f"dbt build failed ({proc.returncode}):\n{out.read()[-4000:]}")
    return seconds


def slowest_nodes(target_dir: Path, n: int = 12) -> list[tuple[str, float]]:
    """The ``n`` dbt nodes (models, tests) of the last build that took longest, from
    ``target/run_results.json``: (node id without the project prefix, seconds)."""
    import json

    results = json.loads((target_dir / "target" / "run_results.json").read_text())["results"]
    timed = [(r["unique_id"].replace(".antt.", ":", 1), float(r["execution_time"])) for r in results]
    return sorted(timed, key=lambda kv: -kv[1])[:n]


def ingest(day: dt.date) -> None:
    """One landing day through registry → bronze → silver (the ingest part's own steps), and
    what gold needs beside it."""
    from antt.bench.ingest import project_ingest
    from spark_jobs import prepare
    from spark_jobs.session import get_spark

    project_ingest(day)
    prepare.run(get_spark("antt-bench"))


def daily_run(day: dt.date, work_dir: Path) -> dict[str, float]:
    """The camera DAG's tasks, then gold_marts's, for one landing day; seconds per step."""
    from expectations.gate import run_gates
    from expectations.suites import REFERENCE_TABLES, suites_of
    from spark_jobs import prepare
    from spark_jobs.camera import bronze, registry, silver
    from spark_jobs.session import get_spark

    spark = get_spark("antt-bench")
    steps: dict[str, float] = {}

    def step(name, fn):
        t0 = time.perf_counter()
        fn()
        steps[name] = time.perf_counter() - t0

    step("ingest", lambda: (registry.run(spark, day), bronze.run(spark, day, f"bench-{day}"),
                            run_gates(spark, ["bronze.camera_events"], [day]), silver.run(spark, day)))
    step("camera gate", lambda: run_gates(spark, ["silver.camera_events", "quarantine.camera_events",
                                                  "silver.cameras"], [day]))
    step("prepare sources", lambda: (prepare.run(spark), run_gates(spark, REFERENCE_TABLES)))
    steps["dbt build"] = dbt_build(work_dir)
    log("dbt build: slowest nodes: " + ", ".join(f"{uid} {s:.1f} s" for uid, s in slowest_nodes(work_dir)))
    step("gold gate", lambda: run_gates(spark, suites_of("gold")))
    steps["total"] = sum(steps.values())
    return steps


def measure(landing: Path, work_dir: Path, day: dt.date, history_days: int, rows: int, cameras: int) -> dict:
    """The daily run of ``day`` after 1 day and after ``history_days`` days of history: per
    number of days, the seconds of each step (``steps``), silver's rows before the run, the
    day's landing lines and the build's slowest dbt nodes."""
    from spark_jobs import config as C
    from spark_jobs.session import get_spark

    template = day - dt.timedelta(days=1)
    lines = {d: generate_day(landing, d, rows, cameras)["lines"] for d in (template, day)}
    out: dict = {}
    for n in dict.fromkeys((1, history_days)):   # --history-days 1: the one run only
        log(f"incremental: {n} day(s) of history ({rows:,} reads a day), then the daily run of {day}")
        reset_warehouse()
        ingest(template)
        spark = get_spark("antt-bench")
        copy_history(spark, template, n)
        held = spark.table(C.SILVER_CAMERA_EVENTS).count()
        t0 = time.perf_counter()
        dbt_build(work_dir)
        log(f"incremental: gold built over {n} day(s) of history in {time.perf_counter() - t0:.0f} s (not timed)")
        steps = daily_run(day, work_dir)
        # the fact still holds every day of history once (an incremental build rewrites only
        # the days it recomputes)
        fct = spark.table("gold.fct_camera_violations").count()
        want = spark.table(C.SILVER_CAMERA_EVENTS).where("violation_code IS NOT NULL").count()
        if fct != want:
            raise RuntimeError(f"gold.fct_camera_violations holds {fct:,} rows, silver {want:,} violations")
        log(f"incremental: daily run after {n} day(s) of history: "
            + ", ".join(f"{k} {v:.0f} s" for k, v in steps.items()))
        out[n] = {"steps": steps, "silver_rows_before": held, "lines": lines[day],
                  "slowest": slowest_nodes(work_dir)}
    return out
