"""Superset roles, row-level security and demo users — generated from the unit dimension.

    python -m antt.superset_access sync         # roles + RLS from gold.dim_commune
    python -m antt.superset_access demo-users   # leadership, analyst, tracer, two communes

Nothing here is clicked in the UI. `sync` reads the 126 communes from gold.dim_commune
through the Spark Thrift server and the datasets from dashboards/assets/datasets/, and
makes Superset match (its REST API, as admin):

  role                              gets                                         RLS
  ANTT Lãnh đạo thành phố           every gold dataset + the trace audit          none
                                    (dashboards, no SQL Lab)
  ANTT Công an xã <code> (×126)     every gold dataset                            commune_code = '<code>'
  ANTT Phân tích viên               SQL Lab on schema gold only (+ its datasets;  none
                                    saves its own datasets from SQL Lab)
  ANTT Truy vết phương tiện         the datasets of schema `restricted`           none

Users get Superset's built-in Gamma role (the read-only interface) beside one of these;
analysts also get `sql_lab`. A commune role is keyed by the commune's code: a renamed
commune keeps its role (the description follows the name), a new commune gets one, and
the role and rule of a commune that left the dimension are deleted (its users then see
nothing, and are named in the output). Every dataset a commune role can read must have a
`commune_code` column, so RLS applies to every dataset it sees; a dataset YAML without
one is refused by name. Re-running changes nothing when nothing changed.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

import yaml

from antt.superset_api import SupersetClient, SupersetError, login

ROOT = Path(__file__).resolve().parents[1]
ASSETS_DIR = ROOT / "dashboards" / "assets"

ROLE_LEADERSHIP = "ANTT Lãnh đạo thành phố"
ROLE_ANALYST = "ANTT Phân tích viên"
ROLE_TRACE = "ANTT Truy vết phương tiện"
COMMUNE_ROLE_PREFIX = "ANTT Công an xã "
RLS_PREFIX = "ANTT RLS xã "
RLS_GROUP_KEY = "commune_code"
COMMUNE_COLUMN = "commune_code"
ANALYST_SCHEMA = "gold"
RESTRICTED_SCHEMAS = frozenset({"restricted"})     # the vehicle-tracing role only
LEADERSHIP_ONLY_SCHEMAS = frozenset({"audit"})    # the trace audit: city leadership reviews it
BUILTIN_BASE_ROLE = "Gamma"
BUILTIN_SQL_LAB_ROLE = "sql_lab"
# SQL Lab's "Save dataset" and a chart on it: an analyst saves their own virtual datasets
# (Superset lets them edit only what they own, and checks the tables in the SQL).
ANALYST_PERMISSIONS = (("can_write", "Dataset"),)
COMMUNE_CODE = re.compile(r"^[0-9]{5}$")


class AccessError(RuntimeError):
    """The access rules cannot be generated; the message names the file or unit."""


def commune_role(code: str) -> str:
    return f"{COMMUNE_ROLE_PREFIX}{code}"


def rls_name(code: str) -> str:
    return f"{RLS_PREFIX}{code}"


# --------------------------------------------------------------------------- plan (pure)
@dataclass(frozen=True)
class DatasetSpec:
    uuid: str
    schema: str
    table_name: str
    columns: tuple[str, ...]
    path: str = ""
    virtual: bool = False

    @property
    def restricted(self) -> bool:
        return self.schema in RESTRICTED_SCHEMAS

    @property
    def leadership_only(self) -> bool:
        return self.schema in LEADERSHIP_ONLY_SCHEMAS

    @property
    def has_commune(self) -> bool:
        return COMMUNE_COLUMN in self.columns


@dataclass
class RolePlan:
    name: str
    datasets: tuple[str, ...] = ()          # dataset UUIDs (datasource_access)
    schemas: tuple[str, ...] = ()           # schema_access (SQL Lab)
    permissions: tuple[tuple[str, str], ...] = ()   # (permission, view menu), e.g. can_write on Dataset


@dataclass
class RlsPlan:
    name: str
    role: str
    datasets: tuple[str, ...]
    clause: str
    description: str


@dataclass
class AccessPlan:
    roles: dict[str, RolePlan] = field(default_factory=dict)
    rls: dict[str, RlsPlan] = field(default_factory=dict)


def load_dataset_specs(assets_dir: Path = ASSETS_DIR) -> list[DatasetSpec]:
    specs = []
    for path in sorted((assets_dir / "datasets").rglob("*.yaml")):
        config = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        try:
            specs.append(DatasetSpec(
                uuid=str(config["uuid"]), schema=str(config["schema"]),
                table_name=str(config["table_name"]),
                columns=tuple(c["column_name"] for c in config.get("columns") or []),
                path=_shown(path), virtual=bool(config.get("sql"))))
        except (KeyError, TypeError) as ex:
            raise AccessError(f"{path}: not a Superset dataset export (missing {ex})") from ex
    if not specs:
        raise AccessError(f"no dataset YAML under {assets_dir / 'datasets'}")
    return specs


def _shown(path: Path) -> str:
    return str(path.relative_to(ROOT)) if ROOT in path.parents else str(path)


@dataclass(frozen=True)
class DashboardSpec:
    slug: str
    title: str
    charts: int
    schemas: frozenset[str]     # the schemas of the datasets its charts read


def load_dashboard_specs(assets_dir: Path = ASSETS_DIR) -> list[DashboardSpec]:
    """The dashboards of the bundle with the schemas they read ({"gold"}: every role with
    gold access opens it; the trace and its audit read "restricted" / "audit")."""
    def load(kind: str) -> list[dict]:
        return [yaml.safe_load(p.read_text(encoding="utf-8")) for p in sorted((assets_dir / kind).rglob("*.yaml"))]

    schema_of = {d["uuid"]: d["schema"] for d in load("datasets")}
    dataset_of = {c["uuid"]: c["dataset_uuid"] for c in load("charts")}
    out = []
    for d in load("dashboards"):
        charts = [v["meta"]["uuid"] for v in d["position"].values()
                  if isinstance(v, dict) and v.get("type") == "CHART"]
        out.append(DashboardSpec(d["slug"], d["dashboard_title"], len(charts),
                                 frozenset(schema_of[dataset_of[c]] for c in charts)))
    return out


def plan_access(communes: dict[str, str], datasets: Iterable[DatasetSpec]) -> AccessPlan:
    """The roles and RLS rules Superset must have, for these communes and datasets."""
    datasets = list(datasets)
    bad = [c for c in communes if not COMMUNE_CODE.match(c)]
    if bad:
        raise AccessError(f"gold.dim_commune: commune codes must be 5 digits, got {bad[:5]}")
    if not communes:
        raise AccessError("gold.dim_commune has no communes; build the gold marts first")
    open_sets = [d for d in datasets if not (d.restricted or d.leadership_only)]
    missing = [d for d in open_sets if not d.has_commune]
    if missing:
        raise AccessError(
            "every dataset commune police can open needs a commune_code column for row-level "
            "security; missing in: " + ", ".join(f"{d.path or d.table_name}" for d in missing))
    gold = tuple(d.uuid for d in open_sets)
    restricted = tuple(d.uuid for d in datasets if d.restricted)
    audit = tuple(d.uuid for d in datasets if d.leadership_only)
    plan = AccessPlan()
    plan.roles[ROLE_LEADERSHIP] = RolePlan(ROLE_LEADERSHIP, datasets=gold + audit)
    plan.roles[ROLE_ANALYST] = RolePlan(ROLE_ANALYST, datasets=gold, schemas=(ANALYST_SCHEMA,),
                                        permissions=ANALYST_PERMISSIONS)
    plan.roles[ROLE_TRACE] = RolePlan(ROLE_TRACE, datasets=restricted)
    for code in sorted(communes):
        role = commune_role(code)
        plan.roles[role] = RolePlan(role, datasets=gold)
        plan.rls[rls_name(code)] = RlsPlan(
            name=rls_name(code), role=role, datasets=gold,
            clause=f"{COMMUNE_COLUMN} = '{code}'",
            description=f"Công an {communes[code]} ({code}) chỉ xem số liệu của đơn vị mình")
    return plan


def managed(name: str) -> bool:
    return name.startswith("ANTT ")


# --------------------------------------------------------------------------- Superset side
def list_all(client: SupersetClient, path: str, page_size: int = 100) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    page = 0
    while True:
        body = client.get_json(f"{path}?q=(page:{page},page_size:{page_size})")
        batch = body.get("result") or []
        rows += batch
        if len(batch) < page_size or len(rows) >= int(body.get("count", len(rows))):
            return rows
        page += 1


@dataclass
class SyncReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    orphaned_users: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (f"{len(self.created)} created, {len(self.updated)} updated, "
                f"{len(self.deleted)} deleted")


class AccessSync:
    """Makes one Superset match an AccessPlan through its REST API (an admin client)."""

    def __init__(self, client: SupersetClient, log=print):
        self.c = client
        self.log = log
        self.c.csrf()

    # lookups
    def roles(self) -> dict[str, int]:
        return {r["name"]: int(r["id"]) for r in list_all(self.c, "/api/v1/security/roles/")}

    def permission_views(self) -> dict[tuple[str, str], int]:
        return {(p["permission"]["name"], p["view_menu"]["name"]): int(p["id"])
                for p in list_all(self.c, "/api/v1/security/permissions-resources/")}

    def datasets(self) -> dict[str, dict[str, Any]]:
        return {d["uuid"]: d for d in list_all(self.c, "/api/v1/dataset/")}

    def dataset_perm(self, dataset: dict[str, Any]) -> tuple[str, str]:
        return ("datasource_access",
                f"[{dataset['database']['database_name']}].[{dataset['table_name']}](id:{dataset['id']})")

    def apply(self, plan: AccessPlan) -> SyncReport:
        report = SyncReport()
        datasets = self.datasets()
        wanted = {u for r in plan.roles.values() for u in r.datasets}
        missing = sorted(wanted - datasets.keys())
        if missing:
            raise AccessError(f"datasets {missing} are not in Superset; import dashboards/ first "
                              "(make dashboards)")
        # Superset creates a schema's schema_access permission when it lists the database's
        # schemas (on import, or here). On a fresh stack gold did not exist at import time.
        for db_id in sorted({int(datasets[u]["database"]["id"]) for u in wanted}):
            self.c.request("POST", f"/api/v1/database/{db_id}/sync_permissions/", expected=(200, 202))
        pvms = self.permission_views()
        roles = self.roles()

        for name, rp in plan.roles.items():
            if name not in roles:
                roles[name] = int(self.c.post_json("/api/v1/security/roles/", {"name": name},
                                                   expected=(200, 201))["id"])
                report.created.append(f"role {name}")
            ids = set()
            for uuid in rp.datasets:
                key = self.dataset_perm(datasets[uuid])
                if key not in pvms:
                    raise AccessError(f"Superset has no permission {key}; re-run `superset init`")
                ids.add(pvms[key])
            for schema in rp.schemas:
                found = {i for (perm, view), i in pvms.items() if perm == "schema_access"
                         and schema_of_perm(view) == schema and _db_in(view, datasets, rp.datasets)}
                if not found:
                    raise AccessError(f"Superset has no schema_access permission for schema {schema}")
                ids |= found
            for key in rp.permissions:
                if key not in pvms:
                    raise AccessError(f"Superset has no permission {key[0]} on {key[1]}; re-run `superset init`")
                ids.add(pvms[key])
            current = {int(p["id"]) for p in
                       self.c.get_json(f"/api/v1/security/roles/{roles[name]}/permissions/")["result"]}
            if current != ids:
                self.c.post_json(f"/api/v1/security/roles/{roles[name]}/permissions",
                                 {"permission_view_menu_ids": sorted(ids)})
                if f"role {name}" not in report.created:
                    report.updated.append(f"role {name}")

        rules = {r["name"]: r for r in list_all(self.c, "/api/v1/rowlevelsecurity/")}
        for name, rule in plan.rls.items():
            body = {
                "name": name, "description": rule.description, "filter_type": "Regular",
                "tables": sorted(int(datasets[u]["id"]) for u in rule.datasets),
                "roles": [roles[rule.role]], "clause": rule.clause, "group_key": RLS_GROUP_KEY,
            }
            have = rules.get(name)
            if have is None:
                self.c.post_json("/api/v1/rowlevelsecurity/", body, expected=(200, 201))
                report.created.append(f"rls {name}")
            elif _rule_differs(have, body):
                self.c.request("PUT", f"/api/v1/rowlevelsecurity/{have['id']}", json=body)
                report.updated.append(f"rls {name}")

        # Remove what the plan no longer has (a commune that left the dimension).
        for name, rule in rules.items():
            if managed(name) and name not in plan.rls:
                self.c.request("DELETE", f"/api/v1/rowlevelsecurity/{rule['id']}")
                report.deleted.append(f"rls {name}")
        stale = {n: i for n, i in roles.items() if managed(n) and n not in plan.roles}
        if stale:
            for user in list_all(self.c, "/api/v1/security/users/"):
                held = {r["name"] for r in user.get("roles") or []}
                if held & stale.keys():
                    report.orphaned_users.append(f"{user['username']} ({', '.join(sorted(held & stale.keys()))})")
            for name, role_id in stale.items():
                self.c.request("DELETE", f"/api/v1/security/roles/{role_id}")
                report.deleted.append(f"role {name}")
        return report


def schema_of_perm(view: str) -> str | None:
    """'[db].[schema]' or '[db].[catalog].[schema]' → schema."""
    parts = re.findall(r"\[([^\]]*)\]", view)
    return parts[-1] if len(parts) in (2, 3) and not view.endswith(")") else None


def _db_in(view: str, datasets: dict[str, dict[str, Any]], uuids: Iterable[str]) -> bool:
    names = {datasets[u]["database"]["database_name"] for u in uuids}
    return any(view.startswith(f"[{n}].") for n in names)


def _rule_differs(have: dict[str, Any], body: dict[str, Any]) -> bool:
    return (have.get("clause") != body["clause"]
            or (have.get("description") or "") != body["description"]
            or have.get("group_key") != body["group_key"]
            or have.get("filter_type") != body["filter_type"]
            or sorted(int(t["id"]) for t in have.get("tables") or []) != body["tables"]
            or sorted(int(r["id"]) for r in have.get("roles") or []) != body["roles"])


# --------------------------------------------------------------------------- the unit dimension
def thrift_cursor():
    from pyhive import hive  # pipeline venv (dbt-spark[PyHive])

    host = os.environ.get("SPARK_THRIFT_HOST", "127.0.0.1")
    port = int(os.environ.get("SPARK_THRIFT_PORT", "10000"))
    return hive.connect(host=host, port=port, username="superset-access").cursor()


def read_communes() -> dict[str, str]:
    cursor = thrift_cursor()
    try:
        cursor.execute("SELECT commune_code, commune_name FROM gold.dim_commune")
        return {str(code): str(name) for code, name in cursor.fetchall()}
    except Exception as ex:  # pyhive raises its own OperationalError
        raise AccessError(f"cannot read gold.dim_commune through the Thrift server ({ex}); "
                          "build the gold marts first (make demo, or the gold_marts DAG)") from ex


def busiest_communes(n: int = 2) -> list[str]:
    """The n communes with the most cameras (ties by code): demo users who see data."""
    cursor = thrift_cursor()
    cursor.execute("SELECT commune_code, COUNT(*) AS cameras FROM gold.dim_camera "
                   "WHERE commune_code IS NOT NULL GROUP BY commune_code "
                   f"ORDER BY cameras DESC, commune_code LIMIT {int(n)}")
    return [str(code) for code, _ in cursor.fetchall()]


# --------------------------------------------------------------------------- demo users
@dataclass(frozen=True)
class DemoUser:
    username: str
    first_name: str
    last_name: str
    roles: tuple[str, ...]
    commune_code: str | None = None


def demo_users(communes: list[str], names: dict[str, str]) -> list[DemoUser]:
    users = [
        DemoUser("lanhdao", "Lãnh đạo", "Công an thành phố", (BUILTIN_BASE_ROLE, ROLE_LEADERSHIP)),
        DemoUser("phantich", "Phân tích viên", "Phòng Tham mưu",
                 (BUILTIN_BASE_ROLE, BUILTIN_SQL_LAB_ROLE, ROLE_ANALYST)),
        DemoUser("truyvet", "Điều tra viên", "Phòng Cảnh sát hình sự", (BUILTIN_BASE_ROLE, ROLE_TRACE)),
    ]
    for code in communes:
        users.append(DemoUser(f"xa_{code}", "Công an", names.get(code, code),
                              (BUILTIN_BASE_ROLE, commune_role(code)), commune_code=code))
    return users


def users_file() -> Path:
    var = Path(os.environ.get("ANTT_VAR_DIR", ROOT / "var"))
    return var / "superset_demo_users.json"


def ensure_demo_users(client: SupersetClient, users: list[DemoUser], path: Path,
                      log=print) -> list[dict[str, Any]]:
    """Create (or re-role) the demo users; passwords are generated once and kept in `path`
    (mode 600). A user whose password is not in the file gets a new one."""
    known = {}
    if path.is_file():
        known = {u["username"]: u for u in json.loads(path.read_text(encoding="utf-8"))}
    client.csrf()
    role_ids = {r["name"]: int(r["id"]) for r in list_all(client, "/api/v1/security/roles/")}
    existing = {u["username"]: u for u in list_all(client, "/api/v1/security/users/")}
    out = []
    for user in users:
        missing = [r for r in user.roles if r not in role_ids]
        if missing:
            raise AccessError(f"user {user.username}: roles {missing} do not exist; run `sync` first")
        password = (known.get(user.username) or {}).get("password")
        body = {"first_name": user.first_name, "last_name": user.last_name,
                "email": f"{user.username}@antt.local", "active": True,
                "roles": [role_ids[r] for r in user.roles]}
        have = existing.get(user.username)
        if have is None:
            password = password or secrets.token_urlsafe(18)
            client.post_json("/api/v1/security/users/", {**body, "username": user.username,
                                                         "password": password}, expected=(200, 201))
            log(f"  user {user.username}: created ({', '.join(user.roles)})")
        else:
            update = dict(body)
            if not password:
                password = secrets.token_urlsafe(18)
                update["password"] = password
            client.request("PUT", f"/api/v1/security/users/{have['id']}", json=update)
            log(f"  user {user.username}: roles set ({', '.join(user.roles)})"
                + ("; new password" if "password" in update else ""))
        out.append({"username": user.username, "password": password, "roles": list(user.roles),
                    "commune_code": user.commune_code})
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.touch(mode=0o600)
    os.chmod(tmp, 0o600)
    tmp.write_text(json.dumps(out, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    tmp.replace(path)
    return out


# --------------------------------------------------------------------------- CLI
def admin_client() -> SupersetClient:
    password = os.environ.get("SUPERSET_ADMIN_PASSWORD", "")
    if not password:
        raise AccessError("SUPERSET_ADMIN_PASSWORD is not set (var/secrets.env; `source infra/env.sh`)")
    url = os.environ.get("SUPERSET_URL") or f"http://127.0.0.1:{os.environ.get('SUPERSET_PORT', '8088')}"
    return login(url, "admin", password)


def sync(log=print, communes: dict[str, str] | None = None) -> SyncReport:
    communes = communes if communes is not None else read_communes()
    plan = plan_access(communes, load_dataset_specs())
    log(f"superset access: {len(communes)} communes, {len(plan.roles)} roles, "
        f"{len(plan.rls)} row-level security rules")
    report = AccessSync(admin_client(), log=log).apply(plan)
    log(f"superset access: {report.summary()}")
    for item in report.deleted:
        log(f"  deleted {item}")
    for user in report.orphaned_users:
        log(f"  WARNING: user {user} lost a commune role that left gold.dim_commune; "
            "they see no data until given a current one")
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m antt.superset_access",
                                     description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("sync", help="roles and row-level security from gold.dim_commune")
    users = sub.add_parser("demo-users", help="sync, then demo users with generated passwords")
    users.add_argument("--communes", help="two commune codes (default: the two with most cameras)")
    args = parser.parse_args(argv)
    try:
        names = read_communes()
        sync(communes=names)
        if args.command == "demo-users":
            codes = args.communes.split(",") if args.communes else busiest_communes(2)
            unknown = [c for c in codes if c not in names]
            if unknown:
                raise AccessError(f"--communes: {unknown} not in gold.dim_commune")
            path = users_file()
            ensure_demo_users(admin_client(), demo_users(codes, names), path)
            print(f"superset access: demo users and passwords in {path} (mode 600, not in git)")
    except (AccessError, SupersetError) as ex:
        print(f"superset access: LỖI / ERROR: {ex}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
