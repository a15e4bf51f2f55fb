"""Boilerplate rules: one test per family on real corpus lines, user rule files, bad rule files."""
from __future__ import annotations

import dataclasses

import pytest
from clean_corpus import (
    BOILERPLATE,
    CONTENT_WITH_BOILERPLATE_WORDS,
    STRIPPED,
    body_and_title,
    corpus_path,
    html_block_texts,
)

from nlp.clean import clean_article, load_rules, normalise
from nlp.config import load_config
from nlp.errors import ConfigError


@pytest.fixture(scope="module")
def config():
    return load_config().clean


def blocks_of(name) -> list[str]:
    return html_block_texts(body_and_title(corpus_path(name))[0])


def cleaned(text: str, config) -> list[str]:
    return list(clean_article(f"<p>{text}</p>", None, config).paragraphs)


def without_family(config, family: str, tmp_path):
    """The config with one rule family switched off by a user rules file."""
    override = tmp_path / "off.yaml"
    override.write_text(f"{family}: {{}}\n", encoding="utf-8")
    return dataclasses.replace(config, rules=config.rules + (str(override),))


@pytest.mark.parametrize("family", sorted(BOILERPLATE))
def test_family_drops_its_real_lines(family, config, tmp_path):
    lines = BOILERPLATE[family]
    for name, line in lines:
        assert " ".join(line.split()) in blocks_of(name), f"{line!r} is not a paragraph of {name}"
        assert cleaned(line, config) == [], f"{family} kept {line!r}"
    # and it is this family's doing: switched off, its lines come through
    off = without_family(config, family, tmp_path)
    assert all(cleaned(line, off) for _, line in lines)


@pytest.mark.parametrize("family", sorted(STRIPPED))
def test_family_cuts_its_real_fragments_out_of_content(family, config, tmp_path):
    plain = dataclasses.replace(config, to_simplified=False)
    for name, fragment in STRIPPED[family]:
        paragraph = next(block for block in blocks_of(name) if fragment.strip() in block)
        assert cleaned(paragraph, plain) == [normalise(paragraph.replace(fragment.strip(), " "))]
    off = without_family(plain, family, tmp_path)
    for name, fragment in STRIPPED[family]:
        paragraph = next(block for block in blocks_of(name) if fragment.strip() in block)
        assert fragment.strip() in cleaned(paragraph, off)[0]


@pytest.mark.parametrize("name, fragment", CONTENT_WITH_BOILERPLATE_WORDS)
def test_content_mentioning_boilerplate_words_is_kept(name, fragment, config):
    body, title = body_and_title(corpus_path(name))
    text = clean_article(body, title, config).text
    assert fragment in text


@pytest.mark.parametrize("line", [
    # Common variants the rules also cover (written for this test, not from the corpus).
    "新华社记者 张三 摄", "文：李四", "（本报记者 王五 赵六）", "责任编辑：王五", "校对：赵六",
    "新闻报料热线：028-86969110", "更多精彩内容，请下载红星新闻客户端", "长按识别二维码关注我们",
    "欢迎关注我们的微信公众号", "原文链接：https://example.com/a", "如有侵权，请联系删除。",
    "免责声明：本文仅代表作者个人观点。", "该内容已被发布者删除",
])
def test_common_boilerplate_variants_are_dropped(line, config):
    assert cleaned(line, config) == []


def test_traditional_boilerplate_is_dropped_after_conversion(config):
    assert cleaned("紅星新聞記者 彭驚 攝影報道", config) == []


def test_user_rules_file_adds_a_family(config, tmp_path):
    line = "本站所有文章均来自互联网"
    rules = tmp_path / "site.yaml"
    rules.write_text("site_notice:\n  drop:\n    - '本站所有文章.{0,30}'\n", encoding="utf-8")
    assert cleaned(line, config) == [line]
    assert cleaned(line, dataclasses.replace(config, rules=config.rules + (str(rules),))) == []


def test_user_rules_file_through_load_config(tmp_path):
    (tmp_path / "mine.yaml").write_text("tail:\n  strip:\n    - '（完）$'\n", encoding="utf-8")
    (tmp_path / "config.yaml").write_text("clean:\n  rules: [mine.yaml]\n", encoding="utf-8")
    config = load_config(tmp_path / "config.yaml").clean
    assert cleaned("会议在北京召开。（完）", config) == ["会议在北京召开。"]


@pytest.mark.parametrize("content, problem", [
    ("bylines:\n  drop:\n    - '记者[张'\n", "bylines.drop[0]"),
    ("bylines:\n  strip:\n    - 'ok'\n    - '(unclosed'\n", "bylines.strip[1]"),
    ("bylines:\n  dorp:\n    - 'x'\n", "unknown key 'dorp'"),
    ("bylines:\n  drop: 'x'\n", "'drop' must be a list"),
    ("bylines:\n  drop:\n    - 42\n", "bylines.drop[0] must be a non-empty string"),
    ("bylines:\n  drop:\n    - '.*'\n", "matches empty text"),
    ("bylines: [x]\n", "rule family 'bylines' must be a mapping"),
    ("- x\n", "mapping of rule families"),
    ("bylines: {drop: [\n", "not valid YAML"),
])
def test_bad_rules_file_names_file_and_rule(content, problem, tmp_path, config):
    path = tmp_path / "bad_rules.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError) as error:
        clean_article("<p>正文。</p>", None, dataclasses.replace(config, rules=(str(path),)))
    assert str(path) in str(error.value) and problem in str(error.value)


def test_missing_rules_file_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="rules file not found"):
        load_rules([tmp_path / "nope.yaml"])


def test_edited_rules_file_is_reloaded(tmp_path, config):
    path = tmp_path / "rules.yaml"
    path.write_text("a:\n  drop: ['甲乙丙']\n", encoding="utf-8")
    mine = dataclasses.replace(config, rules=(str(path),))
    assert cleaned("甲乙丙", mine) == []
    path.write_text("a:\n  drop: ['丁戊己']\n", encoding="utf-8")
    assert cleaned("甲乙丙", mine) == ["甲乙丙"]
