"""Bronze's Python read of landing files (spark_jobs/camera/landing_reader.py): the same
lines as Spark's read, and fields that silver classifies exactly as it classifies the lines
it parses itself."""
from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from spark_jobs.camera import landing_reader as lr

CORPUS = Path(__file__).resolve().parents[1] / "corpus" / "camera" / "events"


def ev(eid="e1", **over):
    d = {"event_id": eid, "camera_id": "CAM-00001", "event_time": "2024-06-03T07:01:00+07:00",
         "plate": "30A-123.45", "vehicle_type": "car", "lane": 1, "speed_kmh": 42.0, "confidence": 0.9,
         "violation": None}
    d.update(over)
    return json.dumps(d, ensure_ascii=False)


# Lines where a lenient and a strict JSON reader may part ways. Each must end the same in
# silver whichever reader parsed it.
TRICKY = [
    ev("plain"),
    "\ufeff" + ev("bom"),
    "  " + ev("spaces-around") + "  ",
    ev("speed-int", speed_kmh=40),
    ev("speed-text", speed_kmh="42.5"),
    ev("speed-exp", speed_kmh=1e2),
    ev("speed-neg", speed_kmh=-3),
    ev("conf-int", confidence=1),
    ev("conf-high", confidence=1.5),
    ev("conf-bool", confidence=True),
    ev("lane-float", lane=2.5),
    ev("lane-huge", lane=3_000_000_000),
    ev("lane-zero", lane=0),
    ev("lane-null", lane=None),
    ev("lane-text", lane="two"),
    ev(12345),
    ev("plate-number", plate=3012345),
    ev("plate-object", plate={"text": "30A-123.45"}),
    ev("nested-extra", extra={"a": [1, {"b": None}]}),
    ev("unicode", vehicle_type="xe máy", plate="30a 123.45"),
    ev("escapes\\u0041\\n"),
    '{"event_id": "dup-key", "event_id": "other", "camera_id": "CAM-00001"}',
    '{"event_id": "nan", "camera_id": "CAM-00001", "event_time": "2024-06-03T07:01:00+07:00", '
    '"plate": "30A-123.45", "speed_kmh": NaN, "confidence": 0.9}',
    '{"event_id": "inf", "camera_id": "CAM-00001", "event_time": "2024-06-03T07:01:00+07:00", '
    '"plate": "30A-123.45", "speed_kmh": Infinity, "confidence": 0.9}',
    "{'event_id': 'single-quotes'}",
    '{"event_id": "trailing-comma",}',
    '{"event_id": "two"} {"event_id": "objects"}',
    '{"event_id": "cr\rinside"}',
    ev("truncated")[:30],
    "[1, 2, 3]",
    "null",
    '"just a string"',
    "{}",
    '{"event_id": "lead-zero", "lane": 01}',
    ev("good-after-bad"),
]


def test_parse_lines_leaves_what_it_cannot_read_to_spark():
    lines = [ev("a", lane=2), "null", ev("b", lane=2.5), '{"event_id": "c"', ev("d"), '{"x":1} {"y":2}']
    got = lr.parse_lines(lines).to_pylist()
    assert [g and g["event_id"] for g in got] == ["a", None, None, None, "d", None]
    assert got[0]["lane"] == 2 and got[0]["speed_kmh"] == 42.0 and got[0]["violation"] is None
    assert lr.parse_lines([]).to_pylist() == []


def test_parse_lines_gives_up_after_max_calls(monkeypatch):
    monkeypatch.setattr(lr, "MAX_CALLS", 2)
    lines = [ev("a"), ev("b", lane="x"), ev("c", lane="y"), ev("d", lane="z")]
    # two reads: each drops one bad line; the third is never made, so nothing is parsed
    assert lr.parse_lines(lines).to_pylist() == [None] * 4


def write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def test_read_file_numbers_lines_like_split_lines(tmp_path):
    text = "\ufeff" + ev("a") + "\r\n\r\n   \n" + ev("b") + "\nnot json\n" + ev("c") + "\r"
    f = write(tmp_path / "f.jsonl.gz", gzip.compress(text.encode()))
    got = lr.read_file(str(f), "camera/events/dt=2024-06-03/hh=07/f.jsonl.gz").to_pylist()
    assert [(r["line_no"], r["raw"][:1], r["raw"][-1:]) for r in got] == \
        [(1, "\ufeff", "}"), (4, "{", "}"), (5, "n", "n"), (6, "{", "\r")]
    assert [r["parsed"] and r["parsed"]["event_id"] for r in got] == ["a", "b", None, None]
    assert {r["source_file"] for r in got} == {"camera/events/dt=2024-06-03/hh=07/f.jsonl.gz"}


@pytest.mark.parametrize("data", [
    b"",                                              # zero bytes
    gzip.compress(b"\n  \n"),                         # no line
    (ev("plain") + "\n").encode(),                    # not gzip
    gzip.compress(b'{"event_id": "\xff"}\n'),         # not UTF-8
    gzip.compress(((ev("x") + "\n") * 50).encode())[:-20],   # cut short
])
def test_read_file_leaves_files_that_are_not_plain_whole_gzip(tmp_path, data):
    f = write(tmp_path / "f.jsonl.gz", data)
    assert lr.read_file(str(f), "f") is None


def test_silver_classifies_lines_parsed_on_landing_as_those_it_parses(spark_local):
    """Every line of the corpus's plain files and the tricky ones above, through silver's
    parse + classify twice — once with ``parsed`` from the landing reader, once without —
    gives the same typed fields, reason and detail for every line."""
    from pyspark.sql import functions as F

    from spark_jobs.camera import silver
    from tests.unit.test_camera_transforms import D, TS, cameras_df

    lines = list(TRICKY)
    for f in sorted(CORPUS.rglob("*.jsonl.gz")):
        batch = lr.read_file(str(f), f.name)
        if batch is not None:
            lines += batch.column("raw").to_pylist()
    parsed = lr.parse_lines(lines)
    assert 0 < parsed.null_count < len(lines)      # both paths are exercised
    rows = [(D, "camera/events/dt=2024-06-03/hh=07/x.jsonl.gz", i + 1, raw, TS, p)
            for i, (raw, p) in enumerate(zip(lines, parsed.to_pylist()))]
    df = spark_local.createDataFrame(
        rows, f"landing_date date, source_file string, line_no int, raw string, ingested_at timestamp, "
              f"parsed {lr.PARSED_DDL}")
    cols = ["line_no", "event_id", "camera_id", "event_time", "plate", "vehicle_type", "lane", "speed_kmh",
            "confidence", "violation_code", "reason_code", "reason_detail"]

    def classified(frame):
        out = silver.classify(silver.parse(frame), cameras_df(spark_local)).select(*cols)
        return {r.line_no: tuple(r) for r in out.collect()}

    on_landing = classified(df)
    in_silver = classified(df.withColumn("parsed", F.lit(None).cast(lr.PARSED_DDL)))
    assert len(on_landing) == len(lines)
    differ = {n: (on_landing[n], in_silver[n]) for n in on_landing if on_landing[n] != in_silver[n]}
    assert not differ, "\n".join(f"{a[6:]}\n{b[6:]}" for a, b in differ.values())
    # and the typed fields are there: the valid lines are valid either way
    assert sum(1 for r in on_landing.values() if r[-2] is None) > 10
