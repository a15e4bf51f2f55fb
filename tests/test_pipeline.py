"""The Python API: process_text, enrich_file and its unchanged / reviewed / force rules."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from nlp.pipeline import Pipeline
from nlp.posts import read_post

from repo_data import SEED  # noqa: E402


class Counting:
    """Wraps a real summarizer or translator and counts the articles or calls that reach it."""

    def __init__(self, inner):
        self.inner, self.calls = inner, 0

    def __getattr__(self, name):
        return getattr(self.inner, name)

    def summarize(self, article):
        self.calls += 1
        return self.inner.summarize(article)

    def summarize_many(self, articles):
        self.calls += len(articles)
        return self.inner.summarize_many(articles)

    def translate(self, texts):
        self.calls += 1
        return self.inner.translate(texts)


@pytest.fixture(scope="module")
def pipe(tiny_marian, tiny_mt5):
    pipeline = Pipeline.from_config(overrides={"translator.model": str(tiny_marian),
                                               "summarizer.model": str(tiny_mt5),
                                               "summarizer.method": "abstractive"})
    pipeline.summarizer, pipeline.translator = Counting(pipeline.summarizer), Counting(pipeline.translator)
    return pipeline


@pytest.fixture
def seed(tmp_path):
    return Path(shutil.copy(SEED, tmp_path / "seed.md"))


def test_process_text_returns_both_abstracts_and_provenance(pipe):
    ab = pipe.process_text(read_post(SEED).body, title="川渝藏经开区签订战略合作协议")
    assert ab.zh and ab.en and ab.title_en
    assert ab.meta["summarizer"].endswith("(abstractive)")
    assert ab.meta["translator"] == pipe.translator.model
    assert ab.meta["reviewed"] is False and isinstance(ab.meta["checks"], list)
    assert ab.meta["generated_at"].endswith("Z")


def test_unchanged_post_costs_no_model_call_and_force_regenerates(pipe, seed):
    assert pipe.enrich_file(seed).status == "updated"
    written = seed.read_bytes()
    calls = pipe.summarizer.calls, pipe.translator.calls
    again = pipe.enrich_file(seed)
    assert again.status == "unchanged"
    assert (pipe.summarizer.calls, pipe.translator.calls) == calls
    assert seed.read_bytes() == written
    assert pipe.enrich_file(seed, force=True).status == "updated"
    assert pipe.summarizer.calls == calls[0] + 1


def test_changed_source_is_regenerated(pipe, seed):
    pipe.enrich_file(seed)
    first = read_post(seed).data["abstract_meta"]["source_sha256"]
    seed.write_bytes(seed.read_bytes().replace("12月9日".encode(), "12月8日".encode()))
    assert pipe.inspect(seed).state == "stale"
    assert pipe.enrich_file(seed).status == "updated"
    assert read_post(seed).data["abstract_meta"]["source_sha256"] != first


def test_reviewed_post_is_never_overwritten_without_force(pipe, seed):
    pipe.enrich_file(seed)
    assert pipe.save_review(seed, "审校后的中文摘要。", "Reviewed English abstract.", "Reviewed title").status == "updated"
    reviewed = seed.read_bytes()
    assert read_post(seed).data["abstract_meta"]["reviewed"] is True
    assert pipe.enrich_file(seed).status == "unchanged"
    seed.write_bytes(reviewed.replace("12月9日".encode(), "12月8日".encode()))
    edited = seed.read_bytes()
    result = pipe.enrich_file(seed)
    assert result.status == "stale" and "--force" in result.message
    assert seed.read_bytes() == edited
    assert pipe.enrich_file(seed, force=True).status == "updated"
    assert read_post(seed).data["abstract_meta"]["reviewed"] is False


def test_dry_run_returns_diff_and_keeps_file(pipe, seed):
    before = seed.read_bytes()
    result = pipe.enrich_file(seed, dry_run=True)
    assert result.status == "updated" and "+abstract_zh:" in result.diff
    assert seed.read_bytes() == before


def test_source_beyond_limit_is_not_sent_and_is_noted(tiny_marian):
    pipeline = Pipeline.from_config(overrides={"translator.model": str(tiny_marian), "summarizer.method": "extractive",
                                               "limits.max_source_chars": 300})
    ab = pipeline.process_text(read_post(SEED).body)
    assert any("300 characters" in c for c in ab.meta["checks"])
    assert len(ab.zh) <= 300


def test_approving_a_regenerated_abstract_records_its_models(pipe, seed):
    fresh = pipe.process_articles([pipe.inspect(seed).article])[0]
    assert pipe.save_review(seed, fresh.zh, fresh.en, fresh.title_en, provenance=fresh.meta).status == "updated"
    meta = read_post(seed).data["abstract_meta"]
    assert meta["reviewed"] is True
    assert (meta["summarizer"], meta["translator"]) == (fresh.meta["summarizer"], fresh.meta["translator"])


def test_oversized_post_is_refused_before_reading(pipe, seed, tmp_path):
    big = tmp_path / "big.md"
    big.write_bytes(seed.read_bytes() + "<p>很长的正文。</p>".encode() * 400_000)
    before = big.read_bytes()
    result = pipe.enrich_file(big)
    assert result.status == "failed" and "limits.max_file_bytes" in result.message and "big.md" in result.message
    assert big.read_bytes() == before


def test_an_unexpected_error_on_one_post_fails_that_post_only(pipe, seed, tmp_path):
    class FailsOnOnePost(Pipeline):
        def clean(self, body, title=None):
            if "trigger-cleaner-bug" in body:
                raise RuntimeError("cleaner bug")
            return super().clean(body, title)

    odd = tmp_path / "odd.md"
    odd.write_text("---\ntitle: 例子\n---\n<p>trigger-cleaner-bug 正文。</p>\n", encoding="utf-8")
    before = odd.read_bytes()
    broken = FailsOnOnePost(pipe.config, pipe.summarizer, pipe.translator, pipe.glossary)
    results = {r.path.name: r for r in broken.enrich_files([odd, seed])}
    assert results["odd.md"].status == "failed" and "cleaner bug" in results["odd.md"].message
    assert results["seed.md"].status == "updated"
    assert odd.read_bytes() == before


def test_a_review_save_is_refused_when_the_post_changed_since_its_version(pipe, seed):
    from nlp.pipeline import post_version

    opened = post_version(read_post(seed))
    assert pipe.save_review(seed, "第一位审阅者。", "First.", "T", version=opened).status == "updated"
    saved = seed.read_bytes()
    result = pipe.save_review(seed, "第二位审阅者。", "Second.", "T", version=opened)
    assert result.status == "failed" and "changed since it was opened" in result.message and "seed.md" in result.message
    assert seed.read_bytes() == saved
    assert pipe.save_review(seed, "第二位审阅者。", "Second.", "T", version=post_version(read_post(seed))).status \
        == "updated"
