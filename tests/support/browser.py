"""Superset in a real headless Chromium (Debian's /usr/bin/chromium driven by Playwright;
no browser is downloaded). Screenshots go to test-artifacts/screenshots/ (kept by CI)."""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
CHROMIUM = os.environ.get("ANTT_CHROMIUM", "/usr/bin/chromium")

# Every chart box of a dashboard is done when it shows its chart or an error.
_ALL_CHARTS_DONE = """() => {
  const boxes = Array.from(document.querySelectorAll('[data-test="chart-grid-component"]'));
  return boxes.length > 0 && boxes.every(b =>
    !b.querySelector('[data-test="loading-indicator"]') &&
    (b.querySelector('[data-test="slice-container"]') || b.querySelector('[role="alert"]')));
}"""

_CHART_STATES = """() => Array.from(document.querySelectorAll('[data-test="chart-grid-component"]')).map(b => {
  const title = b.querySelector('[data-test="editable-title"], [data-test="slice-header"]');
  const alert = b.querySelector('[role="alert"]');
  const body = b.querySelector('[data-test="slice-container"]');
  return {title: title ? title.innerText.trim() : '',
          error: alert ? alert.innerText.trim() : null,
          text: body ? body.innerText.trim() : '',
          drawn: !!(body && body.querySelector('svg, canvas, .header-line, table'))};
})"""


@dataclass(frozen=True)
class ChartState:
    title: str
    error: str | None
    text: str
    drawn: bool


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
    page.goto(f"{base_url}/login/")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url, timeout=timeout_ms)
    return page


def open_dashboard(page, base_url: str, slug: str, shot: str, params: dict | None = None,
                   timeout_ms: int = 180_000) -> DashboardView:
    """Open a dashboard (with URL parameters, which Superset passes to its charts as
    url_params), wait until every chart has drawn or failed, screenshot it."""
    from urllib.parse import urlencode

    bodies: list = []

    def keep(response):
        if "/api/v1/chart/data" in response.url and response.request.method == "POST":
            try:
                bodies.append(response.json())
            except Exception:  # an error page; the chart shows the error
                pass

    page.on("response", keep)
    page.goto(f"{base_url}/superset/dashboard/{slug}/" + (f"?{urlencode(params)}" if params else ""))
    try:
        page.wait_for_function(_ALL_CHARTS_DONE, timeout=timeout_ms)
        page.wait_for_load_state("networkidle", timeout=timeout_ms)
        page.wait_for_function(_ALL_CHARTS_DONE, timeout=timeout_ms)
        page.wait_for_timeout(500)   # let the last chart finish its animation
    finally:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{shot}.png"), full_page=True)
        page.remove_listener("response", keep)
    rows = [row for body in bodies for result in body.get("result") or []
            for row in result.get("data") or [] if isinstance(row, dict)]
    return DashboardView([ChartState(**s) for s in page.evaluate(_CHART_STATES)], rows)


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
