"""split_sentences and chinese_ratio: plain text in, no markup involved."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nlp.clean import chinese_ratio, split_sentences


@pytest.mark.parametrize("text, expected", [
    ("他说：“好的。”然后走了。", ["他说：“好的。”", "然后走了。"]),  # closing quote stays
    ("「真的嗎？」她問。『當然！』", ["「真的嗎？」", "她問。", "『當然！』"]),
    ("（下载红星新闻，报料有奖！）编辑 柴畅", ["（下载红星新闻，报料有奖！）", "编辑 柴畅"]),
    ("“还能这样？”，他问道。", ["“还能这样？”，他问道。"]),  # quote followed by a comma continues
    ('他说："好。"接着走了。', ['他说："好。"', "接着走了。"]),  # straight quotes, paired
    ("罚款金额1.54亿元。同比上升41%。", ["罚款金额1.54亿元。", "同比上升41%。"]),  # decimals
    ("自2021.10.1起施行，12月9日—10日举办。", ["自2021.10.1起施行，12月9日—10日举办。"]),  # dates
    ("1. 第一项；2. 第二项", ["1. 第一项；", "2. 第二项"]),  # list numbers
    ("屠宰场超标排放废水……这是典型案例。", ["屠宰场超标排放废水……", "这是典型案例。"]),  # ellipsis
    ("等等...然后呢?!好", ["等等...", "然后呢?!", "好"]),
    ("第一句；第二句！第三句？", ["第一句；", "第二句！", "第三句？"]),
    ("He left. Then she came! ok? The U.S. economy grew 2.5%.",
     ["He left.", "Then she came!", "ok?", "The U.S. economy grew 2.5%."]),
    ("第一行\n第二行\n\n", ["第一行", "第二行"]),  # a line break always ends a sentence
    ("没有任何标点", ["没有任何标点"]),
    ("", []),
])
def test_sentence_boundaries(text, expected):
    assert split_sentences(text) == expected


def test_text_without_punctuation_is_cut_at_the_cap():
    text = "中国国家统计局发布数据显示经济运行稳中有进" * 40
    sentences = split_sentences(text, max_chars=150)
    assert len(sentences) == -(-len(text) // 150) and "".join(sentences) == text
    assert all(len(s) <= 150 for s in sentences)


def test_long_sentences_break_after_commas_first():
    clause = "各地区各部门认真贯彻落实党中央决策部署，"
    sentences = split_sentences(clause * 12 + "取得积极成效。", max_chars=60)
    assert all(len(s) <= 60 and s.endswith(("，", "。")) for s in sentences)
    assert "".join(sentences) == clause * 12 + "取得积极成效。"


def test_long_latin_runs_break_at_spaces():
    sentences = split_sentences("word " * 100, max_chars=50)
    assert all(len(s) <= 50 and "word" == s.split()[-1] for s in sentences)


def test_max_chars_must_be_positive():
    with pytest.raises(ValueError):
        split_sentences("文本", max_chars=0)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("中文字词。！？；…，、“”「」（）.!?;,\"' \nab12")), max_size=400),
       st.integers(min_value=5, max_value=60))
def test_splitting_loses_nothing_and_respects_the_cap(text, max_chars):
    sentences = split_sentences(text, max_chars=max_chars)
    assert all(s and s == s.strip() and len(s) <= max_chars for s in sentences)
    assert "".join("".join(sentences).split()) == "".join(text.split())


@pytest.mark.parametrize("text, ratio", [
    ("中华人民共和国", 1.0),
    ("Hello world", 0.0),
    ("GDP增长", 0.4),  # 2 of 5 letters
    ("2021年", 1.0),  # digits are not letters
    ("123 ，。!", 0.0),
    ("", 0.0),
])
def test_chinese_ratio(text, ratio):
    assert chinese_ratio(text) == pytest.approx(ratio)
