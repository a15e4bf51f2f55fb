"""The demo served on a free port with tiny models, driven through gradio_client as a remote user would."""
import difflib
import hashlib
import os
import re
import shutil
import socket
from pathlib import Path
from types import SimpleNamespace

import httpx
import pytest

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from gradio_client import Client, handle_file  # noqa: E402
from gradio_client.exceptions import AppError  # noqa: E402

from nlp.demo import MAX_PASTED_CHARS, build_demo, launch  # noqa: E402
from nlp.pipeline import Pipeline  # noqa: E402
from nlp.posts import parse_post  # noqa: E402

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "posts"
SEED = EXAMPLES / "000_seed.md"
MAX_UPLOAD = 100_000


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def served(tiny_marian, tmp_path_factory):
    """The app over a posts folder, with a file and a symlink target outside it."""
    site = tmp_path_factory.mktemp("site")
    posts = site / "posts"
    posts.mkdir()
    outside = site / "outside.md"
    outside.write_bytes(SEED.read_bytes())
    (posts / "escape.md").symlink_to(outside)
    pipe = Pipeline.from_config(overrides={"translator.model": str(tiny_marian), "summarizer.method": "extractive",
                                           "limits.max_file_bytes": MAX_UPLOAD})
    demo = build_demo(pipe, posts)
    _, url, _ = launch(demo, pipe.config, port=free_port(), block=False)
    client = Client(url, verbose=False, analytics_enabled=False, download_files=str(site / "downloads"))
    yield SimpleNamespace(client=client, url=url.rstrip("/"), site=site, posts=posts, outside=outside)
    demo.close()


@pytest.fixture
def folder(served, request):
    """A subfolder of the served posts holding fresh copies of the example posts, for one test."""
    name = re.sub(r"\W", "_", request.node.name)
    shutil.copytree(EXAMPLES, served.posts / name)
    return name


def listed(client, show="all") -> dict[str, str]:
    table = client.predict(show, api_name="/list_posts")
    return {row[0]: row[1] for row in table["data"]}


def assert_only_added_to_front_matter(original: bytes, new: bytes) -> None:
    """Every original line is still there, byte for byte and in order; new lines only in the front matter."""
    old_lines, new_lines = original.splitlines(keepends=True), new.splitlines(keepends=True)
    body_start = len(new_lines) - len(parse_post(new.decode("utf-8-sig")).body.splitlines())
    for tag, _, _, j1, j2 in difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False).get_opcodes():
        assert tag in ("equal", "insert"), f"original lines changed: {new_lines[j1:j2]}"
        assert tag == "equal" or j2 <= body_start, "lines added to the body"


def test_generate_returns_both_abstracts_and_the_post_with_front_matter(served):
    seed = SEED.read_text(encoding="utf-8")
    cleaned, zh, en, title_en, checks, about, download = served.client.predict(seed, None, api_name="/generate")
    assert zh.strip() and en.strip() and title_en.strip()
    assert cleaned.strip() and "<p>" not in cleaned and "<img" not in cleaned
    assert "extractive" in about and "Time:" in about
    assert checks and all(span["class_or_confidence"] in ("ok", "warning") for span in checks)
    new = Path(download).read_bytes()
    assert Path(download).name == "post.md"
    assert_only_added_to_front_matter(SEED.read_bytes(), new)
    data = parse_post(new.decode("utf-8")).data
    assert (data["abstract_zh"], data["abstract_en"], data["title_en"]) == (zh, en, title_en)
    assert data["abstract_meta"]["reviewed"] is False


def test_an_uploaded_post_comes_back_with_the_same_name_and_bytes(served, tmp_path):
    upload = tmp_path / "my-post.md"
    upload.write_bytes(SEED.read_bytes())
    outputs = served.client.predict("", handle_file(str(upload)), api_name="/generate")
    download = Path(outputs[-1])
    assert download.name == "my-post.md"
    assert_only_added_to_front_matter(SEED.read_bytes(), download.read_bytes())
    assert upload.read_bytes() == SEED.read_bytes()


def test_bare_html_comes_back_as_a_post_with_front_matter(served):
    body = parse_post(SEED.read_text(encoding="utf-8")).body
    outputs = served.client.predict(body, None, api_name="/generate")
    post = parse_post(Path(outputs[-1]).read_text(encoding="utf-8"))
    assert post.body == body
    assert (post.data["abstract_zh"], post.data["abstract_en"]) == (outputs[1], outputs[2])


def test_uploads_over_the_size_limit_are_refused_by_the_server(served):
    seed = SEED.read_bytes()
    for copies, status in ((1, 200), (MAX_UPLOAD // len(seed) + 1, 413)):
        response = httpx.post(f"{served.url}/gradio_api/upload", files={"files": ("post.md", seed * copies)})
        assert response.status_code == status


@pytest.mark.parametrize("text, message", [("", "Paste Chinese text"),
                                           ("中" * (MAX_PASTED_CHARS + 1), "limit is 200,000"),
                                           ("<p>Only English here, nothing Chinese.</p>", "No Chinese")])
def test_bad_input_gets_a_message_not_a_traceback(served, text, message):
    with pytest.raises(AppError, match=message) as raised:
        served.client.predict(text, None, api_name="/generate")
    assert "Traceback" not in str(raised.value)


def open_post(client, name: str) -> dict:
    """The open_post outputs by name (the conflict row is layout, not data)."""
    keys = ("version", "status", "title_en", "zh", "en", "checks", "evidence", "risk", "meta", "retranslated")
    return dict(zip(keys, client.predict(name, api_name="/open_post")))


def approve(client, name, version, zh, en, title_en, meta=None, confirmation="confirmed"):
    return client.predict(name, version, zh, en, title_en, meta, confirmation, api_name="/save_review")


def test_review_regenerate_then_approve_writes_reviewed_front_matter(served, folder):
    client, name = served.client, f"{folder}/000_seed.md"
    path = served.posts / name
    assert listed(client)[name] == "no abstract"
    opened = open_post(client, name)
    assert "no abstract" in opened["status"] and opened["zh"] == opened["en"] == opened["title_en"] == ""
    assert opened["version"] == hashlib.sha256(SEED.read_bytes()).hexdigest()
    assert "ev-abstract" not in opened["evidence"] and "12月9日" in opened["evidence"]

    fresh = client.predict(name, opened["version"], api_name="/regenerate")
    assert (fresh["name"], fresh["version"]) == (name, opened["version"]), "a result names the post and version"
    assert fresh["zh"].strip() and fresh["en"].strip() and fresh["meta"]["summarizer"]
    assert path.read_bytes() == SEED.read_bytes(), "Regenerate must not write"

    edited = fresh["zh"] + "（已审阅）"
    version, status, *_ = approve(client, name, opened["version"], edited, fresh["en"], fresh["title_en"],
                                  fresh["meta"])
    assert "reviewed" in status and version == hashlib.sha256(path.read_bytes()).hexdigest()
    assert_only_added_to_front_matter(SEED.read_bytes(), path.read_bytes())
    data = parse_post(path.read_text(encoding="utf-8")).data
    assert (data["abstract_zh"], data["abstract_en"], data["title_en"]) == (edited, fresh["en"], fresh["title_en"])
    assert data["abstract_meta"]["reviewed"] is True
    assert data["abstract_meta"]["generated_at"] == fresh["meta"]["generated_at"]
    assert listed(client, "reviewed")[name] == "reviewed"
    assert open_post(client, name)["zh"] == edited


def test_a_save_over_a_changed_file_is_refused_and_an_overwrite_must_be_chosen(served, folder):
    client, name = served.client, f"{folder}/000_seed.md"
    path = served.posts / name
    opened = open_post(client, name)["version"]
    approve(client, name, opened, "第一次保存的摘要。", "First save.", "Title")
    saved = path.read_bytes()
    with pytest.raises(AppError, match="changed since it was opened"):
        approve(client, name, opened, "第二次保存的摘要。", "Second save.", "Title")
    assert path.read_bytes() == saved


def test_a_risky_approval_needs_a_confirmation(served, folder):
    client, name = served.client, f"{folder}/000_seed.md"
    path, version = served.posts / name, open_post(client, name)["version"]
    checks, evidence, risk = client.predict(name, "投入999亿元。", "", api_name="/recheck")
    assert "no English" in risk and "check(s) fail" in risk
    assert 'class="ev-unsupported"' in evidence and "href=\"#ev-" in evidence
    for confirmation in ("", "declined"):
        with pytest.raises(AppError, match="Not saved"):
            approve(client, name, version, "投入999亿元。", "", "", confirmation=confirmation)
    assert path.read_bytes() == SEED.read_bytes()
    approve(client, name, version, "投入999亿元。", "", "", confirmation="confirmed")
    assert parse_post(path.read_text(encoding="utf-8")).data["abstract_meta"]["reviewed"] is True


def test_opening_a_broken_post_replaces_the_last_one_with_its_error(served, folder):
    client, broken = served.client, f"{folder}/broken.md"
    (served.posts / broken).write_text("---\ntitle: [unclosed\n---\n<p>国务院召开常务会议。</p>\n", encoding="utf-8")
    assert open_post(client, f"{folder}/000_seed.md")["evidence"]
    opened = open_post(client, broken)
    assert broken in opened["status"] and "failed" in opened["status"] and "broken.md:2" in opened["status"]
    assert opened["zh"] == opened["en"] == opened["evidence"] == ""


def test_translate_returns_new_english_and_what_it_replaces(served):
    en, note = served.client.predict("国务院常务会议今天召开。", "Old English.", api_name="/translate")
    assert en.strip() and "Old English." in note and en in note


def test_next_and_previous_walk_the_queue_as_shown_and_keep_unsaved_edits_on_request(served, folder):
    table = served.client.predict("no abstract", api_name="/list_posts")
    names = [row[0] for row in table["data"]]
    assert len(names) >= 2
    assert served.client.predict(names[0], table, "clean", api_name="/next_post") == names[1]
    assert served.client.predict(names[0], table, "discard", api_name="/previous_post") == names[-1]
    with pytest.raises(AppError, match="unsaved edits are kept"):
        served.client.predict(names[0], table, "keep", api_name="/next_post")


def test_the_queue_shows_warnings_and_english_and_puts_reviewed_posts_last(served, folder):
    client, name = served.client, f"{folder}/000_seed.md"
    approve(client, name, open_post(client, name)["version"], "投入999亿元。", "", "")
    rows = [row for row in client.predict("all", api_name="/list_posts")["data"] if row[0].startswith(folder)]
    by_name = {row[0]: row for row in rows}
    checks = parse_post((served.posts / name).read_text(encoding="utf-8")).data["abstract_meta"]["checks"]
    assert by_name[name][1:4] == ["reviewed", len(checks), "—"] and checks
    states = [row[1] for row in rows]
    assert max(i for i, s in enumerate(states) if s == "no abstract") < states.index("reviewed")


def test_batch_generates_missing_abstracts_and_keeps_reviewed_ones(served, folder):
    client, seed = served.client, f"{folder}/000_seed.md"
    version = open_post(client, seed)["version"]
    fresh = client.predict(seed, version, api_name="/regenerate")
    approve(client, seed, version, fresh["zh"], fresh["en"], fresh["title_en"], fresh["meta"])
    reviewed_bytes = (served.posts / seed).read_bytes()
    missing = [n for n, state in listed(client).items() if state == "no abstract" and n.startswith(folder)]
    assert missing

    summary = client.predict(api_name="/generate_missing")
    assert int(re.search(r"(\d+) updated", summary).group(1)) >= len(missing)
    after = listed(client)
    assert all(after[n] == "generated" for n in missing)
    assert (served.posts / seed).read_bytes() == reviewed_bytes


BAD_NAMES = ["../outside.md", "escape.md", "posts/../../outside.md", "{outside}", "{posts}/../outside.md"]


@pytest.mark.parametrize("bad", BAD_NAMES)
def test_names_leaving_the_posts_folder_are_refused_and_nothing_outside_changes(served, bad):
    client, outside = served.client, served.outside
    bad = bad.format(outside=outside, posts=served.posts)
    def snapshot():
        return sorted(p.name for p in served.site.iterdir()), outside.read_bytes(), outside.stat().st_mtime_ns

    before = snapshot()
    calls = {"/open_post": (bad,), "/regenerate": (bad, ""), "/recheck": (bad, "篡改", ""),
             "/save_review": (bad, "", "篡改", "tampered", "x", None, "confirmed")}
    for api_name, args in calls.items():
        with pytest.raises(AppError, match="posts folder"):
            client.predict(*args, api_name=api_name)
    assert snapshot() == before
    assert "escape.md" not in listed(client)


def test_no_file_outside_the_app_is_served(served, folder):
    for path in (served.outside, served.posts / folder / "000_seed.md"):
        response = httpx.get(f"{served.url}/gradio_api/file={path}")
        assert response.status_code in (403, 404), path
    # a server path posing as an upload, sent raw (gradio_client would upload the file itself)
    upload = {"path": str(served.outside), "meta": {"_type": "gradio.FileData"}}
    event = httpx.post(f"{served.url}/gradio_api/call/generate", json={"data": ["", upload]}).json()["event_id"]
    stream = httpx.get(f"{served.url}/gradio_api/call/generate/{event}", timeout=30).text
    assert "event: error" in stream and "event: complete" not in stream


def test_only_the_apps_own_origins_may_call_it(served):
    port = int(served.url.rsplit(":", 1)[1])
    for origin, status in ((f"http://127.0.0.1:{port}", 200), (f"http://localhost:{port}", 200),
                           (f"http://127.0.0.1:{port + 1}", 403), (f"http://evil.example:{port}", 403),
                           ("null", 403), (None, 200)):
        headers = {"Origin": origin} if origin else {}
        response = httpx.post(f"{served.url}/gradio_api/call/list_posts", json={"data": ["all"]}, headers=headers)
        assert response.status_code == status, origin
