"""Superset 6.1 configuration for ANTT Lakehouse.

Everything comes from the environment (see infra/env.sh and .env.example);
nothing secret lives here. Superset loads this file because
SUPERSET_CONFIG_PATH points at it.

Environment:
  SUPERSET_SECRET_KEY     required; signs sessions, CSRF tokens and JWTs.
  SUPERSET_DATABASE_URI   metadata DB; defaults to ANTT_PG_URI_SUPERSET
                          (PostgreSQL). Development may use sqlite:////tmp/x.db.
  SUPERSET_HOME           data dir (logs, file cache); Superset reads it too.
  SUPERSET_SESSION_COOKIE_SECURE  true behind TLS (default false).
"""

from __future__ import annotations

import hashlib
import logging
import os
import sys
from datetime import timedelta
from pathlib import Path

# The repository root (ANTT_ROOT from infra/env.sh), for the project's Superset hooks.
_ROOT = os.environ.get("ANTT_ROOT", "").strip() or str(Path(__file__).resolve().parents[2])
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

from antt.sql_guard import check_statements  # noqa: E402
from antt import trace_audit  # noqa: E402


def _required(name: str) -> str:
    value = os.environ.get(name, "").strip()
    if not value:
        raise RuntimeError(
            f"superset_config.py: environment variable {name} is not set. "
            "Run `source infra/env.sh` (make setup writes var/secrets.env) "
            "or export it before starting Superset."
        )
    return value


def _derived_secret(label: str) -> str:
    """A per-purpose secret derived from SECRET_KEY (never the shipped default)."""
    return hashlib.sha256(f"{label}:{SECRET_KEY}".encode()).hexdigest()


# --------------------------------------------------------------------------
# Secrets and metadata database
# --------------------------------------------------------------------------
SECRET_KEY = _required("SUPERSET_SECRET_KEY")

SQLALCHEMY_DATABASE_URI = (
    os.environ.get("SUPERSET_DATABASE_URI", "").strip()
    or os.environ.get("ANTT_PG_URI_SUPERSET", "").strip()
)
if not SQLALCHEMY_DATABASE_URI:
    raise RuntimeError(
        "superset_config.py: neither SUPERSET_DATABASE_URI nor ANTT_PG_URI_SUPERSET "
        "is set; `source infra/env.sh` first."
    )

GUEST_TOKEN_JWT_SECRET = _derived_secret("guest-token")
GLOBAL_ASYNC_QUERIES_JWT_SECRET = _derived_secret("async-queries")

# --------------------------------------------------------------------------
# Web server, sessions, CSRF, REST API
# --------------------------------------------------------------------------
# Browser forms keep CSRF protection. The REST API is used with a JWT from
# POST /api/v1/security/login ("Authorization: Bearer ..."). Superset's default
# WTF_CSRF_EXEMPT_LIST (kept unchanged) already exempts the chart-data endpoint;
# other POST/PUT/DELETE API calls also need the X-CSRFToken header from
# GET /api/v1/security/csrf_token/ plus the session cookie that call sets.
WTF_CSRF_ENABLED = True
FAB_ADD_SECURITY_API = True
JWT_ACCESS_TOKEN_EXPIRES = timedelta(hours=1)

PERMANENT_SESSION_LIFETIME = timedelta(hours=8)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# Local stack is plain HTTP on 127.0.0.1; set SUPERSET_SESSION_COOKIE_SECURE=true
# behind TLS.
SESSION_COOKIE_SECURE = os.environ.get(
    "SUPERSET_SESSION_COOKIE_SECURE", "false"
).lower() in ("1", "true", "yes")


# Nothing the browser loads leaves the police network. Superset's default content policy
# lets pages load a telemetry pixel (compiled into the 6.x frontend, which called out to
# a tracking host on every dashboard) and map tiles from public servers; ours allows this
# server only (the bubble maps need no tiles). tests/stack/test_superset_access.py checks
# the policy, tests/stack/test_superset_browser.py that no page requests another host.
TALISMAN_ENABLED = True
TALISMAN_CONFIG = {
    "content_security_policy": {
        "base-uri": ["'self'"],
        "default-src": ["'self'"],
        "img-src": ["'self'", "blob:", "data:"],
        "worker-src": ["'self'", "blob:"],
        "connect-src": ["'self'"],
        "object-src": "'none'",
        "style-src": ["'self'", "'unsafe-inline'"],
        "font-src": ["'self'"],
        "script-src": ["'self'", "'strict-dynamic'"],
    },
    "content_security_policy_nonce_in": ["script-src"],
    "force_https": False,
    "session_cookie_secure": SESSION_COOKIE_SECURE,
}
APP_NAME = "ANTT – Công an thành phố Hà Nội"

# --------------------------------------------------------------------------
# Query engine (Spark Thrift Server through the hive:// driver)
# --------------------------------------------------------------------------
# Superset's Hive engine polls for query status every DB_POLL_INTERVAL_SECONDS["hive"]
# seconds (5 s by default); Spark answers small gold queries in well under a second.
# (HIVE_POLL_INTERVAL, the old name, is deprecated in 6.x and left unset.)
DB_POLL_INTERVAL_SECONDS = {"hive": 0.1}
SQLLAB_TIMEOUT = 300
SUPERSET_WEBSERVER_TIMEOUT = 300

# Every statement Superset sends (SQL Lab, charts, virtual datasets) must be a read:
# no USE/SET that would move the shared Thrift session past Superset's table checks,
# no DDL/DML (the database also has allow_dml: false). See antt/sql_guard.py.
def SQL_QUERY_MUTATOR(sql: str, **kwargs) -> str:  # noqa: N802 (Superset's name)
    check_statements(sql)
    return sql


# Purpose-bound vehicle tracing (antt/trace_audit.py): the trace dataset's SQL calls
# {{ truy_vet(url_param('bien_so'), url_param('ly_do'), url_param('so_ho_so')) }}, which
# refuses a lookup without plate, reason and case reference and writes the audit row
# (PostgreSQL antt_audit, INSERT-only role) before the query runs. Jinja in SQL needs the
# ENABLE_TEMPLATE_PROCESSING flag.
FEATURE_FLAGS = {"ENABLE_TEMPLATE_PROCESSING": True}


def _truy_vet(plate=None, reason=None, case_reference=None) -> str:
    from flask import g, has_request_context, request
    from jinja2.exceptions import TemplateError
    from superset.utils.core import get_username

    try:
        lookup = trace_audit.check_lookup(get_username(), plate, reason, case_reference)
        # Superset may render one query's SQL more than once in a request: one row per lookup
        done = g.setdefault("antt_trace_lookups", set()) if has_request_context() else set()
        if lookup not in done:
            trace_audit.record(lookup, source=request.path if has_request_context() else "worker")
            done.add(lookup)
    except trace_audit.TraceRefused as ex:
        # a template error is what Superset reports as the chart's error message
        raise TemplateError(str(ex)) from ex
    return trace_audit.sql_predicate(lookup)


JINJA_CONTEXT_ADDONS = {"truy_vet": _truy_vet}


# --------------------------------------------------------------------------
# Welcome page: Superset's own is English and empty for a dashboard reader. City
# leadership and commune police land on "Tổng quan ANTT" after login (and from the logo);
# analysts, tracers and admins keep Superset's page (SQL Lab, their own dashboard).
# --------------------------------------------------------------------------
WELCOME_DASHBOARD_SLUG = "tong-quan-antt"


def FLASK_APP_MUTATOR(app) -> None:  # noqa: N802 (Superset's name)
    from flask import redirect, request
    from flask_login import current_user

    from antt.superset_access import COMMUNE_ROLE_PREFIX, ROLE_LEADERSHIP

    @app.before_request
    def _vietnamese_welcome():
        if request.path.rstrip("/") != "/superset/welcome" or not current_user.is_authenticated:
            return None
        roles = {r.name for r in getattr(current_user, "roles", None) or []}
        if ROLE_LEADERSHIP in roles or any(r.startswith(COMMUNE_ROLE_PREFIX) for r in roles):
            return redirect(f"/superset/dashboard/{WELCOME_DASHBOARD_SLUG}/")
        return None


# --------------------------------------------------------------------------
# Caching: no Redis locally. A file cache under SUPERSET_HOME is shared by all
# gunicorn workers; without SUPERSET_HOME fall back to an in-process cache.
# --------------------------------------------------------------------------
_HOME = os.environ.get("SUPERSET_HOME", "").strip()
if _HOME:
    os.makedirs(os.path.join(_HOME, "cache"), exist_ok=True)

    def _cache(prefix: str, timeout: int) -> dict:
        return {
            "CACHE_TYPE": "FileSystemCache",
            "CACHE_DIR": os.path.join(_HOME, "cache", prefix),
            "CACHE_DEFAULT_TIMEOUT": timeout,
            "CACHE_THRESHOLD": 5000,
        }

else:

    def _cache(prefix: str, timeout: int) -> dict:
        return {
            "CACHE_TYPE": "SimpleCache",
            "CACHE_KEY_PREFIX": f"antt_{prefix}_",
            "CACHE_DEFAULT_TIMEOUT": timeout,
        }


CACHE_CONFIG = _cache("meta", int(timedelta(hours=1).total_seconds()))
DATA_CACHE_CONFIG = _cache("data", int(timedelta(minutes=10).total_seconds()))
# FILTER_STATE_CACHE_CONFIG / EXPLORE_FORM_DATA_CACHE_CONFIG keep Superset's
# defaults (stored in the metadata database).

# --------------------------------------------------------------------------
# Content: no example data (bootstrap.sh never runs `superset load-examples`);
# dashboards come from dashboards/ (as code).
# --------------------------------------------------------------------------

# --------------------------------------------------------------------------
# Locale. Superset ships no Vietnamese UI translation, so the UI stays English,
# but numbers and dates render the Vietnamese way and all texts we control
# (dashboards, charts, columns, metrics) are Vietnamese.
# --------------------------------------------------------------------------
BABEL_DEFAULT_LOCALE = "en"

D3_FORMAT = {
    "decimal": ",",
    "thousands": ".",
    "grouping": [3],
    "currency": ["", " ₫"],
}

D3_TIME_FORMAT = {
    "dateTime": "%A, %d/%m/%Y, %H:%M:%S",
    "date": "%d/%m/%Y",
    "time": "%H:%M:%S",
    "periods": ["SA", "CH"],
    "days": [
        "Chủ nhật",
        "Thứ hai",
        "Thứ ba",
        "Thứ tư",
        "Thứ năm",
        "Thứ sáu",
        "Thứ bảy",
    ],
    "shortDays": ["CN", "T2", "T3", "T4", "T5", "T6", "T7"],
    "months": [
        "Tháng một",
        "Tháng hai",
        "Tháng ba",
        "Tháng tư",
        "Tháng năm",
        "Tháng sáu",
        "Tháng bảy",
        "Tháng tám",
        "Tháng chín",
        "Tháng mười",
        "Tháng mười một",
        "Tháng mười hai",
    ],
    "shortMonths": [
        "Thg 1",
        "Thg 2",
        "Thg 3",
        "Thg 4",
        "Thg 5",
        "Thg 6",
        "Thg 7",
        "Thg 8",
        "Thg 9",
        "Thg 10",
        "Thg 11",
        "Thg 12",
    ],
}

CURRENCIES = ["VND", "USD"]

# --------------------------------------------------------------------------
# Logging: console always; a daily-rotated file under SUPERSET_HOME if set.
# --------------------------------------------------------------------------
LOG_LEVEL = logging.INFO
if _HOME:
    os.makedirs(_HOME, exist_ok=True)
    ENABLE_TIME_ROTATE = True
    TIME_ROTATE_LOG_LEVEL = logging.INFO
    FILENAME = os.path.join(_HOME, "superset.log")
    ROLLOVER = "midnight"
    INTERVAL = 1
    BACKUP_COUNT = 14
