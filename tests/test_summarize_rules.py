"""An extract that reads on its own (issue 12 item 3): no connective or unresolved reference at
the start, no numbered-list fragments, quotations whole, and the title's fact preferred.
Sentences are real: from the corpus posts (tests/data/corpus) unless a test says otherwise."""
from __future__ import annotations

import re
from dataclasses import replace

import pytest

from nlp.article import Article
from nlp.clean import clean_article
from nlp.config import ExtractiveConfig, load_config
from nlp.extractive import ExtractiveSummarizer, first_word, whole_sentences
from nlp.headline import states_title_fact, title_facts
from nlp.posts import read_post
from nlp.quotable import dependency, is_list_fragment, opens_quote, quotes_balanced

from repo_data import CORPUS, SEED

POSTS = sorted((CORPUS / "posts").glob("*.md")) + [SEED]
SENTENCE = re.compile(r".+?[。！？!?…]+[”’」』）)]*")

CONNECTIVE_STARTS = [  # p004, p007, p009, h004
    "值得一提的是，此次建设的地铁列车研制时间只有短短六个月，而且这还是中国标准化地铁列车首次在海外实际测试。",
    "此外，2019年的一年时间内，该公司多次被城市管理行政执法局处罚。",
    "同时，全市重点商贸企业、综合体和特色街区、汽车销售企业、家电家居销售企业、重点餐饮企业等将投放各类折扣让利资金约10亿元。",
    "另外，标准化地铁列车还运用了新型节能技术，增加了智能运维系统，实现了性能升级。",
    "但讲师给她的回复是，“我们可以退钱，但你需要学完整个课程，然后写论文，官方认定你得80分以上，才可以退钱。”",
]
REFERENCE_STARTS = [  # p007, p004, p016, h004
    "该公司因销售不合格产品被罚38万余元。",
    "此次暖冬消费季活动，主要基于三方面的考虑：更好满足人民美好生活需要的有力支撑。",
    "上述11省份差异较大。",
    "这一问题，本研究提出了视觉表征学习框架SPA，通过增强三维空间感知来提高在具身智能任务中的表示学习能力。",
]
STANDALONE = [  # p007, p004, p012
    "上海市市场监管局网站披露，近日，叮咚买菜关联公司上海壹佰米网络科技有限公司（以下简称：当事人）新增一则行政处罚。",
    "11月23日，济南市委市政府召开新闻发布会，围绕“2021年济南暖冬消费季”有关情况进行发布解读。",
    "近段时间，家在广州的张女士一直在维权，本以为是在为知识付费，结果发现自己却是理财营“镰刀”下的一根“韭菜”。",
    "但凡涉及食品安全的问题，市场监管部门都将依法从严查处。",  # 但凡 is not 但 (written for this test)
    "以上海为例，今年以来共查处相关案件20件。",  # 以上海 is not 以上 (written for this test)
]


def summarise(article: Article, **settings) -> str:
    return ExtractiveSummarizer(replace(ExtractiveConfig(), **settings)).summarize(article).text


@pytest.fixture(scope="module")
def corpus() -> dict[str, Article]:
    config = load_config().clean
    articles = {}
    for path in POSTS:
        post = read_post(path)
        title = post.data.get("title")
        articles[path.name] = clean_article(post.body, str(title) if title is not None else None, config)
    return articles


@pytest.mark.parametrize("sentence", CONNECTIVE_STARTS)
def test_connectives_are_recognised(sentence):
    assert dependency(sentence, first_word(sentence)) == "connective"


@pytest.mark.parametrize("sentence", REFERENCE_STARTS)
def test_references_are_recognised(sentence):
    assert dependency(sentence, first_word(sentence)) == "reference"


@pytest.mark.parametrize("sentence", STANDALONE)
def test_standalone_sentences_are_not_flagged(sentence):
    assert dependency(sentence, first_word(sentence)) is None


@pytest.mark.parametrize("dependent", CONNECTIVE_STARTS + REFERENCE_STARTS)
def test_a_dependent_sentence_never_opens_the_abstract_even_when_it_ranks_first(dependent):
    article = Article(None, (), (dependent, *STANDALONE[:3]))
    text = summarise(article, lead_weight=1.0, title_weight=0.0, max_chars=len(dependent) + 200)
    assert text and not text.startswith(dependent)


def test_a_connective_may_follow_any_earlier_sentence_and_a_reference_only_its_own():
    lead, other = STANDALONE[0], STANDALONE[2]
    connective, reference = CONNECTIVE_STARTS[1], REFERENCE_STARTS[0]
    room = len(lead) + len(connective) + len(reference)
    # the reference's antecedent (the sentence right before it) is too long for the budget
    article = Article(None, (), (lead, connective, other * 2, reference))
    text = summarise(article, lead_weight=0.5, title_weight=0.0, max_chars=room, redundancy=1.0)
    assert text.startswith(lead) and connective in text and reference not in text
    article = Article(None, (), (lead, reference, connective))
    assert summarise(article, lead_weight=0.5, title_weight=0.0, max_chars=room, redundancy=1.0) == (
        lead + reference + connective)


def test_no_corpus_abstract_opens_with_a_connective_or_a_reference(corpus):
    for name, article in corpus.items():
        text = summarise(article)
        first = SENTENCE.match(text)
        if first:
            assert dependency(first.group(0), first_word(first.group(0))) is None, (name, text[:60])


@pytest.mark.parametrize("fragment", [
    "2．问题项目解读",  # p006
    "3．问题产品解读",  # p006
    "1.  数据来源于网络，无法保证数据可通过审核；",  # a corpus README list
    "（二）致病性微生物、农药残留、兽药残留、生物毒素、重金属等污染物质以及其他危害人体健康的物质含量超过食品安全标准限量的……”",  # p007
    "第二，加快推进城市更新。",
    "主要措施包括：1．实施消费促进行动；2．推进城市更新。",
])
def test_list_fragments_are_recognised(fragment):
    assert is_list_fragment(fragment)


@pytest.mark.parametrize("sentence", [
    "1—7月，四川生态环境系统共查处环境违法案件2111件，罚款金额1.54亿元，同比上升30%。",  # p003
    "2021.10.1起施行。",
    "第二届中国国际进口博览会将于11月5日开幕。",
    STANDALONE[1],
])
def test_numbers_and_ordinals_are_not_list_markers(sentence):
    assert not is_list_fragment(sentence)


def test_list_items_are_never_quoted_even_when_they_rank_first():
    items = ("1．实施食用农产品“不安全、不上市”三年行动。", "2．提升深圳食用农产品质量安全水平。",  # p006 headings
             "3．应科学施药，严格执行施药剂量和用药后的休药期。")
    body = "本月抽检食用菌61批次，全部合格，合格率为100%。"  # p006
    article = Article("深圳食用农产品质量安全监测", (), (*items, body))
    text = summarise(article, lead_weight=1.0, title_weight=0.0, max_chars=400)
    assert text == body


def test_no_corpus_abstract_quotes_a_list_fragment(corpus):
    for name, article in corpus.items():
        for sentence in SENTENCE.findall(summarise(article, max_chars=300)):
            assert not is_list_fragment(sentence), (name, sentence)


def test_a_quotation_of_several_sentences_is_one_candidate(corpus):
    whole = whole_sentences(corpus["p012.md"])
    quote = ("“我当时觉得小白营里的一些课程还不错，再加上知识焦虑，就在2020年6月报名了6998元的进阶课程。"
             "当时实在是太轻信了，如果能有现在的谨慎，就不会入坑。”")
    assert quote in whole
    assert "当时实在是太轻信了，如果能有现在的谨慎，就不会入坑。”" not in whole


@pytest.mark.parametrize("text, balanced, left_open", [
    ("“我和对方沟通退款，对方一直拖延、打太极。", False, True),  # p012, cut by the sentence splitter
    ("即使在微博上发布了维权内容，对方也一直没来解决。”", False, False),
    ("“我和对方沟通退款，对方一直拖延、打太极。即使在微博上发布了维权内容，对方也一直没来解决。”", True, False),
    ('Ben Werdmuller 在其博客上发表题为 "American AI is locked down and proprietary.', False, True),  # j004
    ("（以下简称：当事人）新增一则行政处罚。", True, False),
])
def test_quotes_balanced_and_left_open(text, balanced, left_open):
    assert quotes_balanced(text) is balanced
    assert opens_quote(text) is left_open


def test_corpus_abstracts_keep_quotes_balanced_and_never_end_on_an_open_quote(corpus):
    for name, article in corpus.items():
        for budget in (60, 160, 300):
            text = summarise(article, max_chars=budget)
            if text and all(quotes_balanced(s) for s in whole_sentences(article)):
                assert quotes_balanced(text), (name, budget, text)
            assert not text.rstrip().endswith(("“", "「", "『", "‘")), (name, text)


def test_title_similarity_moves_the_choice(corpus):
    """p018's title announces the 陆海空天 operation; its long first sentence does not mention it."""
    article = corpus["p018.md"]
    without = summarise(article, title_weight=0.0)
    with_title = summarise(article)
    assert "陆海空天" not in without and "陆海空天" in with_title
    assert states_title_fact(with_title, article.title) and not states_title_fact(without, article.title)


def test_the_title_decides_between_two_leads_of_equal_rank():
    first, second = STANDALONE[1], STANDALONE[0]  # two unrelated leads, one budget
    budget = max(len(first), len(second))
    for title, expected in (("济南暖冬消费季即将开启", first), ("叮咚买菜关联公司被罚", second)):
        article = Article(title, (), (first, second))
        assert summarise(article, lead_weight=0.0, title_weight=0.9, max_chars=budget) == expected


def test_title_facts_are_entities_and_numbers_in_any_written_form():
    title = "1-7月四川查处环境违法案件2111件 罚款金额1.54亿元"  # p003
    facts = title_facts(title)
    assert "四川" in facts.entities and {"2111", "154000000"} <= facts.numbers
    stated = "今年1至7月，四川共查处环境违法案件2111件，罚款金额15400万元。"
    assert states_title_fact(stated, title)
    assert not states_title_fact("四川共查处环境违法案件2111件。", title)
    assert states_title_fact("无关的句子。", "知名企业被罚") is None  # nothing to check
