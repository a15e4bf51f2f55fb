"""clean_article on the seed, every corpus post, and HTML/Markdown specifics."""
from __future__ import annotations

import dataclasses
import re
import time

import pytest
from clean_corpus import (
    BOILERPLATE,
    HTML_POSTS,
    POSTS,
    SEED,
    STRIPPED,
    body_and_title,
    corpus_path,
    html_block_texts,
    listed_for,
)

from nlp.clean import clean_article, normalise
from nlp.config import load_config
from nlp.text import chinese_ratio

HTML_REMNANT = re.compile(r"<[A-Za-z/!][^>]*>|&(?:[A-Za-z]+|#\d+|#x[0-9a-fA-F]+);")
WORD = re.compile(r"[^\W\d_]")
MARKDOWN_REMNANT = re.compile(r"!\[|\]\(|```|\{\{|\{%|^#{1,6}\s|^>\s|^[-*+]\s|\*\*")


@pytest.fixture(scope="module")
def config():
    return load_config().clean


def clean_file(path, config, **changes):
    body, title = body_and_title(path)
    return clean_article(body, title, dataclasses.replace(config, **changes))


# --- the seed ---------------------------------------------------------------------------------

def test_seed_is_clean(config):
    article = clean_file(SEED, config)
    assert article.paragraphs[0].startswith("12月9日")
    for unwanted in ("<", "编辑 柴畅", "下载红星新闻", "摄影报道"):
        assert unwanted not in article.text


def test_seed_keeps_every_content_paragraph(config):
    body, _ = body_and_title(SEED)
    dropped = listed_for(SEED, BOILERPLATE)
    content = [text for text in html_block_texts(body) if chinese_ratio(text) and text not in dropped]
    assert len(content) >= 7
    assert list(clean_file(SEED, config).paragraphs) == [normalise(text) for text in content]


# --- the whole corpus -------------------------------------------------------------------------

@pytest.mark.parametrize("path", HTML_POSTS, ids=lambda p: p.name)
def test_html_post_keeps_all_content_and_only_drops_listed_boilerplate(path, config):
    """Each block with words is either kept as it is, or listed as boilerplate of this file
    (dropped), or has a listed fragment cut out of it: nothing else is lost or changed."""
    article = clean_file(path, config, to_simplified=False)
    dropped = {" ".join(line.split()) for line in listed_for(path, BOILERPLATE)}
    expected = []
    for text in html_block_texts(body_and_title(path)[0]):
        if WORD.search(text) and text not in dropped:
            for fragment in listed_for(path, STRIPPED):
                text = text.replace(fragment.strip(), " ")  # a cut leaves a space: no glued dateline
            expected.append(normalise(text))
    assert list(article.paragraphs) == expected


@pytest.mark.parametrize("path", [SEED] + POSTS, ids=lambda p: p.name)
def test_no_post_yields_empty_paragraphs_or_markup(path, config):
    article = clean_file(path, config)
    for paragraph in article.paragraphs:
        assert len(paragraph) >= config.min_paragraph_chars and paragraph == paragraph.strip()
        assert not HTML_REMNANT.search(paragraph), paragraph
        assert not MARKDOWN_REMNANT.search(paragraph), paragraph
    assert all(0 < len(s) <= config.max_sentence_chars for s in article.sentences)
    assert "".join("".join(article.sentences).split()) == "".join(article.text.split())


@pytest.mark.parametrize("path", [SEED] + POSTS, ids=lambda p: p.name)
def test_crlf_line_endings_change_nothing(path, config):
    body, title = body_and_title(path)
    assert clean_article(body.replace("\n", "\r\n"), title, config) == clean_article(body, title, config)


@pytest.mark.parametrize("name", ["p014.md", "p026.md"])  # stub bodies (MANIFEST.tsv)
def test_stub_posts_give_little_or_no_text(name, config):
    article = clean_file(corpus_path(name), config)
    assert len(article.text) < 20 and len(article.sentences) <= 1


def test_title_is_normalised_and_not_repeated_as_a_paragraph(config):
    article = clean_file(corpus_path("o001.md"), config)
    assert article.title == "SQLite Critical CVEs or LLM Slop?"
    assert article.title not in article.paragraphs


# --- Markdown ---------------------------------------------------------------------------------

def test_front_matter_pasted_into_the_body_does_not_leak(config):
    article = clean_file(corpus_path("o001.md"), config)
    assert article.paragraphs[0] == "事件背景"
    assert not any(re.match(r"(title|date|source|slug)\s*:", p) for p in article.paragraphs)


def test_markdown_markers_go_and_their_text_stays(config):
    h001 = clean_file(corpus_path("h001.md"), config).paragraphs
    assert h001[0] == "书籍是人类社会进步的阶梯"  # blockquote
    assert "为什么读书" in h001 and "计算机技术书" in h001  # ## and ### headings
    assert any("不要去读一些 快餐书籍，" in p for p in h001)  # **emphasis**
    h002 = clean_file(corpus_path("h002.md"), config).paragraphs
    assert h002[:3] == ("1.下载、安装SwitchHosts", "下载地址", "2.SwitchHosts设置")  # bold, link text
    h004 = clean_file(corpus_path("h004.md"), config).text
    assert "题目： TimeSuite: Improving MLLMs" in h004 and "01.png" not in h004  # images dropped


def test_code_math_and_template_tags_are_dropped(config):
    j002 = clean_file(corpus_path("j002.md"), config).text
    assert "C代码" in j002 and "求模是因为" in j002
    for code in ("#include", "printf", "get_m", "\\times", "JB/setup"):
        assert code not in j002
    j003 = clean_file(corpus_path("j003.md"), config).text
    assert "于是抽空写了个简单的 Ebuild。" in j003 and "EAPI" not in j003 and "src_compile" not in j003
    h003 = clean_file(corpus_path("h003.md"), config).text
    assert "notice" not in h003 and "include-code" not in h003 and "欢迎用户共享更准确的国界数据；" in h003
    j001 = clean_file(corpus_path("j001.md"), config).text  # unfenced mermaid diagram, indented
    assert "classDef" not in j001 and "城市的脆弱性，决定了危机的顺序。" in j001


def test_markdown_tables_and_inline_html(config):
    j004 = clean_file(corpus_path("j004.md"), config).paragraphs
    assert "双标叙事 ToucanLoucan 中国做的是美国企业 70 年代就在做的事，披上\"红色恐惧\"就成了问题。" in j004
    assert not any("不代表本网站立场" in p or set(p) <= set("|-: ") for p in j004)
    assert "立场 用户 一句话" not in j004  # column labels


def test_indented_chinese_prose_is_kept_but_indented_code_is_not(config):
    body = ("    这一段用四个空格缩进，是正文而不是代码。\n\n    for i in range(3):\n        print(i)\n\n"
            "- 一级列表\n    - 二级列表项目\n")
    assert clean_article(body, None, config).paragraphs == (
        "这一段用四个空格缩进，是正文而不是代码。", "一级列表", "二级列表项目")


# --- HTML -------------------------------------------------------------------------------------

def test_html_blocks_entities_and_invisible_elements(config):
    body = ("<div><h2>标题一</h2><p>甲&amp;乙&nbsp;丙&#12290;</p><script>var a = '<p>脚本</p>';</script>"
            "<style>p {color: red}</style><iframe src='x'>框架内容</iframe><p><img src='a.png'></p>"
            "<ul><li>第一项</li><li>第二项</li></ul>行一<br>行二<table><tr><td>单元</td><td>格子</td></tr></table>"
            "<p>跨行的\n中文段落</p></div>")
    assert clean_article(body, None, config).paragraphs == (
        "标题一", "甲&乙 丙。", "第一项", "第二项", "行一", "行二", "单元 格子", "跨行的中文段落")
    assert clean_article(body.replace("\n", "\r\n"), None, config) == clean_article(body, None, config)


def test_full_width_letters_digits_and_spaces_are_normalised(config):
    body = "<p>\u3000\u3000ＧＤＰ增长６．５％，达到１２３亿元\u00a0\u00a0（同比）　！\u200b</p>"
    assert clean_article(body, None, config).paragraphs == ("GDP增长6.5％，达到123亿元 （同比） ！",)


def test_traditional_to_simplified_is_optional(config):
    body = "<p>國務院發佈《關於進一步優化營商環境的意見》，記者從會上獲悉。</p>"
    simplified = clean_article(body, "營商環境", config)
    assert simplified.paragraphs == ("国务院发布《关于进一步优化营商环境的意见》，记者从会上获悉。",)
    assert simplified.title == "营商环境"
    kept = clean_article(body, "營商環境", dataclasses.replace(config, to_simplified=False))
    assert kept.paragraphs == (body[3:-4],) and kept.title == "營商環境"


def test_empty_and_non_text_bodies(config):
    for body in ("", "   \n", "<div></div>", "<p><img src='a.png'></p>", "★\n\n01"):
        article = clean_article(body, None, config)
        assert article.paragraphs == () and article.sentences == ()


def test_five_megabytes_are_cleaned_in_seconds(config):
    seed_body, _ = body_and_title(SEED)
    markdown_body, _ = body_and_title(corpus_path("h001.md"))
    for body in (seed_body, markdown_body):
        huge = body * (5_000_000 // len(body.encode()))
        start = time.perf_counter()
        article = clean_article(huge, None, config)
        assert time.perf_counter() - start < 60  # about 5 s on one core; quadratic would be hours
        assert len(article.paragraphs) > 1000


def test_a_megabyte_of_spaces_inside_a_line_is_cleaned_in_seconds(config):
    """A regex searched for a line-final run of spaces was quadratic in a run inside the line
    (50,000 spaces: 9 s); one million would take hours."""
    start = time.perf_counter()
    article = clean_article("开头" + " " * 1_000_000 + "结尾。\n\n下一段。", None, config)
    assert time.perf_counter() - start < 30
    assert article.paragraphs == ("开头 结尾。", "下一段。")
