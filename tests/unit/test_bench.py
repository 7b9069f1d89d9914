"""The benchmark's parts that decide its figures (no timing asserted: tests never time)."""
from __future__ import annotations

import datetime as dt
import gzip
import json

import pyarrow.parquet as pq

from antt.bench import ingest
from antt.bench.report import Row, render
from antt.generator import camera

DAY = dt.date(2023, 3, 6)


def _files(root):
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*.jsonl.gz"))}


def test_generator_shards_write_exactly_the_whole_runs_files(tmp_path):
    whole, parts = tmp_path / "whole", tmp_path / "parts"
    camera.generate(whole, DAY, 1, seed=3, scale=0.2, n_cameras=7)
    n = [camera.generate(parts, DAY, 1, seed=3, scale=0.2, n_cameras=7, shard=(i, 3)).days[0].lines
         for i in range(3)]
    got, want = _files(parts), _files(whole)
    assert got.keys() == want.keys() and got == want
    assert sum(n) == sum(len(gzip.decompress(b).splitlines()) for b in want.values())


def test_no_broken_line_without_malformed_rate_and_pyarrow_reads_every_line(tmp_path):
    land = tmp_path / "landing"
    s = camera.generate(land, DAY, 1, seed=5, scale=0.3, n_cameras=6, malformed_line_rate=0.0)
    broken = 0
    for b in _files(land).values():
        for line in gzip.decompress(b).splitlines():
            try:
                json.loads(line)
            except ValueError:
                broken += 1
    assert broken == 0
    # the rate changes no other draw: the default rate writes as many lines
    dflt = camera.generate(tmp_path / "dflt", DAY, 1, seed=5, scale=0.3, n_cameras=6)
    assert dflt.days[0].lines == s.days[0].lines
    out = ingest.pyarrow_baseline(land, DAY, tmp_path / "parquet", threads=2)
    assert out["rows"] == s.days[0].lines
    parquet = sorted((tmp_path / "parquet").glob("hh=*.parquet"))
    assert sum(pq.read_metadata(p).num_rows for p in parquet) == s.days[0].lines
    assert pq.read_schema(parquet[0]).field("speed_kmh").type == "double"


def test_table_shows_every_figure_with_its_unit():
    text = render([Row("project / baseline", 0.4213, "ratio", "goal ≥ 0.30"),
                   Row("baseline", 451234.7, "rows/s"), Row("attach share", 0.031, "share"),
                   Row("peak", None, "MiB", "not found")], "make bench")
    assert "| project / baseline |" in text and "0.42" in text and "451,235" in text
    assert "3%" in text and "—" in text and "command: make bench" in text


def test_history_copies_the_template_day_to_the_days_before_it(spark_local):
    """The incremental part's history: the template landing day's rows, copied to each of the
    days before it with dates, times and landing paths shifted and new event ids."""
    from antt.bench.incremental import copy_history, history_shifts
    from spark_jobs.camera import bronze, silver

    template = dt.date(2031, 1, 10)
    spark_local.sql("CREATE DATABASE IF NOT EXISTS benchtest")
    ddls = {"bronze.camera_events": bronze.BRONZE_DDL, "silver.camera_events": silver.SILVER_DDL,
            "quarantine.camera_events": silver.QUARANTINE_DDL}
    assert set(ddls) == set(history_shifts())
    tables = {name: "benchtest." + name.replace(".", "_") for name in ddls}
    for name, ddl in ddls.items():
        spark_local.sql(f"DROP TABLE IF EXISTS {tables[name]}")
        spark_local.sql(ddl.replace(name, tables[name]))
    t = f"TIMESTAMP'{template} 08:30:00'"
    landed = f"TIMESTAMP'{template} 02:00:00'"
    src = f"camera/events/dt={template}/hh=01/CAM-00001.jsonl.gz"
    spark_local.sql(f"INSERT INTO {tables['bronze.camera_events']} VALUES "
                    f"(DATE'{template}', '{src}', 1, '{{}}', {t}, 'r', NULL, {landed})")
    spark_local.sql(f"INSERT INTO {tables['quarantine.camera_events']} VALUES "
                    f"(DATE'{template}', '{src}', 2, 'UNKNOWN_CAMERA', 'x', '{{}}', {t}, {t})")
    spark_local.sql(f"INSERT INTO {tables['silver.camera_events']} VALUES ('e1', 'CAM-00001', '00001', "
                    f"{t}, DATE'{template}', 8, '30A-123.45', 'car', 1, 40.0, 0.9, 'RED_LIGHT', "
                    f"DATE'{template}', '{src}', 1, {t}, {t}, {landed})")

    copy_history(spark_local, template, 4, tables)

    for name, table in tables.items():
        rows = spark_local.table(table).collect()
        assert sorted(r.landing_date for r in rows) == [template - dt.timedelta(days=k) for k in (3, 2, 1, 0)], name
        assert all(f"dt={r.landing_date}/" in r.source_file for r in rows), name
        assert all(r.ingested_at.date() == r.landing_date for r in rows), name
        if "landed_by" in spark_local.table(table).columns:   # 02:00 of each copy's landing day
            assert spark_local.table(table).where("landed_by IS NULL OR landed_by != to_timestamp(landing_date) + INTERVAL 2 HOURS") \
                .count() == 0, name
    silver_rows = spark_local.table(tables["silver.camera_events"]).collect()
    assert len({r.event_id for r in silver_rows}) == 4
    assert all(r.event_date == r.event_time.date() == r.processed_at.date() == r.landing_date
               for r in silver_rows)
    assert {r.plate for r in silver_rows} == {"30A-123.45"}
    # a template of one day copies nothing
    copy_history(spark_local, template, 1, tables)
    assert spark_local.table(tables["bronze.camera_events"]).count() == 4


def test_percentile_interpolates_between_ranks():
    from antt.bench.dashboards import percentile

    xs = [float(x) for x in range(1, 21)]          # 1..20
    assert percentile(xs, 0.5) == 10.5
    assert percentile(xs, 0.95) == 19.05
    assert percentile([3.0, 1.0, 2.0], 0.0) == 1.0 and percentile([3.0, 1.0, 2.0], 1.0) == 3.0


def test_service_peak_memory_sums_the_process_tree(tmp_path):
    import os
    import subprocess
    import sys

    from antt.bench.memory import service_peak_mib

    # a child that holds ~200 MiB: the tree's peak counts it, the parent alone does not
    child = subprocess.Popen([sys.executable, "-c",
                              "import sys, time; b = bytearray(200 * 2**20); sys.stdout.write('ok\\n');"
                              " sys.stdout.flush(); time.sleep(30)"], stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == "ok"
        pidfile = tmp_path / "svc.pid"
        pidfile.write_text(str(os.getpid()))
        alone = service_peak_mib(pidfile, exe_suffix="/nothing-matches")
        tree = service_peak_mib(pidfile)
        assert alone is None
        assert tree >= 200
    finally:
        child.kill()
        child.wait()
    assert service_peak_mib(tmp_path / "missing.pid") is None


def test_slowest_dbt_nodes_come_from_run_results_longest_first(tmp_path):
    from antt.bench.incremental import slowest_nodes

    (tmp_path / "target").mkdir()
    results = [{"unique_id": "model.antt.fct_camera_violations", "execution_time": 41.5},
               {"unique_id": "test.antt.not_null_x.abc", "execution_time": 0.8},
               {"unique_id": "model.antt.mart_traffic_hotspots", "execution_time": 63.25}]
    (tmp_path / "target" / "run_results.json").write_text(json.dumps({"results": results}))
    assert slowest_nodes(tmp_path, n=2) == [("model:mart_traffic_hotspots", 63.25),
                                           ("model:fct_camera_violations", 41.5)]
