#!/usr/bin/env bash
# `make bench`: the benchmark against its OWN Spark application (other ports, var/bench),
# so it never writes into the lakehouse of the running stack and can run beside it (the
# figures are then disturbed by whatever the stack does: stop it for clean numbers).
set -euo pipefail
cd "$(dirname "$0")/.."
export ANTT_VAR_DIR="${ANTT_BENCH_DIR:-var/bench}"
export SPARK_THRIFT_PORT="${BENCH_THRIFT_PORT:-10100}"
export SPARK_CONNECT_PORT="${BENCH_CONNECT_PORT:-15102}"
export SPARK_UI_PORT="${BENCH_UI_PORT:-4140}"
unset ANTT_SPARK_REMOTE ANTT_LANDING_DIR ANTT_WAREHOUSE_DIR
# shellcheck source=infra/env.sh
source infra/env.sh
mkdir -p "$ANTT_LOG_DIR" "$ANTT_RUN_DIR"
trap 'bash infra/services.sh stop spark >/dev/null' EXIT
bash infra/services.sh start spark
"$PIPELINE_VENV/bin/python" -m antt.bench "$@"
