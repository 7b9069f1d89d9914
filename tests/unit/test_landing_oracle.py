"""The landing oracle on a tiny hand-made landing directory with known good/bad lines."""

import gzip
import json

import pytest

from tests.support.landing_oracle import REASONS, classify, expected_camera_counts

REGISTRY_HEADER = "camera_id,commune_code,commune_name,lat,lon,road_name,speed_limit_kmh,vendor,installed_date\n"


def ev(event_id="e1", camera_id="CAM-00001", event_time="2026-11-03T07:15:42.123+07:00",
       plate="30A-123.45", violation=None, **over):
    obj = {"event_id": event_id, "camera_id": camera_id, "event_time": event_time,
           "plate": plate, "vehicle_type": "car", "lane": 2, "speed_kmh": 42.5,
           "confidence": 0.931, "violation": violation, "vendor_seq": 1}
    obj.update(over)
    return json.dumps(obj, ensure_ascii=False)


def write_gz(path, lines):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(gzip.compress(("\n".join(lines) + "\n").encode("utf-8")))


def write_registry(root, d, ids):
    p = root / "camera" / "registry" / f"dt={d}" / "cameras.csv"
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(REGISTRY_HEADER + "".join(
        f"{i},00070,Phường Hoàn Kiếm,21.03,105.85,Phố Huế,50,Hikvision,2020-01-01\n" for i in ids),
        encoding="utf-8")


@pytest.fixture
def landing(tmp_path):
    root = tmp_path / "landing"
    write_registry(root, "2026-11-03", ["CAM-00001"])
    write_registry(root, "2026-11-04", ["CAM-00002"])  # registry = union over requested dates
    ev_dir = root / "camera" / "events"
    write_gz(ev_dir / "dt=2026-11-03" / "hh=07" / "CAM-00001.jsonl.gz", [
        ev("e1"),                                                        # valid
        ev("e2", event_time="2026-11-02T18:30:00Z", violation="RED_LIGHT"),  # valid, local date 11-03
        ev("e2", event_time="2026-11-02T18:30:00Z", violation="RED_LIGHT"),  # duplicate
        ev("e6")[:40],                                                   # MALFORMED_JSON (truncated)
        "[1, 2, 3]",                                                     # MALFORMED_JSON (not an object)
        "",                                                              # blank: not a record
        json.dumps({k: v for k, v in json.loads(ev("e7")).items() if k != "event_id"}),  # MISSING_FIELD
        ev("   "),                                                       # MISSING_FIELD (blank id)
        ev("e8", camera_id=17),                                          # MISSING_FIELD (not a string)
        ev("e9", event_time="2026-11-03T07:00:00"),                      # BAD_TIMESTAMP (no offset)
        ev("e10", event_time="2026-13-03T07:00:00+07:00"),               # BAD_TIMESTAMP (month 13)
        ev("e11", camera_id="CAM-X9001", plate="UNKNOWN"),               # UNKNOWN_CAMERA (first reason)
        ev("e12", plate="30A-1?3.45"),                                   # UNREADABLE_PLATE
        ev("e13", plate=None),                                           # UNREADABLE_PLATE
        ev("e14", plate=" 29b1-234.56 ", vehicle_type="motorbike", violation="NO_HELMET"),  # valid
        ev("e15", confidence=1.2),                                       # OUT_OF_RANGE
        ev("e16", speed_kmh=-1),                                         # OUT_OF_RANGE
        ev("e17", confidence=None, violation="BOGUS"),                   # OUT_OF_RANGE (before violation)
        ev("e18", violation="PARKING"),                                  # BAD_VIOLATION_CODE
        ev("e19", plate="30A-1234", violation="SPEEDING",
           event_time="2026-11-02T23:59:59.999+07:00"),                  # valid, late, local 11-02
        "\ufeff" + ev("e21"),                                            # valid: a byte-order mark is not content
        ev("e22") + "\r",                                                # valid: CRLF line end
        ev("e23", event_time="2026-11-04T01:30:00+07:00"),               # FUTURE_TIMESTAMP (> 24:00 + 1 h)
        ev("e1", speed_kmh=99.0),                                        # DUPLICATE_CONFLICT (e1 had other speed)
    ])
    write_gz(ev_dir / "dt=2026-11-03" / "hh=07" / ".CAM-00001.jsonl.gz.tmp", [ev("hidden")])
    write_gz(ev_dir / "dt=2026-11-03" / "hh=07" / "_CAM-00009.jsonl.gz", [ev("hidden2")])
    write_gz(ev_dir / "dt=2026-11-04" / "hh=00" / "CAM-00002.jsonl.gz", [
        ev("e2", event_time="2026-11-02T18:30:00Z", violation="RED_LIGHT"),  # resend on the next day
        ev("e20", camera_id="CAM-00002", plate="30LD-123.45", violation="WRONG_WAY",
           event_time="2026-11-03T17:30:00.5+00:00"),                   # valid, local 11-04 00:30
        ev("e13", plate="30A-123.45"),                                   # valid copy of an invalid line
    ])
    # a landing date that is not requested
    write_gz(ev_dir / "dt=2026-11-05" / "hh=00" / "CAM-00001.jsonl.gz", [ev("e99")])
    return root


def test_counts_on_hand_made_landing(landing):
    got = expected_camera_counts(landing, ["2026-11-03", "2026-11-04"])
    assert got["invalid_by_reason"] == {
        "BAD_ENCODING": 0, "MALFORMED_JSON": 2, "MISSING_FIELD": 3, "BAD_TIMESTAMP": 2,
        "FUTURE_TIMESTAMP": 1, "UNKNOWN_CAMERA": 1, "UNREADABLE_PLATE": 2, "OUT_OF_RANGE": 3,
        "BAD_VIOLATION_CODE": 1, "DUPLICATE_CONFLICT": 1,
    }
    assert {k: v for k, v in got.items() if k != "invalid_by_reason"} == {
        "files": 2,
        "total_lines": 26,
        "valid_lines": 10,
        "malformed": 2,
        "unknown_camera": 1,
        "unreadable_plate": 2,
        "invalid_other": 9,
        "duplicates": 2,
        # e1, e2, e14, e19, e21, e22, e20, e13
        "valid_distinct_events": 8,
        "valid_distinct_violations": 4,
        "valid_distinct_violations_by_date": {"2026-11-02": 1, "2026-11-03": 2, "2026-11-04": 1},
    }


def test_only_requested_dates_and_registry_union(landing):
    got = expected_camera_counts(landing, ["2026-11-04"])
    # registry of 11-04 only knows CAM-00002: the CAM-00001 lines are unknown cameras
    assert got["total_lines"] == 3
    assert got["unknown_camera"] == 2
    assert got["valid_distinct_events"] == 1
    assert got["valid_distinct_violations_by_date"] == {"2026-11-04": 1}


def test_missing_partition_gives_zero(landing):
    got = expected_camera_counts(landing, ["2030-01-01"])
    assert got["total_lines"] == 0 and got["files"] == 0
    assert set(got["invalid_by_reason"]) == set(REASONS)


@pytest.mark.parametrize("line, reason", [
    (ev(), None),
    (ev(plate="29B1-2345"), None),
    (ev(plate="30a-123.45 "), None),
    (ev(plate="3OA-123.45"), "UNREADABLE_PLATE"),          # letter O for zero
    (ev(plate="30A-12345"), "UNREADABLE_PLATE"),           # missing dot
    (ev(plate="30ABC-123.45"), "UNREADABLE_PLATE"),
    (ev(plate=""), "UNREADABLE_PLATE"),
    (ev(plate=30123), "UNREADABLE_PLATE"),
    (ev(confidence=True), "OUT_OF_RANGE"),
    (ev(confidence="0.9"), "OUT_OF_RANGE"),
    (ev(speed_kmh=float("nan")), "OUT_OF_RANGE"),
    (ev(confidence=0.0, speed_kmh=0), None),
    (ev(confidence=1), None),
    (ev(violation="red_light"), "BAD_VIOLATION_CODE"),
    (ev(event_time="2026-11-03 07:15:42+07:00"), "BAD_TIMESTAMP"),
    (ev(event_time="2026-11-03T07:15:42.123+0700"), "BAD_TIMESTAMP"),
    (ev(event_time=1762128942), "MISSING_FIELD"),
    ('{"event_id": "e1"', "MALFORMED_JSON"),
    ("null", "MALFORMED_JSON"),
])
def test_classify_single_lines(line, reason):
    got, _ = classify(line.encode("utf-8"), {"CAM-00001"})
    assert got == reason


def test_non_utf8_is_malformed():
    assert classify(b'{"event_id": "\xff"}', {"CAM-00001"})[0] == "BAD_ENCODING"
