"""Library code logs through `logging`; the CLI shows INFO lines, -q only warnings, -v debug too."""
from __future__ import annotations

import logging
import shutil

from nlp.cli import main

from repo_data import SEED

CHINESE_ONLY = ["--set", "summarizer.method=extractive", "--set", "translator.enabled=false"]


def test_enrich_logs_one_line_per_post_and_quiet_silences_it(tmp_path, capsys):
    post = shutil.copy(SEED, tmp_path / "post.md")
    assert main(["enrich", str(post), *CHINESE_ONLY]) == 0
    captured = capsys.readouterr()
    assert f"updated: {post}" in captured.err
    assert captured.out.strip() == "1 updated, 0 unchanged, 0 stale, 0 skipped, 0 failed"
    assert main(["enrich", str(post), "-q", *CHINESE_ONLY]) == 0
    captured = capsys.readouterr()
    assert captured.err == "" and "1 unchanged" in captured.out
    assert main(["enrich", str(post), "-v", *CHINESE_ONLY]) == 0
    assert logging.getLogger("nlp").isEnabledFor(logging.DEBUG)
    assert f"unchanged: {post}" in capsys.readouterr().err


def test_a_missing_model_in_auto_mode_is_a_logged_warning(tmp_path, capsys):
    text = tmp_path / "text.txt"
    text.write_text("国务院发布了新的政策。各地认真贯彻落实。", encoding="utf-8")
    assert main(["summarize", str(text), "-q", "--set", f"summarizer.model={tmp_path / 'no-such-model'}"]) == 0
    err = capsys.readouterr().err
    assert "no-such-model" in err and "summarising extractively" in err
