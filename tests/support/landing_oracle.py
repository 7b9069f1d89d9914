"""Independent, plain-Python oracle for the camera landing zone (no Spark).

The Spark pipeline (landing → bronze → silver) implements the same rules on its own; tests
compare its counts with :func:`expected_camera_counts`.

Which files
    For each requested landing date ``D``: every ``*.jsonl.gz`` file under
    ``<landing>/camera/events/dt=D/hh=*/``. Files or directories whose name starts with
    ``.`` or ``_`` are ignored (Spark's convention for hidden/temporary files). Files are
    read in sorted order of (date, hour, file name), lines in file order. Lines are split
    on ``\\n`` (a ``\\r`` before it is part of the line end); a line that is empty or only
    whitespace is not a record and is not counted. A UTF-8 byte-order mark at the start of a
    line is not content.

Registry
    The set of ``camera_id`` values in ``<landing>/camera/registry/dt=D/cameras.csv`` over
    the requested dates (union; a date without a snapshot contributes nothing).

Validity — each line is either valid or invalid under exactly ONE reason, the first
that applies in this order:

    BAD_ENCODING        the line is not valid UTF-8.
    MALFORMED_JSON      the line does not parse as JSON, or the JSON value is not an object.
    MISSING_FIELD       ``event_id``, ``camera_id`` or ``event_time`` is absent, not a JSON
                        string, or empty after trimming spaces.
    BAD_TIMESTAMP       ``event_time`` is not ISO 8601 ``YYYY-MM-DDTHH:MM:SS[.f{1,6}]``
                        followed by ``Z`` or ``±HH:MM`` (an offset is required), or is not a
                        real calendar instant.
    FUTURE_TIMESTAMP    ``event_time`` is more than one hour after the end (24:00 local) of
                        the file's landing date ``D``.
    UNKNOWN_CAMERA      ``camera_id`` (exact, case-sensitive) is not in the registry.
    UNREADABLE_PLATE    ``plate`` absent/null/not a string, or, after trimming spaces and
                        upper-casing, matches neither ``^[0-9]{2}[A-Z][A-Z0-9]?-[0-9]{3}\\.[0-9]{2}$``
                        (``30A-123.45``, ``29B1-234.56``, ``30LD-123.45``) nor
                        ``^[0-9]{2}[A-Z][0-9]?-[0-9]{4}$`` (``30A-1234``, ``29B1-2345``).
    OUT_OF_RANGE        ``confidence`` is not a finite JSON number in [0, 1], or ``speed_kmh``
                        is not a finite JSON number ≥ 0 (absent/null/boolean/string fail).
    BAD_VIOLATION_CODE  ``violation`` is present, not null, and not one of RED_LIGHT,
                        SPEEDING, WRONG_LANE, WRONG_WAY, NO_HELMET, ILLEGAL_PARKING (exact).

Duplicates
    Among VALID lines, the first line seen per ``event_id`` (in the file/line order above)
    is the event; every further valid line with the same ``event_id`` and the same content
    (camera, instant, normalised plate, speed, confidence, violation) is a duplicate, one
    with other content is invalid as DUPLICATE_CONFLICT.
    Invalid lines never count as duplicates, and an event whose only valid copy is a
    resend is still a valid event.

Violations by date
    The kept copy's ``event_time`` converted to Asia/Ho_Chi_Minh (UTC+07:00, no DST),
    its local calendar date as ``YYYY-MM-DD``.
"""

from __future__ import annotations

import csv
import gzip
import json
import math
import re
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import Iterable

REASONS = (
    "BAD_ENCODING", "MALFORMED_JSON", "MISSING_FIELD", "BAD_TIMESTAMP", "FUTURE_TIMESTAMP",
    "UNKNOWN_CAMERA", "UNREADABLE_PLATE", "OUT_OF_RANGE", "BAD_VIOLATION_CODE",
    "DUPLICATE_CONFLICT",
)
VIOLATION_CODES = frozenset(
    ("RED_LIGHT", "SPEEDING", "WRONG_LANE", "WRONG_WAY", "NO_HELMET", "ILLEGAL_PARKING")
)
LOCAL_TZ = timezone(timedelta(hours=7))  # Asia/Ho_Chi_Minh

_PLATE_5 = re.compile(r"[0-9]{2}[A-Z][A-Z0-9]?-[0-9]{3}\.[0-9]{2}")
_PLATE_4 = re.compile(r"[0-9]{2}[A-Z][0-9]?-[0-9]{4}")
_TS = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,6})?(Z|[+-][0-9]{2}:[0-9]{2})")


def _non_empty_str(v) -> bool:
    return isinstance(v, str) and v.strip(" ") != ""


def _number(v) -> float | None:
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return None
    v = float(v)
    return v if math.isfinite(v) else None


def parse_event_time(s: str) -> datetime | None:
    """Aware datetime for a valid ``event_time``, else None."""
    if not _TS.fullmatch(s):
        return None
    try:
        return datetime.fromisoformat(s.replace("Z", "+00:00"))
    except ValueError:
        return None


def plate_is_valid(plate) -> bool:
    if not isinstance(plate, str):
        return False
    p = plate.strip(" ").upper()
    return bool(_PLATE_5.fullmatch(p) or _PLATE_4.fullmatch(p))


def classify(raw: bytes, registry: set[str], landing_date: date | None = None) -> tuple[str | None, dict | None]:
    """(reason or None if valid, parsed object or None) for one line (without the content
    comparison of DUPLICATE_CONFLICT, which needs the earlier copies)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return "BAD_ENCODING", None
    try:
        obj = json.loads(text.removeprefix("\ufeff"))
    except ValueError:
        return "MALFORMED_JSON", None
    if not isinstance(obj, dict):
        return "MALFORMED_JSON", None
    if not all(_non_empty_str(obj.get(k)) for k in ("event_id", "camera_id", "event_time")):
        return "MISSING_FIELD", obj
    t = parse_event_time(obj["event_time"])
    if t is None:
        return "BAD_TIMESTAMP", obj
    if landing_date is not None and t > datetime.combine(
            landing_date + timedelta(days=1), datetime.min.time(), LOCAL_TZ) + timedelta(hours=1):
        return "FUTURE_TIMESTAMP", obj
    if obj["camera_id"] not in registry:
        return "UNKNOWN_CAMERA", obj
    if not plate_is_valid(obj.get("plate")):
        return "UNREADABLE_PLATE", obj
    conf, speed = _number(obj.get("confidence")), _number(obj.get("speed_kmh"))
    if conf is None or not (0.0 <= conf <= 1.0) or speed is None or speed < 0.0:
        return "OUT_OF_RANGE", obj
    v = obj.get("violation")
    if v is not None and v not in VIOLATION_CODES:
        return "BAD_VIOLATION_CODE", obj
    return None, obj


def _visible(p: Path) -> bool:
    return not p.name.startswith((".", "_"))


def _date_str(d) -> str:
    return d.isoformat() if isinstance(d, date) else date.fromisoformat(str(d)).isoformat()


def read_registry(landing_dir: Path, dates: Iterable[str]) -> set[str]:
    ids: set[str] = set()
    for d in dates:
        f = landing_dir / "camera" / "registry" / f"dt={d}" / "cameras.csv"
        if f.is_file():
            with f.open(encoding="utf-8", newline="") as fh:
                ids.update(row["camera_id"] for row in csv.DictReader(fh))
    return ids


def iter_event_files(landing_dir: Path, dates: Iterable[str]) -> list[Path]:
    files = []
    for d in dates:
        part = landing_dir / "camera" / "events" / f"dt={d}"
        if not part.is_dir():
            continue
        for hh in sorted(p for p in part.iterdir() if p.is_dir() and p.name.startswith("hh=")):
            files.extend(sorted(f for f in hh.iterdir()
                                if f.is_file() and _visible(f) and f.name.endswith(".jsonl.gz")))
    return files


def _classified_lines(landing_dir: Path, ds: list[str]):
    """(reason or None, parsed object or None) for every non-empty line, in file/line order."""
    registry = read_registry(landing_dir, ds)
    first: dict[str, tuple] = {}
    for f in iter_event_files(landing_dir, ds):
        landing = date.fromisoformat(f.parent.parent.name.removeprefix("dt="))
        with gzip.open(f, "rb") as fh:
            data = fh.read()
        for raw in data.split(b"\n"):
            if raw.strip():
                reason, obj = classify(raw.removesuffix(b"\r"), registry, landing)
                if obj is not None:
                    # the end of the file's landing hour (camera/events/dt=D/hh=HH/): the
                    # latest moment the read can have arrived
                    obj["_landed_by"] = (datetime.combine(landing, time(int(f.parent.name.removeprefix("hh="))),
                                                          LOCAL_TZ) + timedelta(hours=1))
                if reason is None:
                    c = _content(obj)
                    if first.setdefault(obj["event_id"], c) != c:
                        reason = "DUPLICATE_CONFLICT"
                yield reason, obj


def _content(obj: dict) -> tuple:
    return (obj["camera_id"], parse_event_time(obj["event_time"]), obj["plate"].strip(" ").upper(),
            float(obj["speed_kmh"]), float(obj["confidence"]), obj.get("violation"))


def valid_events(landing_dir, dates) -> list[dict]:
    """The valid distinct events (first valid copy per event_id) of these landing dates, as
    dicts with event_id, camera_id, event_time (aware datetime), local_date, plate
    (trimmed, upper case), speed_kmh and confidence (floats), violation (code or None),
    landed_by (the end of the landing hour of its file) and fields_present (share of
    vehicle_type, lane, speed_kmh given)."""
    landing_dir = Path(landing_dir)
    seen: set[str] = set()
    out = []
    for reason, obj in _classified_lines(landing_dir, sorted({_date_str(d) for d in dates})):
        if reason is not None or obj["event_id"] in seen:
            continue
        seen.add(obj["event_id"])
        t = parse_event_time(obj["event_time"])
        out.append({"event_id": obj["event_id"], "camera_id": obj["camera_id"], "event_time": t,
                    "local_date": t.astimezone(LOCAL_TZ).date(),
                    "plate": obj["plate"].strip(" ").upper(),
                    "speed_kmh": float(obj["speed_kmh"]), "confidence": float(obj["confidence"]),
                    "violation": obj.get("violation"), "landed_by": obj["_landed_by"],
                    "fields_present": sum(obj.get(k) is not None for k in ("vehicle_type", "lane", "speed_kmh")) / 3})
    return out


def expected_camera_counts(landing_dir, dates) -> dict:
    """Counts the pipeline must reproduce for these landing dates (see module doc).

    Returns a dict with: total_lines, valid_lines, malformed, unknown_camera,
    unreadable_plate, invalid_other (MISSING_FIELD + BAD_TIMESTAMP + OUT_OF_RANGE +
    BAD_VIOLATION_CODE), invalid_by_reason (all seven reasons), duplicates,
    valid_distinct_events, valid_distinct_violations, valid_distinct_violations_by_date
    ({local date: count}, sorted), files.
    Invariants: total_lines = valid_lines + Σ invalid_by_reason;
    valid_lines = valid_distinct_events + duplicates.
    """
    landing_dir = Path(landing_dir)
    ds = sorted({_date_str(d) for d in dates})
    by_reason = dict.fromkeys(REASONS, 0)
    total = valid = 0
    seen: set[str] = set()
    violations_by_date: dict[str, int] = {}
    files = iter_event_files(landing_dir, ds)
    for reason, obj in _classified_lines(landing_dir, ds):
        total += 1
        if reason is not None:
            by_reason[reason] += 1
            continue
        valid += 1
        eid = obj["event_id"]
        if eid in seen:
            continue
        seen.add(eid)
        if obj.get("violation") is not None:
            local = parse_event_time(obj["event_time"]).astimezone(LOCAL_TZ).date().isoformat()
            violations_by_date[local] = violations_by_date.get(local, 0) + 1
    return {
        "files": len(files),
        "total_lines": total,
        "valid_lines": valid,
        "malformed": by_reason["MALFORMED_JSON"],
        "unknown_camera": by_reason["UNKNOWN_CAMERA"],
        "unreadable_plate": by_reason["UNREADABLE_PLATE"],
        "invalid_other": sum(by_reason[r] for r in
                             ("MISSING_FIELD", "BAD_TIMESTAMP", "OUT_OF_RANGE", "BAD_VIOLATION_CODE")),
        "invalid_by_reason": by_reason,
        "duplicates": valid - len(seen),
        "valid_distinct_events": len(seen),
        "valid_distinct_violations": sum(violations_by_date.values()),
        "valid_distinct_violations_by_date": dict(sorted(violations_by_date.items())),
    }
