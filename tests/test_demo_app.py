"""app.py: argument parsing and the clear exits before anything is served."""
import importlib.util
import os
from pathlib import Path

import pytest

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

REPO = Path(__file__).resolve().parents[1]


def load_app():
    spec = importlib.util.spec_from_file_location("app", REPO / "app.py")
    app = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(app)
    return app


def test_binds_localhost_unless_told_otherwise():
    app = load_app()
    assert app.parse_args([]).host == "127.0.0.1"
    args = app.parse_args(["--host", "0.0.0.0", "--port", "8080", "--posts", "site", "--set", "a.b=1"])
    assert (args.host, args.port, args.posts, args.set) == ("0.0.0.0", 8080, Path("site"), ["a.b=1"])


def test_bad_folder_config_or_model_exit_2_with_one_line(tmp_path, capsys):
    app = load_app()
    missing_model = tmp_path / "no-such-model"
    for argv, expected in ((["--posts", str(tmp_path / "nope")], "--posts must be a folder"),
                           (["--set", "summarizer.nope=1"], "summarizer.nope"),
                           (["--set", f"translator.model={missing_model}"], "no-such-model")):
        assert app.main(argv) == 2
        err = capsys.readouterr().err
        assert err.startswith("error: ") and expected in err and len(err.strip().splitlines()) == 1


def test_handler_errors_become_one_line_messages_not_tracebacks():
    from gradio import Error

    from nlp.demo import shown_in_ui
    from nlp.errors import PostError

    def failing(exc):
        raise exc

    handler = shown_in_ui(failing)
    for exc, expected in ((PostError("a.md", "changed since it was read", 3), "a.md:3: changed since it was read"),
                          (KeyError("abstract_meta"), "Unexpected error (KeyError: 'abstract_meta')")):
        with pytest.raises(Error) as raised:
            handler(exc)
        assert raised.value.message.startswith(expected) and "\n" not in raised.value.message
