"""Static checks of the Superset dashboards-as-code bundle (dashboards/assets/).

No Superset needed: these read the YAML and check the links and rules that a
Superset import would otherwise only reveal at run time.
"""

from __future__ import annotations

import json
import re
import uuid
from pathlib import Path

import pytest
import yaml

from antt import superset_api

ASSETS = Path(__file__).resolve().parents[2] / "dashboards" / "assets"

# Letters that only Vietnamese text has (lower and upper case): đ, ơ, ư and the
# vowels with tone marks. ASCII-only titles fail.
VIETNAMESE_LETTERS = re.compile(
    "[đĐơƠưƯăĂâÂêÊôÔ"
    "àáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ"
    "ÀÁẢÃẠẰẮẲẴẶẦẤẨẪẬÈÉẺẼẸỀẾỂỄỆÌÍỈĨỊÒÓỎÕỌỒỐỔỖỘỜỚỞỠỢÙÚỦŨỤỪỨỬỮỰỲÝỶỸỴ]"
)


def _load(kind: str) -> dict[str, dict]:
    files = sorted((ASSETS / kind).rglob("*.yaml"))
    return {f.relative_to(ASSETS).as_posix(): yaml.safe_load(f.read_text("utf-8")) for f in files}


@pytest.fixture(scope="module")
def databases() -> dict[str, dict]:
    return _load("databases")


@pytest.fixture(scope="module")
def datasets() -> dict[str, dict]:
    return _load("datasets")


@pytest.fixture(scope="module")
def charts() -> dict[str, dict]:
    return _load("charts")


@pytest.fixture(scope="module")
def dashboards() -> dict[str, dict]:
    return _load("dashboards")


def _dashboard_chart_uuids(dashboard: dict) -> set[str]:
    return {
        node["meta"]["uuid"]
        for node in dashboard["position"].values()
        if isinstance(node, dict) and node.get("type") == "CHART"
    }


def test_bundle_layout(databases, datasets, charts, dashboards):
    metadata = yaml.safe_load((ASSETS / "metadata.yaml").read_text("utf-8"))
    assert metadata["version"] == "1.0.0"
    assert databases and datasets and charts and dashboards
    seen: dict[str, str] = {}
    for group in (databases, datasets, charts, dashboards):
        for name, config in group.items():
            assert config["version"] == "1.0.0", name
            uid = str(uuid.UUID(config["uuid"]))
            assert uid not in seen, f"{name} reuses the uuid of {seen.get(uid)}"
            seen[uid] = name


def test_datasets_point_at_a_database(databases, datasets):
    database_uuids = {c["uuid"] for c in databases.values()}
    for name, dataset in datasets.items():
        assert dataset["database_uuid"] in database_uuids, name


def test_charts_point_at_a_dataset(datasets, charts):
    dataset_uuids = {d["uuid"] for d in datasets.values()}
    for name, chart in charts.items():
        assert chart["dataset_uuid"] in dataset_uuids, name


def test_dashboard_charts_exist(charts, dashboards):
    chart_uuids = {c["uuid"] for c in charts.values()}
    for name, dashboard in dashboards.items():
        used = _dashboard_chart_uuids(dashboard)
        assert used, f"{name} shows no chart"
        assert used <= chart_uuids, f"{name}: unknown chart uuids {used - chart_uuids}"


def _dashboard_schemas(dashboard: dict, charts: dict, datasets: dict) -> set[str]:
    by_uuid = {c["uuid"]: c for c in charts.values()}
    schema_of = {d["uuid"]: d["schema"] for d in datasets.values()}
    return {schema_of[by_uuid[u]["dataset_uuid"]] for u in _dashboard_chart_uuids(dashboard)}


def test_native_filters_target_known_datasets_and_columns(datasets, charts, dashboards):
    columns = {d["uuid"]: {c["column_name"] for c in d["columns"]} for d in datasets.values()}
    for name, dashboard in dashboards.items():
        filters = dashboard["metadata"].get("native_filter_configuration", [])
        kinds = {f["filterType"] for f in filters}
        # every gold dashboard filters by date range and commune; the trace (one plate per
        # purpose-bound lookup) and its audit are not per commune
        if _dashboard_schemas(dashboard, charts, datasets) == {"gold"}:
            assert {"filter_time", "filter_select"} <= kinds, name
        for flt in filters:
            assert VIETNAMESE_LETTERS.search(flt["name"]), flt["name"]
            for target in flt["targets"]:
                if "datasetUuid" in target:
                    assert target["datasetUuid"] in columns, flt["id"]
                    assert target["column"]["name"] in columns[target["datasetUuid"]], flt["id"]


def test_titles_are_vietnamese(datasets, charts, dashboards):
    for name, chart in charts.items():
        assert VIETNAMESE_LETTERS.search(chart["slice_name"]), name
    for name, dashboard in dashboards.items():
        assert VIETNAMESE_LETTERS.search(dashboard["dashboard_title"]), name
    for name, dataset in datasets.items():
        for item in dataset["columns"] + dataset["metrics"]:
            assert VIETNAMESE_LETTERS.search(item["verbose_name"] or ""), (name, item)


def test_violation_codes_have_vietnamese_labels(datasets):
    dataset = next(d for d in datasets.values() if d["table_name"] == "mart_violations_commune_daily")
    expression = {c["column_name"]: c["expression"] for c in dataset["columns"]}["violation_type_vi"]
    labels = {
        "RED_LIGHT": "Vượt đèn đỏ",
        "SPEEDING": "Chạy quá tốc độ",
        "WRONG_LANE": "Đi sai làn",
        "WRONG_WAY": "Đi ngược chiều",
        "NO_HELMET": "Không đội mũ bảo hiểm",
        "ILLEGAL_PARKING": "Dừng, đỗ sai quy định",
    }
    for code, label in labels.items():
        assert f"WHEN '{code}' THEN '{label}'" in expression


def test_no_password_anywhere():
    for path in sorted(ASSETS.rglob("*.yaml")):
        text = path.read_text("utf-8")
        assert not re.search(r"^\s*password\s*:", text, re.M | re.I), path
        # no credentials in any URI (scheme://user:secret@host)
        assert not re.search(r"://[^/\s:@]+:[^@\s/]+@", text), path


def test_databases_are_read_only_and_only_gold_is_in_sqllab(databases):
    kinds = {}
    for name, database in databases.items():
        assert database["allow_dml"] is False, name
        hive = database["sqlalchemy_uri"].startswith("hive://")
        assert database["expose_in_sqllab"] is hive, name
        kinds[name] = database["sqlalchemy_uri"].split("://")[0]
    assert kinds == {"databases/antt_gold.yaml": "hive",
                     "databases/antt_audit.yaml": "postgresql+psycopg2"}
    assert "audit_reader@" in databases["databases/antt_audit.yaml"]["sqlalchemy_uri"]


def test_every_trace_query_goes_through_the_audit_macro(datasets):
    """Anything over the restricted schema is the purpose-bound virtual dataset, never cached."""
    for name, dataset in datasets.items():
        if dataset["schema"] == "restricted" or "restricted." in (dataset.get("sql") or ""):
            assert dataset["schema"] == "restricted", name
            assert "truy_vet(url_param('bien_so'), url_param('ly_do'), url_param('so_ho_so'))" in dataset["sql"], name
            assert dataset["cache_timeout"] == -1, name
    assert any(d["schema"] == "restricted" for d in datasets.values())


def test_charts_carry_a_query_context_for_their_dataset(charts):
    for name, chart in charts.items():
        context = json.loads(chart["query_context"])
        assert context["queries"], name
        assert context["form_data"]["viz_type"] == chart["viz_type"], name


def test_client_constants_match_the_bundle(charts, dashboards):
    by_uuid = {c["uuid"]: c for c in charts.values()}
    big_number = by_uuid[superset_api.TOTAL_VIOLATIONS_CHART_UUID]
    assert big_number["viz_type"] == "big_number_total"
    assert big_number["slice_name"] == "Tổng số vi phạm"
    assert big_number["params"]["metric"] == "tong_vi_pham"
    slugs = {d["slug"]: d for d in dashboards.values()}
    dashboard = slugs[superset_api.DASHBOARD_SLUG]
    assert dashboard["uuid"] == superset_api.DASHBOARD_UUID
    assert superset_api.TOTAL_VIOLATIONS_CHART_UUID in _dashboard_chart_uuids(dashboard)


def test_time_range_is_applied_to_the_saved_filter(charts):
    by_uuid = {c["uuid"]: c for c in charts.values()}
    context = json.loads(by_uuid[superset_api.TOTAL_VIOLATIONS_CHART_UUID]["query_context"])
    changed = superset_api.with_time_range(context, "2024-06-03 : 2024-06-04")
    filters = [f for f in changed["queries"][0]["filters"] if f["op"] == "TEMPORAL_RANGE"]
    assert filters == [{"col": "event_date", "op": "TEMPORAL_RANGE", "val": "2024-06-03 : 2024-06-04"}]
    assert superset_api.with_time_range(context, None) == context
