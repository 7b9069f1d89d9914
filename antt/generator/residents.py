"""Synthetic Hanoi resident registry (cư trú), as the national residence database exports it.

CLI::

    python -m antt.generator.residents --start-date 2025-06-20 --days 20 [--seed 42] [--scale 1.0] [--out DIR]

``--out`` defaults to ``$ANTT_LANDING_DIR``, else ``./var/landing``. For every landing date
``D`` in ``[start, start + days)`` it writes three nightly extracts of the changes made on
``D - 1``::

    <out>/registry/residents/dt=D/residents_<YYYYMMDD>.csv          people (CDC after-images)
    <out>/registry/residence/dt=D/residence_events_<YYYYMMDD>.csv   registrations / de-registrations
    <out>/registry/dossiers/dt=D/dossiers_<YYYYMMDD>.csv            public-service dossiers (CDC)

and once per run, for the range's first day, the state of the database at the end of
``start - 1``::

    <out>/registry/snapshot/dt=<start>/residents_snapshot.csv       the active residents
    <out>/registry/snapshot/dt=<start>/residence_snapshot.csv       their active registrations

UTF-8 CSV written by the ``csv`` module (RFC 4180: fields with commas, quotes or newlines are
quoted; ``""`` for a quote), one header row, ``\\n`` line ends. Timestamps are ISO 8601 with
``+07:00``; dates ``YYYY-MM-DD``.

Files and columns
-----------------
``residents`` — ``op, national_id, full_name, birth_date, sex, household_id, changed_at,
record_version``: the full after-image of a person each time the person record is created
(``op`` ``I``, version 1) or changed (``U``: household change, name correction, or re-entry —
the person gets a registration while none was in force, e.g. a temporary registration that
lapsed and is registered again — so a person absent from the snapshot is written again before
any new registration of theirs is in force). ``national_id``
is the 12-digit CCCD: 3-digit province code of the birth registration (``001`` Hà Nội; other
codes are the official province codes from ``vietnamadminunits``, nearer provinces more
frequent), 1 digit century + sex (0/1 = born 1900–1999 male/female, 2/3 = 2000–2099), 2 digits
birth year, 6 random digits; unique per person. ``full_name`` is họ + tên đệm + tên (NFC),
surnames at realistic northern frequencies. ``sex`` is ``NAM``/``NU``. ``household_id``
(``HK-`` + 8 digits) is the person's permanent household, else the household of their
temporary residence, else the host of their short stay.

``residence_events`` — ``event_id, national_id, household_id, residence_type, action,
commune_code, address, lat, lon, effective_date, expires_on, registered_at``.
``residence_type`` is ``THUONG_TRU`` (permanent), ``TAM_TRU`` (temporary, ``expires_on`` up to
2 years on) or ``LUU_TRU`` (short-stay notice, 1–30 days); ``action`` ``REGISTER`` or
``DEREGISTER``. A DEREGISTER closes the registration of the same ``national_id``,
``residence_type`` and ``household_id`` that is in force on its ``effective_date``. A person
holds at most one registration of each type in force on any day; a TAM_TRU extension is a new
REGISTER at the same household whose ``effective_date`` is the day after the old one expires
(registered before that). TAM_TRU and LUU_TRU registrations end at ``expires_on`` (valid
through that day) **without an event**, or earlier with a DEREGISTER; THUONG_TRU ends only
with a DEREGISTER (move, moving out of Hanoi, death). A move is DEREGISTER at the old place
and REGISTER at the new one, same ``registered_at``. ``commune_code`` is the **legacy**
5-digit code (526 units) when ``effective_date`` < 2025-07-01 and the **current** code (126
units) from then on — the two lists share 126 codes with different meanings, so the date
decides; a registration made before the merger and closed after it therefore carries its
legacy code on the REGISTER and the current code on the DEREGISTER. ``address`` is written
with the unit names valid on ``effective_date`` (always has commas, sometimes a newline
inside the quoted field). ``lat``/``lon``: the dwelling, near the unit's centroid; empty for
~30 % of events.

``dossiers`` — ``dossier_id, record_version, service_code, channel, commune_code,
national_id, status, submitted_at, completed_at, changed_at``: one after-image per status
change: ``SUBMITTED`` → ``PROCESSING`` → ``COMPLETED`` | ``REJECTED`` (``KHAI_BAO_LUU_TRU``
is a notice: SUBMITTED → COMPLETED within minutes). ``national_id`` is the applicant (e.g. a
parent for a birth, the household head for a household move, the host for a short stay).
``commune_code`` follows the legacy/current rule by the date of ``submitted_at``.
``completed_at`` is empty until processing ends (COMPLETED or REJECTED). Online share grows
over time; offline dossiers are submitted on working days in office hours. Processing runs in
working hours (Mon–Fri 08:00–17:00) against the legal limits of the Law on Residence 2020
(:data:`LEGAL_LIMIT_WORKING_DAYS`: 7 working days for permanent, 3 for temporary registration),
online typically faster, a minority late. A registration event (REGISTER / DEREGISTER) is
recorded when its dossier completes; moves delete the old registration automatically (no
second dossier), and a few events have no Hanoi dossier (a move out of Hanoi is registered by
the other province; an ex officio de-registration of a dead person living alone). A rejected
dossier is usually re-filed a few days later.

Population and dynamics
-----------------------
The base population is about :data:`BASE_RESIDENTS` × scale people (at scale 1.0, 80,000: a
~0.9 % sample of Hanoi's ~8.7 million), in family households of permanent residents placed
across the legacy communes with weights (wards denser than rural communes), plus temporary
residents from other provinces in rented rooms, plus some Hanoi residents registered
temporarily elsewhere in the city. Every day brings births, deaths, household and individual
moves, moves out of and into Hanoi, temporary residents arriving (students, workers; their
national ID is never ``001``), moving, converting to permanent residence, extending,
leaving early or letting the registration lapse, short-stay notices (mostly visitors from
other provinces hosted by a household), residence confirmations and name corrections. Daily
means are the ``*_PER_DAY`` constants × scale.

History, snapshot and determinism
---------------------------------
The simulated database starts at a fixed date :data:`EPOCH` (2024-01-01): the base population
is loaded then — its REGISTER events (``effective_date`` and ``registered_at`` in the past,
before 2024) and its resident ``I`` rows land in the extract of ``EPOCH + 1`` — and every day
after is simulated from there, whatever the range. Because the history is anchored to a fixed
date (not to ``--start-date``), the whole history depends only on ``(seed, scale)``: an event's
draws depend on ``(seed, scale, day, index)`` and on the state those same draws produced
before; the base population on ``(seed, scale)`` only. So the file of ``dt=D`` is the same
whatever ``--start-date``/``--days`` produced it, and same arguments ⇒ byte-identical files.
``--start-date`` must be after ``EPOCH``. Rows that land outside the range are not written.

A pipeline that starts at ``--start-date`` cannot see the history, hence the snapshot: the
rows of the active residents (latest after-image) and of their registrations in force — not
de-registered, ``expires_on`` empty or ≥ start (a future-dated extension already registered
counts) — with ``registered_at``/``changed_at`` before ``start`` 00:00 +07:00 (the cut-off).
Same columns as the daily files, nothing else. Applying the daily files to the snapshot: rows
whose ``registered_at``/``changed_at`` is before the cut-off are already reflected in it
(late or resent copies; a late DEREGISTER of a registration closed before the cut-off has no
counterpart in it) and must be skipped; REGISTER rows are keyed by ``event_id``.

Faults (module constants): late rows (land 1–3 days after their night), resent identical rows
(next night again), and a few malformed rows per file — extra fake records, never a valid
record's id or national ID: bad national ID length, unknown commune code (``99999``), missing
``effective_date`` / ``birth_date`` / ``submitted_at``, an extra column.
"""

from __future__ import annotations

import argparse
import csv
import heapq
import io
import math
import os
import random
import sqlite3
import sys
import time
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from itertools import accumulate
from pathlib import Path

from antt.reference.admin_units import (
    MERGER_DATE,
    current_commune_for,
    hanoi_communes,
    hanoi_legacy_communes,
)

TZ = timezone(timedelta(hours=7))  # Asia/Ho_Chi_Minh, no DST
MERGER = date.fromisoformat(MERGER_DATE)

RESIDENT_COLUMNS = ("op", "national_id", "full_name", "birth_date", "sex", "household_id",
                    "changed_at", "record_version")
RESIDENCE_COLUMNS = ("event_id", "national_id", "household_id", "residence_type", "action",
                     "commune_code", "address", "lat", "lon", "effective_date", "expires_on",
                     "registered_at")
DOSSIER_COLUMNS = ("dossier_id", "record_version", "service_code", "channel", "commune_code",
                   "national_id", "status", "submitted_at", "completed_at", "changed_at")
THUONG_TRU, TAM_TRU, LUU_TRU = "THUONG_TRU", "TAM_TRU", "LUU_TRU"

# ---------------------------------------------------------------------------- history
EPOCH = date(2024, 1, 1)          # the simulated database starts here (base population loaded)
DB_GO_LIVE = date(2021, 7, 1)     # national residence DB replaced the paper hộ khẩu books

# ---------------------------------------------------------------------------- population
HANOI_POPULATION = 8_700_000
BASE_RESIDENTS = 80_000           # at scale 1.0: a ~0.9 % sample of Hanoi
BASE_TEMP_SHARE = 0.10            # of the base: temporary residents from other provinces
BASE_LOCAL_TEMP_SHARE = 0.015     # of base permanent residents: also TAM_TRU elsewhere in Hanoi
HANOI_BORN_SHARE = 0.78           # of base permanent adults: national ID province code 001

# daily means at scale 1.0 (≈ Hanoi's per-capita rates × 80,000)
BIRTHS_PER_DAY = 2.6              # crude birth rate ≈ 12 ‰
DEATHS_PER_DAY = 1.2              # crude death rate ≈ 5.5 ‰
HOUSEHOLD_MOVES_PER_DAY = 0.8     # whole household moves its permanent residence
PERSON_MOVES_PER_DAY = 1.5        # marriage into another household / new own household
OUT_MIGRATIONS_PER_DAY = 0.8      # permanent residence moved to another province
IN_MIGRATIONS_PER_DAY = 1.0       # permanent registration of people from other provinces
TEMP_TO_PERMANENT_PER_DAY = 0.4   # temporary residents becoming permanent
TEMP_ARRIVALS_PER_DAY = 12.0      # students, workers from other provinces
LOCAL_TEMP_PER_DAY = 0.8          # Hanoi residents registering TAM_TRU elsewhere in the city
TEMP_MOVES_PER_DAY = 1.0          # temporary residents changing rooms
SHORT_STAYS_PER_DAY = 25.0        # LUU_TRU notices
CONFIRMATIONS_PER_DAY = 6.0       # XAC_NHAN_CU_TRU dossiers (no residence change)
NAME_CORRECTIONS_PER_DAY = 0.3
ADMIN_WEEKEND_FACTOR = 0.6        # moves/arrivals/confirmations decided on Sat/Sun (weekdays ↑)

STUDENT_SHARE = 0.45              # of temporary arrivals
TEMP_EXTEND_SHARE = 0.45          # of TAM_TRU registrations: extended before they expire
TEMP_EARLY_LEAVE_SHARE = 0.20     # of TAM_TRU registrations: de-registered before expiry
SHORT_STAY_RESIDENT_SHARE = 0.2   # of LUU_TRU: Hanoi residents (others: visitors)
SHORT_STAY_MEAN_DAYS = 3.5        # 1..30 days

# ---------------------------------------------------------------------------- dossiers
SERVICES = ("DK_THUONG_TRU", "DK_TAM_TRU", "KHAI_BAO_LUU_TRU", "XOA_DK_THUONG_TRU",
            "XOA_DK_TAM_TRU", "XAC_NHAN_CU_TRU")
# Law on Residence 2020 arts. 22, 28, 24, 29; Circular 55/2021 (confirmation: ½ day, up to 3)
LEGAL_LIMIT_WORKING_DAYS = {"DK_THUONG_TRU": 7, "DK_TAM_TRU": 3, "KHAI_BAO_LUU_TRU": 0,
                            "XOA_DK_THUONG_TRU": 1, "XOA_DK_TAM_TRU": 1, "XAC_NHAN_CU_TRU": 3}
WORK_START_HOUR, WORK_END_HOUR = 8, 17
ONLINE_SHARE_AT_EPOCH = 0.30
ONLINE_SHARE_GROWTH_PER_YEAR = 0.18
ONLINE_SHARE_MAX = 0.92
SERVICE_ONLINE_BIAS = {"KHAI_BAO_LUU_TRU": 0.35, "XAC_NHAN_CU_TRU": 0.10,
                       "XOA_DK_THUONG_TRU": -0.10, "XOA_DK_TAM_TRU": -0.05}
# processing time as a share of the legal limit: Beta(a, b) (online mean ≈ 0.3, offline ≈ 0.55)
PROCESSING_BETA = {"ONLINE": (1.6, 3.6), "OFFLINE": (2.6, 2.1)}
LATE_PROCESSING_SHARE = {"ONLINE": 0.04, "OFFLINE": 0.10}   # beyond the limit by 0.5–5 working days
REJECT_SHARE = {"DK_THUONG_TRU": 0.05, "DK_TAM_TRU": 0.03, "KHAI_BAO_LUU_TRU": 0.0,
                "XOA_DK_THUONG_TRU": 0.01, "XOA_DK_TAM_TRU": 0.01, "XAC_NHAN_CU_TRU": 0.02}
REFILE_SHARE = 0.85               # of rejected dossiers: filed again 1–7 days later

# ---------------------------------------------------------------------------- faults / shape
LATE_ROW_SHARE = 0.02             # a row lands 1–3 days after its night
RESEND_ROW_SHARE = 0.01           # an identical row lands again the next night
MALFORMED_PER_DAY = 0.3           # mean malformed extra rows per extract (not scaled)
COORD_SHARE = 0.7                 # events with lat/lon
ADDRESS_NEWLINE_SHARE = 0.02      # addresses with a newline inside the quoted field


def _nfc(s: str) -> str:
    return unicodedata.normalize("NFC", s)


def _nfc_all(items):
    """NFC-normalise a tuple of names or of (name, weight) pairs."""
    return tuple((_nfc(x[0]), x[1]) if isinstance(x, tuple) else _nfc(x) for x in items)


# surnames and their share among northern Vietnamese (approximate)
SURNAMES = _nfc_all((
    ("Nguyễn", 35.0), ("Trần", 10.0), ("Lê", 9.0), ("Phạm", 7.5), ("Hoàng", 5.0), ("Vũ", 4.5),
    ("Phan", 3.0), ("Đặng", 2.5), ("Bùi", 2.5), ("Đỗ", 2.5), ("Ngô", 1.5), ("Dương", 1.2),
    ("Đinh", 1.2), ("Đào", 1.0), ("Trịnh", 0.9), ("Hồ", 0.8), ("Đoàn", 0.8), ("Trương", 0.6),
    ("Lương", 0.6), ("Cao", 0.6), ("Hà", 0.7), ("Mai", 0.5), ("Tạ", 0.5), ("Võ", 0.5),
    ("Lý", 0.4), ("Chu", 0.4), ("Lưu", 0.4), ("Phùng", 0.4), ("Huỳnh", 0.3), ("Lại", 0.3),
    ("Kiều", 0.3), ("Tô", 0.3), ("Vương", 0.3), ("Triệu", 0.3), ("Nghiêm", 0.2), ("Nông", 0.2),
    ("Quách", 0.2), ("Thân", 0.2), ("Đồng", 0.2), ("Khúc", 0.1), ("Khổng", 0.1), ("Lã", 0.1),
    ("Doãn", 0.1), ("Hứa", 0.1), ("Tăng", 0.1),
))
MALE_MIDDLE = _nfc_all(("Đức", "Minh", "Quang", "Hữu", "Công", "Thành", "Xuân", "Mạnh", "Ngọc",
                        "Hoàng", "Tuấn", "Anh", "Việt", "Duy", "Gia", "Bảo", "Đăng", "Trọng",
                        "Tiến", "Huy", "Quốc", "Thế", "Trung", "Hải", "Đình", "Khắc", "Văn"))
FEMALE_MIDDLE = _nfc_all(("Ngọc", "Thu", "Thanh", "Minh", "Phương", "Thùy", "Hồng", "Bảo",
                          "Khánh", "Hải", "Mai", "Kim", "Diệu", "Hoài", "Lan", "Quỳnh", "Tuyết",
                          "Bích", "Như", "Thảo", "Tú", "Hà", "Yến", "Cẩm", "Thị"))
MALE_GIVEN = _nfc_all(("Anh", "Minh", "Hùng", "Dũng", "Tuấn", "Nam", "Long", "Hải", "Sơn",
                       "Thắng", "Đức", "Quân", "Huy", "Hoàng", "Trung", "Cường", "Hiếu", "Phúc",
                       "Khang", "Bảo", "Duy", "Thành", "Tùng", "Vinh", "Khôi", "Đạt", "Kiên",
                       "Lâm", "Quang", "Tiến", "Hưng", "Hòa", "Bình", "Toàn", "Thịnh", "Phong",
                       "Lộc", "Tài", "Khoa", "Nghĩa", "Hiển", "Dương", "Giang", "Việt", "Tâm",
                       "Chiến", "Hậu", "Hiệp", "Trí", "Thái"))
FEMALE_GIVEN = _nfc_all(("Linh", "Hương", "Lan", "Hà", "Trang", "Thảo", "Hoa", "Mai", "Ngọc",
                         "Huyền", "Thủy", "Hằng", "Nhung", "Phương", "Yến", "Anh", "Vy", "Chi",
                         "My", "Nhi", "An", "Giang", "Hạnh", "Loan", "Oanh", "Dung", "Quỳnh",
                         "Hiền", "Thúy", "Vân", "Liên", "Nga", "Thu", "Hồng", "Diệp", "Trâm",
                         "Ly", "Ngân", "Uyên", "Thư", "Tuyết", "Nhàn", "Hảo", "Bích", "Châu",
                         "Khánh", "Xuân", "Hoài", "Lụa", "Thơm"))
STREETS = _nfc_all(("phố Huế", "phố Bà Triệu", "đường Giải Phóng", "đường Láng", "phố Tôn Đức Thắng",
                    "đường Nguyễn Trãi", "phố Kim Mã", "đường Trường Chinh", "phố Chùa Bộc",
                    "đường Phạm Văn Đồng", "phố Hoàng Hoa Thám", "đường Lê Văn Lương", "phố Thái Hà",
                    "phố Xã Đàn", "phố Tây Sơn", "đường Cầu Giấy", "phố Trần Duy Hưng",
                    "đường Nguyễn Văn Cừ", "phố Ngọc Lâm", "đường Minh Khai", "phố Bạch Mai",
                    "đường Tam Trinh", "đường Kim Giang", "phố Vũ Tông Phan", "phố Khương Trung",
                    "đường Hồ Tùng Mậu", "đường Xuân Thủy", "phố Trần Bình", "đường Quang Trung",
                    "phố Lê Trọng Tấn", "phố Văn Cao", "đường Âu Cơ", "phố Thụy Khuê", "phố Đội Cấn",
                    "phố Nguyễn Chí Thanh", "đường Ngô Gia Tự", "phố Định Công", "đường Lĩnh Nam",
                    "đường Hoàng Quốc Việt", "phố Trần Cung", "đường Phạm Hùng", "phố Nguyễn Khang",
                    "phố Yên Hòa", "phố Tô Hiệu", "đường Nguyễn Văn Linh", "phố Hàng Bạc"))
ESTATES = _nfc_all(("khu đô thị Linh Đàm", "khu đô thị Việt Hưng", "khu đô thị Mỹ Đình II",
                    "khu đô thị Văn Quán", "khu tập thể Thành Công", "khu tập thể Kim Liên",
                    "khu đô thị Times City", "khu đô thị Royal City", "khu đô thị Ciputra",
                    "khu đô thị Dương Nội", "khu đô thị Định Công", "khu tập thể Nghĩa Tân"))
VILLAGES = _nfc_all(("Đông", "Đoài", "Trung", "Thượng", "Hạ", "Nam", "Bắc", "Yên", "Phú", "An",
                     "Lạc", "Tiền", "Hậu", "Phúc", "Vân", "Quang", "Đình", "Chùa", "Cả", "Mới"))
HANOI_LABEL = _nfc("Hà Nội")
ONLINE_HOURS = (0.3, 0.1, 0.05, 0.05, 0.1, 0.4, 1.2, 2.2, 3.2, 3.4, 3.3, 2.8, 2.2, 2.6, 3.0,
                3.0, 2.8, 2.4, 2.2, 2.6, 2.9, 2.6, 1.6)  # 00..22 h
OFFLINE_HOURS = (3.2, 3.6, 3.0, 2.2, 0.5, 1.2, 2.8, 2.6, 1.8)  # 08..16 h


@dataclass
class DayStats:
    day: date
    residents: int = 0
    residence: int = 0
    dossiers: int = 0


@dataclass
class RunSummary:
    days: list[DayStats] = field(default_factory=list)
    snapshot_residents: int = 0
    snapshot_registrations: int = 0
    seconds: float = 0.0


# ---------------------------------------------------------------------------- helpers
def _cum(pairs):
    return [p[0] for p in pairs], list(accumulate(p[1] for p in pairs))


_SUR_V, _SUR_C = _cum(SURNAMES)
_ONLINE_H_C = list(accumulate(ONLINE_HOURS))
_OFFLINE_H_C = list(accumulate(OFFLINE_HOURS))


def _pick(rng: random.Random, values, cum):
    return values[bisect_right(cum, rng.random() * cum[-1])]


def _poisson(rng: random.Random, lam: float) -> int:
    if lam <= 0:
        return 0
    if lam > 30:
        return max(0, round(rng.gauss(lam, math.sqrt(lam))))
    limit, k, p = math.exp(-lam), 0, rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return k


def _ts(t: datetime) -> str:
    return t.isoformat(timespec="seconds")


def _at(d: date, hour: int, minute: int = 0, second: int = 0) -> datetime:
    return datetime(d.year, d.month, d.day, hour, minute, second, tzinfo=TZ)


def _office_time(rng: random.Random, d: date) -> datetime:
    return _at(d, rng.randrange(WORK_START_HOUR, WORK_END_HOUR), rng.randrange(60), rng.randrange(60))


def _next_work(t: datetime) -> datetime:
    """The first working moment at or after ``t`` (Mon–Fri, office hours)."""
    while True:
        if t.weekday() < 5:
            start = t.replace(hour=WORK_START_HOUR, minute=0, second=0, microsecond=0)
            end = t.replace(hour=WORK_END_HOUR, minute=0, second=0, microsecond=0)
            if t < start:
                return start
            if t < end:
                return t
        t = (t + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)


def _add_work(t: datetime, hours: float) -> datetime:
    """``t`` plus ``hours`` of working time."""
    t = _next_work(t)
    left = int(hours * 3600)
    while True:
        end = t.replace(hour=WORK_END_HOUR, minute=0, second=0, microsecond=0)
        avail = int((end - t).total_seconds())
        if left <= avail:
            return t + timedelta(seconds=left)
        left -= avail
        t = _next_work(end)


def _age(birth: date, on: date) -> float:
    return (on - birth).days / 365.25


def _birth_for_age(rng: random.Random, on: date, age: float) -> date:
    return on - timedelta(days=int(age * 365.25) + rng.randrange(1, 366))


def _birth_provinces() -> list[tuple[str, float]]:
    """Official province codes (the 63 before 2025) weighted for migration into Hanoi.

    From ``vietnamadminunits`` (table ``admin_units_legacy``): weight falls with the distance
    of the province centroid from Hà Nội, so Thanh Hóa, Nam Định, Bắc Giang... dominate.
    """
    import vietnamadminunits

    db = Path(vietnamadminunits.__file__).parent / "data" / "dataset.db"
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        rows = conn.execute("SELECT DISTINCT provinceCode, provinceLat, provinceLon "
                            "FROM admin_units_legacy ORDER BY provinceCode").fetchall()
    centre = next((lat, lon) for code, lat, lon in rows if code == "01")
    out = []
    for code, lat, lon in rows:
        if code == "01":
            continue
        d_km = math.hypot(lat - centre[0], (lon - centre[1]) * math.cos(math.radians(centre[0]))) * 111.0
        out.append((f"{int(code):03d}", 1.0 / (1.0 + d_km / 120.0) ** 2))
    return out


class _Bag:
    """Insertion-ordered set with O(1) add, discard and uniform random pick."""

    def __init__(self):
        self.items: list = []
        self.pos: dict = {}

    def __len__(self):
        return len(self.items)

    def add(self, x) -> None:
        if x not in self.pos:
            self.pos[x] = len(self.items)
            self.items.append(x)

    def discard(self, x) -> None:
        i = self.pos.pop(x, None)
        if i is None:
            return
        last = self.items.pop()
        if i < len(self.items):
            self.items[i] = last
            self.pos[last] = i

    def pick(self, rng: random.Random):
        return self.items[rng.randrange(len(self.items))] if self.items else None


# ---------------------------------------------------------------------------- model
class _Place:
    __slots__ = ("unit", "cur", "lat", "lon", "house")

    def code(self, d: date) -> str:
        return self.unit.code if d < MERGER else self.cur.code

    def address(self, d: date) -> str:
        if d < MERGER:
            return f"{self.house}, {self.unit.name}, {self.unit.district_name}, {HANOI_LABEL}"
        return f"{self.house}, {self.cur.name}, {HANOI_LABEL}"


class _Household:
    __slots__ = ("hid", "place", "family", "members", "busy", "surname")

    def __init__(self, hid: str, place: _Place, family: bool, surname: str = ""):
        self.hid, self.place, self.family, self.surname = hid, place, family, surname
        self.members: list = []   # permanent residents (family households only)
        self.busy = False         # a dossier is changing who lives here


class _Reg:
    __slots__ = ("person", "rtype", "hh", "eff", "exp", "row")

    def __init__(self, person, rtype, hh, eff, exp, row):
        self.person, self.rtype, self.hh, self.eff, self.exp, self.row = person, rtype, hh, eff, exp, row


class _Person:
    __slots__ = ("nid", "name", "birth", "sex", "prov", "hid", "version", "row",
                 "perm", "temp", "temp_next", "stay", "busy", "alive", "reentered")

    def __init__(self, nid, name, birth, sex, prov):
        self.nid, self.name, self.birth, self.sex, self.prov = nid, name, birth, sex, prov
        self.hid = ""
        self.version = 0
        self.row: list[str] | None = None
        self.perm = self.temp = self.temp_next = self.stay = None
        self.busy = False
        self.alive = True
        self.reentered = False   # got a registration while none was in force


class _Units:
    """Where people live: legacy communes weighted by type (wards denser), point near centroid."""

    def __init__(self, seed: int):
        self.legacy = list(hanoi_legacy_communes())
        self.current = {c.code: c for c in hanoi_communes()}
        rng = random.Random(f"antt-residents-units:{seed}")
        noise = [rng.lognormvariate(0.0, 0.35) for _ in self.legacy]
        fam = {"Phường": 2.0, "Thị trấn": 1.3, "Xã": 1.0}
        rent = {"Phường": 4.0, "Thị trấn": 1.5, "Xã": 0.6}
        self.fam_cum = list(accumulate(fam.get(c.type, 1.0) * n for c, n in zip(self.legacy, noise)))
        self.rent_cum = list(accumulate(rent.get(c.type, 1.0) * n for c, n in zip(self.legacy, noise)))

    def place(self, rng: random.Random, rental: bool) -> _Place:
        cum = self.rent_cum if rental else self.fam_cum
        u = self.legacy[bisect_right(cum, rng.random() * cum[-1])]
        urban = u.type == "Phường"
        r = (0.7 if urban else 1.8) * math.sqrt(rng.random())
        b = rng.random() * 2 * math.pi
        lat = u.lat + r * math.cos(b) / 111.0
        lon = u.lon + r * math.sin(b) / (111.0 * math.cos(math.radians(u.lat)))
        p = _Place()
        p.unit, p.lat, p.lon = u, f"{lat:.6f}", f"{lon:.6f}"
        p.cur = self.current[current_commune_for(u.code, lat, lon)]
        street = rng.choice(STREETS)
        n, a, b2 = rng.randrange(1, 300), rng.randrange(1, 250), rng.randrange(1, 60)
        if rental:
            p.house = (f"Nhà trọ số {n}, ngõ {a} {street}" if urban or rng.random() < 0.3
                       else f"Số {n}, thôn {rng.choice(VILLAGES)}")
        elif urban:
            k = rng.random()
            if k < 0.45:
                p.house = f"Số {n}, ngõ {a} {street}"
            elif k < 0.65:
                p.house = f"Số {n}, ngách {b2}/{a} {street}"
            elif k < 0.8:
                p.house = f"Số {n} {street}"
            else:
                flat = f"{rng.randrange(2, 30)}{rng.randrange(1, 20):02d}"
                tower = f"{rng.choice('ABCDEFGH')}{rng.randrange(1, 6)}"
                p.house = f"Căn hộ {flat}, tòa {tower}, {rng.choice(ESTATES)}"
        elif u.type == "Thị trấn":
            p.house = f"Số {n}, tổ dân phố {rng.randrange(1, 15)}"
        else:
            p.house = (f"Xóm {rng.randrange(1, 12)}, thôn {rng.choice(VILLAGES)}" if rng.random() < 0.5
                       else f"Thôn {rng.choice(VILLAGES)}")
        return p


# ---------------------------------------------------------------------------- simulation
class _Sim:
    def __init__(self, seed: int, scale: float, lo: date, hi: date):
        self.seed, self.scale = seed, scale
        self.lo, self.hi = lo, hi            # landing dates written: [lo, hi)
        self.key = f"{seed}:{scale}"
        self.units = _Units(seed)
        self.prov_v, self.prov_c = _cum(_birth_provinces())
        self.issued: set[str] = set()
        self.hids: set[str] = set()
        self.persons: list[_Person] = []     # everyone with a resident row, in creation order
        self.perm, self.temps = _Bag(), _Bag()
        self.families, self.rentals = _Bag(), _Bag()
        self.out = {"residents": {}, "residence": {}, "dossiers": {}}
        self.heap: list = []
        self.seq = 0
        self.ev_count: dict[date, int] = {}
        self.ds_count: dict[date, int] = {}
        self.day_ds = 0
        self.frng = random.Random(f"antt-residents-faults:{self.key}:base")

    # ------------------------------------------------------------ small utilities
    def _rng(self, *parts) -> random.Random:
        return random.Random("antt-residents:" + self.key + ":" + ":".join(str(p) for p in parts))

    def _push(self, t: datetime, fn) -> None:
        self.seq += 1
        heapq.heappush(self.heap, (t, self.seq, fn))

    def _emit(self, kind: str, t: datetime, values: list[str], landed: date | None = None) -> None:
        fr = self.frng
        if landed is None:
            landed = t.date() + timedelta(days=1)   # the nightly extract after the change
            if fr.random() < LATE_ROW_SHARE:
                landed += timedelta(days=fr.randint(1, 3))
            resend = fr.random() < RESEND_ROW_SHARE
        else:
            resend = False
        if self.lo <= landed < self.hi:
            self.out[kind].setdefault(landed, []).append(values)
        if resend:
            again = landed + timedelta(days=1)
            if self.lo <= again < self.hi:
                self.out[kind].setdefault(again, []).append(values)

    def _nid(self, rng: random.Random, prov: str, birth: date, sex: str) -> str:
        digit = (0 if birth.year < 2000 else 2) + (1 if sex == "NU" else 0)
        head = f"{prov}{digit}{birth.year % 100:02d}"
        while True:
            nid = f"{head}{rng.randrange(1_000_000):06d}"
            if nid not in self.issued:
                self.issued.add(nid)
                return nid

    def _hid(self, rng: random.Random) -> str:
        while True:
            hid = f"HK-{rng.randrange(10_000_000, 100_000_000)}"
            if hid not in self.hids:
                self.hids.add(hid)
                return hid

    def _province(self, rng: random.Random) -> str:
        return _pick(rng, self.prov_v, self.prov_c)

    @staticmethod
    def _name(rng: random.Random, sex: str, year: int, surname: str | None = None) -> str:
        s = surname or _pick(rng, _SUR_V, _SUR_C)
        p = 0.6 if year < 1970 else 0.45 if year < 1985 else 0.25 if year < 2000 else 0.12
        if sex == "NAM":
            middle = "Văn" if rng.random() < p else rng.choice(MALE_MIDDLE)
            given = rng.choice(MALE_GIVEN)
        else:
            middle = "Thị" if rng.random() < min(0.9, p * 1.4) else rng.choice(FEMALE_MIDDLE)
            given = rng.choice(FEMALE_GIVEN)
        if given == middle:
            given = rng.choice(MALE_GIVEN if sex == "NAM" else FEMALE_GIVEN[:10])
        if rng.random() < 0.06:
            extra = rng.choice(MALE_MIDDLE[:20] if sex == "NAM" else FEMALE_MIDDLE[:20])
            if extra not in (middle, given):
                middle = f"{middle} {extra}"
        return _nfc(f"{s} {middle} {given}")

    def _person(self, rng: random.Random, birth: date, sex: str, prov: str, surname: str | None = None) -> _Person:
        p = _Person("", self._name(rng, sex, birth.year, surname), birth, sex, prov)
        p.nid = self._nid(rng, prov, birth, sex)
        return p

    def _new_household(self, rng: random.Random, rental: bool, surname: str = "") -> _Household:
        hh = _Household(self._hid(rng), self.units.place(rng, rental), not rental, surname)
        if rental:
            self.rentals.add(hh)
        return hh

    def _rental(self, rng: random.Random, new_share: float = 0.35) -> _Household:
        if not self.rentals or rng.random() < new_share:
            return self._new_household(rng, True)
        return self.rentals.pick(rng)

    def _available(self, p: _Person | None) -> bool:
        return (p is not None and p.alive and not p.busy
                and not (p.perm is not None and p.perm.hh.busy))

    def _pick_person(self, rng, bag: _Bag, ok=lambda p: True, tries: int = 40):
        for _ in range(tries):
            p = bag.pick(rng)
            if p is None:
                return None
            if self._available(p) and ok(p):
                return p
        return None

    def _pick_family(self, rng, ok=lambda h: True, tries: int = 40):
        for _ in range(tries):
            h = self.families.pick(rng)
            if h is None:
                return None
            if not h.busy and h.members and ok(h):
                return h
        return None

    # ------------------------------------------------------------ rows
    def _resident_row(self, p: _Person, t: datetime) -> list[str]:
        p.version += 1
        p.row = ["I" if p.version == 1 else "U", p.nid, p.name, p.birth.isoformat(), p.sex,
                 p.hid, _ts(t), str(p.version)]
        return p.row

    def _sync(self, p: _Person, t: datetime) -> None:
        """Write the person's I row on first registration; a U row when the household changed
        or when the person re-entered the registry (nothing was in force before)."""
        reg = p.perm or p.temp or p.stay
        hid = reg.hh.hid if reg is not None else p.hid
        if p.version == 0:
            p.hid = hid
            self.persons.append(p)
            self._emit("residents", t, self._resident_row(p, t))
        elif hid != p.hid or p.reentered:
            p.hid = hid
            self._emit("residents", t, self._resident_row(p, t))
        p.reentered = False

    def _event_id(self, d: date) -> str:
        n = self.ev_count.get(d, 0) + 1
        self.ev_count[d] = n
        return f"CT-{d:%Y%m%d}-{n:07d}"

    def _event_row(self, rng, p, hh, rtype, action, eff, exp, t, id_day) -> list[str]:
        place = hh.place
        addr = place.address(eff)
        if rng.random() < ADDRESS_NEWLINE_SHARE:
            addr = addr.replace(", ", ",\n", 1)
        lat, lon = (place.lat, place.lon) if rng.random() < COORD_SHARE else ("", "")
        return [self._event_id(id_day), p.nid, hh.hid, rtype, action, place.code(eff), addr, lat, lon,
                eff.isoformat(), exp.isoformat() if exp else "", _ts(t)]

    def _register(self, p, rtype, hh, eff, exp, t, landed=None) -> _Reg:
        rng = self.frng
        id_day = EPOCH if landed is not None else t.date()   # the base load is numbered on EPOCH
        row = self._event_row(rng, p, hh, rtype, "REGISTER", eff, exp, t, id_day)
        reg = _Reg(p, rtype, hh, eff, exp, row)
        if p.version > 0 and p.perm is None and p.temp is None and p.stay is None:
            p.reentered = True
        if rtype == THUONG_TRU:
            p.perm = reg
            hh.members.append(p)
            self.perm.add(p)
            self.families.add(hh)
        elif rtype == TAM_TRU:
            if p.temp is None:
                p.temp = reg
                self.temps.add(p)
            else:
                p.temp_next = reg
        else:
            p.stay = reg
        if exp is not None:
            self._push(_at(exp + timedelta(days=1), 0), lambda t, r=reg: self._lapse(r))
        self._emit("residence", t, row, landed)
        return reg

    def _deregister(self, reg: _Reg, t: datetime) -> None:
        p, hh = reg.person, reg.hh
        row = self._event_row(self.frng, p, hh, reg.rtype, "DEREGISTER", t.date(), None, t, t.date())
        if reg.rtype == THUONG_TRU:
            p.perm = None
            hh.members.remove(p)
            self.perm.discard(p)
            if not hh.members:
                self.families.discard(hh)
        elif reg.rtype == TAM_TRU:
            p.temp = None
            self.temps.discard(p)
        else:
            p.stay = None
        self._emit("residence", t, row)

    def _lapse(self, reg: _Reg) -> None:
        p = reg.person
        if reg.rtype == TAM_TRU and p.temp is reg:
            if p.temp_next is not None:
                p.temp, p.temp_next = p.temp_next, None
                p.busy = False
            else:
                p.temp = None
                self.temps.discard(p)
        elif reg.rtype == LUU_TRU and p.stay is reg:
            p.stay = None

    # ------------------------------------------------------------ dossiers
    def _online_share(self, d: date, service: str) -> float:
        s = (ONLINE_SHARE_AT_EPOCH + ONLINE_SHARE_GROWTH_PER_YEAR * (d - EPOCH).days / 365.25
             + SERVICE_ONLINE_BIAS.get(service, 0.0))
        return min(ONLINE_SHARE_MAX, max(0.05, s))

    def _file(self, day: date, service: str, applicant: str, place: _Place, on_done,
              on_abandon=None) -> None:
        """File a dossier decided on ``day``; ``on_done(t)`` runs when it completes."""
        self.day_ds += 1
        rng = self._rng("dossier", day, self.day_ds)
        online = rng.random() < self._online_share(day, service)
        if online:
            h = bisect_right(_ONLINE_H_C, rng.random() * _ONLINE_H_C[-1])
            submitted = _at(day, h, rng.randrange(60), rng.randrange(60))
        else:
            sd = day
            while sd.weekday() >= 5:
                sd += timedelta(days=1)
            h = WORK_START_HOUR + bisect_right(_OFFLINE_H_C, rng.random() * _OFFLINE_H_C[-1])
            submitted = _at(sd, h, rng.randrange(60), rng.randrange(60))
        sd = submitted.date()
        n = self.ds_count.get(sd, 0) + 1
        self.ds_count[sd] = n
        did = f"HS-{sd:%Y%m%d}-{n:06d}"
        channel = "ONLINE" if online else "OFFLINE"
        code = place.code(sd)
        rejected = rng.random() < REJECT_SHARE[service]
        limit = LEGAL_LIMIT_WORKING_DAYS[service]
        if limit == 0:
            done = submitted + timedelta(seconds=rng.randrange(5, 600))
            steps = [("SUBMITTED", submitted), ("COMPLETED", done)]
        else:
            if rng.random() < LATE_PROCESSING_SHARE[channel]:
                hours = (limit + rng.uniform(0.5, 5.0)) * (WORK_END_HOUR - WORK_START_HOUR)
            else:
                a, b = PROCESSING_BETA[channel]
                hours = max(0.2, rng.betavariate(a, b) * limit * (WORK_END_HOUR - WORK_START_HOUR))
            done = _add_work(submitted, hours)
            accepted = _add_work(submitted, min(rng.uniform(0.1, 2.0), hours * 0.5))
            steps = [("SUBMITTED", submitted), ("PROCESSING", accepted),
                     ("REJECTED" if rejected else "COMPLETED", done)]
        for v, (status, t) in enumerate(steps, start=1):
            ended = status in ("COMPLETED", "REJECTED")
            self._emit("dossiers", t, [did, str(v), service, channel, code, applicant, status,
                                       _ts(submitted), _ts(done) if ended else "", _ts(t)])
        if not rejected:
            self._push(done, on_done)
        elif rng.random() < REFILE_SHARE:
            again = done.date() + timedelta(days=rng.randint(1, 7))
            self._push(_at(again, 0),
                       lambda t: self._file(again, service, applicant, place, on_done, on_abandon))
        elif on_abandon is not None:
            self._push(done, lambda t: on_abandon())

    # ------------------------------------------------------------ base population
    def build_base(self) -> None:
        target = round(BASE_RESIDENTS * self.scale)
        n_perm_target = round(target * (1 - BASE_TEMP_SHARE))
        first: dict[int, datetime] = {}
        base_regs: list[tuple[_Person, str, _Household, date, date | None, datetime]] = []
        people: list[_Person] = []
        permanent: list[_Person] = []
        n, h = 0, 0
        while n < n_perm_target:
            rng = self._rng("base-household", h)
            h += 1
            members = self._base_family(rng)
            surname = members[0][3]
            hh = _Household(self._hid(rng), self.units.place(rng, False), True, surname)
            head_age = _age(members[0][0], EPOCH)
            since = EPOCH - timedelta(days=rng.randrange(30, int(max(2.0, min(35.0, head_age - 18)) * 365)))
            for birth, sex, prov, sur in members:
                p = self._person(rng, birth, sex, prov, sur)
                eff = (since if birth < since
                       else min(EPOCH - timedelta(days=1), birth + timedelta(days=rng.randrange(7, 60))))
                base_regs.append((p, THUONG_TRU, hh, eff, None, self._base_registered(rng, eff)))
                people.append(p)
                permanent.append(p)
                n += 1
        r = 0
        while n < target:
            rng = self._rng("base-rental", r)
            r += 1
            hh = self._new_household(rng, True)
            for _ in range(rng.choice((1, 1, 2, 2, 3, 4, 5, 6))):
                student = rng.random() < STUDENT_SHARE
                age = rng.uniform(18, 23) if student else rng.triangular(19, 50, 26)
                sex = "NAM" if rng.random() < 0.52 else "NU"
                p = self._person(rng, _birth_for_age(rng, EPOCH, age), sex, self._province(rng))
                exp = EPOCH + timedelta(days=rng.randrange(1, 720))
                dur = rng.randrange(max(90, (exp - EPOCH).days + 1), 731)
                eff = exp - timedelta(days=dur)
                base_regs.append((p, TAM_TRU, hh, eff, exp, self._base_registered(rng, eff)))
                people.append(p)
                n += 1
        # some permanent residents also hold a temporary registration elsewhere in Hanoi
        rng = self._rng("base-local-temp")
        young = [p for p in permanent if 18 <= _age(p.birth, EPOCH) < 25]
        k = min(len(young), round(n_perm_target * BASE_LOCAL_TEMP_SHARE))
        for p in (rng.sample(young, k) if k else []):
            hh = self._rental(rng, 0.5)
            exp = EPOCH + timedelta(days=rng.randrange(1, 365))
            eff = exp - timedelta(days=rng.randrange(max(90, (exp - EPOCH).days + 1), 731))
            base_regs.append((p, TAM_TRU, hh, eff, exp, self._base_registered(rng, eff)))
        # load: registrations in registered_at order, then one I row per person
        base_regs.sort(key=lambda x: x[5])
        landed = EPOCH + timedelta(days=1)
        for p, rtype, hh, eff, exp, t in base_regs:
            reg = self._register(p, rtype, hh, eff, exp, t, landed=landed)
            first.setdefault(id(p), t)
            if rtype == TAM_TRU:
                self._temp_lifecycle(reg)
        for p in people:
            reg = p.perm or p.temp
            p.hid = reg.hh.hid
            self.persons.append(p)
            self._emit("residents", first[id(p)], self._resident_row(p, first[id(p)]), landed)

    def _base_registered(self, rng: random.Random, eff: date) -> datetime:
        if eff >= DB_GO_LIVE:
            return _office_time(rng, eff)
        d = DB_GO_LIVE + timedelta(days=rng.randrange(0, (EPOCH - DB_GO_LIVE).days - 1))
        return _office_time(rng, d)

    def _base_family(self, rng: random.Random) -> list[tuple[date, str, str, str]]:
        """Members of one base household: (birth, sex, province code, surname); head first."""
        def prov():
            return "001" if rng.random() < HANOI_BORN_SHARE else self._province(rng)

        u = rng.random()
        kind = "single" if u < 0.12 else "couple" if u < 0.27 else "nuclear" if u < 0.82 else "three"
        head_sex = "NAM" if rng.random() < 0.78 else "NU"
        if kind == "single":
            head_age = rng.triangular(19, 88, 30)
        elif kind == "couple":
            head_age = rng.triangular(22, 88, 62)
        else:
            head_age = rng.triangular(26, 62, 40)
        head_prov = prov()
        head = (_birth_for_age(rng, EPOCH, head_age), head_sex, head_prov, _pick(rng, _SUR_V, _SUR_C))
        out = [head]
        father_surname = head[3]
        if kind != "single" and rng.random() < 0.9:
            sp_sex = "NU" if head_sex == "NAM" else "NAM"
            sp_age = max(18.0, head_age + (rng.uniform(-8, 2) if head_sex == "NAM" else rng.uniform(-2, 8)))
            spouse = (_birth_for_age(rng, EPOCH, sp_age), sp_sex, prov(), _pick(rng, _SUR_V, _SUR_C))
            out.append(spouse)
            if sp_sex == "NAM":
                father_surname = spouse[3]
        if kind in ("nuclear", "three"):
            for _ in range(rng.choice((1, 1, 2, 2, 2, 3))):
                c_age = rng.uniform(0, max(0.5, min(head_age - 21, 30)))
                c_sex = "NAM" if rng.random() < 0.53 else "NU"
                out.append((_birth_for_age(rng, EPOCH, c_age), c_sex,
                            "001" if head_prov == "001" or rng.random() < 0.7 else head_prov, father_surname))
        if kind == "three":
            for _ in range(rng.choice((1, 1, 2))):
                g_age = min(100.0, head_age + rng.uniform(22, 34))
                g_sex = "NU" if rng.random() < 0.6 else "NAM"
                out.append((_birth_for_age(rng, EPOCH, g_age), g_sex, head_prov,
                            head[3] if g_sex == "NAM" and head_sex == "NAM" else _pick(rng, _SUR_V, _SUR_C)))
        return out

    # ------------------------------------------------------------ temporary residence lifecycle
    def _temp_duration(self, rng: random.Random, eff: date, student: bool) -> date:
        if student:
            exp = date(eff.year, 6, 30)
            while (exp - eff).days < 60:
                exp = date(exp.year + 1, 6, 30)
            if rng.random() < 0.3:
                exp = date(exp.year + 1, 6, 30)
            return min(exp, eff + timedelta(days=730))
        days = rng.choice((182, 365, 365, 365, 730)) if rng.random() < 0.8 else rng.randrange(90, 731)
        return eff + timedelta(days=days)

    def _temp_lifecycle(self, reg: _Reg) -> None:
        rng = self._rng("temp-life", reg.row[0])
        span = (reg.exp - reg.eff).days
        if rng.random() < TEMP_EARLY_LEAVE_SHARE:
            leave = reg.eff + timedelta(days=int(span * rng.uniform(0.1, 0.9)))
            if reg.eff < leave <= reg.exp - timedelta(days=7) and leave > EPOCH:
                self._push(_at(leave, 0), lambda t, r=reg, d=leave: self._early_leave(r, d))
                return
        if rng.random() < TEMP_EXTEND_SHARE:
            ext = reg.exp - timedelta(days=rng.randint(3, 20))
            if ext > reg.eff and ext > EPOCH:
                self._push(_at(ext, 0), lambda t, r=reg, d=ext: self._extend(r, d))

    def _early_leave(self, reg: _Reg, day: date) -> None:
        p = reg.person
        if p.temp is not reg or p.temp_next is not None or not self._available(p):
            return
        p.busy = True

        def done(t, p=p, reg=reg):
            if p.temp is reg and t.date() <= reg.exp:
                self._deregister(reg, t)
            p.busy = False

        self._file(day, "XOA_DK_TAM_TRU", p.nid, reg.hh.place, done, lambda: setattr(p, "busy", False))

    def _extend(self, reg: _Reg, day: date) -> None:
        p = reg.person
        if p.temp is not reg or p.temp_next is not None or not self._available(p):
            return
        p.busy = True
        rng = self._rng("extend", reg.row[0])
        days = rng.choice((182, 365, 365, 730))

        def done(t, p=p, reg=reg, days=days):
            if p.temp is reg and t.date() <= reg.exp:
                eff = reg.exp + timedelta(days=1)          # p stays busy until the old one lapses
            else:
                eff = t.date()
                p.busy = False
            new = self._register(p, TAM_TRU, reg.hh, eff, eff + timedelta(days=days), t)
            self._sync(p, t)
            self._temp_lifecycle(new)

        self._file(day, "DK_TAM_TRU", p.nid, reg.hh.place, done, lambda: setattr(p, "busy", False))

    # ------------------------------------------------------------ one simulated day
    def run_day(self, d: date) -> None:
        self.frng = random.Random(f"antt-residents-faults:{self.key}:{d.isoformat()}")
        self.day_ds = 0
        midnight = _at(d, 0, 0, 1)
        while self.heap and self.heap[0][0] < midnight:   # lapses and scheduled decisions
            t, _, fn = heapq.heappop(self.heap)
            fn(t)
        rng = self._rng("day", d)
        admin = ADMIN_WEEKEND_FACTOR if d.weekday() >= 5 else (7 - 2 * ADMIN_WEEKEND_FACTOR) / 5
        s = self.scale
        plan = (
            ("birth", BIRTHS_PER_DAY, self._birth),
            ("death", DEATHS_PER_DAY, self._death),
            ("hh-move", HOUSEHOLD_MOVES_PER_DAY * admin, self._household_move),
            ("move", PERSON_MOVES_PER_DAY * admin, self._person_move),
            ("out", OUT_MIGRATIONS_PER_DAY * admin, self._out_migration),
            ("in", IN_MIGRATIONS_PER_DAY * admin, self._in_migration),
            ("temp-perm", TEMP_TO_PERMANENT_PER_DAY * admin, self._temp_to_perm),
            ("arrival", TEMP_ARRIVALS_PER_DAY * admin, self._temp_arrival),
            ("local-temp", LOCAL_TEMP_PER_DAY * admin, self._local_temp),
            ("temp-move", TEMP_MOVES_PER_DAY * admin, self._temp_move),
            ("stay", SHORT_STAYS_PER_DAY, self._short_stay),
            ("confirm", CONFIRMATIONS_PER_DAY * admin, self._confirmation),
            ("name", NAME_CORRECTIONS_PER_DAY, self._name_correction),
        )
        for what, mean, fn in plan:
            for i in range(1, _poisson(rng, mean * s) + 1):
                fn(d, self._rng(what, d, i))
        self._malformed(d)
        end = _at(d + timedelta(days=1), 0)
        while self.heap and self.heap[0][0] < end:        # completions, in time order
            t, _, fn = heapq.heappop(self.heap)
            fn(t)

    # ------------------------------------------------------------ daily activities
    def _birth(self, d, rng):
        def has_mother(h):
            return any(m.sex == "NU" and 18 <= _age(m.birth, d) <= 45 for m in h.members)

        hh = self._pick_family(rng, has_mother)
        if hh is None:
            return
        adults = [m for m in hh.members if _age(m.birth, d) >= 18]
        sex = "NAM" if rng.random() < 0.53 else "NU"   # Vietnam's skewed sex ratio at birth
        baby = self._person(rng, d - timedelta(days=rng.randrange(5, 60)), sex, "001", hh.surname or None)
        hh.busy = True

        def done(t, hh=hh, baby=baby):
            hh.busy = False
            self._register(baby, THUONG_TRU, hh, t.date(), None, t)
            self._sync(baby, t)

        self._file(d, "DK_THUONG_TRU", rng.choice(adults).nid, hh.place, done,
                   lambda: setattr(hh, "busy", False))

    def _die(self, p: _Person, t: datetime) -> None:
        if p.temp is not None:
            self._deregister(p.temp, t)
        if p.perm is not None:
            self._deregister(p.perm, t)
        p.alive = False
        p.busy = False

    def _death(self, d, rng):
        def frail(p):
            return (p.stay is None and p.temp_next is None
                    and rng.random() < min(1.0, math.exp((_age(p.birth, d) - 88) / 9.0)))

        p = self._pick_person(rng, self.perm, frail, tries=300)
        if p is None:
            return
        others = [m for m in p.perm.hh.members if m is not p and _age(m.birth, d) >= 18]
        if not others:   # ex officio, no dossier
            self._die(p, _office_time(rng, d))
            return
        p.busy = True
        self._file(d, "XOA_DK_THUONG_TRU", rng.choice(others).nid, p.perm.hh.place,
                   lambda t, p=p: self._die(p, t), lambda: setattr(p, "busy", False))

    def _household_move(self, d, rng):
        hh = self._pick_family(rng, lambda h: len(h.members) <= 8 and all(not m.busy for m in h.members))
        if hh is None:
            return
        new = self._new_household(rng, False, hh.surname)
        hh.busy = True
        for m in hh.members:
            m.busy = True
        applicant = max(hh.members, key=lambda m: (_age(m.birth, d), m.nid))

        def done(t, hh=hh, new=new):
            for m in list(hh.members):
                self._deregister(m.perm, t)
                self._register(m, THUONG_TRU, new, t.date(), None, t)
                self._sync(m, t)
                m.busy = False
            hh.busy = False

        def abandon(hh=hh):
            hh.busy = False
            for m in hh.members:
                m.busy = False

        self._file(d, "DK_THUONG_TRU", applicant.nid, new.place, done, abandon)

    def _person_move(self, d, rng):
        marry = rng.random() < 0.55
        lo, hi = (20, 38) if marry else (22, 50)

        def ok(p):
            a = _age(p.birth, d)
            return lo <= a <= hi and p.temp_next is None and (not marry or p.sex == "NU" or rng.random() < 0.35)

        p = self._pick_person(rng, self.perm, ok)
        if p is None:
            return
        if marry:
            target = self._pick_family(rng, lambda h: h is not p.perm.hh)
            if target is None:
                return
        else:
            target = self._new_household(rng, False, p.name.split(" ", 1)[0])
        target.busy = True
        p.busy = True

        def done(t, p=p, target=target):
            self._deregister(p.perm, t)
            self._register(p, THUONG_TRU, target, t.date(), None, t)
            self._sync(p, t)
            p.busy = target.busy = False

        def abandon(p=p, target=target):
            p.busy = target.busy = False

        self._file(d, "DK_THUONG_TRU", p.nid, target.place, done, abandon)

    def _out_migration(self, d, rng):
        t = _office_time(rng, d)
        if rng.random() < 0.45:
            hh = self._pick_family(rng, lambda h: all(self._available(m) and m.temp_next is None
                                                      and m.stay is None for m in h.members))
            if hh is None:
                return
            for m in list(hh.members):
                if m.temp is not None:
                    self._deregister(m.temp, t)
                self._deregister(m.perm, t)
            return
        p = self._pick_person(rng, self.perm, lambda p: p.temp_next is None and p.stay is None
                              and _age(p.birth, d) >= 18)
        if p is None:
            return
        if p.temp is not None:
            self._deregister(p.temp, t)
        self._deregister(p.perm, t)

    def _in_migration(self, d, rng):
        prov = self._province(rng)
        if rng.random() < 0.4:
            target = self._pick_family(rng)
            if target is None:
                return
            sex = "NU" if rng.random() < 0.7 else "NAM"
            movers = [self._person(rng, _birth_for_age(rng, d, rng.uniform(21, 38)), sex, prov)]
        else:
            head_sex = "NAM" if rng.random() < 0.75 else "NU"
            head_age = rng.triangular(24, 55, 32)
            head = self._person(rng, _birth_for_age(rng, d, head_age), head_sex, prov)
            movers = [head]
            surname = head.name.split(" ", 1)[0]
            if rng.random() < 0.7:
                sp = "NU" if head_sex == "NAM" else "NAM"
                movers.append(self._person(rng, _birth_for_age(rng, d, max(20.0, head_age + rng.uniform(-6, 3))),
                                           sp, prov if rng.random() < 0.6 else self._province(rng)))
                if sp == "NAM":
                    surname = movers[-1].name.split(" ", 1)[0]
                for _ in range(rng.choice((0, 1, 1, 2))):
                    c_sex = "NAM" if rng.random() < 0.53 else "NU"
                    movers.append(self._person(rng, _birth_for_age(rng, d, rng.uniform(0, max(0.5, head_age - 23))),
                                               c_sex, prov, surname))
            target = self._new_household(rng, False, surname)
        target.busy = True

        def done(t, movers=movers, target=target):
            for p in movers:
                self._register(p, THUONG_TRU, target, t.date(), None, t)
                self._sync(p, t)
            target.busy = False

        self._file(d, "DK_THUONG_TRU", movers[0].nid, target.place, done,
                   lambda: setattr(target, "busy", False))

    def _temp_to_perm(self, d, rng):
        p = self._pick_person(rng, self.temps, lambda p: p.perm is None and p.temp_next is None)
        if p is None:
            return
        if rng.random() < 0.35:
            target = self._pick_family(rng)
            if target is None:
                return
        else:
            target = self._new_household(rng, False, p.name.split(" ", 1)[0])
        target.busy = True
        p.busy = True

        def done(t, p=p, target=target):
            if p.temp is not None:
                self._deregister(p.temp, t)   # deleted automatically with the new registration
            self._register(p, THUONG_TRU, target, t.date(), None, t)
            self._sync(p, t)
            p.busy = target.busy = False

        def abandon(p=p, target=target):
            p.busy = target.busy = False

        self._file(d, "DK_THUONG_TRU", p.nid, target.place, done, abandon)

    def _temp_registration(self, d, p, hh, student):
        p.busy = True

        def done(t, p=p, hh=hh, student=student):
            eff = t.date()
            exp = self._temp_duration(self._rng("duration", p.nid, eff), eff, student)
            reg = self._register(p, TAM_TRU, hh, eff, exp, t)
            self._sync(p, t)
            p.busy = False
            self._temp_lifecycle(reg)

        self._file(d, "DK_TAM_TRU", p.nid, hh.place, done, lambda: setattr(p, "busy", False))

    def _temp_arrival(self, d, rng):
        hh = self._rental(rng)
        for _ in range(rng.choice((1, 1, 1, 1, 1, 1, 1, 2, 2, 3))):
            student = rng.random() < STUDENT_SHARE
            age = rng.uniform(18, 23) if student else rng.triangular(19, 50, 26)
            sex = "NAM" if rng.random() < 0.52 else "NU"
            p = self._person(rng, _birth_for_age(rng, d, age), sex, self._province(rng))
            self._temp_registration(d, p, hh, student)

    def _local_temp(self, d, rng):
        p = self._pick_person(rng, self.perm, lambda p: p.temp is None and 18 <= _age(p.birth, d) <= 30)
        if p is None:
            return
        hh = self._rental(rng, 0.5)
        self._temp_registration(d, p, hh, _age(p.birth, d) < 23)

    def _temp_move(self, d, rng):
        p = self._pick_person(rng, self.temps, lambda p: p.temp_next is None
                              and (p.temp.exp - d).days > 10)
        if p is None:
            return
        old = p.temp
        hh = self._rental(rng, 0.4)
        if hh is old.hh:
            return
        p.busy = True
        days = rng.choice((182, 365, 365, 730))

        def done(t, p=p, old=old, hh=hh, days=days):
            # p was busy: only the lapse of ``old`` can have happened meanwhile
            if p.temp is old and t.date() <= old.exp:
                self._deregister(old, t)      # deleted automatically with the new registration
            reg = self._register(p, TAM_TRU, hh, t.date(), t.date() + timedelta(days=days), t)
            self._sync(p, t)
            p.busy = False
            self._temp_lifecycle(reg)

        self._file(d, "DK_TAM_TRU", p.nid, hh.place, done, lambda: setattr(p, "busy", False))

    def _short_stay(self, d, rng):
        host = self._pick_family(rng, tries=10) if self.families else None
        if host is None:
            return
        days = min(30, 1 + int(rng.expovariate(1.0 / (SHORT_STAY_MEAN_DAYS - 1))))
        if rng.random() < SHORT_STAY_RESIDENT_SHARE:
            p = self._pick_person(rng, self.perm, lambda p: p.stay is None and p.perm.hh is not host)
            if p is None:
                return
        else:
            sex = "NAM" if rng.random() < 0.55 else "NU"
            p = self._person(rng, _birth_for_age(rng, d, rng.triangular(18, 72, 30)), sex, self._province(rng))
        p.busy = True
        applicant = max(host.members, key=lambda m: (_age(m.birth, d), m.nid)).nid

        def done(t, p=p, host=host, days=days):
            self._register(p, LUU_TRU, host, t.date(), t.date() + timedelta(days=days), t)
            self._sync(p, t)
            p.busy = False

        self._file(d, "KHAI_BAO_LUU_TRU", applicant, host.place, done, lambda: setattr(p, "busy", False))

    def _confirmation(self, d, rng):
        p = self._pick_person(rng, self.perm, lambda p: _age(p.birth, d) >= 14)
        if p is not None:
            self._file(d, "XAC_NHAN_CU_TRU", p.nid, p.perm.hh.place, lambda t: None)

    def _name_correction(self, d, rng):
        p = self._pick_person(rng, self.perm)
        if p is None:
            return
        parts = p.name.split(" ")
        if rng.random() < 0.5 and len(parts) >= 3:
            pool = MALE_MIDDLE if p.sex == "NAM" else FEMALE_MIDDLE
            parts[1] = rng.choice([m for m in pool if m != parts[1]])
        else:
            pool = MALE_GIVEN if p.sex == "NAM" else FEMALE_GIVEN
            parts[-1] = rng.choice([g for g in pool if g != parts[-1]])
        p.name = _nfc(" ".join(parts))
        t = _office_time(rng, d)
        self._emit("residents", t, self._resident_row(p, t))

    # ------------------------------------------------------------ malformed extra records
    def _malformed(self, d: date) -> None:
        rng = self._rng("malformed", d)
        landed = d + timedelta(days=1)
        codes = list(self.units.current) if d >= MERGER else [u.code for u in self.units.legacy]
        for kind in ("residents", "residence", "dossiers"):
            for i in range(1, _poisson(rng, MALFORMED_PER_DAY) + 1):
                sex = "NAM" if rng.random() < 0.5 else "NU"
                birth = _birth_for_age(rng, d, rng.uniform(18, 70))
                fake = self._person(rng, birth, sex, self._province(rng))   # never a real person's ID
                t = _office_time(rng, d)
                fault = rng.choice(("BAD_NATIONAL_ID", "UNKNOWN_COMMUNE", "MISSING_FIELD", "EXTRA_COLUMN")
                                   if kind != "residents" else ("BAD_NATIONAL_ID", "MISSING_FIELD", "EXTRA_COLUMN"))
                nid = fake.nid
                if fault == "BAD_NATIONAL_ID":
                    nid = nid[:-1] if rng.random() < 0.5 else nid + str(rng.randrange(10))
                code = "99999" if fault == "UNKNOWN_COMMUNE" else rng.choice(codes)
                if kind == "residents":
                    row = ["I", nid, fake.name, "" if fault == "MISSING_FIELD" else birth.isoformat(), sex,
                           f"HK-{rng.randrange(10_000_000, 100_000_000)}", _ts(t), "1"]
                elif kind == "residence":
                    eff = "" if fault == "MISSING_FIELD" else d.isoformat()
                    row = [f"CT-{d:%Y%m%d}-{9_000_000 + i:07d}", nid, f"HK-{rng.randrange(10_000_000, 100_000_000)}",
                           TAM_TRU, "REGISTER", code,
                           f"Số {rng.randrange(1, 200)}, {rng.choice(STREETS)}, {HANOI_LABEL}",
                           "", "", eff, (d + timedelta(days=180)).isoformat(), _ts(t)]
                else:
                    row = [f"HS-{d:%Y%m%d}-{900_000 + i:06d}", "1", "DK_TAM_TRU", "ONLINE", code, nid,
                           "SUBMITTED", "" if fault == "MISSING_FIELD" else _ts(t), "", _ts(t)]
                if fault == "EXTRA_COLUMN":
                    row = row + ["cột thừa"]
                if self.lo <= landed < self.hi:
                    self.out[kind].setdefault(landed, []).append(row)

    # ------------------------------------------------------------ snapshot
    def snapshot(self, start: date) -> tuple[list[list[str]], list[list[str]]]:
        residents, regs = [], []
        for p in self.persons:
            active = [r for r in (p.perm, p.temp, p.temp_next, p.stay)
                      if r is not None and (r.exp is None or r.exp >= start)]
            if active:
                residents.append(p.row)
                regs.extend(r.row for r in active)
        residents.sort(key=lambda r: r[1])
        regs.sort(key=lambda r: r[0])
        return residents, regs


# ---------------------------------------------------------------------------- output
def _write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def _csv_bytes(columns, rows) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(columns)
    w.writerows(rows)
    return buf.getvalue().encode("utf-8")


def extract_paths(out: Path, day: date) -> dict[str, Path]:
    root, ymd, dt = Path(out) / "registry", f"{day:%Y%m%d}", f"dt={day.isoformat()}"
    return {"residents": root / "residents" / dt / f"residents_{ymd}.csv",
            "residence": root / "residence" / dt / f"residence_events_{ymd}.csv",
            "dossiers": root / "dossiers" / dt / f"dossiers_{ymd}.csv"}


def snapshot_paths(out: Path, start: date) -> dict[str, Path]:
    root = Path(out) / "registry" / "snapshot" / f"dt={start.isoformat()}"
    return {"residents": root / "residents_snapshot.csv", "residence": root / "residence_snapshot.csv"}


_COLUMNS = {"residents": RESIDENT_COLUMNS, "residence": RESIDENCE_COLUMNS, "dossiers": DOSSIER_COLUMNS}
# extract order: change time, then id and version (as the export tool writes it)
_SORT = {"residents": lambda r: (r[6], r[1], int(r[7])),
         "residence": lambda r: (r[11], r[0]),
         "dossiers": lambda r: (r[9], r[0], int(r[1]))}


def generate(out_dir: str | os.PathLike, start: date, days: int = 1, *, seed: int = 42,
             scale: float = 1.0, progress=None) -> RunSummary:
    """Write ``days`` daily extracts from ``start`` and the snapshot of ``start`` under ``out_dir``."""
    if days < 1:
        raise ValueError("days must be >= 1")
    if start <= EPOCH:
        raise ValueError(f"start must be after {EPOCH.isoformat()} (the simulated registry begins then)")
    if scale < 0:
        raise ValueError("scale must be >= 0")
    t0 = time.perf_counter()
    out = Path(out_dir)
    end = start + timedelta(days=days)
    sim = _Sim(seed, scale, start, end)
    sim.build_base()
    summary = RunSummary()
    d = EPOCH
    while d < end - timedelta(days=1):    # changes of day end-1 would land after the range
        if d == start:
            _write_snapshot(sim, out, start, summary)
        sim.run_day(d)
        k = (d - start).days + 1
        if progress and k > 0 and (k % 30 == 0 or k == days - 1):
            progress(f"residents: simulated {k}/{days} days of the range (up to {d.isoformat()})")
        d += timedelta(days=1)
    if d == start:
        _write_snapshot(sim, out, start, summary)
    for k in range(days):
        day = start + timedelta(days=k)
        stats = DayStats(day)
        for kind, path in extract_paths(out, day).items():
            rows = sim.out[kind].get(day, [])
            rows.sort(key=_SORT[kind])
            _write_atomic(path, _csv_bytes(_COLUMNS[kind], rows))
            setattr(stats, kind, len(rows))
        summary.days.append(stats)
        if progress and ((k + 1) % 30 == 0 or k + 1 == days):
            progress(f"residents: {k + 1}/{days} extracts written (up to {day.isoformat()})")
    summary.seconds = time.perf_counter() - t0
    return summary


def _write_snapshot(sim: _Sim, out: Path, start: date, summary: RunSummary) -> None:
    residents, regs = sim.snapshot(start)
    paths = snapshot_paths(out, start)
    _write_atomic(paths["residents"], _csv_bytes(RESIDENT_COLUMNS, residents))
    _write_atomic(paths["residence"], _csv_bytes(RESIDENCE_COLUMNS, regs))
    summary.snapshot_residents, summary.snapshot_registrations = len(residents), len(regs)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m antt.generator.residents", description=__doc__.split("\n")[0])
    p.add_argument("--start-date", required=True, type=date.fromisoformat,
                   help=f"first landing date, YYYY-MM-DD, after {EPOCH.isoformat()}")
    p.add_argument("--days", type=int, default=1)
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--scale", type=float, default=1.0,
                   help=f"multiplies population and volume (1.0 = {BASE_RESIDENTS:,} residents)")
    p.add_argument("--out", default=os.environ.get("ANTT_LANDING_DIR") or "./var/landing")
    a = p.parse_args(argv)
    if a.days < 1 or a.scale < 0 or a.start_date <= EPOCH:
        p.error(f"--days must be >= 1, --scale >= 0 and --start-date after {EPOCH.isoformat()}")
    s = generate(a.out, a.start_date, a.days, seed=a.seed, scale=a.scale,
                 progress=lambda m: print(m, file=sys.stderr, flush=True))
    print(f"wrote {sum(x.residents for x in s.days):,} resident rows, "
          f"{sum(x.residence for x in s.days):,} residence events, {sum(x.dossiers for x in s.days):,} "
          f"dossier rows in {len(s.days)} day(s) + a snapshot of {s.snapshot_residents:,} residents / "
          f"{s.snapshot_registrations:,} registrations under {Path(a.out) / 'registry'} in {s.seconds:.1f}s",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
