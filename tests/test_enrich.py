"""The main job end to end: real corpus posts enriched in place with tiny models, through the CLI."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from nlp.posts import parse_post, read_post, with_managed_keys

from repo_data import POSTS_DIR, SEED
MANAGED = ("title_en", "abstract_zh", "abstract_en", "abstract_meta")


def run_nlp(*args, cwd=None):
    env = dict(os.environ, HF_HUB_OFFLINE="1", PYTHONIOENCODING="utf-8")
    return subprocess.run([sys.executable, "-m", "nlp", *map(str, args)], capture_output=True, text=True,
                          env=env, cwd=cwd, timeout=600)


@pytest.fixture
def models(tiny_marian, tiny_mt5):
    return ["--set", f"translator.model={tiny_marian}", "--set", f"summarizer.model={tiny_mt5}",
            "--set", "summarizer.method=abstractive"]


@pytest.fixture
def corpus(tmp_path):
    folder = tmp_path / "posts"
    shutil.copytree(POSTS_DIR, folder)
    shutil.copy(SEED, folder / "000_seed.md")
    return folder


def snapshot(folder: Path) -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def assert_only_managed_keys_changed(path: Path, before: bytes):
    """The new file is exactly the old one with the managed keys set to the values it now holds."""
    new = read_post(path)
    values = {k: new.data[k] for k in MANAGED}
    expected = with_managed_keys(parse_post(before.decode("utf-8-sig"), path), values)
    assert new.text == expected


def test_enrich_corpus_then_rerun_is_unchanged(corpus, models, tmp_path):
    before = snapshot(corpus)
    report = tmp_path / "report.json"
    first = run_nlp("enrich", corpus, *models, "--report", report)
    assert first.returncode == 0, first.stderr
    data = json.loads(report.read_text(encoding="utf-8"))
    statuses = {Path(f["path"]): f["status"] for f in data["files"]}
    assert set(statuses) == set(before)
    updated = [p for p, s in statuses.items() if s == "updated"]
    assert len(updated) >= 30, statuses
    assert first.stdout.strip().splitlines()[-1] == (
        f"{len(updated)} updated, 0 unchanged, 0 stale, {data['summary']['skipped']} skipped, 0 failed")
    for path in updated:
        post = read_post(path)
        assert all(post.data.get(k) for k in ("title_en", "abstract_zh", "abstract_en")), path
        meta = post.data["abstract_meta"]
        assert meta["reviewed"] is False and len(meta["source_sha256"]) == 64
        assert_only_managed_keys_changed(path, before[path])
    for path, status in statuses.items():
        if status != "updated":
            assert path.read_bytes() == before[path], path
            assert next(f for f in data["files"] if Path(f["path"]) == path)["message"]

    after_first = snapshot(corpus)
    second = run_nlp("enrich", corpus, *models)
    assert second.returncode == 0, second.stderr
    assert second.stdout.strip().splitlines()[-1].startswith(f"0 updated, {len(updated)} unchanged")
    assert snapshot(corpus) == after_first


def test_mixed_batch_reports_bad_posts_and_updates_the_rest(corpus, models, tmp_path):
    folder = tmp_path / "mixed"
    folder.mkdir()
    shutil.copy(corpus / "000_seed.md", folder / "good.md")
    shutil.copy(corpus / "p003.md", folder / "good2.md")
    (folder / "broken.md").write_text("---\ntitle: 'unclosed\ndate: 2021-12-10\n---\n<p>正文。</p>\n", encoding="utf-8")
    (folder / "empty-body.md").write_text("---\ntitle: 没有正文\n---\n<p><img src='a.png'></p>\n", encoding="utf-8")
    (folder / "english.md").write_text("---\ntitle: Hello\n---\nThis post is written in English only. "
                                       "It has nothing to summarise in Chinese.\n", encoding="utf-8")
    before = snapshot(folder)
    report = tmp_path / "mixed.json"
    result = run_nlp("enrich", folder, *models, "--report", report)
    assert result.returncode == 1, result.stderr
    files = {Path(f["path"]).name: f for f in json.loads(report.read_text(encoding="utf-8"))["files"]}
    assert set(files) == {"good.md", "good2.md", "broken.md", "empty-body.md", "english.md"}
    assert files["good.md"]["status"] == files["good2.md"]["status"] == "updated"
    assert files["broken.md"]["status"] == "failed" and "broken.md:" in files["broken.md"]["message"]
    assert files["empty-body.md"]["status"] == "skipped" and "no article text" in files["empty-body.md"]["message"]
    assert files["english.md"]["status"] == "skipped" and "not Chinese" in files["english.md"]["message"]
    for name in ("broken.md", "empty-body.md", "english.md"):
        assert (folder / name).read_bytes() == before[folder / name]
    assert "broken.md" in result.stderr
    assert result.stdout.strip().splitlines()[-1] == "2 updated, 0 unchanged, 0 stale, 2 skipped, 1 failed"


def test_dry_run_shows_diff_and_writes_nothing(corpus, models):
    before = snapshot(corpus)
    result = run_nlp("enrich", corpus / "000_seed.md", *models, "--dry-run")
    assert result.returncode == 0, result.stderr
    assert "+abstract_zh:" in result.stdout and "+abstract_meta:" in result.stdout
    assert snapshot(corpus) == before


def test_missing_translator_stops_before_any_file(corpus, tiny_mt5):
    before = snapshot(corpus)
    result = run_nlp("enrich", corpus, "--set", "translator.model=nonexistent/model")
    assert result.returncode == 2
    assert "nonexistent/model" in result.stderr and "nlp models pull" in result.stderr
    assert snapshot(corpus) == before


def test_chinese_only_without_translator(corpus):
    seed = corpus / "000_seed.md"
    result = run_nlp("enrich", seed, "--set", "translator.enabled=false",
                     "--set", "summarizer.model=nonexistent/model")
    assert result.returncode == 0, result.stderr
    post = read_post(seed)
    assert post.data["abstract_zh"] and "abstract_en" not in post.data and "title_en" not in post.data
    assert "(extractive)" in post.data["abstract_meta"]["summarizer"]
    assert any("extractive" in c for c in post.data["abstract_meta"]["checks"])


def test_usage_errors_exit_2(tmp_path):
    assert run_nlp("enrich", tmp_path / "missing").returncode == 2
    assert run_nlp("enrich", tmp_path, "--set", "summarizer.nope=1").returncode == 2


def test_enrich_dataset_jsonl(tmp_path, models):
    rows = []
    for path in sorted(POSTS_DIR.glob("p00*.md")):
        post = read_post(path)
        rows.append({"id": path.stem, "title": str(post.data.get("title", "")), "content": post.body})
    source = tmp_path / "articles.jsonl"
    source.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    output = tmp_path / "out.jsonl"
    result = run_nlp("enrich-dataset", source, "--output", output, *models, "--batch-size", "4")
    assert result.returncode == 0, result.stderr
    out = [json.loads(line) for line in output.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in out] == [r["id"] for r in rows]
    for row in out:
        assert {"title_en", "abstract_zh", "abstract_en", "checks"} <= set(row)
        assert row["content"] == next(r["content"] for r in rows if r["id"] == row["id"])
    assert sum(bool(r["abstract_zh"]) for r in out) >= len(rows) - 2  # stubs have no article
    missing = run_nlp("enrich-dataset", source, "--output", tmp_path / "x.jsonl", "--text-column", "body", *models)
    assert missing.returncode == 2 and "no column 'body'" in missing.stderr
