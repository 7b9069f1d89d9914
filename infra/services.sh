#!/usr/bin/env bash
# Start, stop and check the local stack: postgres, spark, airflow, superset.
#   infra/services.sh start [service...]   (default: all, in dependency order)
#   infra/services.sh stop  [service...]
#   infra/services.sh status
# Every service binds to 127.0.0.1 only. Logs: var/log/<service>.log.
set -uo pipefail
unset SPARK_REMOTE  # spark-submit would read it as a client URL
source "$(dirname "$0")/env.sh"
cd "$ANTT_ROOT"
mkdir -p "$ANTT_LOG_DIR" "$ANTT_RUN_DIR"
ALL=(postgres spark airflow superset)
[ "$ANTT_PROFILE" = cluster ] && ALL=(postgres s3 cluster spark airflow superset)
PG_BIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
RUNAS=(); [ "$(id -u)" -eq 0 ] && RUNAS=(runuser -u postgres --)

say()  { printf '%-9s %s\n' "$1" "$2"; }
fail() { # service message logfile
  say "$1" "FAILED: $2"
  [ -n "${3:-}" ] && [ -f "$3" ] && { echo "---- last lines of $3 ----"; tail -n 40 "$3"; echo "----"; }
  exit 1
}
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
wait_for() { # service seconds command... ; prints dots
  local svc=$1 secs=$2; shift 2
  local t=0
  until "$@" >/dev/null 2>&1; do
    sleep 2; t=$((t + 2))
    [ $t -ge "$secs" ] && return 1
    if [ $((t % 20)) -eq 0 ]; then say "$svc" "still starting (${t}s)..."; fi
  done
  return 0
}
pidfile() { echo "$ANTT_RUN_DIR/$1.pid"; }
running() { local f; f=$(pidfile "$1"); [ -f "$f" ] && kill -0 "$(cat "$f")" 2>/dev/null; }
spawn() { # name logfile command...   (detached, own process group)
  local name=$1 log=$2; shift 2
  setsid nohup "$@" >>"$log" 2>&1 < /dev/null &
  echo $! > "$(pidfile "$name")"
}
kill_group() { # name
  local f; f=$(pidfile "$1")
  [ -f "$f" ] || return 0
  local pid; pid=$(cat "$f")
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null
    for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
    kill -KILL -- "-$pid" 2>/dev/null || true
  fi
  rm -f "$f"
}

# ---------------------------------------------------------------- postgres
pg_ready() { "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PGPORT"; }
psql_su() { "${RUNAS[@]}" "$PG_BIN/psql" -h "$ANTT_VAR_DIR/pg/run" -p "$PGPORT" -U postgres -v ON_ERROR_STOP=1 -qtA "$@"; }
start_postgres() {
  [ -f "$PGDATA/PG_VERSION" ] || fail postgres "no cluster in $PGDATA: run 'make setup' first"
  if pg_ready; then say postgres "already running on 127.0.0.1:$PGPORT"; else
    mkdir -p "$ANTT_VAR_DIR/pg/run"; [ ${#RUNAS[@]} -gt 0 ] && chown postgres:postgres "$ANTT_VAR_DIR/pg/run"
    touch "$ANTT_LOG_DIR/postgres.log"; [ ${#RUNAS[@]} -gt 0 ] && chown postgres "$ANTT_LOG_DIR/postgres.log"
    "${RUNAS[@]}" "$PG_BIN/pg_ctl" -D "$PGDATA" -l "$ANTT_LOG_DIR/postgres.log" -w -t 60 \
      -o "-c listen_addresses=127.0.0.1 -c port=$PGPORT -c unix_socket_directories=$ANTT_VAR_DIR/pg/run" start >/dev/null \
      || fail postgres "pg_ctl start failed" "$ANTT_LOG_DIR/postgres.log"
  fi
  # roles and databases for Airflow and Superset (idempotent; passwords from var/secrets.env)
  for app in airflow superset; do
    local pwvar; pwvar="$(echo "$app" | tr a-z A-Z)_DB_PASSWORD"
    [ -n "${!pwvar:-}" ] || fail postgres "$pwvar missing: run 'make setup'"
    psql_su -c "DO \$\$BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname='$app') THEN CREATE ROLE $app LOGIN; END IF; END\$\$;" \
      -c "ALTER ROLE $app PASSWORD '${!pwvar}'" >/dev/null || fail postgres "could not create role $app" "$ANTT_LOG_DIR/postgres.log"
    [ "$(psql_su -c "SELECT 1 FROM pg_database WHERE datname='$app'")" = 1 ] || psql_su -c "CREATE DATABASE $app OWNER $app" >/dev/null
  done
  # the trace audit: its own database; audit_writer may only INSERT, audit_reader only SELECT
  for role in audit_writer audit_reader; do
    local pwvar; pwvar="$(echo "$role" | tr a-z A-Z)_DB_PASSWORD"
    [ -n "${!pwvar:-}" ] || fail postgres "$pwvar missing: run 'make setup'"
    psql_su -c "DO \$\$BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname='$role') THEN CREATE ROLE $role LOGIN; END IF; END\$\$;" \
      -c "ALTER ROLE $role PASSWORD '${!pwvar}'" >/dev/null || fail postgres "could not create role $role" "$ANTT_LOG_DIR/postgres.log"
  done
  [ "$(psql_su -c "SELECT 1 FROM pg_database WHERE datname='antt_audit'")" = 1 ] || psql_su -c "CREATE DATABASE antt_audit" >/dev/null
  psql_su -d antt_audit -f "$ANTT_ROOT/infra/postgres/audit.sql" >/dev/null \
    || fail postgres "could not prepare the trace audit (infra/postgres/audit.sql)" "$ANTT_LOG_DIR/postgres.log"
  say postgres "ok  127.0.0.1:$PGPORT (databases airflow, superset, antt_audit)"
}
stop_postgres() { pg_ready && "${RUNAS[@]}" "$PG_BIN/pg_ctl" -D "$PGDATA" -m fast -w stop >/dev/null; say postgres stopped; }
status_postgres() { pg_ready && say postgres "up    127.0.0.1:$PGPORT" || say postgres down; }

# ---------------------------------------------------------------- spark
spark_ready() { port_open "$SPARK_THRIFT_PORT" && port_open "$SPARK_CONNECT_PORT"; }
start_spark() {
  if spark_ready; then say spark "already running"; return; fi
  [ -f "$SPARK_HOME/jars/spark-hive-thriftserver_2.13-4.0.1.jar" ] || ls "$SPARK_HOME"/jars/spark-hive-thriftserver_*.jar >/dev/null 2>&1 \
    || fail spark "pyspark with the Thrift server not found in $SPARK_HOME: run 'make setup'"
  ls "$ANTT_JARS_DIR"/*.jar >/dev/null 2>&1 || fail spark "no Delta jars in $ANTT_JARS_DIR: run 'make setup'"
  local guard="$ANTT_JARS_DIR/guard/antt-thrift-guard.jar"
  [ -f "$guard" ] || fail spark "no $guard: run 'make setup'"
  mkdir -p "$ANTT_VAR_DIR/spark"
  case "$ANTT_WAREHOUSE_DIR" in *://*) ;; *) mkdir -p "$ANTT_WAREHOUSE_DIR" ;; esac
  : > "$ANTT_LOG_DIR/spark.log"
  local props="$ANTT_ROOT/infra/spark/spark-defaults.conf" classpath="$ANTT_JARS_DIR/*"
  local extra=()
  if [ "$ANTT_PROFILE" = cluster ]; then
    master_ready || fail spark "the standalone master is not up: infra/services.sh start cluster"
    s3_ready || fail spark "the object store is not up: infra/services.sh start s3"
    ls "$ANTT_JARS_DIR"/s3a/*.jar >/dev/null 2>&1 || fail spark "no s3a jars in $ANTT_JARS_DIR/s3a: run 'ANTT_PROFILE=cluster make setup'"
    classpath="$ANTT_JARS_DIR/*:$ANTT_JARS_DIR/s3a/*"
    props="$ANTT_VAR_DIR/spark/spark-cluster.conf"     # defaults + cluster.conf + endpoint and keys
    ( umask 077
      cat "$ANTT_ROOT/infra/spark/spark-defaults.conf" "$ANTT_ROOT/infra/spark/cluster.conf"
      echo "spark.hadoop.fs.s3a.endpoint                     $ANTT_S3_ENDPOINT"
      echo "spark.hadoop.fs.s3a.connection.ssl.enabled       ${ANTT_S3_SSL:-false}"
      echo "spark.hadoop.fs.s3a.access.key                   $ANTT_S3_ACCESS_KEY"
      echo "spark.hadoop.fs.s3a.secret.key                   $ANTT_S3_SECRET_KEY" ) > "$props"
    extra=(--conf "spark.executor.memory=$SPARK_EXECUTOR_MEMORY" --conf "spark.executor.cores=$SPARK_WORKER_CORES"
           --conf "spark.cores.max=${SPARK_CORES_MAX:-$((SPARK_WORKERS * SPARK_WORKER_CORES))}")
  fi
  # One application: HiveThriftServer2 (JDBC/ODBC for dbt, Superset, analysts) with the
  # Spark Connect plugin (pipeline jobs). Delta jars go on the driver class path so the
  # Thrift sessions' class loader finds the delta data source too. The write guard
  # (infra/spark/guard/) lets only $SPARK_THRIFT_WRITERS write through the Thrift server:
  # Superset, analysts and anyone else connecting there read only.
  (cd "$ANTT_VAR_DIR/spark" && spawn spark "$ANTT_LOG_DIR/spark.log" \
    "$SPARK_HOME/bin/spark-submit" \
      --class org.apache.spark.sql.hive.thriftserver.HiveThriftServer2 \
      --name antt-sql --master "$SPARK_MASTER" --driver-memory "$SPARK_DRIVER_MEMORY" \
      --properties-file "$props" "${extra[@]}" \
      --conf "spark.driver.extraClassPath=$classpath:$guard" \
      --conf "spark.executor.extraClassPath=$classpath" \
      --conf "spark.sql.extensions=io.delta.sql.DeltaSparkSessionExtension,antt.spark.ThriftWriteGuard" \
      --conf "spark.antt.thrift.writers=$SPARK_THRIFT_WRITERS" \
      --conf "spark.sql.warehouse.dir=$ANTT_WAREHOUSE_DIR" \
      --conf "spark.connect.grpc.binding.port=$SPARK_CONNECT_PORT" \
      --conf "spark.ui.port=$SPARK_UI_PORT" \
      --conf "spark.scheduler.allocation.file=$ANTT_ROOT/infra/spark/fairscheduler.xml" \
      --conf "spark.driver.extraJavaOptions=-Dderby.system.home=$ANTT_VAR_DIR/spark" \
      --hiveconf "hive.server2.thrift.port=$SPARK_THRIFT_PORT" \
      --hiveconf hive.server2.thrift.bind.host=127.0.0.1)
  wait_for spark 180 spark_ready || fail spark "Thrift/Connect ports did not open in 180 s" "$ANTT_LOG_DIR/spark.log"
  say spark "ok  thrift 127.0.0.1:$SPARK_THRIFT_PORT  connect sc://127.0.0.1:$SPARK_CONNECT_PORT  ui http://127.0.0.1:$SPARK_UI_PORT  master $SPARK_MASTER"
}
stop_spark() { kill_group spark; say spark stopped; }
status_spark() { spark_ready && say spark "up    thrift :$SPARK_THRIFT_PORT connect :$SPARK_CONNECT_PORT" || say spark down; }

# ---------------------------------------------------------------- object store (cluster profile)
# SeaweedFS's S3 gateway (master + volume + filer + s3 in one process, all on loopback),
# built by `ANTT_PROFILE=cluster make setup`; data under var/cluster/s3. Static keys from
# var/cluster/secrets.env; the bucket is made on first start.
WEED="$ANTT_ROOT/.tools/bin/weed"
s3_ready() { curl -fsS -o /dev/null "$ANTT_S3_ENDPOINT/healthz" 2>/dev/null; }
s3_curl() { # method path [curl args]: a signed request (AWS signature v4) to the object store
  local method=$1 path=$2; shift 2
  curl -sS -o /dev/null -w '%{http_code}' --aws-sigv4 "aws:amz:us-east-1:s3" \
    --user "$ANTT_S3_ACCESS_KEY:$ANTT_S3_SECRET_KEY" -H "x-amz-content-sha256: $(printf '' | sha256sum | cut -d' ' -f1)" \
    -X "$method" "$ANTT_S3_ENDPOINT$path" "$@"
}
start_s3() {
  [ -x "$WEED" ] || fail s3 "no $WEED: run 'ANTT_PROFILE=cluster make setup'"
  [ -n "${ANTT_S3_ACCESS_KEY:-}" ] && [ -n "${ANTT_S3_SECRET_KEY:-}" ] || fail s3 "ANTT_S3_ACCESS_KEY/SECRET_KEY missing: run 'ANTT_PROFILE=cluster make setup'"
  if s3_ready; then say s3 "already running"; else
    mkdir -p "$ANTT_VAR_DIR/s3/data" "$ANTT_LOG_DIR/s3"
    ( umask 077; printf '{"identities": [{"name": "antt", "credentials": [{"accessKey": "%s", "secretKey": "%s"}], "actions": ["Admin", "Read", "List", "Tagging", "Write"]}]}\n' \
        "$ANTT_S3_ACCESS_KEY" "$ANTT_S3_SECRET_KEY" > "$ANTT_VAR_DIR/s3/identities.json" )
    GOMEMLIMIT="${ANTT_S3_MEMORY:-768MiB}" WEED_MASTER_VOLUME_GROWTH_COPY_1=1 spawn s3 "$ANTT_LOG_DIR/s3.log" \
      "$WEED" -logdir="$ANTT_LOG_DIR/s3" server -ip=127.0.0.1 -ip.bind=127.0.0.1 -dir="$ANTT_VAR_DIR/s3/data" \
      -master.port="${ANTT_S3_MASTER_PORT:-19333}" -master.telemetry=false -master.volumeSizeLimitMB=64 \
      -volume.port="${ANTT_S3_VOLUME_PORT:-18380}" -volume.max=64 -volume.preStopSeconds=1 \
      -filer.port="${ANTT_S3_FILER_PORT:-18888}" \
      -s3 -s3.port="$ANTT_S3_PORT" -s3.config="$ANTT_VAR_DIR/s3/identities.json" -s3.port.iceberg=0 -s3.port.lance=0
    wait_for s3 120 s3_ready || fail s3 "S3 endpoint $ANTT_S3_ENDPOINT not healthy after 120 s" "$ANTT_LOG_DIR/s3.log"
  fi
  # the lakehouse bucket (HEAD 200: there; 404: make it). The gateway answers before its
  # volumes are writable: retry.
  local code="" t=0
  until code=$(s3_curl HEAD "/$ANTT_S3_BUCKET" -I) && [ "$code" = 200 ]; do
    [ "$code" = 404 ] && s3_curl PUT "/$ANTT_S3_BUCKET" >/dev/null
    sleep 2; t=$((t + 2)); [ $t -ge 60 ] && fail s3 "bucket $ANTT_S3_BUCKET not usable (HTTP $code)" "$ANTT_LOG_DIR/s3.log"
  done
  say s3 "ok  $ANTT_S3_ENDPOINT  bucket $ANTT_S3_BUCKET  (SeaweedFS S3; keys in $ANTT_SECRETS_FILE)"
}
stop_s3() { kill_group s3; say s3 stopped; }
status_s3() { s3_ready && say s3 "up    $ANTT_S3_ENDPOINT" || say s3 down; }

# ---------------------------------------------------------------- spark standalone cluster (cluster profile)
# A master and SPARK_WORKERS workers, the Master/Worker classes of the pyspark wheel (it has
# no sbin/start-*.sh). The Spark application above runs its executors on them.
master_ready() {
  curl -fsS "http://127.0.0.1:$SPARK_CLUSTER_UI_PORT/json/" 2>/dev/null \
    | "$PIPELINE_VENV/bin/python" -c 'import json,sys; sys.exit(0 if json.load(sys.stdin).get("aliveworkers", 0) >= int(sys.argv[1]) else 1)' "$SPARK_WORKERS" 2>/dev/null
}
start_cluster() {
  if master_ready; then say cluster "already running"; return; fi
  mkdir -p "$ANTT_VAR_DIR/spark-cluster"
  running spark-master || spawn spark-master "$ANTT_LOG_DIR/spark-master.log" "$SPARK_HOME/bin/spark-class" \
    org.apache.spark.deploy.master.Master --host 127.0.0.1 --port "$SPARK_CLUSTER_PORT" --webui-port "$SPARK_CLUSTER_UI_PORT"
  for i in $(seq 1 "$SPARK_WORKERS"); do
    mkdir -p "$ANTT_VAR_DIR/spark-cluster/worker-$i"
    running "spark-worker-$i" || SPARK_LOCAL_DIRS="$ANTT_VAR_DIR/spark-cluster/worker-$i/tmp" spawn "spark-worker-$i" \
      "$ANTT_LOG_DIR/spark-worker-$i.log" "$SPARK_HOME/bin/spark-class" org.apache.spark.deploy.worker.Worker \
      --host 127.0.0.1 --webui-port "$((SPARK_CLUSTER_UI_PORT + i))" --cores "$SPARK_WORKER_CORES" \
      --memory "$SPARK_WORKER_MEMORY" --work-dir "$ANTT_VAR_DIR/spark-cluster/worker-$i" "$SPARK_MASTER"
  done
  wait_for cluster 120 master_ready || fail cluster "$SPARK_WORKERS workers did not register in 120 s" "$ANTT_LOG_DIR/spark-master.log"
  say cluster "ok  $SPARK_MASTER  ($SPARK_WORKERS workers × $SPARK_WORKER_CORES core, $SPARK_WORKER_MEMORY)  ui http://127.0.0.1:$SPARK_CLUSTER_UI_PORT"
}
stop_cluster() {
  local f i
  for f in "$ANTT_RUN_DIR"/spark-worker-*.pid; do [ -f "$f" ] && { i=$(basename "$f" .pid); kill_group "$i"; }; done
  kill_group spark-master; say cluster stopped
}
status_cluster() { master_ready && say cluster "up    $SPARK_MASTER ($SPARK_WORKERS workers)" || say cluster down; }

# ---------------------------------------------------------------- airflow
AF_PARTS=(scheduler dag-processor triggerer api-server)
airflow_ready() {
  curl -fsS "http://127.0.0.1:$AIRFLOW_PORT/api/v2/monitor/health" 2>/dev/null \
    | "$PIPELINE_VENV/bin/python" -c 'import json,sys; h=json.load(sys.stdin); sys.exit(0 if h["metadatabase"]["status"]=="healthy" and h["scheduler"]["status"]=="healthy" else 1)' 2>/dev/null
}
start_airflow() {
  pg_ready || fail airflow "postgres is not running"
  if airflow_ready; then say airflow "already running"; return; fi
  # Cosmos renders the dbt task group from a pre-built manifest (no dbt ls per parse)
  (cd "$ANTT_ROOT/dbt" && "$PIPELINE_VENV/bin/dbt" parse --quiet >>"$ANTT_LOG_DIR/dbt-parse.log" 2>&1) \
    || fail airflow "dbt parse failed (dbt/ project broken?)" "$ANTT_LOG_DIR/dbt-parse.log"
  "$PIPELINE_VENV/bin/airflow" db migrate >>"$ANTT_LOG_DIR/airflow-migrate.log" 2>&1 \
    || fail airflow "airflow db migrate failed" "$ANTT_LOG_DIR/airflow-migrate.log"
  for part in "${AF_PARTS[@]}"; do
    running "airflow-$part" || spawn "airflow-$part" "$ANTT_LOG_DIR/airflow-$part.log" "$PIPELINE_VENV/bin/airflow" "$part"
  done
  if ! wait_for airflow 240 airflow_ready; then
    for part in "${AF_PARTS[@]}"; do running "airflow-$part" || fail airflow "$part exited" "$ANTT_LOG_DIR/airflow-$part.log"; done
    fail airflow "not healthy after 240 s" "$ANTT_LOG_DIR/airflow-scheduler.log"
  fi
  say airflow "ok  http://127.0.0.1:$AIRFLOW_PORT  (user admin, password: AIRFLOW_ADMIN_PASSWORD in $ANTT_SECRETS_FILE)"
}
stop_airflow() { for part in api-server triggerer dag-processor scheduler; do kill_group "airflow-$part"; done; say airflow stopped; }
status_airflow() { airflow_ready && say airflow "up    http://127.0.0.1:$AIRFLOW_PORT" || say airflow down; }

# ---------------------------------------------------------------- superset
superset_ready() { curl -fsS "http://127.0.0.1:$SUPERSET_PORT/health" >/dev/null 2>&1; }
start_superset() {
  # metadata in the stack's PostgreSQL unless SUPERSET_DATABASE_URI says otherwise (the bench: SQLite)
  case "${SUPERSET_DATABASE_URI:-postgresql}" in postgresql*) pg_ready || fail superset "postgres is not running";; esac
  if superset_ready; then say superset "already running"; else
    mkdir -p "$SUPERSET_HOME"
    PATH="$SUPERSET_VENV/bin:$PATH" bash "$ANTT_ROOT/infra/superset/bootstrap.sh" >>"$ANTT_LOG_DIR/superset-bootstrap.log" 2>&1 \
      || fail superset "bootstrap (db upgrade, admin, import) failed" "$ANTT_LOG_DIR/superset-bootstrap.log"
    spawn superset "$ANTT_LOG_DIR/superset.log" "$SUPERSET_VENV/bin/gunicorn" \
      --bind "127.0.0.1:$SUPERSET_PORT" --workers 2 --worker-class gthread --threads 4 --timeout 300 --limit-request-line 0 --limit-request-field_size 0 \
      "superset.app:create_app()"
    wait_for superset 180 superset_ready || fail superset "not healthy after 180 s" "$ANTT_LOG_DIR/superset.log"
  fi
  say superset "ok  http://127.0.0.1:$SUPERSET_PORT  (user admin, password: SUPERSET_ADMIN_PASSWORD in $ANTT_SECRETS_FILE)"
}
stop_superset() { kill_group superset; say superset stopped; }
status_superset() { superset_ready && say superset "up    http://127.0.0.1:$SUPERSET_PORT" || say superset down; }

# ---------------------------------------------------------------- main
cmd=${1:-status}; shift || true
svcs=("$@"); [ ${#svcs[@]} -eq 0 ] && svcs=("${ALL[@]}")
case "$cmd" in
  start)  for s in "${svcs[@]}"; do "start_$s"; done ;;
  stop)   for ((i=${#svcs[@]}-1; i>=0; i--)); do "stop_${svcs[$i]}"; done ;;
  restart) "$0" stop "${svcs[@]}"; "$0" start "${svcs[@]}" ;;
  status) for s in "${svcs[@]}"; do "status_$s"; done ;;
  *) echo "usage: $0 start|stop|restart|status [${ALL[*]}]"; exit 2 ;;
esac
