"""Synthetic Hanoi traffic-camera events, written as the vendor platform lands them.

CLI::

    python -m antt.generator.camera --start-date 2026-11-01 --days 14 \
        [--seed 42] [--scale 1.0] [--cameras 150] [--out DIR]

``--out`` defaults to ``$ANTT_LANDING_DIR``, else ``./var/landing``. For every landing
date ``D`` in ``[start, start + days)`` it writes::

    <out>/camera/registry/dt=D/cameras.csv                      registry export snapshot
    <out>/camera/events/dt=D/hh=HH/<camera_id>.jsonl.gz         one file per camera and
                                                                landing hour (local time)

Determinism: every random draw comes from ``random.Random`` seeded by a string of
``(seed, camera, event day)`` (string seeds are hashed with SHA-512, independent of
``PYTHONHASHSEED``); gzip is written with ``mtime=0``; files and lines have a fixed order.
Same arguments ⇒ byte-identical files. Re-running replaces the files of the partitions it
writes (stale ``*.jsonl.gz`` in a written ``dt=`` partition are removed).

Stronger than asked: the content of partition ``dt=D`` depends only on
``(seed, scale, cameras, D)`` — not on ``--start-date``/``--days``. Events of the two
days before the range are simulated too, so late events and resends that *land* in the
range from earlier event days are present; anything landing outside the range is dropped.
So a 14-day run and 14 one-day runs produce the same files.

Faults (module constants below): vendor resends, late arrivals, truncated JSON lines,
cameras missing from the registry, unreadable plates; plus benign plate formatting noise
(lower case / surrounding spaces) that is still a valid plate after trim + upper-case.
Camera health faults: outages (a silent span of hours, up to the whole day) and stuck
cameras (one reading repeated all day); see :func:`health_fault`.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import json
import math
import os
import random
import sys
import time
import uuid
from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import accumulate
from pathlib import Path

from .plates import VEHICLE_TYPES, PlatePool, make_plate, plate_pool
from .registry import REGISTRY_COLUMNS, Camera, build_registry, unknown_cameras

# ---------------------------------------------------------------------------- volume
EVENTS_PER_CAMERA_DAY = 300          # mean at scale 1.0 (over a week and many cameras)
# relative traffic per local hour 00..23: night trough 01-05, peaks 07-09 and 17-19
WEEKDAY_HOURLY = (1.0, 0.45, 0.3, 0.25, 0.35, 1.0, 2.8, 6.0, 6.6, 5.4, 3.9, 3.7,
                  3.8, 3.6, 3.7, 4.1, 5.0, 6.4, 6.9, 5.8, 4.3, 3.4, 2.5, 1.6)
WEEKEND_HOURLY = (1.4, 0.7, 0.4, 0.3, 0.35, 0.8, 1.6, 3.2, 4.6, 5.0, 4.8, 4.4,
                  4.0, 3.8, 4.0, 4.4, 5.0, 5.6, 5.9, 5.6, 4.9, 4.0, 3.0, 2.0)
DAY_OF_WEEK_FACTOR = (1.04, 1.04, 1.04, 1.04, 1.04, 0.92, 0.86)  # Mon..Sun, mean ≈ 1
PEAK_HOURS = frozenset((7, 8, 9, 17, 18, 19))
NIGHT_HOURS = frozenset((22, 23, 0, 1, 2, 3, 4, 5))

# ---------------------------------------------------------------------------- faults
RESEND_RATE = 0.02            # share of events written again (identical line) later
RESEND_MAX_HOURS = 3          # resend lands 1..3 hours after the first copy's hour
LATE_RATE = 0.03              # share of events landing 1..30 hours after their hour
LATE_MAX_HOURS = 30
MALFORMED_LINE_RATE = 0.002   # share of written lines truncated (broken JSON)
UNREADABLE_PLATE_RATE = 0.01  # plate "", null, "UNKNOWN" or with an OCR glyph
PLATE_FORMAT_NOISE_RATE = 0.005  # valid plate in lower case / with spaces
# camera health (one draw per camera-day, from its own random stream, so the reads of a
# healthy camera-day are the same with or without these faults)
OUTAGE_RATE = 0.04            # camera-days with a silent span (no reads at all) ...
OUTAGE_HOURS = (4, 24)        # ... of this many consecutive hours (24 = the whole day)
STUCK_RATE = 0.01             # camera-days where the camera repeats one reading (plate + speed)
SPEED_TOLERANCE_KMH = 0.0     # SPEEDING ⇔ speed above the camera limit (+ tolerance)

# ---------------------------------------------------------------------------- plates
REGULAR_PLATE_SHARE = 0.6     # share of reads that are regular (pooled) vehicles
PLATE_POOL_SIZES = {"motorbike": 15000, "car": 6000, "truck": 1500, "bus": 400, "other": 400}

# ---------------------------------------------------------------------------- violations
VIOLATION_CODES = ("RED_LIGHT", "SPEEDING", "WRONG_LANE", "WRONG_WAY", "NO_HELMET", "ILLEGAL_PARKING")
VIOLATION_RATES = {  # per event, by vehicle type (≈ 5 % overall)
    "motorbike": {"RED_LIGHT": 0.013, "SPEEDING": 0.005, "WRONG_LANE": 0.011,
                  "WRONG_WAY": 0.004, "NO_HELMET": 0.013, "ILLEGAL_PARKING": 0.002},
    "car":       {"RED_LIGHT": 0.011, "SPEEDING": 0.021, "WRONG_LANE": 0.010,
                  "WRONG_WAY": 0.002, "ILLEGAL_PARKING": 0.006},
    "truck":     {"RED_LIGHT": 0.010, "SPEEDING": 0.012, "WRONG_LANE": 0.020,
                  "WRONG_WAY": 0.002, "ILLEGAL_PARKING": 0.008},
    "bus":       {"RED_LIGHT": 0.008, "SPEEDING": 0.010, "WRONG_LANE": 0.012,
                  "WRONG_WAY": 0.001, "ILLEGAL_PARKING": 0.012},
    "other":     {"RED_LIGHT": 0.012, "SPEEDING": 0.010, "WRONG_LANE": 0.015,
                  "WRONG_WAY": 0.004, "ILLEGAL_PARKING": 0.006},
}
NIGHT_FACTOR = {"SPEEDING": 1.8, "RED_LIGHT": 1.4}
PEAK_FACTOR = {"SPEEDING": 0.3}

EVENT_KEYS = ("event_id", "camera_id", "event_time", "plate", "vehicle_type", "lane",
              "speed_kmh", "confidence", "violation", "vendor_seq")
TZ_SUFFIX = "+07:00"                  # Asia/Ho_Chi_Minh, no DST
SEQ_EPOCH = date(2024, 1, 1)          # vendor_seq = days since epoch * 100000 + n-th read of day
LOOKBACK_DAYS = 2                     # event days before a landing day that can land in it


# ---------------------------------------------------------------------------- helpers
def health_fault(seed: int, camera_id: str, day: date) -> tuple[str | None, frozenset[int]]:
    """The camera-day's health fault: ("OUTAGE", silent local hours), ("STUCK", no hours)
    or (None, no hours)."""
    rng = random.Random(f"antt-health:{seed}:{camera_id}:{day.isoformat()}")
    u = rng.random()
    if u < OUTAGE_RATE:
        span = rng.randint(*OUTAGE_HOURS)
        start = rng.randrange(24 - span + 1)
        return "OUTAGE", frozenset(range(start, start + span))
    if u < OUTAGE_RATE + STUCK_RATE:
        return "STUCK", frozenset()
    return None, frozenset()


def _poisson(rng: random.Random, lam: float) -> int:
    if lam <= 0:
        return 0
    if lam < 30:
        limit, k, p = math.exp(-lam), 0, rng.random()
        while p > limit:
            k += 1
            p *= rng.random()
        return k
    return max(0, int(round(rng.gauss(lam, math.sqrt(lam)))))


def _unreadable_plate(rng: random.Random, plate: str) -> str | None:
    u = rng.random()
    if u < 0.25:
        return ""
    if u < 0.5:
        return None
    if u < 0.65:
        return "UNKNOWN"
    # OCR glyph: one alphanumeric character read as '?' (or '*'), e.g. 30A-1?3.45
    positions = [i for i, ch in enumerate(plate) if ch.isalnum()]
    i = rng.choice(positions)
    return plate[:i] + rng.choice("?*") + plate[i + 1:]


def _noisy_format(rng: random.Random, plate: str) -> str:
    u = rng.random()
    if u < 0.4:
        return plate.lower()
    if u < 0.7:
        return " " + plate
    return plate + "  "


@dataclass
class _CameraModel:
    cam: Camera
    known: bool
    type_cum: list[float]
    lane_count: int


@dataclass
class DayStats:
    landing_date: date
    lines: int = 0
    files: int = 0


@dataclass
class Truth:
    """Ground truth of what was written (for tests): line classes in oracle order."""
    lines: int = 0
    malformed: int = 0
    unknown_camera: int = 0
    unreadable_plate: int = 0
    valid_lines: int = 0
    late_lines: int = 0
    resend_lines: int = 0
    valid_event_ids: set = field(default_factory=set)
    valid_violation_dates: dict = field(default_factory=dict)  # event_id -> local date str

    def violations_by_date(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for d in self.valid_violation_dates.values():
            out[d] = out.get(d, 0) + 1
        return dict(sorted(out.items()))


@dataclass
class RunSummary:
    days: list[DayStats]
    truth: Truth | None
    seconds: float


class _Generator:
    def __init__(self, seed: int, scale: float, n_cameras: int,
                 malformed_line_rate: float = MALFORMED_LINE_RATE):
        self.seed = seed
        self.scale = scale
        self.malformed_line_rate = malformed_line_rate
        self.registry = build_registry(seed, n_cameras)
        models = [(c, True) for c in self.registry] + [(c, False) for c in unknown_cameras(seed)]
        models.sort(key=lambda t: t[0].camera_id)
        self.models = [
            _CameraModel(c, known, list(accumulate(c.vehicle_mix)), c.lanes) for c, known in models
        ]
        self.pools: dict[str, PlatePool] = {
            vt: plate_pool(seed * 1000 + i, PLATE_POOL_SIZES[vt], {vt: 1.0})
            for i, vt in enumerate(VEHICLE_TYPES)
        }

    # one camera, one event day: every line it lands is passed to emit(slot, camera_id, line, ...)
    def camera_day(self, m: _CameraModel, day: date, emit) -> None:
        cam = m.cam
        rng = random.Random(f"antt-events:{self.seed}:{cam.camera_id}:{day.isoformat()}")
        hourly = WEEKEND_HOURLY if day.weekday() >= 5 else WEEKDAY_HOURLY
        total_w = sum(hourly)
        lam_day = EVENTS_PER_CAMERA_DAY * self.scale * cam.traffic_factor * DAY_OF_WEEK_FACTOR[day.weekday()]
        day_ord = day.toordinal()
        day_str = day.isoformat()
        seq = (day - SEQ_EPOCH).days * 100_000
        limit = cam.speed_limit_kmh
        lanes = m.lane_count
        type_cum, type_total = m.type_cum, m.type_cum[-1]
        dumps = json.dumps
        fault, silent = health_fault(self.seed, cam.camera_id, day)
        stuck_reading = None
        for h in range(24):
            n = _poisson(rng, lam_day * hourly[h] / total_w)
            if not n:
                continue
            night, peak = h in NIGHT_HOURS, h in PEAK_HOURS
            offsets = sorted(rng.randrange(3_600_000) for _ in range(n))
            for off in offsets:
                seq += 1
                vt = VEHICLE_TYPES[bisect_right(type_cum, rng.random() * type_total)]
                if rng.random() < REGULAR_PLATE_SHARE:
                    plate = self.pools[vt].pick(rng)[0]
                else:
                    plate = make_plate(rng, vt)
                unreadable = rng.random() < UNREADABLE_PLATE_RATE
                if unreadable:
                    plate_out = _unreadable_plate(rng, plate)
                elif rng.random() < PLATE_FORMAT_NOISE_RATE:
                    plate_out = _noisy_format(rng, plate)
                else:
                    plate_out = plate

                # violation
                violation = None
                u = rng.random()
                acc = 0.0
                for code, rate in VIOLATION_RATES[vt].items():
                    if night:
                        rate *= NIGHT_FACTOR.get(code, 1.0)
                    elif peak:
                        rate *= PEAK_FACTOR.get(code, 1.0)
                    acc += rate
                    if u < acc:
                        violation = code
                        break

                # speed, consistent with violation
                if violation == "ILLEGAL_PARKING":
                    speed = round(rng.uniform(0.0, 2.0), 1)
                elif violation == "SPEEDING":
                    speed = round(limit + SPEED_TOLERANCE_KMH + 1.0 + rng.expovariate(1 / 9.0), 1)
                else:
                    cap = min(limit, 55) if vt == "motorbike" else limit
                    mu = cap * (0.5 if peak else 0.92 if night else 0.75)
                    s = rng.gauss(mu, 0.13 * cap)
                    if s > limit + SPEED_TOLERANCE_KMH:
                        s = limit + SPEED_TOLERANCE_KMH - rng.uniform(0.0, 5.0)
                    speed = round(max(2.0, s), 1)
                    if speed > limit + SPEED_TOLERANCE_KMH:
                        speed = float(limit)

                # lane: motorbikes keep to the right-most lane(s), lane 1 = left-most
                if violation == "WRONG_LANE":
                    lane = 1 if vt == "motorbike" else lanes
                elif vt == "motorbike":
                    lane = lanes if rng.random() < 0.75 else rng.randint(1, lanes)
                else:
                    lane = rng.randint(1, max(1, lanes - 1))

                if unreadable:
                    conf = rng.uniform(0.05, 0.5)
                else:
                    conf = min(0.999, max(0.55, rng.gauss(0.9 if night else 0.945, 0.03)))
                if fault == "STUCK":   # the first reading, again and again
                    if stuck_reading is None and not unreadable:
                        stuck_reading = (plate_out, vt, speed, lane)
                    if stuck_reading is not None:
                        plate_out, vt, speed, lane = stuck_reading
                        violation, unreadable = None, False

                event_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
                ms = off % 1000
                secs = off // 1000
                event_time = f"{day_str}T{h:02d}:{secs // 60:02d}:{secs % 60:02d}.{ms:03d}{TZ_SUFFIX}"
                line = dumps({
                    "event_id": event_id, "camera_id": cam.camera_id, "event_time": event_time,
                    "plate": plate_out, "vehicle_type": vt, "lane": lane, "speed_kmh": speed,
                    "confidence": round(conf, 3), "violation": violation, "vendor_seq": seq,
                }, ensure_ascii=False, separators=(",", ":"))

                # landing: normal = the event's own hour; late = 1..30 hours later
                slot = day_ord * 24 + h
                late = rng.random() < LATE_RATE
                if late:
                    slot += rng.randint(1, LATE_MAX_HOURS)
                resend_slot = slot + rng.randint(1, RESEND_MAX_HOURS) if rng.random() < RESEND_RATE else None
                # every draw above happens regardless of the landing range (range independence)
                if h in silent:        # camera down: the read never happened
                    continue
                for copy_slot, is_resend in ((slot, False), (resend_slot, True)):
                    if copy_slot is None:
                        continue
                    out = line
                    if rng.random() < self.malformed_line_rate:
                        out = line[: rng.randint(8, len(line) - 2)]
                    emit(copy_slot, cam.camera_id, out, out is not line, m.known,
                         unreadable, event_id, violation, day_str, late, is_resend)


def _write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def _registry_csv(registry: list[Camera]) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(REGISTRY_COLUMNS)
    for c in registry:
        w.writerow(c.csv_row())
    return buf.getvalue().encode("utf-8")


def generate(out_dir: str | os.PathLike, start: date, days: int = 1, *, seed: int = 42,
             scale: float = 1.0, n_cameras: int = 150, progress=None,
             collect_truth: bool = False, malformed_line_rate: float = MALFORMED_LINE_RATE,
             shard: tuple[int, int] = (0, 1)) -> RunSummary:
    """Write ``days`` landing days from ``start`` under ``out_dir``; see module doc.

    ``shard=(i, n)`` writes only the files of every n-th camera from the i-th (the same
    files the whole run writes for them: each camera-day has its own random stream), so n
    processes can share a big day; ``malformed_line_rate=0`` writes no broken JSON line
    (every other draw is unchanged), e.g. for a benchmark against a strict JSON reader."""
    if days < 1:
        raise ValueError("days must be >= 1")
    if scale < 0:
        raise ValueError("scale must be >= 0")
    index, count = shard
    if not 0 <= index < count:
        raise ValueError(f"shard {index} of {count} does not exist")
    t0 = time.perf_counter()
    out = Path(out_dir)
    gen = _Generator(seed, scale, n_cameras, malformed_line_rate)
    models = gen.models[index::count]
    registry_bytes = _registry_csv(gen.registry)
    lo, hi = start.toordinal() * 24, (start.toordinal() + days) * 24
    pending: dict[int, dict[str, list[str]]] = {}
    truth = Truth() if collect_truth else None

    def emit(slot, camera_id, line, malformed, known, unreadable, event_id, violation,
             day_str, late, is_resend):
        if not (lo <= slot < hi):
            return
        pending.setdefault(slot, {}).setdefault(camera_id, []).append(line)
        if truth is None:
            return
        truth.lines += 1
        truth.late_lines += late
        truth.resend_lines += is_resend
        if malformed:
            truth.malformed += 1
        elif not known:
            truth.unknown_camera += 1
        elif unreadable:
            truth.unreadable_plate += 1
        else:
            truth.valid_lines += 1
            truth.valid_event_ids.add(event_id)
            if violation is not None:
                truth.valid_violation_dates[event_id] = day_str

    stats: list[DayStats] = []
    for k in range(-LOOKBACK_DAYS, days):
        day = start + timedelta(days=k)
        for m in models:
            gen.camera_day(m, day, emit)
        if k < 0:
            continue
        stats.append(_write_landing_day(out, day, pending, registry_bytes, prune_stale=count == 1))
        if progress:
            s = stats[-1]
            progress(f"day {k + 1}/{days} {day.isoformat()}: {s.lines:,} events in {s.files:,} files")
    return RunSummary(stats, truth, time.perf_counter() - t0)


def _write_landing_day(out: Path, day: date, pending: dict, registry_bytes: bytes,
                       prune_stale: bool = True) -> DayStats:
    d = day.isoformat()
    st = DayStats(day)
    _write_atomic(out / "camera" / "registry" / f"dt={d}" / "cameras.csv", registry_bytes)
    part = out / "camera" / "events" / f"dt={d}"
    written: set[Path] = set()
    base = day.toordinal() * 24
    for h in range(24):
        by_cam = pending.pop(base + h, {})
        for cid in sorted(by_cam):
            lines = by_cam[cid]
            path = part / f"hh={h:02d}" / f"{cid}.jsonl.gz"
            data = ("\n".join(lines) + "\n").encode("utf-8")
            _write_atomic(path, gzip.compress(data, compresslevel=6, mtime=0))
            written.add(path)
            st.lines += len(lines)
            st.files += 1
    if prune_stale and part.exists():  # idempotent re-run: drop files a previous run left behind
        for old in part.glob("hh=*/*.jsonl.gz"):
            if old not in written:
                old.unlink()
    return st


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m antt.generator.camera", description=__doc__.split("\n")[0])
    p.add_argument("--start-date", required=True, type=date.fromisoformat, help="first landing date, YYYY-MM-DD")
    p.add_argument("--days", type=int, default=1, help="number of landing days (default 1)")
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--scale", type=float, default=1.0, help="multiplies event volume (default 1.0)")
    p.add_argument("--cameras", type=int, default=150, help="registry size (default 150)")
    p.add_argument("--out", default=os.environ.get("ANTT_LANDING_DIR") or "./var/landing",
                   help="landing root (default $ANTT_LANDING_DIR or ./var/landing)")
    a = p.parse_args(argv)
    if a.days < 1 or a.cameras < 0 or a.scale < 0:
        p.error("--days must be >= 1, --cameras and --scale >= 0")
    summary = generate(a.out, a.start_date, a.days, seed=a.seed, scale=a.scale,
                       n_cameras=a.cameras, progress=lambda s: print(s, file=sys.stderr, flush=True))
    total = sum(s.lines for s in summary.days)
    print(f"wrote {total:,} event lines for {a.days} day(s) under {Path(a.out) / 'camera'} "
          f"in {summary.seconds:.1f}s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
