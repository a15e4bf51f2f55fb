"""Interruptions: `nlp enrich` killed at random moments never leaves a partial, empty or stray file.

After every kill each post is either byte-identical to the original or a complete enriched post
(the original with exactly the managed keys set); SIGINT leaves no temporary file, SIGKILL may
leave one, which the next run removes; a final run completes the rest.

Fifty fresh interpreters would spend most of the budget importing, so the kill loop forks each
run from a warmed-up process that then runs the real `nlp enrich` command line (nlp.cli.main)
unchanged; two tests kill a plain `python -m nlp enrich` process the same way.
"""
from __future__ import annotations

import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from nlp.files import TEMP_MARK, atomic_output, remove_leftovers, write_new_file
from nlp.posts import parse_post, read_post, with_managed_keys, write_post
from repo_data import POSTS_DIR  # noqa: E402
from test_enrich import MANAGED, snapshot

NO_MODELS = ["--set", "translator.enabled=false", "--set", "summarizer.method=extractive"]
ENV = dict(os.environ, HF_HUB_OFFLINE="1", PYTHONIOENCODING="utf-8")
POSTS = sorted(POSTS_DIR.glob("*.md"))
KILLS = 50
LOOP_POSTS = 20  # two batches of the pipeline: short runs that write in two bursts
WARM_CLI = r"""
import json, os, sys
from nlp.cli import main
from nlp.pipeline import Pipeline

Pipeline.from_config(overrides=json.loads(sys.argv[1])).process_text("<p>国务院召开会议。会议研究部署工作。</p>")
print("ready", flush=True)
zygote = os.getpid()
try:
    for line in sys.stdin:
        argv, log = json.loads(line)
        pid = os.fork()
        if pid == 0:
            out = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
            os.dup2(out, 1)
            os.dup2(out, 2)
            code = 1
            try:
                code = main(argv)
                sys.stdout.flush()
                sys.stderr.flush()
            finally:
                os._exit(code)
        print(pid, flush=True)
        sys.stdin.readline()  # reaped only when asked: until then its pid cannot go to another process
        print(os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]), flush=True)
finally:
    if os.getpid() != zygote:  # a child interrupted on its way out must never run the loop
        os._exit(1)
"""


class WarmCli:
    """`nlp ARGS... --set KEY=VALUE...` runs forked from one warm process: start one, get its pid, then its
    exit code. The warm process has loaded the models of `overrides`, so the runs find them loaded."""

    def __init__(self, overrides: dict):
        self.settings = [f"--set={key}={value}" for key, value in overrides.items()]
        self.process = subprocess.Popen([sys.executable, "-c", WARM_CLI, json.dumps(overrides)], env=ENV, text=True,
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        assert self.process.stdout.readline().strip() == "ready"

    def start(self, args: list, log: Path) -> int:
        self.process.stdin.write(json.dumps([[*map(str, args), *self.settings], str(log)]) + "\n")
        self.process.stdin.flush()
        return int(self.process.stdout.readline())

    def exit_code(self) -> int:
        """Waits for the run to end."""
        self.process.stdin.write("\n")
        self.process.stdin.flush()
        return int(self.process.stdout.readline())

    def close(self) -> None:
        self.process.stdin.close()
        self.process.wait(timeout=30)


@pytest.fixture(scope="module")
def warm_cli():
    """Extractive summaries, no translator: runs short enough to kill fifty times (models never touch files)."""
    cli = WarmCli({"translator.enabled": False, "summarizer.method": "extractive"})
    yield cli
    cli.close()


class Corpus:
    """A copy of corpus posts, checked after every kill: each post the original or a complete enriched post."""

    def __init__(self, folder: Path, sources: list[Path]):
        folder.mkdir()
        for source in sources:
            shutil.copyfile(source, folder / source.name)
        self.folder, self.originals = folder, snapshot(folder)
        self.verified = dict(self.originals)  # path -> bytes already found whole

    def leftovers(self) -> set[str]:
        return {p.name for p in self.folder.iterdir() if TEMP_MARK in p.name}

    def check(self) -> int:
        """Assert that nothing is partial, lost or stray; returns how many posts are enriched."""
        names = {p.name for p in self.folder.iterdir()} - self.leftovers()
        assert names == {p.name for p in self.originals}, "no post lost, no stray file"
        for name in self.leftovers():  # only SIGKILL leaves one: the temporary file of a post
            assert re.fullmatch(rf"\.(.+){re.escape(TEMP_MARK)}post-\w+", name).group(1) in names
        for path, original in self.originals.items():
            data = path.read_bytes()
            if data != self.verified[path]:
                assert_enriched(path, original)
                self.verified[path] = data
        return sum(self.verified[path] != original for path, original in self.originals.items())

    def restore(self) -> None:
        for path, original in self.originals.items():
            path.write_bytes(original)
        self.verified = dict(self.originals)


def assert_enriched(path: Path, original: bytes) -> None:
    """The file is exactly the original with the managed keys it now holds set (abstract and meta at least).

    Keys are set in the order they stand in the file, as edits in several steps (a batch, then a
    review adding the English) leave them."""
    new = read_post(path)
    values = {key: value for key, value in new.data.items() if key in MANAGED}
    assert {"abstract_zh", "abstract_meta"} <= set(values), path
    assert new.text == with_managed_keys(parse_post(original.decode("utf-8-sig"), path), values)


def run_to_the_end(cli: WarmCli, folder: Path, log: Path) -> tuple[float, float]:
    """Seconds from the start of one uninterrupted run to its first written post, and to its end."""
    log.unlink(missing_ok=True)
    start, first_write = time.perf_counter(), None
    cli.start(["enrich", folder], log)
    while not re.search(r"\d+ updated, ", said := log.read_text(encoding="utf-8") if log.exists() else ""):
        if first_write is None and "updated: " in said:
            first_write = time.perf_counter() - start
        time.sleep(0.002)
    end = time.perf_counter() - start
    assert cli.exit_code() == 0, log.read_text(encoding="utf-8")
    return first_write or end, end


def test_random_sigint_and_sigkill_never_leave_a_partial_file_and_a_rerun_completes(warm_cli, tmp_path):
    corpus, log = Corpus(tmp_path / "posts", POSTS[:LOOP_POSTS]), tmp_path / "run.log"
    first_write, end = run_to_the_end(warm_cli, corpus.folder, log)
    todo = corpus.check()
    rng, landed_mid_write, killed_writing = random.Random(), 0, 0

    for kill in range(KILLS):
        if kill % 5:  # every fifth run starts where the killed one stopped; the others from scratch,
            corpus.restore()  # so that they take as long as measured and the timing below holds
        sig, before, temporaries = (signal.SIGINT, signal.SIGKILL)[kill % 2], corpus.check(), corpus.leftovers()
        pid = warm_cli.start(["enrich", corpus.folder], log)
        time.sleep(rng.uniform(0 if kill % 4 < 2 else first_write, end))  # half of them while it writes
        os.kill(pid, sig)
        code = warm_cli.exit_code()
        done = corpus.check()
        landed_mid_write += before < done < todo
        if sig == signal.SIGINT:
            assert not corpus.leftovers() - temporaries, "Ctrl-C left a temporary file"
            assert code in (0, 1, 130)  # 1: the signal came before the command's own handler was in place
            if code == 130:
                said = log.read_text(encoding="utf-8")
                assert "interrupted" in said and "Traceback" not in said, said
        else:
            killed_writing += bool(corpus.leftovers() - temporaries)

    assert landed_mid_write >= KILLS // 4, f"only {landed_mid_write} of {KILLS} kills landed between writes"
    run_to_the_end(warm_cli, corpus.folder, log)
    assert corpus.check() == todo
    assert not corpus.leftovers(), "the rerun removed every temporary file a killed run left"
    print(f"{landed_mid_write} of {KILLS} kills landed between writes; {killed_writing} SIGKILLs left a temporary file")


def run_until_first_write_then(sig: int, folder: Path) -> subprocess.CompletedProcess:
    """`python -m nlp enrich` as users start it, sent `sig` right after it reports its first written post."""
    process = subprocess.Popen([sys.executable, "-m", "nlp", "enrich", str(folder), *NO_MODELS], env=ENV, text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    lines = []
    for line in process.stderr:
        lines.append(line)
        if line.startswith("updated: "):
            process.send_signal(sig)
            break
    out, err = process.communicate(timeout=60)
    return subprocess.CompletedProcess(process.args, process.returncode, out, "".join(lines) + err)


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGKILL])
def test_killing_the_command_while_it_writes_then_running_it_again(tmp_path, sig):
    corpus = Corpus(tmp_path / "posts", POSTS)
    stopped = run_until_first_write_then(sig, corpus.folder)
    if sig == signal.SIGINT:
        assert stopped.returncode == 130, stopped.stderr
        assert re.search(rf"interrupted after \d+ of {len(POSTS)} files; .*run again to finish", stopped.stderr)
        assert "Traceback" not in stopped.stderr and not corpus.leftovers()
    else:
        assert stopped.returncode == -signal.SIGKILL
    done = corpus.check()
    assert 0 < done < len(POSTS)

    rerun = subprocess.run([sys.executable, "-m", "nlp", "enrich", str(corpus.folder), *NO_MODELS], capture_output=True,
                           text=True, env=ENV, timeout=120)
    assert rerun.returncode == 0, rerun.stderr
    updated, unchanged = map(int, re.match(r"(\d+) updated, (\d+) unchanged", rerun.stdout.splitlines()[-1]).groups())
    assert unchanged == done and corpus.check() == done + updated
    assert not corpus.leftovers()


def test_the_next_run_removes_what_a_killed_writer_left(warm_cli, tmp_path):
    corpus, log = Corpus(tmp_path / "posts", POSTS[:2]), tmp_path / "run.log"
    post = next(iter(corpus.originals))
    leftover = post.with_name(f".{post.name}{TEMP_MARK}post-k1ll3d_x")
    leftover.write_bytes(corpus.originals[post][:100])  # half written when SIGKILL came
    run_to_the_end(warm_cli, corpus.folder, log)
    assert f"removed {leftover}: left by an interrupted run" in log.read_text(encoding="utf-8")
    assert not corpus.leftovers() and corpus.check() == 2


def test_removing_leftovers_leaves_a_write_in_progress_alone(tmp_path):
    post = tmp_path / "p.md"
    post.write_text("old", encoding="utf-8")
    with atomic_output(post, kind="post") as temporary:  # a writer between its temporary file and the rename
        temporary.write_text("new", encoding="utf-8")
        assert remove_leftovers(tmp_path, "post") == [] and temporary.exists()  # its lock says it is alive
    assert post.read_text(encoding="utf-8") == "new" and [p.name for p in tmp_path.iterdir()] == ["p.md"]


def test_the_next_report_removes_what_a_killed_report_writer_left(tmp_path):
    abandoned = tmp_path / f".old.json{TEMP_MARK}report-k1ll3d_x"
    abandoned.write_text('{"summ', encoding="utf-8")  # the writer died before its rename
    foreign = tmp_path / f".p.md{TEMP_MARK}post-k1ll3d_x"  # another kind of writer's: not ours to remove
    foreign.write_text("half a post", encoding="utf-8")
    write_new_file(tmp_path / "new.json", "{}\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([foreign.name, "new.json"])


def test_ctrl_c_in_the_middle_of_a_write_lets_it_finish_then_stops(tmp_path, monkeypatch):
    corpus = Corpus(tmp_path / "posts", POSTS[:1])
    path = next(iter(corpus.originals))
    post = read_post(path)
    new_text = with_managed_keys(post, {"abstract_zh": "摘要。"})
    fsync = os.fsync

    def ctrl_c_then_fsync(fd):
        signal.raise_signal(signal.SIGINT)  # pressed while the temporary file is being written
        fsync(fd)

    monkeypatch.setattr(os, "fsync", ctrl_c_then_fsync)
    with pytest.raises(KeyboardInterrupt):
        write_post(post, new_text)
    assert path.read_text(encoding="utf-8") == new_text and not corpus.leftovers()
