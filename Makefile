# ANTT Lakehouse — one entry point. `make help` lists the targets.
SHELL := /bin/bash
ENV   := source infra/env.sh &&
PY    := .venv/pipeline/bin/python

.PHONY: help setup up down status demo test test-cluster test-unit bench counts quarantine maintain sql dashboards access dq-docs reset dbt-docs

help:           ## list targets
	@grep -E '^[a-z-]+:.*## ' Makefile | sed 's/:.*## /\t/' | expand -t16

setup:          ## install system packages, virtualenvs, JVM jars, secrets, PostgreSQL cluster
	bash infra/setup.sh

up: setup       ## start PostgreSQL, Spark (Thrift + Connect), Airflow, Superset and wait until healthy
	bash infra/services.sh start

down:           ## stop every service
	bash infra/services.sh stop

status:         ## show which services run, with their URLs
	bash infra/services.sh status

demo: up        ## the main job: generate camera days + >400 days of cases/registry, run the DAGs through Airflow, print counts
	$(ENV) $(PY) -m antt.demo $(DEMO_ARGS)

TIERS = tests/dags tests/unit tests/stack
test: setup     ## the test suite CI runs: unit and DAG integrity (no service), then the stack up and its tier (dbt build, end to end, Superset)
	@$(ENV) $(PY) -m pytest $(TIERS) -m "not stack" $(PYTEST_ARGS); first=$$?; \
	bash infra/services.sh start || exit 1; \
	$(ENV) $(PY) -m pytest $(TIERS) -m stack $(PYTEST_ARGS); second=$$?; \
	echo "make test: service-free tiers exit $$first, stack tier exit $$second"; \
	[ $$first -eq 0 ] && [ $$second -eq 0 ]

test-cluster: setup ## slow tier (≈ 40 min): one day through the local and the cluster profile, same gold figures (stop the stack first)
	$(ENV) $(PY) -m pytest tests/cluster -s $(PYTEST_ARGS)

test-unit: setup ## fast tests that need no running service
	$(ENV) $(PY) -m pytest tests -m "not stack and not cluster" $(PYTEST_ARGS)

bench: setup    ## benchmark, slow (≈ 1.5 h: a 20 M-read day ingested and through the daily run, a year of history, dashboards): own Spark and Superset under var/bench; BENCH_ARGS="--parts ingest --rows N"
	bash infra/bench.sh $(BENCH_ARGS)

counts:         ## row counts per layer, with their checks
	$(ENV) $(PY) -m spark_jobs.counts

quarantine:     ## rejected rows by source and reason; ARGS="show --source camera_events --reason R" or ARGS="replay --source S [--reason R]"
	$(ENV) $(PY) -m spark_jobs.quarantine $(or $(ARGS),list)

maintain:       ## compact (OPTIMIZE + Z-order) and VACUUM every Delta table now (the DAG does it nightly)
	$(ENV) $(PY) -m spark_jobs.maintenance $(ARGS)

sql:            ## SQL shell (beeline) on the Thrift server, schema gold
	$(ENV) "$$SPARK_HOME/bin/beeline" -u "jdbc:hive2://$$SPARK_THRIFT_HOST:$$SPARK_THRIFT_PORT/gold" -n analyst

dashboards:     ## re-import dashboards/ into the running Superset
	$(ENV) $$SUPERSET_VENV/bin/python dashboards/import_dashboards.py

access:         ## Superset roles + row-level security from gold.dim_commune, demo users (passwords: var/superset_demo_users.json)
	$(ENV) $(PY) -m antt.superset_access demo-users $(ARGS)

dq-docs:        ## rebuild the Great Expectations Data Docs (validation results) and print their URL
	$(ENV) $(PY) -m expectations.docs

dbt-docs:       ## build the dbt docs (gold tables and columns for analysts) and serve them on DBT_DOCS_PORT (8081)
	$(ENV) cd dbt && ../.venv/pipeline/bin/dbt docs generate && ../.venv/pipeline/bin/dbt docs serve --host 127.0.0.1 --port $${DBT_DOCS_PORT:-8081} --no-browser

reset: down     ## delete all generated state (data, lakehouse, metadata DBs, secrets); venvs and jars stay
	rm -rf var
