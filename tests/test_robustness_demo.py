"""The demo's attack surface, over HTTP against a server on 127.0.0.1 with tiny models.

Adds to tests/test_demo_client.py (`..` names, a symlinked post, size limits, served files) and
tests/test_demo_paths.py (the path guard itself): more hostile names in every parameter that
names a file, symlinked folders and loops, hostile uploads, a paste at the limit, and a burst of
requests. A marker that only files outside the posts folder hold must never come back.
"""
from __future__ import annotations

import json
import os
import shutil
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import SimpleNamespace

import httpx
import pytest

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

from gradio_client import Client, handle_file  # noqa: E402
from gradio_client.exceptions import AppError  # noqa: E402

from nlp.demo import MAX_PASTED_CHARS, build_demo, launch  # noqa: E402
from nlp.pipeline import Pipeline  # noqa: E402
from test_demo_client import SEED, free_port, listed  # noqa: E402
from test_robustness_input import ZH, alias_bomb, post  # noqa: E402

SECRET = "机密标记"  # only in files outside the posts folder
SHORT = "<p>国务院常务会议今天召开。会议研究部署进一步优化营商环境的措施。</p>"
BURST = 60
QUEUE_SIZE = 32  # demo.queue(max_size=...) in nlp/demo.py


@pytest.fixture(scope="module")
def served(tiny_marian, tmp_path_factory):
    """The app over a posts folder with symlinks out of it (a file, a folder) and a symlink loop."""
    site = tmp_path_factory.mktemp("site")
    posts, outside = site / "posts", site / "outside"
    posts.mkdir()
    outside.mkdir()
    secret = post(f"title: {SECRET}", f"<p>{SECRET}。国务院召开常务会议。</p>\n")
    for path in (site / "secret.md", outside / "secret.md"):
        path.write_bytes(secret)
    shutil.copyfile(SEED, posts / "seed.md")
    (posts / "escape.md").symlink_to(site / "secret.md")
    (posts / "linked").symlink_to(outside, target_is_directory=True)
    (posts / "loop").symlink_to(posts, target_is_directory=True)
    pipe = Pipeline.from_config(overrides={"translator.model": str(tiny_marian), "summarizer.method": "extractive"})
    demo = build_demo(pipe, posts)
    _, url, _ = launch(demo, pipe.config, port=free_port(), block=False)
    client = Client(url, verbose=False, analytics_enabled=False, download_files=str(site / "downloads"))
    yield SimpleNamespace(client=client, url=url.rstrip("/"), site=site, posts=posts, outside=outside)
    demo.close()


def outside_state(served) -> dict:
    """Every file outside the posts folder (the downloads aside), with its bytes and mtime."""
    return {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in served.site.rglob("*")
            if p.is_file() and not p.is_relative_to(served.posts) and "downloads" not in p.parts}


HOSTILE_NAMES = ["linked/secret.md", "loop/../escape.md", "loop/linked/secret.md", "..%2Fsecret.md",
                 "%2e%2e/secret.md", "..\\secret.md", "~/secret.md", "file:///etc/passwd", "seed.md\x00",
                 " ../secret.md", "x" * 5000 + ".md", "a/" * 2000 + "seed.md"]


def test_hostile_names_in_every_parameter_that_names_a_file(served):
    before = outside_state(served)
    client = served.client
    for name in HOSTILE_NAMES:
        for api_name, args in {"/open_post": (name,), "/regenerate": (name, ""),
                               "/save_review": (name, "", "篡改", "tampered", "x", None, "confirmed")}.items():
            with pytest.raises(AppError, match="posts folder") as refused:
                client.predict(*args, api_name=api_name)
            assert SECRET not in str(refused.value) and "Traceback" not in str(refused.value)
        # next_post only compares the name with the rows of the queue it is given; it answers with one of them
        assert client.predict(name, client.predict("all", api_name="/list_posts"), "clean",
                              api_name="/next_post") in listed(client)
    with pytest.raises(AppError, match="not in the list of choices"):  # the status filter is a dropdown
        client.predict("../secret.md", api_name="/list_posts")
    assert outside_state(served) == before


def test_symlinked_folders_and_loops_are_neither_listed_nor_written(served):
    before = outside_state(served)
    names = listed(served.client)
    assert "seed.md" in names
    assert not [n for n in names if n.startswith(("linked", "loop")) or n == "escape.md"], names
    assert "1 updated" in served.client.predict(api_name="/generate_missing")
    assert outside_state(served) == before


def test_an_upload_named_to_climb_out_stays_in_the_app_folders(served):
    response = httpx.post(f"{served.url}/gradio_api/upload",
                          files={"files": ("../../../escaped.md", SEED.read_bytes())}, timeout=30)
    assert response.status_code == 200
    stored = Path(response.json()[0])
    assert ".." not in stored.parts and stored.name == "escaped.md"
    upload = {"path": str(stored), "orig_name": "../../../escaped.md", "meta": {"_type": "gradio.FileData"}}
    outcome, stream = call(served.url, "generate", ["", upload])
    assert outcome == "complete", stream
    download = Path(json.loads(stream.split("data: ", 1)[1])[-1]["path"])
    assert download.name == "escaped.md" and download.is_relative_to(tempfile.gettempdir())
    for folder in (served.site, served.site.parent, Path.cwd(), Path(tempfile.gettempdir())):
        assert not (folder / "escaped.md").exists(), folder


@pytest.mark.parametrize("data, message", [
    (bytes(range(256)) * 4, "binary file"),
    (post("title: 国务院", encoding="gb18030"), "looks like GB18030"),
    (post(alias_bomb(12)), "aliases"),
    (post("tags: " + "[" * 1500 + "]" * 1500), "nested too deeply"),
    (b"", "empty file"),
])
def test_hostile_uploads_get_the_per_file_message(served, tmp_path, data, message):
    upload = tmp_path / "upload.md"
    upload.write_bytes(data)
    with pytest.raises(AppError, match=message) as refused:
        served.client.predict("", handle_file(str(upload)), api_name="/generate")
    assert "Traceback" not in str(refused.value)
    assert upload.read_bytes() == data


def test_a_paste_at_the_size_limit_is_summarised_from_its_beginning(served):
    text = (ZH * (MAX_PASTED_CHARS // len(ZH) + 1))[:MAX_PASTED_CHARS]
    start = time.perf_counter()
    _, zh, en, _, checks, _, _ = served.client.predict(text, None, api_name="/generate")
    assert zh and en and time.perf_counter() - start < 120
    assert any("only its beginning was summarised" in span["token"] for span in checks)


def call(url: str, api_name: str, data: list, barrier: threading.Barrier | None = None) -> tuple[str, str]:
    """One request as the HTTP API takes it: queue it, then read its event stream to the end."""
    with httpx.Client(timeout=120) as http:
        if barrier:
            barrier.wait()
        queued = http.post(f"{url}/gradio_api/call/{api_name}", json={"data": data})
        if queued.status_code != 200:
            return f"refused {queued.status_code}", queued.text
        stream = http.get(f"{url}/gradio_api/call/{api_name}/{queued.json()['event_id']}").text
        return ("complete" if "event: complete" in stream else "error"), stream


def test_a_burst_of_requests_is_served_or_turned_away_at_once(served):
    before = outside_state(served)
    barrier = threading.Barrier(BURST)
    requests = [("open_post", ["../secret.md"]) if i % 6 == 5 else ("generate", [SHORT, None]) for i in range(BURST)]
    start = time.perf_counter()
    with ThreadPoolExecutor(BURST) as pool:
        outcomes = list(pool.map(lambda r: call(served.url, *r, barrier), requests))
    assert time.perf_counter() - start < 180
    for (api_name, _), (outcome, said) in zip(requests, outcomes):
        assert SECRET not in said
        if outcome.startswith("refused"):
            assert outcome == "refused 503" and "Queue is full" in said
        elif api_name == "generate":
            assert outcome == "complete", said
        else:
            assert outcome == "error" and "posts folder" in said
    refused = sum(outcome.startswith("refused") for outcome, _ in outcomes)
    print(f"burst of {BURST}: {refused} turned away with 'Queue is full', {BURST - refused} served")
    assert 0 < refused <= BURST - QUEUE_SIZE, "the queue is bounded and what fits is served"
    assert served.client.predict(SHORT, None, api_name="/generate")[1], "the server still answers"
    assert outside_state(served) == before
