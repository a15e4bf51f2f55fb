"""Faithfulness checks on constructed abstracts and on the real seed post."""
from __future__ import annotations


import pytest

from nlp.checks import repetition, run_checks
from nlp.clean import clean_article
from nlp.config import LimitsConfig, load_config
from nlp.glossary import Glossary
from nlp.posts import read_post

from repo_data import SEED  # noqa: E402
SOURCE = ("2021年12月9日，四川省生态环境厅通报，1-7月全省查处环境违法案件2111件，罚款金额1.54亿元，"
          "同比上升百分之八，结案率提高2个百分点。全省将持续优化营商环境，计划投资50亿元建设三个产业园。")


@pytest.fixture(scope="module")
def glossary() -> Glossary:
    return Glossary.load(load_config().glossary.files)


@pytest.fixture(scope="module")
def seed_sentences() -> tuple[str, tuple[str, ...]]:
    post = read_post(SEED)
    article = clean_article(post.body, post.data["title"], load_config().clean)
    return article.text, article.sentences


def number_warnings(abstract_zh: str, abstract_en: str | None = None, source: str = SOURCE) -> list[str]:
    return run_checks(source, abstract_zh, abstract_en, Glossary.empty())


# --- numbers against the source ---

@pytest.mark.parametrize("abstract", [
    "四川1-7月查处环境违法案件2111件，罚款1.54亿元。",
    "罚款金额同比上升8%，结案率提高两个百分点。",          # 百分之八 in the source
    "计划投资5,000,000,000元。",                           # 50亿元 in the source
    "12月9日，四川通报了查处情况。",                         # part of 2021年12月9日
    "2021年，四川将建设3个产业园。",                          # 三个 in the source; the year of the date
])
def test_numbers_written_another_way_are_supported(abstract):
    assert number_warnings(abstract) == []


@pytest.mark.parametrize("abstract, offending", [
    ("罚款金额2亿元。", "number 2亿"),
    ("罚款金额同比上升百分之九。", "percentage 百分之九"),
    ("结案率提高8个百分点。", "percentage points 8个百分点"),  # the source has 8%, not 8 points
    ("罚款金额同比上升2%。", "percentage 2%"),                 # the source has 2 points, not 2%
    ("12月19日，四川通报了查处情况。", "date 12月19日"),
    ("2022年，四川查处案件2111件。", "number 2022"),
])
def test_a_number_missing_from_the_source_is_flagged_by_name(abstract, offending):
    assert number_warnings(abstract) == [f"{offending} in abstract_zh not found in source"]


def test_each_unsupported_value_is_reported_once():
    assert len(number_warnings("罚款2亿元，又罚款2亿元，再罚2亿元。")) == 1


# --- numbers against the English abstract ---

ZH = "2021年12月9日，四川罚款1.54亿元，同比上升百分之八，计划投资50亿元建设三个产业园。"
ZH_SOURCE = ZH + "四川省生态环境厅表示，将继续加强执法，严厉打击各类环境违法行为。"


@pytest.mark.parametrize("english", [
    "On December 9, 2021, Sichuan imposed fines of 154 million yuan, up 8 percent year on year, "
    "and plans to invest 5 billion yuan in three industrial parks.",
    "On 9 December 2021 Sichuan fined 154,000,000 yuan (8% more) and will invest 5,000,000,000 yuan "
    "in 3 parks.",
])
def test_english_with_the_same_quantities_passes(english):
    assert number_warnings(ZH, english, source=ZH_SOURCE) == []


def test_english_with_a_wrong_or_lost_quantity_is_flagged():
    english = ("On December 19, 2021, Sichuan imposed fines of 154 million yuan, up 8 percent, "
               "and plans to invest 5 million yuan in three industrial parks.")
    assert number_warnings(ZH, english, source=ZH_SOURCE) == [
        "date 2021年12月9日 in abstract_zh missing from abstract_en",
        "number 50亿 in abstract_zh missing from abstract_en"]


def test_no_english_abstract_skips_the_english_checks(glossary):
    assert run_checks(SOURCE, "四川持续优化营商环境，投资50亿元。", None, glossary) == []


# --- glossary terms ---

def test_glossary_term_missing_from_english_is_flagged_and_present_is_not(glossary):
    zh = "四川将持续优化营商环境。"
    assert run_checks(SOURCE, zh, "Sichuan Province will keep improving its business environment.", glossary) == []
    assert run_checks(SOURCE, zh, "Sichuan Province will keep improving its business climate.", glossary) == [
        "term 营商环境 not rendered as 'business environment' in abstract_en"]


# --- shape of the abstract ---

@pytest.mark.parametrize("abstract", ["", "  \n "])
def test_empty_abstract(abstract, glossary):
    assert run_checks(SOURCE, abstract, "anything", glossary) == ["abstract_zh is empty"]


def test_empty_english_abstract():
    assert number_warnings("四川查处案件2111件。", " ") == ["abstract_en is empty"]


def test_copy_of_the_whole_source():
    assert number_warnings(SOURCE) == ["abstract_zh is the whole source text"]
    nearly = SOURCE.replace("，计划投资50亿元建设三个产业园", "")
    [warning] = number_warnings(nearly)
    assert warning == f"abstract_zh is {len(nearly) / len(SOURCE):.0%} of the source's length (a copy, not a summary)"
    assert run_checks(SOURCE, nearly, None, Glossary.empty(), LimitsConfig(max_abstract_share=0.95)) == []


@pytest.mark.parametrize("abstract, repeated", [
    ("四川查处环境违法案件2111件，四川查处环境违法案件2111件。", "四川查处环境违法案件2111件"),
    ("四川加强发展发展发展。", "发展"),
    ("四川优化营商环境优化营商环境。", "优化营商环境"),
])
def test_repetition_is_flagged_with_the_repeated_part(abstract, repeated):
    assert number_warnings(abstract) == [f"abstract_zh repeats itself: {repeated!r}"]


def test_looping_english_is_flagged():
    english = "Sichuan stepped up the development of the development of the development of zones."
    assert number_warnings("四川加强经开区发展。", english) == [
        "abstract_en repeats itself: 'the development of'"]


def test_untranslated_chinese_in_english_is_flagged():
    assert number_warnings("四川加强经开区发展。", "Sichuan 加强 the 经开区.") == [
        "abstract_en contains untranslated Chinese: 加强、经开区"]


def test_non_chinese_abstract_is_flagged_by_the_configured_ratio():
    abstract = "Sichuan handled environmental cases this year, 四川."
    assert number_warnings(abstract)[0].startswith("abstract_zh is not Chinese (")
    assert run_checks(SOURCE, abstract, None, Glossary.empty(), LimitsConfig(min_chinese_ratio=0.0)) == []


def test_latin_names_copied_from_the_source_do_not_make_an_abstract_foreign():
    source = "Apache APISIX 2.7.0 Release 正式发布！本次发布带来了新的插件。"
    assert run_checks(source, "Apache APISIX 2.7.0 Release 正式发布！", None, Glossary.empty()) == []
    warnings = run_checks(source, "Apache APISIX 2.7.0 is released with new plugins!", None, Glossary.empty())
    assert warnings[0].startswith("abstract_zh is not Chinese (")


# --- the real seed post ---

def test_seed_post_has_no_repetition(seed_sentences):
    text, _ = seed_sentences
    assert repetition(text) is None


def test_faithful_abstract_of_the_seed_runs_clean(seed_sentences, glossary):
    text, sentences = seed_sentences
    picked = [s for s in sentences if s.startswith(("在10日举行", "根据协议内容", "今年是"))]
    assert len(picked) == 3
    english = (
        "At the 2021 Sichuan, Chongqing and Xizang national-level economic and technological development "
        "zone exchange and cooperation symposium held on the 10th, the Chengdu International Railway Port "
        "Economic and Technological Development Zone signed strategic cooperation agreements with the "
        "Chongqing Economic and Technological Development Zone and the Lhasa Economic and Technological "
        "Development Zone in Xizang. Under the agreements, the three parties will cooperate in six areas: "
        "forging friendly development zones, building a corridor mechanism, cooperating on the enclave "
        "economy, integrating industries, creating new financial instruments and exchanging talent and "
        "officials. This year is the first year of the 14th Five-Year Plan, and national-level economic and "
        "technological development zones, especially those in western China, face new circumstances and "
        "new requirements.")
    assert run_checks(text, "".join(picked), english, glossary) == []
