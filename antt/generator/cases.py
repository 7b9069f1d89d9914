"""Synthetic daily CDC extracts of the case management system (crime reports and cases).

CLI::

    python -m antt.generator.cases --start-date 2025-06-20 --days 20 [--seed 42] [--scale 1.0]

For every landing date ``D`` in ``[start, start + days)`` it writes one extract::

    <out>/cases/records/dt=D/case_records_<YYYYMMDD>.csv

UTF-8 CSV (RFC 4180: quoted fields, commas and newlines inside addresses and summaries,
``""`` for a quote), one header row. Every row is the full after-image of one version of one
record (CDC): ``op`` is ``I`` for version 1 and ``U`` after; ``record_version`` grows by one
per change of a record. A record is a crime report (tin báo / tố giác / kiến nghị khởi tố)
that may become a case (vụ án) when prosecution opens.

Lifecycle of a record, drawn once when it is received::

    RECEIVED → VERIFYING → PROSECUTED → CLEARED | SUSPENDED   (or stays open)
                         → NOT_PROSECUTED
                         (or still VERIFYING: open, possibly overdue)

plus, for some records, a correction (article, location or address fixed days later) and
for complex ones an extension of the settlement deadline (Criminal Procedure Code Art. 147).

Admin units: a record received before 1 July 2025 carries **legacy** unit codes (526 wards,
30 district police units), a later one **current** codes (126 communes) — and the two code
lists share 126 codes with different meanings, so the date decides. ``lat``/``lon`` are
present for most records (the point where it happened), empty for the rest.

Faults: late rows (a change lands 1–3 days after it happened, so versions of a record can
arrive out of order), resent rows (an identical row again in the next extract), and a few
malformed rows (unknown commune code, unknown article, missing receipt time, an extra column)
— these are rows of records that have no valid version at all, so the bad row never hides a
good one.

Determinism: each record depends only on ``(seed, scale, receipt day, index)``; records
received up to ``HORIZON_DAYS`` before the range are simulated, so the file of ``dt=D`` is the
same whatever ``--start-date``/``--days`` produced it. Same arguments ⇒ byte-identical files.
"""

from __future__ import annotations

import argparse
import csv
import io
import math
import os
import random
import sys
import time
from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from itertools import accumulate
from pathlib import Path

from antt.reference.admin_units import (
    MERGER_DATE,
    hanoi_communes,
    hanoi_legacy_communes,
)

from .plates import plate_pool

TZ = timezone(timedelta(hours=7))  # Asia/Ho_Chi_Minh, no DST
MERGER = date.fromisoformat(MERGER_DATE)

COLUMNS = (
    "op", "record_id", "record_version", "changed_at", "record_kind", "article",
    "received_at", "incident_at", "receiving_unit_code", "location_commune_code",
    "address", "lat", "lon", "summary", "status", "status_at", "is_complex",
    "deadline_extended", "case_no", "prosecuted_at", "cleared_at", "suspended_at",
    "vehicle_plate",
)

REPORTS_PER_DAY = 60           # citywide mean at scale 1.0
HORIZON_DAYS = 400             # longest lifecycle simulated before the range
KINDS = (("TO_GIAC", 0.55), ("TIN_BAO", 0.40), ("KIEN_NGHI_KHOI_TO", 0.05))
# Penal Code 2015 articles and their share of reports
ARTICLES = (
    (173, 0.36), (174, 0.14), (134, 0.09), (171, 0.06), (290, 0.05), (249, 0.05),
    (251, 0.03), (318, 0.04), (321, 0.04), (178, 0.03), (175, 0.03), (168, 0.015),
    (170, 0.01), (260, 0.02), (322, 0.01), (141, 0.005), (123, 0.003), (304, 0.004),
    (250, 0.005), (169, 0.002), (172, 0.004), (255, 0.004), (327, 0.002), (328, 0.002),
    (248, 0.001),
)
VEHICLE_THEFT_SHARE = 0.45     # of Art. 173 reports: a vehicle was stolen (plate recorded)

# settlement of a report (Art. 147): days allowed
BASE_LIMIT_DAYS, COMPLEX_LIMIT_DAYS, EXTENSION_DAYS = 20, 60, 60
COMPLEX_SHARE = 0.12
EXTENDED_SHARE = 0.4           # of complex reports: the procuracy extends once
ON_TIME_SHARE = 0.85           # decided within the limit
STILL_OPEN_SHARE = 0.03        # never decided within the simulated horizon
PROSECUTE_SHARE = 0.52         # of decided reports
CLEARED_SHARE, SUSPENDED_SHARE = 0.65, 0.20  # of prosecuted cases (rest stay open)

CORRECTION_SHARE = 0.06
LATE_ROW_SHARE = 0.03
RESEND_ROW_SHARE = 0.01
MALFORMED_PER_DAY = 0.4        # mean malformed extra rows per extract
COORD_SHARE = 0.7
DISTRICT_RECEIVES_SHARE = 0.25  # before the merger: received by the district police

STREETS = ("phố Huế", "phố Bà Triệu", "đường Giải Phóng", "đường Láng", "phố Tôn Đức Thắng",
           "đường Nguyễn Trãi", "phố Kim Mã", "đường Trường Chinh", "phố Chùa Bộc",
           "đường Phạm Văn Đồng", "phố Hoàng Hoa Thám", "đường Lê Văn Lương", "phố Thái Hà")
SUMMARIES = {
    173: ("Bị hại trình báo bị mất trộm tài sản tại nơi ở, thiệt hại ước tính {v} triệu đồng.",
          "Mất trộm điện thoại, ví tiền tại quán cà phê; camera khu vực đang được trích xuất."),
    174: ("Bị hại bị lừa chuyển khoản {v} triệu đồng qua mạng xã hội, đối tượng giả danh \"cán bộ ngân hàng\".",
          "Lừa đảo bán hàng trực tuyến, nhận tiền đặt cọc {v} triệu đồng rồi chặn liên lạc."),
    134: ("Xô xát tại quán nhậu, một người bị thương phải đi cấp cứu.",),
    171: ("Đối tượng đi xe máy giật túi xách của người đi đường, bỏ chạy về hướng {s}.",),
}
GENERIC_SUMMARY = "Tiếp nhận tin báo về hành vi có dấu hiệu tội phạm theo Điều {a} BLHS; đang xác minh ban đầu."


@dataclass
class DayStats:
    day: date
    rows: int = 0


@dataclass
class RunSummary:
    days: list[DayStats] = field(default_factory=list)
    seconds: float = 0.0


def _cum(pairs):
    return [p[0] for p in pairs], list(accumulate(p[1] for p in pairs))


_KIND_V, _KIND_C = _cum(KINDS)
_ART_V, _ART_C = _cum(ARTICLES)


def _pick(rng: random.Random, values, cum):
    return values[bisect_right(cum, rng.random() * cum[-1])]


def _poisson(rng: random.Random, lam: float) -> int:
    if lam > 30:
        return max(0, round(rng.gauss(lam, math.sqrt(lam))))
    limit, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def _ts(t: datetime) -> str:
    return t.astimezone(TZ).isoformat(timespec="seconds")


class _Units:
    """Where reports happen: current communes after the merger, legacy ones before."""

    def __init__(self):
        self.current = list(hanoi_communes())
        self.legacy = list(hanoi_legacy_communes())
        w_cur = [2.0 if c.type == "Phường" else 1.0 for c in self.current]
        w_leg = [2.0 if c.type == "Phường" else 1.3 if c.type == "Thị trấn" else 1.0 for c in self.legacy]
        self.cur_cum = list(accumulate(w_cur))
        self.leg_cum = list(accumulate(w_leg))

    def pick(self, rng: random.Random, day: date):
        if day >= MERGER:
            c = self.current[bisect_right(self.cur_cum, rng.random() * self.cur_cum[-1])]
            return c.code, c.name, c.lat, c.lon, f"CAX-{c.code}", 1.6
        c = self.legacy[bisect_right(self.leg_cum, rng.random() * self.leg_cum[-1])]
        unit = (f"CAH-{c.district_code}" if rng.random() < DISTRICT_RECEIVES_SHARE
                else f"CAX-{c.code}")
        return c.code, f"{c.name}, {c.district_name}", c.lat, c.lon, unit, 0.8


class _Generator:
    def __init__(self, seed: int, scale: float):
        self.seed, self.scale = seed, scale
        self.units = _Units()
        # the regular vehicles the cameras see (same pools as antt.generator.camera)
        self.pools = {"motorbike": plate_pool(seed * 1000 + 0, 15000, {"motorbike": 1.0}),
                      "car": plate_pool(seed * 1000 + 1, 6000, {"car": 1.0})}

    def day_records(self, day: date) -> list[list[tuple[date, list[str]]]]:
        rng = random.Random(f"antt-cases:{self.seed}:{self.scale}:{day.isoformat()}")
        factor = 0.9 if day.weekday() >= 5 else 1.04
        n = _poisson(rng, REPORTS_PER_DAY * self.scale * factor)
        out = [self._record(day, i) for i in range(1, n + 1)]
        n_bad = _poisson(rng, MALFORMED_PER_DAY * self.scale)
        out += [self._malformed(day, i) for i in range(1, n_bad + 1)]
        return out

    # one record: its versions as (landing day, csv row)
    def _record(self, day: date, i: int) -> list[tuple[date, list[str]]]:
        rng = random.Random(f"antt-case:{self.seed}:{day.isoformat()}:{i}")
        hour = min(23, max(0, int(rng.gauss(14, 4.5))))
        received = datetime(day.year, day.month, day.day, hour, rng.randrange(60), rng.randrange(60), tzinfo=TZ)
        incident = received - timedelta(minutes=rng.randrange(10, 72 * 60))
        kind = _pick(rng, _KIND_V, _KIND_C)
        article = _pick(rng, _ART_V, _ART_C)
        code, place, lat0, lon0, unit, jitter_km = self.units.pick(rng, day)
        lat = lon = ""
        if rng.random() < COORD_SHARE:
            r = jitter_km * math.sqrt(rng.random())
            b = rng.random() * 2 * math.pi
            lat = f"{lat0 + r * math.cos(b) / 111.0:.6f}"
            lon = f"{lon0 + r * math.sin(b) / (111.0 * math.cos(math.radians(lat0))):.6f}"
        street = rng.choice(STREETS)
        address = f"Số {rng.randrange(1, 300)}, ngõ {rng.randrange(1, 200)} {street}, {place}"
        if rng.random() < 0.15:
            address = address.replace(", ", ",\n", 1)  # a newline inside the quoted field
        plate = ""
        if article == 173 and rng.random() < VEHICLE_THEFT_SHARE:
            vt = "motorbike" if rng.random() < 0.85 else "car"
            plate = self.pools[vt].pick(rng)[0]
            summary = (f"Bị hại trình báo bị mất trộm {'xe máy' if vt == 'motorbike' else 'xe ô tô'}, "
                       f"biển kiểm soát {plate}, để tại {street}.")
        else:
            templates = SUMMARIES.get(article, (GENERIC_SUMMARY,))
            summary = rng.choice(templates).format(v=rng.randrange(2, 400), s=street, a=article)

        is_complex = rng.random() < COMPLEX_SHARE
        extended = is_complex and rng.random() < EXTENDED_SHARE
        limit = BASE_LIMIT_DAYS if not is_complex else COMPLEX_LIMIT_DAYS + (EXTENSION_DAYS if extended else 0)

        def at(days: float) -> datetime:
            return received + timedelta(seconds=int(days * 86400))

        # (time, field changes) after the first version
        changes: list[tuple[datetime, dict]] = [(at(rng.uniform(0.05, 2.0)), {"status": "VERIFYING"})]
        if extended:
            changes.append((at(COMPLEX_LIMIT_DAYS - rng.uniform(1, 10)), {"deadline_extended": "1"}))
        u = rng.random()
        if u >= STILL_OPEN_SHARE:
            decided = (rng.uniform(2.0, limit) if u < STILL_OPEN_SHARE + ON_TIME_SHARE
                       else limit + rng.uniform(1.0, 30.0))
            t_dec = at(decided)
            if rng.random() < PROSECUTE_SHARE:
                case_no = f"VA-{t_dec.year}-{day:%m%d}{i:04d}"
                changes.append((t_dec, {"status": "PROSECUTED", "case_no": case_no,
                                        "prosecuted_at": _ts(t_dec)}))
                v = rng.random()
                if v < CLEARED_SHARE:
                    t = t_dec + timedelta(days=min(300.0, rng.expovariate(1 / 40.0) + 1))
                    changes.append((t, {"status": "CLEARED", "cleared_at": _ts(t)}))
                elif v < CLEARED_SHARE + SUSPENDED_SHARE:
                    t = t_dec + timedelta(days=rng.uniform(60, 180))
                    changes.append((t, {"status": "SUSPENDED", "suspended_at": _ts(t)}))
            else:
                changes.append((t_dec, {"status": "NOT_PROSECUTED"}))
        if rng.random() < CORRECTION_SHARE:
            what = rng.random()
            if what < 0.4 and article in (173, 174, 175):
                fix = {"article": str(rng.choice([a for a in (173, 174, 175) if a != article]))}
            elif what < 0.7:
                fix = {"address": address.replace("Số ", "Số nhà ", 1)}
            else:
                fix = {"summary": summary + " (Cập nhật: bổ sung lời khai người làm chứng.)"}
            changes.append((at(rng.uniform(1.0, 10.0)), fix))
        changes.sort(key=lambda c: c[0])

        row = {
            "op": "I", "record_id": f"TB-{day:%Y%m%d}-{i:04d}", "record_version": "1",
            "changed_at": _ts(received), "record_kind": kind, "article": str(article),
            "received_at": _ts(received), "incident_at": _ts(incident),
            "receiving_unit_code": unit, "location_commune_code": code, "address": address,
            "lat": lat, "lon": lon, "summary": summary, "status": "RECEIVED",
            "status_at": _ts(received), "is_complex": "1" if is_complex else "0",
            "deadline_extended": "0", "case_no": "", "prosecuted_at": "", "cleared_at": "",
            "suspended_at": "", "vehicle_plate": plate,
        }
        versions = [(received, dict(row))]
        for n, (t, fields) in enumerate(changes, start=2):
            row = {**row, **fields, "op": "U", "record_version": str(n), "changed_at": _ts(t)}
            if "status" in fields:
                row["status_at"] = _ts(t)
            versions.append((t, dict(row)))
        out = []
        for t, r in versions:
            landed = t.astimezone(TZ).date() + timedelta(days=1)  # the nightly extract after the change
            if rng.random() < LATE_ROW_SHARE:
                landed += timedelta(days=rng.randint(1, 3))
            values = [r[c] for c in COLUMNS]
            out.append((landed, values))
            if rng.random() < RESEND_ROW_SHARE:
                out.append((landed + timedelta(days=1), values))
        return out

    def _malformed(self, day: date, i: int) -> list[tuple[date, list[str]]]:
        rng = random.Random(f"antt-case-bad:{self.seed}:{day.isoformat()}:{i}")
        good = self._record(day, 9000 + i)[0][1]
        good[COLUMNS.index("record_id")] = f"TB-{day:%Y%m%d}-{9000 + i:04d}"
        kind = rng.choice(("UNKNOWN_COMMUNE", "UNKNOWN_ARTICLE", "MISSING_FIELD", "EXTRA_COLUMN"))
        if kind == "UNKNOWN_COMMUNE":
            good[COLUMNS.index("location_commune_code")] = "99999"
        elif kind == "UNKNOWN_ARTICLE":
            good[COLUMNS.index("article")] = "999"
        elif kind == "MISSING_FIELD":
            good[COLUMNS.index("received_at")] = ""
        else:
            good = good + ["cột thừa"]
        return [(day + timedelta(days=1), good)]


def _write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def extract_path(out: Path, day: date) -> Path:
    return out / "cases" / "records" / f"dt={day.isoformat()}" / f"case_records_{day:%Y%m%d}.csv"


def generate(out_dir: str | os.PathLike, start: date, days: int = 1, *, seed: int = 42,
             scale: float = 1.0, progress=None) -> RunSummary:
    """Write ``days`` daily extracts from ``start`` under ``out_dir``; see module doc."""
    if days < 1:
        raise ValueError("days must be >= 1")
    t0 = time.perf_counter()
    out = Path(out_dir)
    gen = _Generator(seed, scale)
    end = start + timedelta(days=days)
    pending: dict[date, list[list[str]]] = {}
    for k in range(-HORIZON_DAYS, days):
        day = start + timedelta(days=k)
        for versions in gen.day_records(day):
            for landed, values in versions:
                if start <= landed < end:
                    pending.setdefault(landed, []).append(values)
    summary = RunSummary()
    for k in range(days):
        day = start + timedelta(days=k)
        rows = pending.get(day, [])
        # extract order: change time, then record and version (as the CDC tool writes it)
        rows.sort(key=lambda r: (r[3], r[1], int(r[2])))
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(COLUMNS)
        w.writerows(rows)
        _write_atomic(extract_path(out, day), buf.getvalue().encode("utf-8"))
        summary.days.append(DayStats(day, len(rows)))
        if progress and (k + 1) % 30 == 0 or progress and k + 1 == days:
            progress(f"cases: {k + 1}/{days} extracts written (up to {day.isoformat()})")
    summary.seconds = time.perf_counter() - t0
    return summary


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m antt.generator.cases", description=__doc__.split("\n")[0])
    p.add_argument("--start-date", required=True, type=date.fromisoformat, help="first landing date, YYYY-MM-DD")
    p.add_argument("--days", type=int, default=1)
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--scale", type=float, default=1.0, help="multiplies report volume (default 1.0)")
    p.add_argument("--out", default=os.environ.get("ANTT_LANDING_DIR") or "./var/landing")
    a = p.parse_args(argv)
    if a.days < 1 or a.scale < 0:
        p.error("--days must be >= 1 and --scale >= 0")
    s = generate(a.out, a.start_date, a.days, seed=a.seed, scale=a.scale,
                 progress=lambda m: print(m, file=sys.stderr, flush=True))
    print(f"wrote {sum(d.rows for d in s.days):,} case rows in {len(s.days)} extract(s) under "
          f"{Path(a.out) / 'cases'} in {s.seconds:.1f}s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
