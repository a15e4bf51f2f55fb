"""`python app.py` in a subprocess, driven by a real headless chromium through Playwright.

The review queue has its own browser tests (tests/test_demo_review_browser.py).

Screenshots go to the test's temporary folder, or to $NLP_SCREENSHOT_DIR (e.g. `docs`) when set.
"""
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from test_demo_client import free_port

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
REPO = Path(__file__).resolve().parents[1]
SEED = REPO / "examples" / "posts" / "000_seed.md"
TIMEOUT_MS = 60_000

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is not installed (apt-get install chromium)")]


@pytest.fixture(scope="module")
def app_url(tiny_marian, tmp_path_factory):
    """The real app.py serving a folder of example posts on a free port."""
    site = tmp_path_factory.mktemp("site")
    posts, log = site / "posts", site / "app.log"
    shutil.copytree(SEED.parent, posts)
    port = free_port()
    env = dict(os.environ, GRADIO_ANALYTICS_ENABLED="False", HF_HUB_OFFLINE="1")
    with log.open("w") as output:
        server = subprocess.Popen(
            [sys.executable, str(REPO / "app.py"), "--posts", str(posts), "--port", str(port),
             "--set", f"translator.model={tiny_marian}", "--set", "summarizer.method=extractive"],
            cwd=REPO, env=env, stdout=output, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    try:
        wait_until_serving(server, url, log)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=20)


def wait_until_serving(server: subprocess.Popen, url: str, log: Path, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"app.py exited with {server.returncode}:\n{log.read_text()}")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.5)
    pytest.fail(f"app.py did not serve {url} within {seconds} s")


@pytest.fixture(scope="module")
def browser(app_url):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, app_url):
    page = browser.new_page(viewport={"width": 1400, "height": 1100})
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(app_url)
    yield page
    page.close()


def screenshot_dir(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("NLP_SCREENSHOT_DIR") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def textarea_filled(elem_id: str) -> str:
    return f"() => (document.querySelector('#{elem_id} textarea')?.value || '').trim().length > 0"


def test_paste_the_seed_and_both_abstracts_appear(page, tmp_path):
    page.locator("#source-text textarea").fill(SEED.read_text(encoding="utf-8"))
    page.locator("#generate").click()
    page.wait_for_function(textarea_filled("abstract-zh"), timeout=TIMEOUT_MS)
    page.wait_for_function(textarea_filled("abstract-en"), timeout=TIMEOUT_MS)
    assert page.locator("#abstract-zh textarea").input_value().strip()
    assert page.locator("#abstract-en textarea").input_value().strip()
    page.get_by_text("Download the post with its new front matter").wait_for()
    page.locator("#source-text textarea").evaluate("area => area.scrollTop = 0")
    shot = screenshot_dir(tmp_path) / "demo-try.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000
