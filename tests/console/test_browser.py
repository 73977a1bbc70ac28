"""The console in a real headless Chromium (Debian's chromium + chromium-driver, driven by
Selenium; no browser is downloaded). One counselor's morning, end to end, with screenshots of the
main pages written to var/screenshots/ (or $RECO_SCREENSHOT_DIR) for review: not committed.

Skipped only where the distribution's chromedriver is missing and this is not CI; in CI
(``CI=true``), ``.ci/run`` installs it and a missing driver fails the run.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from flask import Flask
from werkzeug.serving import make_server

from tests.api.test_workers_api import ID_A, ID_B
from tests.console.conftest import PASSWORD, Accounts
from tests.console.test_console import register

CHROMEDRIVER = "/usr/bin/chromedriver"
CHROMIUM = "/usr/bin/chromium"
REPO = Path(__file__).resolve().parents[2]
TODAY = date(2026, 11, 29)

pytestmark = pytest.mark.slow

if not (Path(CHROMEDRIVER).exists() and Path(CHROMIUM).exists()) and os.environ.get("CI") != "true":
    pytest.skip("headless Chromium needs Debian's chromium and chromium-driver (apt-get install chromium "
                "chromium-driver; .ci/run installs them)", allow_module_level=True)

from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.remote.webdriver import WebDriver  # noqa: E402
from selenium.webdriver.support import expected_conditions as ec  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402


@pytest.fixture
def server(app: Flask, accounts: Accounts) -> Iterator[str]:
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    thread.join(5)


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[WebDriver]:
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
                 "--window-size=1366,768", "--lang=zh-CN", f"--user-data-dir={tmp_path / 'profile'}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()


@pytest.fixture
def shots() -> Path:
    folder = Path(os.environ.get("RECO_SCREENSHOT_DIR", REPO / "var" / "screenshots"))
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def wait_for(driver: WebDriver, css: str, text: str | None = None, timeout: float = 30) -> None:
    wait = WebDriverWait(driver, timeout)
    if text is None:
        wait.until(ec.visibility_of_element_located((By.CSS_SELECTOR, css)))
    else:
        wait.until(ec.text_to_be_present_in_element((By.CSS_SELECTOR, css), text))


def sign_in(driver: WebDriver, base: str, username: str) -> None:
    driver.get(f"{base}/console/login")
    driver.find_element(By.ID, "username").send_keys(username)
    driver.find_element(By.ID, "password").send_keys(PASSWORD)
    driver.find_element(By.ID, "sign-in").click()
    wait_for(driver, "#q")


def search(driver: WebDriver, text: str) -> None:
    # Empty the results first, so the wait below sees this search's answer, not the last one's.
    driver.execute_script("document.getElementById('results').innerHTML = ''")
    box = driver.find_element(By.ID, "q")
    box.clear()
    box.send_keys(text)
    driver.find_element(By.ID, "search").click()
    wait_for(driver, "#results table, #results .empty, #results .error")


def test_a_counselors_morning_in_chromium(app: Flask, server: str, browser: WebDriver, shots: Path,
                                          accounts: Accounts) -> None:
    client = register(app, name="王小明", external_ref="TH-0042", priority_groups=["laid_off_unemployed"],
                      certificates=[])
    pensioner = register(app, name="赵老伯", national_id=ID_B, phone="13700000001", external_ref="TH-0099",
                         birth_date="1985-06-01", draws_pension=True, priority_groups=["laid_off_unemployed"])
    with app.test_request_context():
        from api.db import db

        items = app.services.snapshots.get(db(), TODAY).items
    open_course = next(it for it in items if it.seats_left > 0 and it.enrol_deadline >= TODAY)

    # Sign in; the page is in Chinese and every field has its label.
    browser.get(f"{server}/console/login")
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "zh-CN"
    assert browser.find_element(By.CSS_SELECTOR, "label[for=username]").text == "用户名"
    browser.save_screenshot(str(shots / "01-login.png"))
    sign_in(browser, server, accounts.tinghu)
    assert "张伟" in browser.find_element(By.CSS_SELECTOR, ".who").text

    # Find by ID number (never shown back), then by the first character of the name.
    search(browser, ID_A)
    results = browser.find_element(By.ID, "results").text
    assert "王小明" in results and ID_A not in browser.page_source and "身份证号" in results
    browser.save_screenshot(str(shots / "02-find-by-id.png"))
    search(browser, "王")
    browser.find_element(By.LINK_TEXT, "王小明").click()
    wait_for(browser, "#client-name", "王小明")
    assert browser.current_url.endswith(f"/console/clients/{client}")

    # Ranked recommendations with subsidy, distance, start and reasons; then every eligible one.
    wait_for(browser, "#rec-list")
    first = browser.find_element(By.CSS_SELECTOR, "#rec-list li").text
    assert "补贴" in first and "开班" in first and "推荐理由" in first
    browser.save_screenshot(str(shots / "03-client-recommendations.png"))
    shown = len(browser.find_elements(By.CSS_SELECTOR, "#rec-list > li"))
    if browser.find_elements(By.ID, "show-all"):
        browser.find_element(By.ID, "show-all").click()
        wait_for(browser, "#show-top")
        assert len(browser.find_elements(By.CSS_SELECTOR, "#rec-list > li")) > shown

    # The rule-by-rule trace in plain words, with availability beside it.
    browser.find_element(By.CSS_SELECTOR, "#rec-list a.course-link").click()
    wait_for(browser, "#trace")
    rows = browser.find_elements(By.CSS_SELECTOR, "#trace tbody tr")
    assert len(rows) >= 12 and "R1_PLACE" in browser.find_element(By.ID, "trace").text
    assert "符合补贴条件" in browser.find_element(By.ID, "verdict").text
    assert "剩余名额" in browser.find_element(By.ID, "availability").text
    browser.save_screenshot(str(shots / "04-eligibility-trace.png"))

    # The pensioner: nothing, and why.
    browser.get(f"{server}/console/")
    search(browser, "赵")
    browser.find_element(By.LINK_TEXT, "赵老伯").click()
    wait_for(browser, "#no-recs")
    browser.find_element(By.ID, "why-button").click()
    wait_for(browser, "#why-summary", "养老金")
    assert "按月领取养老金" in browser.find_element(By.ID, "why").text
    browser.execute_script("document.getElementById('why').scrollIntoView()")
    browser.save_screenshot(str(shots / "05-why-nothing-pensioner.png"))

    # Enrol the pensioner with a subsidy: refused by the rules, then recorded with a written reason.
    course_box = browser.find_element(By.ID, "course_id")
    course_box.send_keys(str(open_course.id))
    browser.find_element(By.ID, "open-course").click()
    wait_for(browser, "#enrol-form")
    subsidized = browser.find_element(By.ID, "subsidized")
    if not subsidized.is_selected():
        subsidized.click()
    browser.find_element(By.ID, "enrol").click()
    wait_for(browser, "#refused", "R5_PENSION")
    browser.execute_script("document.getElementById('refused').scrollIntoView()")
    browser.save_screenshot(str(shots / "06-enrolment-refused.png"))
    reason = "经区人社局书面批准，按特殊情况登记"
    browser.find_element(By.ID, "override_reason").send_keys(reason)
    if not browser.find_element(By.ID, "subsidized").is_selected():
        browser.find_element(By.ID, "subsidized").click()
    browser.find_element(By.ID, "enrol").click()
    wait_for(browser, "#archive-table", reason)
    assert "R5_PENSION" in browser.find_element(By.ID, "archive-table").text
    browser.find_element(By.ID, "audit-button").click()
    wait_for(browser, "#audit-table", "越过规则登记")
    assert "张伟" in browser.find_element(By.ID, "audit-table").text
    browser.execute_script("document.getElementById('archive-card').scrollIntoView()")
    browser.save_screenshot(str(shots / "07-archive-and-audit-override.png"))

    # On a tablet the same page still works.
    browser.set_window_size(820, 1180)
    browser.get(f"{server}/console/clients/{client}")
    wait_for(browser, "#rec-list")
    browser.save_screenshot(str(shots / "08-client-tablet.png"))
    browser.set_window_size(1366, 768)

    # A counselor of another center cannot find or open this client.
    browser.find_element(By.CSS_SELECTOR, "form.inline button").click()
    wait_for(browser, "#username")
    sign_in(browser, server, accounts.dafeng)
    search(browser, ID_A)
    assert "没有找到" in browser.find_element(By.ID, "results").text
    browser.get(f"{server}/console/clients/{pensioner}")
    assert "没有这个服务对象" in browser.find_element(By.TAG_NAME, "main").text
    assert "赵老伯" not in browser.page_source
    browser.save_screenshot(str(shots / "09-other-center-refused.png"))
    assert len(list(shots.glob("*.png"))) == 9


def test_api_docs_render_offline_under_their_csp(server: str, browser: WebDriver) -> None:
    # /docs: Swagger UI from the pinned package, served by us under a strict CSP. It renders the
    # operations (so the CSP blocks nothing it needs) and loads nothing from another origin.
    browser.get(f"{server}/docs")
    wait_for(browser, ".opblock-summary-path")
    paths = {e.text for e in browser.find_elements(By.CSS_SELECTOR, ".opblock-summary-path")}
    assert "/v1/workers/{worker_id}" in {p.replace("\u200b", "") for p in paths}
    loaded = browser.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
    assert loaded and all(url.startswith(server) for url in loaded), loaded
