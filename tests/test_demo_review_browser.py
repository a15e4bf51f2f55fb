"""The review queue in a real headless chromium: bound saves, conflicts, confirmations, keys, progress, origins.

The app runs in this process (nlp.demo.launch, as app.py does) so a test can hold the summarizer
at a gate: a slow model step happens exactly when the test says, without sleeps. Every test
works on its own copy of the example posts (a subfolder of the served folder).
"""
import http.server
import os
import shutil
import threading
from functools import partial
from pathlib import Path
from types import SimpleNamespace

import pytest
from test_demo_browser import CHROMIUM, CHROMIUM_ARGS
from test_demo_client import free_port

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

from nlp.demo import build_demo, launch  # noqa: E402
from nlp.pipeline import Pipeline  # noqa: E402
from nlp.posts import read_post  # noqa: E402

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "posts"
TIMEOUT_MS = 30_000
SCREEN = {"width": 1366, "height": 768}

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is not installed")]


class Gate:
    """A real model step (`method` of `inner`) behind a gate: while held, each call waits for a
    permit from the test."""

    def __init__(self, inner, method: str):
        self.inner, self.method, self.held = inner, method, False
        self.permits, self.arrived = threading.Semaphore(0), threading.Semaphore(0)

    def __getattr__(self, name):
        attribute = getattr(self.inner, name)
        if name != self.method:
            return attribute

        def gated(*args, **kwargs):
            if self.held:
                self.arrived.release()
                assert self.permits.acquire(timeout=TIMEOUT_MS / 1000), "the test never opened the gate"
            return attribute(*args, **kwargs)
        return gated

    def wait_for_a_call(self):
        assert self.arrived.acquire(timeout=TIMEOUT_MS / 1000), "no model call arrived at the gate"

    def let_through(self, calls: int = 1):
        for _ in range(calls):
            self.permits.release()


@pytest.fixture(scope="module")
def pipe(tiny_marian):
    return Pipeline.from_config(overrides={"translator.model": str(tiny_marian), "summarizer.method": "extractive"})


@pytest.fixture
def served(pipe, tmp_path):
    """The app over a fresh copy of the example posts, its summarizer and translator behind gates."""
    posts = tmp_path / "posts"
    shutil.copytree(EXAMPLES, posts)
    gate, translation_gate = Gate(pipe.summarizer, "summarize"), Gate(pipe.translator, "translate")
    gated = Pipeline(pipe.config, gate, translation_gate, pipe.glossary)
    demo = build_demo(gated, posts)
    port = free_port()
    _, url, _ = launch(demo, pipe.config, port=port, block=False)
    yield SimpleNamespace(url=url, port=port, posts=posts, gate=gate, translation_gate=translation_gate)
    for each in (gate, translation_gate):
        each.held = False
        each.let_through(100)
    demo.close()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def review_page(browser, served, dialogs: list | None = None, answers=()):
    """A page on the Review tab; confirmation dialogs get `answers` (True: OK), then OK, and their
    text is kept in `dialogs`."""
    page = browser.new_page(viewport=SCREEN)
    page.set_default_timeout(TIMEOUT_MS)
    answers = iter(answers)
    if dialogs is not None:
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message),
                                          dialog.accept() if next(answers, True) else dialog.dismiss()))
    page.goto(served.url)
    page.get_by_role("tab", name="Review posts").click()
    return page


def open_post(page, name: str):
    page.locator("#review-queue").get_by_role("gridcell", name=name, exact=True).click()
    wait_for_status(page, name)


def wait_for_status(page, text: str):
    page.locator("#review-status").get_by_text(text).first.wait_for()


def write_zh(page, text: str):
    """Type a Chinese abstract and wait until its checks and evidence follow the edit."""
    textarea(page, "review-zh").fill(text)
    page.locator("#review-evidence .ev-abstract").get_by_text(text[-4:]).wait_for()


def textarea(page, elem_id: str):
    return page.locator(f"#{elem_id} textarea")


def queue(page) -> list[list[str]]:
    """The rows of the queue as shown: [post, state, warnings, English, title]."""
    cells = [cell.strip() for cell in page.locator("#review-queue").get_by_role("gridcell").all_inner_texts()]
    return [cells[i:i + 5] for i in range(0, len(cells), 5)]


def snapshot(folder: Path) -> dict:
    return {path.name: path.read_bytes() for path in folder.iterdir()}


def abstract_of(path: Path) -> dict:
    data = read_post(path).data
    return {key: data.get(key) for key in ("abstract_zh", "abstract_en", "abstract_meta")}


def test_a_regeneration_that_lands_after_next_is_discarded_not_saved_into_the_next_post(browser, served):
    page, gate, folder = review_page(browser, served, dialogs=[]), served.gate, served.posts
    first, second = "000_seed.md", "h001.md"
    open_post(page, first)
    gate.held = True
    page.locator("#review-regenerate").click()
    gate.wait_for_a_call()  # the model is now working for the first post
    wait_for_status(page, "regenerating")
    open_post(page, second)
    assert textarea(page, "review-zh").input_value() == ""
    gate.let_through()
    wait_for_status(page, "discarded")
    assert textarea(page, "review-zh").input_value() == "", "the first post's abstract reached the second"
    assert second in page.locator("#review-status").inner_text()
    before = snapshot(folder)
    page.locator("#review-approve").click()  # the second post has no abstract: nothing to save
    page.get_by_text("The Chinese abstract is empty").first.wait_for()
    assert snapshot(folder) == before
    page.close()


def test_two_tabs_saving_the_same_post_the_second_is_refused_then_may_overwrite(browser, served):
    dialogs, name = [], "000_seed.md"
    path = served.posts / name
    first, second = review_page(browser, served, dialogs), review_page(browser, served, dialogs)
    for page in (first, second):
        open_post(page, name)
    write_zh(first, "第一位审阅者写的摘要。")
    write_zh(second, "第二位审阅者写的摘要。")
    first.locator("#review-approve").click()
    first.get_by_text("Saved 000_seed.md").first.wait_for()
    assert read_post(path).data["abstract_zh"] == "第一位审阅者写的摘要。"
    saved = path.read_bytes()

    second.locator("#review-approve").click()
    wait_for_status(second, "changed since you opened it")
    assert path.read_bytes() == saved, "the second tab overwrote the first one's save"
    second.get_by_role("button", name="Reload").wait_for()
    second.locator("#review-overwrite").click()  # knowingly, after a confirmation
    second.get_by_text("Saved 000_seed.md").first.wait_for()
    assert read_post(path).data["abstract_zh"] == "第二位审阅者写的摘要。"
    assert any("Overwrite" in message for message in dialogs)
    first.close()
    second.close()


def test_approving_with_failing_checks_asks_first(browser, served):
    dialogs, name = [], "000_seed.md"
    path, original = served.posts / name, (served.posts / name).read_bytes()
    page = review_page(browser, served, dialogs, answers=[False, True])  # first "Cancel", then "OK"
    open_post(page, name)
    write_zh(page, "会议决定投入999亿元，覆盖12345家企业。")  # numbers the source never states
    page.locator("#review-checks").get_by_text("999亿").first.wait_for()
    page.locator("#review-evidence mark.ev-unsupported").first.wait_for()

    page.locator("#review-approve").click()
    page.get_by_text("Not saved").first.wait_for()
    assert path.read_bytes() == original and len(dialogs) == 1
    assert "check(s) fail" in dialogs[0] and "no English" in dialogs[0]

    page.locator("#review-approve").click()
    page.get_by_text(f"Saved {name}").first.wait_for()
    data = read_post(path).data
    assert data["abstract_zh"].startswith("会议决定投入999亿元") and data["abstract_meta"]["reviewed"] is True
    assert len(dialogs) == 2
    page.close()


def test_keyboard_approve_and_next_walks_three_posts_in_queue_order(browser, served):
    page = review_page(browser, served, dialogs=[])
    page.locator("#review-batch").click()
    page.locator("#review-batch-progress").get_by_text("done").wait_for()
    page.locator("#review-queue").get_by_role("gridcell", name="generated").first.wait_for()
    rows = [row[0] for row in queue(page)]
    open_post(page, rows[0])
    for index in range(3):
        textarea(page, "review-zh").focus()
        page.keyboard.press("Alt+Enter")
        wait_for_status(page, rows[index + 1])
    for name in rows[:3]:
        assert read_post(served.posts / name).data["abstract_meta"]["reviewed"] is True, name
    assert read_post(served.posts / rows[3]).data["abstract_meta"]["reviewed"] is False
    page.keyboard.press("Alt+ArrowUp")
    wait_for_status(page, rows[2])
    page.close()


def test_batch_progress_is_visible_post_by_post(browser, served):
    page, gate = review_page(browser, served), served.gate
    gate.held = True
    page.locator("#review-batch").click()
    gate.wait_for_a_call()
    progress = page.locator("#review-batch-progress")
    progress.get_by_text("0/6").wait_for()
    assert progress.bounding_box()["height"] > 20 and "now:" in progress.inner_text()
    gate.let_through()
    gate.wait_for_a_call()
    progress.get_by_text("1/6").wait_for()
    assert "left" in progress.inner_text()
    gate.held = False
    gate.let_through(10)
    progress.get_by_text("done").wait_for()
    page.close()


ATTACK = """<!doctype html><title>elsewhere</title><script>
async function attack(app, data) {
  try {
    const queued = await fetch(app + "gradio_api/call/save_review", {method: "POST",
      headers: {"Content-Type": "application/json"}, body: JSON.stringify({data})});
    const said = await queued.text();
    if (queued.status !== 200) return {status: queued.status, said};
    const stream = await fetch(app + "gradio_api/call/save_review/" + JSON.parse(said).event_id);
    return {status: stream.status, said: await stream.text()};
  } catch (error) { return {status: 0, said: String(error)}; }
}
</script>"""


@pytest.fixture
def other_origin(tmp_path):
    """A page served from another port of this machine."""
    (tmp_path / "www").mkdir()
    (tmp_path / "www" / "index.html").write_text(ATTACK)
    handler = partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path / "www"))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


def test_a_page_on_another_origin_cannot_save(browser, served, other_origin):
    import hashlib

    name = "000_seed.md"
    path = served.posts / name
    original = path.read_bytes()
    data = [name, hashlib.sha256(original).hexdigest(), "篡改的摘要。", "Tampered.", "x", None, "confirmed"]
    page = browser.new_page()
    page.goto(other_origin)
    outcome = page.evaluate("([app, data]) => attack(app, data)", [served.url, data])
    assert outcome["status"] in (0, 403), outcome
    assert path.read_bytes() == original
    # the same request from the app's own page goes through: the origin is what was refused
    page.goto(served.url)
    page.add_script_tag(content=ATTACK.split("<script>")[1].split("</script>")[0])
    outcome = page.evaluate("([app, data]) => attack(app, data)", [served.url, data])
    assert outcome["status"] == 200 and "event: complete" in outcome["said"], outcome
    assert read_post(path).data["abstract_zh"] == "篡改的摘要。"
    page.close()


def test_translate_keeps_the_edit_and_shows_english_before_and_after(browser, served, tmp_path):
    from test_demo_browser import screenshot_dir

    page = review_page(browser, served, dialogs=[])
    open_post(page, "p003.md")
    page.locator("#review-regenerate").click()
    wait_for_status(page, "regenerated, not saved")
    old_en = textarea(page, "review-en").input_value()
    edited = textarea(page, "review-zh").input_value() + "罚款金额1.54亿元。"
    write_zh(page, edited)
    served.translation_gate.held = True
    page.keyboard.press("Alt+t")
    served.translation_gate.wait_for_a_call()
    page.locator("#review-retranslated").get_by_text("translating").wait_for()  # says what runs meanwhile
    served.translation_gate.held = False
    served.translation_gate.let_through()
    page.locator("#review-retranslated").get_by_text("English after").wait_for()
    assert textarea(page, "review-zh").input_value() == edited, "Translate lost the Chinese edit"
    note = page.locator("#review-retranslated").inner_text()
    assert old_en[:20] in note and textarea(page, "review-en").input_value()[:20] in note
    page.locator("#review-evidence mark.ev-number").first.wait_for()
    page.evaluate("""() => { const box = document.querySelector('#review-evidence .evidence');
                            box.scrollTop = box.querySelector('.ev-warnings li:last-child').offsetTop - box.offsetTop;
                            window.scrollTo(0, 0); }""")  # the screenshot: last warning, abstract, source
    shot = screenshot_dir(tmp_path) / "demo-review.png"
    page.screenshot(path=str(shot))
    assert shot.stat().st_size > 10_000
    page.close()


def test_moving_on_with_unsaved_edits_asks_first(browser, served):
    dialogs = []
    page = review_page(browser, served, dialogs, answers=[False, True])
    open_post(page, "000_seed.md")
    assert (textarea(page, "review-zh").get_attribute("lang"), textarea(page, "review-en").get_attribute("lang")) \
        == ("zh", "en")
    following = queue(page)[1][0]
    write_zh(page, "尚未保存的修改。")
    page.keyboard.press("Alt+ArrowDown")  # "Cancel": stay
    page.get_by_text("unsaved edits are kept").first.wait_for()
    assert textarea(page, "review-zh").input_value() == "尚未保存的修改。"
    page.keyboard.press("Alt+ArrowDown")  # "OK": drop the edit, move on
    wait_for_status(page, following)
    assert len(dialogs) == 2 and all("unsaved edits" in message for message in dialogs)
    page.keyboard.press("Alt+ArrowUp")  # nothing edited here: no question
    wait_for_status(page, "000_seed.md")
    assert len(dialogs) == 2 and textarea(page, "review-zh").input_value() == ""
    page.close()
