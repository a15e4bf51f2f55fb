"""Licences in the open: `nlp models list` shows them, and configs/commercial.yaml is usable commercially
and runs (with tiny stand-ins of the same kinds: an instruction model and a quickmt-like folder)."""
from __future__ import annotations

import shutil

import pytest

from nlp.cli import main
from nlp.config import default_config_path, load_config
from nlp.posts import read_post
from nlp.runtime.licences import KNOWN_LICENCES, Licence, model_licence

from repo_data import SEED

COMMERCIAL = default_config_path().with_name("commercial.yaml")
CARD = "---\nlanguage:\n- zh\nlicense: {licence}\n---\n# A model\n"


def listed(capsys, *argv) -> dict[str, list[str]]:
    assert main(["models", "list", *argv]) == 0
    return {line.split("\t")[0]: line.split("\t") for line in capsys.readouterr().out.splitlines()}


def test_the_default_summarizer_is_shown_as_non_commercial(capsys):
    rows = listed(capsys)
    assert rows["summarizer"][-1] == "cc-by-nc-sa-4.0 (non-commercial) [known default]"
    assert rows["translator"][-1] == "apache-2.0 [known default]"


def test_the_model_card_of_a_local_copy_is_read(tiny_marian, tmp_path, capsys):
    folder = shutil.copytree(tiny_marian, tmp_path / "marian")
    assert listed(capsys, "--set", f"translator.model={folder}")["translator"][-1] == "licence unknown"
    (folder / "README.md").write_text(CARD.format(licence="cc-by-4.0"), encoding="utf-8")
    assert listed(capsys, "--set", f"translator.model={folder}")["translator"][-1] == "cc-by-4.0 [model card]"


@pytest.mark.parametrize("front_matter, expected", [
    ("license: other\nlicense_name: qwen-research", "qwen-research"),
    ("license: [apache-2.0", None),  # broken YAML: nobody says
    ("language: zh", None),
])
def test_odd_model_cards(tmp_path, front_matter, expected):
    (tmp_path / "README.md").write_text(f"---\n{front_matter}\n---\n", encoding="utf-8")
    assert model_licence("local/model", tmp_path).name == expected


@pytest.mark.parametrize("licence, commercial", [("apache-2.0", True), ("mit", True), ("cc-by-4.0", True),
                                                 ("cc-by-nc-4.0", False), ("cc-by-nc-sa-4.0", False),
                                                 ("qwen-research", False), (None, None)])
def test_commercial_use(licence, commercial):
    assert Licence(licence, "model card").commercial_use is commercial


def test_the_commercial_stack_is_commercially_usable(capsys):
    config = load_config(COMMERCIAL)
    for model in (config.summarizer.model, config.translator.model):
        assert model in KNOWN_LICENCES and model_licence(model, None).commercial_use
    rows = listed(capsys, "--config", str(COMMERCIAL))
    assert "non-commercial" not in rows["summarizer"][-1] + rows["translator"][-1]


def test_the_commercial_stack_runs_with_tiny_stand_ins(tiny_qwen2, tiny_quickmt, tmp_path):
    post = shutil.copy(SEED, tmp_path / "post.md")
    stand_ins = ["--set", f"summarizer.model={tiny_qwen2}", "--set", f"translator.model={tiny_quickmt}",
                 "--set", "summarizer.method=abstractive"]
    assert main(["enrich", str(post), "--config", str(COMMERCIAL), *stand_ins]) == 0
    data = read_post(post).data
    assert data["abstract_meta"]["summarizer"] == f"{tiny_qwen2} (abstractive)"
    assert data["abstract_meta"]["translator"] == str(tiny_quickmt)
    assert data["abstract_zh"] and data["abstract_en"] and data["title_en"]
