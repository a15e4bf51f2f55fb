"""Abstractive summaries with tiny random-weight mT5 and BART loaded through the real runtime.

Random weights say nothing about wording, so these tests assert structure: what reaches
`generate` (chunks within the token budget, nothing cut or lost, in order), the length of the
result, determinism, and how `make_summarizer` chooses and falls back.
"""
from __future__ import annotations

import time
from dataclasses import replace

import pytest

from nlp.article import Article
from nlp.config import SummarizerConfig, load_config
from nlp.errors import ConfigError, ModelUnavailable, NlpError
from nlp.runtime import load_model
from nlp.abstractive import AbstractiveSummarizer
from nlp.extractive import ExtractiveSummarizer
from nlp.summarize import make_summarizer

from recording import RecordingModel
from repo_data import SEED
PREFIX = {"mt5": "summarize: ", "bart": ""}


@pytest.fixture(scope="module")
def runtime():
    return replace(load_config().runtime, dtype="float32")  # outputs independent of their batch


@pytest.fixture(scope="module", params=["mt5", "bart"])
def kind(request):
    return request.param


@pytest.fixture(scope="module")
def model(kind, request, runtime):
    folder = request.getfixturevalue(f"tiny_{kind}")
    return load_model(str(folder), runtime, role="summarizer")


@pytest.fixture(scope="module")
def seed_article():
    from nlp.clean import clean_article
    from nlp.posts import read_post

    post = read_post(SEED)
    return clean_article(post.body, post.data["title"], load_config().clean)


def summarizer(model, kind, **settings):
    config = replace(SummarizerConfig(), prefix=PREFIX[kind], max_new_tokens=8, num_beams=2, **settings)
    return AbstractiveSummarizer(RecordingModel(model), config)


def test_articles_summarised_together_share_each_rounds_call_and_match_alone(model, kind, seed_article):
    short = Article(None, ("双方签订战略合作协议。",), ("双方签订战略合作协议。",))
    articles = [seed_article, short, Article(None, (), ()), seed_article]
    singles = [summarizer(model, kind, max_input_tokens=48) for _ in articles]
    alone = [single.summarize(article) for single, article in zip(singles, articles)]
    together = summarizer(model, kind, max_input_tokens=48)
    assert together.summarize_many(articles) == alone
    assert len(alone[0].notes) == 1 and "rounds" in alone[0].notes[0]  # the seed takes several rounds
    assert len(together.model.calls) == len(singles[0].model.calls)  # one call per round for all four
    chunks = [chunk for single in singles for call in single.model.calls for chunk in call]
    assert sorted(chunk for call in together.model.calls for chunk in call) == sorted(chunks)  # the same work


def test_short_input_is_one_generate_call_with_the_prefix(model, kind):
    article = Article(None, ("双方签订战略合作协议。将加强合作。",), ("双方签订战略合作协议。", "将加强合作。"))
    summ = summarizer(model, kind)
    summary = summ.summarize(article)
    assert summ.model.calls == [[PREFIX[kind] + "双方签订战略合作协议。将加强合作。"]]
    assert summary.method == "abstractive" and summary.model == model.ref
    assert len(summary.text) <= summ.config.max_chars
    assert summary.text == "" or summary.text[-1] in "。！？"


def test_long_input_is_chunked_on_sentences_within_budget_and_nothing_is_cut(model, kind, seed_article):
    summ = summarizer(model, kind, max_input_tokens=100)
    summary = summ.summarize(seed_article)
    calls = summ.model.calls
    assert len(calls) >= 2 and len(calls[0]) > 1 and len(calls[-1]) == 1
    assert all(len(call) < len(previous) for previous, call in zip(calls, calls[1:]))
    for call in calls:
        assert all(text.startswith(PREFIX[kind]) for text in call)
        assert max(model.count_tokens(call)) <= 100
    first_round = [text[len(PREFIX[kind]):] for text in calls[0]]
    assert "".join(first_round) == "".join(seed_article.sentences)
    chunk_ends = {len("".join(first_round[: i + 1])) for i in range(len(first_round))}
    start = 0
    for sentence in seed_article.sentences:  # chunks break inside a sentence only if it is too long
        if model.count_tokens([PREFIX[kind] + sentence])[0] <= 100:
            assert not any(start < end < start + len(sentence) for end in chunk_ends), sentence
        start += len(sentence)
    assert any("chunks" in note for note in summary.notes)
    assert len(summary.text) <= summ.config.max_chars


def test_the_model_limit_applies_when_the_config_allows_more(model, kind, seed_article):
    summ = summarizer(model, kind, max_input_tokens=100_000)
    summ.summarize(seed_article)
    assert summ.limit == model.max_input_tokens
    assert all(max(model.count_tokens(call)) <= model.max_input_tokens for call in summ.model.calls)


def test_a_sentence_longer_than_the_budget_is_split_not_cut(model, kind):
    sentence = "，".join(f"第{i}项措施要求各地经开区加快对外开放步伐" for i in range(10)) + "。"
    summ = summarizer(model, kind, max_input_tokens=40)
    summ.summarize(Article(None, (sentence,), (sentence,)))
    first_round = [text[len(PREFIX[kind]):] for text in summ.model.calls[0]]
    assert len(first_round) > 1 and "".join(first_round) == sentence
    assert max(model.count_tokens(summ.model.calls[0])) <= 40


def test_character_budget_and_determinism(model, kind, seed_article):
    first = summarizer(model, kind, max_input_tokens=100, max_chars=20).summarize(seed_article)
    second = summarizer(model, kind, max_input_tokens=100, max_chars=20).summarize(seed_article)
    assert len(first.text) <= 20
    assert first == second


def test_summaries_that_do_not_shrink_stop_with_a_clear_error(tiny_mt5, runtime, seed_article):
    # mT5's SentencePiece output re-encodes to about as many tokens as were generated, so forced
    # 24-token summaries can never be combined within 24 input tokens (random byte-level BART
    # output decodes to broken bytes that tidying drops, so it is no use here)
    summ = summarizer(load_model(str(tiny_mt5), runtime), "mt5", max_input_tokens=24)
    summ.config = replace(summ.config, max_new_tokens=24, min_new_tokens=24, no_repeat_ngram_size=0)
    with pytest.raises(NlpError, match="max_new_tokens"):
        summ.summarize(seed_article)


def test_a_prefix_that_fills_the_budget_is_a_config_error(model):
    with pytest.raises(ConfigError, match="prefix"):
        AbstractiveSummarizer(model, replace(SummarizerConfig(), prefix="summarize: " * 50, max_input_tokens=20))


# --- make_summarizer ----------------------------------------------------------------------

def test_auto_uses_the_model_when_it_loads(tiny_mt5, runtime):
    config = replace(SummarizerConfig(), model=str(tiny_mt5), max_new_tokens=8, num_beams=1)
    summary = make_summarizer(config, runtime).summarize(Article(None, ("合作。",), ("合作。",)))
    assert summary.method == "abstractive" and summary.model == str(tiny_mt5)


def test_auto_falls_back_to_extractive_fast_and_says_why(runtime, seed_article):
    config = replace(SummarizerConfig(), model="nonexistent/model")
    start = time.monotonic()
    summary = make_summarizer(config, runtime).summarize(seed_article)
    assert time.monotonic() - start < 10
    assert summary.method == "extractive" and summary.model is None and summary.text
    assert "nonexistent/model" in summary.notes[0] and "used extractive" in summary.notes[0]


def test_abstractive_with_a_missing_model_raises(runtime):
    with pytest.raises(ModelUnavailable, match="nonexistent/model"):
        make_summarizer(replace(SummarizerConfig(), method="abstractive", model="nonexistent/model"), runtime)


def test_extractive_needs_no_model(runtime):
    config = replace(SummarizerConfig(), method="extractive", model="nonexistent/model")
    assert isinstance(make_summarizer(config, runtime), ExtractiveSummarizer)


def test_unknown_method_is_a_config_error(runtime):
    with pytest.raises(ConfigError, match="summarizer.method"):
        make_summarizer(replace(SummarizerConfig(), method="magic"), runtime)
