"""Small Superset 6 REST client for tests and the demo (needs only `requests`).

    client = login("http://127.0.0.1:8088", "admin", password)
    total = client.big_number_total()                       # whole history
    day = client.big_number_total(time_range="2024-06-03 : 2024-06-04")

Facts this relies on (Superset 6.1):
- POST /api/v1/security/login {"username", "password", "provider": "db",
  "refresh": true} returns {"access_token", "refresh_token"}; every /api/v1
  call then takes "Authorization: Bearer <access_token>" (no cookie needed).
- POST /api/v1/chart/data is in Superset's WTF_CSRF_EXEMPT_LIST, so the bearer
  token is enough. Other POST/PUT/DELETE calls also need the header
  "X-CSRFToken" from GET /api/v1/security/csrf_token/ together with the session
  cookie that call sets; `SupersetClient.csrf()` does both.
- GET /api/v1/chart/<id or uuid> returns the chart with its saved
  `query_context` (a JSON string); the dashboards in dashboards/assets/ all
  carry one.
- A time range is a TEMPORAL_RANGE filter, "start : end", start inclusive and
  end exclusive ("2024-06-03 : 2024-06-04" is the single day 3 June 2024).
"""

from __future__ import annotations

import copy
import json
import time
from typing import Any

import requests

# The Big Number chart "Tổng số vi phạm" (dashboards/assets/charts/tong_so_vi_pham.yaml).
TOTAL_VIOLATIONS_CHART_UUID = "69ccf5a9-d131-4fa8-ba21-44bc0671c3f7"
DASHBOARD_SLUG = "vi-pham-giao-thong"
DASHBOARD_UUID = "2ff54021-01bd-4de5-bed1-163955deb591"
TIME_COLUMN = "event_date"

DEFAULT_TIMEOUT = 120.0


class SupersetError(RuntimeError):
    """A Superset call failed; the message names the URL and HTTP status."""

    def __init__(self, message: str, url: str = "", status: int | None = None):
        super().__init__(message)
        self.url = url
        self.status = status


def _describe(response: requests.Response) -> str:
    text = response.text or ""
    try:
        body = response.json()
        text = body.get("message") or body.get("msg") or body.get("errors") or body
        text = json.dumps(text, ensure_ascii=False) if not isinstance(text, str) else text
    except ValueError:
        pass
    return text.strip().replace("\n", " ")[:500]


class SupersetClient:
    """A logged-in session (bearer token) against one Superset."""

    def __init__(self, base_url: str, access_token: str | None = None,
                 timeout: float = DEFAULT_TIMEOUT,
                 session: requests.Session | None = None):
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.session = session or requests.Session()
        self.session.headers.setdefault("Accept", "application/json")
        if access_token:
            self.session.headers["Authorization"] = f"Bearer {access_token}"
        self._chart_ids: dict[str, int] = {}

    # -- plumbing ---------------------------------------------------------
    def url(self, path: str) -> str:
        return f"{self.base_url}/{path.lstrip('/')}"

    def request(self, method: str, path: str, expected: tuple[int, ...] = (200,),
                **kwargs: Any) -> requests.Response:
        url = self.url(path)
        kwargs.setdefault("timeout", self.timeout)
        try:
            response = self.session.request(method, url, **kwargs)
        except requests.RequestException as ex:
            raise SupersetError(f"{method} {url} failed: {ex}", url=url) from ex
        if response.status_code not in expected:
            raise SupersetError(
                f"{method} {url} returned HTTP {response.status_code}: {_describe(response)}",
                url=url, status=response.status_code,
            )
        return response

    def get_json(self, path: str, **kwargs: Any) -> Any:
        return self.request("GET", path, **kwargs).json()

    def post_json(self, path: str, payload: Any, **kwargs: Any) -> Any:
        return self.request("POST", path, json=payload, **kwargs).json()

    def login(self, username: str, password: str, provider: str = "db") -> "SupersetClient":
        body = self.post_json("/api/v1/security/login", {
            "username": username, "password": password,
            "provider": provider, "refresh": True,
        })
        token = body.get("access_token")
        if not token:
            raise SupersetError(f"POST {self.url('/api/v1/security/login')} returned no access_token",
                                url=self.url("/api/v1/security/login"))
        self.session.headers["Authorization"] = f"Bearer {token}"
        return self

    def csrf(self) -> str:
        """Fetch a CSRF token and send it on every later request (for POST/PUT/DELETE
        endpoints other than chart data). The session cookie it needs is kept
        by the requests.Session."""
        token = self.get_json("/api/v1/security/csrf_token/")["result"]
        self.session.headers["X-CSRFToken"] = token
        self.session.headers.setdefault("Referer", self.base_url + "/")
        return token

    # -- charts -----------------------------------------------------------
    def chart(self, id_or_uuid: int | str) -> dict[str, Any]:
        return self.get_json(f"/api/v1/chart/{id_or_uuid}")["result"]

    def chart_id(self, uuid: str) -> int:
        """Numeric id of the chart with this UUID (ids differ per installation)."""
        if uuid not in self._chart_ids:
            self._chart_ids[uuid] = int(self.chart(uuid)["id"])
        return self._chart_ids[uuid]

    def saved_query_context(self, chart_uuid: str) -> dict[str, Any]:
        chart = self.chart(chart_uuid)
        raw = chart.get("query_context")
        if not raw:
            raise SupersetError(
                f"chart {chart_uuid} ({chart.get('slice_name')!r}) has no saved query_context; "
                "re-import dashboards/ (dashboards/import_dashboards.py)",
                url=self.url(f"/api/v1/chart/{chart_uuid}"),
            )
        return json.loads(raw)

    def chart_data(self, query_context: dict[str, Any]) -> dict[str, Any]:
        """POST /api/v1/chart/data; returns the JSON body (with "result": [...])."""
        return self.post_json("/api/v1/chart/data", query_context)

    def big_number_total(self, chart_uuid: str = TOTAL_VIOLATIONS_CHART_UUID,
                         time_range: str | None = None, force: bool = True) -> float | int | None:
        """The number a Big Number (total) chart shows, via the chart-data API.

        time_range: Superset time range on the chart's time column, e.g.
        "2024-06-03 : 2024-06-04" (end exclusive) or "Last week"; None = no filter.
        force: bypass Superset's cache (the default), so the value is fresh.
        """
        context = with_time_range(self.saved_query_context(chart_uuid), time_range)
        context["force"] = bool(force)
        body = self.chart_data(context)
        try:
            query = body["result"][0]
            metric = _metric_label(context["queries"][0]["metrics"][0])
            rows = query["data"]
        except (KeyError, IndexError, TypeError) as ex:
            raise SupersetError(f"unexpected chart-data response for chart {chart_uuid}: "
                                f"{json.dumps(body, ensure_ascii=False)[:500]}") from ex
        if query.get("error"):
            raise SupersetError(f"chart {chart_uuid}: query failed: {query['error']}")
        if not rows:
            return None
        value = rows[0].get(metric)
        if value is None and len(rows[0]) == 1:
            value = next(iter(rows[0].values()))
        return value

    # -- dashboards -------------------------------------------------------
    def dashboard(self, id_or_slug: int | str) -> dict[str, Any]:
        return self.get_json(f"/api/v1/dashboard/{id_or_slug}")["result"]

    def dashboard_url(self, slug: str = DASHBOARD_SLUG) -> str:
        return dashboard_url(self.base_url, slug)


def _metric_label(metric: Any) -> str:
    if isinstance(metric, str):
        return metric
    return metric.get("label") or metric.get("sqlExpression") or str(metric)


def with_time_range(query_context: dict[str, Any], time_range: str | None,
                    column: str = TIME_COLUMN) -> dict[str, Any]:
    """Copy of query_context whose queries filter `column` to time_range.

    Replaces the value of an existing TEMPORAL_RANGE filter on that column or
    adds one; time_range=None leaves the saved filters unchanged.
    """
    context = copy.deepcopy(query_context)
    if time_range is None:
        return context
    for query in context.get("queries", []):
        filters = query.setdefault("filters", [])
        for flt in filters:
            if flt.get("op") == "TEMPORAL_RANGE" and flt.get("col") == column:
                flt["val"] = time_range
                break
        else:
            filters.append({"col": column, "op": "TEMPORAL_RANGE", "val": time_range})
    form_data = context.get("form_data")
    if isinstance(form_data, dict):
        for flt in form_data.get("adhoc_filters", []):
            if flt.get("operator") == "TEMPORAL_RANGE" and flt.get("subject") == column:
                flt["comparator"] = time_range
    return context


def login(base_url: str, username: str, password: str, provider: str = "db",
          timeout: float = DEFAULT_TIMEOUT) -> SupersetClient:
    """Log in with /api/v1/security/login and return a client carrying the bearer token."""
    return SupersetClient(base_url, timeout=timeout).login(username, password, provider)


def dashboard_url(base_url: str, slug: str = DASHBOARD_SLUG) -> str:
    return f"{base_url.rstrip('/')}/superset/dashboard/{slug}/"


def wait_healthy(base_url: str, timeout: float = 120.0, interval: float = 1.0) -> None:
    """Wait until GET <base_url>/health answers 200 "OK"; raise SupersetError on timeout."""
    url = f"{base_url.rstrip('/')}/health"
    deadline = time.monotonic() + timeout
    last = "no answer"
    while True:
        try:
            response = requests.get(url, timeout=min(10.0, max(timeout, 1.0)))
            if response.status_code == 200:
                return
            last = f"HTTP {response.status_code}: {_describe(response)}"
        except requests.RequestException as ex:
            last = str(ex)
        if time.monotonic() >= deadline:
            raise SupersetError(f"GET {url} not healthy after {timeout:.0f} s ({last})", url=url)
        time.sleep(interval)
