# shellcheck shell=bash
# Sourced by every script under infra/: one place for paths, ports and defaults.
# Order: built-in defaults < .env (user overrides) < var/secrets.env (generated secrets).
ANTT_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export ANTT_ROOT
set -a
# shellcheck disable=SC1091
[ -f "$ANTT_ROOT/.env" ] && . "$ANTT_ROOT/.env"
set +a

export ANTT_TARGET="${ANTT_TARGET:-local}"
_abs() { case "$1" in /*) echo "$1";; *) echo "$ANTT_ROOT/${1#./}";; esac; }
export ANTT_VAR_DIR="$(_abs "${ANTT_VAR_DIR:-var}")"
export ANTT_LANDING_DIR="$(_abs "${ANTT_LANDING_DIR:-$ANTT_VAR_DIR/landing}")"
export ANTT_WAREHOUSE_DIR="$(_abs "${ANTT_WAREHOUSE_DIR:-$ANTT_VAR_DIR/lakehouse/warehouse}")"
export ANTT_LOG_DIR="$ANTT_VAR_DIR/log"
export ANTT_RUN_DIR="$ANTT_VAR_DIR/run"
export ANTT_SECRETS_FILE="$ANTT_VAR_DIR/secrets.env"
export ANTT_JARS_DIR="$ANTT_ROOT/.jars"
export PIPELINE_VENV="$ANTT_ROOT/.venv/pipeline"
export SUPERSET_VENV="$ANTT_ROOT/.venv/superset"

# PostgreSQL
export PGHOST="${PGHOST:-127.0.0.1}"
export PGPORT="${PGPORT:-5433}"
export PGDATA="$ANTT_VAR_DIR/pg/data"

# Spark
export SPARK_HOME="$PIPELINE_VENV/lib/python3.11/site-packages/pyspark"
export SPARK_THRIFT_HOST="${SPARK_THRIFT_HOST:-127.0.0.1}"
export SPARK_THRIFT_PORT="${SPARK_THRIFT_PORT:-10000}"
export SPARK_CONNECT_PORT="${SPARK_CONNECT_PORT:-15002}"
export SPARK_UI_PORT="${SPARK_UI_PORT:-4040}"
export SPARK_DRIVER_MEMORY="${SPARK_DRIVER_MEMORY:-4g}"
export SPARK_MASTER="${SPARK_MASTER:-local[2]}"
# Spark Connect URL the pipeline jobs use (not SPARK_REMOTE: spark-submit reads that one)
export ANTT_SPARK_REMOTE="${ANTT_SPARK_REMOTE:-sc://127.0.0.1:$SPARK_CONNECT_PORT}"
export SPARK_LOCAL_IP=127.0.0.1
export PYSPARK_PYTHON="$PIPELINE_VENV/bin/python"

# Airflow 3
export AIRFLOW_PORT="${AIRFLOW_PORT:-8080}"
export AIRFLOW_HOME="$ANTT_VAR_DIR/airflow"
# Superset 6
export SUPERSET_PORT="${SUPERSET_PORT:-8088}"
export SUPERSET_HOME="$ANTT_VAR_DIR/superset"
export SUPERSET_CONFIG_PATH="$ANTT_ROOT/infra/superset/superset_config.py"

export DBT_SEND_ANONYMOUS_USAGE_STATS=false
export DBT_PROFILES_DIR="$ANTT_ROOT/dbt"
export PYTHONPATH="$ANTT_ROOT${PYTHONPATH:+:$PYTHONPATH}"

# Generated secrets (make setup writes them; never committed)
set -a
# shellcheck disable=SC1090
[ -f "$ANTT_SECRETS_FILE" ] && . "$ANTT_SECRETS_FILE"
set +a
export ANTT_PG_URI_AIRFLOW="postgresql+psycopg2://airflow:${AIRFLOW_DB_PASSWORD:-}@$PGHOST:$PGPORT/airflow"
export ANTT_PG_URI_SUPERSET="postgresql+psycopg2://superset:${SUPERSET_DB_PASSWORD:-}@$PGHOST:$PGPORT/superset"
