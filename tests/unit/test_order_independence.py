"""Backfilling days in any order gives the same tables as loading them in order, and a
re-run changes nothing — compared by content (every column but load timestamps), through
the real camera jobs on a local Delta warehouse.

The three landing days hold what makes order matter: a resend of an event with the same
content a day later, resends with OTHER content (the first landed copy must win, the
other is quarantined as DUPLICATE_CONFLICT under its own landing day), and a late event.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import gzip
import io
import json
import shutil
from pathlib import Path

import pytest

from spark_jobs import config
from tests.support import tables
from tests.support.tables import checksum, drop_tables

D1, D2, D3 = dt.date(2024, 7, 1), dt.date(2024, 7, 2), dt.date(2024, 7, 3)
REGISTRY = Path(__file__).resolve().parents[1] / "corpus" / "camera" / "registry" / "dt=2024-06-03" / "cameras.csv"
TABLES = (config.BRONZE_CAMERA_EVENTS, config.SILVER_CAMERA_EVENTS, config.QUARANTINE_CAMERA_EVENTS,
          config.SILVER_CAMERAS)


def ev(eid, day, hour=7, speed=42.0, plate="30A-123.45"):
    return json.dumps({"event_id": eid, "camera_id": "CAM-00001",
                       "event_time": f"{day}T{hour:02d}:01:00+07:00", "plate": plate,
                       "vehicle_type": "car", "lane": 1, "speed_kmh": speed, "confidence": 0.9,
                       "violation": None})


DAYS = {
    D1: [ev("a", D1), ev("b", D1, speed=40.0), ev("c", D1)],
    D2: [ev("a", D1),                      # resent, same content: a duplicate
         ev("b", D1, speed=55.0),          # resent with other content: D1's copy wins
         ev("d", D2), ev("e", D1, hour=23)],   # e: a late event of D1
    D3: [ev("d", D2),                      # same content again
         ev("e", D1, hour=23, plate="29B1-234.56"),   # other content: D2's copy wins
         ev("b", D1, speed=70.0),          # a third version of b: D1's still wins
         ev("f", D3)],
}


@pytest.fixture(scope="module")
def landing(tmp_path_factory):
    land = tmp_path_factory.mktemp("order") / "landing"
    for day, lines in DAYS.items():
        f = land / "camera" / "events" / f"dt={day}" / "hh=07" / "CAM-00001.jsonl.gz"
        f.parent.mkdir(parents=True)
        f.write_bytes(gzip.compress(("\n".join(lines) + "\n").encode(), mtime=0))
        reg = land / "camera" / "registry" / f"dt={day}" / "cameras.csv"
        reg.parent.mkdir(parents=True)
        shutil.copy(REGISTRY, reg)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ANTT_LANDING_DIR", str(land))
        yield land


@pytest.fixture(scope="module", autouse=True)
def _leave_no_tables(spark_local):
    yield
    drop_tables(spark_local, *TABLES)


def load(spark, days) -> str:
    from spark_jobs.camera import bronze, registry, silver

    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        for day in days:
            registry.run(spark, day)
            bronze.run(spark, day, f"order-{day}")
            silver.run(spark, day)
    return err.getvalue()


def content(spark) -> dict[str, list[tuple]]:
    return tables.content(spark, TABLES[:3])


@pytest.fixture(scope="module")
def in_order(spark_local, landing):
    drop_tables(spark_local, *TABLES)
    log = load(spark_local, [D1, D2, D3])
    return content(spark_local), log


def test_in_order_keeps_the_first_landed_copy(spark_local, in_order):
    tables, log = in_order
    kept = {r.event_id: (r.speed_kmh, r.plate, r.landing_date)
            for r in spark_local.table(config.SILVER_CAMERA_EVENTS).collect()}
    assert kept == {"a": (42.0, "30A-123.45", D1), "b": (40.0, "30A-123.45", D1), "c": (42.0, "30A-123.45", D1),
                    "d": (42.0, "30A-123.45", D2), "e": (42.0, "30A-123.45", D2), "f": (42.0, "30A-123.45", D3)}
    q = {(r.landing_date, r.line_no): r.reason_code for r in spark_local.table(config.QUARANTINE_CAMERA_EVENTS).collect()}
    assert q == {(D2, 2): "DUPLICATE_CONFLICT", (D3, 2): "DUPLICATE_CONFLICT", (D3, 3): "DUPLICATE_CONFLICT"}
    assert log.count("-> OK") == 3


@pytest.mark.parametrize("order", [[D2, D3, D1]], ids=["2-3-1"])
def test_any_order_gives_the_same_tables(spark_local, landing, in_order, order):
    want, _ = in_order
    drop_tables(spark_local, *TABLES)
    log = load(spark_local, order)
    got = content(spark_local)
    for t in want:
        assert got[t] == want[t], t
    assert checksum(got) == checksum(want)
    assert log.count("-> OK") == 3
    assert "replaced by an earlier-landed copy" in log


def test_rerunning_days_changes_nothing(spark_local, landing, in_order):
    """After any load, re-running every day (in yet another order) leaves the same content."""
    want, _ = in_order
    before = content(spark_local)
    assert checksum(before) == checksum(want)
    log = load(spark_local, [D3, D1, D2])
    assert checksum(content(spark_local)) == checksum(want)
    assert "new 0," in log and "replaced" not in log
