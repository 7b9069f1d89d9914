"""The main job, end to end, through the real services.

    python -m antt.demo [--days 14] [--end YYYY-MM-DD] [--history-start 2025-01-01]
                        [--seed 42] [--scale 1.0] [--cameras 150]

1. generates into ANTT_LANDING_DIR: ``--days`` landing days of Hanoi camera data ending
   ``--end`` (default: yesterday in Hà Nội), and the case-system and resident-registry
   extracts from ``--history-start`` to ``--end`` (default 2025-01-01: well over 400 days,
   across the 1 July 2025 merger of communes, so year-over-year comparisons show);
2. triggers through Airflow's REST API the ``camera_events`` DAG once per camera day, and
   ``case_records`` and ``resident_registry`` once each for their whole range; waits for
   the scheduler to finish them and for the gold_marts (dbt) runs their Assets trigger;
3. prints the row counts per layer with their checks, and where to look next.
Running it again regenerates identical files and re-runs the days: nothing is duplicated.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time

from antt import superset_api
from antt.airflow_api import Airflow
from antt.generator import cases, residents
from antt.generator.camera import generate

DAG_ID = "camera_events"
RANGE_DAGS = ("case_records", "resident_registry")
GOLD_DAG_ID = "gold_marts"


def hanoi_yesterday() -> dt.date:
    now = dt.datetime.now(dt.timezone(dt.timedelta(hours=7)))
    return now.date() - dt.timedelta(days=1)


def step(msg: str) -> None:
    print(f"\n==> {msg}", file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--days", type=int, default=14)
    p.add_argument("--end", type=dt.date.fromisoformat, default=None)
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--scale", type=float, default=1.0)
    p.add_argument("--cameras", type=int, default=150)
    p.add_argument("--history-start", type=dt.date.fromisoformat, default=dt.date(2025, 1, 1),
                   help="first landing day of the case and registry extracts (default 2025-01-01)")
    a = p.parse_args(argv)
    end = a.end or hanoi_yesterday()
    if a.history_start > end:
        p.error("--history-start is after --end")
    history_days = (end - a.history_start).days + 1
    start = end - dt.timedelta(days=a.days - 1)
    days = [start + dt.timedelta(days=i) for i in range(a.days)]
    landing = os.environ.get("ANTT_LANDING_DIR", "var/landing")

    step(f"generating {a.days} days {start} .. {end} ({a.cameras} cameras, scale {a.scale}) into {landing}")
    t0 = time.monotonic()
    generate(landing, start, a.days, seed=a.seed, scale=a.scale, n_cameras=a.cameras,
             progress=lambda s: print("  " + s, file=sys.stderr, flush=True))
    print(f"  generated in {time.monotonic() - t0:.0f} s", file=sys.stderr)
    step(f"generating case-system and registry extracts {a.history_start} .. {end} ({history_days} days)")
    t0 = time.monotonic()
    say = lambda s: print("  " + s, file=sys.stderr, flush=True)  # noqa: E731
    cases.generate(landing, a.history_start, history_days, seed=a.seed, scale=a.scale, progress=say)
    residents.generate(landing, a.history_start, history_days, seed=a.seed, scale=a.scale, progress=say)
    print(f"  generated in {time.monotonic() - t0:.0f} s", file=sys.stderr)

    step(f"running DAG {DAG_ID} for {a.days} landing days through the Airflow scheduler")
    af = Airflow()
    for dag_id in (DAG_ID, *RANGE_DAGS, GOLD_DAG_ID):
        af.wait_for_dag(dag_id)
        af.unpause(dag_id)
    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%S")
    t0 = time.monotonic()
    range_conf = {"landing_date": a.history_start.isoformat(), "landing_date_to": end.isoformat()}
    range_runs = {dag_id: af.trigger(dag_id, range_conf, run_id=f"demo__{a.history_start}__{end}__{stamp}")
                  for dag_id in RANGE_DAGS}
    run_ids = [af.trigger(DAG_ID, {"landing_date": d.isoformat()}, run_id=f"demo__{d}__{stamp}") for d in days]
    for dag_id, rid in range_runs.items():
        af.wait(dag_id, [rid], timeout=4 * 3600)
        print(f"  {dag_id}: {history_days} landing days loaded in one run", file=sys.stderr)
    af.wait(DAG_ID, run_ids, timeout=4 * 3600)
    print(f"  {len(run_ids)} {DAG_ID} runs succeeded; {time.monotonic() - t0:.0f} s since the first trigger",
          file=sys.stderr)
    step(f"waiting for {GOLD_DAG_ID} (dbt), triggered by the silver Asset updates")
    gold = af.wait_for_consumers(GOLD_DAG_ID, DAG_ID, run_ids, timeout=2 * 3600)
    for dag_id, rid in range_runs.items():
        gold += af.wait_for_consumers(GOLD_DAG_ID, dag_id, [rid], timeout=2 * 3600)
    print(f"  gold built by {len(set(gold))} run(s); {time.monotonic() - t0:.0f} s since the first trigger",
          file=sys.stderr)

    step("row counts per layer")
    from spark_jobs.counts import checks, layer_counts, render
    from spark_jobs.session import get_spark

    spark = get_spark("demo_counts")
    c = layer_counts(spark)
    print(render(c))
    ok = all(good for _, good in checks(c))
    print("\nother sources and marts (rows):")
    for table in ("silver.case_records", "silver.case_status_history", "quarantine.case_records",
                  "silver.residents", "silver.residence_history", "silver.dossiers", "quarantine.registry",
                  "gold.fct_crime_reports", "gold.mart_compstat_weekly", "gold.mart_case_clearance_monthly",
                  "gold.mart_crime_report_deadlines", "gold.mart_residence_commune_daily",
                  "gold.mart_dossier_processing_monthly", "gold.mart_commune_daily_scorecard"):
        print(f"  {table:<40} {spark.table(table).count():>12,}")

    step("Superset roles, row-level security per commune, demo users")
    from antt import superset_access

    if superset_access.main(["demo-users"]) != 0:
        ok = False
    base = f"http://127.0.0.1:{os.environ.get('SUPERSET_PORT', '8088')}"
    secrets = os.path.join(os.environ.get("ANTT_VAR_DIR", "var"), "secrets.env")
    print(f"""
Dashboard (Superset):  {superset_api.dashboard_url(base)}
  login: admin / SUPERSET_ADMIN_PASSWORD from {secrets}
  demo users (leadership, analyst, tracer, two communes): {superset_access.users_file()}
Airflow:               http://127.0.0.1:{os.environ.get('AIRFLOW_PORT', '8080')}/dags/{DAG_ID}
  login: admin / AIRFLOW_ADMIN_PASSWORD from {secrets}
SQL (analysts):        make sql   (Thrift 127.0.0.1:{os.environ.get('SPARK_THRIFT_PORT', '10000')}, schema gold)""")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
