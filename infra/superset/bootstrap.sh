#!/usr/bin/env bash
# Prepare Superset's metadata database and load the dashboards as code.
# Idempotent: safe to run on every start.
#
#   infra/superset/bootstrap.sh
#
# Needs (from infra/env.sh, .env or var/secrets.env):
#   SUPERSET_SECRET_KEY, SUPERSET_ADMIN_PASSWORD,
#   SUPERSET_DATABASE_URI (default: ANTT_PG_URI_SUPERSET),
#   SPARK_THRIFT_HOST / SPARK_THRIFT_PORT (written into the imported database).
# Steps: superset db upgrade → superset init → admin user (if missing) →
#        dashboards/import_dashboards.py.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=../env.sh
. "$HERE/../env.sh"

log() { printf '[superset-bootstrap] %s\n' "$*"; }
die() { printf '[superset-bootstrap] LỖI / ERROR: %s\n' "$*" >&2; exit 1; }
trap 'die "step failed (line $LINENO): $BASH_COMMAND"' ERR

SUPERSET_BIN="$SUPERSET_VENV/bin/superset"
SUPERSET_PY="$SUPERSET_VENV/bin/python"
[ -x "$SUPERSET_BIN" ] || die "Superset is not installed in $SUPERSET_VENV (run make setup)"
[ -n "${SUPERSET_SECRET_KEY:-}" ] || die "SUPERSET_SECRET_KEY is not set (var/secrets.env)"
[ -n "${SUPERSET_ADMIN_PASSWORD:-}" ] || die "SUPERSET_ADMIN_PASSWORD is not set (var/secrets.env)"
export SUPERSET_DATABASE_URI="${SUPERSET_DATABASE_URI:-$ANTT_PG_URI_SUPERSET}"
export SUPERSET_HOME SUPERSET_CONFIG_PATH SUPERSET_SECRET_KEY SUPERSET_ADMIN_PASSWORD
export FLASK_APP=superset
mkdir -p "$SUPERSET_HOME"

# Print the metadata URI without its password.
log "metadata DB: $(printf '%s' "$SUPERSET_DATABASE_URI" | sed -E 's#://([^:/@]*):[^@]*@#://\1:***@#')"
log "config: $SUPERSET_CONFIG_PATH; home: $SUPERSET_HOME"

log "1/4 superset db upgrade"
"$SUPERSET_BIN" db upgrade >"$SUPERSET_HOME/bootstrap-db-upgrade.log" 2>&1 \
  || { tail -n 30 "$SUPERSET_HOME/bootstrap-db-upgrade.log" >&2; die "superset db upgrade failed (full log: $SUPERSET_HOME/bootstrap-db-upgrade.log)"; }

log "2/4 superset init (roles and permissions)"
"$SUPERSET_BIN" init >"$SUPERSET_HOME/bootstrap-init.log" 2>&1 \
  || { tail -n 30 "$SUPERSET_HOME/bootstrap-init.log" >&2; die "superset init failed (full log: $SUPERSET_HOME/bootstrap-init.log)"; }

log "3/4 admin user"
# The password is read from the environment inside Python, never put on a
# command line (where `ps` would show it).
"$SUPERSET_PY" - <<'PY'
import os
import sys

from superset.app import create_app

app = create_app()
with app.app_context():
    sm = app.appbuilder.sm
    if sm.find_user(username="admin"):
        print("[superset-bootstrap]     user 'admin' exists; left unchanged")
        sys.exit(0)
    role = sm.find_role(sm.auth_role_admin)
    if role is None:
        sys.exit("[superset-bootstrap] role Admin missing; did `superset init` run?")
    user = sm.add_user(
        "admin", "Quản trị", "ANTT", "admin@antt.local", role,
        os.environ["SUPERSET_ADMIN_PASSWORD"],
    )
    if not user:
        sys.exit("[superset-bootstrap] could not create user 'admin'")
    print("[superset-bootstrap]     user 'admin' created")
PY

log "4/4 import dashboards (Spark Thrift at $SPARK_THRIFT_HOST:$SPARK_THRIFT_PORT)"
"$SUPERSET_PY" "$ANTT_ROOT/dashboards/import_dashboards.py" --username admin

log "done"
