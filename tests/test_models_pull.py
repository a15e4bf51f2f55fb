"""`nlp models pull` pins a revision and records the commit it got; the record is the model's revision.

No hub is reachable here, so the two hub client calls (model_info, snapshot_download) are replaced
by stand-ins that answer as the hub does: the commit a revision resolves to, and files in a folder.
"""
from __future__ import annotations

import json
import shutil
from types import SimpleNamespace

import huggingface_hub
import pytest

from nlp.config import load_config
from nlp.runtime import load_model
from nlp.runtime import store

COMMIT = "0123456789abcdef0123456789abcdef01234567"


@pytest.fixture
def hub(monkeypatch, tiny_marian):
    """A hub that knows one model, tiny_marian, at one commit."""
    asked = {}

    def model_info(self, ref, revision=None, **_):
        asked["info"] = (ref, revision)
        return SimpleNamespace(sha=COMMIT, siblings=[SimpleNamespace(rfilename=p.name) for p in tiny_marian.iterdir()])

    def snapshot_download(ref, revision=None, local_dir=None, allow_patterns=None, **_):
        asked["download"] = (ref, revision, sorted(allow_patterns))
        shutil.copytree(tiny_marian, local_dir, dirs_exist_ok=True)
        return str(local_dir)

    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.delenv("TRANSFORMERS_OFFLINE", raising=False)
    monkeypatch.setattr(store, "hub_reachable", lambda: True)
    monkeypatch.setattr(huggingface_hub.HfApi, "model_info", model_info)
    monkeypatch.setattr(huggingface_hub, "snapshot_download", snapshot_download)
    return asked


def test_pull_fetches_the_pinned_revision_and_records_its_commit(hub, tmp_path, capsys):
    from nlp.cli import main

    settings = ["--set", f"runtime.models_dir={tmp_path}", "--set", "translator.revision=v1.0"]
    assert main(["models", "pull", "translator", *settings]) == 0
    assert hub["info"] == ("Helsinki-NLP/opus-mt-zh-en", "v1.0")
    assert hub["download"][:2] == ("Helsinki-NLP/opus-mt-zh-en", COMMIT)  # the commit, not the moving tag
    folder = tmp_path / "Helsinki-NLP" / "opus-mt-zh-en"
    record = json.loads((folder / store.REVISION_FILE).read_text(encoding="utf-8"))
    assert record == {"ref": "Helsinki-NLP/opus-mt-zh-en", "revision": COMMIT}
    runtime = load_config(overrides={"runtime.models_dir": str(tmp_path)}).runtime
    model = load_model("Helsinki-NLP/opus-mt-zh-en", runtime, "transformers", "translator")
    assert model.revision == COMMIT


def test_a_local_folder_has_a_stable_revision(tiny_marian, tmp_path):
    copy = shutil.copytree(tiny_marian, tmp_path / "copy")
    assert store.folder_revision(tiny_marian) == store.folder_revision(copy)
    assert store.folder_revision(copy).startswith("local-")
