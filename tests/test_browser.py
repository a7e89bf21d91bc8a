"""`dxplan serve` in a real browser: the command runs as a subprocess on a free port and
Debian's Chromium, driven by Playwright, reads the pages a reviewer would.

Screenshots go to outputs/browser/ (kept by CI). Chromium is required: without
/usr/bin/chromium the test fails rather than skips, so a missing browser is noticed.
"""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from test_serve import build_corpus

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
SHOTS = ROOT / "outputs" / "browser"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_until_up(url: str, proc: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"dxplan serve exited with {proc.returncode}: {proc.stderr.read()}")
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"dxplan serve did not answer at {url} within {seconds:.0f} s")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    db = build_corpus(tmp_path_factory.mktemp("browser"))
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "corpus.cli", "serve", "--db", str(db), "--port", str(port)],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(url + "/", proc)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


MISSING_BROWSER = (f"{CHROMIUM} is missing: install Debian's chromium package (apt-get install chromium) "
                   "to run the browser tests")


def test_chromium_is_installed():
    assert CHROMIUM.exists(), MISSING_BROWSER


@pytest.fixture(scope="module")
def page(server):
    if not CHROMIUM.exists():
        pytest.fail(MISSING_BROWSER)
    from playwright.sync_api import sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="vi-VN")
        pg = context.new_page()
        pg.set_default_timeout(15_000)
        yield pg
        context.close()
        browser.close()


def test_home_page_shows_the_issuers(page, server):
    page.goto(server + "/")
    table = page.locator("table.dxplan-plans")
    for issuer in ("Quảng Trị", "Tuyên Quang"):
        assert table.get_by_role("link", name=issuer).first.is_visible()
    assert page.get_by_role("heading", name="Các kế hoạch đã nạp").is_visible()
    assert table.locator("tbody tr").count() == 3
    page.screenshot(path=str(SHOTS / "serve-home.png"), full_page=True)


def test_canned_query_shows_commitment_below_floor(page, server):
    page.goto(server + "/")
    page.get_by_role("link", name="Cam kết theo chỉ tiêu", exact=True).click()
    page.wait_for_url(re.compile(r"/corpus/cam_ket_theo_chi_tieu"))
    field = page.get_by_label("Chỉ tiêu (số 1–22", exact=False)
    field.fill("2")
    page.get_by_role("button", name="Chạy").click()
    page.wait_for_url(re.compile(r"indicator=2"))
    rows = page.locator("table.rows-and-columns tbody tr")
    assert rows.count() == 2
    tq = rows.filter(has_text="Tuyên Quang")
    assert tq.locator("td.col-value").inner_text().strip() == "50.0"
    assert tq.locator("td.col-floor").inner_text().strip() == "60.0"
    assert "thấp hơn mức sàn" in tq.locator("td.col-meets_floor").inner_text()


def test_search_without_accents_highlights_and_links_to_the_page(page, server):
    page.goto(server + "/")
    page.fill("#dxplan-q", "dinh danh")
    page.press("#dxplan-q", "Enter")
    page.wait_for_url(re.compile(r"/corpus/tim_kiem_toan_van\?q=dinh"))
    marks = page.locator("table.rows-and-columns td.col-snippet mark")
    assert marks.count() >= 1
    assert {m.lower() for m in marks.all_inner_texts()} == {"định danh"}
    page.screenshot(path=str(SHOTS / "serve-search.png"), full_page=True)

    link = page.locator("table.rows-and-columns td.col-page a").first
    href = link.get_attribute("href")
    assert re.fullmatch(r"/-/dxplan/document/\d+#page=2", href), href
    with page.expect_response(lambda r: "/-/dxplan/document/" in r.url) as info:
        link.click()
    response = info.value
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"  # Chromium opens it in its PDF viewer
    assert response.headers["content-disposition"].startswith("inline")
    page.wait_for_url(re.compile(r"/-/dxplan/document/\d+#page=2$"))
