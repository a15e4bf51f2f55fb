"""Read-only files, folders and file systems, and a full disk: a clear message, the original intact,
no temporary file left behind.

Permission bits do not bind root, and the tests may run as root: the read-only case then does its
writes as the unprivileged user `nobody`, whom the operating system holds to them as it holds any
user but root. (Run as root, the tool replaces read-only files like any root process would; a
read-only mount stops it, see below.) Full and read-only file systems are small tmpfs mounts where
mounting is allowed; a failing fsync is simulated everywhere.
"""
from __future__ import annotations

import contextlib
import errno
import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from nlp.enrich import enrich_paths
from nlp.errors import NlpError
from nlp.pipeline import Pipeline
from test_robustness_interrupt import POSTS, Corpus, assert_enriched

READ_ONLY = "file is read-only; not overwritten"


@pytest.fixture(scope="module")
def pipe():
    pipe = Pipeline.from_config(overrides={"translator.enabled": False, "summarizer.method": "extractive"})
    pipe.process_text("<p>国务院召开常务会议。会议研究部署工作。</p>")  # jieba's dictionary loaded, as root
    return pipe


@contextlib.contextmanager
def unprivileged(ids: tuple[int, int]):
    """Run the block as user and group `ids` when root, keeping the right to come back; else as we are."""
    if os.geteuid() != 0:
        yield
        return
    groups = os.getgroups()
    os.setgroups([])
    os.setresgid(ids[1], ids[1], 0)
    os.setresuid(ids[0], ids[0], 0)
    try:
        yield
    finally:
        os.setresuid(0, 0, 0)
        os.setresgid(0, 0, 0)
        os.setgroups(groups)


@pytest.fixture
def user_folder():
    """(uid, gid) the writes run as (`nobody` under root), and a folder that user can reach: pytest's own
    temporary tree is private to the user running the tests."""
    ids = (os.getuid(), os.getgid())
    if os.geteuid() == 0:
        nobody = pwd.getpwnam("nobody")
        ids = (nobody.pw_uid, nobody.pw_gid)
    folder = Path(tempfile.mkdtemp(prefix="nlp-readonly-"))
    folder.chmod(0o755)
    yield ids, folder
    for path in [folder, *folder.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    shutil.rmtree(folder)


def test_read_only_files_and_folders_are_reported_and_left_intact(user_folder, pipe):
    ids, root = user_folder
    corpus = Corpus(root / "posts", POSTS[:3])
    writable, read_only, moved = sorted(corpus.originals)
    locked = corpus.folder / "locked"
    locked.mkdir()
    in_locked = moved.rename(locked / moved.name)
    corpus.originals[in_locked] = corpus.originals.pop(moved)
    for path in [corpus.folder, locked, *corpus.originals]:
        os.chown(path, *ids)
    read_only.chmod(0o444)
    locked.chmod(0o555)

    with unprivileged(ids):
        results = {r.path: r for r in pipe.enrich_files([writable, read_only, in_locked])}
    assert results[writable].status == "updated"
    assert (results[read_only].status, results[read_only].message) == ("failed", f"{read_only}: {READ_ONLY}")
    assert results[in_locked].status == "failed"
    assert results[in_locked].message == f"{in_locked}: cannot write: Permission denied"
    assert_enriched(writable, corpus.originals[writable])
    for path in (read_only, in_locked):
        assert path.read_bytes() == corpus.originals[path]
    assert [p.name for p in locked.iterdir()] == [in_locked.name], "no temporary file left"


@pytest.fixture
def tmpfs(tmp_path):
    """A 512 KiB tmpfs mounted at a fresh folder (skipped where mounting is not allowed)."""
    mount = tmp_path / "disk"
    mount.mkdir()
    if not shutil.which("mount"):
        pytest.skip("no mount command here")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=512k", "tmpfs", str(mount)], capture_output=True)
    if done.returncode:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip() or done.returncode}")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=True)


def fill(disk: Path) -> Path:
    """Take every free byte of `disk` with one file."""
    filler = disk / "filler.bin"
    with open(filler, "wb", buffering=0) as out:
        try:
            while out.write(b"\0" * 4096):
                pass
        except OSError as exc:
            assert exc.errno == errno.ENOSPC
    return filler


def test_a_full_disk_fails_each_post_clearly_and_the_next_run_finishes(tmpfs, pipe):
    corpus = Corpus(tmpfs / "posts", POSTS[:6])
    filler = fill(tmpfs)
    results = list(pipe.enrich_files(sorted(corpus.originals)))
    failed = [r for r in results if r.status == "failed"]
    assert failed and all(r.message == f"{r.path}: cannot write: No space left on device" for r in failed)
    assert all(r.status in ("failed", "skipped") for r in results)
    assert corpus.check() == 0 and not corpus.leftovers()

    filler.unlink()
    assert {r.status for r in pipe.enrich_files(sorted(corpus.originals))} <= {"updated", "skipped"}
    assert corpus.check() == len(failed)


def test_a_report_that_cannot_be_written_is_a_clear_error(tmpfs, pipe, tmp_path):
    corpus = Corpus(tmp_path / "posts", POSTS[:2])
    fill(tmpfs)
    with pytest.raises(NlpError, match=r"report\.json: cannot write: No space left on device"):
        enrich_paths(pipe, sorted(corpus.originals), report=tmpfs / "report.json")
    assert sorted(p.name for p in tmpfs.iterdir()) == ["filler.bin"]
    assert corpus.check() == 2  # the posts themselves were written


def test_a_read_only_file_system_fails_each_post_clearly(tmpfs, pipe):
    corpus = Corpus(tmpfs / "posts", POSTS[:3])
    subprocess.run(["mount", "-o", "remount,ro", str(tmpfs)], check=True)
    results = list(pipe.enrich_files(sorted(corpus.originals)))
    assert {r.message for r in results if r.status != "skipped"} == {
        f"{r.path}: {READ_ONLY}" for r in results if r.status != "skipped"}
    assert any(r.status == "failed" for r in results)
    assert corpus.check() == 0 and not corpus.leftovers()


def test_a_failing_fsync_leaves_the_original_and_no_temporary_file(tmp_path, pipe, monkeypatch):
    """Delayed allocation: a disk can also run full, or fail, only when the data is flushed."""
    corpus = Corpus(tmp_path / "posts", POSTS[:2])

    def no_space(fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", no_space)
    results = list(pipe.enrich_files(sorted(corpus.originals)))
    monkeypatch.undo()
    assert [r.message for r in results] == [f"{p}: cannot write: No space left on device"
                                            for p in sorted(corpus.originals)]
    assert corpus.check() == 0 and not corpus.leftovers()
