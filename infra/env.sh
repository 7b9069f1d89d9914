# shellcheck shell=bash
# Sourced by every script under infra/: one place for paths, ports and defaults.
# Order: built-in defaults < .env (user overrides) < var/secrets.env (generated secrets).
ANTT_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export ANTT_ROOT
set -a
# shellcheck disable=SC1091
if [ -f "$ANTT_ROOT/.env" ]; then . "$ANTT_ROOT/.env"; fi
set +a

export ANTT_TARGET="${ANTT_TARGET:-local}"
# Profile: `local` (Spark local[2], Delta on this disk) or `cluster` (a Spark standalone
# master and workers on loopback, Delta on S3-compatible object storage through s3a). The
# same DAGs, jobs and dbt project run on both; only these settings differ. The cluster
# profile keeps its state apart (ANTT_CLUSTER_VAR_DIR, default var/cluster) and uses the
# same service ports, so run one profile at a time.
export ANTT_PROFILE="${ANTT_PROFILE:-local}"
case "$ANTT_PROFILE" in
  local|cluster) ;;
  *) echo "env.sh: ANTT_PROFILE must be 'local' or 'cluster', got '$ANTT_PROFILE'" >&2; return 1 2>/dev/null || exit 1 ;;
esac
_abs() { case "$1" in /*|*://*) echo "$1";; *) echo "$ANTT_ROOT/${1#./}";; esac; }
if [ "$ANTT_PROFILE" = cluster ]; then
  export ANTT_VAR_DIR="$(_abs "${ANTT_CLUSTER_VAR_DIR:-var/cluster}")"
  export ANTT_S3_PORT="${ANTT_S3_PORT:-18333}"
  export ANTT_S3_ENDPOINT="${ANTT_S3_ENDPOINT:-http://127.0.0.1:$ANTT_S3_PORT}"
  export ANTT_S3_BUCKET="${ANTT_S3_BUCKET:-antt-lakehouse}"
  export ANTT_WAREHOUSE_DIR="${ANTT_WAREHOUSE_DIR:-s3a://$ANTT_S3_BUCKET/warehouse}"
else
  export ANTT_VAR_DIR="$(_abs "${ANTT_VAR_DIR:-var}")"
  export ANTT_WAREHOUSE_DIR="$(_abs "${ANTT_WAREHOUSE_DIR:-$ANTT_VAR_DIR/lakehouse/warehouse}")"
fi
export ANTT_LANDING_DIR="$(_abs "${ANTT_LANDING_DIR:-$ANTT_VAR_DIR/landing}")"
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
# the only Thrift user that may write (dbt); everyone else reads (infra/spark/guard/)
export SPARK_THRIFT_WRITERS="${SPARK_THRIFT_WRITERS:-dbt}"
export SPARK_CONNECT_PORT="${SPARK_CONNECT_PORT:-15002}"
export SPARK_UI_PORT="${SPARK_UI_PORT:-4040}"
export SPARK_DRIVER_MEMORY="${SPARK_DRIVER_MEMORY:-4g}"
export SPARK_MASTER="${SPARK_MASTER:-local[2]}"
if [ "$ANTT_PROFILE" = cluster ]; then
  # a standalone master and SPARK_WORKERS workers (infra/services.sh starts them)
  export SPARK_CLUSTER_PORT="${SPARK_CLUSTER_PORT:-17077}"
  export SPARK_CLUSTER_UI_PORT="${SPARK_CLUSTER_UI_PORT:-18080}"   # workers: the next ports
  export SPARK_MASTER="spark://127.0.0.1:$SPARK_CLUSTER_PORT"
  export SPARK_WORKERS="${SPARK_WORKERS:-2}"
  export SPARK_WORKER_CORES="${SPARK_WORKER_CORES:-1}"
  export SPARK_WORKER_MEMORY="${SPARK_WORKER_MEMORY:-2g}"
  export SPARK_EXECUTOR_MEMORY="${SPARK_EXECUTOR_MEMORY:-1536m}"
  export SPARK_DAEMON_MEMORY="${SPARK_DAEMON_MEMORY:-512m}"
fi
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
if [ -f "$ANTT_SECRETS_FILE" ]; then . "$ANTT_SECRETS_FILE"; fi
set +a
export ANTT_PG_URI_AIRFLOW="postgresql+psycopg2://airflow:${AIRFLOW_DB_PASSWORD:-}@$PGHOST:$PGPORT/airflow"
export ANTT_PG_URI_SUPERSET="postgresql+psycopg2://superset:${SUPERSET_DB_PASSWORD:-}@$PGHOST:$PGPORT/superset"
# Trace audit (database antt_audit): Superset's trace macro may only INSERT, dashboards only SELECT
export ANTT_AUDIT_WRITER_DSN="host=$PGHOST port=$PGPORT dbname=antt_audit user=audit_writer password=${AUDIT_WRITER_DB_PASSWORD:-}"
export ANTT_AUDIT_READER_DSN="host=$PGHOST port=$PGPORT dbname=antt_audit user=audit_reader password=${AUDIT_READER_DB_PASSWORD:-}"

# Airflow settings (all by environment; AIRFLOW_HOME holds only generated state)
export AIRFLOW__CORE__EXECUTOR=LocalExecutor
export AIRFLOW__CORE__DAGS_FOLDER="$ANTT_ROOT/dags"
export AIRFLOW__CORE__LOAD_EXAMPLES=False
export AIRFLOW__CORE__PARALLELISM="${AIRFLOW__CORE__PARALLELISM:-4}"
export AIRFLOW__CORE__MAX_ACTIVE_TASKS_PER_DAG="${AIRFLOW__CORE__MAX_ACTIVE_TASKS_PER_DAG:-2}"
export AIRFLOW__CORE__DEFAULT_TIMEZONE=Asia/Ho_Chi_Minh
export AIRFLOW__DATABASE__SQL_ALCHEMY_CONN="$ANTT_PG_URI_AIRFLOW"
export AIRFLOW__API__HOST=127.0.0.1
export AIRFLOW__API__PORT="$AIRFLOW_PORT"
export AIRFLOW__API__BASE_URL="http://127.0.0.1:$AIRFLOW_PORT"
export AIRFLOW__CORE__EXECUTION_API_SERVER_URL="http://127.0.0.1:$AIRFLOW_PORT/execution/"
export AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS="admin:admin"
export AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE="$AIRFLOW_HOME/simple_auth_manager_passwords.json"
export AIRFLOW__LOGGING__BASE_LOG_FOLDER="$AIRFLOW_HOME/logs"
export AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL=30
if [ -n "${AIRFLOW_JWT_SECRET:-}" ]; then export AIRFLOW__API_AUTH__JWT_SECRET="$AIRFLOW_JWT_SECRET"; fi
if [ -n "${AIRFLOW_API_SECRET_KEY:-}" ]; then export AIRFLOW__API__SECRET_KEY="$AIRFLOW_API_SECRET_KEY"; fi
if [ -n "${AIRFLOW_FERNET_KEY:-}" ]; then export AIRFLOW__CORE__FERNET_KEY="$AIRFLOW_FERNET_KEY"; fi

export PYARROW_IGNORE_TIMEZONE=1
true
# No telemetry: this network reaches package registries only.
export AIRFLOW__COSMOS__ENABLE_TELEMETRY=False
export SCARF_ANALYTICS=false
export DO_NOT_TRACK=1
true
