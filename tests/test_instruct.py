"""Instruction (causal) models as summarisers, with a tiny random-weight Qwen2 on both backends.

Random weights say nothing about wording, so these tests assert what reaches the model (chat
prompts built from the configured template, chunks within the window that the answer leaves),
that both backends agree, and that the same checks and fallbacks apply as for seq2seq models.
"""
from __future__ import annotations

import shutil
from dataclasses import replace

import pytest

from nlp.cli import main
from nlp.config import ChatConfig, SummarizerConfig, load_config
from nlp.errors import ConfigError, ModelUnavailable
from nlp.instruct import ChatSummaryModel, answer_text
from nlp.posts import read_post
from nlp.runtime import convert_model, load_model
from nlp.abstractive import AbstractiveSummarizer
from nlp.summarize import AnnotatedSummarizer, make_summarizer

from recording import RecordingModel
from repo_data import SEED

CHAT = ChatConfig(system="你是新闻编辑。", prompt="请用不超过{max_chars}个字概括下文，只写文中陈述的事实：\n{text}")
FAST = dict(num_beams=1, no_repeat_ngram_size=0, max_new_tokens=12)


@pytest.fixture(scope="module")
def runtime(tmp_path_factory):
    return replace(load_config().runtime, models_dir=str(tmp_path_factory.mktemp("models-dir")),
                   compute_type="float32", dtype="float32")


@pytest.fixture(scope="module")
def qwen(tiny_qwen2, tmp_path_factory):
    """A copy of the tiny Qwen2, so that its conversion never reaches the shared fixture."""
    return shutil.copytree(tiny_qwen2, tmp_path_factory.mktemp("qwen") / "tiny-qwen2")


@pytest.fixture(scope="module")
def converted(qwen, runtime):
    """Its float32 CTranslate2 Generator conversion, written by `nlp models convert`'s code."""
    return convert_model(str(qwen), runtime)


@pytest.fixture(scope="module")
def seed_article():
    from nlp.clean import clean_article

    post = read_post(SEED)
    return clean_article(post.body, post.data["title"], load_config().clean)


def config(**settings) -> SummarizerConfig:
    return replace(SummarizerConfig(), chat=CHAT, **{**FAST, **settings})


def test_the_architecture_decides_the_kind_and_the_backend_follows_the_conversion(qwen, converted, runtime):
    torch_model = load_model(str(qwen), runtime, backend="transformers", role="summarizer")
    ct2_model = load_model(str(qwen), runtime, role="summarizer")  # auto: the conversion exists
    assert (torch_model.kind, torch_model.backend) == ("causal", "transformers")
    assert (ct2_model.kind, ct2_model.backend, ct2_model.path) == ("causal", "ctranslate2", converted)
    assert {p.name for p in converted.iterdir()} >= {"model.bin", "source_config.json", "chat_template.jinja"}


def test_both_backends_give_the_same_greedy_answers_and_only_the_answer(qwen, converted, runtime):
    reference = load_model(str(qwen), runtime, backend="transformers", role="summarizer")
    fast = load_model(str(qwen), runtime, backend="ctranslate2", role="summarizer")
    prompts = [reference.render_chat([{"role": "user", "content": text}])
               for text in ("双方签订战略合作协议。", "国务院召开常务会议，部署加强金融支持实体经济的措施。")] + [" "]
    assert prompts[0].startswith("<|im_start|>user\n双方签订战略合作协议。") and prompts[0].endswith("assistant\n"
                                                                                           "<think>\n\n</think>\n\n")
    expected = reference.generate(prompts, max_new_tokens=9, num_beams=1)
    assert fast.generate(prompts, max_new_tokens=9, num_beams=1) == expected
    assert expected[2] == "" and len(set(expected[:2])) == 2
    assert all("<|im_start|>" not in answer and "双方签订" not in answer for answer in expected)


@pytest.mark.parametrize("backend", ["transformers", "ctranslate2"])
def test_a_long_article_is_chunked_into_chat_prompts_within_the_window(qwen, converted, runtime, backend,
                                                                       seed_article):
    model = ChatSummaryModel(load_model(str(qwen), runtime, backend=backend), CHAT, 60, 12)
    recording = RecordingModel(model.model)
    model.model = recording
    summ = AbstractiveSummarizer(model, config(max_input_tokens=400, max_chars=60))
    summary = summ.summarize(seed_article)
    first_round = recording.calls[0]
    assert len(first_round) > 1 and len(recording.calls) >= 2
    assert all(p.startswith("<|im_start|>system\n你是新闻编辑。<|im_end|>\n<|im_start|>user\n请用不超过60个字概括下文")
               for p in first_round)
    assert max(recording.model.count_tokens(first_round)) <= 400
    bodies = [p.split("只写文中陈述的事实：\n", 1)[1].split("<|im_end|>", 1)[0] for p in first_round]
    assert "".join(bodies) == "".join(seed_article.sentences)  # every sentence, in order, nothing cut
    assert summary.method == "abstractive" and summary.model == str(qwen) and len(summary.text) <= 60
    assert any("chunks" in note for note in summary.notes)


def test_the_window_left_for_the_prompt_is_what_the_answer_does_not_need(qwen, runtime):
    model = load_model(str(qwen), runtime, backend="transformers")
    assert ChatSummaryModel(model, CHAT, 80, 100).max_input_tokens == model.max_input_tokens - 100
    prompt_only = model.count_tokens([ChatSummaryModel(model, CHAT, 80, 100).prompt("")])[0]
    for max_new_tokens in (model.max_input_tokens, model.max_input_tokens - prompt_only):
        with pytest.raises(ConfigError, match="leave no room for the article"):
            ChatSummaryModel(model, CHAT, 80, max_new_tokens)
    assert ChatSummaryModel(model, CHAT, 80, model.max_input_tokens - prompt_only - 1)


def test_make_summarizer_detects_an_instruction_model_and_the_kind_can_be_forced(qwen, tiny_mt5, runtime):
    summ = make_summarizer(config(model=str(qwen), backend="transformers"), runtime)
    assert isinstance(summ, AbstractiveSummarizer) and isinstance(summ.model, ChatSummaryModel)
    seq2seq = make_summarizer(config(model=str(tiny_mt5)), runtime)
    assert not isinstance(seq2seq.model, ChatSummaryModel)
    with pytest.raises(ModelUnavailable, match=str(tiny_mt5)):
        make_summarizer(config(model=str(tiny_mt5), kind="causal", method="abstractive"), runtime)
    with pytest.raises(ConfigError, match="summarizer.kind"):
        make_summarizer(config(model=str(qwen), kind="decoder"), runtime)


def test_a_model_without_a_chat_template_falls_back_like_a_missing_model(qwen, runtime, tmp_path):
    plain = shutil.copytree(qwen, tmp_path / "no-template", ignore=shutil.ignore_patterns("ctranslate2-*"))
    (plain / "chat_template.jinja").unlink()
    with pytest.raises(ModelUnavailable, match="chat template"):
        make_summarizer(config(model=str(plain), method="abstractive"), runtime)
    fallback = make_summarizer(config(model=str(plain)), runtime)
    assert isinstance(fallback, AnnotatedSummarizer) and "used extractive" in fallback.note


@pytest.mark.parametrize("prompt, problem", [("请概括。", "must contain {text}"), ("{text}{words}", "braces")])
def test_a_bad_prompt_template_is_a_config_error(qwen, runtime, prompt, problem):
    chat = replace(CHAT, prompt=prompt)
    with pytest.raises(ConfigError, match=problem):
        make_summarizer(replace(config(model=str(qwen), backend="transformers"), chat=chat), runtime)


@pytest.mark.parametrize("answer, expected", [
    ("<think>先看数字。</think>\n\n双方签订协议。", "双方签订协议。"),
    ("嗯，先看数字。</think>双方签订协议。", "双方签订协议。"),  # the template opened the block
    ("<think>还在想", ""),  # the answer never began
    ("摘要：**双方**签订协议。", "双方签订协议。"),
    ("## 摘要\n- 双方签订协议。\n- 将加强合作。", "摘要双方签订协议。将加强合作。"),
    ("1. 双方签订协议。\n2、将加强合作。", "双方签订协议。将加强合作。"),
    ("“双方签订协议。”", "双方签订协议。"),
    ("3.5%的增长来自出口。", "3.5%的增长来自出口。"),
    ("双方\x03签订\u200b协议。", "双方签订协议。"),
])
def test_answers_lose_reasoning_markup_labels_and_quotes(answer, expected):
    assert answer_text(answer) == expected


def test_cli_summarize_and_enrich_with_the_instruction_model_on_both_backends(qwen, converted, runtime,
                                                                              tiny_marian, tmp_path, capsys):
    settings = ["--set", f"summarizer.model={qwen}", "--set", "summarizer.method=abstractive",
                "--set", "runtime.compute_type=float32", "--set", "runtime.dtype=float32",
                "--set", "summarizer.num_beams=1",
                "--set", "summarizer.no_repeat_ngram_size=0", "--set", "summarizer.max_new_tokens=12",
                "--set", "summarizer.max_input_tokens=400", "--set", "summarizer.max_chars=60"]
    outputs = {}
    for backend in ("transformers", "ctranslate2"):
        assert main(["summarize", str(SEED), *settings, "--set", f"summarizer.backend={backend}"]) == 0
        out, err = capsys.readouterr()
        assert f"method: abstractive ({qwen})" in err and len(out.strip()) <= 60
        outputs[backend] = out
    assert outputs["transformers"] == outputs["ctranslate2"]
    post = tmp_path / "post.md"
    shutil.copy(SEED, post)
    assert main(["enrich", str(post), *settings, "--set", f"translator.model={tiny_marian}"]) == 0
    meta = read_post(post).data["abstract_meta"]
    assert meta["summarizer"] == f"{qwen} (abstractive)" and "abstract_zh" in read_post(post).data
