"""`nlp summarize FILE|-`: the abstract on stdout, the method and notes on stderr."""
from __future__ import annotations

import io
import re
import subprocess
import sys

from nlp.cli import main

from repo_data import SEED  # noqa: E402


def run(capsys, *argv):
    code = main(["summarize", *argv])
    out, err = capsys.readouterr()
    return code, out.strip(), err


def test_a_post_file_gives_an_extractive_abstract_without_front_matter_or_boilerplate(capsys):
    code, out, err = run(capsys, str(SEED), "--set", "summarizer.method=extractive")
    assert code == 0 and out and len(out) <= 160
    assert "method: extractive" in err
    assert "---" not in out and "title:" not in out and "编辑" not in out and "<p>" not in out
    raw = SEED.read_text(encoding="utf-8")
    assert all(sentence in raw for sentence in re.findall(r"[^。]+。", out))


def test_auto_without_the_model_falls_back_and_says_so(capsys, monkeypatch):
    text = "<p>成都国际铁路港经开区与重庆经开区签订战略合作协议。双方将加强产业合作。</p>"
    monkeypatch.setattr(sys, "stdin", io.StringIO(text))
    code, out, err = run(capsys, "-", "--set", "summarizer.model=nonexistent/model")
    assert code == 0 and out == "成都国际铁路港经开区与重庆经开区签订战略合作协议。双方将加强产业合作。"
    assert "method: extractive" in err and "nonexistent/model unavailable" in err


def test_abstractive_without_the_model_is_a_one_line_error(capsys):
    code, out, err = run(capsys, str(SEED), "--set", "summarizer.method=abstractive",
                         "--set", "summarizer.model=nonexistent/model")
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and "nonexistent/model" in err


def test_abstractive_with_a_local_model_folder(capsys, tiny_mt5):
    code, out, err = run(capsys, str(SEED), "--set", f"summarizer.model={tiny_mt5}",
                         "--set", "summarizer.max_new_tokens=8", "--set", "summarizer.num_beams=1",
                         "--set", "summarizer.max_chars=40")
    assert code == 0 and len(out) <= 40
    assert f"method: abstractive ({tiny_mt5})" in err


def test_text_with_nothing_left_after_cleaning_is_an_error_naming_the_input(capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO("<p><img src='a.png'></p>"))
    code, out, err = run(capsys, "-", "--set", "summarizer.method=extractive")
    assert code == 1 and out == "" and err.startswith("error: -:")


def test_python_dash_m_entry_point():
    command = [sys.executable, "-m", "nlp", "summarize", str(SEED), "--set", "summarizer.method=extractive"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and result.stdout.strip() and "method: extractive" in result.stderr
