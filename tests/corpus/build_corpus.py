"""Write the bad-input corpus (deterministic; the files are committed, this says how they
were made): ``python -m tests.corpus.build_corpus``.

camera/ — landing files of the camera platform for landing day 2024-06-03, cameras
CAM-00001 and CAM-00002 registered. cases/ — case-system CSV extracts of 2025-07-02.
What must happen to each line or record is asserted in tests/unit/test_bad_input_corpus.py.
"""
from __future__ import annotations

import csv
import gzip
import io
import json
import unicodedata
import zlib
from pathlib import Path

HERE = Path(__file__).parent
CAMERA_DAY = "2024-06-03"
CASES_DAY = "2025-07-02"


def ev(eid, cam="CAM-00001", t="2024-06-03T07:01:00+07:00", plate="30A-123.45", v=None,
       conf=0.9, speed=42.0, **extra):
    d = {"event_id": eid, "camera_id": cam, "event_time": t, "plate": plate, "vehicle_type": "car",
         "lane": 1, "speed_kmh": speed, "confidence": conf, "violation": v}
    d.update(extra)
    return json.dumps(d, ensure_ascii=False)


def gz(text: bytes) -> bytes:
    return gzip.compress(text, mtime=0)


def truncated() -> bytes:
    """Three whole lines, then the stream breaks inside the fourth."""
    head = ("\n".join(ev(f"trunc-{i}") for i in (1, 2, 3)) + "\n").encode()
    c = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    data = c.compress(head) + c.flush(zlib.Z_FULL_FLUSH)
    cut = len(data) + 12
    data += c.compress((ev("trunc-4") + "\n").encode()) + c.flush()
    return data[:cut]


def camera_files() -> dict[str, bytes]:
    files = {
        "01_truncated.jsonl.gz": truncated(),
        "02_zero_bytes.jsonl.gz": b"",
        "03_not_gzip.jsonl.gz": (ev("plain-1") + "\n").encode(),
        "04_wrong_encoding.jsonl.gz": gz(
            (ev("enc-ok") + "\n").encode() + ev("enc-bad", vehicle_type="xe máy").encode("cp1258") + b"\n"),
        "05_bom_crlf.jsonl.gz": gz(("\ufeff" + ev("bom-1") + "\r\n" + ev("crlf-2") + "\r\n").encode()),
        "06_json_types.jsonl.gz": gz(("\n".join([
            ev("type-speed-text", speed="42.5"),        # a number sent as a string: normalised
            json.dumps({**json.loads(ev("x")), "event_id": 12345}),  # numeric id: kept as text
            ev("type-speed-word", speed="fast"),
            ev("type-lane-word", lane="two"),
            ev("type-conf-bool", conf=True),
            ev("type-plate-number", plate=3012345),
            "[1, 2, 3]",
            ev("type-new-field", weather="mưa"),         # a field the platform added: row kept
        ]) + "\n").encode()),
        "07_timestamps.jsonl.gz": gz(("\n".join([
            ev("ts-future", t="2024-06-05T10:00:00+07:00"),
            ev("ts-no-zone", t="2024-06-03T07:01:00"),
            ev("ts-utc", t="2024-06-03T17:30:00Z"),       # 00:30 on 4 June in Hà Nội
            ev("ts-late-evening", t="2024-06-04T00:30:00+07:00"),  # within the clock tolerance
            ev("ts-not-a-date", t="2024-02-30T07:00:00+07:00"),
        ]) + "\n").encode()),
        "08_plates_and_codes.jsonl.gz": gz(("\n".join([
            ev("plate-lower", plate=" 30a-123.45 "),
            ev("plate-spaces", plate="29b1 - 234.56"),
            ev("plate-garbage", plate="30A-1?3.45"),
            ev("cam-unknown", cam="CAM-09999"),
            ev("violation-lower", v="red_light"),
            ev("violation-unknown", v="FLYING"),
        ]) + "\n").encode()),
        "09_duplicates.jsonl.gz": gz(("\n".join([
            ev("dup-same", v="SPEEDING"),
            ev("dup-other", speed=50.0),
            ev("dup-same", v="SPEEDING"),               # resend: a duplicate
            ev("dup-other", speed=95.0),                # same id, other content: a conflict
        ]) + "\n").encode()),
        # an incompatible change: the platform renamed event_time to ts
        "10_renamed_field.jsonl.gz": gz((json.dumps(
            {("ts" if k == "event_time" else k): v for k, v in json.loads(ev("renamed-1")).items()}) + "\n").encode()),
    }
    return files


CASE_COLUMNS = ["op", "record_id", "record_version", "changed_at", "record_kind", "article",
                "received_at", "incident_at", "receiving_unit_code", "location_commune_code",
                "address", "lat", "lon", "summary", "status", "status_at", "is_complex",
                "deadline_extended", "case_no", "prosecuted_at", "cleared_at", "suspended_at",
                "vehicle_plate"]


def rec(rid, version="1", received="2025-06-20T09:00:00+07:00", code="00001", unit="CAX-00001",
        status="RECEIVED", article="173", address="Số 1, phố Huế", summary="Mất trộm xe máy", **extra):
    d = {"op": "I" if version == "1" else "U", "record_id": rid, "record_version": version,
         "changed_at": received, "record_kind": "TO_GIAC", "article": article,
         "received_at": received, "incident_at": received, "receiving_unit_code": unit,
         "location_commune_code": code, "address": address, "lat": "", "lon": "",
         "summary": summary, "status": status, "status_at": received, "is_complex": "0",
         "deadline_extended": "0", "case_no": "", "prosecuted_at": "", "cleared_at": "",
         "suspended_at": "", "vehicle_plate": ""}
    d.update(extra)
    return [d[c] for c in CASE_COLUMNS]


def csv_bytes(rows, *, bom=False, crlf=False, header=CASE_COLUMNS) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n" if crlf else "\n")
    w.writerow(header)
    for r in rows:
        w.writerow(r)
    return (("\ufeff" if bom else "") + buf.getvalue()).encode("utf-8")


def case_files() -> dict[str, bytes]:
    nfd = unicodedata.normalize("NFD", "Số 7, phố Hàng Bạc")
    return {
        "01_bom_crlf.csv": csv_bytes([rec("C-BOM")], bom=True, crlf=True),
        "02_quoted_newline_extra_column.csv": csv_bytes([
            rec("C-NEWLINE", address="Số 5,\nngõ 2"),                # quoted newline: one record
            rec("C-EXTRA") + ["surplus"],                             # one field too many
            rec("C-OK"),
        ]),
        "03_text_and_codes.csv": csv_bytes([
            rec("C-NFD", address=nfd, summary=unicodedata.normalize("NFD", "Trộm cắp tài sản")),
            rec("C-NO-ZONE", received="2025-06-20 09:00:00"),
            rec("C-UNKNOWN-COMMUNE", code="99999"),
            rec("C-PLATE", vehicle_plate=" 29b1-234.56 "),
        ]),
        "04_duplicates.csv": csv_bytes([
            rec("C-DUP", status="RECEIVED"),
            rec("C-DUP", status="RECEIVED"),                          # resend: a duplicate
            rec("C-CONFLICT", summary="bản gốc"),
            rec("C-CONFLICT", summary="bản sửa khác"),                # same id+version, other content
        ]),
        # the case system renamed a required column and added an optional one
        "05_changed_header.csv": csv_bytes(
            [rec("C-RENAMED") + ["Công an phường"]],
            header=["received_time" if c == "received_at" else c for c in CASE_COLUMNS] + ["reporter_unit_name"]),
        "06_added_column.csv": csv_bytes(
            [rec("C-ADDED") + ["Công an phường"]], header=CASE_COLUMNS + ["reporter_unit_name"]),
    }


def main() -> None:
    for name, data in camera_files().items():
        p = HERE / "camera" / "events" / f"dt={CAMERA_DAY}" / "hh=00" / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(data)
    reg = HERE / "camera" / "registry" / f"dt={CAMERA_DAY}" / "cameras.csv"
    reg.parent.mkdir(parents=True, exist_ok=True)
    reg.write_text(
        "camera_id,commune_code,commune_name,lat,lon,road_name,speed_limit_kmh,vendor,installed_date\n"
        "CAM-00001,00004,Phường Ba Đình,21.03,105.83,Đường Láng,50,Hikvision,2023-01-01\n"
        "CAM-00002,00008,Phường Ngọc Hà,21.04,105.82,Phố Đội Cấn,50,Dahua,2023-01-01\n",
        encoding="utf-8")
    for name, data in case_files().items():
        p = HERE / "cases" / "records" / f"dt={CASES_DAY}" / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(data)


if __name__ == "__main__":
    main()
