"""zh→en translation with a tiny random-weight Marian loaded through the real runtime.

Random weights say nothing about wording: translations are compared with themselves (a text
alone against inside a batch, a text against its sentences), and the model's inputs are inspected.
"""
from __future__ import annotations

import io
import os
import subprocess
import sys
import time
from dataclasses import replace

import pytest

from model_factory import chinese_corpus
from nlp.cli import main
from nlp.config import TranslatorConfig, load_config
from nlp.glossary import Glossary
from nlp.text import chinese_ratio, split_sentences
from nlp.translate import Seq2SeqTranslator, make_translator, substitute_terms, translation_sentences

RAILWAY = "China-Europe Railway Express"


@pytest.fixture(scope="module")
def glossary(tmp_path_factory):
    path = tmp_path_factory.mktemp("glossary") / "terms.tsv"
    path.write_text(f"中欧班列\t{RAILWAY}\n营商环境\tbusiness environment\n", encoding="utf-8")
    return Glossary.load([path])


@pytest.fixture(scope="module")
def config(tiny_marian):
    return replace(TranslatorConfig(), model=str(tiny_marian))


@pytest.fixture(scope="module")
def translator(config, glossary):
    return make_translator(config, replace(load_config().runtime, dtype="float32"), glossary)  # batch-independent


@pytest.fixture(scope="module")
def paragraphs():
    """Real multi-sentence paragraphs of different lengths."""
    found = [line for line in chinese_corpus()
             if 2 <= len(split_sentences(line)) <= 4 and len(line) < 160 and chinese_ratio(line) > 0.9]
    return found[::max(len(found) // 6, 1)][:6]


def test_each_text_gets_its_own_translation_in_order(translator, paragraphs):
    alone = [translator.translate([text])[0] for text in paragraphs]
    assert len(set(alone)) == len(paragraphs)  # distinct, so a mix-up would show
    assert translator.translate(paragraphs) == alone
    assert translator.translate(paragraphs[::-1]) == alone[::-1]


def test_a_text_is_translated_sentence_by_sentence_and_joined(translator, paragraphs):
    for text in paragraphs[:3]:
        sentences = translation_sentences(text)
        assert translator.model_inputs(text) == sentences
        assert translator.translate([text]) == [" ".join(translator.translate(sentences))]


def test_titles_share_the_batch_with_abstracts(translator, paragraphs):
    titles = ["国务院发布新政策", "中欧班列开行数量创新高"]
    together = translator.translate(paragraphs[:2] + titles)
    assert together[2:] == translator.translate(titles) and all(together)


def test_a_sentence_too_long_for_the_model_is_split_not_cut(translator, paragraphs):
    clauses = [sentence.rstrip("。！？；") for text in paragraphs for sentence in split_sentences(text)]
    text = "，".join(clauses * 2) + "。"  # one sentence, far beyond the window
    limit = translator.max_tokens
    assert translator.seq2seq.count_tokens([text])[0] > limit
    units = translator.model_inputs(text)
    assert len(units) > 1 and max(translator.seq2seq.count_tokens(units)) <= limit
    assert "".join("".join(units).split()) == "".join(text.split())  # nothing lost, order kept
    assert translator.translate([text])[0]


def test_the_window_is_the_smaller_of_config_and_model(glossary, translator):
    model = translator.seq2seq
    narrow = Seq2SeqTranslator(model, replace(TranslatorConfig(), max_input_tokens=12), glossary)
    text = "今年前三季度全省经济增长百分之五，高于全国平均水平，就业形势总体稳定。"
    assert narrow.max_tokens == 12 and len(narrow.model_inputs(text)) > 1
    assert translator.max_tokens == min(TranslatorConfig().max_input_tokens, model.max_input_tokens)


def test_the_model_gets_the_untouched_chinese_by_default(translator):
    text = "中欧班列开行数量增长，营商环境持续优化。"
    assert translator.model_inputs(text) == [text]


def test_glossary_injection_is_opt_in(translator, glossary, config):
    text = "中欧班列开行数量增长，营商环境持续优化。"
    injecting = Seq2SeqTranslator(translator.seq2seq, config, glossary, inject=True)
    (unit,) = injecting.model_inputs(text)
    assert RAILWAY in unit and "business environment" in unit
    assert "中欧班列" not in unit and "营商环境" not in unit
    assert substitute_terms("没有术语的句子。", glossary) == "没有术语的句子。"


def test_translation_input_is_split_at_sentence_ends_only():
    long_sentence = "，".join(["各地区各部门认真贯彻落实党中央决策部署"] * 12) + "。"
    assert len(long_sentence) > 150
    text = f"{long_sentence}一是加强通道建设；二是创新金融工具！Is it? 最后一句"
    assert translation_sentences(text) == [long_sentence, "一是加强通道建设；二是创新金融工具！", "Is it?", "最后一句"]


def test_terms_that_did_not_come_through_are_reported(translator):
    texts = ["中欧班列开行数量增长。", "今天天气很好。"]
    with_term, without = translator.translate_with_report(texts)
    assert [t.text for t in (with_term, without)] == translator.translate(texts)
    assert RAILWAY.lower() not in with_term.text.lower()  # random weights: the term did not come through
    assert [term.en for term in with_term.missing_terms] == [RAILWAY]
    assert without.missing_terms == ()


def test_empty_texts_stay_empty(translator):
    assert translator.translate(["", "中欧班列。", ""])[::2] == ["", ""]
    assert translator.translate([]) == []


def test_cli_prints_one_line_per_input_sentence(tiny_marian, tmp_path, capsys, monkeypatch, paragraphs):
    text = "\n".join(paragraphs[:2])
    expected = len(translation_sentences(text))
    settings = ["--set", f"translator.model={tiny_marian}", "--set", "glossary.enforce=false"]
    monkeypatch.setattr(sys, "stdin", io.StringIO(text))
    assert main(["translate", "-", *settings]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == expected and all(lines)
    source = tmp_path / "input.txt"
    source.write_text(text, encoding="utf-8")
    assert main(["translate", str(source), *settings]) == 0
    assert capsys.readouterr().out.splitlines() == lines


def test_cli_with_a_missing_model_exits_2_quickly_with_one_line():
    env = {k: v for k, v in os.environ.items() if k not in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE")}
    start = time.monotonic()
    command = [sys.executable, "-m", "nlp", "translate", "-",
               "--set", "translator.model=nonexistent/model", "--set", "glossary.enforce=false"]
    result = subprocess.run(command, input="国务院发布了新的政策。", capture_output=True, text=True, env=env,
                            timeout=60)
    assert time.monotonic() - start < 10
    assert result.returncode == 2 and result.stdout == ""
    (line,) = result.stderr.strip().splitlines()
    assert "nonexistent/model" in line and "nlp models pull" in line
