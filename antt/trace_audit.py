"""Purpose-bound vehicle tracing: every trace lookup needs a reason and a case reference,
and is written to the audit table before any row is read.

The trace dataset (dashboards/assets/datasets/antt_gold/truy_vet_phuong_tien.yaml) filters
the restricted trace mart with

    WHERE {{ truy_vet(url_param('bien_so'), url_param('ly_do'), url_param('so_ho_so')) }}

which becomes `vehicle_plate = '<plate>' AND '<case>' IN (record_id, case_no)`: a lookup
sees the plate's sightings within the named report or case only. `truy_vet` is registered in superset_config.py (JINJA_CONTEXT_ADDONS). Superset renders that
SQL for every query of the dataset — dashboard, chart-data API, explore — and the dataset
is never cached (cache_timeout -1), so no lookup escapes the audit. Without a valid plate,
reason and case reference the query fails with a message saying what is missing, and
nothing is read. The audit row goes to PostgreSQL (database antt_audit, table
audit.trace_lookups) with a role that may only INSERT; leadership reads it through a
read-only connection (dashboard "Nhật ký truy vết").
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass

_PLATE_NEW = re.compile(r"^(\d{2})([A-Z]{1,2}\d?)-?(\d{3})\.?(\d{2})$")
_PLATE_OLD = re.compile(r"^(\d{2})([A-Z]{1,2}\d?)-?(\d{4})$")
# a criminal case number (VA-2025-01310042) or, before prosecution, the crime report's
# record id (TB-20250131-0042)
CASE_REFERENCE = re.compile(r"^(VA-\d{4}-\d{8}|TB-\d{8}-\d{4})$")
MIN_REASON_CHARS = 10
MAX_REASON_CHARS = 500

AUDIT_TABLE = "audit.trace_lookups"   # made by infra/postgres/audit.sql


class TraceRefused(ValueError):
    """A trace lookup without what it needs; the message is shown to the user (Vietnamese)."""


@dataclass(frozen=True)
class Lookup:
    username: str
    vehicle_plate: str
    reason: str
    case_reference: str


def normalize_plate(text: str | None) -> str:
    """'30a 12345' → '30A-123.45'; '30Y4-7088' stays. Anything else is refused."""
    raw = re.sub(r"\s+", "", (text or "")).upper()
    m = _PLATE_NEW.match(raw)
    if m:
        return f"{m[1]}{m[2]}-{m[3]}.{m[4]}"
    m = _PLATE_OLD.match(raw)
    if m:
        return f"{m[1]}{m[2]}-{m[3]}"
    raise TraceRefused(
        f"Biển số «{(text or '').strip()[:20]}» không hợp lệ (ví dụ 30A-123.45 hoặc 29B1-234.56). "
        "Thêm vào địa chỉ trang: ?bien_so=…&ly_do=…&so_ho_so=…")


def check_lookup(username: str | None, plate: str | None, reason: str | None,
                 case_reference: str | None) -> Lookup:
    missing = [label for label, value in (("biển số (bien_so)", plate), ("lý do (ly_do)", reason),
                                          ("số hồ sơ hoặc số vụ án (so_ho_so)", case_reference))
               if not (value or "").strip()]
    if missing:
        raise TraceRefused(
            "Truy vết phương tiện chỉ được mở khi có mục đích: thiếu " + ", ".join(missing)
            + ". Thêm vào địa chỉ trang: ?bien_so=30A-123.45&ly_do=…&so_ho_so=VA-2025-01310042. "
            "Mỗi lần tra cứu được ghi vào nhật ký truy vết.")
    if not username:
        raise TraceRefused("Truy vết phương tiện cần người dùng đã đăng nhập.")
    reason = re.sub(r"\s+", " ", reason or "").strip()
    if not MIN_REASON_CHARS <= len(reason) <= MAX_REASON_CHARS:
        raise TraceRefused(f"Lý do tra cứu phải dài từ {MIN_REASON_CHARS} đến {MAX_REASON_CHARS} ký tự.")
    case = (case_reference or "").strip().upper()
    if not CASE_REFERENCE.match(case):
        raise TraceRefused(f"Số hồ sơ «{case[:30]}» không hợp lệ: số vụ án VA-2025-01310042 "
                           "hoặc mã tin báo TB-20250131-0042.")
    return Lookup(username, normalize_plate(plate), reason, case)


def writer_dsn() -> str:
    dsn = os.environ.get("ANTT_AUDIT_WRITER_DSN", "").strip()
    if not dsn:
        raise TraceRefused("Nhật ký truy vết chưa được cấu hình (ANTT_AUDIT_WRITER_DSN); "
                           "không thể tra cứu khi không ghi được nhật ký.")
    return dsn


def record(lookup: Lookup, source: str, dsn: str | None = None) -> None:
    """INSERT the lookup (committed before the trace query runs). Fails closed: if the audit
    cannot be written, the lookup is refused."""
    import psycopg2  # in both virtualenvs (Superset's metadata DB driver; Airflow's)

    try:
        conn = psycopg2.connect(dsn or writer_dsn(), connect_timeout=10)
        try:
            with conn, conn.cursor() as cur:   # commits on success
                cur.execute(f"INSERT INTO {AUDIT_TABLE} (username, vehicle_plate, reason, case_reference, "
                            "source) VALUES (%s, %s, %s, %s, %s)",
                            (lookup.username, lookup.vehicle_plate, lookup.reason, lookup.case_reference,
                             source))
        finally:
            conn.close()
    except psycopg2.Error as ex:
        raise TraceRefused(f"Không ghi được nhật ký truy vết ({type(ex).__name__}); tra cứu bị từ chối.") from ex


def sql_predicate(lookup: Lookup) -> str:
    """The trace mart's rows of this plate *in this case* only: the plate and the case
    reference (a report's record id or its case number) as SQL literals. Both matched their
    patterns, so neither can hold a quote."""
    plate, case = lookup.vehicle_plate, lookup.case_reference
    assert (_PLATE_NEW.match(plate) or _PLATE_OLD.match(plate)) and CASE_REFERENCE.match(case)
    return f"vehicle_plate = '{plate}' AND '{case}' IN (record_id, case_no)"
