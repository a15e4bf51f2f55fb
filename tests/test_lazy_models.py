"""Models load on first use: a run over unchanged posts loads none and needs no model folder.

The pipeline identifies its models when it is built (the settings fingerprint depends on them)
and loads their weights only when a post needs an abstract; the identity of a model seen once is
recorded in the models folder, so the same settings still identify it after its folder is gone.
"""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from nlp import Pipeline
from nlp.cli import main
from nlp.deferred import Deferred
from nlp.posts import read_post

from model_factory import build_tiny_marian, build_tiny_mt5
from repo_data import POSTS_DIR

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def models(tmp_path):
    """Fresh tiny models (this test deletes them) and a models folder of this test's own."""
    return {"translator": build_tiny_marian(tmp_path / "marian"), "summarizer": build_tiny_mt5(tmp_path / "mt5"),
            "dir": tmp_path / "models-dir"}


def settings(models) -> dict:
    return {"summarizer.model": str(models["summarizer"]), "summarizer.method": "abstractive",
            "summarizer.max_new_tokens": 8, "summarizer.num_beams": 1, "translator.model": str(models["translator"]),
            "translator.num_beams": 1, "runtime.models_dir": str(models["dir"])}


def cli_settings(models) -> list[str]:
    return [arg for key, value in settings(models).items() for arg in ("--set", f"{key}={value}")]


def posts(tmp_path, count=3) -> Path:
    folder = tmp_path / "posts"
    folder.mkdir()
    for post in sorted(POSTS_DIR.glob("p0*.md"))[:count]:
        shutil.copy(post, folder)
    return folder


def test_building_a_pipeline_loads_no_model_and_the_first_abstract_loads_each_once(models, tmp_path):
    pipe = Pipeline.from_config(overrides=settings(models))
    assert isinstance(pipe.summarizer, Deferred) and isinstance(pipe.translator, Deferred)
    assert not pipe.summarizer.is_built and not pipe.translator.is_built
    folder = posts(tmp_path)
    first = [r.status for r in pipe.enrich_files(sorted(folder.iterdir()))]
    assert first == ["updated"] * 3 and pipe.summarizer.is_built and pipe.translator.is_built

    again = Pipeline.from_config(overrides=settings(models))
    assert again.settings_sha256 == pipe.settings_sha256  # the identity is the loaded models' identity
    assert [r.status for r in again.enrich_files(sorted(folder.iterdir()))] == ["unchanged"] * 3
    assert not again.summarizer.is_built and not again.translator.is_built


def test_threads_asking_at_once_build_one_model(models):
    pipe = Pipeline.from_config(overrides=settings(models))
    built = []
    threads = [threading.Thread(target=lambda: built.append(pipe.translator.built())) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(built) == 4 and all(b is built[0] for b in built)


def test_an_unchanged_folder_imports_neither_torch_nor_ctranslate2(models, tmp_path):
    folder = posts(tmp_path)
    assert main(["enrich", str(folder), *cli_settings(models)]) == 0
    script = ("import sys, nlp.cli; code = nlp.cli.main(sys.argv[1:]); "
              "print('loaded:', sorted(m for m in ('torch', 'ctranslate2', 'transformers') if m in sys.modules)); "
              "sys.exit(code)")
    run = subprocess.run([sys.executable, "-c", script, "enrich", str(folder), *cli_settings(models)], cwd=ROOT,
                         capture_output=True, text=True, env={"HF_HUB_OFFLINE": "1", "PATH": "/usr/bin:/bin"})
    assert run.returncode == 0, run.stderr
    assert "0 updated, 3 unchanged" in run.stdout and "loaded: []" in run.stdout


def test_with_the_model_folders_gone_unchanged_posts_still_pass_and_new_ones_say_what_is_missing(
        models, tmp_path, capsys):
    folder = posts(tmp_path)
    assert main(["enrich", str(folder), *cli_settings(models)]) == 0
    before = {p: p.read_bytes() for p in folder.iterdir()}
    shutil.rmtree(models["summarizer"])
    shutil.rmtree(models["translator"])
    capsys.readouterr()

    assert main(["enrich", str(folder), *cli_settings(models)]) == 0
    assert "0 updated, 3 unchanged" in capsys.readouterr().out
    assert {p: p.read_bytes() for p in folder.iterdir()} == before

    new = folder / "new.md"
    shutil.copy(sorted(POSTS_DIR.glob("p0*.md"))[5], new)
    assert main(["enrich", str(folder), *cli_settings(models)]) == 2
    err = capsys.readouterr().err
    assert "does not exist" in err and str(models["summarizer"]) in err and "Traceback" not in err
    assert {p: p.read_bytes() for p in folder.iterdir() if p != new} == before and "abstract_zh" not in \
        read_post(new).data


def test_other_settings_do_not_borrow_a_recorded_identity(models, tmp_path, capsys):
    folder = posts(tmp_path, count=1)
    assert main(["enrich", str(folder), *cli_settings(models)]) == 0
    recorded = json.loads((models["dir"] / "identities.json").read_text(encoding="utf-8"))
    assert {value["ref"] for value in recorded.values()} == {str(models["summarizer"]), str(models["translator"])}
    shutil.rmtree(models["translator"])
    capsys.readouterr()
    assert main(["enrich", str(folder), *cli_settings(models), "--set", "translator.backend=transformers"]) == 2
    assert f"translator model folder {models['translator']} does not exist" in capsys.readouterr().err


def test_a_models_folder_that_cannot_be_written_records_nothing_and_still_works(models, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    models["dir"] = blocker / "models"  # cannot be made, even by root
    pipe = Pipeline.from_config(overrides=settings(models))
    assert pipe.process_text("国务院发布了新的政策。", "政策").zh
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file", "marian", "mt5"]


def test_a_killed_run_s_half_written_record_is_removed_and_never_read(models, tmp_path):
    models["dir"].mkdir()
    (models["dir"] / ".identities.json.nlp-tmp-identities-k1ll3d_x").write_text('{"[', encoding="utf-8")
    Pipeline.from_config(overrides=settings(models))
    assert sorted(p.name for p in models["dir"].iterdir()) == ["identities.json"]
