"""Superset in a real headless Chromium (Debian's /usr/bin/chromium driven by Playwright;
no browser is downloaded). Screenshots go to test-artifacts/screenshots/ (kept by CI)."""
from __future__ import annotations

import os
import re
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode, urlparse

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
CHROMIUM = os.environ.get("ANTT_CHROMIUM", "/usr/bin/chromium")

# A dashboard is drawn when it holds the number of chart boxes its YAML has, every one
# shows its chart or an error, and that has held for `steady` ms. Superset 6 unmounts
# and remounts the whole grid once, ≈ 1.5 s after it first draws (seen in the browser:
# boxes 5 → 0 → 5 within 0.4 s, after the native-filter state is saved in the URL); a
# test that looks in that gap sees an empty dashboard although the user sees it whole.
_DRAWN = """([expected, steady]) => {
  const boxes = Array.from(document.querySelectorAll('[data-test="chart-grid-component"]'));
  const done = boxes.length === expected && boxes.every(b =>
    !b.querySelector('[data-test="loading-indicator"]') &&
    (b.querySelector('[data-test="slice-container"]') || b.querySelector('[role="alert"]')));
  const now = performance.now();
  if (!done) { window.__anttDrawnSince = null; return false; }
  window.__anttDrawnSince = window.__anttDrawnSince || now;
  return now - window.__anttDrawnSince >= steady;
}"""

_CHART_STATES = """() => Array.from(document.querySelectorAll('[data-test="chart-grid-component"]')).map(b => {
  const title = b.querySelector('[data-test="editable-title"], [data-test="slice-header"]');
  const alert = b.querySelector('[role="alert"]');
  const body = b.querySelector('[data-test="slice-container"]');
  return {title: title ? title.innerText.trim() : '',
          error: alert ? alert.innerText.trim() : null,
          text: body ? body.innerText.trim() : '',
          drawn: !!(body && body.querySelector('svg, canvas, .header-line, table')),
          loading: !!b.querySelector('[data-test="loading-indicator"]')};
})"""


@dataclass(frozen=True)
class ChartState:
    title: str
    error: str | None
    text: str
    drawn: bool
    loading: bool


@dataclass
class DashboardView:
    charts: list[ChartState]
    # every row of every chart-data answer the page received (charts and native filters);
    # ECharts draws on a canvas, so this is how a test reads what the page shows
    rows: list[dict]


def launch(playwright):
    if not Path(CHROMIUM).exists():
        raise RuntimeError(f"{CHROMIUM} not found: `make setup` installs Debian's chromium")
    return playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])


def log_in(browser, base_url: str, username: str, password: str, timeout_ms: int = 60_000):
    """A new browser context logged in through Superset's login form; returns its page."""
    context = browser.new_context(viewport={"width": 1440, "height": 1000}, locale="vi-VN",
                                  timezone_id="Asia/Ho_Chi_Minh")
    page = context.new_page()
    # every request of this context that went out to another host than Superset's (none
    # may: superset_config's content policy keeps pages on the police network; a request
    # the policy blocks fails with "csp" without leaving the browser)
    page.outside_requests = []
    here = urlparse(base_url).hostname

    def went_out(request):
        url = urlparse(request.url)
        if url.scheme in ("http", "https", "ws", "wss") and url.hostname != here \
                and "csp" not in (request.failure or ""):
            page.outside_requests.append(request.url)

    context.on("requestfinished", went_out)
    context.on("requestfailed", went_out)
    # the last responses of Superset, to explain a page that ends on the login form
    page.recent_responses = []

    def answered(response):
        path = urlparse(response.url).path
        if not path.startswith("/static/"):
            page.recent_responses = (page.recent_responses + [
                f"{response.request.method} {path} {response.status}"])[-40:]

    context.on("response", answered)
    page.goto(f"{base_url}/login/")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url, timeout=timeout_ms)
    return page


def open_dashboard(page, base_url: str, slug: str, shot: str, params: dict | None = None,
                   timeout_ms: int = 180_000, steady_ms: int = 2_000) -> DashboardView:
    """Open a dashboard (with URL parameters, which Superset passes to its charts as
    url_params), wait until all of its charts (as many as dashboards/assets says) have
    drawn or failed and stay so with the network idle, screenshot it."""
    from antt.superset_access import load_dashboard_specs
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    expected = {d.slug: d.charts for d in load_dashboard_specs()}[slug]
    bodies: list = []

    def keep(response):
        if "/api/v1/chart/data" in response.url and response.request.method == "POST":
            try:
                bodies.append(response.json())
            except Exception:  # an error page; the chart shows the error
                pass

    # chart-data requests sent and not yet answered (slice id, seconds since sent): a chart
    # that never draws is explained by its request still hanging or by what it answered
    pending: dict = {}

    def sent(request):
        if "/api/v1/chart/data" in request.url and request.method == "POST":
            try:
                slice_id = (request.post_data_json or {}).get("form_data", {}).get("slice_id")
            except Exception:
                slice_id = None
            pending[request] = (slice_id, time.monotonic())

    def ended(request):
        pending.pop(request, None)

    page.on("request", sent)
    page.on("requestfinished", ended)
    page.on("requestfailed", ended)
    page.on("response", keep)
    page.goto(f"{base_url}/superset/dashboard/{slug}/" + (f"?{urlencode(params)}" if params else ""))

    def drawn(steady: int):
        page.evaluate("() => { window.__anttDrawnSince = null; }")
        try:
            page.wait_for_function(_DRAWN, arg=[expected, steady], polling=100, timeout=timeout_ms)
        except PlaywrightTimeout:
            states = page.evaluate(_CHART_STATES)
            why = ""
            if "/login" in page.url:   # the session was lost: which cookies are left, what answered
                cookies = sorted(c["name"] for c in page.context.cookies())
                why = (f"; on the login form, cookies {cookies}, last responses "
                       f"{getattr(page, 'recent_responses', [])}")
            now = time.monotonic()
            hanging = [f"slice {sid} for {now - t0:.0f} s" for sid, t0 in pending.values()]
            raise AssertionError(f"{slug}: {expected} charts expected; after {timeout_ms / 1000:.0f} s "
                                 f"{page.url} shows {len(states)}: {states}{why}; chart-data "
                                 f"requests unanswered: {hanging or 'none'}") from None

    try:
        for _ in range(3):
            drawn(steady_ms)        # long enough to outlast the remount
            page.wait_for_load_state("networkidle", timeout=timeout_ms)
            drawn(steady_ms // 4)   # the remount is behind us: a short check
            states = page.evaluate(_CHART_STATES)
            if len(states) == expected:   # else the grid was remounting right then: again
                break
    finally:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{shot}.png"), full_page=True)
        page.remove_listener("response", keep)
        for event, handler in (("request", sent), ("requestfinished", ended), ("requestfailed", ended)):
            page.remove_listener(event, handler)
    rows = [row for body in bodies for result in body.get("result") or []
            for row in result.get("data") or [] if isinstance(row, dict)]
    return DashboardView([ChartState(**s) for s in states], rows)


_NO_DATA = ("No data", "No results", "Không có dữ liệu")


def vietnamese_int(text: str, default: int | None = None) -> int:
    """'1.234' (Vietnamese thousands separator) → 1234; the first number in the text.
    A chart that says it has no data gives `default` (when one is given)."""
    m = re.search(r"\d{1,3}(?:\.\d{3})+|\d+", text)
    if not m:
        if default is not None and any(s in text for s in _NO_DATA):
            return default
        raise ValueError(f"no number in {text!r}")
    return int(m.group(0).replace(".", ""))
