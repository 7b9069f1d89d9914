"""Every DAG imports, has no cycle, and follows the house rules."""
from __future__ import annotations

from pathlib import Path

import pytest

DAGS_DIR = Path(__file__).resolve().parents[2] / "dags"


@pytest.fixture(scope="module")
def dagbag():
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(DAGS_DIR))


def test_no_import_errors(dagbag):
    assert dagbag.import_errors == {}, dagbag.import_errors
    assert dagbag.dags, "no DAG found"


def test_one_dag_per_file_named_after_it(dagbag):
    for dag_id, dag in dagbag.dags.items():
        assert Path(dag.fileloc).stem == dag_id, f"{dag_id} lives in {dag.fileloc}"
    assert {Path(d.fileloc).name for d in dagbag.dags.values()} == {
        p.name for p in DAGS_DIR.glob("*.py") if not p.name.startswith("_")}


def _has_cycle(dag) -> bool:
    state: dict[str, int] = {}

    def visit(tid: str) -> bool:
        if state.get(tid) == 1:
            return True
        if state.get(tid) == 2:
            return False
        state[tid] = 1
        if any(visit(d) for d in dag.get_task(tid).downstream_task_ids):
            return True
        state[tid] = 2
        return False

    return any(visit(t) for t in dag.task_ids)


def test_no_cycles(dagbag):
    for dag in dagbag.dags.values():
        assert not _has_cycle(dag), dag.dag_id


def test_tags_doc_retries_and_callback(dagbag):
    for dag in dagbag.dags.values():
        assert dag.tags, f"{dag.dag_id} has no tags"
        assert dag.doc_md and len(dag.doc_md) > 100, f"{dag.dag_id} has no doc_md"
        for task in dag.tasks:
            assert task.retries >= 1, f"{dag.dag_id}.{task.task_id} has no retries"
            assert task.on_failure_callback, f"{dag.dag_id}.{task.task_id} has no failure callback"


def test_camera_events_feeds_gold_through_an_asset(dagbag):
    dag = dagbag.dags["camera_events"]
    # the bronze gate stands between bronze and silver, the silver gate before the Asset
    assert dag.get_task("bronze_gate").upstream_task_ids == {"load_registry", "landing_to_bronze"}
    assert dag.get_task("bronze_to_silver").upstream_task_ids == {"load_registry", "bronze_gate"}
    assert dag.get_task("bronze_to_silver").downstream_task_ids == {"quality_gate"}
    outlets = {a.uri for a in dag.get_task("quality_gate").outlets}
    gold = dagbag.dags["gold_marts"]
    assert outlets == {"delta://silver/camera_events"}
    assert outlets <= {a.uri for a in gold.timetable.asset_condition.objects}
    assert {"fct_camera_violations", "mart_violations_commune_daily"} <= built_models(gold)


def test_case_records_feeds_gold_through_an_asset(dagbag):
    dag = dagbag.dags["case_records"]
    assert dag.get_task("landing_to_bronze").upstream_task_ids == {"load_reference"}
    assert dag.get_task("bronze_gate").upstream_task_ids == {"load_reference", "landing_to_bronze"}
    assert dag.get_task("bronze_to_silver").upstream_task_ids == {"load_reference", "bronze_gate"}
    assert dag.get_task("publish_silver").upstream_task_ids == {"load_reference", "bronze_to_silver"}
    assert not dag.get_task("bronze_to_silver").outlets
    outlets = {a.uri for a in dag.get_task("publish_silver").outlets}
    assert outlets == {"delta://silver/case_records"}
    gold = dagbag.dags["gold_marts"]
    assert outlets <= {a.uri for a in gold.timetable.asset_condition.objects}
    # any one silver update triggers gold (not all of them together)
    assert type(gold.timetable.asset_condition).__name__ == "AssetAny"
    assert {"fct_crime_reports", "mart_compstat_weekly", "dim_commune"} <= built_models(gold)
    assert {a.uri for a in gold.get_task("quality_gate").outlets} == {"delta://gold/marts"}


def test_resident_registry_feeds_gold_through_an_asset(dagbag):
    dag = dagbag.dags["resident_registry"]
    assert dag.get_task("bronze_to_silver").upstream_task_ids == {"load_reference", "bronze_gate"}
    assert dag.get_task("publish_silver").upstream_task_ids == {"load_reference", "bronze_to_silver"}
    outlets = {a.uri for a in dag.get_task("publish_silver").outlets}
    assert outlets == {"delta://silver/resident_registry"}
    gold = dagbag.dags["gold_marts"]
    assert outlets <= {a.uri for a in gold.timetable.asset_condition.objects}
    assert "mart_commune_daily_scorecard" in built_models(gold)


def built_models(gold) -> set[str]:
    """The models the gold DAG builds: one ``dbt build`` of the whole project (no selection),
    after the sources are prepared and before the gold data-quality gate."""
    import json

    from antt.airflow_support import dbt_paths

    assert gold.task_ids == ["dbt_build", "prepare_sources", "quality_gate", "superset_access"]
    assert gold.get_task("superset_access").upstream_task_ids == {"quality_gate"}
    build = gold.get_task("dbt_build")
    assert type(build).__name__ == "DbtBuildLocalOperator"
    assert build.upstream_task_ids == {"prepare_sources"}
    assert build.downstream_task_ids == {"quality_gate"}
    assert not (build.select or build.exclude or build.selector), "gold must build every model"
    assert build.project_dir == str(dbt_paths()["project"])
    manifest = dbt_paths()["manifest"]
    if not manifest.exists():
        import subprocess

        subprocess.run([str(dbt_paths()["dbt"]), "parse", "--quiet"], cwd=dbt_paths()["project"], check=True)
    nodes = json.loads(manifest.read_text())["nodes"].values()
    return {n["name"] for n in nodes if n["resource_type"] == "model"}


def test_landing_dates_range():
    import datetime as dt

    import pytest

    from antt.airflow_support import landing_dates

    assert landing_dates({"landing_date": "2025-06-30", "landing_date_to": "2025-07-02"}, None) == [
        dt.date(2025, 6, 30), dt.date(2025, 7, 1), dt.date(2025, 7, 2)]
    assert landing_dates({"landing_date": "2025-06-30"}, None) == [dt.date(2025, 6, 30)]
    with pytest.raises(ValueError):
        landing_dates({"landing_date": "2025-06-30", "landing_date_to": "2025-06-01"}, None)


def test_landing_date_rules():
    import datetime as dt

    import pendulum

    from antt.airflow_support import landing_date

    assert landing_date({"landing_date": "2024-06-03"}, None) == dt.date(2024, 6, 3)
    # a scheduled run at 00:00 Hà Nội on 5 June loads 4 June
    assert landing_date({}, pendulum.datetime(2024, 6, 4, 17, 0, tz="UTC")) == dt.date(2024, 6, 4)


def test_silver_change_detection():
    """Unchanged silver runs skip the gate / publish task (no Asset event, no gold run)."""
    from spark_jobs.common import silver_changed

    assert not silver_changed({"bronze": 0})                                     # a day without files
    assert not silver_changed({"bronze": 9, "valid": 7, "new": 0, "already": 7, "duplicates": 0,
                               "quarantined": 2, "quarantine_new": 0})           # a re-run
    assert silver_changed({"bronze": 9, "new": 1, "quarantine_new": 0})
    assert silver_changed({"bronze": 9, "new": 0, "quarantine_new": 2})
    assert silver_changed({"residents.bronze": 5, "residents.new": 0, "dossiers.updated": 3})
    assert not silver_changed({"residents.bronze": 5, "residents.new": 0, "history_changed": 0})
    assert silver_changed({"history_changed": 1})


def test_maintenance_runs_schema_by_schema_after_gold(dagbag):
    dag = dagbag.dags["lakehouse_maintenance"]
    order = ["maintain_bronze", "maintain_silver", "maintain_quarantine", "maintain_gold"]
    assert set(dag.task_ids) == set(order)
    for up, down in zip(order, order[1:]):
        assert dag.get_task(down).upstream_task_ids == {up}
    assert dag.timetable.expression == "0 4 * * *"


@pytest.mark.parametrize("local_time", ["00:30", "02:30", "04:10", "12:00"])
def test_an_unpaused_dag_waits_for_its_next_time(dagbag, monkeypatch, local_time):
    """What the scheduler computes from the serialized DAG when a DAG with no run yet is
    unpaused shortly after its scheduled hour: the next time, never the one just past (a
    stack brought up at 02:30 must not start a whole gold build by itself)."""
    import pendulum
    from airflow.serialization.decoders import decode_timetable
    from airflow.serialization.encoders import encode_timetable
    from airflow.timetables import trigger
    from airflow.timetables.base import TimeRestriction

    hour, minute = map(int, local_time.split(":"))
    now = pendulum.datetime(2026, 12, 2, hour, minute, tz="Asia/Ho_Chi_Minh").in_timezone("UTC")
    monkeypatch.setattr(trigger, "utcnow", lambda: now)
    scheduled = 0
    for dag_id, dag in dagbag.dags.items():
        # as the scheduler gets it: through the serialized DAG
        timetable = decode_timetable(encode_timetable(dag.timetable))
        if not timetable.can_be_scheduled:
            continue
        info = timetable.next_dagrun_info(last_automated_data_interval=None,
                                          restriction=TimeRestriction(None, None, catchup=False))
        assert info is not None and info.run_after > now, \
            f"{dag_id} unpaused at {local_time} would run at once for {info and info.run_after}"
        scheduled += 1
    assert scheduled >= 4
