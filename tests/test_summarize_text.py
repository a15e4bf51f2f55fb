"""Finishing of generated abstracts on constructed strings: spacing, loops, dangling ends, budget."""
from __future__ import annotations

import pytest
from hypothesis import given, strategies as st

from nlp.tidy import close_sentence, collapse_repeats, fit_chars, normalise_space, tidy_summary


def test_spaces_next_to_chinese_go_and_other_runs_shrink():
    assert normalise_space("  成都 国际 铁路港 ，\n签订 协议 。 ") == "成都国际铁路港，签订协议。"
    assert normalise_space("支持 5G  and   AI 发展") == "支持5G and AI发展"


@pytest.mark.parametrize("looping, collapsed", [
    ("推进开放创新，推进开放创新，推进开放创新，科技创新。", "推进开放创新，科技创新。"),
    ("经开区经开区经开区签订协议。", "经开区签订协议。"),
    ("双方将加强合作双方将加强合作。", "双方将加强合作。"),
])
def test_phrases_repeated_back_to_back_collapse(looping, collapsed):
    assert collapse_repeats(looping) == collapsed


@pytest.mark.parametrize("text", ["罚款金额1111万元。", "2020年至2020年。", "增长10.10%。", "常常说说看。"])
def test_numbers_and_single_character_repeats_stay(text):
    assert collapse_repeats(text) == text


def test_dangling_fragment_after_a_sentence_is_dropped():
    assert close_sentence("双方签订战略合作协议。未来三方将重点在") == "双方签订战略合作协议。"
    assert close_sentence("他说：“要加快步伐。”之后") == "他说：“要加快步伐。”"


def test_a_lone_fragment_is_closed():
    assert close_sentence("双方签订战略合作协议，") == "双方签订战略合作协议。"
    assert close_sentence("双方签订战略合作协议") == "双方签订战略合作协议。"
    assert close_sentence("，") == ""


@pytest.mark.parametrize("finished", ["签订协议。", "签订协议了吗？", "他说：“好。”", ""])
def test_finished_text_is_kept(finished):
    assert close_sentence(finished) == finished


def test_fit_chars_prefers_whole_sentences_then_clauses():
    text = "第一句话很短。第二句话稍微长一些，有两个分句。"
    assert fit_chars(text, len(text)) == text
    assert fit_chars(text, 10) == "第一句话很短。"
    assert fit_chars("第二句话稍微长一些，有两个分句。", 12) == "第二句话稍微长一些。"
    assert fit_chars("没有任何标点的一句很长的话", 6) == "没有任何标。"


def test_tidy_summary_combines_the_steps():
    assert tidy_summary(" 推进 开放，推进 开放，，。科技 创新") == "推进开放。"
    assert tidy_summary("增\ufffd长\ufffd") == "增长。"


@given(st.text(alphabet="成都经开区合作，。、 5", max_size=80), st.integers(min_value=1, max_value=60))
def test_tidy_then_fit_stays_within_budget_and_ends_a_sentence(raw, budget):
    text = fit_chars(tidy_summary(raw), budget)
    assert len(text) <= budget
    assert text == "" or text[-1] in "。！？"
