"""Shared fixtures: tiny random-weight models of the real classes, built once per test session.

Tests never reach a model hub: HF_HUB_OFFLINE is set before anything imports transformers. The
models folder (where `nlp models pull` stores models and identities are recorded) is a temporary
one, so the tests never write into the user's own.
Tiny models run single-threaded: on a shared machine, OpenMP threads waiting for a busy core
make them tens of times slower (runtime.threads 0 follows OMP_NUM_THREADS).
"""
from __future__ import annotations

import atexit
import os
import shutil
import tempfile

os.environ.setdefault("HF_HUB_OFFLINE", "1")
if "NLP_MODELS_DIR" not in os.environ:
    os.environ["NLP_MODELS_DIR"] = tempfile.mkdtemp(prefix="nlp-test-models-")
    atexit.register(shutil.rmtree, os.environ["NLP_MODELS_DIR"], ignore_errors=True)
os.environ.setdefault("OMP_NUM_THREADS", "1")

import pytest  # noqa: E402

from model_factory import (build_tiny_bart, build_tiny_marian, build_tiny_mt5, build_tiny_quickmt,  # noqa: E402
                           build_tiny_qwen2)


@pytest.fixture(scope="session")
def tiny_marian(tmp_path_factory):
    """Folder of a tiny MarianMTModel zh→en, laid out like Helsinki-NLP/opus-mt-zh-en."""
    return build_tiny_marian(tmp_path_factory.mktemp("models") / "tiny-marian")


@pytest.fixture(scope="session")
def tiny_mt5(tmp_path_factory):
    """Folder of a tiny MT5ForConditionalGeneration with a SentencePiece T5 tokenizer."""
    return build_tiny_mt5(tmp_path_factory.mktemp("models") / "tiny-mt5")


@pytest.fixture(scope="session")
def tiny_bart(tmp_path_factory):
    """Folder of a tiny BartForConditionalGeneration with a byte-level BPE tokenizer."""
    return build_tiny_bart(tmp_path_factory.mktemp("models") / "tiny-bart")


@pytest.fixture(scope="session")
def tiny_qwen2(tmp_path_factory):
    """Folder of a tiny Qwen2ForCausalLM instruction model (byte-level BPE, ChatML chat template)."""
    return build_tiny_qwen2(tmp_path_factory.mktemp("models") / "tiny-qwen2")


@pytest.fixture(scope="session")
def tiny_quickmt(tmp_path_factory):
    """Folder of a tiny CTranslate2-native zh→en translator laid out like quickmt/quickmt-zh-en."""
    return build_tiny_quickmt(tmp_path_factory.mktemp("models") / "tiny-quickmt")
