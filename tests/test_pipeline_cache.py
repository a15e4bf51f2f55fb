"""What decides whether a post is regenerated, and what is never written.

A post is `unchanged` only when its source hash and its settings fingerprint both match; a
reviewed post is never overwritten without --force (reported `stale` instead, whatever its meta
holds); `auto_abstract: false` opts a post out; an empty model output never becomes an abstract.
Models whose output is empty are real tiny models whose generation config forces end-of-sequence
as the first token (forced_bos_token_id = eos), loaded through the normal code path.
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from nlp import Pipeline
from nlp.degenerate import degenerate
from nlp.posts import read_post
from nlp.runtime.identity import transformers_dtype

from repo_data import SEED

CHINESE_ONLY = {"summarizer.method": "extractive", "translator.enabled": False}


@pytest.fixture
def seed(tmp_path):
    return Path(shutil.copy(SEED, tmp_path / "seed.md"))


def add_front_matter(post: Path, lines: str) -> None:
    """The seed's front matter with `lines` added before its closing delimiter."""
    text = SEED.read_text(encoding="utf-8")
    end = text.index("\n---\n", text.index("---") + 3)
    post.write_text(text[:end] + "\n" + lines.rstrip("\n") + text[end:], encoding="utf-8")


def silent_copy(folder: Path, target: Path) -> Path:
    """A copy of a model folder whose generation config makes every output empty."""
    shutil.copytree(folder, target)
    config_path = target / "generation_config.json"
    config = json.loads(config_path.read_text(encoding="utf-8"))
    config["forced_bos_token_id"] = config["eos_token_id"]
    config_path.write_text(json.dumps(config), encoding="utf-8")
    return target


@pytest.fixture(scope="module")
def silent_mt5(tiny_mt5, tmp_path_factory):
    return silent_copy(tiny_mt5, tmp_path_factory.mktemp("silent") / "mt5")


@pytest.fixture(scope="module")
def silent_marian(tiny_marian, tmp_path_factory):
    return silent_copy(tiny_marian, tmp_path_factory.mktemp("silent") / "marian")


def test_an_empty_model_summary_falls_back_to_extractive(silent_mt5, seed):
    pipe = Pipeline.from_config(overrides={"summarizer.model": str(silent_mt5), "summarizer.method": "abstractive",
                                           "translator.enabled": False})
    assert pipe.summarizer.summarize(pipe.inspect(seed).article).text == ""  # the model really says nothing
    assert pipe.enrich_file(seed).status == "updated"
    meta = read_post(seed).data["abstract_meta"]
    assert read_post(seed).data["abstract_zh"].strip()
    assert meta["summarizer"] == "textrank (extractive)"
    assert any("unusable (empty)" in check for check in meta["checks"])


def test_an_empty_translation_is_left_out_with_a_check(silent_marian, seed):
    pipe = Pipeline.from_config(overrides={"translator.model": str(silent_marian), "summarizer.method": "extractive"})
    assert pipe.enrich_file(seed).status == "updated"
    data = read_post(seed).data
    assert data["abstract_zh"] and "abstract_en" not in data and "title_en" not in data
    checks = data["abstract_meta"]["checks"]
    assert any("abstract translation came out empty" in c for c in checks)
    assert any("title translation came out empty" in c for c in checks)


def test_an_empty_abstract_is_never_written(seed):
    """Whatever summarizer a user plugs in: an empty abstract fails the post, the file stays."""
    from nlp.summarize import Summary

    class Blank:
        def summarize(self, article):
            return Summary("", "extractive", None, ("nothing to quote",))

    base = Pipeline.from_config(overrides=CHINESE_ONLY)
    pipe = Pipeline(base.config, Blank(), None, base.glossary)
    before = seed.read_bytes()
    result = pipe.enrich_file(seed)
    assert result.status == "failed" and "no abstract could be made" in result.message
    assert seed.read_bytes() == before


@pytest.mark.parametrize("text, problem", [("", "empty"), (" \n", "empty"), ("The policy.", "no Chinese text"),
                                           ("发展发展发展发展发展发展发展发展", "mostly repeated"),
                                           ("的的的的的的的的的的的的", "mostly repeated")])
def test_degenerate_outputs_are_recognised(text, problem):
    assert degenerate(text) == problem


def test_a_real_abstract_is_not_degenerate():
    assert degenerate("12月9日，川渝藏国家级经开区交流合作活动在成都举办，三地签订战略合作协议。") is None


def test_chinese_only_then_with_a_translator_adds_english_and_keeps_reviewed_posts(tiny_marian, tmp_path):
    plain, reviewed = (Path(shutil.copy(SEED, tmp_path / name)) for name in ("plain.md", "reviewed.md"))
    chinese_only = Pipeline.from_config(overrides=CHINESE_ONLY)
    assert [r.status for r in chinese_only.enrich_files([plain, reviewed])] == ["updated", "updated"]
    data = read_post(reviewed).data
    assert chinese_only.save_review(reviewed, data["abstract_zh"], None, None).status == "updated"
    assert "abstract_en" not in read_post(plain).data
    kept = reviewed.read_bytes()
    bilingual = Pipeline.from_config(overrides={"summarizer.method": "extractive", "translator.model": str(tiny_marian)})
    assert bilingual.settings_sha256 != chinese_only.settings_sha256
    results = {r.path.name: r for r in bilingual.enrich_files([plain, reviewed])}
    assert results["plain.md"].status == "updated"
    assert read_post(plain).data["abstract_en"] and read_post(plain).data["title_en"]
    assert results["reviewed.md"].status == "stale" and "settings changed" in results["reviewed.md"].message
    assert reviewed.read_bytes() == kept
    assert bilingual.inspect(reviewed).state == "stale"
    assert [r.status for r in bilingual.enrich_files([plain, reviewed])] == ["unchanged", "stale"]
    assert bilingual.enrich_file(reviewed, force=True).status == "updated"


def test_a_reviewed_abstract_is_kept_whatever_its_meta_lacks(seed):
    """reviewed: true or yes, without source_sha256 or settings_sha256 (hand-written meta)."""
    pipe = Pipeline.from_config(overrides=CHINESE_ONLY)
    for flag in ("true", "yes", "Yes"):
        add_front_matter(seed, f"abstract_zh: 人工摘要。\nabstract_meta:\n  reviewed: {flag}")
        before = seed.read_bytes()
        result = pipe.enrich_file(seed)
        assert result.status == "stale" and "--force" in result.message, flag
        assert seed.read_bytes() == before


@pytest.mark.parametrize("value", ["false", "no", "off"])
def test_auto_abstract_false_opts_a_post_out(seed, value):
    add_front_matter(seed, f"auto_abstract: {value}")
    before = seed.read_bytes()
    result = Pipeline.from_config(overrides=CHINESE_ONLY).enrich_file(seed, force=True)
    assert result.status == "skipped" and "auto_abstract: false" in result.message
    assert seed.read_bytes() == before


def test_the_opt_out_key_is_configurable(seed):
    add_front_matter(seed, "summary: false")
    assert Pipeline.from_config(overrides=CHINESE_ONLY).enrich_file(seed).status == "updated"
    add_front_matter(seed, "summary: false")
    pipe = Pipeline.from_config(overrides={**CHINESE_ONLY, "front_matter.opt_out": "summary"})
    assert pipe.enrich_file(seed).status == "skipped"


def test_a_long_post_cut_for_the_models_is_unchanged_on_the_second_run(tmp_path):
    post = tmp_path / "long.md"
    text = SEED.read_text(encoding="utf-8")
    front = text[:text.index("\n---\n", text.index("---") + 3)]
    post.write_text(front + "\n---\n" + "<p>成都国际铁路港经开区与重庆经开区签订战略合作协议，推动通道建设。</p>\n" * 1000,
                    encoding="utf-8")
    pipe = Pipeline.from_config(overrides=CHINESE_ONLY)
    assert len(pipe.inspect(post).article.text) > pipe.config.limits.max_source_chars
    first = pipe.enrich_file(post)
    assert first.status == "updated" and any("characters" in c for c in first.checks)
    written = post.read_bytes()
    assert pipe.enrich_file(post).status == "unchanged"
    assert post.read_bytes() == written


def test_the_fingerprint_follows_settings_that_change_the_output(tmp_path):
    base = Pipeline.from_config(overrides=CHINESE_ONLY).settings_sha256
    assert Pipeline.from_config(overrides={**CHINESE_ONLY, "runtime.threads": 3}).settings_sha256 == base
    glossary = tmp_path / "extra.tsv"
    glossary.write_text("经开区\tEconomic Development Zone\n", encoding="utf-8")
    for overrides in ({"summarizer.extractive.max_chars": 100}, {"limits.max_source_chars": 5000},
                      {"glossary.files": [str(glossary)]}, {"clean.to_simplified": False}):
        assert Pipeline.from_config(overrides={**CHINESE_ONLY, **overrides}).settings_sha256 != base, overrides


def test_meta_records_the_fingerprint_and_backend_but_no_timings(tiny_marian, seed):
    pipe = Pipeline.from_config(overrides={"summarizer.method": "extractive", "translator.model": str(tiny_marian),
                                           "translator.backend": "transformers"})
    result = pipe.enrich_file(seed)
    meta = read_post(seed).data["abstract_meta"]
    assert meta["settings_sha256"] == pipe.settings_sha256 and len(meta["source_sha256"]) == 64
    assert meta["backend"] == f"transformers {transformers_dtype('auto', 'cpu')}"  # bfloat16 where native
    assert "_timings" not in meta and "timings" not in meta
    assert set(result.timings) >= {"summarize", "translate", "write"}


def test_each_abstract_and_title_gets_its_own_translation(tiny_marian, tmp_path):
    pipe = Pipeline.from_config(overrides={"summarizer.method": "extractive", "translator.model": str(tiny_marian)})
    posts = [Path(shutil.copy(SEED, tmp_path / "a.md"))]
    posts.append(tmp_path / "b.md")
    posts[1].write_text("---\ntitle: 国务院发布新的营商环境政策\n---\n<p>国务院常务会议审议通过了优化营商环境的新政策。"
                        "各地要认真贯彻落实，持续激发市场活力。</p>\n", encoding="utf-8")
    abstracts = pipe.process_articles([pipe.inspect(p).article for p in posts])
    for post, abstract in zip(posts, abstracts):
        title = read_post(post).data["title"]
        assert (abstract.en, abstract.title_en) == tuple(pipe.translator.translate([abstract.zh, title]))


def test_the_demo_download_never_holds_an_empty_abstract(silent_mt5):
    from nlp.demo import DemoApp

    pipe = Pipeline.from_config(overrides={"summarizer.model": str(silent_mt5), "summarizer.method": "abstractive",
                                           "translator.enabled": False})
    app = DemoApp(pipe, None)
    outputs = app.generate(read_post(SEED).text, None)
    zh, download = outputs[1], outputs[-1]
    assert zh.strip() and read_post(Path(download)).data["abstract_zh"] == zh
    assert any("unusable (empty)" in check for check in read_post(Path(download)).data["abstract_meta"]["checks"])
