"""A small client of Airflow 3's REST API (/api/v2): trigger DAG runs and wait for them.

Used by the demo and the end-to-end test, so runs go through the real scheduler.
"""
from __future__ import annotations

import datetime as dt
import os
import sys
import time

import requests


class AirflowError(RuntimeError):
    pass


class Airflow:
    def __init__(self, base_url: str | None = None, username: str = "admin",
                 password: str | None = None, timeout: float = 30):
        self.base = (base_url or f"http://127.0.0.1:{os.environ.get('AIRFLOW_PORT', '8080')}").rstrip("/")
        self.timeout = timeout
        password = password or os.environ.get("AIRFLOW_ADMIN_PASSWORD")
        if not password:
            raise AirflowError("AIRFLOW_ADMIN_PASSWORD is not set (see var/secrets.env; run `make setup`)")
        r = requests.post(f"{self.base}/auth/token", json={"username": username, "password": password},
                          timeout=timeout)
        self._check(r, "login")
        self.s = requests.Session()
        self.s.headers["Authorization"] = f"Bearer {r.json()['access_token']}"

    @staticmethod
    def _check(r: requests.Response, what: str) -> None:
        if r.status_code >= 400:
            raise AirflowError(f"Airflow {what}: HTTP {r.status_code} from {r.request.method} {r.url}: {r.text[:500]}")

    def _get(self, path: str, **params):
        r = self.s.get(f"{self.base}/api/v2{path}", params=params, timeout=self.timeout)
        self._check(r, f"GET {path}")
        return r.json()

    def wait_for_dag(self, dag_id: str, timeout: float = 180) -> dict:
        """Wait until the dag-processor has parsed the DAG (and it has no import error)."""
        deadline = time.monotonic() + timeout
        while True:
            r = self.s.get(f"{self.base}/api/v2/dags/{dag_id}", timeout=self.timeout)
            if r.status_code == 200:
                return r.json()
            errors = self._get("/importErrors").get("import_errors", [])
            mine = [e for e in errors if dag_id in e.get("filename", "")]
            if mine:
                raise AirflowError(f"DAG {dag_id} failed to import: {mine[0].get('stack_trace', '')[-1500:]}")
            if time.monotonic() > deadline:
                raise AirflowError(f"DAG {dag_id} not visible in Airflow after {timeout:.0f} s")
            time.sleep(3)

    def set_paused(self, dag_id: str, paused: bool) -> None:
        r = self.s.patch(f"{self.base}/api/v2/dags/{dag_id}", json={"is_paused": paused}, timeout=self.timeout)
        self._check(r, f"{'pause' if paused else 'unpause'} {dag_id}")

    def unpause(self, dag_id: str) -> None:
        self.set_paused(dag_id, False)

    def pause(self, dag_id: str) -> None:
        """A paused DAG gets no Asset-triggered runs (Airflow does not queue them for later)."""
        self.set_paused(dag_id, True)

    def trigger(self, dag_id: str, conf: dict | None = None, run_id: str | None = None) -> str:
        run_id = run_id or f"manual__{dt.datetime.now(dt.timezone.utc):%Y%m%dT%H%M%S%f}"
        body = {"dag_run_id": run_id, "logical_date": None, "conf": conf or {}}
        r = self.s.post(f"{self.base}/api/v2/dags/{dag_id}/dagRuns", json=body, timeout=self.timeout)
        self._check(r, f"trigger {dag_id}")
        return r.json()["dag_run_id"]

    def run_state(self, dag_id: str, run_id: str) -> str:
        return self._get(f"/dags/{dag_id}/dagRuns/{run_id}")["state"]

    def task_states(self, dag_id: str, run_id: str) -> dict[str, str]:
        data = self._get(f"/dags/{dag_id}/dagRuns/{run_id}/taskInstances", limit=500)
        return {t["task_id"]: t["state"] for t in data.get("task_instances", [])}

    def wait(self, dag_id: str, run_ids: list[str], timeout: float = 3600, quiet: bool = False) -> dict[str, str]:
        """Wait for runs to finish; print progress; raise naming failed tasks."""
        deadline = time.monotonic() + timeout
        pending = list(run_ids)
        states: dict[str, str] = {}
        last = ""
        while pending:
            for rid in list(pending):
                st = self.run_state(dag_id, rid)
                if st in ("success", "failed"):
                    states[rid] = st
                    pending.remove(rid)
            line = f"  {dag_id}: {len(states)}/{len(run_ids)} runs finished ({sum(s == 'success' for s in states.values())} ok)"
            if line != last and not quiet:
                print(line, file=sys.stderr, flush=True)
                last = line
            if not pending:
                break
            if time.monotonic() > deadline:
                raise AirflowError(f"{dag_id}: runs still not finished after {timeout:.0f} s: {pending}")
            time.sleep(5)
        failed = {rid: {t: s for t, s in self.task_states(dag_id, rid).items() if s not in ("success", "skipped")}
                  for rid, st in states.items() if st != "success"}
        if failed:
            raise AirflowError(f"{dag_id}: failed runs (task states; logs under var/airflow/logs): {failed}")
        return states

    def emitted_asset_event(self, source_dag_id: str, source_run_id: str) -> bool:
        """Did this (finished) run emit an Asset event?"""
        events = self._get("/assets/events", source_dag_id=source_dag_id,
                           source_run_id=source_run_id, limit=1)
        return bool(events.get("total_entries") or events.get("asset_events"))

    def wait_for_consumers(self, dag_id: str, source_dag_id: str, source_run_ids: list[str],
                           timeout: float = 3600, quiet: bool = False, grace: float = 30) -> list[str]:
        """Wait until runs of the Asset-scheduled ``dag_id`` have covered every upstream run in
        ``source_run_ids`` and all of them succeeded.

        Airflow can drop an Asset trigger: an event that arrives while a run of ``dag_id`` is
        already queued (max_active_runs) is neither consumed by it nor queued again. When no
        run is active or queued for ``grace`` seconds and upstream runs are still uncovered,
        one catch-up run is triggered by hand; it starts after those upstream runs finished,
        so it covers their data (the gold models are incremental on processed_at).
        """
        deadline = time.monotonic() + timeout
        # an upstream run that wrote nothing new skips its publishing task: no event to wait for
        todo = {r for r in source_run_ids if self.emitted_asset_event(source_dag_id, r)}
        if not todo:
            if not quiet:
                print(f"  {dag_id}: no Asset event from {source_dag_id} runs {source_run_ids} "
                      "(nothing new): no gold run needed", flush=True)
            return []
        covered_by: dict[str, str] = {}
        checked: set[str] = set()
        idle_since: float | None = None
        last = ""
        while True:
            runs = self._get(f"/dags/{dag_id}/dagRuns", limit=100, order_by="-run_after")["dag_runs"]
            for run in runs:
                rid = run["dag_run_id"]
                if rid in checked or run.get("run_type") != "asset_triggered":
                    continue
                events = self._get(f"/dags/{dag_id}/dagRuns/{rid}/upstreamAssetEvents").get("asset_events", [])
                for ev in events:
                    if ev.get("source_dag_id") == source_dag_id and ev.get("source_run_id") in todo:
                        covered_by[ev["source_run_id"]] = rid
                checked.add(rid)
            mine = sorted(set(covered_by.values()))
            states = {rid: self.run_state(dag_id, rid) for rid in mine}
            failed = [rid for rid, st in states.items() if st == "failed"]
            if failed:
                tasks = {rid: {t: st for t, st in self.task_states(dag_id, rid).items() if st not in ("success", "skipped")}
                         for rid in failed}
                raise AirflowError(f"{dag_id}: failed runs (task states; logs under var/airflow/logs): {tasks}")
            missing = todo - covered_by.keys()
            if not missing and all(st == "success" for st in states.values()):
                return mine
            line = (f"  {dag_id}: {len(covered_by)}/{len(todo)} upstream runs picked up by "
                    f"{len(mine)} run(s), {sum(st == 'success' for st in states.values())} finished")
            if line != last and not quiet:
                print(line, file=sys.stderr, flush=True)
                last = line
            active = any(r["state"] in ("queued", "running") for r in runs)
            queued = self._get(f"/dags/{dag_id}/assets/queuedEvents").get("total_entries", 0)
            if missing and not active and not queued:
                idle_since = idle_since or time.monotonic()
                if time.monotonic() - idle_since >= grace:
                    rid = self.trigger(dag_id, {"catch_up_for": sorted(missing)},
                                       run_id=f"catchup__{dt.datetime.now(dt.timezone.utc):%Y%m%dT%H%M%S%f}")
                    if not quiet:
                        print(f"  {dag_id}: Airflow dropped the Asset trigger of {len(missing)} upstream run(s); "
                              f"catch-up run {rid}", file=sys.stderr, flush=True)
                    for src in missing:
                        covered_by[src] = rid
                    idle_since = None
            else:
                idle_since = None
            if time.monotonic() > deadline:
                raise AirflowError(f"{dag_id}: upstream runs not covered after {timeout:.0f} s: "
                                   f"{sorted(missing)}; states {states}")
            time.sleep(5)
