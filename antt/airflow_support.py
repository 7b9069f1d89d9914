"""What every DAG shares: default_args, the failure callback, the landing date of a run.

DAG files under dags/ only orchestrate; they import from here and from spark_jobs.
"""
from __future__ import annotations

import datetime as dt
import logging
import os
from pathlib import Path

import pendulum

LOCAL_TZ = pendulum.timezone("Asia/Ho_Chi_Minh")
ROOT = Path(os.environ.get("ANTT_ROOT", Path(__file__).resolve().parents[1]))
log = logging.getLogger("antt")


def on_failure(context) -> None:
    """Name the DAG, task, run and exception in one line the on-call engineer can grep."""
    ti = context.get("task_instance")
    log.error(
        "ANTT task failed: dag=%s task=%s run=%s try=%s error=%s",
        getattr(ti, "dag_id", "?"), getattr(ti, "task_id", "?"),
        getattr(ti, "run_id", "?"), getattr(ti, "try_number", "?"),
        context.get("exception"),
    )


DEFAULT_ARGS = {
    "owner": "antt-data",
    "retries": 2,
    "retry_delay": dt.timedelta(minutes=1),
    "on_failure_callback": on_failure,
}

def daily_at(hour: int):
    """Every day at ``hour``:00 Asia/Ho_Chi_Minh. The DAGs have no start date, so a DAG
    that is unpaused, or a stack that comes up, waits for the next such time instead of
    running the most recent one at once: earlier days are loaded on purpose, by a triggered
    run with a ``landing_date``.

    ``run_immediately`` is a zero timedelta, not ``False``: Airflow 3.1 treats ``False``
    like ``None`` (it runs the most recent time if it is less than 10 % of a day old, so a
    stack brought up shortly after 00:00 or 02:00 ran a whole extra build);
    tests/dags/test_dag_integrity.py pins the behaviour."""
    from airflow.sdk import CronTriggerTimetable

    return CronTriggerTimetable(f"0 {hour} * * *", timezone=LOCAL_TZ,
                                run_immediately=dt.timedelta(0))


def landing_date(params: dict | None, logical_date) -> dt.date:
    """The landing day a run loads.

    A run triggered with ``{"landing_date": "YYYY-MM-DD"}`` (demo, backfill, re-run) loads
    that day; a scheduled run at 00:00 local time loads the day that just ended.
    """
    value = (params or {}).get("landing_date")
    if value:
        return dt.date.fromisoformat(str(value))
    if logical_date is None:
        raise ValueError("run has neither a landing_date param nor a logical date")
    return pendulum.instance(logical_date).in_timezone(LOCAL_TZ).date() - dt.timedelta(days=1)


def landing_dates(params: dict | None, logical_date) -> list[dt.date]:
    """The landing days a run loads: ``landing_date`` .. ``landing_date_to`` (inclusive) when
    the run was triggered with a range (backfill in one run), else the one day of
    :func:`landing_date`."""
    first = landing_date(params, logical_date)
    last_value = (params or {}).get("landing_date_to")
    if not last_value:
        return [first]
    last = dt.date.fromisoformat(str(last_value))
    if last < first:
        raise ValueError(f"landing_date_to {last} is before landing_date {first}")
    return [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]


def dbt_paths() -> dict[str, Path]:
    venv = Path(os.environ.get("PIPELINE_VENV", ROOT / ".venv" / "pipeline"))
    project = ROOT / "dbt"
    return {
        "project": project,
        "profiles": project / "profiles.yml",
        "manifest": project / "target" / "manifest.json",
        "dbt": venv / "bin" / "dbt",
    }


# Assets (data-aware scheduling): Spark DAGs emit them, gold_marts consumes them.
from airflow.sdk import Asset  # noqa: E402

SILVER_CAMERA_EVENTS = Asset("delta://silver/camera_events")
SILVER_CASE_RECORDS = Asset("delta://silver/case_records")
SILVER_RESIDENT_REGISTRY = Asset("delta://silver/resident_registry")
# updated by gold_marts when the marts are built and passed their data-quality gate
GOLD_MARTS = Asset("delta://gold/marts")


def skip_unless_changed(result: dict) -> None:
    """Skip the task (so its Asset event is not emitted) when the silver run wrote nothing."""
    from airflow.exceptions import AirflowSkipException

    from spark_jobs.common import silver_changed

    if not silver_changed(result):
        raise AirflowSkipException(f"silver unchanged ({result}): nothing new for gold")


def csv_source_dag(*, dag_id: str, doc: str, tags: list[str], asset, bronze: str, silver: str,
                   bronze_tables: list[str], silver_tables: list[str]):
    """The DAG of a CSV-extract source (case records, resident registry):
    ``load_reference`` → ``landing_to_bronze`` → ``bronze_gate`` → ``bronze_to_silver`` →
    ``publish_silver`` (runs the data-quality suites of ``silver_tables``, then updates
    ``asset``; skipped when the run wrote nothing new, so a re-run or a day without
    extracts does not rebuild gold), for one landing day or a range (params
    ``landing_date`` .. ``landing_date_to``). ``bronze_gate`` validates ``bronze_tables``
    (every landing file with records is in bronze, keys unique, nothing null); a failed
    gate stops the tasks after it.

    ``bronze`` and ``silver`` name the job functions as ``"module:function"``; each is called
    as ``f(spark, [dates])`` (bronze also with the run id) and imported only when the task
    runs, so parsing the DAG file stays light.
    """
    from airflow.sdk import Param, dag, task

    def _call(target: str, app_name: str, *args):
        import importlib

        from spark_jobs.session import get_spark

        module, func = target.split(":")
        return getattr(importlib.import_module(module), func)(get_spark(app_name), *args)

    def _dates(days: list[str]) -> list[dt.date]:
        return [dt.date.fromisoformat(d) for d in days]

    @dag(
        dag_id=dag_id,
        schedule=daily_at(0),   # 00:00 local: load the day that just ended
        catchup=False,
        max_active_runs=1,
        default_args=DEFAULT_ARGS,
        params={
            "landing_date": Param(None, type=["null", "string"], format="date",
                                  description="landing day to load (YYYY-MM-DD); empty = yesterday"),
            "landing_date_to": Param(None, type=["null", "string"], format="date",
                                     description="last landing day of a range (inclusive); empty = one day"),
        },
        tags=tags,
        doc_md=doc,
    )
    def source_dag():
        @task(max_active_tis_per_dag=1)
        def load_reference(params=None, logical_date=None) -> list[str]:
            days = landing_dates(params, logical_date)
            _call("spark_jobs.reference.admin_units:run", "reference_admin_units")
            return [d.isoformat() for d in days]

        @task(max_active_tis_per_dag=1)
        def landing_to_bronze(days: list[str], run_id=None) -> dict:
            return _call(bronze, f"{dag_id}_bronze", _dates(days), run_id)

        @task
        def bronze_gate(days: list[str]) -> dict:
            """Great Expectations on the loaded landing days' bronze rows."""
            return _call("expectations.gate:run_gates", f"{dag_id}_bronze_gate", bronze_tables, _dates(days))

        @task(max_active_tis_per_dag=1)
        def bronze_to_silver(days: list[str]) -> dict:
            return _call(silver, f"{dag_id}_silver", _dates(days))

        @task(outlets=[asset])
        def publish_silver(days: list[str], result: dict) -> dict:
            """Great Expectations on the silver tables and the quarantine, then the Asset
            event for gold. Skipped (no event) when silver wrote nothing new."""
            skip_unless_changed(result)
            return {"silver": result,
                    "gates": _call("expectations.gate:run_gates", f"{dag_id}_silver_gate",
                                   silver_tables, _dates(days))}

        days = load_reference()
        silver_result = bronze_to_silver(days)
        landing_to_bronze(days) >> bronze_gate(days) >> silver_result
        publish_silver(days, silver_result)

    return source_dag()
