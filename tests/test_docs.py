"""Every Python block of README.md and docs/*.md runs, so the documentation cannot drift from the code.

Blocks run in order per file, sharing one namespace (a later block may use an earlier one's names),
from the repository root, offline. A block preceded by `<!-- not run: REASON -->` is skipped with
that reason shown.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
BLOCK = re.compile(r"(?:<!--\s*not run:\s*(?P<reason>[^>]*?)\s*-->\s*\n)?^```python[^\n]*\n(?P<code>.*?)^```",
                   re.S | re.M)


def python_blocks(text: str) -> list[tuple[str, str | None]]:
    return [(m["code"], m["reason"]) for m in BLOCK.finditer(text)]


def test_the_extractor_finds_blocks_and_markers():
    text = "a\n```python\nx = 1\n```\n<!-- not run: needs the real model -->\n```python\ny = 2\n```\n```bash\nz\n```\n"
    assert python_blocks(text) == [("x = 1\n", None), ("y = 2\n", "needs the real model")]


def test_the_readme_has_python_blocks():
    assert python_blocks((ROOT / "README.md").read_text(encoding="utf-8"))


def _with_code() -> list[Path]:
    return [doc for doc in DOCS if python_blocks(doc.read_text(encoding="utf-8"))]


@pytest.mark.parametrize("doc", _with_code(), ids=lambda p: p.name)
def test_python_blocks_run(doc, monkeypatch, capsys):
    blocks = python_blocks(doc.read_text(encoding="utf-8"))
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    namespace: dict = {"__name__": f"doc_{doc.stem}"}
    for number, (code, reason) in enumerate(blocks, 1):
        if reason is not None:
            assert reason.strip(), f"{doc.name} block {number}: a not-run marker must say why"
            continue
        exec(compile(code, f"{doc.name} python block {number}", "exec"), namespace)
    assert os.getcwd() == str(ROOT)


def test_the_package_says_its_version(capsys):
    from nlp import __version__
    from nlp.cli import main

    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0
    assert capsys.readouterr().out.strip() == f"nlp {__version__}"
    assert re.fullmatch(r"\d+\.\d+\.\d+.*", __version__)
