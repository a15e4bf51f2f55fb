"""The repository runs on its own: no code, test or benchmark reads a path outside its root.

A clone has nothing beside it, so every path a module builds from its own location must stay
inside the repository, and no string may name the team folder that sits beside the checkout on
the build machines (its seed and corpus now live in tests/data).
"""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SIBLING = re.compile(r"\.\./+" + "shared" + r"\b|\b" + "shared" + r"/(corpus|seed)\b")
SOURCES = sorted(p for folder in ("nlp", "tests", "benchmarks", "configs") for p in (ROOT / folder).rglob("*.py")
                 if "data" not in p.relative_to(ROOT).parts) + [ROOT / "app.py"]


def _escapes(path: Path) -> list[str]:
    """`Path(__file__)...parents[N]` or `.parent` chains that leave the root, and literals naming the sibling."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Attribute) \
                and node.value.attr == "parents" and isinstance(node.slice, ast.Constant) \
                and isinstance(node.slice.value, int):
            if not path.parents[node.slice.value].is_relative_to(ROOT):
                found.append(f"line {node.lineno}: parents[{node.slice.value}] leaves the repository")
        elif isinstance(node, ast.Attribute) and node.attr == "parent":
            depth, inner = 0, node
            while isinstance(inner, ast.Attribute) and inner.attr == "parent":
                depth, inner = depth + 1, inner.value
            if _is_file_path(inner) and not path.parents[depth - 1].is_relative_to(ROOT):
                found.append(f"line {node.lineno}: .parent x{depth} leaves the repository")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and SIBLING.search(node.value):
            found.append(f"line {node.lineno}: string {node.value[:40]!r} points outside")
    return found


def _is_file_path(node) -> bool:
    text = ast.unparse(node)
    return "__file__" in text


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_path_leaves_the_repository(path):
    assert _escapes(path) == []


def test_the_checker_sees_an_escape(tmp_path):
    """The scan itself must be able to fail."""
    bad = ROOT / "tests" / "_escape_probe.py"
    sibling = "sha" + "red"
    bad.write_text(f'from pathlib import Path\nA = Path(__file__).resolve().parents[2] / "{sibling}"\n'
                   f'B = Path(__file__).parent.parent.parent\nC = "../{sibling}/seed"\n', encoding="utf-8")
    try:
        assert len(_escapes(bad)) == 3
    finally:
        bad.unlink()


def test_shipped_data_is_complete():
    """What the tests read is in tests/data: the seed, 40 corpus posts, 7 parallel pairs, the manifest."""
    data = ROOT / "tests" / "data"
    assert (data / "seed" / "000_f89112927f6a09e8.txt").is_file()
    assert len(list((data / "corpus" / "posts").glob("*.md"))) == 40
    assert len(list((data / "corpus" / "parallel").glob("*.zh.txt"))) == 7
    manifest = (data / "corpus" / "MANIFEST.tsv").read_text(encoding="utf-8")
    for post in (data / "corpus" / "posts").glob("*.md"):
        assert f"\n{post.name}\t" in manifest, post.name
