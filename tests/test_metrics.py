"""Metrics on cases small enough to compute by hand, and the properties every score must keep."""
from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given, strategies as st

from nlp.metrics import (lcs_length, lead, rouge, rouge_l, rouge_n, rouge_units, sentence_translation_scores,
                         translation_scores)

from repo_data import PARALLEL  # noqa: E402


def test_rouge_on_a_two_sentence_example_computed_by_hand():
    # reference "警方抓获嫌疑人。案件正在审理。" -> 13 units: 警 方 抓 获 嫌 疑 人 案 件 正 在 审 理
    # candidate "警方抓获两名嫌疑人。案件审理中。" -> 14 units: 警 方 抓 获 两 名 嫌 疑 人 案 件 审 理 中
    # ROUGE-1: shared characters 警方抓获 + 嫌疑人 + 案件 + 审理 = 11;  F1 = 2*11 / (14+13) = 22/27
    # ROUGE-2: candidate has 13 bigrams, reference 12; shared: 警方 方抓 抓获 嫌疑 疑人 人案 案件 审理 = 8
    #          (the punctuation is gone, so 人案 spans the sentence break in both);  F1 = 2*8 / (13+12) = 16/25
    # ROUGE-L: LCS = 警方抓获嫌疑人案件审理 = 11;  P = 11/14, R = 11/13, F1 = 22/27
    reference = "警方抓获嫌疑人。案件正在审理。"
    candidate = "警方抓获两名嫌疑人。案件审理中。"
    scores = rouge(candidate, reference)
    assert scores["rouge1"].f1 == pytest.approx(float(Fraction(22, 27)))
    assert scores["rouge2"].f1 == pytest.approx(float(Fraction(16, 25)))
    assert scores["rouge2"].precision == pytest.approx(8 / 13)
    assert scores["rouge2"].recall == pytest.approx(8 / 12)
    assert scores["rougeL"].precision == pytest.approx(11 / 14)
    assert scores["rougeL"].recall == pytest.approx(11 / 13)
    assert scores["rougeL"].f1 == pytest.approx(float(Fraction(22, 27)))


def test_lcs_of_the_textbook_pair():
    # Cormen et al.: LCS(ABCBDAB, BDCABA) = 4 (e.g. BCBA)
    assert lcs_length(list("ABCBDAB"), list("BDCABA")) == 4
    assert rouge_l("BDCABA", "ABCBDAB").f1 == pytest.approx(2 * 4 / (6 + 7))


def test_rouge_l_rewards_order_where_rouge_1_does_not():
    # same characters, reversed clause order: ROUGE-1 is perfect, the LCS is only half
    reference, candidate = "甲乙丙丁", "丙丁甲乙"
    assert rouge_n(candidate, reference, 1).f1 == 1.0
    assert lcs_length(rouge_units(candidate), rouge_units(reference)) == 2
    assert rouge_l(candidate, reference).f1 == pytest.approx(0.5)


def test_units_are_characters_without_whitespace_and_punctuation():
    assert rouge_units("GDP 增长5.2%。") == ["g", "d", "p", "增", "长", "5", "2"]
    assert rouge_units("“两会”在京召开！\n") == list("两会在京召开")
    # full-width digits and letters count as their ASCII forms
    assert rouge("２０２３年ＧＤＰ", "2023年gdp")["rougeL"].f1 == 1.0


@pytest.mark.parametrize("candidate, reference", [("", "今天下雨"), ("今天下雨", ""), ("", ""), ("。！", "，")])
def test_rouge_of_an_empty_side_is_zero(candidate, reference):
    for score in rouge(candidate, reference).values():
        assert (score.precision, score.recall, score.f1) == (0.0, 0.0, 0.0)


def test_rouge_2_of_single_characters_is_zero():
    assert rouge_n("国", "国", 2).f1 == 0.0
    assert rouge_n("国", "国", 1).f1 == 1.0


@given(st.text(alphabet="国务院发布通知。，0123", max_size=30), st.text(alphabet="国务院发布通知。，0123", max_size=30))
def test_rouge_f1_is_symmetric_and_bounded(a, b):
    for key in ("rouge1", "rouge2", "rougeL"):
        ab, ba = rouge(a, b)[key], rouge(b, a)[key]
        assert ab.f1 == pytest.approx(ba.f1)
        assert 0.0 <= ab.f1 <= 1.0
    if rouge_units(a):
        assert rouge(a, a)["rouge1"].f1 == 1.0
        assert rouge(a, a)["rougeL"].f1 == 1.0


@pytest.mark.parametrize("number", range(1, 8))
def test_bleu_chrf_and_chrf_plus_plus_of_identity_are_100(number):
    reference = (PARALLEL / f"{number:03d}.en.txt").read_text(encoding="utf-8")
    scores = translation_scores([reference], [reference])
    assert {name: s.score for name, s in scores.items()} == {"bleu": 100.0, "chrf": 100.0, "chrf++": 100.0}
    assert set(sentence_translation_scores(reference, reference).values()) == {100.0}


def test_signatures_name_the_tokenizer_and_word_order():
    scores = translation_scores(["The law takes effect in April."], ["The law will take effect on April 1."])
    assert "tok:13a" in scores["bleu"].signature
    assert "nw:0" in scores["chrf"].signature
    assert "nw:2" in scores["chrf++"].signature
    assert 0 < scores["bleu"].score < scores["chrf"].score < 100


def test_translation_scores_of_empty_segments_are_zero():
    scores = translation_scores([""], ["The law takes effect."])
    assert {s.score for s in scores.values()} == {0.0}


def test_translation_scores_need_matching_non_empty_lists():
    with pytest.raises(ValueError, match="as many references"):
        translation_scores([], [])
    with pytest.raises(ValueError, match="as many references"):
        translation_scores(["a", "b"], ["a"])


def test_lead_takes_the_first_three_sentences():
    text = "第一句。第二句！第三句？第四句。"
    assert lead(text) == "第一句。第二句！第三句？"
    assert lead(text, sentences=1) == "第一句。"
    assert lead("只有一句") == "只有一句"
    assert lead("") == ""
