"""app.py: argument parsing and the clear exits before anything is served."""
import os
from pathlib import Path

import pytest
from repo_data import ROOT, load_script

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")



def load_app():
    return load_script(ROOT / "app.py")


def test_binds_localhost_unless_told_otherwise():
    app = load_app()
    assert app.parse_args([]).host == "127.0.0.1"
    args = app.parse_args(["--host", "0.0.0.0", "--port", "8080", "--posts", "site", "--set", "a.b=1",
                           "--origin", "http://review-pc:8080"])
    assert (args.host, args.port, args.posts, args.set) == ("0.0.0.0", 8080, Path("site"), ["a.b=1"])
    assert args.origin == ["http://review-pc:8080"] and args.auth_file is None


def test_allowed_origins_are_loopback_on_the_port_the_host_and_the_named_ones():
    from nlp.origin import allowed_origins

    assert allowed_origins("0.0.0.0", 8080, ["http://review-pc:8080/"]) == {
        "http://127.0.0.1:8080", "http://localhost:8080", "http://[::1]:8080", "http://review-pc:8080"}
    assert "http://10.0.0.5:7860" in allowed_origins("10.0.0.5", 7860)


def test_logins_come_from_a_file_and_a_bad_line_is_named(tmp_path, capsys):
    app = load_app()
    logins = tmp_path / "logins.txt"
    logins.write_text("# reviewers\nli:pass:word\n\nwang:secret\n")
    assert app.read_logins(logins) == [("li", "pass:word"), ("wang", "secret")]
    logins.write_text("li:ok\nwang\n")
    assert app.main(["--auth-file", str(logins)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and f"{logins}:2: expected 'user:password'" in err


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


def test_the_queue_puts_what_most_needs_a_reviewer_first():
    from nlp.demo import _risk

    riskiest_first = [("failed", False, 0, False), ("stale", True, 0, False), ("generated", False, 3, False),
                      ("generated", False, 0, True), ("stale", False, 0, False), ("no abstract", False, 0, False),
                      ("generated", False, 0, False), ("reviewed", True, 2, True), ("skipped", False, 0, False)]
    ranks = [_risk(*case) for case in riskiest_first]
    assert ranks == sorted(set(ranks))
